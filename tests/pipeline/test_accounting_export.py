"""`ledger export`: the disclosures of a date range as CSV and JSON, with the chain's status."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session
from stored_batch import decided_batch
from typer.testing import CliRunner

from crossverify.cli import app
from crossverify.config import Settings
from crossverify.ledger.export import ACCOUNTING_COLUMNS, export_accounting
from crossverify.ledger.record import head
from crossverify.pipeline import approve_batch, release_batch


def test_export_lists_the_range_disclosures_with_chain_status(
    store_session: Session, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    batch_id = decided_batch(store_session, settings)
    approve_batch(session=store_session, batch_id=batch_id, username="olga")
    release_batch(session=store_session, settings=settings, batch_id=batch_id, username="otto")
    today = datetime.now(UTC).date()

    export = export_accounting(
        session=store_session, first_day=today, last_day=today, out_dir=tmp_path / "out"
    )
    assert export.entries == 1 and export.chain.ok
    with export.csv_path.open(encoding="utf-8", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert tuple(row) == ACCOUNTING_COLUMNS
    assert (row["batch_id"], row["request_id"], row["tin"], row["outcome"]) == (
        batch_id,
        "A1",
        "123456789",
        "M1",
    )
    assert (row["street"], row["authority"], row["approved_by"], row["released_by"]) == (
        "1 MAIN ST",
        "8 U.S.C. 1326",
        "olga",
        "otto",
    )
    document = json.loads(export.json_path.read_text(encoding="utf-8"))
    assert document["chain"]["ok"] is True
    assert document["chain"]["head_hash"] == head(session=store_session).hash
    assert [e["request_id"] for e in document["entries"]] == ["A1"]

    yesterday = today - timedelta(days=1)
    earlier = export_accounting(
        session=store_session, first_day=yesterday, last_day=yesterday, out_dir=tmp_path / "out"
    )
    assert earlier.entries == 0


def test_cli_ledger_export_writes_both_files(tmp_path: Path) -> None:
    env = {"CROSSVERIFY_DATA_DIR": str(tmp_path / "var")}
    result = CliRunner().invoke(
        app,
        ["ledger", "export", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(tmp_path)],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "0 disclosures" in result.output and "chain intact" in result.output
    assert (tmp_path / "accounting_2026-01-01_2026-01-31.csv").read_text().startswith("seq,")
