"""The street part of a line, after house number and unit are taken: directionals, type, name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import jellyfish

from crossverify.standardize import vocab
from crossverify.standardize.vocab import NAME_WORDS_KEPT, NUMBERED_ROUTE_TYPES

# Plain dict copies of the vocab tables: a lookup in a dict is faster than in the read-only
# MappingProxyType, and these run several times for every distinct street line.
DIRECTIONALS = dict(vocab.DIRECTIONALS)
ORDINAL_WORDS = dict(vocab.ORDINAL_WORDS)
SPANISH_PREFIX_TYPES = dict(vocab.SPANISH_PREFIX_TYPES)
STREET_TYPE_WORDS = dict(vocab.STREET_TYPE_WORDS)
STREET_TYPES = dict(vocab.STREET_TYPES)
TENS_WORDS = dict(vocab.TENS_WORDS)

_ORDINAL = re.compile(r"^(\d+)(ST|ND|RD|TH|D)$")
_NAME_ABBREVIATIONS = {"ST": "SAINT", "MT": "MOUNT", "FT": "FORT", "PT": "POINT"}
_ORDINAL_ENDINGS = {1: "ST", 2: "ND", 3: "RD"}
_MILEPOSTS = frozenset({"KM", "HM", "KILOMETRO"})
# Words a keying error is recognisably made in (one letter off, two swapped): the common
# thoroughfare types and the long directionals, never a word that could be a street's name.
_TYPE_WORDS_MISTYPED = {
    word: STREET_TYPES[word]
    for word in (
        "STREET", "AVENUE", "ROAD", "DRIVE", "LANE", "BOULEVARD", "BLVD", "COURT", "PLACE",
        "CIRCLE", "PARKWAY", "PKWY", "TERRACE", "HIGHWAY", "TRAIL",
    )
}  # fmt: skip
_KNOWN_WORDS = {*STREET_TYPES, *DIRECTIONALS, "LINE"}  # COUNTY LINE, STATE LINE
_DIRECTIONS_MISTYPED = {
    word: DIRECTIONALS[word]
    for word in ("NORTH", "SOUTH", "NORTHEAST", "NORTHWEST", "SOUTHEAST", "SOUTHWEST")
}


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


def parse_street(tokens: list[str], dirs: Mapping[str, str], after_house: bool = False) -> Street:
    """Split the street words into predirectional, prefix or suffix type, name, postdirectional.

    A directional or type word is the name when nothing else would be ("123 NORTH ST",
    "123 E ST NW"), but a directional alone names no street ("1234 W"). A directional written
    in two words ("N W", "N. W.", "NORTH WEST") is one. Spanish type words precede the name
    and are kept (CALLE never becomes ST). With ``after_house`` (a house number came before),
    a bare number before a suffix type is the ordinal street name ("4644 8 ST" -> 8TH ST).
    """
    words = _untypo(list(tokens), dirs)
    if 1 <= len(words) <= 2 and words[0] in dirs:
        lone = dirs[words[0]] if len(words) == 1 else _dir_pair(words, 0, dirs)
        if lone is not None:
            return Street(postdir=lone)  # "1234 W": a directional alone names no street
    predir = None
    if len(words) >= 2 and words[0] in dirs:
        pair = _dir_pair(words, 0, dirs) if len(words) >= 3 else None
        if pair is not None and _has_name(words[2:], dirs):
            predir, words = pair, words[2:]
        elif _has_name(words[1:], dirs):
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
                pair = _dir_pair(after, 0, dirs) if len(after) >= 2 else None
                postdir, after = (pair, after[2:]) if pair else (dirs[after[0]], after[1:])
            name_words = words[:t]
            if after_house and len(name_words) == 1 and name_words[0].isdigit():
                name_words = [_ordinal(int(name_words[0]))]  # "4644 8 ST": Pub 28 writes 8TH
            return Street(predir, _name(name_words), kind, False, postdir, tuple(after))
        return Street(predir, _name(words), None)  # "COUNTY ROAD 12", "US HWY 61"
    postdir = None
    if len(words) >= 2 and words[-1] in dirs:
        pair = _dir_pair(words, len(words) - 2, dirs) if len(words) >= 3 else None
        if pair is not None and words[-3] not in STREET_TYPES:
            postdir, words = pair, words[:-2]
        elif words[-2] not in STREET_TYPES:
            postdir, words = dirs[words[-1]], words[:-1]
    if len(words) >= 2 and words[0] in STREET_TYPES:  # "AVENUE B", "HWY 61"
        return _prefixed(predir, STREET_TYPES[words[0]], words[1:], dirs, postdir)
    trailing: tuple[str, ...] = ()
    if len(words) >= 2 and _has_digit(words[-1]) and not _has_digit(words[-2]):
        trailing, words = (words[-1],), words[:-1]
    return Street(predir, _name(words), None, False, postdir, trailing)


def _untypo(words: list[str], dirs: Mapping[str, str]) -> list[str]:
    """A mistyped type word after the name ("WALNUT LANNE") or directional before it
    ("SOUDHWEST AZALEA RD") read as the word meant, so the street name stays the name."""
    if len(words) < 2:
        return words
    direction = None if words[0] in dirs else _mistyped(words[0], "dir")
    if direction is not None and _has_name(words[1:], dirs):
        words = [direction, *words[1:]]
    kind = _mistyped(words[-1], "type") if _rightmost_type(words) is None else None
    if kind is not None and any(w not in dirs for w in words[:-1]):
        words = [*words[:-1], kind]
    return words


@lru_cache(maxsize=4096)
def _mistyped(word: str, kind: str) -> str | None:
    """The one word of the kind that ``word`` is one edit from (a known word is not a typo)."""
    if len(word) < 4 or not word.isalpha() or word in _KNOWN_WORDS:
        return None
    table = _TYPE_WORDS_MISTYPED if kind == "type" else _DIRECTIONS_MISTYPED
    meant = {
        standard
        for target, standard in table.items()
        if abs(len(target) - len(word)) <= 1
        and jellyfish.damerau_levenshtein_distance(word, target) == 1
    }
    return meant.pop() if len(meant) == 1 else None


def _prefixed(
    predir: str | None,
    street_type: str,
    words: list[str],
    dirs: Mapping[str, str],
    postdir: str | None = None,
) -> Street:
    pair = _dir_pair(words, len(words) - 2, dirs) if postdir is None and len(words) >= 3 else None
    if pair is not None:
        postdir, words = pair, words[:-2]
    elif postdir is None and len(words) >= 2 and words[-1] in dirs:
        postdir, words = dirs[words[-1]], words[:-1]
    trailing: tuple[str, ...] = ()
    milepost = any(w in _MILEPOSTS for w in words)
    if len(words) >= 2 and _has_digit(words[-1]) and not milepost:
        trailing, words = (words[-1],), words[:-1]  # "CALLE 1 A17": house number after
    return Street(predir, _name(words), street_type, True, postdir, trailing)


def _dir_pair(words: list[str], i: int, dirs: Mapping[str, str]) -> str | None:
    """The directional written as two words at ``words[i:i + 2]`` ("N W", "SOUTH EAST"), or None."""
    first = dirs.get(words[i])
    if first not in {"N", "S"}:
        return None
    second = dirs.get(words[i + 1])
    return first + second if second in {"E", "W"} else None


def _has_name(words: list[str], dirs: Mapping[str, str]) -> bool:
    """Whether a name word is left once a trailing directional and type are set aside."""
    if len(words) >= 3 and _dir_pair(words, len(words) - 2, dirs) is not None:
        words = words[:-2]
    elif len(words) >= 2 and words[-1] in dirs:
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
