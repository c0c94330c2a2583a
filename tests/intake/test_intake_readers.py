"""Reading request files: formats, encodings, delimiters, malformed rows, file-level errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from intake_rows import GOOD_ROW, csv_line, request_csv

from crossverify.errors import InputFileError
from crossverify.intake.readers import (
    MALFORMED_SCHEMA,
    ROWS_SCHEMA,
    ReadResult,
    _parse_csv_slow,
    read_request_bytes,
    read_request_file,
)
from crossverify.types import REQUEST_COLUMNS

Write = Callable[[str, "str | bytes"], Path]
HEADER = csv_line(list(REQUEST_COLUMNS))


def read(path: Path, max_rows: int = 1000, max_field_chars: int = 1000) -> ReadResult:
    result = read_request_file(path, max_rows=max_rows, max_field_chars=max_field_chars)
    assert result.rows.schema == ROWS_SCHEMA
    assert result.malformed.schema == MALFORMED_SCHEMA
    assert result.rows_read == result.rows.num_rows + result.malformed.num_rows
    numbers = sorted(
        result.rows.column("row_number").to_pylist()
        + result.malformed.column("row_number").to_pylist()
    )
    assert numbers == list(range(1, result.rows_read + 1))
    return result


def good_values(request_id: str) -> list[str]:
    return [{**GOOD_ROW, "request_id": request_id}[c] for c in REQUEST_COLUMNS]


def test_csv_rows_are_strings_stripped_with_nulls(write_file: Write) -> None:
    text = request_csv([{"first_name": "  Maria  ", "city": " "}, {}])
    result = read(write_file("r.csv", text))
    assert result.encoding == "utf-8"
    assert result.delimiter == ","
    assert result.warnings == ()
    assert result.file_format == "csv"
    first, second = result.rows.to_pylist()
    assert first["row_number"] == 1 and second["row_number"] == 2
    assert first["first_name"] == "Maria"
    assert first["city"] is None and first["middle_name"] is None
    assert second["tax_period_start"] == "2021"


def test_missing_optional_columns_are_nulls_and_unknown_ones_are_warned(write_file: Write) -> None:
    columns = [c for c in REQUEST_COLUMNS if c not in ("middle_name", "dob", "tin", "zip")]
    values = [GOOD_ROW[c] for c in columns]
    text = "\n".join([csv_line([*columns, "Notes", "x"]), csv_line([*values, "hi", "1"])])
    result = read(write_file("r.csv", text))
    row = result.rows.to_pylist()[0]
    assert row["dob"] is None and row["zip"] is None and row["city"] == "Austin"
    assert result.warnings == ("unknown columns ignored: notes, x",)


def test_header_names_are_normalized(write_file: Write) -> None:
    header = csv_line([c.replace("_", " ").title() for c in REQUEST_COLUMNS])
    result = read(write_file("r.csv", header + "\n" + csv_line(good_values("A")) + "\n"))
    assert result.rows.column("request_id").to_pylist() == ["A"]


def test_utf8_bom(write_file: Write) -> None:
    result = read(write_file("r.csv", b"\xef\xbb\xbf" + request_csv([{}]).encode()))
    assert result.encoding == "utf-8-sig"
    assert result.rows.column("request_id").to_pylist() == ["REQ-1"]


def test_latin1_fallback_is_reported(write_file: Write) -> None:
    text = request_csv([{"first_name": "José", "last_name": "Muñoz"}])
    result = read(write_file("r.csv", text.encode("latin-1")))
    assert result.encoding == "latin-1"
    assert any("Latin-1" in w for w in result.warnings)
    row = result.rows.to_pylist()[0]
    assert (row["first_name"], row["last_name"]) == ("José", "Muñoz")


def test_stray_bytes_in_a_utf8_file_make_only_that_row_malformed(write_file: Write) -> None:
    text = request_csv([{"first_name": "José"}, {"last_name": "BAD"}, {"last_name": "Núñez"}])
    data = text.encode("utf-8").replace(b"BAD", b"B\xffD")
    result = read(write_file("r.csv", data))
    assert result.encoding == "utf-8"
    assert result.rows.column("row_number").to_pylist() == [1, 3]
    bad = result.malformed.to_pylist()
    assert bad[0]["row_number"] == 2 and bad[0]["request_id"] == "REQ-2"
    assert (
        bad[0]["detail"]
        == "field last_name holds bytes that are not UTF-8 (save the file as UTF-8)"
    )


@pytest.mark.parametrize(
    ("name", "delimiter"), [("r.csv", ";"), ("r.tsv", "\t"), ("r.txt", "\t"), ("r.csv", "|")]
)
def test_delimiters_are_sniffed(write_file: Write, name: str, delimiter: str) -> None:
    text = request_csv([{"street": "1 Main St, Apt 2"}, {}], delimiter=delimiter)
    result = read(write_file(name, text))
    assert result.delimiter == delimiter
    assert result.rows.column("street").to_pylist() == ["1 Main St, Apt 2", GOOD_ROW["street"]]


def test_embedded_newlines_in_quotes(write_file: Write) -> None:
    text = request_csv([{"street": "12 Elm St\nApt 3"}, {"street": 'The "Loft"\r\n5 Oak Rd'}, {}])
    result = read(write_file("r.csv", text))
    assert result.rows_read == 3 and result.malformed.num_rows == 0
    assert result.rows.column("street").to_pylist()[:2] == [
        "12 Elm St\nApt 3",
        'The "Loft"\r\n5 Oak Rd',
    ]


def test_crlf_line_endings_and_blank_lines(write_file: Write) -> None:
    text = request_csv([{}, {}]).replace("\n", "\r\n")
    text = "\r\n" + text.replace("\r\nREQ-2", "\r\n\r\nREQ-2") + "\r\n\r\n"
    result = read(write_file("r.csv", text))
    assert result.rows.column("request_id").to_pylist() == ["REQ-1", "REQ-2"]
    assert result.rows.column("row_number").to_pylist() == [1, 2]


def test_ragged_rows_are_malformed_and_reading_goes_on(write_file: Write) -> None:
    lines = [
        HEADER,
        csv_line(good_values("A")),
        "B,too,few",
        csv_line(good_values("C")),
        csv_line([*good_values("D"), "extra"]),
        csv_line(good_values("E")).replace("123 N Main St Apt 4", '"12 Elm St\nApt 3"'),
        "   ",
        csv_line(good_values("F")),
    ]
    result = read(write_file("r.csv", "\n".join(lines) + "\n"))
    assert result.rows_read == 7
    assert result.rows.column("request_id").to_pylist() == ["A", "C", "E", "F"]
    assert result.rows.column("row_number").to_pylist() == [1, 3, 5, 7]
    bad = result.malformed.to_pylist()
    assert [(b["row_number"], b["request_id"]) for b in bad] == [(2, "B"), (4, "D"), (6, None)]
    assert "3 fields but the header has 16" in bad[0]["detail"]
    assert "17 fields" in bad[1]["detail"]


def test_nul_bytes_and_oversized_fields(write_file: Write) -> None:
    text = request_csv([{}, {"street": "12 Elm\x00 St"}, {"city": "x" * 50}, {}])
    result = read(write_file("r.csv", text), max_field_chars=40)
    assert result.rows.column("row_number").to_pylist() == [1, 4]
    bad = result.malformed.to_pylist()
    assert [b["row_number"] for b in bad] == [2, 3]
    assert [b["request_id"] for b in bad] == ["REQ-2", "REQ-3"]
    assert "field street holds a NUL byte" in bad[0]["detail"]
    assert "field city is longer than 40 characters" in bad[1]["detail"]


def test_a_ragged_row_with_nul_and_oversize_rows_too(write_file: Write) -> None:
    """The slow path (after a ragged row) screens fields the same way."""
    text = request_csv([{"street": "12 Elm\x00 St"}, {"city": "y" * 2000}, {}]) + "Z,1\n"
    result = read(write_file("r.csv", text))
    assert result.rows.column("row_number").to_pylist() == [3]
    assert [b["row_number"] for b in result.malformed.to_pylist()] == [1, 2, 4]


def test_unterminated_quote_swallows_into_one_malformed_row(write_file: Write) -> None:
    text = request_csv([{}]) + 'B,"unterminated,x\n' + csv_line(good_values("C")) + "\n"
    result = read(write_file("r.csv", text))
    assert result.rows.column("request_id").to_pylist() == ["REQ-1"]
    assert result.rows_read == 2
    assert result.malformed.column("request_id").to_pylist() == ["B"]


def test_fast_and_slow_csv_paths_agree(write_file: Write) -> None:
    text = request_csv([{"street": '12 "Elm" St\nApt 3'}, {"city": "  Austin "}, {}])
    fast = read(write_file("r.csv", text))
    body = text.split("\n", 1)[1]
    slow = _parse_csv_slow(body, list(REQUEST_COLUMNS), ",", max_rows=100)
    assert slow.rows_read == fast.rows_read and not slow.bad
    assert [c.to_pylist() for c in slow.columns][7] == [
        '12 "Elm" St\nApt 3',
        GOOD_ROW["street"],
        GOOD_ROW["street"],
    ]


def test_header_only_gives_no_rows(write_file: Write) -> None:
    result = read(write_file("r.csv", HEADER + "\n"))
    assert result.rows_read == 0 and result.rows.num_rows == 0


@pytest.mark.parametrize("content", [b"", b"   \n\r\n", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(write_file: Write, content: bytes) -> None:
    with pytest.raises(InputFileError, match="empty"):
        read(write_file("r.csv", content))


def test_missing_header_columns_are_named(write_file: Write) -> None:
    columns = [c for c in REQUEST_COLUMNS if c not in ("street", "criminal_statute", "zip")]
    header = csv_line([c for c in columns if c != "state"])
    with pytest.raises(InputFileError) as caught:
        read(write_file("r.csv", header + "\n"))
    message = caught.value.message
    assert "street" in message and "criminal_statute" in message
    assert "zip (or city and state)" in message


def test_duplicated_header_columns_are_named(write_file: Write) -> None:
    header = csv_line([*REQUEST_COLUMNS, "Street", "notes", "notes"])
    with pytest.raises(InputFileError, match=r"repeats column\(s\) notes, street"):
        read(write_file("r.csv", header + "\n"))


def test_row_cap(write_file: Write) -> None:
    text = request_csv([{}, {}, {}])
    assert read(write_file("r.csv", text), max_rows=3).rows_read == 3
    with pytest.raises(InputFileError, match="more than 2 data rows"):
        read(write_file("r.csv", text), max_rows=2)
    with pytest.raises(InputFileError, match="more than 2 data rows"):
        read(write_file("r.csv", text + "X,ragged\n"), max_rows=2)


def test_utf16_and_unknown_extension_are_refused(write_file: Write) -> None:
    with pytest.raises(InputFileError, match="UTF-16"):
        read(write_file("r.csv", request_csv([{}]).encode("utf-16")))
    with pytest.raises(InputFileError, match="unknown extension"):
        read(write_file("r.xlsx", request_csv([{}])))
    with pytest.raises(InputFileError, match="cannot read"):
        read(Path("/nonexistent/requests.csv"))


# --- Parquet -------------------------------------------------------------------------------


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    table = pa.table(
        {
            **{c: [GOOD_ROW[c], " B "] for c in REQUEST_COLUMNS if not c.startswith("tax_")},
            "tax_period_start": pa.array([2021, None], pa.int64()),
            "tax_period_end": pa.array([2023.0, 2024.0], pa.float64()),
            "removal_order_date": pa.array([None, 18000], pa.int32()).cast(pa.date32()),
            "extra": [1, 2],
        }
    )
    path = tmp_path / "r.parquet"
    pq.write_table(table, path)
    result = read(path)
    assert result.delimiter is None and result.file_format == "parquet"
    rows = result.rows.to_pylist()
    assert (rows[0]["tax_period_start"], rows[0]["tax_period_end"]) == ("2021", "2023")
    assert rows[1]["tax_period_start"] is None and rows[1]["request_id"] == "B"
    assert rows[1]["removal_order_date"] == "2019-04-14"
    assert result.warnings == ("unknown columns ignored: extra",)


def test_parquet_errors(tmp_path: Path, write_file: Write) -> None:
    with pytest.raises(InputFileError, match="not a readable Parquet"):
        read(write_file("r.parquet", b"PAR1 not really"))
    path = tmp_path / "short.parquet"
    pq.write_table(pa.table({"request_id": ["A"]}), path)
    with pytest.raises(InputFileError, match="lacks required column"):
        read(path)
    full = tmp_path / "full.parquet"
    pq.write_table(pa.table({c: [GOOD_ROW[c]] * 3 for c in REQUEST_COLUMNS}), full)
    with pytest.raises(InputFileError, match="more than 2"):
        read(full, max_rows=2)


def test_parquet_binary_column_with_bad_bytes(tmp_path: Path) -> None:
    columns = {c: [GOOD_ROW[c]] * 2 for c in REQUEST_COLUMNS}
    columns["last_name"] = pa.array([b"Garcia", b"Gar\xffcia"], pa.binary())
    path = tmp_path / "r.parquet"
    pq.write_table(pa.table(columns), path)
    result = read(path)
    assert result.rows.column("last_name").to_pylist() == ["Garcia"]
    assert result.malformed.column("row_number").to_pylist() == [2]


# --- JSON Lines ----------------------------------------------------------------------------


def jsonl(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.mark.parametrize("name", ["r.jsonl", "r.ndjson"])
def test_jsonl_plain(write_file: Write, name: str) -> None:
    result = read(write_file(name, jsonl(GOOD_ROW, {**GOOD_ROW, "request_id": "B"})))
    assert result.file_format == "jsonl" and result.delimiter is None
    assert result.rows.column("request_id").to_pylist() == ["REQ-1", "B"]
    assert result.rows.column("middle_name").to_pylist() == [None, None]


def test_jsonl_line_by_line(write_file: Write) -> None:
    text = (
        jsonl({**GOOD_ROW, "tax_period_start": 2021, "Notes": "x"})
        + "\n   \n"
        + "{not json}\n"
        + jsonl([1, 2], {**GOOD_ROW, "request_id": "N", "street": {"line": 1}})
        + jsonl({k: v for k, v in GOOD_ROW.items() if k != "dob"} | {"request_id": "Z"})
    )
    result = read(write_file("r.jsonl", text))
    assert result.rows_read == 5
    assert result.rows.column("row_number").to_pylist() == [1, 5]
    assert result.rows.column("tax_period_start").to_pylist() == ["2021", "2021"]
    assert result.rows.column("dob").to_pylist() == [GOOD_ROW["dob"], None]
    bad = result.malformed.to_pylist()
    assert [(b["row_number"], b["request_id"]) for b in bad] == [(2, None), (3, None), (4, "N")]
    assert "line 4 is not valid JSON" in bad[0]["detail"]
    assert "not a JSON object" in bad[1]["detail"]
    assert "not a single value" in bad[2]["detail"]
    assert result.warnings == ("unknown columns ignored: notes",)


def test_jsonl_file_errors(write_file: Write) -> None:
    with pytest.raises(InputFileError, match="not JSON Lines"):
        read(write_file("r.jsonl", json.dumps([GOOD_ROW, GOOD_ROW], indent=2)))
    with pytest.raises(InputFileError, match="lacks required column"):
        read(write_file("r.jsonl", jsonl({"request_id": "A", "first_name": "B"})))
    with pytest.raises(InputFileError, match="more than 1 data rows"):
        read(write_file("r.jsonl", jsonl(GOOD_ROW, GOOD_ROW)), max_rows=1)


def test_read_request_bytes_matches_the_file_reader(write_file: Write) -> None:
    text = request_csv([{}, {"street": "a\nb"}])
    from_file = read(write_file("r.csv", text))
    from_bytes = read_request_bytes(text.encode(), name="r.csv", max_rows=10)
    assert from_bytes == from_file


def test_the_line_by_line_path_finds_the_same_problems(write_file: Write) -> None:
    """A stray byte in a file that also holds a real U+FFFD goes to Python's csv module."""
    text = request_csv(
        [
            {"first_name": "José", "last_name": "Núñez", "middle_name": "\ufffd"},
            {"street": "12 Elm\x00 St"},
            {"city": "y" * 2000},
            {},
            {},
        ]
    )
    lines = text.split("\n")
    lines.insert(3, 'R,"two\nlines",ragged')
    data = "\n".join(lines).encode().replace(b"REQ-5", b"REQ-\xff")
    result = read(write_file("r.csv", data))
    assert result.encoding == "utf-8"
    assert result.rows.column("row_number").to_pylist() == [1, 5]
    assert result.rows.column("middle_name").to_pylist()[0] == "\ufffd"
    bad = {b["row_number"]: b for b in result.malformed.to_pylist()}
    assert sorted(bad) == [2, 3, 4, 6]
    assert bad[3]["detail"].startswith("the row has 3 fields but the header has 16")
    assert "(lines 4-5)" in bad[3]["detail"]
    assert "NUL" in bad[2]["detail"] and "longer than 1000" in bad[4]["detail"]
    assert "not UTF-8 (line 8)" in bad[6]["detail"] and bad[6]["request_id"] is None


def test_stray_bytes_in_jsonl(write_file: Write) -> None:
    records = [{**GOOD_ROW, "first_name": "José", "last_name": "Núñez"}, GOOD_ROW, GOOD_ROW]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    data = text.encode().replace(b"Garcia", b"Gar\xffcia", 1)
    result = read(write_file("r.jsonl", data))
    assert result.rows.column("row_number").to_pylist() == [1, 3]
    assert "last_name holds bytes that are not UTF-8" in result.malformed.to_pylist()[0]["detail"]
    blank_lines = data.replace(b"\n", b"\n\n", 1)  # the line-by-line reader
    again = read(write_file("r.jsonl", blank_lines))
    assert again.rows.column("row_number").to_pylist() == [1, 3]
    assert "line 3 holds bytes that are not UTF-8" in again.malformed.to_pylist()[0]["detail"]


def test_jsonl_lone_surrogate_escapes(write_file: Write) -> None:
    good = json.dumps(GOOD_ROW)
    bad_value = json.dumps({**GOOD_ROW, "request_id": "B"})[:-1] + ', "street": "\\ud800"}'
    bad_key = json.dumps({**GOOD_ROW, "request_id": "C"})[:-1] + ', "\\udc00x": "1"}'
    result = read(write_file("r.jsonl", "\n".join([good, bad_value, bad_key]) + "\n"))
    assert result.rows.column("request_id").to_pylist() == ["REQ-1", "C"]
    bad = result.malformed.to_pylist()
    assert [(b["row_number"], b["request_id"]) for b in bad] == [(2, "B")]
    assert "invalid Unicode escape in street" in bad[0]["detail"]
    assert result.warnings == ("unknown columns ignored: ?x",)
