"""The street part of a line, after house number and unit are taken: directionals, type, name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from crossverify.standardize.vocab import (
    DIRECTIONALS,
    NAME_WORDS_KEPT,
    NUMBERED_ROUTE_TYPES,
    ORDINAL_WORDS,
    SPANISH_PREFIX_TYPES,
    STREET_TYPE_WORDS,
    STREET_TYPES,
    TENS_WORDS,
)

_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH|D)$")
_NAME_ABBREVIATIONS = {"ST": "SAINT", "MT": "MOUNT", "FT": "FORT", "PT": "POINT"}
_ORDINAL_ENDINGS = {1: "ST", 2: "ND", 3: "RD"}
_MILEPOSTS = frozenset({"KM", "HM", "KILOMETRO"})


@dataclass(frozen=True, slots=True)
class Street:
    """Street parts; ``trailing`` are words after the type (a unit or PR house number)."""

    predir: str | None = None
    name: str | None = None
    street_type: str | None = None
    type_is_prefix: bool = False
    postdir: str | None = None
    trailing: tuple[str, ...] = ()


def is_ordinal(token: str) -> bool:
    """A numeric ordinal such as 1ST, 22ND, 3RD, 2D."""
    return _ORDINAL.match(token) is not None


def is_type_or_dir(token: str) -> bool:
    return token in STREET_TYPES or token in DIRECTIONALS


def parse_street(tokens: list[str], dirs: Mapping[str, str]) -> Street:
    """Split the street words into predirectional, prefix or suffix type, name, postdirectional.

    A directional or type word is the name when nothing else would be ("123 NORTH ST",
    "123 E ST NW"). Spanish type words precede the name and are kept (CALLE never becomes ST).
    """
    words = list(tokens)
    predir = None
    if len(words) >= 2 and words[0] in dirs and _has_name(words[1:], dirs):
        predir, words = dirs[words[0]], words[1:]
    if len(words) >= 2 and words[0] in SPANISH_PREFIX_TYPES:
        return _prefixed(predir, SPANISH_PREFIX_TYPES[words[0]], words[1:], dirs)
    t = _rightmost_type(words)
    if t is not None:
        after = words[t + 1 :]
        kind = STREET_TYPES[words[t]]
        if not (kind in NUMBERED_ROUTE_TYPES and len(after) == 1 and after[0].isdigit()):
            postdir = None
            if after and after[0] in dirs:
                postdir, after = dirs[after[0]], after[1:]
            return Street(predir, _name(words[:t]), kind, False, postdir, tuple(after))
        return Street(predir, _name(words), None)  # "COUNTY ROAD 12", "US HWY 61"
    postdir = None
    if len(words) >= 2 and words[-1] in dirs and words[-2] not in STREET_TYPES:
        postdir, words = dirs[words[-1]], words[:-1]
    if len(words) >= 2 and words[0] in STREET_TYPES:  # "AVENUE B", "HWY 61"
        return _prefixed(predir, STREET_TYPES[words[0]], words[1:], dirs, postdir)
    trailing: tuple[str, ...] = ()
    if len(words) >= 2 and _has_digit(words[-1]) and not _has_digit(words[-2]):
        trailing, words = (words[-1],), words[:-1]
    return Street(predir, _name(words), None, False, postdir, trailing)


def _prefixed(
    predir: str | None,
    street_type: str,
    words: list[str],
    dirs: Mapping[str, str],
    postdir: str | None = None,
) -> Street:
    if postdir is None and len(words) >= 2 and words[-1] in dirs:
        postdir, words = dirs[words[-1]], words[:-1]
    trailing: tuple[str, ...] = ()
    milepost = any(w in _MILEPOSTS for w in words)
    if len(words) >= 2 and _has_digit(words[-1]) and not milepost:
        trailing, words = (words[-1],), words[:-1]  # "CALLE 1 A17": house number after
    return Street(predir, _name(words), street_type, True, postdir, trailing)


def _has_name(words: list[str], dirs: Mapping[str, str]) -> bool:
    """Whether a name word is left once a trailing directional and type are set aside."""
    if len(words) >= 2 and words[-1] in dirs:
        words = words[:-1]
    if words and words[-1] in STREET_TYPES and words[-1] not in SPANISH_PREFIX_TYPES:
        words = words[:-1]
    return bool(words)


def _rightmost_type(words: list[str]) -> int | None:
    """Index of the last suffix type word that has a name word before it."""
    for i in range(len(words) - 1, 0, -1):
        if words[i] in STREET_TYPES:
            return i
    return None


_DIGIT = re.compile(r"\d").search


def _has_digit(token: str) -> bool:
    return _DIGIT(token) is not None


def _name(words: list[str]) -> str | None:
    """The street name key: ordinals as 1ST/21ST, type words inside the name spelled out."""
    words = _ordinals(words)
    out = []
    last = len(words) - 1
    for i, word in enumerate(words):
        if word == "ST" and i == last and i > 0:
            out.append("STREET")  # "MAIN ST EXT": only the last type word is abbreviated
        elif word in _NAME_ABBREVIATIONS and i < last:
            out.append(_NAME_ABBREVIATIONS[word])  # "ST JAMES", "MT VERNON"
        elif word in STREET_TYPE_WORDS and word not in NAME_WORDS_KEPT:
            out.append(STREET_TYPE_WORDS[word])
        else:
            out.append(word)
    return " ".join(out) or None


def _ordinals(words: list[str]) -> list[str]:
    """FIRST -> 1ST, TWENTY FIRST / TWENTY-FIRST -> 21ST, 2D -> 2ND."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if "-" in word and word.split("-", 1)[0] in TENS_WORDS:
            parts = word.split("-", 1)
            if parts[1] in ORDINAL_WORDS:
                out.append(_ordinal(TENS_WORDS[parts[0]] + ORDINAL_WORDS[parts[1]]))
                i += 1
                continue
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word in TENS_WORDS and nxt in ORDINAL_WORDS and ORDINAL_WORDS[nxt] < 10:
            out.append(_ordinal(TENS_WORDS[word] + ORDINAL_WORDS[nxt]))
            i += 2
            continue
        if word in ORDINAL_WORDS:
            out.append(_ordinal(ORDINAL_WORDS[word]))
        else:
            match = _ORDINAL.match(word)
            out.append(_ordinal(int(match.group(1))) if match else word)
        i += 1
    return out


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}TH"
    return f"{n}{_ORDINAL_ENDINGS.get(n % 10, 'TH')}"
