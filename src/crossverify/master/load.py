"""Load a master file (CSV or Parquet) into standardized Parquet that the link stage reads.

Streams in chunks: the master file is never held in Python memory whole. Rows that cannot
be used (no 9-digit TIN, no tax year) are counted per reason in master.json, not dropped
silently.
"""

from __future__ import annotations

import json
import shutil
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from crossverify.errors import InputFileError
from crossverify.files import file_sha256
from crossverify.standardize.frame import standardize_records
from crossverify.types import MASTER_COLUMNS, MASTER_OPTIONAL_COLUMNS

MASTER_PARQUET = "master.parquet"
MASTER_INFO = "master.json"
# Built from master.parquet on first use (term frequencies, the lookup index); a new load
# removes them, since they describe the file it replaces.
TERM_FREQUENCIES_DIR = "tf"
LOOKUP_INDEX_DIR = "lookup"


@dataclass(frozen=True)
class MasterInfo:
    master_id: str
    source: str
    rows_read: int
    rows_loaded: int
    rows_skipped: dict[str, int]
    taxpayers: int
    tax_years: tuple[int, int]
    loaded_at: str

    def write(self, out_dir: Path) -> None:
        (out_dir / MASTER_INFO).write_text(json.dumps(asdict(self), indent=2) + "\n")


def read_master_info(master_dir: Path) -> MasterInfo:
    try:
        data = json.loads((master_dir / MASTER_INFO).read_text())
    except OSError as exc:
        raise InputFileError(
            f"no master file loaded under {master_dir}; run `crossverify master load FILE`"
        ) from exc
    data["tax_years"] = tuple(data["tax_years"])
    return MasterInfo(**data)


Chunks = Iterator[tuple[pa.Table, int]]


@contextmanager
def _standardizer(workers: int) -> Iterator[Callable[[Chunks], Chunks]]:
    """(clean chunk, rows read) -> (standardized chunk, rows read), in order.

    With more than one worker, up to `workers + 1` chunks are in flight at once (bounded
    memory); spawned processes, so no DuckDB or thread state is forked.
    """
    if workers <= 1:
        yield lambda chunks: ((standardize_records(t), n) for t, n in chunks)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:

        def run(chunks: Chunks) -> Chunks:
            pending: deque[tuple[Future[pa.Table], int]] = deque()
            for table, rows in chunks:
                pending.append((pool.submit(standardize_records, table), rows))
                if len(pending) > workers:
                    done, n = pending.popleft()
                    yield done.result(), n
            while pending:
                done, n = pending.popleft()
                yield done.result(), n

        yield run


def _source_batches(source: Path, chunk_rows: int) -> Iterator[pa.RecordBatch]:
    suffix = source.suffix.lower()
    if suffix == ".parquet":
        yield from pq.ParquetFile(source).iter_batches(batch_size=chunk_rows)
    elif suffix in {".csv", ".txt"}:
        probe = pacsv.open_csv(source, read_options=pacsv.ReadOptions(block_size=1 << 20))
        types = {name: pa.string() for name in probe.schema.names}
        probe.close()
        reader = pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(block_size=64 << 20),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True),
        )
        yield from reader
    else:
        raise InputFileError(f"master file {source} must be .csv or .parquet")


def _blank_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Trimmed text, and an empty field is missing whether the file is CSV or Parquet."""
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _clean_chunk(batch: pa.RecordBatch, skipped: dict[str, int]) -> pa.Table:
    table = pa.Table.from_batches([batch])
    missing = [c for c in MASTER_COLUMNS if c not in table.column_names]
    if missing:
        raise InputFileError(f"master file lacks required columns: {', '.join(missing)}")
    columns = {c: _blank_to_null(table[c]) for c in MASTER_COLUMNS}
    for c in MASTER_OPTIONAL_COLUMNS:
        columns[c] = (
            table[c].cast(pa.string())
            if c in table.column_names
            else pa.nulls(len(table), pa.string())
        )
    tin_ok = pc.fill_null(pc.match_substring_regex(columns["tin"], r"^\d{9}$"), False)
    year = pc.cast(
        pc.if_else(
            pc.match_substring_regex(columns["tax_year"], r"^\d{4}$"), columns["tax_year"], None
        ),
        pa.int32(),
    )
    year_ok = pc.is_valid(year)
    skipped["tin_not_9_digits"] += len(table) - pc.sum(tin_ok).as_py()
    skipped["tax_year_invalid"] += pc.sum(pc.and_(tin_ok, pc.invert(year_ok))).as_py() or 0
    keep = pc.and_(tin_ok, year_ok)
    columns["tax_year"] = year
    out = pa.table(columns).filter(keep)
    return out


def load_master(
    *,
    source: Path,
    out_dir: Path,
    chunk_rows: int = 500_000,
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
) -> MasterInfo:
    """Standardize `source` into out_dir/master.parquet and describe it in master.json.

    Chunks are standardized by `workers` processes (address parsing is pure Python and most
    of the time) and written in file order, so the output does not depend on `workers`.
    """
    if not source.exists():
        raise InputFileError(f"master file {source} does not exist")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / (MASTER_PARQUET + ".partial")
    skipped = {"tin_not_9_digits": 0, "tax_year_invalid": 0}
    rows_read = rows_loaded = 0
    writer: pq.ParquetWriter | None = None
    with _standardizer(workers) as standardize:
        try:
            for standardized, rows_in_chunk in standardize(
                (_clean_chunk(b, skipped), b.num_rows) for b in _source_batches(source, chunk_rows)
            ):
                rows_read += rows_in_chunk
                ids = pa.array(range(rows_loaded, rows_loaded + len(standardized)), pa.int64())
                std = standardized.append_column("row_id", ids)
                rows_loaded += len(std)
                if writer is None:
                    writer = pq.ParquetWriter(target, std.schema, compression="zstd")
                writer.write_table(std, row_group_size=256_000)
                if progress:
                    progress(rows_in_chunk)
        finally:
            if writer is not None:
                writer.close()
    if writer is None:
        raise InputFileError(f"master file {source} has no rows")
    for derived in (TERM_FREQUENCIES_DIR, LOOKUP_INDEX_DIR):
        shutil.rmtree(out_dir / derived, ignore_errors=True)
    target.replace(out_dir / MASTER_PARQUET)
    with duckdb.connect() as con:
        taxpayers, first_year, last_year = con.execute(
            "SELECT count(DISTINCT tin), min(tax_year), max(tax_year) FROM read_parquet(?)",
            [str(out_dir / MASTER_PARQUET)],
        ).fetchall()[0]
    info = MasterInfo(
        master_id="mf-" + file_sha256(source)[:16],
        source=str(source),
        rows_read=rows_read,
        rows_loaded=rows_loaded,
        rows_skipped=skipped,
        taxpayers=int(taxpayers),
        tax_years=(int(first_year), int(last_year)),
        loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    info.write(out_dir)
    return info
