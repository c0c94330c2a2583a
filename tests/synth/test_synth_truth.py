"""The truth file agrees with the master file under the disclosure rule, recomputed here."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from crossverify.standardize import standardize_records
from crossverify.types import PERSON_COLUMNS

DISCLOSABLE = ("form_1040", "form_w7", "form_w2", "form_1099")
NAME_AND_ADDRESS = PERSON_COLUMNS
# Corroborated requests (by entity) whose strings the standardizer does not reconcile with
# any master row of the taxpayer, typo_street aside. Measured 1.4% (18 of 1307, seed 7,
# 20k persons / 2k requests); every case is a rendering the standardizer does not fold yet,
# not a truth error: "Crt" for CT, "RT 1 BOX 6998" for a rural route, the request-only
# Puerto Rico form "Calle 12 Bloque L Casa 47" for "L47 CALLE 12", and an ordinal written
# as a word on a street without type ("4644 Eighth" vs "4644 8TH").
MAX_UNRECONCILED = 0.04


@pytest.fixture(scope="module")
def joined(master: pd.DataFrame, requests_frame: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """One row per (request about a taxpayer on file, master row of that taxpayer)."""
    on_file = truth[truth["true_tin"] != ""].merge(requests_frame, on="request_id")
    on_file = on_file.assign(
        start=on_file["tax_period_start"].str[:4].astype(int),
        end=on_file["tax_period_end"].str[:4].astype(int),
    )
    rows = master[["tin", "tax_year", "source", "received_date", "street", "city", "state", "zip"]]
    rows = rows.rename(columns={c: f"master_{c}" for c in ("street", "city", "state", "zip")})
    return on_file.merge(rows, left_on="true_tin", right_on="tin", how="left")


def test_on_file_tins_exist_and_others_do_not(master: pd.DataFrame, truth: pd.DataFrame) -> None:
    tins = set(master["tin"])
    on_file = truth[truth["true_tin"] != ""]
    assert on_file["true_tin"].isin(tins).all()
    assert (truth.loc[truth["true_tin"] == "", "expected_outcome"].str.match("N1|R")).all()
    assert set(on_file["expected_outcome"].str[:1]) <= {"M", "N", "R"}
    assert not on_file["expected_outcome"].isin(["N1", "N3"]).any()
    # N2 is only ever the uncorroborated address, and says so.
    n2 = truth[truth["expected_outcome"] == "N2"]
    assert len(n2) > 10 and (n2["true_tin"] != "").all()
    assert n2["scenario"].str.split("+").map(lambda t: "address_not_on_file" in t).all()
    flagged = truth["scenario"].str.split("+").map(lambda t: "address_not_on_file" in t)
    assert (truth.loc[flagged, "expected_outcome"] == "N2").all()
    expected = [c for c in truth.columns if c.startswith("expected_") and c != "expected_outcome"]
    assert (n2[expected] == "").all().all()


def test_matched_addresses_are_the_most_recent_disclosable(
    joined: pd.DataFrame, truth: pd.DataFrame
) -> None:
    inside = joined[joined["tax_year"].between(joined["start"], joined["end"])]
    disclosable = inside[inside["source"].isin(DISCLOSABLE)]
    best = (
        disclosable.sort_values(["tax_year", "received_date"])
        .groupby("request_id")
        .tail(1)
        .set_index("request_id")
    )
    ties = disclosable.groupby(["request_id", "tax_year", "received_date"]).size()
    top = (
        ties.reset_index().sort_values(["tax_year", "received_date"]).groupby("request_id").tail(1)
    )
    assert (top[0] == 1).all(), "the most recent disclosable row must be unique"
    matched = truth[truth["expected_outcome"].isin(["M1", "M2"])].set_index("request_id")
    assert len(matched) > 100
    got = best.loc[matched.index]
    for column in ("street", "city", "state", "zip"):
        assert (got[f"master_{column}"].fillna("") == matched[f"expected_{column}"]).all()
    assert (got["tax_year"].astype(str) == matched["expected_tax_year"]).all()
    # Every corroborated request that has a disclosable row in its period is M1/M2 (and only
    # those); corroboration itself is recomputed in test_n2_is_the_uncorroborated_address.
    on_file = truth[(truth["true_tin"] != "") & ~truth["expected_outcome"].str.startswith("R")]
    on_file = on_file[on_file["expected_outcome"] != "N2"]
    has_row = on_file["request_id"].isin(best.index)
    assert (on_file.loc[has_row, "expected_outcome"].isin(["M1", "M2"])).all()
    assert not (on_file.loc[~has_row, "expected_outcome"].isin(["M1", "M2"])).any()


def test_n4_and_n5_follow_the_rule(joined: pd.DataFrame, truth: pd.DataFrame) -> None:
    inside = joined[joined["tax_year"].between(joined["start"], joined["end"])]
    rows_in_period = inside.groupby("request_id")["source"].agg(set)
    # N4/N5 speak of an identified taxpayer's period: rows_in_period decides them only among
    # corroborated requests (N2 takes precedence and is checked on its own).
    n4 = truth.loc[truth["expected_outcome"] == "N4", "request_id"]
    n5 = truth.loc[truth["expected_outcome"] == "N5", "request_id"]
    assert len(n4) > 10 and len(n5) > 3
    assert not n4.isin(rows_in_period.index).any()
    withheld = rows_in_period.loc[n5]
    assert withheld.map(lambda sources: not sources & set(DISCLOSABLE)).all()
    assert (truth.loc[truth["expected_outcome"].isin(["N4", "N5"]), "expected_street"] == "").all()


def _address_keys(frame: pd.DataFrame, tin: pd.Series) -> pd.DataFrame:
    """Standardized address of each row: line without directional and unit, and those apart."""
    table = pa.Table.from_pandas(frame[list(NAME_AND_ADDRESS)].astype(object), preserve_index=False)
    std = standardize_records(table)
    parts = std.select(
        ["addr_line_std", "addr_house_number", "addr_predir", "addr_unit_type", "addr_unit"]
    ).to_pandas()
    parts = parts.fillna("")
    base = []
    for line_std, house, predir, unit_type, unit in parts.itertuples(index=False):
        line, tail, head = line_std, f" {unit_type or '#'} {unit}", f"{house} {predir} "
        if unit and line.endswith(tail):
            line = line[: -len(tail)]
        if predir and line.startswith(head):
            line = f"{house} {line[len(head) :]}"
        base.append(line)
    return pd.DataFrame(
        {
            "tin": tin.to_numpy(),
            "base": base,
            "predir": parts["addr_predir"].to_numpy(),
            "unit": parts["addr_unit"].to_numpy(),
            "zip5": std["zip5"].to_pandas().fillna("").to_numpy(),
            "city": std["city_std"].to_pandas().fillna("").to_numpy(),
        }
    )


def test_n2_is_the_uncorroborated_address(
    master: pd.DataFrame, requests_frame: pd.DataFrame, truth: pd.DataFrame
) -> None:
    """Recompute corroboration from the strings: the request's address vs the person's rows.

    A row corroborates when the standardized line agrees, the unit and the pre-directional
    ignored when one side lacks them, and the ZIP (5 digits) or the city agrees too; any tax
    year and any source count, withheld ones included. The truth decides on address
    entities, so the strings can only disagree one way: a request the truth calls N2 is
    never corroborated by strings (checked exactly), while a corroborated request may go
    unreconciled when its street carries a deliberate typo (typo_street) or a form the
    standardizer does not fold yet (MAX_UNRECONCILED).
    """
    on_file = truth[(truth["true_tin"] != "") & ~truth["expected_outcome"].str.startswith("R")]
    on_file = on_file.merge(requests_frame, on="request_id")
    rows = master[master["tin"].isin(on_file["true_tin"])]
    asked = _address_keys(on_file, on_file["true_tin"]).assign(
        request_id=on_file["request_id"].to_numpy()
    )
    pairs = asked.merge(_address_keys(rows, rows["tin"]), on=["tin", "base"], suffixes=("", "_m"))

    def optional(a: pd.Series, b: pd.Series) -> pd.Series:
        return (a == "") | (b == "") | (a == b)

    agree = (
        optional(pairs["unit"], pairs["unit_m"])
        & optional(pairs["predir"], pairs["predir_m"])
        & (
            ((pairs["zip5"] != "") & (pairs["zip5"] == pairs["zip5_m"]))
            | (pairs["city"] == pairs["city_m"])
        )
    )
    corroborated = on_file["request_id"].isin(pairs.loc[agree, "request_id"])
    n2 = on_file["expected_outcome"] == "N2"
    assert n2.sum() > 10
    assert not (n2 & corroborated).any(), "the truth calls N2 an address the history holds"
    typo = on_file["scenario"].str.split("+").map(lambda t: "typo_street" in t)
    clean = ~n2 & ~typo
    unreconciled = (clean & ~corroborated).sum() / clean.sum()
    assert unreconciled <= MAX_UNRECONCILED, unreconciled
    # Corroborable requests are the large majority, so recall can be measured on them.
    assert 0.75 <= 1 - n2.mean() <= 0.92


def test_m1_requests_give_the_disclosed_address(
    requests_frame: pd.DataFrame, truth: pd.DataFrame
) -> None:
    both = truth.merge(requests_frame, on="request_id")
    m1 = both[(both["expected_outcome"] == "M1") & (both["zip"] != "")]
    assert (m1["zip"].str[:5] == m1["expected_zip"].str[:5]).all()
    m2 = both[both["expected_outcome"] == "M2"]
    assert (m2["scenario"].str.contains("old_address|newer_address|other_address")).all()


def test_rejects_name_the_broken_element(requests_frame: pd.DataFrame, truth: pd.DataFrame) -> None:
    both = truth.merge(requests_frame, on="request_id")
    rejected = both[both["expected_outcome"].str.startswith("R")]
    assert len(rejected) > 15
    assert rejected["scenario"].str.startswith("missing_required").all()
    for _, row in rejected.iterrows():
        codes = set(row["expected_outcome"].split(";"))
        if "R04" in codes:
            assert row["criminal_statute"] == ""
        if "R05" in codes:
            assert any(c in row["criminal_statute"] for c in ("1227", "1182", "1229a"))
        if "R06" in codes:
            assert int(row["tax_period_start"][:4]) > int(row["tax_period_end"][:4])
        if "R09" in codes:
            assert row["removal_order_date"] > "2030"
        if "R03" in codes:
            assert "" in (row["removal_order_date"], row["removal_order_ref"])
        if "R01" in codes:
            assert {row["first_name"], row["last_name"]} & {"", "FNU", "LNU", "UNKNOWN"}
        if "R02" in codes:
            street = row["street"]
            assert street == "" or not any(c.isdigit() for c in street) or street.isdigit()
