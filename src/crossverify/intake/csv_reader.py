"""CSV/TSV request files: header and delimiter, then pyarrow's reader or Python's `csv`.

pyarrow's reader runs on one thread: it skips rows with the wrong field count and reports
each with its record number, so the other rows keep their exact numbers. When it refuses
the data (a record larger than its block, or bad bytes in a file that already holds
U+FFFD), the whole file is re-read with Python's `csv` module, slower but row by row.
Either way one parser reads a file, so the accounting is exact.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from crossverify.errors import InputFileError
from crossverify.intake.decoding import UNDECODABLE, decode
from crossverify.intake.rows import (
    Bad,
    Limits,
    Parsed,
    ReadResult,
    block_size,
    check_header,
    check_row_cap,
    header_names,
    recover_id,
    to_result,
)
from crossverify.types import REQUEST_COLUMNS

DELIMITERS: tuple[str, ...] = (",", ";", "|", "\t")

_NOT_NEWLINE = re.compile(rb"[^\r\n]")

_LINE_END = re.compile(rb"\r\n|\r|\n")


def read_csv(raw: bytes, *, name: str, prefer_tab: bool, limits: Limits) -> ReadResult:
    source = decode(raw, name=name)
    header_line, data_start, lines_before = _header_line(source.data)
    delimiter = _sniff_delimiter(header_line, prefer_tab=prefer_tab)
    if header_line.count('"') % 2:
        raise InputFileError(f'request file {name}: the header row has an unmatched quote (")')
    names = header_names(next(csv.reader([header_line], delimiter=delimiter)))
    warnings = [
        *source.warnings,
        *check_header(names, name=name, required=limits.required_columns),
    ]
    parsed = None
    if not source.undecodable:
        parsed = _parse_csv_fast(source.data, data_start, names, delimiter)
    if parsed is None:
        body = source.data[data_start:].decode("utf-8", errors="surrogateescape")
        parsed = _parse_csv_slow(
            body,
            names,
            delimiter,
            max_rows=limits.max_rows,
            lines_before=lines_before,
            undecodable=source.undecodable,
        )
    check_row_cap(parsed.rows_read, limits.max_rows, name=name)
    return to_result(
        parsed,
        max_field_chars=limits.max_field_chars,
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
    raise InputFileError("the request file has no header row")  # decode rejects blank files


def _sniff_delimiter(header_line: str, *, prefer_tab: bool) -> str:
    def score(delimiter: str) -> tuple[int, int, bool, bool]:
        fields = header_names(next(csv.reader([header_line], delimiter=delimiter)))
        known = sum(1 for f in fields if f in REQUEST_COLUMNS)
        return known, len(fields), prefer_tab == (delimiter == "\t"), delimiter == ","

    return max(DELIMITERS, key=score)


def _parse_csv_fast(data: bytes, start: int, names: list[str], delimiter: str) -> Parsed | None:
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
                    block_size=block_size(len(data) - start),
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
        bad.append(Bad(int(number or 0), recover_id(fields, rid), detail))
    return Parsed(
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
) -> Parsed:
    """Python's csv module, row by row: a bad row is recorded and reading goes on.

    `undecodable`: the text holds bytes that were not UTF-8 (as lone surrogates).
    """
    width = len(names)
    rid = names.index("request_id") if "request_id" in names else -1
    good: list[tuple[str, ...]] = []
    numbers: list[int] = []
    bad: list[Bad] = []
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
                bad.append(Bad(row_number, None, f"line {first_line} is not valid CSV ({exc})"))
                continue
            if len(fields) == width and not (undecodable and UNDECODABLE.search("".join(fields))):
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
            bad.append(Bad(row_number, recover_id(fields, rid), problem))
            if row_number > max_rows:
                break
    finally:
        csv.field_size_limit(old_limit)
    columns = list(zip(*good, strict=True)) if good else [() for _ in names]
    return Parsed(
        names=names,
        columns=[pa.array(col, pa.string()) for col in columns],
        numbers=np.asarray(numbers, dtype=np.int64),
        bad=bad,
        rows_read=row_number,
    )


def _line_span(first: int, last: int) -> str:
    return f"line {first}" if last <= first else f"lines {first}-{last}"
