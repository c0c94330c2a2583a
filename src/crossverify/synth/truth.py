"""Tax periods, the address each request gives, and the outcome a perfect system returns.

The expected outcome is computed from the master rows actually written, with the same rule
the gateway applies:

1. Corroboration first (26 U.S.C. 6103(i)(2)(B)(i) as the court reads it: the request must
   carry the taxpayer's address; name and TIN agreeing never release one). The request's
   address entity must be among the address entities of the person's master rows, over
   the whole history: any tax year, any source, withheld sources included. If it is not,
   the outcome is N2 (insufficient evidence), whatever the period holds, and the scenario
   carries `address_not_on_file`. N4 and N5 are statements about the tax period of an
   *identified* taxpayer, so they too are kept only when the address is corroborated.
2. Then the period: among rows of the requested tax years from a disclosable source, the
   most recent tax year wins (ties: latest received_date); no row in the window -> N4;
   rows only from withheld sources -> N5; else M1 when the request's address is that same
   address entity, M2 otherwise.

Entities, never renderings, are compared: "123 Main St" and "123 MAIN STREET APT 4" are
the same door when both were written from entity 4711 (the request dropped the unit).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crossverify.synth.filing import F1099, FIRST_YEAR, LAST_YEAR, PRIOR_SLOT, W2
from crossverify.synth.population import Population
from crossverify.types import ADDRESS_SOURCES

MAX_SPAN = 5  # end - start; six tax years at most
AGENCY_WINDOWS = ((2020, 2025), (2021, 2025), (2022, 2025), (2019, 2024), (2023, 2025))
P_AIM_N5 = 0.05  # of on-file subjects with a year known only from withheld sources
P_AIM_N4 = 0.05  # of on-file subjects with a year without any row
P_AGENCY_WINDOW = 0.15
# The address an on-file request gives (see _request_address): absent from the taxpayer's
# history with P_NOT_ON_FILE (-> N2); else the address the gateway would disclose with
# P_SAME (-> M1), else another address of the history (-> M2).
P_NOT_ON_FILE = 0.18
P_SAME = 0.3
ADDRESS_NOT_ON_FILE = "address_not_on_file"
ALL_YEARS = frozenset(range(FIRST_YEAR, LAST_YEAR + 1))


@dataclass(frozen=True)
class Decision:
    start: int
    end: int
    address: int
    outcome: str
    row: int  # index into the kept rows of the disclosed address, -1 if none
    traits: tuple[str, ...]


class KeptRows:
    """The master rows of request subjects, indexed by person for quick slicing."""

    def __init__(self, frame: pd.DataFrame, disclosable: tuple[str, ...]) -> None:
        frame = frame.sort_values(["person", "tax_year", "received"], kind="stable")
        self.frame = frame.reset_index(drop=True)
        self.person = self.frame["person"].to_numpy(np.int64)
        self.year = self.frame["tax_year"].to_numpy(np.int64)
        self.received = self.frame["received"].to_numpy(np.int64)
        self.address = self.frame["address"].to_numpy(np.int64)
        self.source = self.frame["source_ix"].to_numpy(np.int64)
        allowed = [ADDRESS_SOURCES.index(s) for s in disclosable]
        self.disclosable = np.isin(self.source, allowed)
        self.text = self.frame[["street", "city", "state", "zip"]].to_numpy(object)

        persons, starts, counts = np.unique(self.person, return_index=True, return_counts=True)
        self._spans = {
            int(p): slice(int(a), int(a + c))
            for p, a, c in zip(persons, starts, counts, strict=True)
        }
        # Python lists: a person has ~5 rows, where plain loops beat numpy calls.
        self.year_list: list[int] = self.year.tolist()
        self.received_list: list[int] = self.received.tolist()
        self.disclosable_list: list[bool] = self.disclosable.tolist()
        self.address_list: list[int] = self.address.tolist()

    def span(self, person: int) -> slice:
        return self._spans.get(person, slice(0, 0))

    def expected(self, person: int, start: int, end: int) -> tuple[str, int]:
        """(N4 | N5 | "M", row) by the disclosure rule."""
        s = self.span(person)
        inside = [i for i in range(s.start, s.stop) if start <= self.year_list[i] <= end]
        if not inside:
            return "N4", -1
        ok = [i for i in inside if self.disclosable_list[i]]
        if not ok:
            return "N5", -1
        return "M", max(ok, key=lambda i: (self.year_list[i], self.received_list[i]))


def _grow(rng: np.random.Generator, year: int, allowed: Set[int]) -> tuple[int, int]:
    """A window around `year` that stays inside `allowed` years."""
    start = end = year
    while end + 1 in allowed and end - start < MAX_SPAN and rng.random() < 0.5:
        end += 1
    while start - 1 in allowed and end - start < MAX_SPAN and rng.random() < 0.5:
        start -= 1
    return start, end


def agency_window(rng: np.random.Generator) -> tuple[int, int]:
    if rng.random() < 0.5:
        return AGENCY_WINDOWS[int(rng.integers(0, len(AGENCY_WINDOWS)))]
    end = int(rng.choice([2025, 2024, 2023], p=[0.6, 0.3, 0.1]))
    return end - int(rng.integers(0, MAX_SPAN + 1)), end


def history(pop: Population, person: int) -> tuple[list[int], list[int]]:
    """The household's addresses through the years, and its address before 2016."""
    hh = int(pop.sk.hh[person])
    moves = int((pop.moves[hh] > 0).sum())  # every move year falls inside 2017-2025
    slots: list[int] = pop.slots[hh].tolist()
    return slots[: 1 + moves], [slots[PRIOR_SLOT]]


def decide_on_file(
    rng: np.random.Generator, pop: Population, kept: KeptRows, person: int
) -> Decision:
    s = kept.span(person)
    years = kept.year_list[s]
    disc_years = {y for y, d in zip(years, kept.disclosable_list[s], strict=True) if d}
    traits: list[str] = []
    withheld_only = sorted(set(years) - disc_years)
    empty = sorted(ALL_YEARS - set(years))
    u = rng.random()
    if withheld_only and u < P_AIM_N5:
        y = withheld_only[int(rng.integers(0, len(withheld_only)))]
        start, end = _grow(rng, y, ALL_YEARS - disc_years)
    elif empty and u < P_AIM_N5 + P_AIM_N4:
        start, end = _grow(rng, empty[int(rng.integers(0, len(empty)))], set(empty))
    elif u < P_AIM_N5 + P_AIM_N4 + P_AGENCY_WINDOW or not disc_years:
        start, end = agency_window(rng)
    else:
        ordered = sorted(disc_years)
        y = ordered[int(rng.integers(0, len(ordered)))]
        start = max(FIRST_YEAR, y - int(rng.integers(0, 3)))
        end = min(LAST_YEAR, max(y, start + int(rng.integers(0, MAX_SPAN + 1))))
    outcome, row = kept.expected(person, start, end)
    lived, prior = history(pop, person)
    on_file = list(dict.fromkeys(kept.address_list[s]))  # the whole history, in filing order
    if row < 0:
        traits.append("withheld_only" if outcome == "N5" else "outside_filing_years")
        # Nothing to disclose, but the request still names an address (its target: the
        # current home when the history holds it, else the latest address on file).
        current = lived[-1]
        target = current if current in on_file or not on_file else on_file[-1]
        address = _request_address(rng, lived, prior, on_file, target)
        if address not in on_file:
            return Decision(start, end, address, "N2", -1, (*traits, ADDRESS_NOT_ON_FILE))
        return Decision(start, end, address, outcome, row, tuple(traits))
    if kept.source[row] in (W2, F1099):
        traits.append("payroll_address")
    disclosed = int(kept.address[row])
    address = _request_address(rng, lived, prior, on_file, disclosed)
    if address != disclosed:
        traits.append(_address_trait(lived, prior, disclosed, address))
    if address not in on_file:
        return Decision(start, end, address, "N2", -1, (*traits, ADDRESS_NOT_ON_FILE))
    outcome = "M1" if address == disclosed else "M2"
    return Decision(start, end, address, outcome, row, tuple(traits))


def _request_address(
    rng: np.random.Generator, lived: list[int], prior: list[int], on_file: list[int], target: int
) -> int:
    """The address an on-file request gives (an entity id, never a rendering).

    With P_NOT_ON_FILE it is a household address the taxpayer never filed from (the home
    before 2016, or one lived in only in years without a row): the gateway cannot
    corroborate it and must answer N2. Otherwise it is `target` (the address the gateway
    would disclose) with P_SAME, else another address of the taxpayer's history (an older
    home, a newer one, a payroll, COA or claimant address).
    """
    absent = [a for a in dict.fromkeys((*lived, *prior)) if a not in on_file]
    others = [a for a in on_file if a != target]
    v = rng.random()
    if absent and v < P_NOT_ON_FILE:
        return absent[int(rng.integers(0, len(absent)))]
    if not others or v < P_NOT_ON_FILE + (1 - P_NOT_ON_FILE) * P_SAME:
        return target
    return others[int(rng.integers(0, len(others)))]


def _address_trait(lived: list[int], prior: list[int], disclosed: int, given: int) -> str:
    """old_address: a previous home; newer_address: moved after the period; else other."""
    order = {a: i for i, a in enumerate(lived)}
    order.setdefault(prior[0], -1)
    if given not in order or disclosed not in order:
        return "other_address"
    return "old_address" if order[given] < order[disclosed] else "newer_address"


def decide_not_on_file(
    rng: np.random.Generator, pop: Population, person: int, home: int
) -> Decision:
    start, end = agency_window(rng)
    if person < 0:
        return Decision(start, end, home, "N1", -1, ())
    lived, prior = history(pop, person)
    choices = [*lived, *prior]
    v = rng.random()
    address = lived[-1] if v < 0.6 else choices[int(rng.integers(0, len(choices)))]
    return Decision(start, end, address, "N1", -1, ())
