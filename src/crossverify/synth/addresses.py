"""Address entities (what a place *is*) and their renderings (how a record *writes* it).

An address entity is one integer id in an `AddressBook`; the truth file's decisions (is the
request's address in the taxpayer's history at all? is it the one disclosed, M1, or not,
M2?) compare entities, never strings, because the same door is written many ways: "123 N
Main St Apt 4", "123 NORTH MAIN STREET #4", "123 Main St" (unit dropped).

A rendering may change case, abbreviations, the designator of a unit (APT, Apt., #, Unit,
Apartment) or drop the unit altogether, but never the unit's number or letter: "APT 348E"
written "APT E" would be another door. A unit that is a letter alone ("Apt B") is an entity
of its own (unit_number 0), written with its letter alone every time.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crossverify.synth.vocab import Places, join, take

STREET, PO_BOX, ROUTE, PR_URB = 0, 1, 2, 3
_LETTERS = pa.array([None, *"ABCDEFGHIJKLMNOPQRSTUVWXYZ"], pa.string())


@dataclass(frozen=True)
class AddressBook:
    """Components of every address entity; the entity id is the index."""

    kind: np.ndarray
    city: np.ndarray
    zip: np.ndarray
    zip4: np.ndarray
    number: np.ndarray  # house number, PO box number or route number
    box: np.ndarray  # box on a rural route / highway contract
    highway_contract: np.ndarray
    predir: np.ndarray
    street: np.ndarray
    street_type: np.ndarray
    postdir: np.ndarray
    unit_type: np.ndarray
    unit_number: np.ndarray  # 0: the unit is a letter alone ("Apt B")
    unit_letter: np.ndarray  # 0: no letter ("Apt 4"); 1-26: A-Z ("Apt 4B", "Apt B")
    urb: np.ndarray
    block_letter: np.ndarray  # "A17": letter A; 0 means the "23-18" form
    block_number: np.ndarray
    calle: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)

    def extend(self, other: AddressBook) -> AddressBook:
        return AddressBook(
            **{
                f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])
                for f in fields(self)
            }
        )


def make_addresses(
    rng: np.random.Generator, places: Places, city: np.ndarray, block: int = 500_000
) -> AddressBook:
    """New address entities in the given cities (one per element), built in blocks."""
    parts = [
        _make_block(rng, places, city[lo : lo + block]) for lo in range(0, max(len(city), 1), block)
    ]
    if len(parts) == 1:
        return parts[0]
    return AddressBook(
        **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(AddressBook)}
    )


def _make_block(rng: np.random.Generator, places: Places, city: np.ndarray) -> AddressBook:
    n = len(city)
    pr = places.puerto_rico[city]
    u = rng.random(n)
    kind = np.where(
        pr,
        np.select([u < 0.70, u < 0.88], [PR_URB, PO_BOX], ROUTE),
        np.select([u < 0.93, u < 0.975], [STREET, PO_BOX], ROUTE),
    ).astype(np.int8)
    span = places.zip_hi[city] - places.zip_lo[city] + 1
    zip5 = places.zip_lo[city] + (rng.random(n) * span).astype(np.int64)
    small = rng.random(n) < 0.12  # most house numbers have 3-5 digits
    log_hi = np.where(small, np.log(100.0), np.log(25_000.0))
    house = np.exp(rng.uniform(np.where(small, 0.0, np.log(100.0)), log_hi)).astype(np.int64)
    box = rng.integers(1, 9_999, n)
    number = np.select([kind == STREET, kind == PO_BOX, kind == ROUTE], [house, box, 0], house)
    number = np.where(kind == ROUTE, rng.integers(1, 9, n), number)
    dc = places.dc[city]
    predir = np.where((rng.random(n) < 0.22) & ~dc, rng.integers(0, 8, n), -1)
    postdir = np.where(dc | (rng.random(n) < 0.02), rng.integers(4, 8, n), -1)
    predir = np.where(postdir >= 0, -1, predir)
    street = rng.choice(len(places.street_p), n, p=places.street_p)
    stype = rng.choice(len(places.street_type_p), n, p=places.street_type_p)
    stype = np.where(rng.random(n) < 0.03, -1, stype)  # "Broadway", "Via Verde"
    has_unit = (rng.random(n) < 0.30) & (kind == STREET)
    unit_type = np.where(has_unit, rng.choice(len(places.unit_p), n, p=places.unit_p), -1)
    big = rng.random(n) < 0.35
    unit_number = np.where(big, rng.integers(100, 420, n), rng.integers(1, 40, n))
    unit_letter = np.where(rng.random(n) < 0.18, rng.integers(1, 7, n), 0)
    block_letter = np.where(rng.random(n) < 0.55, rng.integers(1, 18, n), 0)
    i8, i16, i32 = np.int8, np.int16, np.int32  # compact: a million households hold 5M
    book = AddressBook(
        kind=kind,
        city=city.astype(i16),
        zip=zip5.astype(i32),
        zip4=rng.integers(1, 10_000, n).astype(i16),
        number=number.astype(i32),
        box=rng.integers(1, 9_999, n).astype(i16),
        highway_contract=pr | (rng.random(n) < 0.15),
        predir=predir.astype(i8),
        street=street.astype(i16),
        street_type=stype.astype(i8),
        postdir=postdir.astype(i8),
        unit_type=unit_type.astype(i8),
        unit_number=unit_number.astype(i16),
        unit_letter=unit_letter.astype(i8),
        urb=rng.integers(0, len(places.urb_plain), n).astype(i16),
        block_letter=block_letter.astype(i8),
        block_number=np.where(
            block_letter > 0, rng.integers(1, 40, n), rng.integers(1, 60, n)
        ).astype(i16),
        calle=np.where(
            rng.random(n) < 0.8, rng.integers(1, 20, n), rng.integers(20, 140, n)
        ).astype(i16),
    )
    # Some lettered units have no number at all ("Apt B"): a property of the door itself,
    # so every rendering of it writes the letter alone and no rendering ever invents one.
    letter_only = (book.unit_letter > 0) & (rng.random(n) < 0.3)
    return replace(book, unit_number=np.where(letter_only, 0, book.unit_number).astype(i16))


@dataclass(frozen=True)
class AddressCodes:
    """How each row writes its address: variant picks and what it leaves out."""

    upper: np.ndarray
    accent: np.ndarray
    pick: np.ndarray  # one random int; each component uses its own digits of it
    unit_drop: np.ndarray
    unit_comma: np.ndarray
    dir_drop: np.ndarray
    ordinal_word: np.ndarray
    zip4: np.ndarray
    zip_drop: np.ndarray

    def where(self, mask: np.ndarray, other: AddressCodes) -> AddressCodes:
        return AddressCodes(
            **{
                f.name: np.where(mask, getattr(other, f.name), getattr(self, f.name))
                for f in fields(self)
            }
        )


@dataclass(frozen=True)
class AddressProfile:
    upper: float
    accent: float
    pub28: float  # share of components written in their Pub 28 form (variant 0)
    unit_drop: float
    unit_comma: float
    dir_drop: float
    ordinal_word: float
    zip4: float
    zip_drop: float
    pr_styles: int  # request writers use Puerto Rico forms a filer never would


MASTER_PROFILE = AddressProfile(0.75, 0.3, 0.6, 0.02, 0.05, 0.01, 0.03, 0.25, 0.0, 3)
PAYROLL_PROFILE = AddressProfile(0.9, 0.05, 0.4, 0.15, 0.05, 0.05, 0.05, 0.1, 0.0, 3)
REQUEST_PROFILE = AddressProfile(0.35, 0.2, 0.3, 0.25, 0.15, 0.10, 0.25, 0.10, 0.05, 5)


def draw_address_codes(rng: np.random.Generator, n: int, profile: AddressProfile) -> AddressCodes:
    pick = rng.integers(0, 2**62, n)
    # Zero the pick where the component should use its Pub 28 form.
    pub28 = rng.random(n) < profile.pub28
    pick = np.where(pub28, (pick // 10_000) * 10_000, pick)
    return AddressCodes(
        upper=rng.random(n) < profile.upper,
        accent=rng.random(n) < profile.accent,
        pick=pick,
        unit_drop=rng.random(n) < profile.unit_drop,
        unit_comma=rng.random(n) < profile.unit_comma,
        dir_drop=rng.random(n) < profile.dir_drop,
        ordinal_word=rng.random(n) < profile.ordinal_word,
        zip4=rng.random(n) < profile.zip4,
        zip_drop=rng.random(n) < profile.zip_drop,
    )


def _digit(pick: np.ndarray, place: int) -> np.ndarray:
    return np.asarray((pick // 10**place) % 10, dtype=np.int64)


def _num(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values, pa.int64()), pa.string())


def _street_line(p: Places, b: AddressBook, ids: np.ndarray, c: AddressCodes) -> pa.Array:
    pick = c.pick
    predir = np.where(c.dir_drop, -1, b.predir[ids])
    name = pc.if_else(
        pa.array(c.ordinal_word), take(p.street_alt, b.street[ids]), take(p.street, b.street[ids])
    )
    base = join(
        _num(b.number[ids]),
        p.directional.pick(predir, _digit(pick, 0)),
        name,
        p.street_type.pick(b.street_type[ids], _digit(pick, 1)),
        p.directional.pick(b.postdir[ids], _digit(pick, 0)),
    )
    unit_type = np.where(c.unit_drop, -1, b.unit_type[ids])
    # The unit's identity (number and letter) is written in full whatever the designator form;
    # a rendering may drop the whole unit (unit_drop) but never a part of it.
    number = b.unit_number[ids]
    unit_digits = pc.if_else(pa.array(number > 0), _num(number), pa.scalar(None, pa.string()))
    unit_no = join(unit_digits, take(_LETTERS, b.unit_letter[ids]), sep="")
    unit = pc.binary_join_element_wise(
        p.unit.pick(unit_type, _digit(pick, 2)), unit_no, "", null_handling="emit_null"
    )
    sep = pc.if_else(pa.array(c.unit_comma), ", ", " ")
    return join(base, unit, sep=sep)


def _po_line(p: Places, b: AddressBook, ids: np.ndarray, c: AddressCodes) -> pa.Array:
    form = p.po_box.take(pa.array(_digit(c.pick, 4) % len(p.po_box)))
    return join(form, _num(b.number[ids]), sep="")


def _route_line(p: Places, b: AddressBook, ids: np.ndarray, c: AddressCodes) -> pa.Array:
    hc = b.highway_contract[ids]
    rr_pre, rr_mid = p.rural_route
    hc_pre, hc_mid = p.highway_contract
    i_rr = pa.array(_digit(c.pick, 4) % len(rr_pre))
    i_hc = pa.array(_digit(c.pick, 4) % len(hc_pre))
    route = _num(b.number[ids])
    route = pc.if_else(pa.array(hc & (_digit(c.pick, 5) < 5)), pc.utf8_lpad(route, 2, "0"), route)
    mask = pa.array(hc)
    pre = pc.if_else(mask, hc_pre.take(i_hc), rr_pre.take(i_rr))
    mid = pc.if_else(mask, hc_mid.take(i_hc), rr_mid.take(i_rr))
    return join(pre, route, mid, _num(b.box[ids]), sep="")


def _pr_line(p: Places, b: AddressBook, ids: np.ndarray, c: AddressCodes, styles: int) -> pa.Array:
    letter = b.block_letter[ids]
    block = pc.if_else(pa.array(letter > 0), take(_LETTERS, letter), _num(b.block_number[ids]))
    casa = _num(b.number[ids] % 60 + 1)
    house = pc.if_else(pa.array(letter > 0), join(block, casa, sep=""), join(block, casa, sep="-"))
    urb = pc.if_else(
        pa.array(c.accent), take(p.urb_accented, b.urb[ids]), take(p.urb_plain, b.urb[ids])
    )
    calle = _num(b.calle[ids])
    forms = [
        join("URB", urb, house, "CALLE", calle),
        join(house, "CALLE", calle, "URB", urb),
        join(join(house, "Calle", calle), join("Urb", urb), sep=", "),
        join("Calle", calle, house, "Urb.", urb),
        join(join("Calle", calle, "Bloque", block, "Casa", casa), join("Urb", urb), sep=", "),
    ]
    style = pa.array(_digit(c.pick, 4) % styles)
    return pc.choose(style, *forms[:styles])


def render_address(
    places: Places,
    book: AddressBook,
    ids: np.ndarray,
    codes: AddressCodes,
    *,
    pr_styles: int = 3,
) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """(street, city, state, zip) for each address id, written as `codes` say."""
    kind = book.kind[ids]
    order_parts: list[np.ndarray] = []
    lines: list[pa.Array] = []
    for k, render in ((STREET, _street_line), (PO_BOX, _po_line), (ROUTE, _route_line)):
        rows = np.flatnonzero(kind == k)
        order_parts.append(rows)
        lines.append(render(places, book, ids[rows], _subset(codes, rows)))
    rows = np.flatnonzero(kind == PR_URB)
    order_parts.append(rows)
    lines.append(_pr_line(places, book, ids[rows], _subset(codes, rows), pr_styles))
    order = np.concatenate(order_parts)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    street = pa.concat_arrays([a.cast(pa.string()) for a in lines]).take(pa.array(inverse))
    upper = pa.array(codes.upper)
    street = pc.if_else(upper, pc.utf8_upper(street), street)
    city_ix = book.city[ids]
    city = pc.if_else(
        pa.array(codes.accent),
        take(places.city_accented, city_ix),
        take(places.city_plain, city_ix),
    )
    city = pc.if_else(upper, pc.utf8_upper(city), city)
    zip5 = pc.utf8_lpad(_num(book.zip[ids]), 5, "0")
    plus4 = join(zip5, pc.utf8_lpad(_num(book.zip4[ids]), 4, "0"), sep="-")
    zip_code = pc.if_else(pa.array(codes.zip4), plus4, zip5)
    zip_code = pc.if_else(pa.array(codes.zip_drop), pa.scalar(None, pa.string()), zip_code)
    return street, city, take(places.state, city_ix), zip_code


def _subset(codes: AddressCodes, rows: np.ndarray) -> AddressCodes:
    return AddressCodes(**{f.name: getattr(codes, f.name)[rows] for f in fields(codes)})
