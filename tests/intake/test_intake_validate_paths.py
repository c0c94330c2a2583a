"""The two ways validation runs agree: Python on a few ASCII rows, Arrow kernels otherwise.

A lookup's records are tested in Python (`PYTHON_ROWS`); a batch with Arrow's RE2 kernels.
Every reject code, detail and accepted value must come out the same either way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from intake_rows import GOOD_ROW, TODAY
from test_intake_validate import CASES, rows_table

from crossverify.intake import validate
from crossverify.policy import Policy
from crossverify.types import REQUEST_COLUMNS

FUZZ_SCALE = int(os.environ.get("CROSSVERIFY_FUZZ_SCALE", "1"))
# Where RE2 and Python's re differ on ASCII: \v (not RE2's \s), a final newline ($), NUL,
# ASCII separators (\x1c-\x1f), and letters, digits and punctuation the rules look at.
ASCII_EDGES = "aZq09 \t\n\v\f\r\x00\x1c.-/,'()§"
TOKENS = [
    *GOOD_ROW.values(),
    *("FNU", "f.n.u.", "n / a", "Unknown-Address", "?", "-", "J", "J5", "Al"),
    *("2023", "2023\n", "2023-01-01", "2023-1-1", "02/30/2020", "2/29/2024", "0001-01-01"),
    *("00000", "00000-1234", "12345-6789", "123456789", "78701\n", "tx", "ﬂ", "İL"),
    *("PO Box 5", "RR 2 Box 7", "Urb Las Lomas Calle 3", "8 USC 1326", "123-45-6789"),
    "José",
]
CELLS = st.one_of(
    st.none(),
    st.sampled_from(TOKENS),
    st.text(alphabet=ASCII_EDGES, max_size=10),
    st.builds(lambda a, b: a + b, st.sampled_from(TOKENS), st.text(ASCII_EDGES, max_size=2)),
)


def _both_ways(rows: pa.Table, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    def run() -> tuple[object, ...]:
        result = validate.validate_requests(rows, policy=Policy(), today=TODAY)
        return (result.accepted.to_pylist(), result.rejected.to_pylist(), result.tins_dropped)

    python = run()
    with monkeypatch.context() as patch:
        patch.setattr(validate, "PYTHON_ROWS", -1)
        arrow = run()
    return python, arrow


@pytest.fixture
def patterns(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """The RE2 patterns the Python path translated while the test ran."""
    seen: set[str] = set()
    original = validate._ascii_regex

    def recording(pattern: str) -> re.Pattern[str]:
        seen.add(pattern)
        return original(pattern)

    monkeypatch.setattr(validate, "_ascii_regex", recording)
    yield seen


def test_every_case_decides_alike(monkeypatch: pytest.MonkeyPatch, patterns: set[str]) -> None:
    for override in [case[1] for case in CASES]:
        python, arrow = _both_ways(rows_table(override), monkeypatch)
        assert python == arrow, override
    # The Python path really ran: the name, ZIP, date and placeholder patterns were used.
    assert validate._ZIP in patterns and validate._ISO_DATE in patterns
    assert len(patterns) >= 8


@settings(max_examples=150 * FUZZ_SCALE, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries({}, optional={c: CELLS for c in REQUEST_COLUMNS}),
        min_size=1,
        max_size=6,
    )
)
def test_hostile_rows_decide_alike(records: list[dict[str, str | None]]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        python, arrow = _both_ways(rows_table(*records), monkeypatch)
    assert python == arrow


PATTERNS_USED = [
    r"^\D*\pL\D*\pL\D*$",
    r"(?s)\pL.*\pL",
    r"\pL\pL",
    r"\d",
    r"^00000",
    r"^(?P<y>\d{4})$",
    r"[\s.]",
    r"[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]",
]


@settings(max_examples=300 * FUZZ_SCALE, deadline=None)
@given(st.lists(st.text(alphabet=ASCII_EDGES, max_size=8), min_size=1, max_size=20))
def test_translated_patterns_match_what_re2_matches(texts: list[str]) -> None:
    for pattern in [*PATTERNS_USED, validate._ZIP, validate._ISO_DATE, validate._US_DATE]:
        re2 = pc.match_substring_regex(pa.array(texts, pa.string()), pattern).to_pylist()
        python = [validate._ascii_regex(pattern).search(t) is not None for t in texts]
        assert python == re2, pattern


@pytest.mark.parametrize("pattern", [r"\w+", r"\bA", r"^a$|b", r"\p{Greek}"])
def test_a_pattern_without_a_known_ascii_meaning_is_refused(pattern: str) -> None:
    with pytest.raises(ValueError):
        validate._ascii_regex(pattern)
