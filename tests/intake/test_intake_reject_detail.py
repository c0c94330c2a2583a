"""rejected.csv's detail: for every code R01-R09, which element is wrong and what a correct
value looks like, one sentence per code, in the order of the reasons."""

from __future__ import annotations

import re
from pathlib import Path

from intake_rows import TODAY, request_csv, signed_batch

from crossverify.intake.batch import intake_batch
from crossverify.types import RejectCode

# code -> (override of a good row, the element the sentence must name)
CASES: dict[RejectCode, tuple[dict[str, str], str]] = {
    RejectCode.R01: ({"first_name": "FNU"}, "given name is a placeholder"),
    RejectCode.R02: ({"street": "Unknown Address"}, "street is a placeholder"),
    RejectCode.R03: ({"removal_order_ref": ""}, "removal_order_ref is missing"),
    RejectCode.R04: ({"criminal_statute": ""}, "criminal_statute is missing"),
    RejectCode.R05: ({"criminal_statute": "18 U.S.C. 1001"}, "criminal_statute is not a permitted"),
    RejectCode.R06: ({"tax_period_start": "2030"}, "the tax period starts after it ends"),
    RejectCode.R07: ({"request_id": "REQ-1"}, "request_id was already used"),
    RejectCode.R09: ({"removal_order_date": "2099-01-01"}, "removal_order_date is in the future"),
}
EXAMPLE = {
    RejectCode.R01: "e.g. 'Maria' and 'Garcia Lopez'",
    RejectCode.R02: "e.g. '123 N Main St Apt 4'",
    RejectCode.R03: "e.g. 'A012345678'",
    RejectCode.R04: "e.g. '8 U.S.C. 1253(a)(1)'",
    RejectCode.R05: "8 U.S.C. 1253; 8 U.S.C. 1326 (e.g. '8 U.S.C. 1253(a)(1)')",
    RejectCode.R06: "from 2015 to 2025",
    RejectCode.R07: "e.g. 'REQ-2025-000123'",
    RejectCode.R08: "one plain value for each header column",
    RejectCode.R09: "e.g. 2020-05-01",
}


def sentences(detail: str) -> dict[str, str]:
    """The detail's sentences by code."""
    parts = re.split(r" (?=R0\d: )", detail)
    return {part[:3]: part for part in parts}


def test_every_code_names_the_element_and_a_correct_value(tmp_path: Path) -> None:
    text = request_csv([{}, *(override for override, _ in CASES.values())])
    text += "REQ-1,ragged\n,also,ragged\n"  # R07;R08 (REQ-1 is row 1's), R08
    request_file, manifest_file, policy = signed_batch(tmp_path, text)
    result = intake_batch(
        request_file=request_file, manifest_file=manifest_file, policy=policy, today=TODAY
    )
    rows = {r["row_number"]: r for r in result.rejected.to_pylist()}
    for number, (code, (_, element)) in enumerate(CASES.items(), start=2):
        assert rows[number]["reasons"] == code.value
        sentence = sentences(rows[number]["detail"])[code.value]
        assert sentence.startswith(f"{code.value}: {element}"), sentence
        assert "Give " in sentence and EXAMPLE[code] in sentence, sentence
    seen: set[str] = set()
    for row in rows.values():
        by_code = sentences(row["detail"])
        assert list(by_code) == row["reasons"].split(";"), row
        for code, sentence in by_code.items():
            assert "Give " in sentence and EXAMPLE[RejectCode(code)] in sentence, sentence
        seen |= set(by_code)
    assert seen == {code.value for code in RejectCode}
    ragged = sentences(rows[len(CASES) + 2]["detail"])
    assert rows[len(CASES) + 2]["reasons"] == "R07;R08"
    assert ragged["R07"].startswith("R07: request_id was already used by an earlier row.")
    assert ragged["R08"].startswith("R08: the row cannot be read: the row has 2 fields")
    assert sentences(rows[len(CASES) + 3]["detail"]).keys() == {"R08"}
