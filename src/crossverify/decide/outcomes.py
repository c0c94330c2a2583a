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

import numpy as np
import pandas as pd
import pyarrow as pa

from crossverify.link.model import (
    ADDRESS_CORROBORATES,
    DOB_LEVELS,
    GIVEN_AGREES,
    GIVEN_LEVELS,
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


def _in(series: pd.Series, levels: frozenset[int]) -> pd.Series:
    return series.isin(list(levels))


def surname_agrees(c: pd.DataFrame) -> pd.Series:
    """A surname agrees; or none does (a married name, the mother's surname alone) but the
    full given name and the exact date of birth both do: three identifiers, not one."""
    changed = (
        (c["gamma_surname"] == SURNAME_LEVELS["else"])
        & (c["gamma_given_name"] == GIVEN_LEVELS["exact"])
        & (c["gamma_dob"] == DOB_LEVELS["exact"])
    )
    return (_in(c["gamma_surname"], SURNAME_AGREES) | changed) & ~c["surname_2_conflict"].astype(
        bool
    )


def name_plausible(c: pd.DataFrame) -> pd.Series:
    """Given name and surname agree: the name could be this taxpayer's."""
    return _in(c["gamma_given_name"], GIVEN_AGREES) & surname_agrees(c)


def names_agree(c: pd.DataFrame) -> pd.Series:
    """Given name and surname agree and no identifier says these are two people."""
    dob_ok = (c["gamma_dob"] < 0) | (c["gamma_dob"] >= DOB_LEVELS["one_edit"])
    return (
        name_plausible(c)
        & (c["gamma_suffix"] != SUFFIX_LEVELS["conflict"])
        & (c["gamma_middle_initial"] != 0)
        & dob_ok
    )


def suffix_unconfirmed(c: pd.DataFrame) -> pd.Series:
    """Jr/Sr on one side only and no date of birth to tell father from son."""
    return (c["gamma_suffix"] == SUFFIX_LEVELS["one_missing"]) & (
        c["gamma_dob"] < DOB_LEVELS["transposed"]
    )


def qualifies(c: pd.DataFrame) -> pd.Series:
    """Candidates that could be the named person and whose address history corroborates."""
    return names_agree(c) & _in(c["gamma_address"], ADDRESS_CORROBORATES)


def namesake_rate(c: pd.DataFrame) -> float:
    """How often a name + corroborated address still belongs to someone else, in this batch.

    Measured where it can be seen: among requests whose name and address agree with exactly
    one taxpayer and where both sides give a date of birth, the share whose dates are years
    apart (a father and son of one name at one address, one of them not on file). Requests without
    a date of birth carry the same risk unseen; it is added to their disclosures.
    """
    # Only hits a missing DOB would let through: with Jr/Sr on one side only, no DOB means N3.
    name_address = (
        name_plausible(c)
        & (c["gamma_suffix"] == SUFFIX_LEVELS["same"])
        & (c["gamma_middle_initial"] != 0)
        & _in(c["gamma_address"], ADDRESS_CORROBORATES)
    )
    hits = c[name_address]
    single = hits[~hits["request_row"].duplicated(keep=False)]
    seen = single[single["gamma_dob"] >= 0]
    # Only dates in another year and more than one keystroke apart: a father and son, not a
    # mistyped day, which the same person's records show often enough to swamp the count.
    conflicts = int((seen["gamma_dob"] == DOB_LEVELS["else"]).sum())
    # A prior worth 100 such requests at 1 in 100 keeps a small batch from claiming zero risk.
    return (conflicts + 1.0) / (len(seen) + 100.0)


def confidence_scores(c: pd.DataFrame, rules: DecisionRules) -> pd.Series:
    """Posterior that each candidate is the person, competing with every other candidate and
    with 'not on file': o_k / (1 + sum_j o_j), o_k = prior odds per taxpayer x Bayes factor."""
    prior_odds = rules.prior_on_file / ((1 - rules.prior_on_file) * max(rules.taxpayers_on_file, 1))
    log2_odds = (c["match_weight"] - rules.prior_match_weight) + math.log2(prior_odds)
    # Work in log space per request to avoid overflow: p_k = 2^a_k / (1 + sum 2^a_j).
    shift = log2_odds.groupby(c["request_row"]).transform("max").clip(lower=0)
    scaled = pd.Series(np.exp2(log2_odds - shift), index=c.index)
    total = scaled.groupby(c["request_row"]).transform("sum") + np.exp2(-shift)
    result: pd.Series = scaled / total
    return result


def decide(candidates: pa.Table, request_rows: pa.Array, rules: DecisionRules) -> pa.Table:
    """Return one row per request_row in `request_rows` (DECISION_COLUMNS)."""
    c = candidates.to_pandas()
    out = pd.DataFrame({"request_row": request_rows.to_numpy(zero_copy_only=False)})
    if c.empty:
        out["decision"] = Decision.NO_CANDIDATE.value
        out["sub_reason"] = "no_candidate"
        for col in DECISION_COLUMNS[3:]:
            out[col] = None
        out["qualifying"] = 0
        return _to_table(out)

    c["match_probability"] = confidence_scores(c, rules)
    hidden_namesake = namesake_rate(c)
    unseen = c["gamma_dob"] < DOB_LEVELS["transposed"]
    c["confidence"] = c["match_probability"] * np.where(unseen, 1.0 - hidden_namesake, 1.0)
    c["qualifies"] = qualifies(c)
    # A namesake whose details conflict still makes the answer "insufficient", not "none".
    c["plausible"] = name_plausible(c)
    c["unconfirmed"] = c["qualifies"] & suffix_unconfirmed(c)
    c = c.sort_values(
        ["request_row", "match_weight", "tin"], ascending=[True, False, True], kind="mergesort"
    )
    grouped = c.groupby("request_row", sort=False)
    c["rank"] = grouped.cumcount()

    n_qualifying = grouped["qualifies"].sum().rename("qualifying")
    n_plausible = grouped["plausible"].sum().rename("plausible")
    n_unconfirmed = grouped["unconfirmed"].sum().rename("unconfirmed")
    top_q = c[c["qualifies"]].drop_duplicates("request_row")[
        [
            "request_row",
            "tin",
            "match_probability",
            "confidence",
            "match_weight",
            "address_tax_year",
        ]
    ]
    # The runner-up is the best *other* taxpayer the name could also belong to; a spouse
    # with another given name is a household member, not a rival reading of the request.
    others = c[c["plausible"]].merge(
        top_q[["request_row", "tin"]], on="request_row", suffixes=("", "_top")
    )
    others = others[others["tin"] != others["tin_top"]].drop_duplicates("request_row")
    runner = others[["request_row", "tin", "match_weight"]].rename(
        columns={"tin": "runner_up_tin", "match_weight": "runner_up_weight"}
    )

    out = (
        out.merge(n_qualifying, left_on="request_row", right_index=True, how="left")
        .merge(n_plausible, left_on="request_row", right_index=True, how="left")
        .merge(n_unconfirmed, left_on="request_row", right_index=True, how="left")
        .merge(top_q, on="request_row", how="left")
        .merge(runner, on="request_row", how="left")
    )
    out["qualifying"] = out["qualifying"].fillna(0).astype("int64")
    out["plausible"] = out["plausible"].fillna(0).astype("int64")
    margin = out["match_weight"] - out["runner_up_weight"].fillna(-math.inf)

    decision = np.full(len(out), Decision.NO_CANDIDATE.value, dtype=object)
    sub_reason = np.full(len(out), "no_candidate", dtype=object)
    has_plausible = out["plausible"] > 0
    decision[has_plausible] = Decision.INSUFFICIENT.value
    sub_reason[has_plausible] = "address_not_corroborated"
    single = out["qualifying"] == 1
    close = single & (margin < rules.margin_bits)
    low = single & ~close & (out["match_probability"] < rules.threshold)
    decision[single] = Decision.MATCH.value
    sub_reason[single] = "single_qualifying"
    decision[low] = Decision.INSUFFICIENT.value
    sub_reason[low] = "below_threshold"
    decision[close] = Decision.AMBIGUOUS.value
    sub_reason[close] = "runner_up_too_close"
    namesake = single & (out["unconfirmed"].fillna(0) > 0)
    decision[namesake] = Decision.AMBIGUOUS.value
    sub_reason[namesake] = "suffix_unconfirmed"
    several = out["qualifying"] > 1
    decision[several] = Decision.AMBIGUOUS.value
    sub_reason[several] = "several_qualifying"
    out["decision"] = decision
    out["sub_reason"] = sub_reason
    not_match = out["decision"] != Decision.MATCH.value
    out.loc[not_match, ["tin", "match_probability", "confidence", "address_tax_year"]] = None
    return _to_table(out)


def _to_table(out: pd.DataFrame) -> pa.Table:
    """Typed columns even when a column is all empty (no runner-up anywhere in the batch)."""
    return pa.Table.from_pandas(
        out[list(DECISION_COLUMNS)], schema=DECISION_SCHEMA, preserve_index=False
    )


def expected_wrong_matches(confidences: pa.Array) -> float:
    """Sum of (1 - confidence) over disclosures: the number of wrong ones the model predicts."""
    values = confidences.to_numpy(zero_copy_only=False).astype(float)
    return float(np.nansum(1.0 - values))
