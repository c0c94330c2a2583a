"""The policy's required_columns: a header lacking one refuses the file whole; an empty
value in a present column rejects only its row; and the row cap holds on every path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from intake_rows import GOOD_ROW, TODAY, csv_line, request_csv, signed_batch

from crossverify.errors import InputFileError, PolicyError
from crossverify.intake.batch import intake_batch
from crossverify.intake.readers import read_request_file
from crossverify.policy import (
    DEFAULT_REQUIRED_COLUMNS,
    Policy,
    load_policy,
    missing_columns,
    policy_toml,
)
from crossverify.types import REQUEST_COLUMNS

Write = Callable[[str, "str | bytes"], Path]
DESIGN_REQUIRED = (
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


def without(*dropped: str) -> list[str]:
    return [c for c in REQUEST_COLUMNS if c not in dropped]


def csv_with(columns: list[str], rows: int = 2) -> str:
    lines = [csv_line(columns)]
    lines += [
        csv_line([{**GOOD_ROW, "request_id": f"R{i}"}[c] for c in columns]) for i in range(rows)
    ]
    return "\n".join(lines) + "\n"


def test_the_default_is_designs_list() -> None:
    assert Policy().required_columns == DEFAULT_REQUIRED_COLUMNS
    plain = [c for c in DEFAULT_REQUIRED_COLUMNS if "|" not in c]
    assert plain == list(DESIGN_REQUIRED)
    assert missing_columns({"zip"}, ["zip|city+state"]) == []
    assert missing_columns({"city", "state"}, ["zip|city+state"]) == []
    assert missing_columns({"city"}, ["zip|city+state"]) == ["zip (or city and state)"]


@pytest.mark.parametrize("column", DESIGN_REQUIRED)
def test_each_required_column_missing_from_the_header_refuses_the_file(
    write_file: Write, column: str
) -> None:
    path = write_file("r.csv", csv_with(without(column)))
    with pytest.raises(InputFileError) as caught:
        read_request_file(path, max_rows=10)
    message = caught.value.message
    assert f"lacks required column(s) {column}," in message
    assert "refused whole" in message


@pytest.mark.parametrize(
    ("dropped", "refused"),
    [
        (("zip",), False),
        (("city", "state"), False),
        (("zip", "city"), True),
        (("zip", "state"), True),
    ],
)
def test_zip_or_city_and_state(write_file: Write, dropped: tuple[str, ...], refused: bool) -> None:
    path = write_file("r.csv", csv_with(without(*dropped)))
    if refused:
        with pytest.raises(InputFileError, match=r"column\(s\) zip \(or city and state\)"):
            read_request_file(path, max_rows=10)
    else:
        assert read_request_file(path, max_rows=10).rows_read == 2


def test_a_policy_may_require_more_columns_in_every_format(
    write_file: Write, tmp_path: Path
) -> None:
    required = (*DEFAULT_REQUIRED_COLUMNS, "dob", "tin")
    columns = without("dob", "tin")
    csv_path = write_file("r.csv", csv_with(columns))
    jsonl_path = write_file(
        "r.jsonl", "".join(json.dumps({c: GOOD_ROW[c] for c in columns}) + "\n" for _ in "ab")
    )
    parquet_path = tmp_path / "r.parquet"
    pq.write_table(pa.table({c: [GOOD_ROW[c]] for c in columns}), parquet_path)
    for path in (csv_path, jsonl_path, parquet_path):
        assert read_request_file(path, max_rows=10).rows_read >= 1  # the default policy
        with pytest.raises(InputFileError, match=r"lacks required column\(s\) dob, tin,"):
            read_request_file(path, max_rows=10, required_columns=required)


def test_a_jsonl_key_given_but_always_null_is_present(write_file: Write) -> None:
    """The fast JSON reader cannot tell an absent key from a null one: it hands over."""
    records = [{**GOOD_ROW, "request_id": f"R{i}", "dob": None} for i in range(3)]
    path = write_file("r.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    required = (*DEFAULT_REQUIRED_COLUMNS, "dob")
    result = read_request_file(path, max_rows=10, required_columns=required)
    assert result.rows.column("dob").to_pylist() == [None, None, None]
    no_address = [{k: v for k, v in r.items() if k not in ("zip", "city")} for r in records]
    path = write_file("n.jsonl", "".join(json.dumps(r) + "\n" for r in no_address))
    with pytest.raises(InputFileError, match=r"zip \(or city and state\)"):
        read_request_file(path, max_rows=10)


def test_required_columns_come_from_the_policy_file(tmp_path: Path) -> None:
    policy = Policy(required_columns=(*DEFAULT_REQUIRED_COLUMNS, "dob"))
    path = tmp_path / "policy.toml"
    path.write_text(policy_toml(policy), encoding="utf-8")
    assert load_policy(path).required_columns == policy.required_columns
    path.write_text('required_columns = ["request_id", "birth_date"]\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="'birth_date' is not a column"):
        load_policy(path)
    for bad in ("zip|", "+state", ""):
        with pytest.raises(ValueError, match="is not a column"):
            Policy(required_columns=(bad,))


def test_intake_refuses_a_header_without_a_policy_column(tmp_path: Path) -> None:
    request_file, manifest_file, policy = signed_batch(
        tmp_path,
        csv_with(without("tin")),
        required_columns=(*DEFAULT_REQUIRED_COLUMNS, "tin"),
    )
    with pytest.raises(InputFileError, match=r"lacks required column\(s\) tin,"):
        intake_batch(
            request_file=request_file, manifest_file=manifest_file, policy=policy, today=TODAY
        )


def test_intake_rejects_only_the_row_with_an_empty_required_value(tmp_path: Path) -> None:
    blanks = [
        ("first_name", "R01", "given name is missing"),
        ("street", "R02", "street is missing"),
        ("removal_order_ref", "R03", "removal_order_ref is missing"),
        ("criminal_statute", "R04", "criminal_statute is missing"),
        ("tax_period_end", "R06", "tax_period_end is missing"),
        ("request_id", "R07", "request_id is missing"),
    ]
    text = request_csv([{}, *({column: ""} for column, _, _ in blanks)])
    request_file, manifest_file, policy = signed_batch(tmp_path, text)
    result = intake_batch(
        request_file=request_file, manifest_file=manifest_file, policy=policy, today=TODAY
    )
    assert result.accepted.column("row_number").to_pylist() == [1]
    rejected = result.rejected.to_pylist()
    assert [r["row_number"] for r in rejected] == list(range(2, 2 + len(blanks)))
    for row, (_, code, what) in zip(rejected, blanks, strict=True):
        assert row["reasons"] == code
        assert row["detail"].startswith(f"{code}: {what}")


def test_the_row_cap_holds_on_the_line_by_line_paths(write_file: Write) -> None:
    # A real U+FFFD plus a stray byte sends CSV to Python's csv module.
    text = request_csv([{"middle_name": "\ufffd"}, {}, {}])
    data = text.encode().replace(b"REQ-3", b"REQ-\xff")
    assert read_request_file(write_file("r.csv", data), max_rows=3).rows_read == 3
    with pytest.raises(InputFileError, match="more than 2 data rows"):
        read_request_file(write_file("r.csv", data), max_rows=2)
    lines = "".join(json.dumps({**GOOD_ROW, "request_id": f"R{i}"}) + "\n\n" for i in range(3))
    assert read_request_file(write_file("r.jsonl", lines), max_rows=3).rows_read == 3
    with pytest.raises(InputFileError, match="more than 2 data rows"):
        read_request_file(write_file("r.jsonl", lines), max_rows=2)
