"""Retention purge: request and intermediate files go, the ledger and the package stay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from stored_batch import decided_batch

from crossverify.config import Settings
from crossverify.errors import PermissionDenied
from crossverify.ledger.record import iter_entries, verify
from crossverify.pipeline import approve_batch, purge_batches, release_batch


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", policy_file=tmp_path / "absent.toml")


def _purge_events(session: Session) -> list[dict[str, object]]:
    bodies = [json.loads(e.body) for e in iter_entries(session=session, entry_type="event")]
    return [b for b in bodies if b["action"] == "purge"]


def test_purge_removes_old_released_batch_files_once_and_keeps_package_and_ledger(
    store_session: Session, settings: Settings
) -> None:
    released = decided_batch(store_session, settings)
    folder = settings.batches_dir / released
    (folder / "request.csv").write_text("request_id\nA1\nA2\n")
    (folder / "request.manifest.json").write_text("{}")
    approve_batch(session=store_session, batch_id=released, username="olga")
    package = release_batch(
        session=store_session, settings=settings, batch_id=released, username="otto"
    )
    disclosures = len(list(iter_entries(session=store_session, entry_type="disclosure")))
    later = datetime.now(UTC) + timedelta(days=31)

    with pytest.raises(PermissionDenied):
        purge_batches(session=store_session, settings=settings, older_than_days=30, username="olga")
    assert (
        purge_batches(session=store_session, settings=settings, older_than_days=30, username="ada")
        == []
    )  # released just now: too young
    assert folder.is_dir()

    [purged] = purge_batches(
        session=store_session, settings=settings, older_than_days=30, username="ada", now=later
    )
    assert purged.batch_id == released
    assert purged.files == ("accepted.parquet", "request.csv", "request.manifest.json")
    assert not folder.exists()
    assert package.zip_path.exists() and package.directory.is_dir()
    [event] = _purge_events(store_session)
    assert event["detail"]["files"] == list(purged.files)  # type: ignore[index]
    [entry] = [
        e for e in iter_entries(session=store_session, batch_id=released) if "purge" in e.body
    ]
    assert entry.actor == "ada"

    again = purge_batches(
        session=store_session, settings=settings, older_than_days=30, username="ada", now=later
    )
    assert again == [] and len(_purge_events(store_session)) == 1
    assert len(list(iter_entries(session=store_session, entry_type="disclosure"))) == disclosures
    assert verify(session=store_session).ok


def test_purge_leaves_batches_not_yet_released(store_session: Session, settings: Settings) -> None:
    batch_id = decided_batch(store_session, settings)
    later = datetime.now(UTC) + timedelta(days=400)
    assert (
        purge_batches(
            session=store_session, settings=settings, older_than_days=0, username="ada", now=later
        )
        == []
    )
    assert (settings.batches_dir / batch_id).is_dir()


def test_purge_cli(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from crossverify.cli import app
    from crossverify.store.engine import make_engine, migrate, session_factory

    settings = Settings(data_dir=tmp_path / "var", policy_file=tmp_path / "absent.toml")
    engine = make_engine(settings.store_url)
    migrate(engine)
    with session_factory(engine)() as session:
        batch_id = decided_batch(session, settings)
        approve_batch(session=session, batch_id=batch_id, username="olga")
        release_batch(session=session, settings=settings, batch_id=batch_id, username="otto")
    engine.dispose()
    env = {"CROSSVERIFY_DATA_DIR": str(settings.data_dir)}
    runner = CliRunner()
    denied = runner.invoke(app, ["purge", "--older-than", "0", "--as", "olga"], env=env)
    assert denied.exit_code == 2
    first = runner.invoke(app, ["purge", "--older-than", "0", "--as", "ada"], env=env)
    assert first.exit_code == 0 and f"{batch_id}: 1 files removed" in first.output
    second = runner.invoke(app, ["purge", "--older-than", "0", "--as", "ada"], env=env)
    assert second.exit_code == 0 and "0 batches purged" in second.output
    assert (settings.data_dir / "packages" / batch_id).is_dir()
