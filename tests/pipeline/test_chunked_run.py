"""A batch runs in chunks kept on disk: an interrupted run resumes and ends the same."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crossverify.chunked import chunks_done, match_in_chunks
from crossverify.ledger import record as ledger
from crossverify.link.backend import make_duckdb
from crossverify.matching import MatchContext, current_model_path
from crossverify.pipeline import ACCEPTED_FILE, CHUNKS_DIR, run_batch, submit_batch
from crossverify.store import repos
from pipeline.conftest import World

CHUNK_ROWS = 300


class Killed(Exception):
    """Stands for a worker killed between two chunks."""


def _accepted(world: World) -> pa.Table:
    table = pq.read_table(world.settings.batches_dir / world.decided.batch_id / ACCEPTED_FILE)
    return table.append_column("request_row", table["row_number"])


def _run(world: World, work_dir: Path, *, chunk_rows: int = CHUNK_ROWS, stop_after: int = 0):
    """match_in_chunks; with `stop_after`, dies once that many chunks are finished."""
    finished: list[int] = []

    def progress(done: int, total: int) -> None:
        finished.append(done)
        if stop_after and len(finished) > stop_after:
            raise Killed

    ctx = MatchContext(
        master_dir=world.settings.master_dir,
        model_path=current_model_path(world.settings.models_dir),
    )
    con = make_duckdb(world.settings)
    try:
        return match_in_chunks(
            con=con,
            accepted=_accepted(world),
            ctx=ctx,
            policy=world.policy,
            work_dir=work_dir,
            chunk_rows=chunk_rows,
            progress=progress,
        )
    finally:
        con.close()


def _without_timings(table: pa.Table) -> list[dict[str, object]]:
    return table.replace_schema_metadata(None).to_pylist()


def test_an_interrupted_run_resumes_and_ends_with_the_same_outcomes(
    world: World, tmp_path: Path
) -> None:
    whole = _run(world, tmp_path / "whole")
    rows = _accepted(world).num_rows
    assert whole.chunks == -(-rows // CHUNK_ROWS) >= 3
    assert whole.outcomes.num_rows == rows  # every accepted row once
    assert len(set(whole.outcomes["request_row"].to_pylist())) == rows

    with pytest.raises(Killed):
        _run(world, tmp_path / "killed", stop_after=2)
    assert chunks_done(tmp_path / "killed") == 2 * CHUNK_ROWS
    resumed = _run(world, tmp_path / "killed")
    assert resumed.chunks_reused == 2
    assert _without_timings(resumed.outcomes) == _without_timings(whole.outcomes)
    assert resumed.expected_wrong_matches == pytest.approx(whole.expected_wrong_matches)


def test_chunks_of_another_size_are_matched_again(world: World, tmp_path: Path) -> None:
    _run(world, tmp_path)
    again = _run(world, tmp_path, chunk_rows=CHUNK_ROWS + 1)
    assert again.chunks_reused == 0


def test_a_damaged_chunk_file_is_matched_again(world: World, tmp_path: Path) -> None:
    first = _run(world, tmp_path)
    (tmp_path / "chunk-00001.parquet").write_bytes(b"not parquet")
    again = _run(world, tmp_path)
    assert again.chunks_reused == first.chunks - 1
    assert _without_timings(again.outcomes) == _without_timings(first.outcomes)


def test_run_batch_resumes_from_its_chunks_with_one_run_event(world: World) -> None:
    settings = world.settings.model_copy(update={"run_chunk_rows": CHUNK_ROWS})
    with world.sessions() as session:
        batch_id = submit_batch(
            session=session,
            settings=settings,
            policy=world.policy,
            request_file=world.synth.requests_path,
            manifest_file=world.synth.manifest_path,
            username="requester",
        ).batch_id

        def die_after_two(done: int, total: int) -> None:
            if done >= 2 * CHUNK_ROWS:
                raise Killed

        with pytest.raises(Killed):
            run_batch(
                session=session,
                settings=settings,
                policy=world.policy,
                batch_id=batch_id,
                progress=die_after_two,
            )
        session.rollback()
        assert repos.get_batch(session=session, batch_id=batch_id).status == "running"
        assert set(repos.outcome_counts(session=session, batch_id=batch_id)) == {"REJECTED"}

        summary = run_batch(
            session=session, settings=settings, policy=world.policy, batch_id=batch_id
        )
        assert summary.counts == world.decided.counts
        runs = [
            body["detail"]
            for e in ledger.iter_entries(session=session, batch_id=batch_id, entry_type="event")
            if (body := json.loads(e.body))["action"] == "run"
        ]
        assert len(runs) == 1
        assert runs[0]["chunks_reused"] == 2
        assert set(runs[0]["seconds"]) >= {"intake", "link", "decide", "store"}
        folder = settings.batches_dir / batch_id
        assert not (folder / CHUNKS_DIR).exists()  # outcomes live in the store only
        assert json.loads((folder / "seconds.json").read_text())["store"] >= 0
