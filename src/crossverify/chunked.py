"""A batch's matching in chunks of rows, each kept on disk as it finishes.

A 1.28-million-row batch takes many minutes; a worker killed near the end should not have to
start over. Each chunk's outcomes go to `<work_dir>/chunk-NNNNN.parquet` (written under a
temporary name, then renamed, so a file that exists is whole) with the model, policy and row
range in its metadata. A rerun keeps every chunk that still fits and matches only the rest,
so an interrupted run ends with the same outcomes as an uninterrupted one.

Decide's per-batch figures (the namesake rate behind `confidence`) are measured per chunk:
a batch smaller than one chunk is decided exactly as a whole.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from crossverify.matching import MatchContext, match_requests
from crossverify.policy import Policy

Progress = Callable[[int, int], None]
"""Called as progress(rows_done, rows_total) after each chunk (and once at the start)."""

META_KEY = b"crossverify_chunk"


@dataclass(frozen=True)
class ChunkedResult:
    outcomes: pa.Table
    model_id: str
    expected_wrong_matches: float
    timings: dict[str, float]
    chunks: int
    chunks_reused: int


def chunk_path(work_dir: Path, index: int) -> Path:
    return work_dir / f"chunk-{index:05d}.parquet"


def chunks_done(work_dir: Path) -> int:
    """Rows with finished outcomes so far (for progress shown by the API and pages)."""
    done = 0
    for path in sorted(work_dir.glob("chunk-*.parquet")):
        meta = _read_meta(path)
        if meta is not None:
            done += int(meta["rows"])
    return done


def match_in_chunks(
    *,
    con: duckdb.DuckDBPyConnection,
    accepted: pa.Table,
    ctx: MatchContext,
    policy: Policy,
    work_dir: Path,
    chunk_rows: int,
    progress: Progress | None = None,
) -> ChunkedResult:
    """`match_requests` over `accepted` in slices of `chunk_rows`, reusing finished slices."""
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    work_dir.mkdir(parents=True, exist_ok=True)
    total = accepted.num_rows
    starts = list(range(0, total, chunk_rows)) or [0]
    wanted = {
        "model_id": ctx.model_path.stem,
        "policy_id": policy.policy_id,
        "chunk_rows": chunk_rows,
        "rows_total": total,
    }
    parts: list[pa.Table] = []
    timings: dict[str, float] = {}
    expected_wrong, reused, done = 0.0, 0, 0
    if progress is not None:
        progress(0, total)
    for index, start in enumerate(starts):
        rows = min(chunk_rows, total - start)
        path = chunk_path(work_dir, index)
        identity = {**wanted, "start": start, "rows": rows}
        meta = _read_meta(path)
        if meta is not None and all(meta.get(k) == v for k, v in identity.items()):
            reused += 1
            part = pq.read_table(path)
        else:
            result = match_requests(
                con=con, accepted=accepted.slice(start, rows), ctx=ctx, policy=policy
            )
            meta = {
                **identity,
                "expected_wrong_matches": result.expected_wrong_matches,
                "timings": result.timings,
            }
            part = result.outcomes
            _write_atomically(part, path, meta)
        parts.append(part)
        expected_wrong += float(meta["expected_wrong_matches"])
        for stage, seconds in dict(meta["timings"]).items():
            timings[stage] = timings.get(stage, 0.0) + float(seconds)
        done += rows
        if progress is not None:
            progress(done, total)
    return ChunkedResult(
        outcomes=pa.concat_tables(parts),
        model_id=ctx.model_path.stem,
        expected_wrong_matches=expected_wrong,
        timings=timings,
        chunks=len(starts),
        chunks_reused=reused,
    )


def _read_meta(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        raw = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowInvalid):
        return None  # a damaged file is matched again
    value = raw.get(META_KEY)
    return dict(json.loads(value)) if value is not None else None


def _write_atomically(table: pa.Table, path: Path, meta: dict[str, Any]) -> None:
    tmp = path.with_suffix(".parquet.tmp")
    schema_meta = {**(table.schema.metadata or {}), META_KEY: json.dumps(meta).encode()}
    pq.write_table(table.replace_schema_metadata(schema_meta), tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)
