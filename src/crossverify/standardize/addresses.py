"""Street lines, cities, states and ZIPs in USPS Publication 28 form; a lenient parse.

:func:`parse_address` never raises: what it cannot place goes to ``leftover`` and the line is
typed ``"ambiguous"`` (usaddress returns ambiguity as a value the same way). Placeholders
("unknown", "N/A", a ZIP typed in the street field) are flagged, not parsed.

What this can do: split a US or Puerto Rico street line into house number, directionals,
street name, type, unit, PO Box, rural route and urbanization, with Pub 28 abbreviations.
What it cannot do: verify that an address exists or is deliverable, or parse a whole address
(city, state, ZIP) written into the street field; those words end up in ``leftover``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from crossverify.standardize import _street, vocab
from crossverify.standardize.text import address_tokens, squash
from crossverify.standardize.vocab import (
    DIRECTIONALS,
    PLACEHOLDER_WORDS,
    SPANISH_DIRECTIONALS,
    UNIT_TYPES_WITHOUT_NUMBER,
)

# Plain dicts for the per-token lookups (faster than the read-only views in vocab).
SPANISH_PREFIX_TYPES = dict(vocab.SPANISH_PREFIX_TYPES)
UNIT_TYPES = dict(vocab.UNIT_TYPES)

_CACHE_SIZE = 1 << 15
_URBANIZATION_WORDS = frozenset({"URB", "URBANIZACION", "URBANIZATION"})
_GLUED_UNIT = re.compile(r"^(APTO|APT|STE|UNIT|RM|BLDG|FL|SPC|LOT|TRLR|SUITE|ROOM)(\d[A-Z0-9-]*)$")
_GLUED_BOX = re.compile(r"^(POBOX|POBX|POB|BOX)(\d[A-Z0-9-]*)$")
_GLUED_PO_BOX = frozenset({"POBOX", "POBX"})
_LETTER_HOUSE = re.compile(r"^[A-Z]{1,2}-\d")
_ID_SKIP = frozenset({"#", "NO", "NUM", "NUMBER"})
_DIGIT = re.compile(r"\d").search
# Words that can start each optional part: a line without any of them skips that part.
_RURAL_ROUTE_WORDS = frozenset(
    {"RR", "RFD", "RURAL", "HC", "HCR", "HIGHWAY", "HWY", "STAR", "R", "H"}
)
_ROUTE_WORDS = frozenset({"ROUTE", "RTE", "RT"})
_HC_PAIRS = frozenset({("H", "C"), ("HIGHWAY", "CONTRACT"), ("HWY", "CONTRACT")})
# A line that starts with one of these and a number is a rural route only with a box after
# ("RT 1 BOX 5", "RD 2 BOX 9" for Rural Delivery); "ROUTE 1" alone is a road.
_ROUTE_WORDS_NEEDING_BOX = _ROUTE_WORDS | {"RD"}
_PO_BOX_WORDS = frozenset({"PO", "POB", "APARTADO", "P", "POST", "BOX", "BX"})
_UNIT_WORDS = frozenset(UNIT_TYPES) | {"#"}
_BLOCK_WORDS = frozenset({"BLOQUE", "BLOQ", "BLQ"})
_HOUSE_WORDS = frozenset({"CASA", "LOTE", "#", "NUM", "NO"})
_SPANISH_WORDS = frozenset(SPANISH_PREFIX_TYPES) | _URBANIZATION_WORDS
_ENGLISH_DIRS = dict(DIRECTIONALS)
_SPANISH_DIRS = _ENGLISH_DIRS | dict(SPANISH_DIRECTIONALS)


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """One street line in Pub 28 parts.

    ``street_type`` holds either a suffix type (ST, AVE) or, when ``type_is_prefix``, a type
    written before the name (CALLE 1, AVE B). ``unit`` is the unit number only; a unit written
    with ``#`` has no ``unit_type``. ``address_type`` is street / po_box / rural_route /
    urbanization / ambiguous / placeholder / empty.
    """

    house_number: str | None = None
    predir: str | None = None
    street_name: str | None = None
    street_type: str | None = None
    type_is_prefix: bool = False
    postdir: str | None = None
    unit_type: str | None = None
    unit: str | None = None
    po_box: str | None = None
    rural_route: str | None = None
    urbanization: str | None = None
    line_std: str | None = None
    is_placeholder: bool = False
    leftover: str | None = None
    address_type: str = "empty"

    @property
    def has_delivery_point(self) -> bool:
        """House number and street (or urbanization), PO Box, or rural route present.

        A unit designator alone is no street ("123 APT 4"), though "123 LOT ST" is.
        """
        named = self.street_name and (self.street_type or self.street_name not in UNIT_TYPES)
        return bool(
            (self.house_number and (named or self.urbanization)) or self.po_box or self.rural_route
        )


EMPTY = ParsedAddress(is_placeholder=True, address_type="empty")
PLACEHOLDER = ParsedAddress(is_placeholder=True, address_type="placeholder")


def parse_address(line: str | None, puerto_rico: bool = False) -> ParsedAddress:
    """Parse a street line (unit included) into Pub 28 parts; never raises.

    Args:
        line: the street field as written ("123 N Main St Apt 4", "URB LAS LOMAS A17 CALLE 1").
        puerto_rico: the address is in Puerto Rico (state PR or ZIP 006/007/009): Spanish
            directionals (O/NO/SO -> W/NW/SW) are read. Spanish type words and URB turn this
            on by themselves.

    Returns:
        A ParsedAddress; placeholders and empty lines come back flagged, with no parts.

    Examples:
        >>> parse_address("123 n. Main Street apt 4b").line_std
        '123 N MAIN ST APT 4B'
        >>> parse_address("URB LAS LOMAS A17 CALLE 1").street_type
        'CALLE'
        >>> parse_address("Calle 16 Bloque 8 Casa 30, Urb. Levittown").line_std
        '8-30 CALLE 16'
        >>> parse_address("RT 1 BOX 6998").rural_route, parse_address("P O B 12").po_box
        ('RR 1 BOX 6998', '12')
        >>> parse_address("4644 N. W. 8 St").line_std
        '4644 NW 8TH ST'
    """
    return _parse_cached(line, puerto_rico)


def parse_address_uncached(line: str | None, puerto_rico: bool = False) -> ParsedAddress:
    """:func:`parse_address` without the cache, for callers that already deduplicate lines."""
    tokens = address_tokens(line)
    if not tokens:
        return EMPTY
    if is_placeholder_tokens(tokens):
        return PLACEHOLDER
    tokens = _split_glued(tokens)
    spanish = puerto_rico or not _SPANISH_WORDS.isdisjoint(tokens)
    leftover: list[str] = []
    urbanization, tokens = _take_urbanization(tokens)
    rural_route, tokens = _take_rural_route(tokens)
    po_box, tokens = _take_po_box(tokens)
    house, tokens = _take_block_house(tokens)
    unit_type, unit, tokens = _take_unit(tokens, leftover)
    if house is None:
        house, tokens = _take_house_number(tokens, spanish)
    dirs = _SPANISH_DIRS if spanish else _ENGLISH_DIRS
    street = _street.parse_street(tokens, dirs, after_house=house is not None)
    trailing = list(street.trailing)
    if trailing and house is None and street.type_is_prefix and spanish:
        house = _house(trailing.pop())  # "CALLE 1 A17": PR house numbers also follow the street
    if trailing and unit is None and unit_type is None and len(trailing) == 1:
        unit = _unit_id(trailing.pop())
    leftover.extend(trailing)
    parts = _line_parts(house, street, unit_type, unit)
    if not parts:
        parts = ["PO BOX " + po_box] if po_box else [rural_route or urbanization or ""]
    line_std = " ".join(p for p in parts if p) or None
    address_type = _address_type(
        house=house,
        name=street.name,
        po_box=po_box,
        rural_route=rural_route,
        urbanization=urbanization,
        leftover=leftover,
    )
    return ParsedAddress(
        house_number=house,
        predir=street.predir,
        street_name=street.name,
        street_type=street.street_type,
        type_is_prefix=street.type_is_prefix,
        postdir=street.postdir,
        unit_type=unit_type,
        unit=unit,
        po_box=po_box,
        rural_route=rural_route,
        urbanization=urbanization,
        line_std=line_std,
        is_placeholder=False,
        leftover=" ".join(leftover) or None,
        address_type=address_type,
    )


_parse_cached = lru_cache(maxsize=_CACHE_SIZE)(parse_address_uncached)


def is_placeholder_tokens(tokens: list[str]) -> bool:
    """True for a line that is no address: digits only (a ZIP), punctuation, "unknown", "N/A"..."""
    for token in tokens:
        word = token if token.isalnum() else squash(token)
        if word and not word.isdigit() and word not in PLACEHOLDER_WORDS:
            return False
    return True


def _split_glued(tokens: list[str]) -> list[str]:
    """Split words written together: APT4 -> APT 4, POBOX -> PO BOX, BOX123 -> BOX 123."""
    out: list[str] = []
    for token in tokens:
        if token.isalpha():
            if token in _GLUED_PO_BOX:
                out.extend(("PO", "BOX"))
            else:
                out.append(token)
            continue
        if not token[0].isalpha():
            out.append(token)
            continue
        box = _GLUED_BOX.match(token)
        if box is not None:
            word, number = box.groups()
            out.extend(("PO", "BOX") if word in _GLUED_PO_BOX else (word,))
            out.append(number)
            continue
        match = _GLUED_UNIT.match(token)
        if match:
            out.extend(match.groups())
        else:
            out.append(token)
    return out


def _has_digit(token: str) -> bool:
    return _DIGIT(token) is not None


def _is_id(token: str) -> bool:
    """A unit, box or house identifier: "4", "4B", "B-4", "A17", a single letter."""
    bare = token.replace("-", "")
    return bool(bare) and bare.isalnum() and len(bare) <= 8 and (_has_digit(bare) or len(bare) == 1)


def _unit_id(token: str) -> str:
    return token.replace("-", "")


def _number(token: str) -> str:
    """A route or box number without leading zeros ("01" -> "1")."""
    return (token.lstrip("0") or "0") if token.isdigit() else token


def _take_urbanization(tokens: list[str]) -> tuple[str | None, list[str]]:
    """URB and the words of its name, up to a number, a Spanish type word or a unit."""
    if _URBANIZATION_WORDS.isdisjoint(tokens):
        return None, tokens
    for i, token in enumerate(tokens):
        if token not in _URBANIZATION_WORDS:
            continue
        j = i + 1
        while j < len(tokens) and not _ends_urbanization(tokens[j]):
            j += 1
        if j > i + 1:
            return "URB " + " ".join(tokens[i + 1 : j]), tokens[:i] + tokens[j:]
    return None, tokens


_URBANIZATION_STOPS = frozenset(
    {"#", "AVE", "PO", "BOX", "RR", "HC", "APARTADO", "CASA", "LOTE"} | _BLOCK_WORDS
)


def _ends_urbanization(token: str) -> bool:
    return (
        _has_digit(token)
        or token in SPANISH_PREFIX_TYPES
        or token in UNIT_TYPES
        or token in _URBANIZATION_STOPS
    )


def _take_rural_route(tokens: list[str]) -> tuple[str | None, list[str]]:
    """Rural routes as "RR 2 BOX 15", highway contract (and star) routes as "HC 1 BOX 5".

    RR / R R / RFD / RURAL ROUTE / RURAL RTE, and at the start of the line RT / RTE / ROUTE /
    RD when a box follows; HC / H C / HCR / HIGHWAY CONTRACT / STAR ROUTE.
    """
    if not tokens or (
        _RURAL_ROUTE_WORDS.isdisjoint(tokens) and tokens[0] not in _ROUTE_WORDS_NEEDING_BOX
    ):
        return None, tokens
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        needs_box = False
        if token in {"RR", "RFD"}:
            kind, j = "RR", i + 1
        elif (token == "R" and nxt == "R") or (token == "RURAL" and nxt in _ROUTE_WORDS):
            kind, j = "RR", i + 2
        elif token in {"HC", "HCR"}:
            kind, j = "HC", i + 1
        elif (token, nxt) in _HC_PAIRS or (token == "STAR" and nxt in _ROUTE_WORDS):
            kind, j = "HC", i + 2
        elif i == 0 and token in _ROUTE_WORDS_NEEDING_BOX:
            kind, j, needs_box = "RR", i + 1, True
        else:
            continue
        if j < len(tokens) and tokens[j] in _ROUTE_WORDS:
            j += 1  # "RFD ROUTE 4", "HC RTE 2"
        while j < len(tokens) and tokens[j] in _ID_SKIP:
            j += 1
        if j >= len(tokens) or not _has_digit(tokens[j]):
            continue
        route = f"{kind} {_number(tokens[j])}"
        box, k = _box_after(tokens, j + 1)
        if needs_box and box is None:
            continue
        value = f"{route} BOX {box}" if box else route
        return value, tokens[:i] + tokens[k:]
    return None, tokens


def _box_after(tokens: list[str], j: int) -> tuple[str | None, int]:
    """A "BOX 15" / "BX 15" / "# 15" right at position j: (number, index after it)."""
    if j < len(tokens) and tokens[j] in {"BOX", "BX"}:
        k = j + 1
        while k < len(tokens) and tokens[k] in _ID_SKIP:
            k += 1
        if k < len(tokens) and _is_id(tokens[k]):
            return _number(tokens[k]), k + 1
    return None, j


def _take_po_box(tokens: list[str]) -> tuple[str | None, list[str]]:
    """PO BOX 123 / P O BOX 123 / P O B 123 / POST OFFICE BOX 123 / POB 123 / BOX 123 /
    APARTADO 123."""
    if _PO_BOX_WORDS.isdisjoint(tokens):
        return None, tokens
    for i, token in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in {"PO", "POB", "APARTADO"}:
            j = i + 1
        elif (token == "P" and nxt == "O") or (token == "POST" and nxt in {"OFFICE", "OFC"}):
            j = i + 2
        elif token == "POST" and nxt in {"BOX", "BX"}:
            j = i + 1
        elif token in {"BOX", "BX"} and i == 0:
            j = i
        else:
            continue
        if j < len(tokens) and tokens[j] in {"BOX", "BX", "DRAWER", "B"} and token != "POB":
            j += 1  # "PO BOX", "P O B"
        while j < len(tokens) and tokens[j] in _ID_SKIP:
            j += 1
        if j < len(tokens) and _has_digit(tokens[j]) and _is_id(tokens[j]):
            return _number(tokens[j]), tokens[:i] + tokens[j + 1 :]
    return None, tokens


def _take_unit(tokens: list[str], leftover: list[str]) -> tuple[str | None, str | None, list[str]]:
    """The secondary unit (Pub 28 Appendix C2), e.g. APT 4, STE 200, # 4B, REAR, 2ND FL.

    A designator counts only after a street word (not "123 LOT ST"). With several units
    ("BLDG 5 APT 12") the last is the unit and the others go to leftover.
    """
    if _UNIT_WORDS.isdisjoint(tokens):
        return None, None, tokens
    first = "#" if tokens and tokens[0] == "#" else UNIT_TYPES.get(tokens[0]) if tokens else None
    if (
        first
        and len(tokens) >= 2
        and _is_id(tokens[1])
        and (len(tokens) == 2 or _has_digit(tokens[2]))  # "APT 4 123 ..", "RR 1 BOX 5 APT 2"
    ):
        return (None if first == "#" else first), _unit_id(tokens[1]), tokens[2:]
    found: list[tuple[str | None, str | None, int, int]] = []
    i = 1
    while i < len(tokens):
        token = tokens[i]
        designator = "#" if token == "#" else UNIT_TYPES.get(token)
        if designator is None or not _has_street_word(tokens, i):
            i += 1
            continue
        j = i + 1
        while j < len(tokens) and tokens[j] in _ID_SKIP:
            j += 1
        if j < len(tokens) and _is_id(tokens[j]):
            unit_id = _unit_id(tokens[j])
            end = j + 1
            if end == len(tokens) - 1 and unit_id.isdigit() and len(tokens[end]) == 1:
                unit_id, end = unit_id + tokens[end], end + 1  # "APT 4 B"
            found.append((None if designator == "#" else designator, unit_id, i, end))
            i = end
            continue
        if designator == "FL" and tokens[i - 1][:1].isdigit():
            found.append(("FL", re.sub(r"\D", "", tokens[i - 1]), i - 1, i + 1))  # "2ND FL"
        elif designator in UNIT_TYPES_WITHOUT_NUMBER and j == len(tokens):
            found.append((designator, None, i, j))
        i += 1
    if not found:
        return None, None, tokens
    unit_type, unit, start, end = found[-1]
    if len(found) == 1:
        return unit_type, unit, tokens[:start] + tokens[end:]
    for _, _, s, e in found[:-1]:
        leftover.extend(tokens[s:e])
    drop = {k for _, _, s, e in found for k in range(s, e)}
    return unit_type, unit, [t for k, t in enumerate(tokens) if k not in drop]


def _take_block_house(tokens: list[str]) -> tuple[str | None, list[str]]:
    """PR block and house anywhere in the line (Pub 28 Appendix I), Bloque/Casa/Lote/# dropped.

    BLOQUE 23 CASA 18 -> "23-18" (both numbers: hyphenated); BLOQUE L CASA 47 -> "L47".
    """
    if _BLOCK_WORDS.isdisjoint(tokens):
        return None, tokens
    for i, token in enumerate(tokens):
        if token in _BLOCK_WORDS and i + 1 < len(tokens) and _is_id(tokens[i + 1]):
            j = i + 2
            if j < len(tokens) and tokens[j] in _HOUSE_WORDS:
                j += 1
            if j < len(tokens) and _is_id(tokens[j]):
                block, number = tokens[i + 1], tokens[j]
                house = block + number if block.isalpha() else f"{block}-{number}"
                return house, tokens[:i] + tokens[j + 1 :]
    return None, tokens


def _house(token: str) -> str:
    """A house number in one form: a PR block letter joins its number ("L-47" -> "L47")."""
    return token.replace("-", "", 1) if "-" in token and _LETTER_HOUSE.match(token) else token


def _has_street_word(tokens: list[str], i: int) -> bool:
    """Whether a street word comes before ``tokens[i]``: a word without digits, or an ordinal
    after the first word ("10037 4TH APT 25")."""
    return any(not _has_digit(t) for t in tokens[:i]) or any(
        _street.is_ordinal(t) for t in tokens[1:i]
    )


def _take_house_number(tokens: list[str], spanish: bool) -> tuple[str | None, list[str]]:
    """House number at the start ("123", "123 1/2", "A17", "23-18")."""
    if spanish and len(tokens) > 1 and tokens[0] in {"CASA", "NUM", "#"} and _is_id(tokens[1]):
        tokens = tokens[1:]
    if not tokens or not _is_house_number(tokens):
        return None, tokens
    house, rest = _house(tokens[0]), tokens[1:]
    if rest and "/" in rest[0] and rest[0].replace("/", "").isdigit():
        house, rest = f"{house} {rest[0]}", rest[1:]
    return house, rest


def _is_house_number(tokens: list[str]) -> bool:
    token = tokens[0]
    if not _has_digit(token) or len(token) > 15 or not token.replace("-", "").isalnum():
        return False
    if _street.is_ordinal(token):  # "5TH AVE" has no house number
        return len(tokens) > 1 and not _street.is_type_or_dir(tokens[1])
    return True


def _line_parts(
    house: str | None, street: _street.Street, unit_type: str | None, unit: str | None
) -> list[str | None]:
    if not (house or street.name):
        return []
    prefix = street.street_type if street.type_is_prefix else None
    suffix = None if street.type_is_prefix else street.street_type
    designator = unit_type or ("#" if unit else None)
    return [house, street.predir, prefix, street.name, suffix, street.postdir, designator, unit]


def _address_type(
    *,
    house: str | None,
    name: str | None,
    po_box: str | None,
    rural_route: str | None,
    urbanization: str | None,
    leftover: list[str],
) -> str:
    if leftover:
        return "ambiguous"
    if house or name:
        return "street"
    if po_box:
        return "po_box"
    if rural_route:
        return "rural_route"
    if urbanization:
        return "urbanization"
    return "ambiguous"
