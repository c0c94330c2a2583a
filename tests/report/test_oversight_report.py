"""The oversight report on a generated history of several batches, SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from recall_history import HSI, ICE, History, make_history, released_batch
from sqlalchemy.orm import Session

from crossverify.config import Settings
from crossverify.ledger.record import iter_entries, verify
from crossverify.oversight import render
from crossverify.oversight.render import ChromiumMissing, write_report
from crossverify.oversight.report import Check, build_report
from crossverify.pipeline import place_hold
from crossverify.recall import certify_recall, create_recall
from crossverify.store.tables import utc_now


def generated_history(session: Session, tmp_path: Path) -> History:
    """Five batches of two agencies, one not released, recalls of each reason, a hold."""
    settings = Settings(data_dir=tmp_path / "var", policy_file=tmp_path / "policy.toml")
    history = make_history(session, settings, tmp_path)
    b1 = released_batch(session, history, agency=ICE, rows=16, rejected=2)
    b2 = released_batch(session, history, agency=ICE, rows=9, rejected=0)
    b3 = released_batch(session, history, agency=HSI, rows=12, rejected=3)
    released_batch(session, history, agency=HSI, rows=5, rejected=1, release=False)
    released_batch(session, history, agency=ICE, rows=7, rejected=1)
    disclosed = [
        str(e.request_id)
        for e in iter_entries(session=session, batch_id=b1, entry_type="disclosure")
    ]
    [wrong] = create_recall(
        session=session,
        settings=settings,
        username="olga",
        reason="wrong_person",
        reason_text="namesake",
        batch_id=b1,
        request_ids=disclosed[:2],
    )
    create_recall(
        session=session,
        settings=settings,
        username="otto",
        reason="policy_error",
        reason_text="period",
        batch_id=b3,
    )
    hold = place_hold(
        session=session, username="ada", court="D.D.C.", case_number="26-9", reason="r", agency=ICE
    )
    create_recall(
        session=session,
        settings=settings,
        username="ada",
        reason="court_order",
        reason_text="returned",
        court_order="D.D.C. 26-9",
        batch_id=b2,
    )
    certify_recall(session=session, recall_id=wrong.id, username="rita")
    assert hold.id
    return history


def _ledger_counts(session: Session) -> dict[str, int]:
    """The figures counted straight from the ledger, independently of the report code."""
    actions: Counter[str] = Counter()
    rows_read = rejected = disclosures = 0
    recalled: Counter[str] = Counter()
    for entry in iter_entries(session=session):
        body = json.loads(entry.body)
        if entry.entry_type == "disclosure":
            disclosures += 1
            continue
        actions[body["action"]] += 1
        if body["action"] == "submit":
            rows_read += body["detail"]["rows_read"]
            rejected += body["detail"]["rejected"]
        if body["action"] == "recall":
            recalled[body["detail"]["reason"]] += 1
    return {
        "batches_received": actions["submit"],
        "records_received": rows_read,
        "rejected": rejected,
        "batches_released": actions["release"],
        "addresses_disclosed": disclosures,
        "recalls": actions["recall_create"],
        "recalled_records": sum(recalled.values()),
        "recalled_wrong_person": recalled["wrong_person"],
        "recalled_court_order": recalled["court_order"],
        "recalled_policy_error": recalled["policy_error"],
    }


def test_report_totals_equal_the_ledger_counts_and_reconcile(
    store_session: Session, tmp_path: Path
) -> None:
    history = generated_history(store_session, tmp_path)
    today = utc_now().date()
    report = build_report(session=store_session, first_day=today, last_day=today)
    counts = _ledger_counts(store_session)
    totals = report.totals
    assert {
        "batches_received": totals.batches_received,
        "records_received": totals.records_received,
        "rejected": totals.rejected,
        "batches_released": totals.batches_released,
        "addresses_disclosed": totals.addresses_disclosed,
        "recalls": totals.recalls,
        "recalled_records": totals.recalled_records,
        **{
            f"recalled_{r}": totals.recalled_by_reason.get(r, 0)
            for r in ("wrong_person", "court_order", "policy_error")
        },
    } == counts
    assert counts["batches_received"] == 5 and counts["recalls"] == 3
    assert totals.rejected_by_code == {"R01": 7}
    assert totals.certified_destroyed == 2 and totals.holds_in_force == 1
    assert sum(totals.decided_by_outcome.values()) == 16 + 9 + 12 + 5 + 7
    assert report.reconciled, [c for c in report.checks if not c.ok]
    assert report.chain.ok and report.chain.head_hash == verify(session=store_session).head_hash
    assert totals.wrong_disclosure_rate == 2 / totals.addresses_disclosed
    by_official = {(r.agency, r.official): r for r in report.requesters}
    assert by_official[(HSI, "John Doe")].batches_received == 2
    assert by_official[(HSI, "John Doe")].batches_released == 1
    assert sum(a.addresses_disclosed for a in report.authorities) == counts["addresses_disclosed"]
    assert {a.authority for a in report.authorities} == {"8 U.S.C. 1326", "8 U.S.C. 1253(a)(1)"}

    files = write_report(report, tmp_path / "out")
    written = [files.csv_path, files.authorities_csv_path, files.json_path, files.html_path]
    text = "\n".join(p.read_text(encoding="utf-8") for p in written)
    upper = text.upper()
    for secret in (*history.tins, *history.names, *history.streets):
        assert secret.upper() not in upper, f"{secret} leaked into the report"
    document = json.loads(files.json_path.read_text())
    assert document["chain"]["head_hash"] == report.chain.head_hash and document["reconciled"]
    with files.csv_path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[-1]["agency"] == "all"
    assert int(rows[-1]["addresses_disclosed"]) == counts["addresses_disclosed"]
    assert sum(int(r["addresses_disclosed"]) for r in rows[:-1]) == counts["addresses_disclosed"]
    assert 'id="chart-disclosures"' in text and 'id="chart-outcomes"' in text
    assert "@media print" in text


def test_a_figure_that_differs_from_the_ledger_fails_reconciliation(
    store_session: Session, tmp_path: Path
) -> None:
    generated_history(store_session, tmp_path)
    today = utc_now().date()
    report = build_report(session=store_session, first_day=today, last_day=today)
    report.requesters[0].addresses_disclosed += 1
    from crossverify.oversight.report import reconcile

    checks = reconcile(session=store_session, report=report)
    failed = [c.name for c in checks if not c.ok]
    assert "addresses disclosed from batches" in failed
    assert Check("x", 1, 1).ok and not Check("x", 1, 2).ok


def test_a_period_without_activity_is_empty_and_reconciled(
    store_session: Session, tmp_path: Path
) -> None:
    generated_history(store_session, tmp_path)
    report = build_report(
        session=store_session, first_day=date(2020, 1, 1), last_day=date(2020, 1, 31)
    )
    assert report.requesters == [] and report.reconciled
    assert len(report.disclosures_per_day) == 31


def test_pdf_needs_chromium(
    store_session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = utc_now().date()
    report = build_report(session=store_session, first_day=today, last_day=today)
    monkeypatch.setattr(render, "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(ChromiumMissing, match="needs headless Chromium"):
        write_report(report, tmp_path / "out", pdf=True)
