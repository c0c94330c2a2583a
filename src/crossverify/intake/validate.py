"""Record-level validation: every reject code that applies to each row, vectorised.

Each rule is a set of conditions (boolean row masks) computed over whole columns with
pyarrow.compute and numpy. Value rules run once per distinct value of a column when the
column repeats its values (dates, states, statutes, years), which is most of the speed.
A row is rejected when any condition holds; its detail names, per code, the conditions
that failed and what a correct value looks like. Raw values are never echoed: the detail
goes back to the requester and into logs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crossverify.intake.rows import to_mask
from crossverify.policy import Policy
from crossverify.standardize.addresses import parse_address
from crossverify.types import RejectCode

REJECTED_SCHEMA = pa.schema(
    [
        pa.field("row_number", pa.int64()),
        pa.field("request_id", pa.string()),
        pa.field("reasons", pa.string()),
        pa.field("detail", pa.string()),
    ]
)

PLACEHOLDER_NAMES: tuple[str, ...] = (
    "UNKNOWN",
    "UNK",
    "FNU",
    "LNU",
    "NFN",
    "NLN",
    "N/A",
    "NONE",
    "TEST",
)
"""Matched whole, ignoring case, spaces and periods ('F.N.U.', 'n / a')."""

PLACEHOLDER_TEXT: tuple[str, ...] = (
    "unknown",
    "unk",
    "unknown address",
    "address unknown",
    "failed to provide",
    "not provided",
    "na",
    "none",
    "null",
    "nil",
    "homeless",
    "no address",
    "no fixed address",
    "tbd",
)
"""Matched whole, ignoring case, spaces and ASCII punctuation ('N/A', 'Unknown-Address');
a value of ASCII punctuation only ('-', '?') is a placeholder too."""

_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
    "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY "
    "AS GU MP PR VI UM FM MH PW AA AE AP"
)
US_STATES = frozenset(_STATE_CODES.split())
"""USPS codes of the states, DC, the territories, freely associated states and military posts."""

_STATE_CODES_ARRAY = pa.array(sorted(US_STATES), pa.string())

OLDEST_ORDER_YEAR = 1900  # an earlier "order date" is a placeholder such as 0001-01-01


@dataclass(frozen=True)
class _Placeholder:
    """Any of some words, matched whole, ignoring case and the `gap` characters around each
    character: the value with its gaps removed, lower-cased, is one of the words so
    squeezed. (One regex of every word with a gap around each character took RE2 half a
    millisecond per call to compile, most of a one-record lookup's validation.)"""

    words: pa.Array
    gap: str  # an RE2 character class

    @classmethod
    def of(cls, words: tuple[str, ...], gap: str, *, empty_too: bool) -> _Placeholder:
        squeezed = {re.sub(gap, "", w).lower() for w in words}
        return cls(pa.array(sorted(squeezed | ({""} if empty_too else set()))), gap)

    def found(self, values: _Values) -> np.ndarray:
        return values.squeezed_in(self.gap, self.words)


_NAME_PLACEHOLDER = _Placeholder.of(PLACEHOLDER_NAMES, r"[\s.]", empty_too=False)
# ASCII punctuation as the gap: with `[^\pL\pN]` RE2 runs 25 times slower.
_TEXT_PLACEHOLDER = _Placeholder.of(
    PLACEHOLDER_TEXT, r"[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]", empty_too=True
)
_ZIP = r"^\d{5}(?:-?\d{4})?$"
_ISO_DATE = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"
_US_DATE = r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$"
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

Conditions = list[tuple[np.ndarray, str]]
"""(row mask, what is wrong) pairs of one reject code, in the order they are reported."""


@dataclass(frozen=True)
class ValidationResult:
    """Rows split by the record-level rules.

    Attributes:
        accepted: the rows that pass, with the same columns as the input; `tin` as its nine
            digits ("123-45-6789" -> "123456789"), null when it has not nine.
        rejected: `row_number`, `request_id` (`row:N` when the row has none), `reasons`
            (codes joined by ';' in code order) and `detail` (one sentence per code).
        tins_dropped: accepted rows whose TIN was given but is not nine digits: matched
            without it (the TIN is optional), and counted so the requester sees it.
    """

    accepted: pa.Table
    rejected: pa.Table
    tins_dropped: int = 0


def validate_requests(
    rows: pa.Table, *, policy: Policy, today: date, malformed: pa.Table | None = None
) -> ValidationResult:
    """Apply every record-level rule (R01-R07, R09) to every row.

    Args:
        rows: `ReadResult.rows`: `row_number` and the request columns as strings.
        policy: statutes, tax years and period span in force.
        today: removal order dates after it are rejected (R09).
        malformed: `ReadResult.malformed`; a request_id recovered from a malformed row
            still counts as used at its row for R07.

    Returns:
        The accepted rows and the rejected ones with their codes and details.

    Examples:
        A row with street "Unknown Address" and tax years "all years" to 2023 is rejected
        with reasons "R02;R06" and the detail "R02: street is a placeholder, not an
        address. Give a house number and street (e.g. '123 N Main St Apt 4') ... R06:
        tax_period_start is not a year. Give tax years from 2015 to 2025, ...".
    """
    rows = rows.combine_chunks()
    numbers = np.asarray(rows.column("row_number").to_numpy(), dtype=np.int64)
    ids = _text(rows, "request_id")
    checks: list[tuple[RejectCode, Conditions, str]] = [
        (RejectCode.R01, _name_conditions(rows), REJECT_HINTS[RejectCode.R01]),
        (RejectCode.R02, _address_conditions(rows), REJECT_HINTS[RejectCode.R02]),
        (RejectCode.R03, _order_conditions(rows), REJECT_HINTS[RejectCode.R03]),
        (RejectCode.R04, _statute_missing(rows), REJECT_HINTS[RejectCode.R04]),
        (
            RejectCode.R05,
            _statute_not_permitted(rows, policy),
            _statute_hint(policy),
        ),
        (
            RejectCode.R06,
            _period_conditions(rows, policy),
            f"Give tax years from {policy.oldest_tax_year} to {policy.newest_tax_year}, start "
            f"<= end, at most {policy.max_period_span_years} years, e.g. 2022 and 2023.",
        ),
        (RejectCode.R07, _id_conditions(ids, numbers, malformed), REJECT_HINTS[RejectCode.R07]),
        (
            RejectCode.R09,
            _order_date_conditions(rows, today),
            "Give the date of the final removal order as YYYY-MM-DD (or MM/DD/YYYY), "
            f"from {OLDEST_ORDER_YEAR} and not after {today.isoformat()}, e.g. 2020-05-01.",
        ),
    ]
    failed, reasons, details = _explain(checks, rows.num_rows)
    rejected = REJECTED_SCHEMA.empty_table()
    accepted = rows
    if failed.any():  # not so for most lookups: the kernels below need not run
        index = pa.array(np.flatnonzero(failed), pa.int64())
        rejected_numbers = pc.take(pa.array(numbers, pa.int64()), index)
        row_labels = pc.binary_join_element_wise("row:", pc.cast(rejected_numbers, pa.string()), "")
        rejected = pa.Table.from_arrays(
            [rejected_numbers, pc.coalesce(pc.take(ids, index), row_labels), reasons, details],
            schema=REJECTED_SCHEMA,
        )
        accepted = rows.filter(pa.array(~failed))
    at = accepted.schema.get_field_index("tin")
    given = _text(accepted, "tin")
    if at < 0 or given.null_count == len(given):
        return ValidationResult(accepted=accepted, rejected=rejected)
    tin = tin_digits(given)
    accepted = accepted.set_column(at, "tin", tin)
    dropped = len(given) - given.null_count - (len(tin) - tin.null_count)
    return ValidationResult(accepted=accepted, rejected=rejected, tins_dropped=dropped)


def tin_digits(tin: pa.Array) -> pa.Array:
    """A TIN as its nine digits, whatever separates them (dashes, spaces, dots); null if not nine.

    The master file holds nine digits; "123-45-6789" on a request must agree with it.
    """
    digits = pc.replace_substring_regex(pc.utf8_trim_whitespace(tin), r"[\s.\-]", "")
    return pc.if_else(pc.match_substring_regex(digits, r"^\d{9}$"), digits, None)


def later_duplicates(row_numbers: np.ndarray, request_ids: pa.Array) -> np.ndarray:
    """True where a (non-null) request_id was already used by a row with a lower number."""
    n = len(row_numbers)
    duplicate = np.zeros(n, dtype=bool)
    if n < 2 or len(pc.unique(request_ids).drop_null()) == n - request_ids.null_count:
        return duplicate  # no id repeats: the common case, found by hashing
    by_row = np.argsort(row_numbers, kind="stable")
    ids = pc.take(request_ids, pa.array(by_row, pa.int64()))
    # A stable sort keeps equal ids in row order: every one after the first is a repeat.
    order = pc.sort_indices(ids)  # nulls last
    ordered = pc.take(ids, order)
    repeat = to_mask(pc.equal(ordered.slice(1), ordered.slice(0, n - 1)))
    positions = np.asarray(order.to_numpy())[1:][repeat]
    duplicate[by_row[positions]] = True
    return duplicate


# --- columns by distinct value -------------------------------------------------------------

PYTHON_ROWS = 100
"""Up to this many rows (a lookup's records), an all-ASCII column is tested in Python rather
than with Arrow kernels: a kernel call costs 20-60 us however few the rows (most of a
one-record lookup's validation), a Python regex well under a microsecond per value."""


_ASCII_CLASSES = {"pL": "A-Za-z", "d": "0-9", "D": "^0-9", "s": "\\t\\n\\f\\r "}
"""RE2's classes on ASCII text, as the contents of a Python character class."""


@functools.cache
def _ascii_regex(pattern: str) -> re.Pattern[str]:
    """The RE2 pattern as a Python regex that agrees with it on ASCII text.

    RE2's `\\d` and `\\s` are ASCII classes ([0-9], [\\t\\n\\f\\r ]: no vertical tab), its `$`
    matches at the very end only (Python's `$` also before a final newline), and Python has
    no `\\pL` (on ASCII text, [A-Za-z]). Any other escape or anchor is refused, so a pattern
    added later cannot silently mean two things.
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            code = pattern[i + 1 : i + 3] if pattern[i + 1] == "p" else pattern[i + 1]
            if code in _ASCII_CLASSES and not (in_class and code == "D"):
                ascii_class = _ASCII_CLASSES[code]
                out.append(ascii_class if in_class else f"[{ascii_class}]")
            elif code == "x":  # \xHH: a byte, the same in both
                code = pattern[i + 1 : i + 4]
                out.append("\\" + code)
            elif not code[0].isalnum():  # an escaped punctuation mark: the same in both
                out.append("\\" + code)
            else:
                raise ValueError(f"no ASCII equivalent known for \\{code} in {pattern!r}")
            i += 1 + len(code)
            continue
        if char in "[]":
            in_class = char == "["
        if char == "$" and not in_class:
            if i != len(pattern) - 1:
                raise ValueError(f"$ before the end of {pattern!r}")
            char = "\\Z"
        out.append(char)
        i += 1
    return re.compile("".join(out))


@dataclass(frozen=True)
class _Values:
    """Values to test, as an Arrow array and, when few and all ASCII, as Python strings.

    Each test has one meaning: the RE2 pattern Arrow runs, or that pattern as a Python regex
    that agrees with it on ASCII text (`_ascii_regex`); a test of the texts gives per value
    exactly what the kernel gives (null: False).
    """

    array: pa.Array
    texts: list[str | None] | None

    @classmethod
    def of(cls, array: pa.Array) -> _Values:
        if len(array) > PYTHON_ROWS:
            return cls(array, None)
        texts: list[str | None] = array.to_pylist()
        return cls(array, texts if all(t is None or t.isascii() for t in texts) else None)

    def __len__(self) -> int:
        return len(self.array)

    def take(self, index: np.ndarray) -> _Values:
        if self.texts is not None:
            return _Values(self.array, [self.texts[i] for i in index.tolist()])
        return _Values(pc.take(self.array, pa.array(index, pa.int64())), None)

    def concat(self, other: _Values) -> _Values:
        array = pa.concat_arrays([self.array, other.array])
        if self.texts is not None and other.texts is not None:
            return _Values(array, self.texts + other.texts)
        return _Values(array, None)

    def search(self, pattern: str) -> np.ndarray:
        """Per value: the pattern is found in it."""
        if self.texts is None:
            return to_mask(pc.match_substring_regex(self.array, pattern))
        found = _ascii_regex(pattern).search
        return np.array([t is not None and found(t) is not None for t in self.texts], dtype=bool)

    def squeezed_in(self, gap: str, words: pa.Array, *, upper: bool = False) -> np.ndarray:
        """Per value: with the `gap` characters removed and case folded, one of `words`."""
        if self.texts is None:
            squeezed = pc.replace_substring_regex(self.array, gap, "") if gap else self.array
            folded = pc.utf8_upper(squeezed) if upper else pc.utf8_lower(squeezed)
            return to_mask(pc.is_in(folded, words))
        allowed = frozenset(words.to_pylist())
        remove = _ascii_regex(gap).sub if gap else None

        def fold(text: str) -> str:
            squeezed = remove("", text) if remove else text
            return squeezed.upper() if upper else squeezed.lower()

        return np.array([t is not None and fold(t) in allowed for t in self.texts], dtype=bool)

    def fields(self, pattern: str, keys: tuple[str, ...]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Per value: whether the pattern is found, and its named digit groups as numbers (0
        where it is not)."""
        if self.texts is None:
            found = pc.extract_regex(self.array, pattern)
            hit = to_mask(pc.is_valid(found))
            numbers = [
                np.asarray(
                    pc.fill_null(pc.cast(pc.struct_field(found, key), pa.int64()), 0).to_numpy(
                        zero_copy_only=False
                    )
                )
                if hit.any()
                else np.zeros(len(hit), dtype=np.int64)
                for key in keys
            ]
            return hit, numbers
        match = _ascii_regex(pattern).search
        groups = [None if t is None else match(t) for t in self.texts]
        hit = np.array([g is not None for g in groups], dtype=bool)
        numbers = [
            np.array([int(g[key]) if g is not None else 0 for g in groups], dtype=np.int64)
            for key in keys
        ]
        return hit, numbers

    def each(self, test: Callable[[str | None], bool]) -> np.ndarray:
        """Per value: a Python test (the address parser, the policy's statutes)."""
        texts = self.array.to_pylist() if self.texts is None else self.texts
        return np.array([test(t) for t in texts], dtype=bool)


@dataclass(frozen=True)
class _Column:
    """A column as values to test, and per row where its value is among them.

    For a column that repeats values, `values` holds each distinct value once and the
    rules run on those only; otherwise `values` is the column itself.
    """

    values: _Values
    index: np.ndarray  # per row: position in `values`; len(values) for a null
    missing: np.ndarray  # per row: the value is null

    @classmethod
    def of(cls, rows: pa.Table, name: str) -> _Column:
        column = _text(rows, name)
        n = len(column)
        sample = column.slice(0, 10_000)
        # Encoding costs about what it saves on a column of unique values (ids, streets).
        if n > 1_000 and pc.count_distinct(sample).as_py() < 0.9 * len(sample):
            encoded = pc.dictionary_encode(column)
            values = encoded.dictionary
            index = np.asarray(pc.fill_null(encoded.indices, len(values)).to_numpy())
            return cls(_Values.of(values), index.astype(np.int64), index == len(values))
        wrapped = _Values.of(column)
        if wrapped.texts is not None:
            missing = np.array([t is None for t in wrapped.texts], dtype=bool)
        else:
            missing = to_mask(pc.is_null(column))
        return cls(wrapped, np.arange(n, dtype=np.int64), missing)

    def rows(self, on_values: np.ndarray) -> np.ndarray:
        """Spread a mask over `values` to the rows; null rows get False."""
        spread: np.ndarray = np.append(on_values, False)[self.index] & ~self.missing
        return spread

    def matches(self, pattern: str, where: np.ndarray | None = None) -> np.ndarray:
        """Per value (not yet per row): the pattern is found in it; only tried `where` given."""
        return self._per_value(lambda values: values.search(pattern), where)

    def _per_value(
        self, test: Callable[[_Values], np.ndarray], where: np.ndarray | None
    ) -> np.ndarray:
        if where is None:
            return test(self.values)
        found = np.zeros(len(self.values), dtype=bool)
        index = np.flatnonzero(where)
        if len(index):
            found[index] = test(self.values.take(index))
        return found

    def is_placeholder(
        self, placeholder: _Placeholder, where: np.ndarray | None = None
    ) -> np.ndarray:
        """Per value: it is one of the placeholder's words; only tried `where` given."""
        return self._per_value(placeholder.found, where)

    def has_letters(self, pattern: str, where: np.ndarray | None = None) -> np.ndarray:
        """`matches` for a pattern that asks for letters (`\\pL`, never negated): first with
        ASCII letters only, a sub-pattern RE2 compiles in microseconds where Unicode's
        letters take a millisecond (most of a lookup's validation), then with every letter
        on the values that fail it (accented or non-Latin text)."""
        found = self.matches(pattern.replace(r"\pL", "[A-Za-z]"), where)
        rest = ~found if where is None else where & ~found
        letters: np.ndarray = found | self.matches(pattern, where=rest)
        return letters


# --- the rules ---------------------------------------------------------------------------


def _name_conditions(rows: pa.Table) -> Conditions:
    conditions: Conditions = []
    for field, label in (("first_name", "given name"), ("last_name", "surname")):
        name = _Column.of(rows, field)
        placeholder = name.is_placeholder(_NAME_PLACEHOLDER)
        # Most names have two letters and no digit: one pass clears them; the rest are
        # looked at closely.
        suspect = placeholder | ~name.has_letters(r"^\D*\pL\D*\pL\D*$")
        any_letter = ~suspect | name.has_letters(r"\pL", where=suspect)
        two_letters = ~suspect | name.has_letters(r"(?s)\pL.*\pL", where=suspect)
        digits = name.matches(r"\d", where=suspect)
        conditions += [
            (name.missing, f"{label} is missing"),
            (name.rows(placeholder), f"{label} is a placeholder"),
            (name.rows(~placeholder & ~any_letter), f"{label} has no letters"),
            (name.rows(~placeholder & any_letter & ~two_letters), f"{label} is a single letter"),
            (name.rows(any_letter & digits), f"{label} contains digits"),
        ]
    return conditions


def _delivery_points(street: _Column) -> np.ndarray:
    """Per distinct street value: the Pub 28 parser finds a house number and street, a PO
    Box, a rural route or a Puerto Rico urbanization (the same parser the matcher uses, so
    intake accepts exactly the lines matching can read)."""
    return street.values.each(lambda line: parse_address(line).has_delivery_point)


def _address_conditions(rows: pa.Table) -> Conditions:
    street = _Column.of(rows, "street")
    shaped = _delivery_points(street)
    placeholder = street.is_placeholder(_TEXT_PLACEHOLDER, where=~shaped)
    no_letters = ~shaped & ~placeholder & ~street.has_letters(r"\pL", where=~shaped)
    unshaped = ~shaped & ~placeholder & ~no_letters

    city = _Column.of(rows, "city")
    city_ok = city.rows(city.has_letters(r"\pL\pL") & ~city.is_placeholder(_TEXT_PLACEHOLDER))
    state = _Column.of(rows, "state")
    state_ok = state.rows(state.values.squeezed_in("", _STATE_CODES_ARRAY, upper=True))
    zip_code = _Column.of(rows, "zip")
    zip_ok = zip_code.rows(zip_code.matches(_ZIP) & ~zip_code.matches("^00000"))
    return [
        (street.missing, "street is missing"),
        (street.rows(placeholder), "street is a placeholder, not an address"),
        (
            street.rows(no_letters),
            "street has only digits or punctuation (a ZIP is not an address)",
        ),
        (street.rows(unshaped), "street lacks a house number and street name"),
        (~state.missing & ~state_ok, "state is not a 2-letter US state or territory code"),
        (~zip_code.missing & ~zip_ok, "zip is not 5 digits or ZIP+4"),
        (~((city_ok & state_ok) | zip_ok), "neither city and state nor a ZIP code is given"),
    ]


def _order_conditions(rows: pa.Table) -> Conditions:
    ref = _Column.of(rows, "removal_order_ref")
    return [
        (_Column.of(rows, "removal_order_date").missing, "removal_order_date is missing"),
        (
            ref.missing | ref.rows(ref.is_placeholder(_TEXT_PLACEHOLDER)),
            "removal_order_ref is missing",
        ),
    ]


def _statute_missing(rows: pa.Table) -> Conditions:
    return [(_Column.of(rows, "criminal_statute").missing, "criminal_statute is missing")]


def _statute_not_permitted(rows: pa.Table, policy: Policy) -> Conditions:
    statute = _Column.of(rows, "criminal_statute")
    permitted = statute.values.each(lambda s: s is not None and policy.statute_permitted(s))
    return [
        (
            ~statute.missing & ~statute.rows(permitted),
            "criminal_statute is not a permitted criminal statute",
        )
    ]


def _period_conditions(rows: pa.Table, policy: Policy) -> Conditions:
    first = _Column.of(rows, "tax_period_start")
    last = _Column.of(rows, "tax_period_end")
    # One pass over both columns' values: each regex pass costs as much on one row as on many.
    year, year_ok = _year(first.values.concat(last.values))
    cut = len(first.values)
    start, start_ok = _spread(first, year[:cut]), _spread(first, year_ok[:cut])
    end, end_ok = _spread(last, year[cut:]), _spread(last, year_ok[cut:])
    both = start_ok & end_ok
    outside = (np.minimum(start, end) < policy.oldest_tax_year) | (
        np.maximum(start, end) > policy.newest_tax_year
    )
    return [
        (first.missing, "tax_period_start is missing"),
        (last.missing, "tax_period_end is missing"),
        (~first.missing & ~start_ok, "tax_period_start is not a year"),
        (~last.missing & ~end_ok, "tax_period_end is not a year"),
        (both & (start > end), "the tax period starts after it ends"),
        (
            both & outside,
            f"the tax period is outside {policy.oldest_tax_year}-{policy.newest_tax_year}",
        ),
        (
            both & (end - start + 1 > policy.max_period_span_years),
            f"the tax period spans more than {policy.max_period_span_years} years",
        ),
    ]


def _id_conditions(ids: pa.Array, numbers: np.ndarray, malformed: pa.Table | None) -> Conditions:
    n = len(ids)
    if malformed is not None and malformed.num_rows:
        all_numbers = np.concatenate(
            [numbers, np.asarray(malformed.column("row_number").to_numpy(), dtype=np.int64)]
        )
        all_ids = pa.concat_arrays(
            [ids, malformed.column("request_id").combine_chunks().cast(pa.string())]
        )
        duplicate = later_duplicates(all_numbers, all_ids)[:n]
    else:
        duplicate = later_duplicates(numbers, ids)
    return [
        (to_mask(pc.is_null(ids)), "request_id is missing"),
        (duplicate, "request_id was already used by an earlier row"),
    ]


def _order_date_conditions(rows: pa.Table, today: date) -> Conditions:
    order_date = _Column.of(rows, "removal_order_date")
    valid, year, month, day = _ymd(order_date.values)
    future = valid & (_to_datetime64(year, month, day, valid) > np.datetime64(today, "D"))
    return [
        (order_date.rows(~valid), "removal_order_date is not a date"),
        (order_date.rows(future), "removal_order_date is in the future"),
        (
            order_date.rows(valid & (year < OLDEST_ORDER_YEAR)),
            f"removal_order_date is before {OLDEST_ORDER_YEAR}",
        ),
    ]


REJECT_HINTS: dict[RejectCode, str] = {
    RejectCode.R01: "Give the given name and surname as on the removal order, in letters, "
    "e.g. 'Maria' and 'Garcia Lopez'.",
    RejectCode.R02: "Give a house number and street (e.g. '123 N Main St Apt 4') or a "
    "PO Box, RR, HC or URB address, with city and 2-letter state or a 5-digit ZIP.",
    RejectCode.R03: "Give the final removal order's date (e.g. 2020-05-01) and its reference "
    "(the case or A-number, e.g. 'A012345678').",
    RejectCode.R04: "Give the criminal statute under investigation, e.g. '8 U.S.C. 1253(a)(1)'.",
    RejectCode.R07: "Give every row its own non-empty request_id, used once in the batch "
    "(e.g. 'REQ-2025-000123').",
    RejectCode.R08: "Give one record per row as UTF-8 text, with one plain value for each "
    "header column (quote a CSV value that holds the delimiter, a quote or a line break) and "
    "no value longer than 1000 characters.",
}
"""What a correct value looks like, per code; R05, R06 and R09 quote the policy and date."""


# --- helpers -----------------------------------------------------------------------------


def _statute_hint(policy: Policy) -> str:
    statutes = policy.permitted_statutes
    if not statutes:
        return "The policy permits no statute: no request can be answered under it."
    return (
        f"Give a permitted statute or a subsection of one: {'; '.join(statutes)} "
        f"(e.g. '{statutes[0]}(a)(1)')."
    )


def _explain(
    checks: list[tuple[RejectCode, Conditions, str]], n: int
) -> tuple[np.ndarray, pa.Array, pa.Array]:
    """Which rows fail, and the reasons and details of those rows.

    Rows failing the same set of conditions share one text, so the texts are built once
    per combination (a bit pattern) and spread by index.
    """
    flat = [
        (code, hint, mask, text) for code, conditions, hint in checks for mask, text in conditions
    ]
    if len(flat) > 64:
        raise AssertionError("more than 64 validation conditions do not fit the bit pattern")
    pattern = np.zeros(n, dtype=np.uint64)
    for bit, (_, _, mask, _) in enumerate(flat):
        pattern |= mask.astype(np.uint64) << np.uint64(bit)
    failed = pattern != 0
    if not failed.any():
        return failed, pa.array([], pa.string()), pa.array([], pa.string())
    combos, inverse = np.unique(pattern[failed], return_inverse=True)
    reasons: list[str] = []
    details: list[str] = []
    for combo in combos.tolist():
        hit = [flat[bit] for bit in range(len(flat)) if combo >> bit & 1]
        codes = dict.fromkeys(code for code, _, _, _ in hit)  # ordered, unique
        reasons.append(";".join(code.value for code in codes))
        sentences = []
        for code in codes:
            what = "; ".join(text for c, _, _, text in hit if c == code)
            hint = next(h for c, h, _, _ in hit if c == code)
            sentences.append(f"{code.value}: {what}. {hint}")
        details.append(" ".join(sentences))
    take = pa.array(inverse.reshape(-1), pa.int64())
    return (
        failed,
        pc.take(pa.array(reasons, pa.string()), take),
        pc.take(pa.array(details, pa.string()), take),
    )


def _text(rows: pa.Table, name: str) -> pa.Array:
    at = rows.schema.get_field_index(name)  # not `column_names`: a list built per call
    if at < 0:
        return pa.nulls(rows.num_rows, pa.string())
    column = rows.column(at)
    if column.num_chunks == 1 and column.type == pa.string():
        return column.chunk(0)  # no kernel calls: ~16 per record of a lookup
    return column.combine_chunks().cast(pa.string())


def _spread(column: _Column, on_values: np.ndarray) -> np.ndarray:
    """Per-value numbers or flags spread to the rows (0 or False for a null)."""
    spread: np.ndarray = np.append(on_values, np.zeros(1, dtype=on_values.dtype))[column.index]
    return spread


def _ymd(values: _Values) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which values are real dates (YYYY-MM-DD or MM/DD/YYYY), and their year, month, day."""
    n = len(values)
    year, month, day = (np.zeros(n, dtype=np.int64) for _ in range(3))
    matched = np.zeros(n, dtype=bool)
    for pattern in (_ISO_DATE, _US_DATE):
        if matched.all():
            break  # e.g. every value an ISO date: the US pattern need not run
        found, numbers = values.fields(pattern, ("y", "m", "d"))
        hit = found & ~matched
        for number, target in zip(numbers, (year, month, day), strict=True):
            target[hit] = number[hit]
        matched |= hit
    month_ok = (month >= 1) & (month <= 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    longest = _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + (leap & (month == 2))
    valid = matched & month_ok & (day >= 1) & (day <= longest)
    return valid, year, month, day


def _year(values: _Values) -> tuple[np.ndarray, np.ndarray]:
    """Per value: a tax year from '2023' or a full date such as '2023-01-01'; whether valid."""
    plain, (year,) = values.fields(r"^(?P<y>\d{4})$", ("y",))
    if plain.all():
        return year, plain  # the common case: no value is a full date
    date_ok, date_year, _, _ = _ymd(values)
    return np.where(plain, year, date_year), plain | date_ok


def _to_datetime64(
    year: np.ndarray, month: np.ndarray, day: np.ndarray, valid: np.ndarray
) -> np.ndarray:
    y = np.where(valid, year, 1970)
    m = np.where(valid, month, 1)
    d = np.where(valid, day, 1)
    months = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    days: np.ndarray = months.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    return days
