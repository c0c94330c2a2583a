"""The read request rows every reader produces, and the checks the readers share.

A reader turns a file into `Parsed` (positional string columns plus the rows it could not
parse, as `Bad`); `to_result` screens the fields (NUL bytes, oversized values, stray bytes),
moves failing rows to the malformed ones, and checks that every data row is in exactly one
of `ReadResult.rows` and `ReadResult.malformed`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crossverify.errors import InputFileError
from crossverify.policy import DEFAULT_REQUIRED_COLUMNS, missing_columns
from crossverify.types import REQUEST_COLUMNS

REQUIRED_COLUMNS: tuple[str, ...] = DEFAULT_REQUIRED_COLUMNS
"""Header columns a request file must have by default (the policy's `required_columns`)."""

ROWS_SCHEMA = pa.schema(
    [pa.field("row_number", pa.int64()), *(pa.field(c, pa.string()) for c in REQUEST_COLUMNS)]
)

MALFORMED_SCHEMA = pa.schema(
    [
        pa.field("row_number", pa.int64()),
        pa.field("request_id", pa.string()),
        pa.field("detail", pa.string()),
    ]
)

SURROGATE = re.compile("[\ud800-\udfff]")

REPLACEMENT = "\ufffd"

_HEADER_NOISE = re.compile(r"[\s\-]+")

_MAX_BLOCK_BYTES = 1 << 29  # one block per file (up to 512 MB): no chunks to combine after


def block_size(size: int) -> int:
    return max(1 << 20, min(size + 1, _MAX_BLOCK_BYTES))


@dataclass(frozen=True)
class ReadResult:
    """A request file read into rows and malformed rows; every data row is in one of them.

    Attributes:
        rows: `row_number` (int64) then every REQUEST_COLUMNS column as strings; values are
            stripped, and empty values and columns the file lacks are nulls.
        malformed: `row_number`, `request_id` (when it could be recovered) and `detail`
            for the rows that could not be read.
        rows_read: data rows in the file: `len(rows) + len(malformed)`.
        encoding: "utf-8", "utf-8-sig" (UTF-8 with a byte-order mark) or "latin-1" (the
            fallback for files that are not UTF-8; also reported in `warnings`).
        delimiter: the CSV delimiter found in the header; None for Parquet and JSON Lines.
        warnings: file-level notes for the requester (encoding fallback, ignored columns).
        file_format: "csv", "parquet" or "jsonl".
    """

    rows: pa.Table
    malformed: pa.Table
    rows_read: int
    encoding: str
    delimiter: str | None
    warnings: tuple[str, ...]
    file_format: str = "csv"


@dataclass(frozen=True)
class Limits:
    """What a file must have and may hold: the policy's row cap and header columns."""

    max_rows: int
    max_field_chars: int
    required_columns: tuple[str, ...]


@dataclass(frozen=True)
class Bad:
    row_number: int
    request_id: str | None
    detail: str


@dataclass
class Parsed:
    """Positional string columns of the rows that parsed, before the per-field screen."""

    names: list[str]  # normalized column name per column; "" for an unnamed column
    columns: list[pa.Array]
    numbers: np.ndarray  # row_number of each parsed row
    bad: list[Bad]
    rows_read: int


def header_names(fields: Iterable[str]) -> list[str]:
    """'First Name' and ' first-name ' both name the `first_name` column."""
    return [_HEADER_NOISE.sub("_", f.replace("\ufeff", "").strip()).lower() for f in fields]


def check_header(names: list[str], *, name: str, required: Sequence[str]) -> list[str]:
    """Raise on missing or repeated columns; return a warning for ignored ones."""
    counts = Counter(n for n in names if n)
    repeated = sorted(n for n, count in counts.items() if count > 1)
    if repeated:
        raise InputFileError(
            f"request file {name}: the header repeats column(s) {', '.join(repeated)}; "
            "each column must appear once"
        )
    missing = missing_columns(set(names), required)
    if missing:
        raise InputFileError(
            f"request file {name}: the header lacks required column(s) {', '.join(missing)}, "
            "so the file is refused whole; add the column(s) to the header and sign the file "
            f"again (a row may leave a value empty: that row alone is rejected); the columns "
            f"are: {', '.join(REQUEST_COLUMNS)}"
        )
    unknown = [n or f"(unnamed column {i + 1})" for i, n in enumerate(names)]
    unknown = [u for u, n in zip(unknown, names, strict=True) if n not in REQUEST_COLUMNS]
    return [f"unknown columns ignored: {', '.join(unknown)}"] if unknown else []


def check_row_cap(rows_read: int, max_rows: int, *, name: str) -> None:
    if rows_read > max_rows:
        raise InputFileError(
            f"request file {name} has more than {max_rows:,} data rows, the most a batch may "
            "hold; split it into smaller batches"
        )


def recover_id(fields: list[str], index: int) -> str | None:
    if not 0 <= index < len(fields):
        return None
    value = fields[index].strip()
    if not value or len(value) > 200 or "\x00" in value or REPLACEMENT in value:
        return None
    if SURROGATE.search(value):
        return None
    return value


def drop_rows(parsed: Parsed, mask: np.ndarray, details: list[str] | str) -> Parsed:
    """Move the rows under `mask` to the malformed ones, with one detail each (or one for all)."""
    index = np.flatnonzero(mask)
    ids = _ids_at(parsed, index)
    notes = [details] * len(index) if isinstance(details, str) else details
    bad = [
        Bad(int(parsed.numbers[i]), clean_id(rid), note)
        for i, rid, note in zip(index, ids, notes, strict=True)
    ]
    keep = pa.array(~mask)
    return Parsed(
        names=parsed.names,
        columns=[c.filter(keep) for c in parsed.columns],
        numbers=parsed.numbers[~mask],
        bad=[*parsed.bad, *bad],
        rows_read=parsed.rows_read,
    )


def _ids_at(parsed: Parsed, index: np.ndarray) -> list[Any]:
    if "request_id" not in parsed.names:
        return [None] * len(index)
    column = parsed.columns[parsed.names.index("request_id")]
    values: list[Any] = pc.take(column, pa.array(index, pa.int64())).to_pylist()
    return values


def clean_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return recover_id([value], 0)


def _screen(parsed: Parsed, max_field_chars: int, *, may_hold_nul: bool, marked: bool) -> Parsed:
    """Rows with a NUL byte, an oversized field or (`marked`) a bad byte become malformed."""
    n = len(parsed.numbers)
    flagged = np.zeros(n, dtype=bool)
    problems: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    nothing = np.zeros(n, dtype=bool)
    columns = parsed.columns
    joined = _joined(columns)
    has_nul = partial(pc.match_substring, pattern="\x00")
    has_bad = partial(pc.match_substring, pattern=REPLACEMENT)
    nuls = _each_column(columns, joined, has_nul) if may_hold_nul else []
    bads = _each_column(columns, joined, has_bad) if marked else []
    # Bytes bound characters from above: most files need no character count.
    maybe_long = n > 0 and (
        joined is None or (pc.max(pc.binary_length(joined)).as_py() or 0) > max_field_chars
    )
    for number, column in enumerate(columns):
        nul = to_mask(nuls[number]) if may_hold_nul else nothing
        bad = to_mask(bads[number]) if marked else nothing
        long = nothing
        if maybe_long and (pc.max(pc.binary_length(column)).as_py() or 0) > max_field_chars:
            long = to_mask(pc.greater(pc.utf8_length(column), max_field_chars))
        problems.append((nul, bad, long))
        flagged |= nul | bad | long
    if not flagged.any():
        return parsed
    labels = _labels(parsed.names)
    details = []
    for i in np.flatnonzero(flagged):
        notes = []
        for (nul, bad, long), label in zip(problems, labels, strict=True):
            if nul[i]:
                notes.append(f"{label} holds a NUL byte (remove it)")
            if bad[i]:
                notes.append(f"{label} holds bytes that are not UTF-8 (save the file as UTF-8)")
            if long[i]:
                notes.append(f"{label} is longer than {max_field_chars} characters (shorten it)")
        details.append("; ".join(notes))
    return drop_rows(parsed, flagged, details)


def _labels(names: list[str]) -> list[str]:
    return [f"field {n}" if n else f"column {i + 1}" for i, n in enumerate(names)]


def to_mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean result as numpy; null (from a null input) counts as False."""
    filled = pc.fill_null(values, False) if values.null_count else values
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def _clean_text(values: pa.Array) -> pa.Array:
    """Strip surrounding whitespace; an empty value is a null."""
    stripped = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)


_FEW_VALUES = 4096  # columns holding fewer values in all get each kernel once, joined


def _joined(columns: Sequence[pa.Array]) -> pa.Array | None:
    """A few rows' columns as one array (None for many rows, or columns of other types):
    an Arrow kernel costs ~10 us a call however short its input, a lookup's record has 16
    columns, and batches gain nothing from the copy."""
    if sum(len(c) for c in columns) > _FEW_VALUES or len({c.type for c in columns}) != 1:
        return None
    if any(isinstance(c, pa.ChunkedArray) for c in columns):
        return None
    return pa.concat_arrays(columns)


def _each_column(
    columns: Sequence[pa.Array], joined: pa.Array | None, kernel: Callable[[pa.Array], pa.Array]
) -> list[pa.Array]:
    """An elementwise `kernel` of each column, in one call on `joined` (`_joined(columns)`)
    when there is one."""
    if joined is None:
        return [kernel(c) for c in columns]
    done = kernel(joined)
    sizes = [len(c) for c in columns]
    starts = np.cumsum([0, *sizes[:-1]])
    return [done.slice(int(a), size) for a, size in zip(starts, sizes, strict=True)]


def to_result(
    parsed: Parsed,
    *,
    max_field_chars: int,
    encoding: str,
    delimiter: str | None,
    warnings: list[str],
    file_format: str,
    may_hold_nul: bool = True,
    marked: bool = False,
) -> ReadResult:
    parsed = _screen(parsed, max_field_chars, may_hold_nul=may_hold_nul, marked=marked)
    n = len(parsed.numbers)
    by_name = {name: col for name, col in zip(parsed.names, parsed.columns, strict=True) if name}
    arrays: list[pa.Array] = [pa.array(parsed.numbers, pa.int64())]
    present = [c for c in REQUEST_COLUMNS if c in by_name]
    texts = [by_name[c] for c in present]
    cleaned = dict(zip(present, _each_column(texts, _joined(texts), _clean_text), strict=True))
    for column in REQUEST_COLUMNS:
        values = cleaned.get(column)
        arrays.append(values if values is not None else pa.nulls(n, pa.string()))
    rows = pa.Table.from_arrays(arrays, schema=ROWS_SCHEMA)
    ordered = sorted(parsed.bad, key=lambda b: b.row_number)
    malformed = pa.Table.from_pydict(
        {
            "row_number": [b.row_number for b in ordered],
            "request_id": [b.request_id for b in ordered],
            "detail": [printable(b.detail) for b in ordered],
        },
        schema=MALFORMED_SCHEMA,
    )
    if rows.num_rows + malformed.num_rows != parsed.rows_read:
        raise AssertionError(
            f"row accounting broke: {rows.num_rows} rows + {malformed.num_rows} malformed "
            f"!= {parsed.rows_read} read"
        )
    return ReadResult(
        rows=rows,
        malformed=malformed,
        rows_read=parsed.rows_read,
        encoding=encoding,
        delimiter=delimiter,
        warnings=tuple(printable(w) for w in warnings),
        file_format=file_format,
    )


def printable(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate (from a bad byte or escape) becomes '?'."""
    return text.encode("utf-8", errors="replace").decode("utf-8")
