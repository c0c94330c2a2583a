"""The generated files follow DESIGN.md's contracts and verify against their own policy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from crossverify.intake.manifest import read_manifest, verify_manifest
from crossverify.policy import load_policy
from crossverify.synth import SynthResult, generate
from crossverify.types import ADDRESS_SOURCES, MASTER_COLUMNS, REQUEST_COLUMNS, TRUTH_COLUMNS

ITIN = re.compile(r"^9\d\d(5[0-9]|6[0-5]|7[0-9]|8[0-8]|9[0-2]|9[4-9])\d{4}$")
SSN = re.compile(r"^(?!000|666|9)\d{3}(?!00)\d{2}(?!0000)\d{4}$")
ZIP = re.compile(r"^\d{5}(-\d{4})?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_master_columns_and_types(synth_run: SynthResult) -> None:
    schema = pq.read_schema(synth_run.master_path)
    assert schema.names == [*MASTER_COLUMNS, "phone"]
    for field in schema:
        assert field.type == (pa.int64() if field.name == "tax_year" else pa.string()), field


def test_master_values(master: pd.DataFrame, synth_run: SynthResult) -> None:
    assert len(master) == synth_run.master_rows
    assert master["tin"].nunique() == synth_run.persons
    itin = master["tin_type"] == "ITIN"
    assert master.loc[itin, "tin"].str.fullmatch(ITIN).all()
    assert master.loc[~itin, "tin"].str.fullmatch(SSN).all()
    assert set(master["tin_type"]) == {"SSN", "ITIN"}
    assert 0.25 < master.drop_duplicates("tin")["tin_type"].eq("ITIN").mean() < 0.45
    assert master["state"].str.fullmatch(r"[A-Z]{2}").all()
    assert master["zip"].str.fullmatch(ZIP).all()
    assert set(master["source"]) <= set(ADDRESS_SOURCES)
    assert master["tax_year"].between(2016, 2025).all()
    assert master["received_date"].str.fullmatch(ISO_DATE).all()
    assert master["dob"].dropna().str.fullmatch(ISO_DATE).all()
    assert master["first_name"].notna().all() and master["last_name"].notna().all()
    assert master["street"].str.len().gt(3).all()
    per_person = len(master) / synth_run.persons
    assert 4.0 < per_person < 5.5
    # One row per taxpayer per tax year per source.
    assert not master.duplicated(["tin", "tax_year", "source"]).any()
    returns = master[itin & master["source"].isin(["form_1040", "form_w7"])]
    itin_first = returns.groupby("tin")["tax_year"].min()
    w7 = master[master["source"] == "form_w7"].set_index("tin")["tax_year"]
    assert (w7 == itin_first.loc[w7.index]).all()


def test_request_and_truth_columns(requests_frame: pd.DataFrame, truth: pd.DataFrame) -> None:
    assert tuple(requests_frame.columns) == REQUEST_COLUMNS
    assert tuple(truth.columns) == TRUTH_COLUMNS
    assert requests_frame["request_id"].is_unique
    assert (requests_frame["request_id"] == truth["request_id"]).all()


def test_manifest_verifies_against_written_policy(synth_run: SynthResult) -> None:
    policy = load_policy(synth_run.policy_path)
    manifest = read_manifest(synth_run.manifest_path)
    signer = verify_manifest(manifest, request_file=synth_run.requests_path, policy=policy)
    assert signer.agency == "U.S. Immigration and Customs Enforcement"
    assert "personally and directly engaged" in manifest["certification"]
    assert "criminal" in manifest["certification"]
    assert policy.disclosable_sources == ("form_1040", "form_w7", "form_w2", "form_1099")
    assert (policy.oldest_tax_year, policy.newest_tax_year) == (2016, 2025)
    assert synth_run.key_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")


def test_valid_requests_are_valid(
    synth_run: SynthResult, requests_frame: pd.DataFrame, truth: pd.DataFrame
) -> None:
    policy = load_policy(synth_run.policy_path)
    valid = requests_frame[~truth["expected_outcome"].str.startswith("R")]
    start = valid["tax_period_start"].str[:4].astype(int)
    end = valid["tax_period_end"].str[:4].astype(int)
    assert (start <= end).all() and (end - start <= 5).all()
    assert start.ge(2016).all() and end.le(2025).all()
    assert valid["removal_order_date"].str.fullmatch(ISO_DATE).all()
    assert (valid["removal_order_date"] < "2026-11-01").all()
    assert valid["removal_order_ref"].str.fullmatch(r"A\d{9}").all()
    assert valid["criminal_statute"].map(policy.statute_permitted).all()
    for column in ("first_name", "last_name", "street", "city", "state"):
        assert valid[column].str.len().gt(0).all(), column
    assert valid["street"].str.contains(r"\d").all()
    assert valid["first_name"].str.fullmatch(r"[^\W\d_]+([ '-][^\W\d_]+)*").all()
    assert valid["zip"].eq("").mean() < 0.15
    tin = valid.loc[valid["tin"] != "", "tin"].str.replace("-", "")
    assert tin.str.fullmatch(r"\d{9}").all()
    assert 0.1 < len(tin) / len(valid) < 0.3


def test_csv_master_matches_contract(tmp_path: Path) -> None:
    result = generate(out_dir=tmp_path, persons=300, requests=20, master_format="csv")
    frame = pd.read_csv(result.master_path, dtype={"tin": str, "zip": str})
    assert tuple(frame.columns) == (*MASTER_COLUMNS, "phone")
    assert frame["tax_year"].dtype.kind == "i" and len(frame) == result.master_rows
    assert frame["tin"].str.fullmatch(r"\d{9}").all()
    assert json.loads(result.manifest_path.read_text())["request_file"] == "requests.csv"
    assert pd.read_csv(result.truth_path, dtype=str).shape[0] == 20
