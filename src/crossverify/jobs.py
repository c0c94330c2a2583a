"""Where bulk runs happen: `enqueue_run(batch_id)` hands a batch to a worker.

The embedded default runs batches in a background thread of the serving process. A run
interrupted by a crash is picked up again by `recover_runs`: `run_batch` accepts a batch
still marked `running` and writes its outcomes, status and ledger event in one commit, so a
rerun gives the same result and no duplicate ledger entries.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.orm import Session, sessionmaker

from crossverify.config import Settings
from crossverify.errors import CrossverifyError
from crossverify.pipeline import BatchSummary, run_batch
from crossverify.policy import Policy
from crossverify.store import repos
from crossverify.store.tables import BatchStatus

log = logging.getLogger(__name__)


class InProcessRunner:
    """One worker thread: batches run one at a time, off the request handler."""

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
        return self._pool.submit(self._run, batch_id)

    def _run(self, batch_id: str) -> BatchSummary | None:
        with self._sessions() as session:
            try:
                return run_batch(
                    session=session,
                    settings=self._settings,
                    policy=self._policy,
                    batch_id=batch_id,
                )
            except CrossverifyError as exc:
                # Already ledgered or a state conflict (another worker finished it): log only.
                log.warning("run of %s stopped: %s", batch_id, exc.message)
                return None

    def pending(self) -> list[str]:
        """Batches waiting for a run: `submitted`, or left `running` by a killed worker."""
        with self._sessions() as session:
            return [
                b.id
                for status in (BatchStatus.RUNNING, BatchStatus.SUBMITTED)
                for b in repos.list_batches(session=session, status=status, limit=10_000)
            ]

    def recover_runs(self) -> list[str]:
        """Re-queue every pending batch (at start-up); returns their ids."""
        pending = self.pending()
        for batch_id in pending:
            self.enqueue_run(batch_id)
        return pending

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
        self._closed = True
