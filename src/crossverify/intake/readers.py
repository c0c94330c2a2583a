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
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pq

from crossverify.errors import InputFileError
from crossverify.types import REQUEST_COLUMNS

REQUIRED_COLUMNS: tuple[str, ...] = (
    "request_id",
    "first_name",
    "last_name",
    "street",
    "removal_order_date",
    "removal_order_ref",
    "criminal_statute",
    "tax_period_start",
    "tax_period_end",
)
"""Header columns a request file must have; in addition, `zip` or both `city` and `state`."""

DELIMITERS: tuple[str, ...] = (",", ";", "|", "\t")
CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})

ROWS_SCHEMA = pa.schema(
    [pa.field("row_number", pa.int64()), *(pa.field(c, pa.string()) for c in REQUEST_COLUMNS)]
)
_JSON_SCHEMA = pa.schema([pa.field(c, pa.string()) for c in REQUEST_COLUMNS])
MALFORMED_SCHEMA = pa.schema(
    [
        pa.field("row_number", pa.int64()),
        pa.field("request_id", pa.string()),
        pa.field("detail", pa.string()),
    ]
)

_UNDECODABLE = re.compile("[\udc80-\udcff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_REPLACEMENT = "\ufffd"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_NON_ASCII_VALID = re.compile("[^\x00-\x7f\udc80-\udcff]")
_NON_BLANK = re.compile(rb"\S")
_NOT_NEWLINE = re.compile(rb"[^\r\n]")
_LINE_END = re.compile(rb"\r\n|\r|\n")
_HEADER_NOISE = re.compile(r"[\s\-]+")
_MAX_BLOCK_BYTES = 1 << 29  # one block per file (up to 512 MB): no chunks to combine after


def _block_size(size: int) -> int:
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
class _Bad:
    row_number: int
    request_id: str | None
    detail: str


@dataclass
class _Parsed:
    """Positional string columns of the rows that parsed, before the per-field screen."""

    names: list[str]  # normalized column name per column; "" for an unnamed column
    columns: list[pa.Array]
    numbers: np.ndarray  # row_number of each parsed row
    bad: list[_Bad]
    rows_read: int


@dataclass(frozen=True)
class _Source:
    data: bytes  # UTF-8, except the invalid bytes of an `undecodable` file
    encoding: str
    undecodable: bool
    warnings: tuple[str, ...]
    marked: bool = False  # each invalid byte sequence was replaced by U+FFFD

    def text(self) -> str:
        return self.data.decode("utf-8", errors="surrogateescape")


def read_request_file(path: Path, *, max_rows: int, max_field_chars: int = 1000) -> ReadResult:
    """Read a request file, choosing the format by its extension.

    Args:
        path: a `.csv`/`.txt`/`.tsv` (delimiter `,` `;` `|` or TAB, found from the header),
            `.parquet`, or `.jsonl`/`.ndjson` file.
        max_rows: most data rows accepted (the policy's `max_rows_per_batch`).
        max_field_chars: a longer field makes its row malformed.

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
        data, name=path.name, max_rows=max_rows, max_field_chars=max_field_chars
    )


def read_request_bytes(
    data: bytes, *, name: str, max_rows: int, max_field_chars: int = 1000
) -> ReadResult:
    """Like `read_request_file`, on bytes already in memory (e.g. the ones whose hash was
    checked); `name` gives the extension."""
    suffix = Path(name).suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(data, name=name, max_rows=max_rows, max_field_chars=max_field_chars)
    if suffix in JSONL_SUFFIXES:
        return _read_jsonl(data, name=name, max_rows=max_rows, max_field_chars=max_field_chars)
    if suffix in CSV_SUFFIXES:
        return _read_csv(
            data,
            name=name,
            prefer_tab=suffix == ".tsv",
            max_rows=max_rows,
            max_field_chars=max_field_chars,
        )
    raise InputFileError(
        f"request file {name}: unknown extension {suffix or '(none)'}; use .csv, .tsv, .txt, "
        ".parquet, .jsonl or .ndjson"
    )


# --- decoding ----------------------------------------------------------------------------


def _decode(raw: bytes, *, name: str) -> _Source:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(f"request file {name} is UTF-16; save it as UTF-8 and sign it again")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, encoding = raw[3:], "utf-8-sig"
    else:
        encoding = "utf-8"
    if not _NON_BLANK.search(raw):
        raise InputFileError(f"request file {name} is empty; it needs a header row and data rows")
    if raw.isascii():
        return _Source(raw, encoding, undecodable=False, warnings=())
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _Source(raw, encoding, undecodable=False, warnings=())
    text = raw.decode("utf-8", errors="surrogateescape")
    invalid = sum(1 for _ in _UNDECODABLE.finditer(text))
    valid = sum(1 for _ in islice(_NON_ASCII_VALID.finditer(text), invalid + 1))
    if valid > invalid:
        # Mostly UTF-8: the rows holding the stray bytes are malformed, the rest stand.
        note = "some rows hold bytes that are not UTF-8; those rows are rejected as malformed"
        if _REPLACEMENT.encode() not in raw:
            # U+FFFD can then only come from a bad byte: the fast readers can take the file.
            marked = raw.decode("utf-8", errors="replace").encode("utf-8")
            return _Source(marked, encoding, undecodable=False, warnings=(note,), marked=True)
        return _Source(raw, encoding, undecodable=True, warnings=(note,))
    note = (
        "the file is not UTF-8 and was decoded as Latin-1 (ISO-8859-1): check accented "
        "names, or save the file as UTF-8"
    )
    return _Source(raw.decode("latin-1").encode("utf-8"), "latin-1", False, (note,))


# --- CSV ---------------------------------------------------------------------------------


def _read_csv(
    raw: bytes, *, name: str, prefer_tab: bool, max_rows: int, max_field_chars: int
) -> ReadResult:
    source = _decode(raw, name=name)
    header_line, data_start, lines_before = _header_line(source.data)
    delimiter = _sniff_delimiter(header_line, prefer_tab=prefer_tab)
    if header_line.count('"') % 2:
        raise InputFileError(f'request file {name}: the header row has an unmatched quote (")')
    names = _header_names(next(csv.reader([header_line], delimiter=delimiter)))
    warnings = [*source.warnings, *_check_header(names, name=name)]
    parsed = None
    if not source.undecodable:
        parsed = _parse_csv_fast(source.data, data_start, names, delimiter)
    if parsed is None:
        body = source.data[data_start:].decode("utf-8", errors="surrogateescape")
        parsed = _parse_csv_slow(
            body,
            names,
            delimiter,
            max_rows=max_rows,
            lines_before=lines_before,
            undecodable=source.undecodable,
        )
    _check_row_cap(parsed.rows_read, max_rows, name=name)
    return _to_result(
        parsed,
        max_field_chars=max_field_chars,
        encoding=source.encoding,
        delimiter=delimiter,
        warnings=warnings,
        file_format="csv",
        may_hold_nul=b"\x00" in source.data,
        marked=source.marked,
    )


def _header_line(data: bytes) -> tuple[str, int, int]:
    """The first non-blank line, the offset where data starts, and the lines up to there.

    A line ends at LF, CRLF or a lone CR, as for both CSV parsers.
    """
    pos, lines = 0, 0
    while pos < len(data):
        ending = _LINE_END.search(data, pos)
        end, after = (ending.start(), ending.end()) if ending else (len(data), len(data))
        lines += 1
        line = data[pos:end].decode("utf-8", errors="replace")  # names: U+FFFD for bad bytes
        if line.strip():
            return line, after, lines
        pos = after
    raise InputFileError("the request file has no header row")  # _decode rejects blank files


def _sniff_delimiter(header_line: str, *, prefer_tab: bool) -> str:
    def score(delimiter: str) -> tuple[int, int, bool, bool]:
        fields = _header_names(next(csv.reader([header_line], delimiter=delimiter)))
        known = sum(1 for f in fields if f in REQUEST_COLUMNS)
        return known, len(fields), prefer_tab == (delimiter == "\t"), delimiter == ","

    return max(DELIMITERS, key=score)


def _header_names(fields: Iterable[str]) -> list[str]:
    """'First Name' and ' first-name ' both name the `first_name` column."""
    return [_HEADER_NOISE.sub("_", f.replace("\ufeff", "").strip()).lower() for f in fields]


def _check_header(names: list[str], *, name: str) -> list[str]:
    """Raise on missing or repeated columns; return a warning for ignored ones."""
    counts = Counter(n for n in names if n)
    repeated = sorted(n for n, count in counts.items() if count > 1)
    if repeated:
        raise InputFileError(
            f"request file {name}: the header repeats column(s) {', '.join(repeated)}; "
            "each column must appear once"
        )
    present = set(names)
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if "zip" not in present and not {"city", "state"} <= present:
        missing.append("zip (or city and state)")
    if missing:
        raise InputFileError(
            f"request file {name}: the header lacks required column(s) {', '.join(missing)}; "
            f"the columns are: {', '.join(REQUEST_COLUMNS)}"
        )
    unknown = [n or f"(unnamed column {i + 1})" for i, n in enumerate(names)]
    unknown = [u for u, n in zip(unknown, names, strict=True) if n not in REQUEST_COLUMNS]
    return [f"unknown columns ignored: {', '.join(unknown)}"] if unknown else []


def _parse_csv_fast(data: bytes, start: int, names: list[str], delimiter: str) -> _Parsed | None:
    """pyarrow's reader; None when it refuses the data (the slow path then takes the file).

    Rows with the wrong field count are skipped and reported by pyarrow with their record
    number (1-based, blank lines not counted: the same numbering as ours). It numbers them
    only when reading on one thread, which on two cores is also the faster way here.
    """
    column_names = [f"c{i}" for i in range(len(names))]
    skipped: list[tuple[int | None, int, str]] = []

    def on_invalid(row: Any) -> str:
        skipped.append((row.number, row.actual_columns, row.text))
        return "skip"

    if not _NOT_NEWLINE.search(data, start):
        table = pa.table({c: pa.array([], pa.string()) for c in column_names})
    else:
        try:
            table = pa_csv.read_csv(
                pa.py_buffer(memoryview(data)[start:]),
                read_options=pa_csv.ReadOptions(
                    column_names=column_names,
                    block_size=_block_size(len(data) - start),
                    use_threads=False,
                ),
                parse_options=pa_csv.ParseOptions(
                    delimiter=delimiter,
                    newlines_in_values=True,
                    ignore_empty_lines=True,
                    invalid_row_handler=on_invalid,
                ),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(column_names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    total = table.num_rows + len(skipped)
    skipped_numbers = np.asarray([s[0] if s[0] is not None else 0 for s in skipped], np.int64)
    if skipped_numbers.size and (skipped_numbers.min() < 1 or skipped_numbers.max() > total):
        return None  # numbering unknown: let the slow path count
    keep = np.ones(total + 1, dtype=bool)
    keep[0] = False
    keep[skipped_numbers] = False
    numbers = np.flatnonzero(keep).astype(np.int64)
    if len(numbers) != table.num_rows:
        return None
    rid = names.index("request_id") if "request_id" in names else -1
    bad = []
    for number, width, text in skipped:
        fields = next(csv.reader([text], delimiter=delimiter), [])
        detail = _field_count_problem(width, len(names))
        bad.append(_Bad(int(number or 0), _recover_id(fields, rid), detail))
    return _Parsed(
        names=names,
        columns=[table.column(c).combine_chunks() for c in column_names],
        numbers=numbers,
        bad=bad,
        rows_read=total,
    )


def _field_count_problem(found: int, width: int) -> str:
    return (
        f"the row has {found} fields but the header has {width}: quote fields that contain "
        "the delimiter or a quote, and give every column"
    )


def _parse_csv_slow(
    body: str,
    names: list[str],
    delimiter: str,
    *,
    max_rows: int,
    lines_before: int = 1,
    undecodable: bool = False,
) -> _Parsed:
    """Python's csv module, row by row: a bad row is recorded and reading goes on.

    `undecodable`: the text holds bytes that were not UTF-8 (as lone surrogates).
    """
    width = len(names)
    rid = names.index("request_id") if "request_id" in names else -1
    good: list[tuple[str, ...]] = []
    numbers: list[int] = []
    bad: list[_Bad] = []
    row_number = 0
    old_limit = csv.field_size_limit(max(len(body) + 1, csv.field_size_limit()))
    try:
        reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
        while True:
            first_line = reader.line_num + 1 + lines_before
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row_number += 1
                bad.append(_Bad(row_number, None, f"line {first_line} is not valid CSV ({exc})"))
                continue
            if len(fields) == width and not (undecodable and _UNDECODABLE.search("".join(fields))):
                row_number += 1
                good.append(tuple(fields))  # tuples of str leave the GC alone
                numbers.append(row_number)
                if row_number > max_rows:
                    break  # the caller raises on the row cap
                continue
            if not fields:
                continue  # an empty line is no record (pyarrow skips it too)
            row_number += 1
            lines = _line_span(first_line, reader.line_num + lines_before)
            if len(fields) != width:
                problem = f"{_field_count_problem(len(fields), width)} ({lines})"
            else:
                problem = (
                    f"the row holds bytes that are not UTF-8 ({lines}): save the file as UTF-8"
                )
            bad.append(_Bad(row_number, _recover_id(fields, rid), problem))
            if row_number > max_rows:
                break
    finally:
        csv.field_size_limit(old_limit)
    columns = list(zip(*good, strict=True)) if good else [() for _ in names]
    return _Parsed(
        names=names,
        columns=[pa.array(col, pa.string()) for col in columns],
        numbers=np.asarray(numbers, dtype=np.int64),
        bad=bad,
        rows_read=row_number,
    )


def _line_span(first: int, last: int) -> str:
    return f"line {first}" if last <= first else f"lines {first}-{last}"


def _recover_id(fields: list[str], index: int) -> str | None:
    if not 0 <= index < len(fields):
        return None
    value = fields[index].strip()
    if not value or len(value) > 200 or "\x00" in value or _REPLACEMENT in value:
        return None
    if _SURROGATE.search(value):
        return None
    return value


def _check_row_cap(rows_read: int, max_rows: int, *, name: str) -> None:
    if rows_read > max_rows:
        raise InputFileError(
            f"request file {name} has more than {max_rows:,} data rows, the most a batch may "
            "hold; split it into smaller batches"
        )


# --- Parquet -----------------------------------------------------------------------------


def _read_parquet(data: bytes, *, name: str, max_rows: int, max_field_chars: int) -> ReadResult:
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        file_names = list(parquet.schema_arrow.names)
    except (pa.ArrowException, OSError) as exc:
        raise InputFileError(
            f"request file {name} is not a readable Parquet file ({exc}); write it again"
        ) from exc
    names = _header_names(file_names)
    warnings = _check_header(names, name=name)
    _check_row_cap(parquet.metadata.num_rows, max_rows, name=name)
    wanted = [i for i, n in enumerate(names) if n in REQUEST_COLUMNS]
    try:
        table = parquet.read(columns=[file_names[i] for i in wanted])
    except (pa.ArrowException, OSError) as exc:
        raise InputFileError(f"request file {name}: cannot read its data ({exc})") from exc
    n = table.num_rows
    undecodable = np.zeros(n, dtype=bool)
    columns: list[pa.Array] = []
    for position, i in enumerate(wanted):
        text, bad = _as_text(table.column(position).combine_chunks(), column=names[i], name=name)
        columns.append(text)
        undecodable |= bad
    parsed = _Parsed(
        names=[names[i] for i in wanted],
        columns=columns,
        numbers=np.arange(1, n + 1, dtype=np.int64),
        bad=[],
        rows_read=n,
    )
    if undecodable.any():
        parsed = _drop_rows(parsed, undecodable, "a text field holds bytes that are not UTF-8")
    return _to_result(
        parsed,
        max_field_chars=max_field_chars,
        encoding="utf-8",
        delimiter=None,
        warnings=warnings,
        file_format="parquet",
    )


def _as_text(values: pa.Array, *, column: str, name: str) -> tuple[pa.Array, np.ndarray]:
    """A Parquet column as strings, and which rows hold bytes that are not UTF-8."""
    kind = values.type
    no_bad = np.zeros(len(values), dtype=bool)
    if pa.types.is_dictionary(kind):
        return _as_text(values.dictionary_decode(), column=column, name=name)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        return values.cast(pa.string()), no_bad
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        decoded: list[str | None] = []
        bad = no_bad.copy()
        for i, item in enumerate(values.to_pylist()):
            try:
                decoded.append(None if item is None else item.decode("utf-8"))
            except UnicodeDecodeError:
                decoded.append(None)
                bad[i] = True
        return pa.array(decoded, pa.string()), bad
    if pa.types.is_floating(kind):
        # pandas stores integer columns with gaps as floats: 2023.0 means 2023.
        clean = pc.if_else(pc.is_nan(values), pa.scalar(None, kind), values)
        whole = pc.and_(pc.is_finite(clean), pc.equal(clean, pc.floor(clean)))
        as_int = pc.cast(pc.cast(pc.if_else(whole, clean, 0), pa.int64(), safe=False), pa.string())
        return pc.if_else(whole, as_int, pc.cast(clean, pa.string())), no_bad
    if pa.types.is_timestamp(kind):
        return pc.cast(pc.cast(values, pa.date32()), pa.string()), no_bad
    if pa.types.is_nested(kind):
        raise InputFileError(
            f"request file {name}: column {column} is {kind}, not text; give it as text"
        )
    try:
        return pc.cast(values, pa.string()), no_bad
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InputFileError(
            f"request file {name}: column {column} of type {kind} cannot be read as text"
        ) from exc


# --- JSON Lines --------------------------------------------------------------------------


def _read_jsonl(data: bytes, *, name: str, max_rows: int, max_field_chars: int) -> ReadResult:
    source = _decode(data, name=name)
    fast = None if source.undecodable else _parse_jsonl_fast(source.data)
    if fast is not None:
        _check_row_cap(fast.rows_read, max_rows, name=name)
        return _to_result(
            fast,
            max_field_chars=max_field_chars,
            encoding=source.encoding,
            delimiter=None,
            warnings=list(source.warnings),
            file_format="jsonl",
            marked=source.marked,
        )
    text = source.text()
    lines = _JsonLines(
        undecodable=source.undecodable or source.marked,
        escapes=_SURROGATE_ESCAPE.search(text),
    )
    records: list[dict[str, str | None]] = []
    numbers: list[int] = []
    bad: list[_Bad] = []
    row_number = 0
    for line_number, line in enumerate(text.split("\n"), start=1):
        if not line or line.isspace():
            continue
        row_number += 1
        if row_number > max_rows:
            break
        record, problem = lines.record(line)
        if problem is None:
            records.append(record)
            numbers.append(row_number)
        else:
            bad.append(
                _Bad(
                    row_number, _clean_id(record.get("request_id")), f"line {line_number} {problem}"
                )
            )
    _check_row_cap(row_number, max_rows, name=name)
    if not records and bad:
        raise InputFileError(
            f"request file {name} is not JSON Lines: no line is a JSON object "
            f"(row 1: {bad[0].detail}); write one JSON object per line"
        )
    warnings = [*source.warnings, *_check_header(sorted(lines.keys), name=name)]
    present = [c for c in REQUEST_COLUMNS if c in lines.keys]
    parsed = _Parsed(
        names=present,
        columns=[pa.array([r.get(c) for r in records], pa.string()) for c in present],
        numbers=np.asarray(numbers, dtype=np.int64),
        bad=bad,
        rows_read=row_number,
    )
    return _to_result(
        parsed,
        max_field_chars=max_field_chars,
        encoding=source.encoding,
        delimiter=None,
        warnings=warnings,
        file_format="jsonl",
    )


def _parse_jsonl_fast(data: bytes) -> _Parsed | None:
    """pyarrow's JSON reader for the plain case: one object per line, only our keys, text
    or null values. None for anything else: the line-by-line reader then takes the file."""
    first = _NON_BLANK.search(data)
    last = len(data)
    while last > 0 and data[last - 1 : last].isspace():
        last -= 1
    if first is None:
        return None
    start = first.start()
    lines = data.count(b"\n", start, last) + 1
    try:
        table = pa_json.read_json(
            pa.py_buffer(memoryview(data)[start:last]),
            read_options=pa_json.ReadOptions(
                use_threads=False, block_size=_block_size(last - start)
            ),
            parse_options=pa_json.ParseOptions(
                explicit_schema=_JSON_SCHEMA, unexpected_field_behavior="error"
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    n = table.num_rows
    # Every line one record (no blank lines, no two objects on a line), and every required
    # key in use: only then do the record numbers and the header check stand.
    if n != lines or any(table.column(c).null_count == n for c in REQUIRED_COLUMNS):
        return None
    return _Parsed(
        names=list(REQUEST_COLUMNS),
        columns=[table.column(c).combine_chunks() for c in REQUEST_COLUMNS],
        numbers=np.arange(1, n + 1, dtype=np.int64),
        bad=[],
        rows_read=n,
    )


class _JsonLines:
    """Turns JSON Lines into records of strings; remembers every key seen."""

    def __init__(self, *, undecodable: bool, escapes: object) -> None:
        self.undecodable = undecodable
        self.escapes = bool(escapes)  # a \uD800-\uDFFF escape somewhere: check values
        self.keys: set[str] = set()
        self._names: dict[str, str] = {}

    def record(self, line: str) -> tuple[dict[str, str | None], str | None]:
        """The line's known columns as strings, and what is wrong with it (or None)."""
        if self.undecodable and (_UNDECODABLE.search(line) or _REPLACEMENT in line):
            return {}, "holds bytes that are not UTF-8: save the file as UTF-8"
        try:
            obj: Any = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nesting too deep"
            return {}, f"is not valid JSON ({why}): write one JSON object per line"
        if not isinstance(obj, dict):
            return {}, 'is not a JSON object: write one object per line, e.g. {"request_id": ...}'
        record: dict[str, str | None] = {}
        problem = None
        for raw_key, value in obj.items():
            key = self._names.get(raw_key)
            if key is None:
                key = self._names.setdefault(raw_key, _header_names([raw_key])[0])
                self.keys.add(key)
            if key in record:
                problem = problem or f"repeats the key {key}"
            if value is None or isinstance(value, str):
                text = value
            elif isinstance(value, bool | int | float):
                text = json.dumps(value)
            else:
                problem = problem or f"has a {type(value).__name__} in {key}, not a single value"
                text = None
            if self.escapes and text is not None and _SURROGATE.search(text):
                problem = problem or f"has an invalid Unicode escape in {key}"
                text = None
            record[key] = text
        return record, problem


# --- shared ------------------------------------------------------------------------------


def _drop_rows(parsed: _Parsed, mask: np.ndarray, details: list[str] | str) -> _Parsed:
    """Move the rows under `mask` to the malformed ones, with one detail each (or one for all)."""
    index = np.flatnonzero(mask)
    ids = _ids_at(parsed, index)
    notes = [details] * len(index) if isinstance(details, str) else details
    bad = [
        _Bad(int(parsed.numbers[i]), _clean_id(rid), note)
        for i, rid, note in zip(index, ids, notes, strict=True)
    ]
    keep = pa.array(~mask)
    return _Parsed(
        names=parsed.names,
        columns=[c.filter(keep) for c in parsed.columns],
        numbers=parsed.numbers[~mask],
        bad=[*parsed.bad, *bad],
        rows_read=parsed.rows_read,
    )


def _ids_at(parsed: _Parsed, index: np.ndarray) -> list[Any]:
    if "request_id" not in parsed.names:
        return [None] * len(index)
    column = parsed.columns[parsed.names.index("request_id")]
    values: list[Any] = pc.take(column, pa.array(index, pa.int64())).to_pylist()
    return values


def _clean_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _recover_id([value], 0)


def _screen(parsed: _Parsed, max_field_chars: int, *, may_hold_nul: bool, marked: bool) -> _Parsed:
    """Rows with a NUL byte, an oversized field or (`marked`) a bad byte become malformed."""
    n = len(parsed.numbers)
    flagged = np.zeros(n, dtype=bool)
    problems: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    nothing = np.zeros(n, dtype=bool)
    for column in parsed.columns:
        nul = _to_bool(pc.match_substring(column, "\x00")) if may_hold_nul else nothing
        bad = _to_bool(pc.match_substring(column, _REPLACEMENT)) if marked else nothing
        long = nothing
        # Bytes bound characters from above: most columns need no character count.
        if n and (pc.max(pc.binary_length(column)).as_py() or 0) > max_field_chars:
            long = _to_bool(pc.greater(pc.utf8_length(column), max_field_chars))
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
    return _drop_rows(parsed, flagged, details)


def _labels(names: list[str]) -> list[str]:
    return [f"field {n}" if n else f"column {i + 1}" for i, n in enumerate(names)]


def _to_bool(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _clean_text(values: pa.Array) -> pa.Array:
    """Strip surrounding whitespace; an empty value is a null."""
    stripped = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)


def _to_result(
    parsed: _Parsed,
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
    for column in REQUEST_COLUMNS:
        values = by_name.get(column)
        arrays.append(_clean_text(values) if values is not None else pa.nulls(n, pa.string()))
    rows = pa.Table.from_arrays(arrays, schema=ROWS_SCHEMA)
    ordered = sorted(parsed.bad, key=lambda b: b.row_number)
    malformed = pa.Table.from_pydict(
        {
            "row_number": [b.row_number for b in ordered],
            "request_id": [b.request_id for b in ordered],
            "detail": [_printable(b.detail) for b in ordered],
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
        warnings=tuple(_printable(w) for w in warnings),
        file_format=file_format,
    )


def _printable(text: str) -> str:
    """Text that encodes as UTF-8: a lone surrogate (from a bad byte or escape) becomes '?'."""
    return text.encode("utf-8", errors="replace").decode("utf-8")
