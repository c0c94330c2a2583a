"""A `crossverify worker` killed with SIGKILL mid-run: the next worker completes the batch.

The run is held at its last step, deterministically and without a test hook: the test holds
the ledger's advisory lock, so the worker's run (outcomes written, batch `running`) waits
for it to append its `run` event. The test kills the worker there, lets go of the lock,
and starts a new worker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from crossverify.config import Settings
from crossverify.jobs import ProcrastinateRunner, make_runner, run_lock_key
from crossverify.ledger import record as ledger
from crossverify.pipeline import approve_batch, lower_scope_to_cap, release_batch, submit_batch
from crossverify.store import repos
from crossverify.store.engine import make_engine, migrate, session_factory

AGENCY = "U.S. Immigration and Customs Enforcement"
CROSSVERIFY = str(Path(sys.executable).with_name("crossverify"))


def _until(check: Callable[[], bool], what: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _outcomes(sessions: Any, batch_id: str) -> dict[str, tuple[str, str | None]]:
    with sessions() as session:
        return {
            str(r["request_id"]): (r["outcome"], r["tin"])
            for r in repos.iter_outcome_rows(session=session, batch_id=batch_id)
        }


@pytest.mark.postgres
@pytest.mark.slow
def test_killed_worker_run_completes_once_in_the_next_worker(
    world: Any, pg_database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=world.settings.data_dir,
        policy_file=world.settings.policy_file,
        database_url=pg_database_url,
    )
    env = {
        **os.environ,
        "CROSSVERIFY_DATA_DIR": str(settings.data_dir),
        "CROSSVERIFY_POLICY_FILE": str(settings.policy_file),
        "CROSSVERIFY_DATABASE_URL": pg_database_url,
    }
    engine = make_engine(pg_database_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        for name, role in (("kill_requester", "requester"), ("kill_officer", "officer")):
            repos.add_user(
                session=session,
                username=name,
                role=role,
                agency=AGENCY if role == "requester" else None,
            )
        session.commit()
        batch_id = submit_batch(
            session=session,
            settings=settings,
            policy=world.policy,
            request_file=world.synth.requests_path,
            manifest_file=world.synth.manifest_path,
            username="kill_requester",
        ).batch_id
    runner = make_runner(sessions=sessions, settings=settings, policy=world.policy)
    assert isinstance(runner, ProcrastinateRunner)
    assert runner.enqueue_run(batch_id) is not None
    assert runner.enqueue_run(batch_id) is None  # one waiting job per batch
    runner.shutdown()

    def status() -> str:
        with sessions() as session:
            return str(repos.get_batch(session=session, batch_id=batch_id).status)

    log_path = tmp_path / "worker1.log"
    log = log_path.open("w")
    with engine.connect() as holder:
        holder.execute(select(func.pg_advisory_lock(ledger.LEDGER_LOCK_KEY)))
        holder.commit()
        worker = subprocess.Popen(
            [CROSSVERIFY, "worker", "--poll", "0.5"], env=env, stdout=log, stderr=log
        )
        try:

            def waiting_for_ledger() -> bool:
                waiting = holder.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
                    )
                ).scalar_one()
                holder.commit()
                return bool(waiting)

            try:
                _until(waiting_for_ledger, "the worker's run to reach its ledger event")
            except AssertionError as exc:
                log.flush()
                raise AssertionError(f"{exc}; worker log: {log_path.read_text()[-3000:]}") from exc
            assert status() == "running"
            worker.send_signal(signal.SIGKILL)
            assert worker.wait(timeout=30) == -signal.SIGKILL
        finally:
            if worker.poll() is None:
                worker.kill()
            holder.execute(select(func.pg_advisory_unlock(ledger.LEDGER_LOCK_KEY)))
            holder.commit()

        def run_lock_free() -> bool:
            held = holder.execute(
                text(
                    "SELECT count(*) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND CAST(objid AS bigint) = :k"
                ),
                {"k": run_lock_key(batch_id)},
            ).scalar_one()
            holder.commit()
            return not held

        _until(run_lock_free, "the killed worker's connections to close", timeout=30)
    assert status() == "running"  # the killed run left nothing decided behind

    second = subprocess.run(
        [CROSSVERIFY, "worker", "--once"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert second.returncode == 0, second.stderr[-2000:]
    assert status() == "decided", second.stderr[-3000:]

    with sessions() as session:
        batch = repos.get_batch(session=session, batch_id=batch_id)
        assert batch.counts == world.decided.counts
    assert _outcomes(sessions, batch_id) == _outcomes(world.sessions, world.decided.batch_id)

    with sessions() as session:
        approve_batch(session=session, batch_id=batch_id, username="kill_officer")
        lower_scope_to_cap(session=session, batch_id=batch_id, username="kill_officer")
        release_batch(
            session=session, settings=settings, batch_id=batch_id, username="kill_officer"
        )
        events = [
            json.loads(e.body)["action"]
            for e in ledger.iter_entries(session=session, batch_id=batch_id, entry_type="event")
        ]
        assert events.count("run") == 1
        disclosed = [
            e.request_id
            for e in ledger.iter_entries(
                session=session, batch_id=batch_id, entry_type="disclosure"
            )
        ]
        assert disclosed and len(disclosed) == len(set(disclosed))
        assert ledger.verify(session=session).ok
    engine.dispose()
