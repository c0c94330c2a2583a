"""`crossverify recall create|list|show|certify` and `report oversight` on a SQLite data dir."""

from __future__ import annotations

import json
from pathlib import Path

from recall_history import ICE, make_history, released_batch
from typer.testing import CliRunner

from crossverify.cli import app
from crossverify.config import Settings
from crossverify.ledger.record import iter_entries
from crossverify.store import repos
from crossverify.store.engine import make_engine, migrate, session_factory

runner = CliRunner()


def test_recall_commands_and_the_oversight_report(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", policy_file=tmp_path / "policy.toml")
    settings.data_dir.mkdir(parents=True)
    engine = make_engine(settings.store_url)
    migrate(engine)
    with session_factory(engine)() as session:
        history = make_history(session, settings, tmp_path)
        batch_id = released_batch(session, history)
        disclosed = [
            str(e.request_id)
            for e in iter_entries(session=session, batch_id=batch_id, entry_type="disclosure")
        ]
    engine.dispose()
    env = {
        "CROSSVERIFY_DATA_DIR": str(settings.data_dir),
        "CROSSVERIFY_POLICY_FILE": str(settings.policy_file),
        "COLUMNS": "250",  # rich tables: no truncated ids
    }
    create = ["recall", "create", "--reason", "wrong_person", "--text", "namesake"]
    by_admin = runner.invoke(app, [*create, "--batch", batch_id, "--as", "ada"], env=env)
    assert by_admin.exit_code == 2 and "court order" in by_admin.output
    made = runner.invoke(
        app,
        [*create, "--batch", batch_id, "--request-id", disclosed[0], "--as", "olga"],
        env=env,
    )
    assert made.exit_code == 0, made.output
    recall_id = made.output.split(":")[0].strip()
    with session_factory(engine := make_engine(settings.store_url))() as session:
        recall = repos.get_recall(session=session, recall_id=recall_id)
    engine.dispose()
    verified = runner.invoke(app, ["package", "verify", recall.notice_path], env=env)
    assert verified.exit_code == 0 and "intact" in verified.output
    twice = runner.invoke(
        app,
        [*create, "--batch", batch_id, "--request-id", disclosed[0], "--as", "otto"],
        env=env,
    )
    assert twice.exit_code == 1 and "already recalled" in twice.output

    listed = runner.invoke(app, ["recall", "list"], env=env)
    assert recall_id in listed.output and "open" in listed.output
    assert recall_id not in runner.invoke(app, ["recall", "list", "--overdue"], env=env).output

    key = tmp_path / "director.pem"
    key.write_bytes(history.keys[ICE].private_pem)
    signed = tmp_path / "certificate.json"
    made_certificate = runner.invoke(
        app,
        [
            "recall",
            "sign-certificate",
            recall.notice_path,
            "--key",
            str(key),
            "--official",
            "Jane Roe",
            "--title",
            "Field Office Director",
            "--out",
            str(signed),
        ],
        env=env,
    )
    assert made_certificate.exit_code == 0, made_certificate.output
    assert json.loads(signed.read_text())["notice_sha256"] == recall.notice_sha256
    certified = runner.invoke(
        app, ["recall", "certify", recall_id, "--as", "olga", "--signed-file", str(signed)], env=env
    )
    assert certified.exit_code == 0, certified.output
    shown = runner.invoke(app, ["recall", "show", recall_id], env=env)
    assert "certified" in shown.output and "signed by Jane Roe" in shown.output
    assert disclosed[0] in shown.output

    today = recall.created_at.date().isoformat()
    out_dir = tmp_path / "report"
    report = runner.invoke(
        app, ["report", "oversight", "--from", today, "--to", today, "--out", str(out_dir)], env=env
    )
    assert report.exit_code == 0, report.output
    assert "chain intact" in report.output and "reconciled with the ledger" in report.output
    document = json.loads((out_dir / f"oversight_{today}_{today}.json").read_text())
    assert document["totals"]["recalled_records"] == 1
    assert document["totals"]["certified_destroyed"] == 1
