"""Where bulk runs happen: `enqueue_run(batch_id)` hands a batch to a worker.

`make_runner` picks the runner from the database URL, so the API and the CLI never know
which one they have:

- SQLite (the embedded default): batches run in a background thread of the serving
  process (`InProcessRunner`); `crossverify worker` polls the batches table.
- PostgreSQL: `enqueue_run` defers a procrastinate job and `crossverify worker` (or a
  thread of `crossverify serve`) runs a procrastinate worker (`ProcrastinateRunner`).

Either way a run interrupted by a killed worker is picked up again: `run_batch` accepts a
batch still marked `running` and writes its outcomes, status and ledger event in one
commit, so a rerun gives the same result and no duplicate ledger entries. The batches
table, not the job queue, says what still needs a run (`recover_runs`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Final, Protocol

import procrastinate
import psycopg
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Status
from procrastinate.schema import SchemaManager
from procrastinate.worker import Worker
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from crossverify.config import Settings
from crossverify.errors import CrossverifyError
from crossverify.pipeline import BatchSummary, run_batch
from crossverify.policy import Policy
from crossverify.store import repos
from crossverify.store.tables import BatchStatus

log = logging.getLogger(__name__)

RUN_TASK: Final = "crossverify.run_batch"
RUN_QUEUE: Final = "runs"
SCHEMA_LOCK_KEY: Final = 0x63765F7363686D61
"""Advisory lock key that serialises procrastinate schema installs ("cv_schma")."""
STALLED_AFTER_SECONDS: Final = 30.0
"""A procrastinate worker without a heartbeat for this long is dead; its jobs are closed."""


class Runner(Protocol):
    """What the API and the CLI need from a worker, whatever runs the jobs."""

    def enqueue_run(self, batch_id: str) -> object:
        """Queue a batch for its run (never runs it in the caller)."""
        ...

    def recover_runs(self) -> list[str]:
        """Queue every batch still waiting for a run; returns their ids."""
        ...

    def start(self) -> None:
        """Start running queued batches in this process (the embedded worker)."""
        ...

    def work(self, *, poll: float, once: bool) -> None:
        """Be the worker: run queued batches until stopped (or until none is left)."""
        ...

    def shutdown(self) -> None:
        """Stop the embedded worker (a run in progress finishes) and release connections."""
        ...


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() in ("postgresql", "postgres")


def make_runner(*, sessions: sessionmaker[Session], settings: Settings, policy: Policy) -> Runner:
    """The runner for this store: procrastinate on PostgreSQL, a thread on SQLite."""
    if is_postgres(settings.store_url):
        return ProcrastinateRunner(sessions=sessions, settings=settings, policy=policy)
    return InProcessRunner(sessions=sessions, settings=settings, policy=policy)


def pending_runs(sessions: sessionmaker[Session]) -> list[str]:
    """Batches waiting for a run: `submitted`, or left `running` by a killed worker."""
    with sessions() as session:
        return [
            b.id
            for status in (BatchStatus.RUNNING, BatchStatus.SUBMITTED)
            for b in repos.list_batches(session=session, status=status, limit=10_000)
        ]


def _run_one(
    sessions: sessionmaker[Session], settings: Settings, policy: Policy, batch_id: str
) -> BatchSummary | None:
    with sessions() as session:
        try:
            return run_batch(session=session, settings=settings, policy=policy, batch_id=batch_id)
        except CrossverifyError as exc:
            # Already ledgered or a state conflict (another worker finished it): log only.
            log.warning("run of %s stopped: %s", batch_id, exc.message)
            return None


class InProcessRunner:
    """One worker thread: batches run one at a time, off the request handler (SQLite)."""

    def __init__(
        self, *, sessions: sessionmaker[Session], settings: Settings, policy: Policy
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._policy = policy
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crossverify-run")
        self._closed = False

    def enqueue_run(self, batch_id: str) -> Future[BatchSummary | None]:
        """Queue a batch for its run; returns a future (tests wait on it)."""
        if self._closed:  # the app's lifespan may run more than once (tests, reloads)
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crossverify-run")
            self._closed = False
        return self._pool.submit(_run_one, self._sessions, self._settings, self._policy, batch_id)

    def pending(self) -> list[str]:
        return pending_runs(self._sessions)

    def recover_runs(self) -> list[str]:
        """Re-queue every pending batch (at start-up); returns their ids."""
        pending = self.pending()
        for batch_id in pending:
            self.enqueue_run(batch_id)
        return pending

    def start(self) -> None:
        self.recover_runs()

    def work(self, *, poll: float, once: bool) -> None:
        """Poll the batches table: SQLite has no job queue to listen to."""
        while True:
            for future in [self.enqueue_run(b) for b in self.pending()]:
                future.result()
            if once:
                return
            time.sleep(poll)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
        self._closed = True


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq (psycopg, procrastinate) reads it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_procrastinate_schema(conninfo: str) -> bool:
    """Install procrastinate's tables unless they are there; True if this call installed them.

    `procrastinate schema --apply` fails on a second run, so check first, under an advisory
    lock so that an API and a worker starting together do not both install.
    """
    with psycopg.connect(conninfo) as connection, connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        row = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if row is not None and row[0] is not None:
            return False
        # No parameters: psycopg sends the script as it is (its % signs stay).
        connection.execute(SchemaManager.get_schema())
        return True


def run_lock_key(batch_id: str) -> int:
    """The advisory lock a job holds while it runs this batch (32 bits: pg_locks' objid)."""
    return zlib.crc32(f"crossverify.run:{batch_id}".encode())


class ProcrastinateRunner:
    """Runs on procrastinate (PostgreSQL): jobs in the database survive any process.

    A job holds a session-level advisory lock on its batch while it runs; a killed worker's
    connection closes and frees it, so the next worker may run the batch again, while a
    live worker's run is never duplicated.
    """

    def __init__(
        self, *, sessions: sessionmaker[Session], settings: Settings, policy: Policy
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._policy = policy
        self._conninfo = libpq_url(settings.store_url)
        ensure_procrastinate_schema(self._conninfo)
        # Deferring is synchronous (request handlers, CLI); the worker has its own app
        # with an async pool on its own event loop.
        self._defer_app = self._app(procrastinate.SyncPsycopgConnector(conninfo=self._conninfo))
        self._defer_open = False
        self._thread: threading.Thread | None = None
        self._stop_worker: Callable[[], object] | None = None
        self._worker_ready = threading.Event()

    def _app(self, connector: procrastinate.BaseConnector) -> procrastinate.App:
        app = procrastinate.App(connector=connector)
        app.task(name=RUN_TASK, queue=RUN_QUEUE, pass_context=False)(self._run_job)
        return app

    def _run_job(self, batch_id: str) -> None:
        """The job: run the batch unless a live worker already is."""
        engine = self._sessions.kw["bind"]
        with engine.connect() as connection:
            key = run_lock_key(batch_id)
            if not connection.execute(select(func.pg_try_advisory_lock(key))).scalar():
                log.info("batch %s is being run by another worker", batch_id)
                return
            try:
                _run_one(self._sessions, self._settings, self._policy, batch_id)
            finally:
                connection.execute(select(func.pg_advisory_unlock(key)))
                connection.commit()

    def enqueue_run(self, batch_id: str) -> int | None:
        """Defer a run job; None when one is already waiting for this batch."""
        if not self._defer_open:
            self._defer_app.open()
            self._defer_open = True
        task = self._defer_app.tasks[RUN_TASK]
        try:
            job_id: int = task.configure(queueing_lock=batch_id).defer(batch_id=batch_id)
        except AlreadyEnqueued:
            return None
        return job_id

    def recover_runs(self) -> list[str]:
        """Defer a job for every batch still waiting (the queueing lock skips duplicates)."""
        pending = pending_runs(self._sessions)
        for batch_id in pending:
            self.enqueue_run(batch_id)
        return pending

    async def _close_stalled_jobs(self, app: procrastinate.App) -> None:
        """Close the jobs of dead workers; `recover_runs` defers their batches again."""
        stalled = await app.job_manager.get_stalled_jobs(
            task_name=RUN_TASK, seconds_since_heartbeat=STALLED_AFTER_SECONDS
        )
        for job in stalled:
            assert job.id is not None
            log.warning("job %s of a dead worker closed as failed", job.id)
            await app.job_manager.finish_job_by_id_async(
                job_id=job.id, status=Status.FAILED, delete_job=False
            )

    async def _serve(self, *, once: bool, poll: float, install_signal_handlers: bool) -> None:
        app = self._app(procrastinate.PsycopgConnector(conninfo=self._conninfo))
        async with app.open_async():
            await self._close_stalled_jobs(app)
            await asyncio.to_thread(self.recover_runs)
            worker = Worker(
                app,
                queues=[RUN_QUEUE],
                wait=not once,
                fetch_job_polling_interval=poll,
                install_signal_handlers=install_signal_handlers,
                stalled_worker_timeout=STALLED_AFTER_SECONDS,
            )
            run = asyncio.create_task(worker.run())  # type: ignore[no-untyped-call]
            self._stop_worker = lambda: run.get_loop().call_soon_threadsafe(run.cancel)
            self._worker_ready.set()
            try:
                await run
            except asyncio.CancelledError:  # shutdown(): the job in hand finished first
                log.info("worker stopped")

    def start(self) -> None:
        """Run a procrastinate worker in a thread of this process (`crossverify serve`)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._worker_ready.clear()
        self._thread = threading.Thread(
            target=asyncio.run,
            args=(self._serve(once=False, poll=5.0, install_signal_handlers=False),),
            name="crossverify-worker",
            daemon=True,
        )
        self._thread.start()

    def work(self, *, poll: float, once: bool) -> None:
        """Be the worker (`crossverify worker`): LISTEN/NOTIFY, and a poll as fallback."""
        asyncio.run(self._serve(once=once, poll=poll, install_signal_handlers=True))

    def shutdown(self) -> None:
        if self._thread is not None:
            if self._worker_ready.wait(timeout=60) and self._stop_worker is not None:
                self._stop_worker()
            self._thread.join(timeout=600)
            self._thread = None
            self._stop_worker = None
        if self._defer_open:
            self._defer_app.close()
            self._defer_open = False
