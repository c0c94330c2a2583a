"""Precision, recall and errors by kind, the same way for crossverify and for plain Splink."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from crossverify.evaluate import Evaluation, evaluate
from crossverify.types import DISCLOSED_OUTCOMES

# Kinds of request, read from the truth file's `scenario` traits (synth.requests). A request
# may carry several traits, so it may count under several kinds.
KINDS: dict[str, tuple[str, ...]] = {
    "household member, not on file": ("household_member_not_on_file",),
    "on file, a relative shares the address": ("household_shares_address",),
    "Jr/Sr namesake files too": ("jr_sr_namesake",),
    "twin files too": ("twin",),
    "common name, not on file": ("common_name_not_on_file",),
    "namesake in the same city": ("namesake_in_city",),
    "compound surname (one part, maternal, hyphen, particle)": (
        "compound_surname_one_part",
        "maternal_surname_only",
        "surname_hyphenation",
        "particle_dropped",
    ),
    "married surname": ("married_surname",),
    "nickname": ("nickname",),
    "relative's TIN on the request": ("tin_of_relative",),
    "typo in name, street or DOB": ("typo_given", "typo_surname", "typo_street", "dob_typo"),
}


ITIN, SSN, NOT_ON_FILE, ALL = (
    "ITIN filer (TIN starts with 9)",
    "SSN filer",
    "person not on file",
    "all",
)
KIND_ORDER = (*KINDS, ITIN, SSN, NOT_ON_FILE, ALL)


def evaluation_dict(ev: Evaluation) -> dict[str, Any]:
    return {
        "requests": ev.requests,
        "disclosed": ev.disclosed,
        "wrong": ev.wrong,
        "wrong_address": ev.wrong_address,
        "findable": ev.findable,
        "found": ev.found,
        "precision": round(ev.precision, 5),
        "recall": round(ev.recall, 5),
        "expected_wrong": round(ev.expected_wrong_matches, 2),
        "wrong_by_scenario": dict(sorted(ev.wrong_by_scenario.items(), key=lambda kv: -kv[1])),
    }


def score(
    outcomes: pd.DataFrame, truth: pd.DataFrame, *, expected_wrong_matches: float
) -> dict[str, Any]:
    """`outcomes`: request_id, outcome, tin, street, zip, tax_year for the accepted requests."""
    ev = evaluate(outcomes, truth, expected_wrong_matches=expected_wrong_matches)
    result = evaluation_dict(ev)
    result["outcome_counts"] = {
        str(k): int(v) for k, v in outcomes["outcome"].value_counts().sort_index().items()
    }
    result["kinds"] = errors_by_kind(outcomes, truth)
    return result


def errors_by_kind(outcomes: pd.DataFrame, truth: pd.DataFrame) -> dict[str, dict[str, int]]:
    df = truth.merge(outcomes, on="request_id", how="left")
    disclosed = df["outcome"].isin(DISCLOSED_OUTCOMES)
    tin = df["tin"].fillna("").astype(str)
    wrong = disclosed & (tin != df["true_tin"])
    findable = df["expected_outcome"].isin(DISCLOSED_OUTCOMES)
    missed = findable & ~(disclosed & ~wrong)
    traits = df["scenario"].fillna("").str.split("+")
    out: dict[str, dict[str, int]] = {}

    def add(name: str, mask: pd.Series) -> None:
        out[name] = {
            "requests": int(mask.sum()),
            "findable": int((mask & findable).sum()),
            "disclosed": int((mask & disclosed).sum()),
            "wrong": int((mask & wrong).sum()),
            "missed": int((mask & missed).sum()),
        }

    trait_sets = [frozenset(ts) for ts in traits]
    for name, wanted in KINDS.items():
        hit = [not set_.isdisjoint(wanted) for set_ in trait_sets]
        add(name, pd.Series(hit, index=df.index))
    # ITIN vs SSN: the person's own TIN, or (not on file) the TIN that was disclosed.
    filer_tin = df["true_tin"].where(df["true_tin"] != "", tin.where(disclosed, ""))
    add(ITIN, filer_tin.str.startswith("9"))
    add(SSN, (filer_tin != "") & ~filer_tin.str.startswith("9"))
    add(NOT_ON_FILE, df["true_tin"] == "")
    add(ALL, pd.Series(True, index=df.index))
    return out


class UntrainedLog(logging.Handler):
    """Collects the Splink messages that say a level kept default (untrained) parameters."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = " ".join(record.getMessage().split())
        if "probability not trained" in text or "u values not fully trained" in text:
            text = text.split(". This usually")[0][:200]
            if text not in self.messages:
                self.messages.append(text)
