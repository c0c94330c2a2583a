"""Keying errors: the small edits a clerk makes when copying a name or street by hand."""

from __future__ import annotations

import numpy as np

# Letters people confuse when they hear or type a name.
_CONFUSABLE = {
    "a": "e", "e": "a", "i": "y", "y": "i", "o": "u", "u": "o", "s": "z", "z": "s",
    "c": "k", "k": "c", "v": "b", "b": "v", "n": "m", "m": "n", "g": "j", "j": "g",
    "l": "ll", "r": "rr", "h": "", "t": "d", "d": "t",
}  # fmt: skip


def typo_word(rng: np.random.Generator, word: str) -> str:
    """One edit (transpose, drop, double or confuse a letter), never the first letter."""
    if len(word) < 4:
        return word
    i = int(rng.integers(1, len(word) - 1))
    op = int(rng.integers(0, 4))
    if op == 0 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == 1:
        return word[:i] + word[i + 1 :]
    if op == 2:
        return word[: i + 1] + word[i] + word[i + 1 :]
    swap = _CONFUSABLE.get(word[i].lower())
    if swap is None:
        return word[:i] + word[i + 1 :]
    if word[i].isupper():
        swap = swap.upper()
    return word[:i] + swap + word[i + 1 :]


# Words that say what kind of address a line (or its unit) is; a typo there is no longer a
# slip of the pen but an unreadable address or unit, which would blur the truth file.
ADDRESS_KEYWORDS = frozenset(
    ["POST", "OFFICE", "BOX", "RURAL", "ROUTE", "HIGHWAY", "CONTRACT", "CALLE", "BLOQUE", "CASA"]
) | frozenset(["APARTMENT", "UNIT", "SUITE", "TRAILER", "TRLR", "SPACE"])


def typo_text(rng: np.random.Generator, text: str, protected: frozenset[str] = frozenset()) -> str:
    """A typo in one of the longer alphabetic words of `text` (numbers are left alone)."""
    words = text.split(" ")
    eligible = [
        i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha() and w.upper() not in protected
    ]
    if not eligible:
        return text
    i = eligible[int(rng.integers(0, len(eligible)))]
    words[i] = typo_word(rng, words[i])
    return " ".join(words)
