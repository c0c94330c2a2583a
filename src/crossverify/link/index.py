"""The master file laid out for on-demand lookups: rows by TIN, and blocking keys hashed.

A lookup must find exactly the candidates a batch finds (Splink's blocking rules over the
whole master file) without reading five million rows. Each blocking rule is a conjunction of
column equalities, so a master row can pair with a request only if the hash of its rule
columns equals the hash of the request's. The index keeps, per rule and orientation, the
sorted hashes of every master row with the taxpayer they belong to, and the master rows
sorted by TIN in an uncompressed Arrow file; both are memory-mapped. A probe returns every
row of each taxpayer that any key hit. A hash collision only adds a taxpayer that Splink's
own blocking then drops, so the probe is a superset and the scores are the batch's.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from crossverify.link import model
from crossverify.master.load import LOOKUP_INDEX_DIR

_EQUALITY = re.compile(r'^l\."(\w+)" = r\."(\w+)"$')
_FORMAT = "1"  # bump when the layout changes; an index of another format is rebuilt
_ROWS_FILE = "rows.arrow"
_OFFSETS_FILE = "offsets.npy"


@dataclass(frozen=True)
class BlockingKey:
    """One orientation of one blocking rule: master columns paired with request columns."""

    master_columns: tuple[str, ...]
    request_columns: tuple[str, ...]


def blocking_keys(rules: tuple[str, ...] = model.BLOCKING_RULES_SQL) -> list[BlockingKey]:
    """The master may be either side of a link-only rule, so each asymmetric rule gives two."""
    keys: list[BlockingKey] = []
    for rule in rules:
        terms = [_EQUALITY.match(term.strip()) for term in rule.split(" AND ")]
        if not all(terms):
            raise ValueError(f"blocking rule is not a conjunction of column equalities: {rule}")
        left = tuple(t.group(1) for t in terms if t)
        right = tuple(t.group(2) for t in terms if t)
        for key in (BlockingKey(left, right), BlockingKey(right, left)):
            if key not in keys:
                keys.append(key)
    return keys


def _hash_sql(columns: tuple[str, ...], alias: str) -> str:
    """NULL when a column is NULL: Splink's equality never holds on NULL."""
    present = " AND ".join(f'{alias}."{c}" IS NOT NULL' for c in columns)
    values = ", ".join(f'CAST({alias}."{c}" AS VARCHAR)' for c in columns)
    return f"CASE WHEN {present} THEN hash({values}) END"


def index_dir(master_dir: Path, master_id: str) -> Path:
    """One folder per master file, blocking rules and index format."""
    digest = hashlib.sha256(
        "\n".join([_FORMAT, duckdb.__version__, *model.BLOCKING_RULES_SQL]).encode()
    ).hexdigest()[:12]
    return master_dir / LOOKUP_INDEX_DIR / f"{master_id}-{digest}"


def build_index(con: duckdb.DuckDBPyConnection, master_parquet: Path, directory: Path) -> None:
    """Write the index into `directory` (via a sibling folder renamed at the end)."""
    partial = directory.with_name(directory.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    master = f"read_parquet('{master_parquet.as_posix()}')"
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cv_index_taxpayers AS SELECT tin, "
        "row_number() OVER (ORDER BY tin) - 1 AS ordinal, count(*) AS n_rows "
        f"FROM {master} GROUP BY tin"
    )
    counts = con.sql("SELECT n_rows FROM cv_index_taxpayers ORDER BY ordinal").fetchnumpy()
    offsets = np.concatenate([[0], np.cumsum(counts["n_rows"], dtype=np.int64)])
    np.save(partial / _OFFSETS_FILE, offsets)
    reader = con.sql(f"SELECT * FROM {master} ORDER BY tin, row_id").to_arrow_reader(100_000)
    with (
        pa.OSFile(str(partial / _ROWS_FILE), "wb") as sink,
        pa.ipc.new_file(sink, reader.schema) as writer,
    ):
        for batch in reader:
            writer.write_batch(batch)
    for number, key in enumerate(blocking_keys()):
        pairs = con.sql(
            f"""SELECT DISTINCT {_hash_sql(key.master_columns, "m")} AS key, t.ordinal
                FROM {master} m JOIN cv_index_taxpayers t USING (tin)
                WHERE {_hash_sql(key.master_columns, "m")} IS NOT NULL
                ORDER BY key, t.ordinal"""
        ).fetchnumpy()
        np.save(partial / f"key{number}.npy", pairs["key"].astype(np.uint64))
        np.save(partial / f"taxpayer{number}.npy", pairs["ordinal"].astype(np.int64))
    con.execute("DROP TABLE cv_index_taxpayers")
    shutil.rmtree(directory, ignore_errors=True)
    partial.rename(directory)


class MasterIndex:
    """A built index, memory-mapped: probing it reads only the pages it touches."""

    def __init__(self, directory: Path) -> None:
        self.keys = blocking_keys()
        with pa.memory_map(str(directory / _ROWS_FILE)) as source:
            self._rows = pa.ipc.open_file(source).read_all()
        self._batches = self._rows.to_batches()
        sizes = np.array([b.num_rows for b in self._batches], dtype=np.int64)
        self._batch_starts = np.cumsum(sizes) - sizes
        self._offsets: npt.NDArray[np.int64] = np.load(directory / _OFFSETS_FILE, mmap_mode="r")
        self._hashes = [
            np.load(directory / f"key{n}.npy", mmap_mode="r") for n in range(len(self.keys))
        ]
        self._taxpayers = [
            np.load(directory / f"taxpayer{n}.npy", mmap_mode="r") for n in range(len(self.keys))
        ]
        self.probe_sql = "SELECT " + ", ".join(
            f"{_hash_sql(k.request_columns, 'r')} AS key{n}" for n, k in enumerate(self.keys)
        )

    @property
    def schema(self) -> pa.Schema:
        return self._rows.schema

    def taxpayer_rows(self, con: duckdb.DuckDBPyConnection, requests_table: str) -> pa.Table:
        """Every master row of each taxpayer that shares a blocking key with a request."""
        probes = con.execute(f"{self.probe_sql} FROM {requests_table} r").fetchall()
        found: list[npt.NDArray[np.int64]] = []
        for n in range(len(self.keys)):
            wanted = np.array([row[n] for row in probes if row[n] is not None], dtype=np.uint64)
            if not len(wanted):
                continue
            hashes = self._hashes[n]
            starts = np.searchsorted(hashes, wanted, side="left")
            ends = np.searchsorted(hashes, wanted, side="right")
            for start, end in zip(starts, ends, strict=True):
                if end > start:
                    found.append(np.asarray(self._taxpayers[n][start:end]))
        if not found:
            return self._rows.slice(0, 0)
        taxpayers = np.unique(np.concatenate(found))
        return self._slices(self._offsets[taxpayers], self._offsets[taxpayers + 1])

    def _slices(self, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]) -> pa.Table:
        """Rows [start, end) of the TIN-sorted file, as zero-copy slices of its record batches
        (`Table.take` would first copy whole columns)."""
        pieces: list[pa.RecordBatch] = []
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            at = start
            while at < end:
                batch = int(np.searchsorted(self._batch_starts, at, side="right")) - 1
                offset = at - int(self._batch_starts[batch])
                length = min(end - at, self._batches[batch].num_rows - offset)
                pieces.append(self._batches[batch].slice(offset, length))
                at += length
        return pa.Table.from_batches(pieces, schema=self._rows.schema)
