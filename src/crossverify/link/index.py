"""The master file laid out for blocking: rows by TIN, and blocking keys hashed.

A lookup, or a chunk of a batch, must find exactly the candidates Splink's blocking rules
find over the whole master file, without reading the whole master file (5M rows at 1M
persons, 48M at 10M) each time. Each blocking rule is a conjunction of
column equalities, so a master row can pair with a request only if the hash of its rule
columns equals the hash of the request's. The index keeps, per rule and orientation, the
sorted hashes of every master row with the taxpayer they belong to, and the master rows
sorted by TIN in an uncompressed Arrow file; both are memory-mapped, and the pages probes
touch are given back every 1.6M rows or so (at 10M persons the rows file is 20 GB, and one
chunk of a batch touches most of it). A probe returns every row of each taxpayer that any
key hit. A hash collision only adds a taxpayer that Splink's
own blocking then drops, so the probe is a superset and the scores are the batch's.
"""

from __future__ import annotations

import hashlib
import io
import math
import mmap
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from crossverify.link import model
from crossverify.master.load import LOOKUP_INDEX_DIR, MASTER_PARQUET, read_master_info

_EQUALITY = re.compile(r'^l\."(\w+)" = r\."(\w+)"$')
_FORMAT = "3"  # bump when the layout changes; an index of another format is rebuilt
_ROWS_FILE = "rows.arrow"
_OFFSETS_FILE = "offsets.npy"
# Rows (and key probes) between giving mapped pages back: ~0.7 GB of the rows file at most;
# a lookup touches a few hundred, so lookups give pages back only every few thousand calls.
_TOUCHES_PER_RELEASE = 1_600_000
_RUNS_PER_TAKE = 16  # contiguous runs of rows in one batch beyond which a take beats slices
TAXPAYER_COLUMN = "cv_taxpayer"  # a taxpayer's ordinal in the index, on the rows it returns


@dataclass(frozen=True)
class BlockingKey:
    """One orientation of one blocking rule: master columns paired with request columns."""

    master_columns: tuple[str, ...]
    request_columns: tuple[str, ...]


def blocking_keys(rules: tuple[str, ...] = model.BLOCKING_RULES_SQL) -> list[BlockingKey]:
    """The master may be either side of a link-only rule, so each asymmetric rule gives two."""
    keys: list[BlockingKey] = []
    for rule in rules:
        left, right = rule_columns(rule)
        for key in (BlockingKey(left, right), BlockingKey(right, left)):
            if key not in keys:
                keys.append(key)
    return keys


def rule_columns(rule: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A rule `l."a" = r."b" AND ...` as its (l columns, r columns): a pair is blocked when
    each pair of columns is equal, which never holds on NULL."""
    terms = [_EQUALITY.match(term.strip()) for term in rule.split(" AND ")]
    if not all(terms):
        raise ValueError(f"blocking rule is not a conjunction of column equalities: {rule}")
    return tuple(t.group(1) for t in terms if t), tuple(t.group(2) for t in terms if t)


def key_hash_sql(columns: tuple[str, ...], alias: str) -> str:
    """The hash of `key_text`; NULL when a column is NULL: Splink's equality never holds on
    NULL. One text hashed, not the columns, so that a lookup hashes its few keys in one
    statement with nothing to plan (`MasterIndex.taxpayers_of`)."""
    present = " AND ".join(f'{alias}."{c}" IS NOT NULL' for c in columns)
    values = ", ".join(f'CAST({alias}."{c}" AS VARCHAR)' for c in columns)
    return f"CASE WHEN {present} THEN hash(concat_ws(chr(31), {values})) END"


def key_text(values: tuple[Any, ...]) -> str:
    """A blocking key as the text `key_hash_sql` hashes: the values joined by a unit
    separator."""
    return "\x1f".join(str(v) for v in values)


_MASK64 = (1 << 64) - 1
_MULTIPLIER = 0xD6E8FEB86659FD93


def duckdb_text_hash(text: str) -> int:
    """DuckDB's `hash()` of a VARCHAR, in Python: its HashBytes (8-byte blocks multiplied in)
    and murmur finaliser. A lookup's few keys then cost microseconds, not a statement (~1 ms
    in the service); `MasterIndex` checks it against DuckDB before trusting it."""
    data = text.encode("utf-8")
    size = len(data)
    h = 0xE17A1465 ^ (size * 0xC6A4A7935BD1E995) & _MASK64
    for start in range(0, size, 8):
        h = ((h ^ int.from_bytes(data[start : start + 8], "little")) * _MULTIPLIER) & _MASK64
    for _ in range(2):
        h = ((h ^ (h >> 32)) * _MULTIPLIER) & _MASK64
    return h ^ (h >> 32)


# Texts of each length up to three blocks, a unit separator and non-ASCII letters.
_HASH_PROBES = ["", *("ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:n] for n in range(1, 26)), "JOSÉ\x1fGARCÍA"]


def _hash_agrees(con: duckdb.DuckDBPyConnection) -> bool:
    hashed = con.execute("SELECT hash(unnest($1::VARCHAR[]))", [_HASH_PROBES]).fetchall()
    return [h for (h,) in hashed] == [duckdb_text_hash(t) for t in _HASH_PROBES]


def index_dir(master_dir: Path, master_id: str) -> Path:
    """One folder per master file, blocking rules and index format."""
    digest = hashlib.sha256(
        "\n".join([_FORMAT, duckdb.__version__, *model.BLOCKING_RULES_SQL]).encode()
    ).hexdigest()[:12]
    return master_dir / LOOKUP_INDEX_DIR / f"{master_id}-{digest}"


def build_index(
    con: duckdb.DuckDBPyConnection,
    master_parquet: Path,
    directory: Path,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write the index into `directory` (via a sibling folder renamed at the end);
    `progress(steps_done, steps)` after the rows and after each blocking key."""
    keys = blocking_keys()
    steps = 1 + len(keys)
    # A folder of this process's own: a lookup server and a worker may build at once.
    partial = directory.with_name(f"{directory.name}.partial-{os.getpid()}")
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
    if progress:
        progress(1, steps)
    for number, key in enumerate(keys):
        pairs = con.sql(
            f"""SELECT DISTINCT {key_hash_sql(key.master_columns, "m")} AS key, t.ordinal
                FROM {master} m JOIN cv_index_taxpayers t USING (tin)
                WHERE {key_hash_sql(key.master_columns, "m")} IS NOT NULL
                ORDER BY key, t.ordinal"""
        ).fetchnumpy()
        np.save(partial / f"key{number}.npy", pairs["key"].astype(np.uint64))
        np.save(partial / f"taxpayer{number}.npy", pairs["ordinal"].astype(np.int64))
        if progress:
            progress(2 + number, steps)
    con.execute("DROP TABLE cv_index_taxpayers")
    try:
        partial.rename(directory)
    except OSError:  # another process finished first: its index is the same
        shutil.rmtree(partial, ignore_errors=True)


class MasterIndex:
    """A built index, memory-mapped: probing it reads only the pages it touches."""

    def __init__(self, directory: Path) -> None:
        self.keys = blocking_keys()
        self._rows_map = _MappedFile(directory / _ROWS_FILE)
        self._rows = pa.ipc.open_file(pa.py_buffer(self._rows_map.map))
        sizes = np.array(
            [self._rows.get_batch(n).num_rows for n in range(self._rows.num_record_batches)],
            dtype=np.int64,
        )
        self._batch_starts = np.cumsum(sizes) - sizes
        self._offsets: npt.NDArray[np.int64] = np.load(directory / _OFFSETS_FILE, mmap_mode="r")
        self._key_maps = [_MappedFile(directory / f"key{n}.npy") for n in range(len(self.keys))]
        self._hashes = [_npy_array(m) for m in self._key_maps]
        self._taxpayer_maps = [
            _MappedFile(directory / f"taxpayer{n}.npy") for n in range(len(self.keys))
        ]
        self._taxpayers = [_npy_array(m) for m in self._taxpayer_maps]
        self._touched = 0
        self._hash_in_python: bool | None = None  # `duckdb_text_hash` agrees with DuckDB
        self.probe_sql = "SELECT " + ", ".join(
            f"{key_hash_sql(k.request_columns, 'r')} AS key{n}" for n, k in enumerate(self.keys)
        )

    def taxpayers_hit(
        self, con: duckdb.DuckDBPyConnection, requests_table: str
    ) -> npt.NDArray[np.int64]:
        """Ordinals of the taxpayers that share a blocking key with a request."""
        probes = con.sql(f"{self.probe_sql} FROM {requests_table} r").to_arrow_table()
        return self._taxpayers_with(
            [probes[f"key{n}"].drop_null().to_numpy() for n in range(len(self.keys))]
        )

    def taxpayers_of(
        self, con: duckdb.DuckDBPyConnection, requests: list[dict[str, Any]]
    ) -> npt.NDArray[np.int64]:
        """`taxpayers_hit` for a few request rows (dicts): their key texts hashed in Python."""
        texts: list[str] = []
        cuts = []
        for key in self.keys:
            values = (tuple(r[c] for c in key.request_columns) for r in requests)
            texts += [key_text(v) for v in values if None not in v]
            cuts.append(len(texts))
        if self._hash_in_python is None:
            self._hash_in_python = _hash_agrees(con)
        if self._hash_in_python:
            hashes = np.array([duckdb_text_hash(t) for t in texts], dtype=np.uint64)
        else:  # another DuckDB hashes otherwise: ask it
            hashed = con.execute("SELECT hash(unnest($1::VARCHAR[]))", [texts]).fetchnumpy()
            hashes = np.asarray(next(iter(hashed.values())), dtype=np.uint64)
        return self._taxpayers_with(np.split(hashes, cuts[:-1]))

    def _taxpayers_with(self, hashes: list[npt.NDArray[np.uint64]]) -> npt.NDArray[np.int64]:
        found = [np.empty(0, dtype=np.int64)]
        for n, probed in enumerate(hashes):
            wanted = np.unique(probed)
            hashes_on_file = self._hashes[n]
            hits = _ranges(
                np.searchsorted(hashes_on_file, wanted, side="left"),
                np.searchsorted(hashes_on_file, wanted, side="right"),
            )
            found.append(self._taxpayers[n][hits])
            self._touch(len(wanted))
        return np.unique(np.concatenate(found))

    def _touch(self, count: int) -> None:
        """Give every mapped page back once probes since the last time touched many."""
        self._touched += count
        if self._touched >= _TOUCHES_PER_RELEASE:
            for mapped in (self._rows_map, *self._key_maps, *self._taxpayer_maps):
                mapped.release()
            self._touched = 0

    def rows(self, taxpayers: npt.NDArray[np.int64], columns: list[str] | None = None) -> pa.Table:
        """Every row of the taxpayers with these (sorted, unique) ordinals; with `columns`,
        those only and the taxpayer's ordinal as TAXPAYER_COLUMN."""
        starts, ends = self._offsets[taxpayers], self._offsets[taxpayers + 1]
        positions = _ranges(starts, ends)  # ascending: the rows file is sorted by taxpayer
        in_batch = np.searchsorted(self._batch_starts, positions, side="right") - 1
        numbers, firsts = np.unique(in_batch, return_index=True)
        pieces = []
        ends_in_batch = [*firsts[1:], len(positions)] if len(positions) else []
        for number, lo, hi in zip(numbers, firsts, ends_in_batch, strict=True):
            part = positions[lo:hi] - self._batch_starts[number]
            batch = self._rows.get_batch(int(number))
            batch = batch if columns is None else batch.select(columns)
            # A few runs of rows are sliced (zero-copy, microseconds); a take copies every
            # column, some 5 us each even for a handful of rows: only worth it for many runs.
            breaks = np.flatnonzero(np.diff(part) != 1) + 1
            if len(breaks) < _RUNS_PER_TAKE:
                firsts_of_runs = [0, *breaks]
                lasts_of_runs = [*breaks, len(part)]
                pieces += [
                    batch.slice(int(part[a]), int(b - a))
                    for a, b in zip(firsts_of_runs, lasts_of_runs, strict=True)
                ]
            else:
                pieces.append(batch.take(pa.array(part)))
            self._touch(len(part))
        if columns is None:
            return pa.Table.from_batches(pieces, schema=self._rows.schema)
        schema = pa.schema([self._rows.schema.field(c) for c in columns])
        table = pa.Table.from_batches(pieces, schema=schema)
        return table.append_column(TAXPAYER_COLUMN, pa.array(np.repeat(taxpayers, ends - starts)))


class _MappedFile:
    """A read-only file mapping whose pages can be given back: they stay in the kernel's page
    cache but no longer count in this process's memory."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as file:
            self.map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)

    def release(self) -> None:
        self.map.madvise(mmap.MADV_DONTNEED)


def _npy_array(mapped: _MappedFile) -> npt.NDArray[Any]:
    """The array of an .npy file (`np.save`'s format 1.0) on its mapping, not copied."""
    header = io.BytesIO(mapped.map[:4096])
    if np.lib.format.read_magic(header) != (1, 0):
        raise ValueError("index array not in .npy format 1.0; rebuild the index")
    shape, _, dtype = np.lib.format.read_array_header_1_0(header)
    return np.frombuffer(mapped.map, dtype=dtype, count=math.prod(shape), offset=header.tell())


def _ranges(starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The integers of every [start, end), concatenated, without a Python loop."""
    lengths = (ends - starts).astype(np.int64)
    total = int(lengths.sum())
    first_of_range = np.cumsum(lengths) - lengths
    return np.repeat(starts - first_of_range, lengths) + np.arange(total, dtype=np.int64)


def open_index(
    con: duckdb.DuckDBPyConnection,
    master_dir: Path,
    progress: Callable[[int, int], None] | None = None,
) -> MasterIndex:
    """The index of the master file in `master_dir`, built first if it is not there yet
    (`crossverify master load` builds it; a new DuckDB release or blocking rule needs another)."""
    directory = index_dir(master_dir, read_master_info(master_dir).master_id)
    if not directory.exists():
        build_index(con, master_dir / MASTER_PARQUET, directory, progress)
    return MasterIndex(directory)
