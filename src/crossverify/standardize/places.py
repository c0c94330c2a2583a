"""City, state and ZIP fields in USPS form (the street line is :mod:`addresses`' job)."""

from __future__ import annotations

import re
from functools import lru_cache

from crossverify.standardize.text import fold
from crossverify.standardize.vocab import CITY_WORDS, PLACEHOLDER_CITIES, STATES

_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")


@lru_cache(maxsize=1 << 15)
def standardize_city(city: str | None) -> str | None:
    """Uppercase ASCII city; ST/FT/MT spelled SAINT/FORT/MOUNT as in USPS city names.

    Examples:
        >>> standardize_city("St. Louis"), standardize_city("San Germán")
        ('SAINT LOUIS', 'SAN GERMAN')
    """
    if not city:
        return None
    words = [CITY_WORDS.get(w, w) for w in squash_words(city)]
    text = " ".join(words)
    return None if text in PLACEHOLDER_CITIES else text


@lru_cache(maxsize=1024)
def standardize_state(state: str | None) -> str | None:
    """Two-letter USPS state code from a code or a full name ("Puerto Rico" -> PR); else None."""
    if not state:
        return None
    text = " ".join(squash_words(state))
    return STATES.get(text) or STATES.get(text.replace(" ", ""))


@lru_cache(maxsize=1 << 16)
def standardize_zip(zip_code: str | None) -> str | None:
    """The 5-digit ZIP of a ZIP or ZIP+4 ("12345-6789" -> "12345"); None if not 5 digits."""
    if not zip_code:
        return None
    match = _ZIP.match(zip_code.strip())
    if match is None or match.group(1) == "00000":
        return None
    return match.group(1)


def squash_words(value: str) -> list[str]:
    """Uppercase ASCII words of letters and digits; every other character separates words."""
    return _NON_ALNUM.sub(" ", fold(value).replace("'", "")).split()
