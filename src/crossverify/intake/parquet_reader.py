"""Parquet request files: typed columns read as text, bytes that are not UTF-8 per row."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from crossverify.errors import InputFileError
from crossverify.intake.rows import (
    Limits,
    Parsed,
    ReadResult,
    check_header,
    check_row_cap,
    drop_rows,
    header_names,
    to_result,
)
from crossverify.types import REQUEST_COLUMNS


def read_parquet(data: bytes, *, name: str, limits: Limits) -> ReadResult:
    try:
        parquet = pq.ParquetFile(pa.BufferReader(data))
        file_names = list(parquet.schema_arrow.names)
    except (pa.ArrowException, OSError) as exc:
        raise InputFileError(
            f"request file {name} is not a readable Parquet file ({exc}); write it again"
        ) from exc
    names = header_names(file_names)
    warnings = check_header(names, name=name, required=limits.required_columns)
    check_row_cap(parquet.metadata.num_rows, limits.max_rows, name=name)
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
    parsed = Parsed(
        names=[names[i] for i in wanted],
        columns=columns,
        numbers=np.arange(1, n + 1, dtype=np.int64),
        bad=[],
        rows_read=n,
    )
    if undecodable.any():
        parsed = drop_rows(parsed, undecodable, "a text field holds bytes that are not UTF-8")
    return to_result(
        parsed,
        max_field_chars=limits.max_field_chars,
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
