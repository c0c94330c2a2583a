"""Measure a decided batch against a truth file (synthetic data only): precision and recall.

A disclosure is wrong when the disclosed taxpayer is not the person named (or the person is
not on file). Recall counts the people on file with a disclosable address in the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crossverify.types import DISCLOSED_OUTCOMES


@dataclass(frozen=True)
class Evaluation:
    requests: int
    disclosed: int
    wrong: int
    wrong_address: int
    findable: int
    found: int
    expected_wrong_matches: float
    wrong_by_scenario: dict[str, int] = field(default_factory=dict)
    missed_by_scenario: dict[str, int] = field(default_factory=dict)

    @property
    def precision(self) -> float:
        return 1.0 - self.wrong / self.disclosed if self.disclosed else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.findable if self.findable else 1.0


def read_truth(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def evaluate(
    outcomes: pd.DataFrame, truth: pd.DataFrame, *, expected_wrong_matches: float
) -> Evaluation:
    """`outcomes`: one row per request with request_id, outcome, tin, tax_year (others ignored)."""
    used = outcomes[["request_id", "outcome", "tin", "tax_year"]].assign(
        tax_year=outcomes["tax_year"].astype("Int64").astype("string")
    )
    df = truth.merge(used, on="request_id", how="left", validate="one_to_one")
    disclosed = df["outcome"].isin(DISCLOSED_OUTCOMES)
    wrong = disclosed & (df["tin"].fillna("") != df["true_tin"])
    wrong_address = (
        disclosed
        & ~wrong
        & df["outcome"].isin({"M1", "M2"})
        & (df["tax_year"].fillna("") != df["expected_tax_year"])
    )
    findable = df["expected_outcome"].isin(DISCLOSED_OUTCOMES)
    found = findable & disclosed & ~wrong
    scenario = df["scenario"].fillna("")
    return Evaluation(
        requests=len(df),
        disclosed=int(disclosed.sum()),
        wrong=int(wrong.sum()),
        wrong_address=int(wrong_address.sum()),
        findable=int(findable.sum()),
        found=int(found.sum()),
        expected_wrong_matches=expected_wrong_matches,
        wrong_by_scenario={str(k): int(v) for k, v in scenario[wrong].value_counts().items()},
        missed_by_scenario={
            str(k): int(v) for k, v in scenario[findable & ~found].value_counts().items()
        },
    )
