"""`crossverify holds place|lift|list` on a real SQLite data directory."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from crossverify.cli import app

runner = CliRunner()


def test_holds_place_list_lift_and_refusals(tmp_path: Path) -> None:
    env = {"CROSSVERIFY_DATA_DIR": str(tmp_path)}
    for name, role in (("ada", "admin"), ("olga", "officer")):
        added = runner.invoke(app, ["users", "add", name, "--role", role], env=env)
        assert added.exit_code == 0, added.output
    place = ["holds", "place", "--court", "D. Mass.", "--case-number", "1:26-cv-7"]
    refused = runner.invoke(app, [*place, "--reason", "TRO", "--as", "olga"], env=env)
    assert refused.exit_code == 2
    assert "needs the role admin" in refused.output
    placed = runner.invoke(app, [*place, "--reason", "TRO", "--as", "ada"], env=env)
    assert placed.exit_code == 0, placed.output
    assert "hold 1 placed: D. Mass., case 1:26-cv-7 (hold 1), scope all batches" in placed.output
    listed = runner.invoke(app, ["holds", "list", "--active"], env=env)
    assert "1:26-cv-7" in listed.output
    lifted = runner.invoke(app, ["holds", "lift", "1", "--as", "ada"], env=env)
    assert lifted.exit_code == 0 and "hold 1 lifted" in lifted.output
    again = runner.invoke(app, ["holds", "lift", "1", "--as", "ada"], env=env)
    assert again.exit_code == 1 and "already lifted" in again.output
    assert "1:26-cv-7" not in runner.invoke(app, ["holds", "list", "--active"], env=env).output
