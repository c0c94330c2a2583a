"""Text folding shared by the name and address parsers: uppercase ASCII, punctuation rules."""

from __future__ import annotations

import re

from unidecode import unidecode

_NON_LETTERS = re.compile(r"[^A-Z]+")
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")
_APOSTROPHES = str.maketrans("", "", "'`\u2019\u2018\u02bc")
# A period between single letters is dropped ("P.O.B." -> "POB", "N.W." -> "NW"); one that
# ends a longer word or starts one separates words ("AV.N.W." -> "AV NW", "N.MAIN" -> "N MAIN",
# "URB.LEVITTOWN", "APT.4"); one between digits is kept ("KM 3.5").
_PERIOD = re.compile(r"\.(?!\d)|(?<!\d)\.")
_PERIOD_BETWEEN_WORDS = re.compile(r"(?<=[A-Z0-9]{2})\.(?!\d)|(?<=[A-Z])\.(?=\d)|\.(?=[A-Z]{2})")


def fold(value: str) -> str:
    """Uppercase ASCII: accents and other scripts folded with unidecode (``Muñoz`` -> ``MUNOZ``)."""
    if not value.isascii():
        value = unidecode(value)
    return value.upper()


def name_tokens(value: str | None) -> list[str]:
    """Words of a name: letters only; apostrophes joined (O'Neil -> ONEIL), all else splits."""
    if not value:
        return []
    return _NON_LETTERS.sub(" ", fold(value).translate(_APOSTROPHES)).split()


def squash(value: str) -> str:
    """Letters and digits only (``N/A`` -> ``NA``): for comparing against placeholder lists."""
    return _NON_ALNUM.sub("", value)


def _address_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {code: " " for code in range(128)}
    for char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/.":
        table[ord(char)] = char
    for char in "'`":
        table[ord(char)] = None
    table[ord("#")] = " # "
    table[ord("&")] = " & "
    return table


_ADDRESS_TABLE = _address_table()


def address_tokens(value: str | None) -> list[str]:
    """Words of an address line, uppercase ASCII.

    Apostrophes are dropped; periods are dropped between single letters ("P.O.B." -> POB),
    kept between digits ("3.5") and otherwise separate words ("N.MAIN" -> N MAIN); ``#`` and ``&``
    become words of their own; ``-`` and ``/`` are kept inside words ("23-18", "1/2") but
    trimmed at their ends; everything else separates words.
    """
    if not value:
        return []
    text = fold(value).translate(_ADDRESS_TABLE)
    if "." in text:
        text = _PERIOD.sub("", _PERIOD_BETWEEN_WORDS.sub(" ", text))
    tokens = []
    for word in text.split():
        token = word.strip("-/") if word[0] in "-/" or word[-1] in "-/" else word
        if token:
            tokens.append(token)
    return tokens
