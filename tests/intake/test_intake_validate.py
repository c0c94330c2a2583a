"""Record-level rules: each code on crafted rows, every applicable code per row."""

from __future__ import annotations

import pyarrow as pa
import pytest
from intake_rows import GOOD_ROW, TODAY

from crossverify.intake.readers import MALFORMED_SCHEMA, ROWS_SCHEMA
from crossverify.intake.validate import validate_requests
from crossverify.policy import Policy
from crossverify.types import REQUEST_COLUMNS


def rows_table(*overrides: dict[str, str | None]) -> pa.Table:
    """Rows as the reader gives them: GOOD_ROW with overrides; '' becomes null."""
    records = []
    for number, override in enumerate(overrides, start=1):
        row: dict[str, str | None] = {**GOOD_ROW, "request_id": f"REQ-{number}", **override}
        clean = {c: (row[c] or None) for c in REQUEST_COLUMNS}
        records.append({"row_number": number, **clean})
    return pa.Table.from_pylist(records, schema=ROWS_SCHEMA)


def reasons_of(override: dict[str, str | None], policy: Policy | None = None) -> str:
    result = validate_requests(rows_table(override), policy=policy or Policy(), today=TODAY)
    if result.accepted.num_rows:
        return ""
    reasons: str = result.rejected.column("reasons")[0].as_py()
    return reasons


def test_a_good_row_is_accepted() -> None:
    result = validate_requests(rows_table({}), policy=Policy(), today=TODAY)
    assert result.rejected.num_rows == 0
    assert result.accepted.to_pylist() == rows_table({}).to_pylist()


CASES: list[tuple[str, dict[str, str | None], str]] = [
    # R01 name
    ("given name missing", {"first_name": ""}, "R01"),
    ("surname missing", {"last_name": None}, "R01"),
    ("FNU", {"first_name": "FNU"}, "R01"),
    ("F.N.U.", {"first_name": "F.N.U."}, "R01"),
    ("LNU", {"last_name": "lnu"}, "R01"),
    ("UNKNOWN", {"last_name": "Unknown"}, "R01"),
    ("UNK NFN NLN", {"first_name": "NFN", "last_name": "NLN"}, "R01"),
    ("N/A", {"first_name": "n/a"}, "R01"),
    ("NONE", {"last_name": "NONE"}, "R01"),
    ("TEST", {"first_name": "Test"}, "R01"),
    ("single letter", {"first_name": "J"}, "R01"),
    ("initial with period", {"first_name": "J."}, "R01"),
    ("digits only", {"last_name": "12345"}, "R01"),
    ("punctuation only", {"last_name": "--"}, "R01"),
    ("digits in a name", {"first_name": "Mar1a"}, "R01"),
    ("apostrophe surname", {"last_name": "O'Brien"}, ""),
    ("accented", {"first_name": "José", "last_name": "Müller-Núñez"}, ""),
    ("two-letter surname", {"last_name": "Ng"}, ""),
    # Letters outside ASCII are letters: one accented, or none Latin.
    ("one ASCII letter and an accented one", {"last_name": "Ñu"}, ""),
    ("non-Latin names", {"first_name": "明", "last_name": "李明"}, "R01"),
    ("non-Latin two-letter names", {"first_name": "小明", "last_name": "李明"}, ""),
    ("accented letters and a digit", {"last_name": "Ñú1"}, "R01"),
    ("accented city, no zip", {"city": "Añasco", "state": "PR", "zip": ""}, ""),
    # R02 address
    ("street missing", {"street": ""}, "R02"),
    ("unknown", {"street": "Unknown"}, "R02"),
    ("unknown address", {"street": "UNKNOWN ADDRESS"}, "R02"),
    ("failed to provide", {"street": "Failed to Provide"}, "R02"),
    ("n/a street", {"street": "N/A"}, "R02"),
    ("none street", {"street": "none"}, "R02"),
    ("homeless", {"street": "Homeless"}, "R02"),
    ("no address", {"street": "No Address"}, "R02"),
    ("dash", {"street": "-"}, "R02"),
    ("question mark", {"street": "?"}, "R02"),
    ("zip as street", {"street": "78701"}, "R02"),
    ("zip+4 as street", {"street": "78701-1234"}, "R02"),
    ("digits only street", {"street": "1234 5678"}, "R02"),
    ("no house number", {"street": "Main Street"}, "R02"),
    ("house number, no street name", {"street": "1234 W"}, "R02"),
    ("placeholder plus zip", {"street": "Unknown Address 78701"}, "R02"),
    ("no city, state or zip", {"city": "", "state": "", "zip": ""}, "R02"),
    ("city without state or zip", {"state": "", "zip": ""}, "R02"),
    ("bad state", {"state": "XX"}, "R02"),
    ("bad zip", {"zip": "7870"}, "R02"),
    ("zero zip", {"zip": "00000"}, "R02"),
    ("placeholder city, no zip", {"city": "Unknown", "zip": ""}, "R02"),
    ("zip only", {"city": "", "state": ""}, ""),
    ("city and state only", {"zip": ""}, ""),
    ("lower-case state", {"state": "tx"}, ""),
    ("territory", {"state": "PR", "zip": "00901"}, ""),
    ("zip+4", {"zip": "78701-1234"}, ""),
    ("zip+4 no dash", {"zip": "787011234"}, ""),
    ("po box", {"street": "PO Box 123"}, ""),
    ("p.o. box", {"street": "P.O. Box 77"}, ""),
    ("rural route", {"street": "RR 2 Box 152"}, ""),
    ("highway contract", {"street": "HC 1 Box 5"}, ""),
    ("urbanization", {"street": "URB Las Gladiolas 150 Calle A"}, ""),
    ("fraction", {"street": "123 1/2 Elm St"}, ""),
    ("hyphenated number", {"street": "12-34 Broadway"}, ""),
    ("grid address", {"street": "N123W4567 Main St"}, ""),
    ("numbered street", {"street": "77 5th Ave"}, ""),
    # R03 removal order
    ("order date missing", {"removal_order_date": ""}, "R03"),
    ("order ref missing", {"removal_order_ref": ""}, "R03"),
    ("order ref placeholder", {"removal_order_ref": "N/A"}, "R03"),
    # R04 / R05 statute
    ("statute missing", {"criminal_statute": ""}, "R04"),
    ("civil statute", {"criminal_statute": "8 U.S.C. 1101"}, "R05"),
    ("placeholder statute", {"criminal_statute": "n/a"}, "R05"),
    ("other spelling", {"criminal_statute": "8 USC § 1326(a)"}, ""),
    # R06 tax period
    ("start missing", {"tax_period_start": ""}, "R06"),
    ("end missing", {"tax_period_end": None}, "R06"),
    ("all years", {"tax_period_start": "all years"}, "R06"),
    ("star", {"tax_period_end": "*"}, "R06"),
    ("not a year", {"tax_period_start": "2023.5"}, "R06"),
    ("inverted", {"tax_period_start": "2024", "tax_period_end": "2020"}, "R06"),
    ("too old", {"tax_period_start": "2010", "tax_period_end": "2012"}, "R06"),
    ("too new", {"tax_period_end": "2026"}, "R06"),
    ("too long", {"tax_period_start": "2015", "tax_period_end": "2025"}, "R06"),
    ("bad full date", {"tax_period_start": "2023-02-30"}, "R06"),
    ("full dates", {"tax_period_start": "2022-01-01", "tax_period_end": "2023-12-31"}, ""),
    ("one year", {"tax_period_start": "2023", "tax_period_end": "2023"}, ""),
    ("six years", {"tax_period_start": "2020", "tax_period_end": "2025"}, ""),
    # R07 request id (alone)
    ("request id missing", {"request_id": ""}, "R07"),
    # R09 order date
    ("not a date", {"removal_order_date": "yesterday"}, "R09"),
    ("february 30", {"removal_order_date": "2020-02-30"}, "R09"),
    ("month 13", {"removal_order_date": "13/01/2020"}, "R09"),
    ("day-first", {"removal_order_date": "31/12/2020"}, "R09"),
    ("in the future", {"removal_order_date": "2025-06-02"}, "R09"),
    ("placeholder date", {"removal_order_date": "0001-01-01"}, "R09"),
    ("with time", {"removal_order_date": "2020-01-01T00:00:00"}, "R09"),
    ("today", {"removal_order_date": "2025-06-01"}, ""),
    ("us date", {"removal_order_date": "01/15/2020"}, ""),
    ("us date, short", {"removal_order_date": "1/5/2020"}, ""),
    ("leap day", {"removal_order_date": "2020-02-29"}, ""),
    # several codes on one row
    (
        "2025 failure",
        {"first_name": "FNU", "street": "Failed to Provide", "city": "", "state": ""},
        "R01;R02",
    ),
    (
        "everything wrong",
        {
            "request_id": "",
            "first_name": "X",
            "last_name": "LNU",
            "street": "unknown address",
            "removal_order_ref": "",
            "removal_order_date": "2031-01-01",
            "criminal_statute": "",
            "tax_period_start": "all years",
        },
        "R01;R02;R03;R04;R06;R07;R09",
    ),
    (
        "statute not permitted, inverted years, bad date",
        {
            "criminal_statute": "18 U.S.C. 1546",
            "tax_period_start": "2023",
            "tax_period_end": "2021",
            "removal_order_date": "2020-13-01",
        },
        "R05;R06;R09",
    ),
]


@pytest.mark.parametrize(
    ("override", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_reject_codes(override: dict[str, str | None], expected: str) -> None:
    assert reasons_of(override) == expected


def test_policy_statutes_years_and_span_are_the_policys() -> None:
    narrow = Policy(
        permitted_statutes=("18 U.S.C. 1546",),
        oldest_tax_year=2020,
        newest_tax_year=2022,
        max_period_span_years=2,
    )
    assert (
        reasons_of(
            {
                "criminal_statute": "18 USC 1546(a)",
                "tax_period_start": "2021",
                "tax_period_end": "2022",
            },
            narrow,
        )
        == ""
    )
    assert reasons_of({"tax_period_start": "2021", "tax_period_end": "2022"}, narrow) == "R05"
    assert reasons_of({"criminal_statute": "18 U.S.C. 1546"}, narrow) == "R06"


def test_duplicate_request_id_rejects_later_rows_only() -> None:
    table = rows_table(
        {"request_id": "A"}, {"request_id": "B"}, {"request_id": "A"}, {"request_id": "A"}
    )
    result = validate_requests(table, policy=Policy(), today=TODAY)
    assert result.accepted.column("row_number").to_pylist() == [1, 2]
    assert result.rejected.select(["row_number", "request_id", "reasons"]).to_pylist() == [
        {"row_number": 3, "request_id": "A", "reasons": "R07"},
        {"row_number": 4, "request_id": "A", "reasons": "R07"},
    ]


def test_duplicate_of_an_earlier_malformed_row_is_r07() -> None:
    table = rows_table({"request_id": "A"}, {"request_id": "B"})
    table = table.set_column(0, "row_number", pa.array([2, 3], pa.int64()))
    malformed = pa.Table.from_pylist(
        [{"row_number": 1, "request_id": "B", "detail": "ragged"}], schema=MALFORMED_SCHEMA
    )
    result = validate_requests(table, policy=Policy(), today=TODAY, malformed=malformed)
    assert result.rejected.select(["row_number", "reasons"]).to_pylist() == [
        {"row_number": 3, "reasons": "R07"}
    ]


def test_missing_request_id_is_named_by_its_row() -> None:
    result = validate_requests(rows_table({}, {"request_id": ""}), policy=Policy(), today=TODAY)
    assert result.rejected.to_pylist()[0]["request_id"] == "row:2"


def test_detail_has_one_sentence_per_code_and_never_echoes_values() -> None:
    override = {"street": "Failed to Provide", "first_name": "FNU", "tax_period_end": "*"}
    result = validate_requests(rows_table(override), policy=Policy(), today=TODAY)
    row = result.rejected.to_pylist()[0]
    assert row["reasons"] == "R01;R02;R06"
    detail = row["detail"]
    assert detail.startswith("R01: given name is a placeholder.")
    assert "R02: street is a placeholder, not an address." in detail
    assert "R06: tax_period_end is not a year." in detail
    assert "123 N Main St" in detail  # what a correct street looks like
    assert "Failed to Provide" not in detail and "FNU" not in detail.replace("FNU/", "")


def test_several_conditions_of_one_code_share_its_sentence() -> None:
    result = validate_requests(
        rows_table({"state": "XX", "zip": "1", "city": ""}), policy=Policy(), today=TODAY
    )
    detail = result.rejected.column("detail")[0].as_py()
    assert detail.startswith(
        "R02: state is not a 2-letter US state or territory code; zip is not 5 digits or "
        "ZIP+4; neither city and state nor a ZIP code is given."
    )


def test_many_rows_many_chunks_and_mixed_outcomes() -> None:
    overrides: list[dict[str, str | None]] = []
    for i in range(3000):
        if i % 3 == 0:
            overrides.append({"street": "Unknown"})
        elif i % 3 == 1:
            overrides.append({"removal_order_date": f"2020-01-{1 + i % 28:02d}"})
        else:
            overrides.append({"first_name": f"Name{i}", "tax_period_end": "2030"})
    table = rows_table(*overrides)
    chunked = pa.concat_tables([table.slice(0, 1000), table.slice(1000)])
    result = validate_requests(chunked, policy=Policy(), today=TODAY)
    assert result.accepted.num_rows == 1000
    reasons = result.rejected.column("reasons").to_pylist()
    assert reasons.count("R02") == 1000
    assert reasons.count("R01;R06") == 1000
    assert result.accepted.schema == table.schema


def test_empty_input() -> None:
    result = validate_requests(rows_table(), policy=Policy(), today=TODAY)
    assert result.accepted.num_rows == 0
    assert result.rejected.num_rows == 0


def test_cases_agree_when_columns_repeat_values() -> None:
    """Over 1,000 rows with repeated values the rules run per distinct value: same answers."""
    overrides = [case[1] for case in CASES] * 12
    expected = [case[2] for case in CASES] * 12
    result = validate_requests(rows_table(*overrides), policy=Policy(), today=TODAY)
    got = dict.fromkeys(range(1, len(overrides) + 1), "")
    for row in result.rejected.select(["row_number", "reasons"]).to_pylist():
        got[row["row_number"]] = row["reasons"]
    assert list(got.values()) == expected


@pytest.mark.parametrize(
    "street",
    [
        "POB 6054",
        "RT 3 BOX 45",
        "Calle 7 9-41 Urb. Baldrich",
        "M34 CALLE 33 URB SANTA JUANITA",
        "Calle 16 Bloque 8 Casa 30, Urb Levittown",
        "15979 Washington Crt, Apt 20",
    ],
)
def test_forms_the_matcher_reads_are_accepted(street: str) -> None:
    assert reasons_of({"street": street}) == ""


def test_unit_without_a_street_is_not_an_address() -> None:
    assert reasons_of({"street": "123 Apt 4"}) == "R02"


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("123-45-6789", "123456789"),
        ("123 45 6789", "123456789"),
        (" 123456789 ", "123456789"),
        ("923.70.1234", "923701234"),
        ("12-345-678", None),  # eight digits
        ("1234567890", None),
        ("SSN ON FILE", None),
        (None, None),
    ],
)
def test_a_tin_is_kept_as_its_nine_digits_or_dropped(given: str | None, kept: str | None) -> None:
    result = validate_requests(rows_table({"tin": given}), policy=Policy(), today=TODAY)
    assert result.rejected.num_rows == 0  # the TIN is optional: a bad one never rejects
    assert result.accepted.column("tin").to_pylist() == [kept]
    assert result.tins_dropped == (1 if given and kept is None else 0)
