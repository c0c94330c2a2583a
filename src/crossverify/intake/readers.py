"""Read a request file (CSV/TSV, Parquet, JSON Lines) into string columns, losing no row.

Every data row ends up exactly once either in `ReadResult.rows` (well-formed, values
stripped, empty values as nulls) or in `ReadResult.malformed` (the R08 candidates, with a
detail saying what is wrong). Problems with the file as a whole raise `InputFileError`.

Row numbers are 1-based data record numbers: the first record after the header is row 1
(JSON Lines: the first non-blank line). Empty lines are not records and are skipped; a
line of spaces is a (malformed) record. A quoted CSV field may hold newlines, so a row can
span several lines of the file. An unmatched quote runs to the next quote, as in every
CSV reader: what it swallows becomes one row (usually malformed), never a lost one.

CSV is read by pyarrow's reader on one thread: it skips rows with the wrong field count
and reports each with its record number, so the other rows keep their exact numbers.
Bytes that are not UTF-8 are replaced by U+FFFD first (when the file had none of its own),
so they too are found per row. When pyarrow refuses the data anyway (a record larger than
its block, or bad bytes in a file that already holds U+FFFD), the whole file is re-read
with Python's `csv` module, slower but row by row. Either way one parser reads a file,
so the accounting is exact. JSON Lines: pyarrow for plain files, else line by line.

The formats live in `csv_reader`, `parquet_reader` and `jsonl_reader`; decoding in
`decoding`; the row model and the checks they share in `rows`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from crossverify.errors import InputFileError
from crossverify.intake.csv_reader import _parse_csv_slow, read_csv
from crossverify.intake.jsonl_reader import read_jsonl, read_records
from crossverify.intake.parquet_reader import read_parquet
from crossverify.intake.rows import (
    MALFORMED_SCHEMA,
    REQUIRED_COLUMNS,
    ROWS_SCHEMA,
    Limits,
    ReadResult,
)

__all__ = [
    "CSV_SUFFIXES",
    "JSONL_SUFFIXES",
    "MALFORMED_SCHEMA",
    "PARQUET_SUFFIXES",
    "REQUIRED_COLUMNS",
    "ROWS_SCHEMA",
    "ReadResult",
    "_parse_csv_slow",
    "read_request_bytes",
    "read_request_file",
    "read_request_records",
]

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})

PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})


def read_request_file(
    path: Path,
    *,
    max_rows: int,
    max_field_chars: int = 1000,
    required_columns: Sequence[str] = REQUIRED_COLUMNS,
) -> ReadResult:
    """Read a request file, choosing the format by its extension.

    Args:
        path: a `.csv`/`.txt`/`.tsv` (delimiter `,` `;` `|` or TAB, found from the header),
            `.parquet`, or `.jsonl`/`.ndjson` file.
        max_rows: most data rows accepted (the policy's `max_rows_per_batch`).
        max_field_chars: a longer field makes its row malformed.
        required_columns: the policy's `required_columns`: a header (for JSON Lines, the
            keys used) that lacks one refuses the file whole.

    Returns:
        The rows, the malformed rows and how the file was decoded.

    Raises:
        InputFileError: the file cannot be read, is empty, has too many rows, or its
            header lacks required columns or repeats a column.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read request file {path}: {exc.strerror}") from exc
    return read_request_bytes(
        data,
        name=path.name,
        max_rows=max_rows,
        max_field_chars=max_field_chars,
        required_columns=required_columns,
    )


def read_request_bytes(
    data: bytes,
    *,
    name: str,
    max_rows: int,
    max_field_chars: int = 1000,
    required_columns: Sequence[str] = REQUIRED_COLUMNS,
) -> ReadResult:
    """Like `read_request_file`, on bytes already in memory (e.g. the ones whose hash was
    checked); `name` gives the extension."""
    suffix = Path(name).suffix.lower()
    limits = Limits(max_rows, max_field_chars, tuple(required_columns))
    if suffix in PARQUET_SUFFIXES:
        return read_parquet(data, name=name, limits=limits)
    if suffix in JSONL_SUFFIXES:
        return read_jsonl(data, name=name, limits=limits)
    if suffix in CSV_SUFFIXES:
        return read_csv(data, name=name, prefer_tab=suffix == ".tsv", limits=limits)
    raise InputFileError(
        f"request file {name}: unknown extension {suffix or '(none)'}; use .csv, .tsv, .txt, "
        ".parquet, .jsonl or .ndjson"
    )


def read_request_records(
    records: Sequence[Mapping[str, str | None]], *, max_rows: int, max_field_chars: int = 1000
) -> ReadResult:
    """Like `read_request_bytes` on the records as JSON Lines: request objects already
    parsed (keys among the request columns), row i the i-th record."""
    return read_records(records, limits=Limits(max_rows, max_field_chars, ()))
