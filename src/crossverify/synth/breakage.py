"""Deliberately invalid requests: each breaks one or two required elements on purpose.

Only the codes broken here are expected (R01-R06, R09); everything else in the row stays
valid, so a validator that reports extra codes is wrong, not the truth file. Placeholders
are the ones seen in the 2025 batch ("Failed to Provide", "Unknown Address", ZIP-only).
"""

from __future__ import annotations

import numpy as np

from crossverify.synth.vocab_places import ADDRESS_PLACEHOLDERS, CIVIL_STATUTES

CODES = ("R01", "R02", "R03", "R04", "R05", "R06", "R09")
CODE_P = np.array([0.15, 0.33, 0.12, 0.10, 0.12, 0.09, 0.09])
LAST_YEAR = 2025
# Pairs that touch the same field: breaking both would leave only one code true.
_CLASHES = ({"R04", "R05"}, {"R03", "R09"})
NAME_BREAKS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("first_name",), ""),
    (("first_name",), "FNU"),
    (("first_name",), "UNKNOWN"),
    (("last_name",), ""),
    (("last_name",), "LNU"),
    (("last_name",), "UNKNOWN"),
    (("first_name", "last_name"), ""),
)


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(0, len(options)))]


def _name(rng: np.random.Generator, row: dict[str, str]) -> str:
    fields, value = NAME_BREAKS[int(rng.integers(0, len(NAME_BREAKS)))]
    for field in fields:
        row[field] = value
    return "placeholder_name" if value else "missing_name"


def _address(rng: np.random.Generator, row: dict[str, str]) -> str:
    u = rng.random()
    if u < 0.5:
        row["street"] = _pick(rng, ADDRESS_PLACEHOLDERS)
        return "placeholder_address"
    if u < 0.7:
        row["street"] = ""
        return "missing_address"
    if u < 0.9:
        row["zip"] = row["zip"] or f"{int(rng.integers(10_000, 99_999)):05d}"
        row["street"] = row["city"] = row["state"] = ""
        return "zip_only_address"
    row["street"] = row["zip"][:5] or f"{int(rng.integers(10_000, 99_999)):05d}"
    return "digits_only_address"


def _order(rng: np.random.Generator, row: dict[str, str]) -> str:
    u = rng.random()
    if u < 0.4:
        row["removal_order_date"] = ""
    elif u < 0.8:
        row["removal_order_ref"] = ""
    else:
        row["removal_order_date"] = row["removal_order_ref"] = ""
    return "missing_removal_order"


def _period(rng: np.random.Generator, row: dict[str, str]) -> str:
    start, end = int(row["tax_period_start"][:4]), int(row["tax_period_end"][:4])
    if start == end:
        if start < LAST_YEAR:
            start = start + 1 + int(rng.integers(0, LAST_YEAR - start))
        else:
            end = end - 1 - int(rng.integers(0, 3))
    else:
        start, end = end, start
    row["tax_period_start"], row["tax_period_end"] = str(start), str(end)
    return "inverted_period"


def break_request(rng: np.random.Generator, row: dict[str, str]) -> tuple[list[str], list[str]]:
    """Break 1 (85%) or 2 required elements of `row` in place; return (codes, details)."""
    count = 2 if rng.random() < 0.15 else 1
    codes = sorted(rng.choice(len(CODES), count, replace=False, p=CODE_P).tolist())
    if {CODES[c] for c in codes} in _CLASHES:
        codes = codes[:1]
    details: list[str] = []
    for c in codes:
        code = CODES[c]
        if code == "R01":
            details.append(_name(rng, row))
        elif code == "R02":
            details.append(_address(rng, row))
        elif code == "R03":
            details.append(_order(rng, row))
        elif code == "R04":
            row["criminal_statute"] = ""
            details.append("missing_statute")
        elif code == "R05":
            row["criminal_statute"] = _pick(rng, CIVIL_STATUTES)
            details.append("civil_statute")
        elif code == "R06":
            details.append(_period(rng, row))
        else:
            year = int(rng.integers(2031, 2036))
            row["removal_order_date"] = f"{year}-{int(rng.integers(1, 13)):02d}-15"
            details.append("future_order_date")
    return [CODES[c] for c in codes], details
