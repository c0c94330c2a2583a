"""The master file: one row per taxpayer per tax year per source, written in chunks.

Rows are expanded from the filing masks a chunk of taxpayers at a time, rendered with
pyarrow compute (no per-row Python), written as one Parquet row group (or CSV block) and
dropped, so memory stays flat however many persons are asked for. Rows of the taxpayers
that requests will ask about are kept aside: the truth file is computed from exactly the
rows written, not from what the generator intended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from crossverify.synth.addresses import (
    MASTER_PROFILE,
    PAYROLL_PROFILE,
    draw_address_codes,
    render_address,
)
from crossverify.synth.filing import (
    CLAIMANT,
    COA,
    F1040,
    F1099,
    FIRST_YEAR,
    POST_SLOT,
    PRIOR_SLOT,
    W2,
    W7,
    slot_of,
    unbits,
)
from crossverify.synth.names import FILER_PROFILE, NameCodes, draw_name_codes, render_names
from crossverify.synth.names import PAYROLL_PROFILE as PAYROLL_NAMES
from crossverify.synth.people import year_start_days
from crossverify.synth.population import Population
from crossverify.synth.vocab import Vocab
from crossverify.types import ADDRESS_SOURCES, MASTER_COLUMNS

CHUNK_PERSONS = 50_000
MASTER_SCHEMA = pa.schema(
    [(c, pa.int64() if c == "tax_year" else pa.string()) for c in (*MASTER_COLUMNS, "phone")]
)
# Share of a source's rows that deviate from the taxpayer's habitual way of writing a name.
_DEVIATE = np.array([0.08, 0.08, 0.5, 0.5, 0.4, 0.6])
_SOURCES = pa.array(list(ADDRESS_SOURCES), pa.string())
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Rows:
    person: np.ndarray
    year: np.ndarray
    source: np.ndarray
    address: np.ndarray
    received: np.ndarray  # days since 1970-01-01


def expand_rows(rng: np.random.Generator, pop: Population, persons: np.ndarray) -> Rows:
    """Every (person, year, source) the masks hold, with its address entity and date."""
    k = len(persons)
    # One filing day per person-year so a W-7 can be dated just before its 1040.
    late = rng.random((k, 10)) < 0.2
    fday = np.where(late, rng.integers(120, 290, (k, 10)), rng.integers(59, 120, (k, 10)))
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for source_ix in range(len(ADDRESS_SOURCES)):
        local, yi = np.nonzero(unbits(pop.masks[persons, source_ix]))
        parts.append((local, yi, np.full(len(local), source_ix)))
    local = np.concatenate([p[0] for p in parts])
    yi = np.concatenate([p[1] for p in parts])
    source = np.concatenate([p[2] for p in parts])
    person = persons[local]
    year = FIRST_YEAR + yi
    n = len(person)
    hh = pop.sk.hh[person]
    slot = slot_of(pop.moves[hh], year)
    old = ((pop.old_address[person].astype(np.int64) >> yi) & 1) == 1
    payroll = (source == W2) | (source == F1099)
    slot = np.where(payroll & old, np.where(slot > 0, slot - 1, PRIOR_SLOT), slot)
    slot = np.where((source == COA) & (year == pop.post_coa_year[person]), POST_SLOT, slot)
    address = np.where(source == CLAIMANT, pop.claim_address[person], pop.slots[hh, slot])
    jan1_next = year_start_days(year + 1)
    filed = fday[local, yi]
    received = np.select(
        [source == F1040, source == W7, source == W2, source == F1099, source == COA],
        [
            jan1_next + filed,
            jan1_next + filed - rng.integers(1, 6, n),
            jan1_next + rng.integers(9, 40, n),
            jan1_next + rng.integers(40, 53, n),
            year_start_days(year) + rng.integers(0, 365, n),
        ],
        jan1_next + rng.integers(30, 300, n),
    )
    return Rows(person, year, source, address, received)


def date_strings(days: np.ndarray, typo: np.ndarray | None = None) -> pa.Array:
    """ISO dates; where `typo`, day and month are transposed (or the year's digits)."""
    dt = days.astype("datetime64[D]")
    y = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    m = dt.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (dt - dt.astype("datetime64[M]")).astype(np.int64) + 1
    if typo is not None:
        swap = typo & (d <= 12) & (d != m)
        m, d = np.where(swap, d, m), np.where(swap, m, d)
        ys = typo & ~swap
        y = np.where(
            ys & (y % 10 != (y // 10) % 10), y - y % 100 + (y % 10) * 10 + (y // 10) % 10, y
        )
        d = np.where(ys & (m == 2) & (d == 29), 28, d)

    def pad(v: np.ndarray, width: int) -> pa.Array:
        return pc.utf8_lpad(pc.cast(pa.array(v, pa.int64()), pa.string()), width, "0")

    return pc.binary_join_element_wise(pad(y, 4), pad(m, 2), pad(d, 2), "-")


def _phones(rng: np.random.Generator, numbers: np.ndarray) -> pa.Array:
    n = len(numbers)
    area, exchange, line = numbers // 10_000_000, (numbers // 10_000) % 1000, numbers % 10_000
    a = pc.cast(pa.array(area), pa.string())
    e = pc.cast(pa.array(exchange), pa.string())
    ln = pc.utf8_lpad(pc.cast(pa.array(line), pa.string()), 4, "0")
    forms = [  # (213) 555-0142, 213-555-0142, 2135550142
        pc.binary_join_element_wise("(", a, ") ", e, "-", ln, ""),
        pc.binary_join_element_wise(a, e, ln, "-"),
        pc.binary_join_element_wise(a, e, ln, ""),
    ]
    phone = pc.choose(pa.array(rng.integers(0, 3, n)), *forms)
    return pc.if_else(pa.array(rng.random(n) < 0.3), phone, pa.scalar(None, pa.string()))


def render_rows(rng: np.random.Generator, vocab: Vocab, pop: Population, rows: Rows) -> pa.Table:
    n = len(rows.person)
    p = rows.person
    habit = pop.habit.at(p)
    married = pop.names.married_de[p] >= 0
    filer_fresh = draw_name_codes(rng, n, FILER_PROFILE, married)
    payroll_fresh = draw_name_codes(rng, n, PAYROLL_NAMES, married)
    payroll = np.isin(rows.source, (W2, F1099, COA, CLAIMANT))
    fresh = filer_fresh.where(payroll, payroll_fresh)
    codes: NameCodes = habit.where(rng.random(n) < _DEVIATE[rows.source], fresh)
    upper = rng.random(n) < np.where(payroll, 0.9, 0.7)
    hisp = pop.group[p] == 0
    codes = replace(codes, upper=upper, title=codes.title & ~upper, accent=codes.accent & hisp)
    first, middle, last, suffix = render_names(vocab, pop.names.at(p), codes)

    acodes = draw_address_codes(rng, n, MASTER_PROFILE).where(
        payroll, draw_address_codes(rng, n, PAYROLL_PROFILE)
    )
    street, city, state, zip_code = render_address(vocab.places, pop.book, rows.address, acodes)

    dob_gone = pop.dob_missing[p] | (rng.random(n) < 0.03)
    dob = date_strings(pop.sk.dob[p], rng.random(n) < 0.01)
    dob = pc.if_else(pa.array(dob_gone), pa.scalar(None, pa.string()), dob)
    tin = pc.utf8_lpad(pc.cast(pa.array(pop.tin[p]), pa.string()), 9, "0")
    itin = pop.itin[p]
    columns = {
        "tin": tin,
        "tin_type": pc.if_else(pa.array(itin), "ITIN", "SSN"),
        "tax_year": pa.array(rows.year, pa.int64()),
        "first_name": first,
        "middle_name": middle,
        "last_name": last,
        "suffix": suffix,
        "dob": dob,
        "street": street,
        "city": city,
        "state": state,
        "zip": zip_code,
        "source": _SOURCES.take(pa.array(rows.source)),
        "received_date": date_strings(rows.received),
        "phone": _phones(rng, pop.phone[p]),
    }
    return pa.table({c: columns[c].cast(MASTER_SCHEMA.field(c).type) for c in MASTER_SCHEMA.names})


def chunk_rng(seed: int, stream: int, chunk: int) -> np.random.Generator:
    """An independent PCG64 stream per chunk: output does not depend on scheduling."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stream, chunk])))


def write_master(
    path: Path,
    *,
    fmt: Literal["parquet", "csv"],
    seed: int,
    vocab: Vocab,
    pop: Population,
    keep: np.ndarray,
    progress: Progress | None = None,
) -> tuple[int, pd.DataFrame]:
    """Write the master file; return its row count and the rows of persons in `keep`."""
    filers = np.flatnonzero(pop.sk.filer)
    total, kept = 0, [_EMPTY_KEPT]
    writer: pq.ParquetWriter | pacsv.CSVWriter
    if fmt == "parquet":
        writer = pq.ParquetWriter(path, MASTER_SCHEMA, compression="zstd")
    else:
        writer = pacsv.CSVWriter(path, MASTER_SCHEMA)
    with writer:
        for chunk, lo in enumerate(range(0, len(filers), CHUNK_PERSONS)):
            rng = chunk_rng(seed, 2, chunk)
            rows = expand_rows(rng, pop, filers[lo : lo + CHUNK_PERSONS])
            order = np.lexsort((rows.source, rows.year, pop.tin[rows.person]))
            rows = Rows(*(getattr(rows, f)[order] for f in Rows.__dataclass_fields__))
            table = render_rows(rng, vocab, pop, rows)
            writer.write_table(table)
            total += table.num_rows
            mine = np.flatnonzero(keep[rows.person])
            if len(mine):
                kept.append(_kept_frame(rows, table, mine))
            if progress is not None:
                progress("master", min(lo + CHUNK_PERSONS, len(filers)), len(filers))
    return total, pd.concat(kept, ignore_index=True)


_EMPTY_KEPT = pd.DataFrame(
    {
        **{c: pd.Series(dtype=object) for c in ("street", "city", "state", "zip", "source")},
        **{c: pd.Series(dtype=np.int64) for c in ("person", "tax_year", "source_ix")},
        **{c: pd.Series(dtype=np.int64) for c in ("received", "address")},
    }
)


def _kept_frame(rows: Rows, table: pa.Table, mine: np.ndarray) -> pd.DataFrame:
    picked = table.take(pa.array(mine)).select(["street", "city", "state", "zip", "source"])
    frame: pd.DataFrame = picked.to_pandas()
    frame["person"] = rows.person[mine]
    frame["tax_year"] = rows.year[mine]
    frame["source_ix"] = rows.source[mine]
    frame["received"] = rows.received[mine]
    frame["address"] = rows.address[mine]
    return frame
