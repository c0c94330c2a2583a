"""Who filed what, when, from where: TINs, filing years, sources and address history.

Each person's filing history is a set of 10-bit masks (bit i = tax year 2016 + i), one per
address source, so the rows of the master file are fully decided before a single string
is built; the request generator reads the same masks to aim tax periods at gaps (N4) or
at years known only from withheld sources (N5).
"""

from __future__ import annotations

import numpy as np

from crossverify.synth.people import Skeleton, birth_year

FIRST_YEAR, LAST_YEAR = 2016, 2025
N_YEARS = LAST_YEAR - FIRST_YEAR + 1
YEARS = np.arange(FIRST_YEAR, LAST_YEAR + 1)
F1040, W7, W2, F1099, COA, CLAIMANT = range(6)  # order of types.ADDRESS_SOURCES
N_SLOTS = 5
PRIOR_SLOT, POST_SLOT = 3, 4  # an address before 2016; one known only from a late USPS COA
ITIN_GROUPS = np.array([*range(70, 89), *range(90, 93), *range(94, 100), *range(50, 66)])
ITIN_GROUP_P = np.array([0.85 / 19] * 19 + [0.10 / 9] * 9 + [0.05 / 16] * 16)
_SPAN_P = np.array([0.32, 0.24, 0.15, 0.1, 0.06, 0.04, 0.03, 0.025, 0.02, 0.015])


def make_tins(rng: np.random.Generator, itin: np.ndarray) -> np.ndarray:
    """Unique 9-digit TINs: SSNs never start with 9, 000 or 666; ITINs are 9XX-7X-XXXX etc."""
    n = len(itin)
    tin = np.zeros(n, dtype=np.int64)
    todo = np.arange(n)
    while len(todo):
        k = len(todo)
        area = rng.integers(1, 900, k)
        area = np.where(area == 666, 665, area)
        ssn = area * 1_000_000 + rng.integers(1, 100, k) * 10_000 + rng.integers(1, 10_000, k)
        group = rng.choice(ITIN_GROUPS, k, p=ITIN_GROUP_P)
        itn = rng.integers(900, 1000, k) * 1_000_000 + group * 10_000 + rng.integers(0, 10_000, k)
        tin[todo] = np.where(itin[todo], itn, ssn)
        _, first = np.unique(tin, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        todo = np.flatnonzero(dup)
    return tin


def bits(matrix: np.ndarray) -> np.ndarray:
    """(n, 10) booleans -> uint16 year masks."""
    return np.asarray(
        (matrix.astype(np.uint16) << np.arange(N_YEARS, dtype=np.uint16)).sum(1), np.uint16
    )


def unbits(mask: np.ndarray) -> np.ndarray:
    """uint16 year masks -> (n, 10) booleans."""
    return np.asarray((mask[:, None].astype(np.int64) >> np.arange(N_YEARS)) & 1 == 1)


def make_moves(rng: np.random.Generator, n_hh: int) -> np.ndarray:
    """(n_hh, 2) move years; 0 = no move. Address slot k holds from the k-th move on."""
    n_moves = rng.choice(3, n_hh, p=np.array([0.45, 0.35, 0.20]))
    m1 = rng.integers(FIRST_YEAR + 1, LAST_YEAR + 1, n_hh)
    m2 = m1 + 1 + (rng.random(n_hh) * (LAST_YEAR - m1)).astype(np.int64)
    m2 = np.where((n_moves == 2) & (m1 < LAST_YEAR), m2, 0)
    return np.stack([np.where(n_moves > 0, m1, 0), m2], axis=1)


def slot_of(moves: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Household address slot in force in `year` (moves rows aligned with year rows)."""
    m1, m2 = moves[..., 0], moves[..., 1]
    return np.asarray(((m1 > 0) & (year >= m1)).astype(np.int64) + ((m2 > 0) & (year >= m2)))


def make_masks(
    rng: np.random.Generator,
    sk: Skeleton,
    itin: np.ndarray,
    moves: np.ndarray,
    block: int = 200_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source masks (n, 6), W-2/1099 'old address' mask (n,), post-filing COA year (n,)."""
    n = len(sk.hh)
    masks = np.zeros((n, 6), dtype=np.uint16)
    old = np.zeros(n, dtype=np.uint16)
    post_year = np.zeros(n, dtype=np.int64)
    for lo in range(0, n, block):
        hi = min(n, lo + block)
        m, o, p = _masks_block(rng, sk, itin, moves, np.arange(lo, hi))
        masks[lo:hi], old[lo:hi], post_year[lo:hi] = m, o, p
    return masks, old, post_year


def _masks_block(
    rng: np.random.Generator,
    sk: Skeleton,
    itin_all: np.ndarray,
    moves: np.ndarray,
    rows: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k = len(rows)
    y = YEARS[None, :]
    span = rng.choice(N_YEARS, k, p=_SPAN_P) + 1
    fy = FIRST_YEAR + (rng.random(k) * (N_YEARS - span + 1)).astype(np.int64)
    fy = np.maximum(fy, np.minimum(birth_year(sk.dob[rows]) + 17, LAST_YEAR))
    ly = np.minimum(fy + span - 1, LAST_YEAR)
    itin = itin_all[rows][:, None]
    filer = sk.filer[rows][:, None]

    def r() -> np.ndarray:
        return rng.random((k, N_YEARS), dtype=np.float32)

    active = (y >= fy[:, None]) & (y <= ly[:, None])
    gap = active & (y > fy[:, None]) & (y < ly[:, None]) & (r() < 0.12)
    f1040 = active & ~gap
    w7 = itin & (y == fy[:, None])
    f1040 &= ~(w7 & (r() < 0.15))
    earner = (rng.random(k) < 0.42)[:, None]
    u = r()
    w2 = earner & ((f1040 & (u < 0.8)) | (gap & (u < 0.5)) | ((y == ly[:, None] + 1) & (u < 0.2)))
    f1099 = (rng.random(k) < 0.18)[:, None] & active & (r() < 0.6)
    hm = moves[sk.hh[rows]]
    moved = ((y == hm[:, :1]) | (y == hm[:, 1:])) & (hm[:, :1] > 0)
    coa = moved & (r() < 0.35)
    late = (ly <= LAST_YEAR - 2) & (rng.random(k) < 0.2)
    post_year = ly + 1 + (rng.random(k) * (LAST_YEAR - ly)).astype(np.int64)
    post = late[:, None] & (y == post_year[:, None]) & ~coa
    post_year = np.where(post.any(axis=1), post_year, 0)
    coa |= post
    claim = r() < 0.004
    slot = slot_of(hm[:, None, :], y)
    old = (w2 | f1099) & (r() < np.where(slot > 0, 0.3, 0.1))
    stack = np.stack([f1040, w7, w2, f1099, coa, claim], axis=1) & filer[:, None, :]
    masks = (stack.astype(np.uint16) << np.arange(N_YEARS, dtype=np.uint16)).sum(axis=2)
    return masks.astype(np.uint16), bits(old & filer), np.where(sk.filer[rows], post_year, 0)
