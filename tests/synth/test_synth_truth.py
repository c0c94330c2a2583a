"""The truth file agrees with the master file under the disclosure rule, recomputed here."""

from __future__ import annotations

import pandas as pd
import pytest

DISCLOSABLE = ("form_1040", "form_w7", "form_w2", "form_1099")


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
    assert not on_file["expected_outcome"].isin(["N1", "N2", "N3"]).any()


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
    # Every request that has a disclosable row in its period is M1/M2 (and only those).
    on_file = truth[(truth["true_tin"] != "") & ~truth["expected_outcome"].str.startswith("R")]
    has_row = on_file["request_id"].isin(best.index)
    assert (on_file.loc[has_row, "expected_outcome"].isin(["M1", "M2"])).all()
    assert not (on_file.loc[~has_row, "expected_outcome"].isin(["M1", "M2"])).any()


def test_n4_and_n5_follow_the_rule(joined: pd.DataFrame, truth: pd.DataFrame) -> None:
    inside = joined[joined["tax_year"].between(joined["start"], joined["end"])]
    rows_in_period = inside.groupby("request_id")["source"].agg(set)
    n4 = truth.loc[truth["expected_outcome"] == "N4", "request_id"]
    n5 = truth.loc[truth["expected_outcome"] == "N5", "request_id"]
    assert len(n4) > 10 and len(n5) > 3
    assert not n4.isin(rows_in_period.index).any()
    withheld = rows_in_period.loc[n5]
    assert withheld.map(lambda sources: not sources & set(DISCLOSABLE)).all()
    assert (truth.loc[truth["expected_outcome"].isin(["N4", "N5"]), "expected_street"] == "").all()


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
