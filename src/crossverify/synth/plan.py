"""Who the requests ask about, decided before the master file is written.

Kinds and their target shares (the difficulty inside each request is in `requests`):

- on_file, 67%: a taxpayer on file; 35% of them drawn from the hard pool (households with
  several filers, Jr/Sr pairs and twins who both file, same full name in the same city).
- household_member_not_on_file, 17%: a member of a filing household who never filed
  (spouse, adult child, sibling, the Jr of a filing Sr or the reverse, a twin); Jr/Sr and
  twins are weighted x4.
- common_name_not_on_file, 6%: an invented person with the very common full name of a
  filer in the same city (given name in the top 8, surname in the top 12), elsewhere.
- not_on_file, 5%: an invented person with a random name and address.
- missing_required, 5%: built like the above (70% on file) and then broken (`breakage`).

On-file requests must carry an address the taxpayer's history holds (any year, any
source) or the expected outcome is N2 (`truth`); 18% of them give a household address
absent from the history (the home before 2016, or one lived in only in years without a
row), so about 83% stay corroborable and recall is measured on a large majority.

Expected outcomes measured with seed 7, 1M persons, 100k requests: M1 31.9%, M2 14.9%,
N1 28.1%, N2 11.2%, N4 7.4%, N5 1.6%, rejects 4.9% (of valid on-file requests: M1 47.7%,
M2 22.2%, N2 16.8%, N4 11.0%, N5 2.4%; corroborable 83.2%). At 20k persons / 2k requests:
M1 32.6%, M2 14.9%, N1 27.4%, N2 11.7%, N4 8.0%, N5 1.4%, rejects 4.0% (on file: M1 47.5%,
M2 21.8%, N2 17.1%, N4 11.6%, N5 2.0%; corroborable 82.9%).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crossverify.synth.addresses import AddressBook, make_addresses
from crossverify.synth.names import NameIds
from crossverify.synth.people import (
    GROUP_SHARES,
    sample_given,
    sample_surname,
    year_start_days,
)
from crossverify.synth.population import Population
from crossverify.synth.vocab import HISPANIC, Vocab

ON_FILE, HOUSEHOLD, COMMON_NAME, STRANGER, INVALID = range(5)
KIND_NAMES = (
    "on_file",
    "household_member_not_on_file",
    "common_name_not_on_file",
    "not_on_file",
    "missing_required",
)
KIND_SHARES = (0.67, 0.17, 0.06, 0.05, 0.05)
HARD_SHARE = 0.35  # of on_file subjects drawn from the hard pool


@dataclass(frozen=True)
class RequestPlan:
    kind: np.ndarray
    base: np.ndarray  # the kind a missing_required request was made from (else = kind)
    subject: np.ndarray  # person index, or -1 for an invented person
    names: NameIds
    group: np.ndarray
    sex: np.ndarray
    dob: np.ndarray
    home: np.ndarray  # address id of an invented person, -1 otherwise
    book: AddressBook  # the population's book plus the invented persons' addresses

    def keep_mask(self, persons: int) -> np.ndarray:
        """Persons whose master rows the truth needs."""
        keep = np.zeros(persons, dtype=bool)
        keep[self.subject[self.subject >= 0]] = True
        return keep


def _filers_in_household(pop: Population) -> np.ndarray:
    per_hh = np.bincount(pop.sk.hh, weights=pop.sk.filer, minlength=len(pop.sk.hh_group))
    return np.asarray(per_hh[pop.sk.hh], dtype=np.int64)


def namesake(pop: Population) -> np.ndarray:
    """Filers who share given name and both surnames with another filer of their city."""
    n = pop.names
    city = pop.sk.hh_city[pop.sk.hh]
    key = ((n.given * 1000 + n.s1) * 1000 + (n.s2 + 1)) * 100 + city
    key = np.where(pop.sk.filer, key, -1 - np.arange(pop.size))
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    return np.asarray(pop.sk.filer & (counts[inverse] > 1))


def _pick(
    rng: np.random.Generator, pool: np.ndarray, k: int, weights: np.ndarray | None = None
) -> np.ndarray:
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    if len(pool) == 0:
        return np.full(k, -1, dtype=np.int64)
    p = None if weights is None else weights / weights.sum()
    return rng.choice(pool, k, p=p)


def make_plan(rng: np.random.Generator, pop: Population, vocab: Vocab, n: int) -> RequestPlan:
    kind = rng.choice(5, n, p=np.asarray(KIND_SHARES))
    base = np.where(kind == INVALID, rng.choice(4, n, p=np.array([0.7, 0.15, 0.0, 0.15])), kind)
    sk = pop.sk
    filers = np.flatnonzero(sk.filer)
    shared = _filers_in_household(pop)
    pair_files = np.zeros(pop.size, dtype=bool)
    for a, b in ((sk.jr, sk.head), (sk.twin, None)):
        idx = np.flatnonzero(a)
        other = b[idx] if b is not None else idx - 1
        both = sk.filer[idx] & sk.filer[other]
        pair_files[idx[both]] = pair_files[other[both]] = True
    hard = filers[(shared[filers] > 1) | pair_files[filers] | namesake(pop)[filers]]
    subject = np.full(n, -1, dtype=np.int64)

    on = np.flatnonzero(base == ON_FILE)
    from_hard = rng.random(len(on)) < HARD_SHARE
    subject[on[from_hard]] = _pick(rng, hard if len(hard) else filers, int(from_hard.sum()))
    subject[on[~from_hard]] = _pick(rng, filers, int((~from_hard).sum()))

    hm = np.flatnonzero(base == HOUSEHOLD)
    pool = np.flatnonzero(~sk.filer & (shared > 0))
    weight = 1.0 + 3.0 * (sk.jr[pool] | sk.sr[pool] | sk.twin[pool])
    subject[hm] = _pick(rng, pool, len(hm), weight)
    # With no non-filing relative to ask about (tiny populations), ask about a stranger.
    base = np.where((base == HOUSEHOLD) & (subject < 0), STRANGER, base)
    kind = np.where((kind == HOUSEHOLD) & (base == STRANGER), STRANGER, kind)

    names = pop.names.at(np.maximum(subject, 0))
    group = pop.group[np.maximum(subject, 0)]
    sex = sk.sex[np.maximum(subject, 0)]
    dob = sk.dob[np.maximum(subject, 0)]
    invented = np.flatnonzero(subject < 0)
    k = len(invented)
    # Invented people: strangers from the vocabularies, namesakes copied from common filers.
    g = rng.choice(4, k, p=np.asarray(GROUP_SHARES))
    s = rng.integers(0, 2, k)
    given = sample_given(rng, vocab, g, s)
    s1 = sample_surname(rng, vocab, g)
    s2 = np.where(g == HISPANIC, sample_surname(rng, vocab, g), -1)
    places = vocab.places
    city = np.where(
        g == HISPANIC,
        rng.choice(len(places.p_hispanic), k, p=places.p_hispanic),
        rng.choice(len(places.p_other), k, p=places.p_other),
    )
    common = (vocab.given.rank[pop.names.given] < 8) & (vocab.surnames.rank[pop.names.s1] < 12)
    donors_pool = filers[common[filers]]
    is_common = base[invented] == COMMON_NAME
    donors = _pick(rng, donors_pool if len(donors_pool) else filers, int(is_common.sum()))
    rows = np.flatnonzero(is_common)
    g[rows], s[rows] = pop.group[donors], sk.sex[donors]
    given[rows], s1[rows] = pop.names.given[donors], pop.names.s1[donors]
    keep_s2 = rng.random(len(rows)) < 0.6
    s2[rows] = np.where(keep_s2 | (pop.names.s2[donors] < 0), pop.names.s2[donors], s2[rows])
    s2[rows] = np.where(pop.group[donors] == HISPANIC, s2[rows], -1)
    city[rows] = pop.book.city[pop.slots[sk.hh[donors], 0]]
    names = NameIds(
        given=_put(names.given, invented, given),
        middle=_put(names.middle, invented, np.full(k, -1)),
        s1=_put(names.s1, invented, s1),
        s2=_put(names.s2, invented, s2),
        married_de=_put(names.married_de, invented, np.full(k, -1)),
        suffix=_put(names.suffix, invented, np.zeros(k, dtype=np.int64)),
    )
    age = rng.uniform(19, 70, k)
    born = year_start_days(2025 - age.astype(np.int64)) + rng.integers(0, 365, k)
    new = make_addresses(rng, places, city)
    home = np.full(n, -1, dtype=np.int64)
    home[invented] = len(pop.book) + np.arange(k)
    return RequestPlan(
        kind=kind,
        base=base,
        subject=subject,
        names=names,
        group=_put(group, invented, g),
        sex=_put(sex, invented, s),
        dob=_put(dob, invented, born),
        home=home,
        book=pop.book.extend(new),
    )


def _put(values: np.ndarray, rows: np.ndarray, new: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[rows] = new
    return out
