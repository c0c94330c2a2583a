"""The request batch and its truth file.

Names and addresses are rendered vectorised (the same code as the master file, with a
request writer's habits: nicknames, accents, one surname of two, units dropped, Puerto Rico
"Calle 1 Bloque A Casa 17" forms); keying errors, TINs, dates and the deliberate breakage
of required elements are applied row by row, which is cheap at batch sizes.

Shares inside a batch (on top of the kinds in `plan`): DOB given on half the requests (6%
of those with day and month transposed); a TIN on ~20% (on file: one in eight of them is a
relative's); typos in the given name, surname and street on ~6%, ~6% and ~5% (never in a
unit designator, never in a number); a quarter of on-file subjects asked for a fixed agency
period, a few aimed at a year without any row (N4) or known only from a withheld source
(N5). On-file requests give a household address absent from the taxpayer's history with
`truth.P_NOT_ON_FILE` (18%: expected N2, trait `address_not_on_file`), else the address the
gateway would disclose or another one of the history (see `truth._request_address`).
The truth's `scenario` lists the traits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from crossverify.synth.addresses import PR_URB, REQUEST_PROFILE, draw_address_codes, render_address
from crossverify.synth.breakage import break_request
from crossverify.synth.filing import make_tins
from crossverify.synth.master import date_strings
from crossverify.synth.names import (
    HYPHEN,
    MARRIED,
    MATERNAL,
    NO_PARTICLE,
    PATERNAL,
    draw_name_codes,
    effective_surname_form,
    render_names,
)
from crossverify.synth.names import REQUEST_PROFILE as REQUEST_NAMES
from crossverify.synth.noise import ADDRESS_KEYWORDS, typo_text
from crossverify.synth.people import ROLE_NAMES, year_start_days
from crossverify.synth.plan import HOUSEHOLD, INVALID, KIND_NAMES, ON_FILE, RequestPlan, namesake
from crossverify.synth.population import Population
from crossverify.synth.truth import Decision, KeptRows, decide_not_on_file, decide_on_file
from crossverify.synth.vocab import HISPANIC, Vocab
from crossverify.types import REQUEST_COLUMNS

STATUTES = (
    ("8 U.S.C. 1253(a)(1)", 0.80),
    ("8 U.S.C. 1326", 0.10),
    ("8 USC 1253(a)(1)", 0.05),
    ("8 U.S.C. § 1253(a)(1)", 0.05),
)
ORDER_DATES = (year_start_days(np.array([2008]))[0], year_start_days(np.array([2026]))[0] + 272)


@dataclass(frozen=True)
class Batch:
    requests: list[list[str]]  # REQUEST_COLUMNS order
    truth: list[list[str]]  # TRUTH_COLUMNS order
    kinds: Counter[str]
    traits: Counter[str]
    outcomes: Counter[str]


def _tin_text(rng: np.random.Generator, tin: int) -> str:
    text = f"{tin:09d}"
    return f"{text[:3]}-{text[3:5]}-{text[5:]}" if rng.random() < 0.4 else text


def _fresh_tins(rng: np.random.Generator, k: int, taken: np.ndarray) -> np.ndarray:
    """TINs of nobody in the population (a stranger's own number)."""
    out = make_tins(rng, rng.random(k) < 0.3)
    while (clash := np.isin(out, taken)).any():
        out[clash] = make_tins(rng, rng.random(int(clash.sum())) < 0.3)
    return out


def _surname_traits(req: int, habit: int, two: bool) -> list[str]:
    traits: list[str] = []
    one_part = (PATERNAL, MATERNAL)
    if two and ((req in one_part) != (habit in one_part)):
        traits.append("compound_surname_one_part")
    if req == MATERNAL and habit != MATERNAL:
        traits.append("maternal_surname_only")
    if (req == NO_PARTICLE) != (habit == NO_PARTICLE):
        traits.append("particle_dropped")
    if (req == MARRIED) != (habit == MARRIED):
        traits.append("married_surname")
    if two and not traits and req != habit and HYPHEN in (req, habit):
        traits.append("surname_hyphenation")
    return traits


def _relations(pop: Population, person: int, on_file: bool) -> list[str]:
    sk = pop.sk
    traits: list[str] = []
    s1 = pop.names.s1
    kin = [m for m in pop.members(person) if m != person and sk.filer[m] and s1[m] == s1[person]]
    if on_file and kin:
        traits.append("household_shares_address")
    partner = sk.head[person] if sk.jr[person] else None
    if sk.sr[person]:
        partner = next((m for m in pop.members(person) if sk.jr[m]), None)
    if partner is not None and sk.filer[partner]:
        traits.append("jr_sr_namesake")
    twin = person - 1 if sk.twin[person] else None
    if person + 1 < pop.size and sk.twin[person + 1] and sk.hh[person + 1] == sk.hh[person]:
        twin = person + 1
    if twin is not None and sk.filer[twin]:
        traits.append("twin")
    return traits


def build_batch(
    rng: np.random.Generator, vocab: Vocab, pop: Population, plan: RequestPlan, kept: KeptRows
) -> Batch:
    n = len(plan.kind)
    decisions: list[Decision] = []
    for i in range(n):
        person = int(plan.subject[i])
        if plan.base[i] == ON_FILE:
            decisions.append(decide_on_file(rng, pop, kept, person))
        else:
            decisions.append(decide_not_on_file(rng, pop, person, int(plan.home[i])))
    address = np.array([d.address for d in decisions], dtype=np.int64)

    married = plan.names.married_de >= 0
    codes = draw_name_codes(rng, n, REQUEST_NAMES, married)
    codes = replace(codes, accent=codes.accent & (plan.group == HISPANIC))
    first, middle, last, suffix = (a.to_pylist() for a in render_names(vocab, plan.names, codes))
    acodes = draw_address_codes(rng, n, REQUEST_PROFILE)
    rendered = render_address(vocab.places, plan.book, address, acodes, pr_styles=5)
    street, city, state, zip_code = (a.to_pylist() for a in rendered)
    dob_true = date_strings(plan.dob).to_pylist()
    dob = date_strings(plan.dob, rng.random(n) < 0.06).to_pylist()
    dob_given = rng.random(n) < 0.5
    order_dates = date_strings(rng.integers(ORDER_DATES[0], ORDER_DATES[1], n)).to_pylist()
    stranger_tins = _fresh_tins(rng, n, pop.tin)

    subject = np.maximum(plan.subject, 0)
    nick = codes.nickname & (vocab.given.nick_count[plan.names.given] > 0)
    req_form = effective_surname_form(plan.names, codes.surname_form, vocab)
    habit_form = effective_surname_form(plan.names, pop.habit.surname_form[subject], vocab)
    unit_dropped = acodes.unit_drop & (plan.book.unit_type[address] >= 0)
    same_name = namesake(pop)
    statutes = [s for s, _ in STATUTES]
    statute = rng.choice(len(statutes), n, p=np.array([p for _, p in STATUTES]))
    ref = rng.integers(0, 10**9, n)
    u = rng.random((n, 6))  # suffix in surname, 3 typos, TIN, period written as dates

    requests: list[list[str]] = []
    truth: list[list[str]] = []
    kinds: Counter[str] = Counter()
    traits_seen: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for i, d in enumerate(decisions):
        person, base = int(plan.subject[i]), int(plan.base[i])
        on_file = base == ON_FILE
        traits: list[str] = [] if on_file else [KIND_NAMES[base]]
        if base == HOUSEHOLD:
            rel = _relations(pop, person, False)
            traits.extend(rel or [ROLE_NAMES[int(pop.sk.role[person])]])
        if on_file:
            traits.extend(d.traits)
            traits.extend(_relations(pop, person, True))
            if same_name[person]:
                traits.append("namesake_in_city")
            if nick[i]:
                traits.append("nickname")
            two = bool(plan.names.s2[i] >= 0)
            traits.extend(_surname_traits(int(req_form[i]), int(habit_form[i]), two))
        row = {c: "" for c in REQUEST_COLUMNS}
        row["request_id"] = f"ICE-{i + 1:07d}"
        row["first_name"], row["middle_name"] = first[i] or "", middle[i] or ""
        row["last_name"], row["suffix"] = last[i] or "", suffix[i] or ""
        if row["suffix"] and u[i, 0] < 0.3:
            row["last_name"], row["suffix"] = f"{row['last_name']} {row['suffix']}", ""
        if u[i, 1] < 0.06:
            row["first_name"] = typo_text(rng, row["first_name"])
            traits.append("typo_given")
        if u[i, 2] < 0.06:
            row["last_name"] = typo_text(rng, row["last_name"])
            traits.append("typo_surname")
        if dob_given[i]:
            row["dob"] = dob[i]
            if dob[i] != dob_true[i]:
                traits.append("dob_typo")
        else:
            traits.append("missing_dob")
        row["street"], row["city"] = street[i] or "", city[i] or ""
        row["state"], row["zip"] = state[i] or "", zip_code[i] or ""
        if u[i, 3] < 0.05:
            row["street"] = typo_text(rng, row["street"], ADDRESS_KEYWORDS)
            traits.append("typo_street")
        if unit_dropped[i]:
            traits.append("unit_dropped")
        if plan.book.kind[address[i]] == PR_URB:
            traits.append("puerto_rico")
        if u[i, 4] < 0.2:
            row["tin"], tin_trait = _request_tin(rng, pop, person, base, int(stranger_tins[i]))
            traits.append(tin_trait)
        row["removal_order_date"] = order_dates[i]
        row["removal_order_ref"] = f"A{ref[i]:09d}"
        row["criminal_statute"] = statutes[statute[i]]
        row["tax_period_start"], row["tax_period_end"] = str(d.start), str(d.end)
        if u[i, 5] < 0.05:
            row["tax_period_start"] = f"{d.start}-01-01"
            row["tax_period_end"] = f"{d.end}-12-31"

        outcome = d.outcome
        if plan.kind[i] == INVALID:
            reject, details = break_request(rng, row)
            outcome = ";".join(reject)
            traits = [KIND_NAMES[INVALID], *details]
        expected = ["", "", "", "", ""]
        if outcome in ("M1", "M2"):
            expected = [*(v or "" for v in kept.text[d.row]), str(kept.year[d.row])]
        scenario = "+".join(dict.fromkeys(traits)) or "exact"
        true_tin = f"{pop.tin[person]:09d}" if on_file else ""
        requests.append([row[c] for c in REQUEST_COLUMNS])
        truth.append([row["request_id"], true_tin, outcome, *expected, scenario])
        kinds[KIND_NAMES[int(plan.kind[i])]] += 1
        traits_seen.update(dict.fromkeys(traits or ["exact"], 1))
        outcomes[outcome] += 1
    return Batch(requests, truth, kinds, traits_seen, outcomes)


def _request_tin(
    rng: np.random.Generator, pop: Population, person: int, base: int, stranger: int
) -> tuple[str, str]:
    """The TIN a request carries: usually the person's own, sometimes a relative's."""
    if person < 0:
        return _tin_text(rng, stranger), "tin_given"
    relatives = [m for m in pop.members(person) if m != person and pop.sk.filer[m]]
    share = 0.125 if base == ON_FILE else 0.4
    if relatives and rng.random() < share:
        other = relatives[int(rng.integers(0, len(relatives)))]
        return _tin_text(rng, int(pop.tin[other])), "tin_of_relative"
    return _tin_text(rng, int(pop.tin[person])), "tin_given"
