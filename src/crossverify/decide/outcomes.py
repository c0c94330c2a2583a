"""One decision per accepted request, from its request x taxpayer candidates. Pure.

A taxpayer *qualifies* only when the given name agrees (exact, nickname or a one-letter
variant), a surname agrees, nothing conflicts (Jr vs Sr, a different middle initial, a
different date of birth) and the requester's address is corroborated by the taxpayer's
address history (house number and street, or PO box; ZIP or name+TIN alone never is).
An address is disclosed only for a single qualifying taxpayer whose calibrated confidence
clears the threshold with a margin over every other candidate; two or more qualifying
taxpayers are ambiguous (N3), never a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from crossverify.link.model import (
    ADDRESS_CORROBORATES,
    DOB_LEVELS,
    GIVEN_AGREES,
    GIVEN_DIFFERS,
    GIVEN_LEVELS,
    NULL_LEVEL,
    SUFFIX_LEVELS,
    SURNAME_AGREES,
    SURNAME_LEVELS,
)


class Decision(StrEnum):
    MATCH = "match"
    NO_CANDIDATE = "N1"
    INSUFFICIENT = "N2"
    AMBIGUOUS = "N3"


@dataclass(frozen=True)
class DecisionRules:
    threshold: float
    margin_bits: float
    prior_on_file: float
    taxpayers_on_file: int
    prior_match_weight: float


DECISION_SCHEMA = pa.schema(
    [
        ("request_row", pa.int64()),
        ("decision", pa.string()),
        ("sub_reason", pa.string()),
        ("tin", pa.string()),
        ("match_probability", pa.float64()),
        ("confidence", pa.float64()),
        ("match_weight", pa.float64()),
        ("runner_up_tin", pa.string()),
        ("runner_up_weight", pa.float64()),
        ("qualifying", pa.int64()),
        ("address_tax_year", pa.int64()),
    ]
)
DECISION_COLUMNS = tuple(DECISION_SCHEMA.names)


Columns = dict[str, npt.NDArray[Any]]  # candidates as NumPy arrays, one per column


def _in(values: npt.NDArray[Any], levels: frozenset[int]) -> npt.NDArray[np.bool_]:
    """Which gamma values are among `levels`: a table lookup, as np.isin costs ~30 us per
    call on a lookup's few candidates and decide makes a few dozen such calls."""
    member: npt.NDArray[np.bool_] = _level_table(levels)[values - NULL_LEVEL]
    return member


_GAMMA_VALUES = 64  # gamma values run from NULL_LEVEL (-1) to a comparison's top level


@lru_cache(maxsize=64)
def _level_table(levels: frozenset[int]) -> npt.NDArray[np.bool_]:
    table = np.zeros(_GAMMA_VALUES, dtype=bool)
    table[[level - NULL_LEVEL for level in levels]] = True
    return table


def surname_agrees(c: Columns) -> npt.NDArray[np.bool_]:
    """A surname agrees; or none does (a married name, the mother's surname alone) but the
    full given name and the exact date of birth both do: three identifiers, not one."""
    changed = (
        (c["gamma_surname"] == SURNAME_LEVELS["else"])
        & (c["gamma_given_name"] == GIVEN_LEVELS["exact"])
        & (c["gamma_dob"] == DOB_LEVELS["exact"])
    )
    agrees: npt.NDArray[np.bool_] = (_in(c["gamma_surname"], SURNAME_AGREES) | changed) & ~c[
        "surname_2_conflict"
    ]
    return agrees


def _given_differs(c: Columns) -> npt.NDArray[np.bool_]:
    """Both given names known and they are different names."""
    differs: npt.NDArray[np.bool_] = _in(c["gamma_given_name"], GIVEN_DIFFERS)
    return differs


def name_plausible(c: Columns) -> npt.NDArray[np.bool_]:
    """Given name and surname agree: the name could be this taxpayer's."""
    return _in(c["gamma_given_name"], GIVEN_AGREES) & surname_agrees(c)


def names_agree(c: Columns) -> npt.NDArray[np.bool_]:
    """Given name and surname agree and no identifier says these are two people."""
    dob_ok = (c["gamma_dob"] < 0) | (c["gamma_dob"] >= DOB_LEVELS["one_edit"])
    agree: npt.NDArray[np.bool_] = (
        name_plausible(c)
        & (c["gamma_suffix"] != SUFFIX_LEVELS["conflict"])
        & (c["gamma_middle_initial"] != 0)
        & dob_ok
    )
    return agree


def suffix_unconfirmed(c: Columns) -> npt.NDArray[np.bool_]:
    """Jr/Sr on one side only and no date of birth to tell father from son."""
    unconfirmed: npt.NDArray[np.bool_] = (c["gamma_suffix"] == SUFFIX_LEVELS["one_missing"]) & (
        c["gamma_dob"] < DOB_LEVELS["transposed"]
    )
    return unconfirmed


def qualifies(c: Columns) -> npt.NDArray[np.bool_]:
    """Candidates that could be the named person and whose address history corroborates."""
    return names_agree(c) & _in(c["gamma_address"], ADDRESS_CORROBORATES)


def namesake_rate(c: Columns, rules: DecisionRules) -> float:
    """How often a disclosure made without a date of birth goes to someone else, in this batch.

    Measured where it can be seen: the requests that give a date of birth are decided again
    as if they gave none (the DOB level and its weight set aside); among those that would
    then be disclosed to a taxpayer with a DOB on file, the share whose dates of birth are
    years apart (a father and son of one name at one address, one of them not on file).
    Requests without a date of birth carry the same risk unseen; it is added to their
    disclosures.
    """
    seen = conflicts = 0
    with_dob = np.unique(c["request_row"][c["gamma_dob"] >= 0])
    if len(with_dob):
        keep = np.flatnonzero(np.isin(c["request_row"], with_dob))
        weight = c["match_weight"][keep] - c["mw_dob"][keep]
        # Stable: equal weights keep their order (by TIN), so the rate is reproducible.
        by_weight = np.lexsort((-weight, c["request_row"][keep]))
        order = keep[by_weight]
        blind = {name: values[order] for name, values in c.items()}
        blind["match_weight"] = weight[by_weight]
        blind["gamma_dob"] = np.full(len(order), NULL_LEVEL)
        would = _decide_columns(blind, with_dob, rules)
        dates = c["gamma_dob"][order][would.chosen[would.chosen >= 0]]
        seen = int((dates >= 0).sum())
        # Only dates in another year and more than one keystroke apart: a father and son,
        # not a mistyped day, which the same person's records show often enough to swamp it.
        conflicts = int((dates == DOB_LEVELS["else"]).sum())
    # A prior worth 100 such requests at 1 in 100 keeps a small batch from claiming zero risk.
    return (conflicts + 1.0) / (seen + 100.0)


def confidence_scores(
    c: Columns, starts: npt.NDArray[np.intp], rules: DecisionRules
) -> npt.NDArray[np.float64]:
    """Posterior that each candidate is the person, competing with every other candidate and
    with 'not on file': o_k / (1 + sum_j o_j), o_k = prior odds per taxpayer x Bayes factor.
    `c` is grouped by request; `starts` are the first row of each request's group."""
    prior_odds = rules.prior_on_file / ((1 - rules.prior_on_file) * max(rules.taxpayers_on_file, 1))
    log2_odds = (c["match_weight"] - rules.prior_match_weight) + math.log2(prior_odds)
    # A household member with another given name is not a reading of the request: the
    # model's independence assumption overrates one who shares surname, address and (a
    # twin) the date of birth, so such a candidate does not compete (as for the runner-up).
    log2_odds = np.where(_given_differs(c), -np.inf, log2_odds)
    sizes = np.diff(np.append(starts, len(log2_odds)))
    # Work in log space per request to avoid overflow: p_k = 2^a_k / (1 + sum 2^a_j).
    shift = np.repeat(np.maximum(np.maximum.reduceat(log2_odds, starts), 0.0), sizes)
    scaled = np.exp2(log2_odds - shift)
    total = np.repeat(np.add.reduceat(scaled, starts), sizes) + np.exp2(-shift)
    probability: npt.NDArray[np.float64] = scaled / total
    return probability


def _columns(candidates: pa.Table) -> Columns:
    """The candidates by request, then weight (best first), then TIN: ranks are stable."""
    order = pc.sort_indices(
        candidates,
        [("request_row", "ascending"), ("match_weight", "descending"), ("tin", "ascending")],
    )
    c = candidates.take(order)
    columns = {
        name: c[name].to_numpy(zero_copy_only=False)
        for name in ("request_row", "tin", "match_weight", "address_tax_year", *_GAMMAS)
    }
    # The DOB's weight, to decide a request again as if it gave none (namesake_rate).
    columns["mw_dob"] = (
        c["mw_dob"].fill_null(0.0).to_numpy(zero_copy_only=False).astype(float)
        if "mw_dob" in c.column_names
        else np.zeros(c.num_rows)
    )
    conflict = c["surname_2_conflict"].fill_null(False)
    columns["surname_2_conflict"] = conflict.to_numpy(zero_copy_only=False).astype(bool)
    return columns


def _first_per_group(
    mask: npt.NDArray[np.bool_], group: npt.NDArray[np.intp], groups: int
) -> npt.NDArray[np.intp]:
    """Per group: the position of its first row where `mask` holds, -1 where none does."""
    first = np.full(groups, -1, dtype=np.intp)
    positions = np.flatnonzero(mask)
    found, at = np.unique(group[positions], return_index=True)
    first[found] = positions[at]
    return first


@dataclass(frozen=True)
class _Decided:
    """Per asked row: the decision, and positions into the candidate columns (-1: none)."""

    decision: npt.NDArray[Any]
    sub_reason: npt.NDArray[Any]
    top_at: npt.NDArray[np.intp]
    runner_at: npt.NDArray[np.intp]
    chosen: npt.NDArray[np.intp]
    n_qualifying: npt.NDArray[np.int64]
    probability: npt.NDArray[np.float64]  # per candidate


def decide(candidates: pa.Table, request_rows: pa.Array, rules: DecisionRules) -> pa.Table:
    """Return one row per request_row in `request_rows` (DECISION_COLUMNS).

    NumPy on arrays grouped by request: a lookup's handful of candidates and a batch's
    millions take the same path, and neither pays a data frame's per-operation cost."""
    rows = request_rows.to_numpy(zero_copy_only=False).astype(np.int64)
    if candidates.num_rows == 0:
        return _no_candidates(rows)
    c = _columns(candidates)
    d = _decide_columns(c, rows, rules)
    unseen = c["gamma_dob"] < DOB_LEVELS["transposed"]
    confidence = d.probability * np.where(unseen, 1.0 - namesake_rate(c, rules), 1.0)
    return pa.table(
        {
            "request_row": rows,
            "decision": d.decision,
            "sub_reason": d.sub_reason,
            "tin": _take(c["tin"], d.chosen),
            "match_probability": _take(d.probability, d.chosen),
            "confidence": _take(confidence, d.chosen),
            "match_weight": _take(c["match_weight"], d.top_at),
            "runner_up_tin": _take(c["tin"], d.runner_at),
            "runner_up_weight": _take(c["match_weight"], d.runner_at),
            "qualifying": d.n_qualifying,
            "address_tax_year": _take(c["address_tax_year"], d.chosen),
        }
    ).cast(DECISION_SCHEMA)


def _decide_columns(c: Columns, rows: npt.NDArray[np.int64], rules: DecisionRules) -> _Decided:
    """The rules on candidate columns grouped by request (as `_columns` orders them)."""
    request_row = c["request_row"]
    is_start = np.ones(len(request_row), dtype=bool)
    is_start[1:] = request_row[1:] != request_row[:-1]
    starts = np.flatnonzero(is_start)
    group = np.cumsum(is_start) - 1
    groups = len(starts)

    probability = confidence_scores(c, starts, rules)
    qualifying = qualifies(c)
    # A namesake whose details conflict still makes the answer "insufficient", not "none".
    plausible = name_plausible(c)
    unconfirmed = qualifying & suffix_unconfirmed(c)
    top = _first_per_group(qualifying, group, groups)
    # The runner-up is the best *other* taxpayer the name could also belong to; a spouse
    # with another given name is a household member, not a rival reading of the request.
    top_of_row = top[group]
    rival = plausible & (top_of_row >= 0) & (c["tin"] != c["tin"][np.maximum(top_of_row, 0)])
    runner = _first_per_group(rival, group, groups)

    # Each asked row's group; a row without candidates gets the empty group `groups`.
    group_rows = request_row[starts]
    at = np.minimum(np.searchsorted(group_rows, rows), groups - 1)
    asked = np.where(group_rows[at] == rows, at, groups)

    def per_row(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        counts: npt.NDArray[np.int64] = np.bincount(group[mask], minlength=groups + 1)[asked]
        return counts

    n_qualifying, n_plausible = per_row(qualifying), per_row(plausible)
    top_at = np.append(top, -1)[asked]
    runner_at = np.append(runner, -1)[asked]
    margin = _pick(c["match_weight"], top_at, 0.0) - _pick(c["match_weight"], runner_at, -math.inf)

    decision = np.full(len(rows), Decision.NO_CANDIDATE.value, dtype=object)
    sub_reason = np.full(len(rows), "no_candidate", dtype=object)
    has_plausible = n_plausible > 0
    decision[has_plausible] = Decision.INSUFFICIENT.value
    sub_reason[has_plausible] = "address_not_corroborated"
    single = n_qualifying == 1
    close = single & (margin < rules.margin_bits)
    low = single & ~close & (_pick(probability, top_at, 0.0) < rules.threshold)
    decision[single] = Decision.MATCH.value
    sub_reason[single] = "single_qualifying"
    decision[low] = Decision.INSUFFICIENT.value
    sub_reason[low] = "below_threshold"
    decision[close] = Decision.AMBIGUOUS.value
    sub_reason[close] = "runner_up_too_close"
    namesake = single & (per_row(unconfirmed) > 0)
    decision[namesake] = Decision.AMBIGUOUS.value
    sub_reason[namesake] = "suffix_unconfirmed"
    several = n_qualifying > 1
    decision[several] = Decision.AMBIGUOUS.value
    sub_reason[several] = "several_qualifying"
    chosen = np.where(decision == Decision.MATCH.value, top_at, -1)
    return _Decided(decision, sub_reason, top_at, runner_at, chosen, n_qualifying, probability)


def _no_candidates(rows: npt.NDArray[np.int64]) -> pa.Table:
    columns: dict[str, Any] = {name: pa.nulls(len(rows)) for name in DECISION_COLUMNS}
    columns["request_row"] = rows
    columns["decision"] = np.full(len(rows), Decision.NO_CANDIDATE.value)
    columns["sub_reason"] = np.full(len(rows), "no_candidate")
    columns["qualifying"] = np.zeros(len(rows), dtype=np.int64)
    return pa.table(columns).cast(DECISION_SCHEMA)


def _pick(values: npt.NDArray[Any], at: npt.NDArray[np.intp], missing: float) -> npt.NDArray[Any]:
    """values[at], `missing` where `at` is -1."""
    return np.where(at >= 0, values[np.maximum(at, 0)], missing)


def _take(values: npt.NDArray[Any], at: npt.NDArray[np.intp]) -> pa.Array:
    """values[at], NULL where `at` is -1."""
    return pa.array(values[np.maximum(at, 0)], mask=at < 0)


_GAMMAS = (
    "gamma_given_name",
    "gamma_surname",
    "gamma_dob",
    "gamma_suffix",
    "gamma_middle_initial",
    "gamma_address",
)


def expected_wrong_matches(confidences: pa.Array) -> float:
    """Sum of (1 - confidence) over disclosures: the number of wrong ones the model predicts."""
    values = confidences.to_numpy(zero_copy_only=False).astype(float)
    return float(np.nansum(1.0 - values))
