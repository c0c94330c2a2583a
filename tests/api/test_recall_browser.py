"""Recalls and the oversight report in headless Chromium: marks, certification, totals, PDF."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from crossverify.ledger.record import iter_entries
from crossverify.oversight.render import print_pdf, write_report
from crossverify.oversight.report import build_report
from crossverify.store import repos
from crossverify.store.tables import utc_now
from crossverify.store.tokens import new_token

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_spec = importlib.util.spec_from_file_location(
    "recall_history", Path(__file__).parent.parent / "pipeline" / "recall_history.py"
)
assert _spec is not None and _spec.loader is not None
recall_history = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = recall_history
_spec.loader.exec_module(recall_history)


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sign_in(page: Page, base: str, username: str, token: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/web/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.slow
def test_recall_marks_certification_and_report_totals_in_the_browser(
    api: Any, live_server: str, page: Page, tmp_path_factory: pytest.TempPathFactory
) -> None:
    world = api.world
    tokens: dict[str, str] = {}
    with world.sessions() as session:
        history = recall_history.make_history(
            session, world.settings, tmp_path_factory.mktemp("recall-browser"), write_policy=False
        )
        batch_id = recall_history.released_batch(session, history)
        disclosed = [
            str(e.request_id)
            for e in iter_entries(session=session, batch_id=batch_id, entry_type="disclosure")
        ]
        for name in ("rita", "olga", "aude"):
            user = repos.get_user_by_name(session=session, username=name)
            tokens[name] = new_token(session=session, user=user, label="browser")[1]
        session.commit()
    created = api.client.post(
        "/v1/recalls",
        headers={"Authorization": f"Bearer {tokens['olga']}"},
        json={
            "reason": "wrong_person",
            "reason_text": "namesake",
            "batch_id": batch_id,
            "request_ids": [disclosed[0]],
        },
    )
    assert created.status_code == 201, created.text
    recall_id = created.json()[0]["id"]

    _sign_in(page, live_server, "olga", tokens["olga"])
    page.goto(f"{live_server}/web/batches/{batch_id}")
    figures = {
        row.locator("th").inner_text(): int(row.locator("td").inner_text())
        for row in page.locator("#recall-figures tbody tr").all()
    }
    assert figures == {"Disclosed": len(disclosed), "Recalled": 1, "Certified destroyed": 0}
    marked = page.locator("#records tbody tr", has_text="recalled")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text(disclosed[0])
    _shot(page, "recall-batch")
    marked.get_by_role("link").click()
    expect(page.locator("#recalled")).to_contain_text(recall_id)

    _sign_in(page, live_server, "rita", tokens["rita"])
    page.goto(f"{live_server}/web/recalls")
    page.get_by_role("link", name=recall_id).click()
    expect(page.locator("#recall-status")).to_have_text("open")
    page.get_by_label("Statement").fill("destroyed in the case system")
    page.get_by_role("button", name="Certify destruction").click()
    expect(page.locator("#recall-status")).to_have_text("certified")
    _shot(page, "recall-certified")

    today = utc_now().date().isoformat()
    _sign_in(page, live_server, "aude", tokens["aude"])
    page.goto(f"{live_server}/web/reports/oversight?from={today}&to={today}")
    expect(page.get_by_role("heading", name="Oversight report", exact=False)).to_be_visible()
    expect(page.locator("#reconciled")).to_have_text("yes")
    expect(page.locator("#chain-status")).to_contain_text("intact")
    expect(page.locator("svg#chart-disclosures")).to_be_visible()
    expect(page.locator("svg#chart-outcomes")).to_be_visible()
    shown = {
        cell.get_attribute("data-figure"): cell.inner_text().strip()
        for cell in page.locator("#totals td[data-figure]").all()
    }
    document = api.client.get(
        f"/v1/reports/oversight?from={today}&to={today}",
        headers={"Authorization": f"Bearer {tokens['aude']}"},
    ).json()
    totals = document["totals"]
    for name in (
        "batches_received",
        "records_received",
        "rejected",
        "batches_released",
        "addresses_disclosed",
        "lookup_disclosures",
        "recalls",
        "recalled_records",
        "certified_destroyed",
        "holds_in_force",
    ):
        assert int(shown[name]) == totals[name], name
    assert page.locator("#head-hash").inner_text() == document["chain"]["head_hash"]
    assert totals["recalled_records"] >= 1 and totals["certified_destroyed"] >= 1
    _shot(page, "oversight-report")
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "oversight-report.pdf"), landscape=True, print_background=True)
    assert (ARTIFACTS / "oversight-report.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.browser
@pytest.mark.slow
def test_report_prints_to_pdf_with_chromium(api: Any, tmp_path: Path) -> None:
    today = utc_now().date()
    with api.world.sessions() as session:
        report = build_report(session=session, first_day=today, last_day=today)
    files = write_report(report, tmp_path, pdf=True)
    assert files.pdf_path is not None and files.pdf_path.read_bytes().startswith(b"%PDF")
    again = print_pdf(files.html_path, tmp_path / "again.pdf")
    assert again.stat().st_size > 1_000
