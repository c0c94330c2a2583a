"""An officer in headless Chromium: log in, open a batch, approve, release."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.slow
def test_officer_approves_and_releases_in_the_browser(
    api: Any, live_server: str, page: Page
) -> None:
    synth = api.world.synth
    response = api.client.post(
        "/v1/batches",
        headers=api.headers("api_requester"),
        files={
            "request_file": (synth.requests_path.name, synth.requests_path.read_bytes()),
            "manifest": ("manifest.json", synth.manifest_path.read_bytes()),
        },
    )
    batch_id = response.json()["batch_id"]
    deadline = time.monotonic() + 180
    while (
        body := api.client.get(f"/v1/batches/{batch_id}", headers=api.headers("api_officer")).json()
    )["status"] != "decided" and time.monotonic() < deadline:
        time.sleep(0.2)

    page.goto(f"{live_server}/web/login")
    page.get_by_label("User name").fill("api_officer")
    page.get_by_label("API token").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Unknown user or token")
    _shot(page, "login")
    page.get_by_label("User name").fill("api_officer")
    page.get_by_label("API token").fill(api.tokens["api_officer"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Batches")).to_be_visible()
    _shot(page, "queue")

    page.get_by_role("link", name=batch_id).click()
    expect(page.get_by_role("heading", name=f"Batch {batch_id}")).to_be_visible()
    shown = {
        row.locator("th").inner_text(): int(row.locator("td").inner_text())
        for row in page.locator("#counts tbody tr").all()
    }
    assert shown == body["counts"]
    expect(page.locator("figure svg")).to_be_visible()
    _shot(page, "batch-decided")

    page.locator("#records tbody tr", has_text="M1").first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Chosen taxpayer", exact=False)).to_be_visible()
    expect(page.get_by_role("table", name="Chosen taxpayer: compared fields")).to_be_visible()
    _shot(page, "record")
    page.go_back()

    page.get_by_role("button", name="Approve batch").click()
    expect(page.locator("#status")).to_have_text("approved")
    page.get_by_role("button", name="Release batch").click()
    # The generated batch is over the policy's expected-wrong cap: release is refused until
    # the officer lowers the scope.
    expect(page.locator("#status")).to_have_text("approved")
    page.get_by_role("button", name="Lower scope to the cap").click()
    expect(page.get_by_role("status")).to_contain_text("Scope lowered")
    page.get_by_role("button", name="Release batch").click()
    expect(page.locator("#status")).to_have_text("released")
    expect(page.locator("#released")).to_contain_text("Released at")
    _shot(page, "batch-released")
    assert (
        api.client.get(f"/v1/batches/{batch_id}", headers=api.headers("api_officer")).json()[
            "status"
        ]
        == "released"
    )
