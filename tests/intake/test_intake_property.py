"""Hostile input: whatever the bytes, intake either refuses the file or accounts for every row."""

from __future__ import annotations

import json
import os

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intake_rows import GOOD_ROW, TODAY, csv_line

from crossverify.errors import InputFileError
from crossverify.intake.batch import check_accounting, malformed_rejects
from crossverify.intake.readers import read_request_bytes, read_request_records
from crossverify.intake.validate import validate_requests
from crossverify.policy import Policy
from crossverify.types import REQUEST_COLUMNS

# `make fuzz` multiplies every example budget (CROSSVERIFY_FUZZ_SCALE); the default run stays quick.
FUZZ_SCALE = int(os.environ.get("CROSSVERIFY_FUZZ_SCALE", "1"))
NASTY = '",;\t|\n\r\x00 xé\ufeff\\'
CELLS = st.one_of(
    st.sampled_from([*GOOD_ROW.values(), "", "FNU", "Unknown", "all years", "*", "13/45/2020"]),
    st.text(max_size=12),
    st.text(alphabet=NASTY, max_size=12),
    st.integers(1001, 2500).map(lambda n: "x" * n),  # over max_field_chars
)
HEADERS = st.sampled_from(
    [
        csv_line(list(REQUEST_COLUMNS)),
        csv_line(list(REQUEST_COLUMNS), ";"),
        csv_line(list(REQUEST_COLUMNS), "\t"),
        csv_line([*REQUEST_COLUMNS, "extra"]),
        csv_line(list(REQUEST_COLUMNS[:-1])),
        csv_line([*REQUEST_COLUMNS, "city"]),
        '"request_id,first_name',
        "",
    ]
)


@st.composite
def hostile_csv(draw: st.DrawFn) -> bytes:
    header = draw(HEADERS)
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [header]
    for _ in range(draw(st.integers(0, 12))):
        width = draw(st.sampled_from([16, 16, 16, 15, 17, 1, 0]))
        cells = [draw(CELLS) for _ in range(width)]
        quoted = draw(st.booleans())
        lines.append(csv_line(cells, delimiter) if quoted else delimiter.join(cells))
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 3, "   "]))
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8", "latin-1"])), errors="replace")
    for _ in range(draw(st.integers(0, 3))):  # raw bytes anywhere, valid or not
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=4)) + data[at:]
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return prefix + data


def check_intake(data: bytes, name: str) -> None:
    try:
        read = read_request_bytes(data, name=name, max_rows=40, max_field_chars=1000)
    except InputFileError:
        return
    validation = validate_requests(
        read.rows, policy=Policy(), today=TODAY, malformed=read.malformed
    )
    rejected = pa.concat_tables([validation.rejected, malformed_rejects(read)])
    check_accounting(read, accepted=validation.accepted, rejected=rejected)
    assert validation.accepted.num_rows + rejected.num_rows == read.rows_read
    assert read.encoding in ("utf-8", "utf-8-sig", "latin-1")


@settings(
    max_examples=120 * FUZZ_SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(hostile_csv(), st.sampled_from(["r.csv", "r.tsv", "r.txt"]))
def test_hostile_csv_is_refused_or_fully_accounted(data: bytes, name: str) -> None:
    check_intake(data, name)


@settings(max_examples=60 * FUZZ_SCALE, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    check_intake(data, "r.csv")
    check_intake(data, "r.jsonl")
    check_intake(data, "r.parquet")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(alphabet=NASTY, max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)


@st.composite
def hostile_jsonl(draw: st.DrawFn) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 10))):
        record: dict[str, object] = dict(GOOD_ROW)
        for key in draw(st.lists(st.sampled_from([*REQUEST_COLUMNS, "Notes"]), max_size=4)):
            record[key] = draw(JSON_VALUES)
        line = json.dumps(record, ensure_ascii=draw(st.booleans()))
        if draw(st.integers(0, 5)) == 0:
            cut = draw(st.integers(0, len(line)))
            line = line[:cut]  # a truncated record
        lines.append(line)
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n  \n"]))
    return text.encode("utf-8", errors="surrogatepass")


@settings(max_examples=60 * FUZZ_SCALE, deadline=None)
@given(hostile_jsonl())
def test_hostile_jsonl_is_refused_or_fully_accounted(data: bytes) -> None:
    check_intake(data, "r.jsonl")


# Text a lookup's records may hold: what a JSON body can carry, lone surrogates included.
RECORD_VALUES = st.one_of(
    st.none(),
    CELLS,
    st.text(st.characters(exclude_categories=()), max_size=8),
    st.sampled_from(["\ud800", "A\udc00B"]),
)


@settings(max_examples=60 * FUZZ_SCALE, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries({}, optional={c: RECORD_VALUES for c in REQUEST_COLUMNS}),
        min_size=1,
        max_size=6,
    )
)
def test_records_read_as_their_json_lines(records: list[dict[str, str | None]]) -> None:
    """A lookup's records skip the JSON round trip but read exactly as that file would."""
    records = [{**GOOD_ROW, **r} for r in records]
    lines = "\n".join(json.dumps(r) for r in records).encode()
    direct = read_request_records(records, max_rows=25)
    try:
        as_file = read_request_bytes(lines, name="r.jsonl", max_rows=25)
    except InputFileError:
        # A file none of whose lines reads is refused whole; a lookup's records each get R08.
        assert direct.rows.num_rows == 0
        assert direct.malformed.num_rows == len(records)
        return
    assert direct.rows.equals(as_file.rows)
    # A file's line is the lookup's record.
    expected = [
        {**m, "detail": m["detail"].replace(f"line {m['row_number']} ", "record ", 1)}
        for m in as_file.malformed.to_pylist()
    ]
    found = [
        {**m, "detail": m["detail"].replace(f"record {m['row_number']} ", "record ", 1)}
        for m in direct.malformed.to_pylist()
    ]
    assert found == expected
