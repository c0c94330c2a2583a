"""JSON Lines request files: pyarrow's reader for plain files, else line by line."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.json as pa_json

from crossverify.errors import InputFileError
from crossverify.intake.decoding import NON_BLANK, UNDECODABLE, decode
from crossverify.intake.rows import (
    REPLACEMENT,
    SURROGATE,
    Bad,
    Limits,
    Parsed,
    ReadResult,
    block_size,
    check_header,
    check_row_cap,
    clean_id,
    header_names,
    to_result,
)
from crossverify.policy import missing_columns
from crossverify.types import REQUEST_COLUMNS

_JSON_SCHEMA = pa.schema([pa.field(c, pa.string()) for c in REQUEST_COLUMNS])

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def read_jsonl(data: bytes, *, name: str, limits: Limits) -> ReadResult:
    source = decode(data, name=name)
    max_rows = limits.max_rows
    fast = None if source.undecodable else _parse_jsonl_fast(source.data, limits.required_columns)
    if fast is not None:
        check_row_cap(fast.rows_read, max_rows, name=name)
        return to_result(
            fast,
            max_field_chars=limits.max_field_chars,
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
    bad: list[Bad] = []
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
                Bad(row_number, clean_id(record.get("request_id")), f"line {line_number} {problem}")
            )
    check_row_cap(row_number, max_rows, name=name)
    if not records and bad:
        raise InputFileError(
            f"request file {name} is not JSON Lines: no line is a JSON object "
            f"(row 1: {bad[0].detail}); write one JSON object per line"
        )
    header = check_header(sorted(lines.keys), name=name, required=limits.required_columns)
    warnings = [*source.warnings, *header]
    present = [c for c in REQUEST_COLUMNS if c in lines.keys]
    parsed = Parsed(
        names=present,
        columns=[pa.array([r.get(c) for r in records], pa.string()) for c in present],
        numbers=np.asarray(numbers, dtype=np.int64),
        bad=bad,
        rows_read=row_number,
    )
    return to_result(
        parsed,
        max_field_chars=limits.max_field_chars,
        encoding=source.encoding,
        delimiter=None,
        warnings=warnings,
        file_format="jsonl",
    )


def read_records(records: Sequence[Mapping[str, str | None]], *, limits: Limits) -> ReadResult:
    """JSON objects already parsed (a lookup's records, whose keys the API has checked), read
    as the same objects would be from a JSON Lines file, without writing and parsing it."""
    if len(records) > limits.max_rows:
        raise InputFileError(f"{len(records)} records: at most {limits.max_rows} are read at once")
    kept: list[Mapping[str, str | None]] = []
    numbers: list[int] = []
    bad: list[Bad] = []
    for row_number, record in enumerate(records, start=1):
        escaped = next((k for k, v in record.items() if v and SURROGATE.search(v)), None)
        if escaped is None:
            kept.append(record)
            numbers.append(row_number)
        else:
            bad.append(
                Bad(
                    row_number,
                    clean_id(record.get("request_id")),
                    f"record {row_number} has an invalid Unicode escape in {escaped}",
                )
            )
    parsed = Parsed(
        names=list(REQUEST_COLUMNS),
        columns=[pa.array([r.get(c) for r in kept], pa.string()) for c in REQUEST_COLUMNS],
        numbers=np.asarray(numbers, dtype=np.int64),
        bad=bad,
        rows_read=len(records),
    )
    return to_result(
        parsed,
        max_field_chars=limits.max_field_chars,
        encoding="utf-8",
        delimiter=None,
        warnings=[],
        file_format="records",
    )


def _parse_jsonl_fast(data: bytes, required: Sequence[str]) -> Parsed | None:
    """pyarrow's JSON reader for the plain case: one object per line, only our keys, text
    or null values. None for anything else: the line-by-line reader then takes the file."""
    first = NON_BLANK.search(data)
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
                use_threads=False, block_size=block_size(last - start)
            ),
            parse_options=pa_json.ParseOptions(
                explicit_schema=_JSON_SCHEMA, unexpected_field_behavior="error"
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    n = table.num_rows
    # Every line one record (no blank lines, no two objects on a line), and the required
    # keys in use: only then do the record numbers and the header check stand (a key that
    # is null on every line may be absent; the line-by-line reader tells).
    in_use = {c for c in REQUEST_COLUMNS if table.column(c).null_count < n}
    if n != lines or missing_columns(in_use, required):
        return None
    return Parsed(
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
        if self.undecodable and (UNDECODABLE.search(line) or REPLACEMENT in line):
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
                key = self._names.setdefault(raw_key, header_names([raw_key])[0])
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
            if self.escapes and text is not None and SURROGATE.search(text):
                problem = problem or f"has an invalid Unicode escape in {key}"
                text = None
            record[key] = text
        return record, problem
