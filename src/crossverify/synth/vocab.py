"""Compiled vocabularies: the literal lists of vocab_* turned into arrays the generator indexes.

Everything downstream refers to names, streets and cities by integer index; strings are only
materialised when a chunk is rendered (pyarrow `take`), which keeps a million-person run
vectorised and small in memory.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crossverify.synth import vocab_given as vg
from crossverify.synth import vocab_places as vp
from crossverify.synth import vocab_surnames as vs

HISPANIC, ANGLO, ASIAN, SOUTH_ASIAN = 0, 1, 2, 3
MALE, FEMALE = 0, 1
PARTICLES = ("de la ", "de los ", "de las ", "del ", "de ")
VIETNAMESE_SURNAMES = frozenset(
    [
        "Nguyen",
        "Tran",
        "Le",
        "Pham",
        "Huynh",
        "Hoang",
        "Phan",
        "Vu",
        "Vo",
        "Dang",
        "Bui",
        "Do",
        "Ho",
        "Ngo",
        "Duong",
        "Ly",
    ]
)


def strip_accents(text: str) -> str:
    """'Muñoz' -> 'Munoz': most records reach the master file without diacritics."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def zipf_weights(n: int, exponent: float = 1.0, offset: float = 2.0) -> np.ndarray:
    """Probabilities by rank for lists given in frequency order."""
    w = 1.0 / (np.arange(n) + offset) ** exponent
    return np.asarray(w / w.sum(), dtype=np.float64)


def strings(values: list[str]) -> pa.Array:
    return pa.array(values, pa.string())


def take(array: pa.Array, idx: np.ndarray) -> pa.Array:
    """`array[idx]` with a negative index meaning null (an absent middle name, unit, ...)."""
    return array.take(pa.array(idx, pa.int64(), mask=idx < 0))


def join(*parts: pa.Array | str, sep: str | pa.Array = " ") -> pa.Array:
    """Join strings element-wise, skipping nulls; null where every part is null.

    pyarrow's own `null_handling="skip"` drops the rows where all parts are null (seen with
    pyarrow 26), which silently misaligns columns, so nulls are skipped pairwise here.
    """
    out: pa.Array | pa.Scalar | None = None
    for part in parts:
        value = pa.scalar(part, pa.string()) if isinstance(part, str) else part
        if out is None:
            out = value
            continue
        both = pc.binary_join_element_wise(out, value, sep)
        out = pc.coalesce(both, out, value)
    if not isinstance(out, pa.Array):
        raise ValueError("join needs at least one array")
    return out


@dataclass(frozen=True)
class Segment:
    """A contiguous slice of a vocabulary (one group and sex) with its frequencies."""

    start: int
    p: np.ndarray

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.start + rng.choice(len(self.p), size=n, p=self.p)


@dataclass(frozen=True)
class GivenNames:
    texts: list[str]  # accented form, for Python-side use (typos, nickname checks)
    plain: pa.Array
    accented: pa.Array
    first_plain: pa.Array  # first word of a compound given name
    first_accented: pa.Array
    rest_plain: pa.Array  # the rest of a compound given name, null otherwise
    rest_accented: pa.Array
    initial: pa.Array
    compound: np.ndarray
    nick_flat: pa.Array
    nick_start: np.ndarray
    nick_count: np.ndarray
    rank: np.ndarray  # rank inside its segment: 0 is the most common
    segments: dict[tuple[int, int], Segment]
    viet_middle: dict[int, int]  # sex -> index of "Van" / "Thi"


@dataclass(frozen=True)
class Surnames:
    texts: list[str]
    plain: pa.Array
    accented: pa.Array
    dropped_plain: pa.Array  # particle dropped: "de la Torre" -> "Torre"
    dropped_accented: pa.Array
    particle: np.ndarray
    vietnamese: np.ndarray
    rank: np.ndarray
    segments: dict[int, Segment]


@dataclass(frozen=True)
class Variants:
    """Written forms of a closed set of tokens, flattened: form j of token i is flat[start[i]+j]."""

    flat: pa.Array
    start: np.ndarray
    count: np.ndarray

    def pick(self, token: np.ndarray, choice: np.ndarray) -> pa.Array:
        safe = np.maximum(token, 0)
        idx = self.start[safe] + choice % self.count[safe]
        return take(self.flat, np.where(token < 0, -1, idx))


def _variants(groups: list[tuple[str, ...]]) -> Variants:
    count = np.array([len(g) for g in groups], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    return Variants(strings([f for g in groups for f in g]), start, count)


@dataclass(frozen=True)
class Places:
    city_plain: pa.Array
    city_accented: pa.Array
    state: pa.Array
    state_texts: list[str]
    zip_lo: np.ndarray
    zip_hi: np.ndarray
    area_code: np.ndarray
    p_hispanic: np.ndarray
    p_other: np.ndarray
    puerto_rico: np.ndarray
    dc: np.ndarray
    street: pa.Array
    street_alt: pa.Array  # "1st" -> "First"; same as street otherwise
    street_p: np.ndarray
    street_type: Variants
    street_type_p: np.ndarray
    directional: Variants
    unit: Variants
    unit_p: np.ndarray
    po_box: pa.Array
    rural_route: tuple[pa.Array, pa.Array]
    highway_contract: tuple[pa.Array, pa.Array]
    urb_plain: pa.Array
    urb_accented: pa.Array


@dataclass(frozen=True)
class Vocab:
    given: GivenNames
    surnames: Surnames
    places: Places


def _drop_particle(name: str) -> str:
    lower = name.lower()
    for particle in PARTICLES:
        if lower.startswith(particle):
            rest = name[len(particle) :]
            return rest[:1].upper() + rest[1:]
    return name


def _given() -> GivenNames:
    lists = {
        (HISPANIC, MALE): vg.HISPANIC_MALE,
        (HISPANIC, FEMALE): vg.HISPANIC_FEMALE,
        (ANGLO, MALE): vg.ANGLO_MALE,
        (ANGLO, FEMALE): vg.ANGLO_FEMALE,
        (ASIAN, MALE): vg.ASIAN_MALE,
        (ASIAN, FEMALE): vg.ASIAN_FEMALE,
        (SOUTH_ASIAN, MALE): vg.SOUTH_ASIAN_MALE,
        (SOUTH_ASIAN, FEMALE): vg.SOUTH_ASIAN_FEMALE,
    }
    texts: list[str] = []
    ranks: list[int] = []
    segments: dict[tuple[int, int], Segment] = {}
    for key, names in lists.items():
        segments[key] = Segment(len(texts), zipf_weights(len(names), 0.9))
        texts.extend(names)
        ranks.extend(range(len(names)))
    viet = {MALE: len(texts), FEMALE: len(texts) + 1}
    texts.extend([vg.VIETNAMESE_MIDDLE["M"], vg.VIETNAMESE_MIDDLE["F"]])
    ranks.extend([0, 0])
    plain = [strip_accents(t) for t in texts]
    nick_groups = [vg.NICKNAMES.get(p, ()) for p in plain]
    flat = [n for g in nick_groups for n in g]
    count = np.array([len(g) for g in nick_groups], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)

    def first(t: str) -> str:
        return t.split(" ", 1)[0]

    def rest(t: str) -> str | None:
        parts = t.split(" ", 1)
        return parts[1] if len(parts) > 1 else None

    return GivenNames(
        texts=texts,
        plain=strings(plain),
        accented=strings(texts),
        first_plain=strings([first(t) for t in plain]),
        first_accented=strings([first(t) for t in texts]),
        rest_plain=pa.array([rest(t) for t in plain], pa.string()),
        rest_accented=pa.array([rest(t) for t in texts], pa.string()),
        initial=strings([t[0] for t in plain]),
        compound=np.array([" " in t for t in texts]),
        nick_flat=strings(flat if flat else [""]),
        nick_start=start,
        nick_count=count,
        rank=np.array(ranks, dtype=np.int64),
        segments=segments,
        viet_middle=viet,
    )


def _surnames() -> Surnames:
    lists = {
        HISPANIC: vs.HISPANIC_SURNAMES,
        ANGLO: vs.ANGLO_SURNAMES,
        ASIAN: vs.ASIAN_SURNAMES,
        SOUTH_ASIAN: vs.SOUTH_ASIAN_SURNAMES,
    }
    texts: list[str] = []
    ranks: list[int] = []
    segments: dict[int, Segment] = {}
    for group, pairs in lists.items():
        weights = np.array([w for _, w in pairs], dtype=np.float64)
        segments[group] = Segment(len(texts), weights / weights.sum())
        order = np.argsort(-weights, kind="stable")
        rank = np.empty(len(pairs), dtype=np.int64)
        rank[order] = np.arange(len(pairs))
        texts.extend(n for n, _ in pairs)
        ranks.extend(rank.tolist())
    plain = [strip_accents(t) for t in texts]
    return Surnames(
        texts=texts,
        plain=strings(plain),
        accented=strings(texts),
        dropped_plain=strings([_drop_particle(t) for t in plain]),
        dropped_accented=strings([_drop_particle(t) for t in texts]),
        particle=np.array([_drop_particle(t) != t for t in texts]),
        vietnamese=np.array([t in VIETNAMESE_SURNAMES for t in texts]),
        rank=np.array(ranks, dtype=np.int64),
        segments=segments,
    )


def _places() -> Places:
    cities = vp.CITIES
    type_weights = np.array([w for _, w, _ in vp.STREET_TYPES], dtype=np.float64)
    unit_weights = np.array([w for _, w, _ in vp.UNIT_TYPES], dtype=np.float64)
    p_h = np.array([c[5] for c in cities], dtype=np.float64)
    p_o = np.array([c[6] for c in cities], dtype=np.float64)
    return Places(
        city_plain=strings([strip_accents(c[0]) for c in cities]),
        city_accented=strings([c[0] for c in cities]),
        state=strings([c[1] for c in cities]),
        state_texts=[c[1] for c in cities],
        zip_lo=np.array([c[2] for c in cities], dtype=np.int64),
        zip_hi=np.array([c[3] for c in cities], dtype=np.int64),
        area_code=np.array([c[4] for c in cities], dtype=np.int64),
        p_hispanic=p_h / p_h.sum(),
        p_other=p_o / p_o.sum(),
        puerto_rico=np.array([c[1] == "PR" for c in cities]),
        dc=np.array([c[1] == "DC" for c in cities]),
        street=strings(list(vp.STREET_NAMES)),
        street_alt=strings([vp.ORDINAL_WORDS.get(s, s) for s in vp.STREET_NAMES]),
        street_p=zipf_weights(len(vp.STREET_NAMES), 0.6, 5.0),
        street_type=_variants([v for _, _, v in vp.STREET_TYPES]),
        street_type_p=type_weights / type_weights.sum(),
        directional=_variants(list(vp.DIRECTIONALS)),
        unit=_variants([v for _, _, v in vp.UNIT_TYPES]),
        unit_p=unit_weights / unit_weights.sum(),
        po_box=strings(list(vp.PO_BOX_FORMS)),
        rural_route=(
            strings([a for a, _ in vp.RURAL_ROUTE_FORMS]),
            strings([b for _, b in vp.RURAL_ROUTE_FORMS]),
        ),
        highway_contract=(
            strings([a for a, _ in vp.HIGHWAY_CONTRACT_FORMS]),
            strings([b for _, b in vp.HIGHWAY_CONTRACT_FORMS]),
        ),
        urb_plain=strings([strip_accents(u) for u in vp.PR_URBANIZATIONS]),
        urb_accented=strings(list(vp.PR_URBANIZATIONS)),
    )


@cache
def load_vocab() -> Vocab:
    """Build the arrays once per process (cheap, but not at import time)."""
    return Vocab(given=_given(), surnames=_surnames(), places=_places())
