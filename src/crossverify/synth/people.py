"""Households and the people in them: who shares a surname, an address, a first name.

Matching is hard exactly where people are related, so the population is built from
households rather than independent persons: spouses and adult children share surname and
address, a Jr shares his father's full name and door, twins share everything but the given
name, and a few percent of heads are given the name of another head in the same city.
Members who never file are kept: they are the requests that must come back N1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crossverify.synth.names import JR, SR, NameIds
from crossverify.synth.vocab import ANGLO, ASIAN, FEMALE, HISPANIC, MALE, SOUTH_ASIAN, Vocab

HEAD, SPOUSE, CHILD, SIBLING = range(4)
ROLE_NAMES = ("head", "spouse", "child", "sibling")
GROUP_SHARES = (0.50, 0.38, 0.07, 0.05)  # Hispanic, Anglo/other, East/SE Asian, South Asian
EPOCH_YEAR = 1970


@dataclass(frozen=True)
class Skeleton:
    """Household structure before names: roles, sexes, birth dates, who files."""

    hh: np.ndarray
    role: np.ndarray
    head: np.ndarray  # index of the member's household head
    spouse: np.ndarray  # index of the household's spouse, -1 if none
    child_rank: np.ndarray
    sex: np.ndarray
    dob: np.ndarray  # days since 1970-01-01
    filer: np.ndarray
    jr: np.ndarray  # member is the Jr of a Jr/Sr pair
    sr: np.ndarray
    twin: np.ndarray  # member is the second twin
    hh_group: np.ndarray
    hh_city: np.ndarray
    hh_start: np.ndarray  # first member of each household; hh_start[-1] == members


def year_start_days(year: np.ndarray) -> np.ndarray:
    """Days from 1970-01-01 to Jan 1 of `year` (vectorised, leap years included)."""
    y = np.asarray(year, dtype=np.int64) - EPOCH_YEAR
    return np.asarray(y.astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64))


def birth_year(dob: np.ndarray) -> np.ndarray:
    return np.asarray(dob.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970)


def make_skeleton(rng: np.random.Generator, persons: int, vocab: Vocab) -> Skeleton:
    """Enough households for `persons` filers; the last household is trimmed to fit."""
    # ~1.3 filers per household: try 0.9 households per person, fall back to one each
    # (every household has a filer, so that always suffices).
    for n_hh in (int(persons * 0.9) + 16, persons + 8):
        sk = _skeleton(rng, persons, n_hh, vocab)
        if sk is not None:
            return sk
    raise AssertionError("unreachable: one household per person always holds enough filers")


def _skeleton(rng: np.random.Generator, persons: int, n_hh: int, vocab: Vocab) -> Skeleton | None:
    places = vocab.places
    group = rng.choice(4, n_hh, p=np.asarray(GROUP_SHARES))
    city = np.where(
        group == HISPANIC,
        rng.choice(len(places.p_hispanic), n_hh, p=places.p_hispanic),
        rng.choice(len(places.p_other), n_hh, p=places.p_other),
    )
    has_spouse = rng.random(n_hh) < 0.5
    n_child = rng.choice(4, n_hh, p=np.array([0.62, 0.2, 0.12, 0.06]))
    has_sib = rng.random(n_hh) < 0.06
    head_female = rng.random(n_hh) < np.where(has_spouse, 0.4, 0.5)
    jr_hh = ~head_female & (n_child >= 1) & (rng.random(n_hh) < 0.3)
    twin_hh = (n_child >= 2) & (rng.random(n_hh) < 0.1)
    size = 1 + has_spouse + n_child + has_sib
    start = np.concatenate([[0], np.cumsum(size)]).astype(np.int64)
    n = int(start[-1])
    hh = np.repeat(np.arange(n_hh), size)
    pos = np.arange(n) - start[hh]
    sp = has_spouse[hh].astype(np.int64)
    role = np.select(
        [pos == 0, (pos == 1) & (sp == 1), pos < 1 + sp + n_child[hh]],
        [HEAD, SPOUSE, CHILD],
        SIBLING,
    )
    child_rank = np.where(role == CHILD, pos - 1 - sp, -1)
    head = start[hh]
    spouse = np.where(has_spouse[hh], head + 1, -1)
    jr = jr_hh[hh] & (child_rank == 0)
    sr = jr_hh[hh] & (role == HEAD)
    twin = twin_hh[hh] & (child_rank == 1)

    sex = (rng.random(n) < 0.5).astype(np.int64)
    sex = np.where(role == HEAD, head_female[hh], sex)
    same_sex = rng.random(n) < 0.03
    sex = np.where(role == SPOUSE, np.where(same_sex, head_female[hh], ~head_female[hh]), sex)
    sex = np.where(jr, MALE, sex).astype(np.int64)

    head_age = np.where(n_child > 0, rng.uniform(40, 76, n_hh), rng.triangular(19, 32, 75, n_hh))
    age = head_age[hh].copy()
    age = np.where(role == SPOUSE, np.maximum(18, age + rng.normal(-1.5, 4.0, n)), age)
    child_age = 18 + rng.random(n) * np.maximum(head_age[hh] - 36, 0.5)
    age = np.where(role == CHILD, child_age, age)
    age = np.where(role == SIBLING, np.maximum(18, age + rng.uniform(-8, 8, n)), age)
    dob = year_start_days(2025 - age.astype(np.int64)) + rng.integers(0, 365, n)
    first_child = np.where(twin, start[hh] + 1 + sp, 0)
    dob = np.where(twin, dob[first_child], dob)

    p_file = np.array([0.90, 0.62, 0.55, 0.60])[role]
    filer = rng.random(n) < p_file
    pair = rng.choice(3, n, p=np.array([0.45, 0.30, 0.25]))[head]  # both / only Sr / only Jr
    filer = np.where(sr, pair != 2, np.where(jr, pair != 1, filer))
    filers_in_hh = np.bincount(hh, weights=filer, minlength=n_hh)
    filer = filer | ((role == HEAD) & (filers_in_hh[hh] == 0))

    # Trim: keep whole households until `persons` filers, then drop the surplus filers.
    cum = np.cumsum(filer)
    if cum[-1] < persons:
        return None
    last = int(np.searchsorted(cum, persons))
    keep_members = int(start[hh[last] + 1])
    filer = filer[:keep_members].copy()
    filer[last + 1 :] = False
    kept_hh = int(hh[last]) + 1
    cut = slice(0, keep_members)
    return Skeleton(
        hh=hh[cut],
        role=role[cut],
        head=head[cut],
        spouse=spouse[cut],
        child_rank=child_rank[cut],
        sex=sex[cut],
        dob=dob[cut],
        filer=filer,
        jr=jr[cut],
        sr=sr[cut],
        twin=twin[cut],
        hh_group=group[:kept_hh],
        hh_city=city[:kept_hh],
        hh_start=start[: kept_hh + 1],
    )


def sample_given(
    rng: np.random.Generator, vocab: Vocab, group: np.ndarray, sex: np.ndarray
) -> np.ndarray:
    out = np.empty(len(group), dtype=np.int64)
    for (g, s), seg in vocab.given.segments.items():
        rows = np.flatnonzero((group == g) & (sex == s))
        out[rows] = seg.sample(rng, len(rows))
    return out


def sample_surname(rng: np.random.Generator, vocab: Vocab, group: np.ndarray) -> np.ndarray:
    out = np.empty(len(group), dtype=np.int64)
    for g, seg in vocab.surnames.segments.items():
        rows = np.flatnonzero(group == g)
        out[rows] = seg.sample(rng, len(rows))
    return out


def same_city_donor(rng: np.random.Generator, key: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each of `rows`, a random household with the same key (city, group)."""
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    lo = np.searchsorted(sorted_key, key[rows], "left")
    hi = np.searchsorted(sorted_key, key[rows], "right")
    return np.asarray(order[lo + (rng.random(len(rows)) * (hi - lo)).astype(np.int64)])


def make_names(rng: np.random.Generator, sk: Skeleton, vocab: Vocab) -> NameIds:
    """Vocabulary indices for every member."""
    n, n_hh = len(sk.hh), len(sk.hh_group)
    group = sk.hh_group[sk.hh]
    sex = sk.sex.copy()
    given = sample_given(rng, vocab, group, sex)
    s1 = sample_surname(rng, vocab, group)
    s2 = np.where(group == HISPANIC, sample_surname(rng, vocab, group), -1)

    # Namesakes: some heads carry the full name of another head of the same city and group.
    heads = sk.hh_start[:-1]
    receivers = np.flatnonzero(rng.random(n_hh) < 0.03)
    key = (sk.hh_city * 4 + sk.hh_group) * 2 + sex[heads]
    donors = same_city_donor(rng, key, receivers)
    for arr in (given, s1, s2):
        arr[heads[receivers]] = arr[heads[donors]]

    # Parents: the father gives the first surname, the mother her first one as the second.
    head_male = sex[sk.head] == MALE
    sp = sk.spouse
    has_sp = sp >= 0
    father = np.where(
        head_male, sk.head, np.where(has_sp & (sex[np.maximum(sp, 0)] == MALE), sp, -1)
    )
    mother = np.where(
        ~head_male, sk.head, np.where(has_sp & (sex[np.maximum(sp, 0)] == FEMALE), sp, -1)
    )
    f, m = np.maximum(father, 0), np.maximum(mother, 0)
    child = sk.role == CHILD
    hisp = group == HISPANIC
    child_s1 = np.where(father >= 0, s1[f], s1[m])
    absent = sample_surname(rng, vocab, sk.hh_group)[sk.hh]  # a parent not in the household
    child_s2 = np.where(mother >= 0, np.where(father >= 0, s1[m], s2[m]), absent)
    s1 = np.where(child, child_s1, s1)
    s2 = np.where(child & hisp, child_s2, s2)
    sib = sk.role == SIBLING
    s1 = np.where(sib, s1[sk.head], s1)
    s2 = np.where(sib, s2[sk.head], s2)
    takes_name = (sk.role == SPOUSE) & ~hisp & (rng.random(n) < 0.8)
    s1 = np.where(takes_name, s1[sk.head], s1)

    partner = np.where(sk.role == HEAD, sp, np.where(sk.role == SPOUSE, sk.head, -1))
    married = (
        hisp
        & (sex == FEMALE)
        & (partner >= 0)
        & (sex[np.maximum(partner, 0)] == MALE)
        & (rng.random(n) < 0.2)
    )
    married_de = np.where(married, s1[np.maximum(partner, 0)], -1)

    middle = np.full(n, -1, dtype=np.int64)
    drawn = sample_given(rng, vocab, group, sex)
    u = rng.random(n)
    middle = np.where(
        ((group == ANGLO) & (u < 0.55)) | ((group == HISPANIC) & (u < 0.2)), drawn, middle
    )
    middle = np.where((group == SOUTH_ASIAN) & (u < 0.1), drawn, middle)
    viet = (group == ASIAN) & vocab.surnames.vietnamese[s1] & (u < 0.8)
    viet_ix = np.where(sex == MALE, vocab.given.viet_middle[MALE], vocab.given.viet_middle[FEMALE])
    middle = np.where(viet, viet_ix, middle)
    middle = np.where(middle == given, -1, middle)

    given = np.where(sk.jr, given[sk.head], given)
    middle = np.where(sk.jr, middle[sk.head], middle)
    twins = np.flatnonzero(sk.twin)
    clash = twins[given[twins] == given[twins - 1]]  # the first twin is the member before
    given[clash] = np.where(vocab.given.rank[given[clash]] > 0, given[clash] - 1, given[clash] + 1)
    suffix = np.where(sk.jr, JR, np.where(sk.sr, SR, 0))
    return NameIds(given, middle, s1, s2, married_de, suffix)
