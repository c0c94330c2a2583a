"""The whole synthetic population: people, households, address book and filing masks."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from crossverify.synth.addresses import AddressBook, make_addresses
from crossverify.synth.filing import (
    N_SLOTS,
    POST_SLOT,
    PRIOR_SLOT,
    make_masks,
    make_moves,
    make_tins,
    slot_of,
)
from crossverify.synth.names import FILER_PROFILE, NameCodes, NameIds, draw_name_codes
from crossverify.synth.people import (
    CHILD,
    HEAD,
    SIBLING,
    SPOUSE,
    Skeleton,
    make_names,
    make_skeleton,
    same_city_donor,
)
from crossverify.synth.vocab import HISPANIC, Vocab


@dataclass(frozen=True)
class Population:
    sk: Skeleton
    names: NameIds
    habit: NameCodes  # how each person usually writes their name on a return
    group: np.ndarray
    tin: np.ndarray
    itin: np.ndarray
    masks: np.ndarray  # (n, 6) uint16 year bits per source
    old_address: np.ndarray  # uint16: W-2/1099 of that year carries the previous address
    post_coa_year: np.ndarray
    claim_address: np.ndarray  # address id a third-party claimant gave
    dob_missing: np.ndarray
    phone: np.ndarray
    moves: np.ndarray  # (households, 2)
    slots: np.ndarray  # (households, N_SLOTS) address ids
    book: AddressBook

    @property
    def size(self) -> int:
        return len(self.tin)

    def address_in(self, person: np.ndarray, year: np.ndarray) -> np.ndarray:
        """The household address id of `person` in tax `year`."""
        hh = self.sk.hh[person]
        return np.asarray(self.slots[hh, slot_of(self.moves[hh], year)])

    def members(self, person: int) -> range:
        hh = int(self.sk.hh[person])
        return range(int(self.sk.hh_start[hh]), int(self.sk.hh_start[hh + 1]))


def _slot_cities(rng: np.random.Generator, vocab: Vocab, sk: Skeleton) -> np.ndarray:
    """City of each of the 5 address slots: most moves stay in town."""
    places = vocab.places
    n_hh = len(sk.hh_group)
    hisp = sk.hh_group == HISPANIC

    def other_city() -> np.ndarray:
        return np.where(
            hisp,
            rng.choice(len(places.p_hispanic), n_hh, p=places.p_hispanic),
            rng.choice(len(places.p_other), n_hh, p=places.p_other),
        )

    cities = np.empty((n_hh, N_SLOTS), dtype=np.int64)
    cities[:, 0] = sk.hh_city
    for slot, stay in ((1, 0.7), (2, 0.7), (PRIOR_SLOT, 0.5), (POST_SLOT, 0.6)):
        previous = cities[:, slot - 1] if slot < PRIOR_SLOT else sk.hh_city
        cities[:, slot] = np.where(rng.random(n_hh) < stay, previous, other_city())
    return cities


def make_population(rng: np.random.Generator, persons: int, vocab: Vocab) -> Population:
    """`persons` taxpayers on file plus the relatives who never filed."""
    sk = make_skeleton(rng, persons, vocab)
    n, n_hh = len(sk.hh), len(sk.hh_group)
    names = make_names(rng, sk, vocab)
    group = sk.hh_group[sk.hh]
    hisp = group == HISPANIC
    adult = np.isin(sk.role, (HEAD, SPOUSE, SIBLING))
    p_itin = np.where(hisp, np.where(adult, 0.72, 0.3), np.where(sk.role == CHILD, 0.03, 0.1))
    itin = rng.random(n) < p_itin
    tin = make_tins(rng, itin)

    moves = make_moves(rng, n_hh)
    cities = _slot_cities(rng, vocab, sk)
    book = make_addresses(rng, vocab.places, cities.reshape(-1))
    slots = np.arange(n_hh * N_SLOTS, dtype=np.int64).reshape(n_hh, N_SLOTS)
    # Shared housing: some households live at another household's first address.
    sharers = np.flatnonzero(rng.random(n_hh) < 0.04)
    hosts = same_city_donor(rng, sk.hh_city, sharers)
    slots[sharers, 0] = slots[hosts, 0]

    masks, old, post_year = make_masks(rng, sk, itin, moves)
    claim = slots[rng.integers(0, n_hh, n), 0]
    married = names.married_de >= 0
    habit = draw_name_codes(rng, n, FILER_PROFILE, married)
    habit = replace(habit, accent=habit.accent & hisp)
    area = vocab.places.area_code[sk.hh_city[sk.hh]]
    phone = area * 10_000_000 + rng.integers(2_000_000, 10_000_000, n)
    return Population(
        sk=sk,
        names=names,
        habit=habit,
        group=group,
        tin=tin,
        itin=itin,
        masks=masks,
        old_address=old,
        post_coa_year=post_year,
        claim_address=claim,
        dob_missing=rng.random(n) < 0.06,
        phone=phone,
        moves=moves,
        slots=slots,
        book=book,
    )
