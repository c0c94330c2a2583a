"""The lookup's Python hash of blocking keys is DuckDB's `hash()`, which built the index."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from crossverify.link.index import duckdb_text_hash

# Key texts as blocking builds them: names, house numbers, dates, joined by a unit separator.
KEY_TEXTS = st.lists(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30), min_size=1, max_size=4
).map("\x1f".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(KEY_TEXTS, min_size=1, max_size=20))
def test_python_hash_is_duckdbs(texts: list[str]) -> None:
    con = duckdb.connect()
    hashed = con.execute("SELECT hash(unnest($1::VARCHAR[]))", [texts]).fetchall()
    assert [duckdb_text_hash(t) for t in texts] == [h for (h,) in hashed]


def test_every_length_up_to_three_blocks() -> None:
    texts = ["ÉLODIE O'NEIL-GARCÍA 1234567890"[:n] for n in range(31)]
    con = duckdb.connect()
    hashed = con.execute("SELECT hash(unnest($1::VARCHAR[]))", [texts]).fetchall()
    assert [duckdb_text_hash(t) for t in texts] == [h for (h,) in hashed]
