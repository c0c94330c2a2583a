"""Decoding a request file's bytes: BOM, UTF-16, stray bytes and the Latin-1 fallback.

Bytes that are not UTF-8 are replaced by U+FFFD (when the file had none of its own), so the
fast readers can take the file and find them per row; otherwise they stay as lone
surrogates for the line-by-line readers. A file that is mostly not UTF-8 is read as Latin-1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from crossverify.errors import InputFileError
from crossverify.intake.rows import REPLACEMENT

UNDECODABLE = re.compile("[\udc80-\udcff]")

_NON_ASCII_VALID = re.compile("[^\x00-\x7f\udc80-\udcff]")

NON_BLANK = re.compile(rb"\S")


@dataclass(frozen=True)
class Source:
    data: bytes  # UTF-8, except the invalid bytes of an `undecodable` file
    encoding: str
    undecodable: bool
    warnings: tuple[str, ...]
    marked: bool = False  # each invalid byte sequence was replaced by U+FFFD

    def text(self) -> str:
        return self.data.decode("utf-8", errors="surrogateescape")


def decode(raw: bytes, *, name: str) -> Source:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(f"request file {name} is UTF-16; save it as UTF-8 and sign it again")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, encoding = raw[3:], "utf-8-sig"
    else:
        encoding = "utf-8"
    if not NON_BLANK.search(raw):
        raise InputFileError(f"request file {name} is empty; it needs a header row and data rows")
    if raw.isascii():
        return Source(raw, encoding, undecodable=False, warnings=())
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return Source(raw, encoding, undecodable=False, warnings=())
    text = raw.decode("utf-8", errors="surrogateescape")
    invalid = sum(1 for _ in UNDECODABLE.finditer(text))
    valid = sum(1 for _ in islice(_NON_ASCII_VALID.finditer(text), invalid + 1))
    if valid > invalid:
        # Mostly UTF-8: the rows holding the stray bytes are malformed, the rest stand.
        note = "some rows hold bytes that are not UTF-8; those rows are rejected as malformed"
        if REPLACEMENT.encode() not in raw:
            # U+FFFD can then only come from a bad byte: the fast readers can take the file.
            marked = raw.decode("utf-8", errors="replace").encode("utf-8")
            return Source(marked, encoding, undecodable=False, warnings=(note,), marked=True)
        return Source(raw, encoding, undecodable=True, warnings=(note,))
    note = (
        "the file is not UTF-8 and was decoded as Latin-1 (ISO-8859-1): check accented "
        "names, or save the file as UTF-8"
    )
    return Source(raw.decode("latin-1").encode("utf-8"), "latin-1", False, (note,))
