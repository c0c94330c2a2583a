"""Name renderings: one person, many written forms (nickname, accents, surname order).

A person is a handful of vocabulary indices; `NameCodes` say how one record writes them.
Each taxpayer has a habitual form (their returns agree with each other most years) and
payroll or agency records deviate from it: paternal surname only, no accents, a nickname.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from crossverify.synth.vocab import Vocab, join, take

# Surname forms for a person with a paternal (s1) and maternal (s2) surname.
SPACED, HYPHEN, WITH_Y, PATERNAL, MATERNAL, NO_PARTICLE, MARRIED = range(7)
SURNAME_FORM_NAMES = (
    "spaced",
    "hyphen",
    "with_y",
    "paternal",
    "maternal",
    "no_particle",
    "married",
)
NO_SUFFIX, JR, SR, II, III = range(5)
_SUFFIX_UPPER = pa.array([None, "JR", "SR", "II", "III"], pa.string())
_SUFFIX_MIXED = pa.array([None, "Jr", "Sr", "II", "III"], pa.string())


@dataclass(frozen=True)
class NameIds:
    """Who: vocabulary indices; -1 where absent."""

    given: np.ndarray
    middle: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    married_de: np.ndarray  # husband's paternal surname for "López de García", else -1
    suffix: np.ndarray

    def at(self, rows: np.ndarray) -> NameIds:
        return NameIds(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass(frozen=True)
class NameCodes:
    """How: per-record choices."""

    accent: np.ndarray
    nickname: np.ndarray
    nick_pick: np.ndarray
    split: np.ndarray  # compound given name written as first + middle
    middle_mode: np.ndarray  # 0 none, 1 initial, 2 full
    surname_form: np.ndarray
    upper: np.ndarray
    title: np.ndarray  # mechanically title-cased: "De La Cruz", "Mcdonald"
    suffix_shown: np.ndarray

    def at(self, rows: np.ndarray) -> NameCodes:
        return NameCodes(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})

    def where(self, mask: np.ndarray, other: NameCodes) -> NameCodes:
        """Take `other`'s choice where mask is true (a record deviating from the habit)."""
        return NameCodes(
            **{
                f.name: np.where(mask, getattr(other, f.name), getattr(self, f.name))
                for f in fields(self)
            }
        )


@dataclass(frozen=True)
class NameProfile:
    accent: float
    nickname: float
    split: float
    middle: tuple[float, float, float]  # none, initial, full
    surname_form: tuple[float, ...]  # over SPACED..NO_PARTICLE
    married: float  # share using "de <husband>" when married_de is known
    upper: float
    title: float
    suffix_shown: float


FILER_PROFILE = NameProfile(
    0.25, 0.04, 0.35, (0.15, 0.35, 0.5), (0.45, 0.2, 0.03, 0.27, 0.02, 0.03), 0.5, 0.0, 0.0, 0.7
)
PAYROLL_PROFILE = NameProfile(
    0.05, 0.10, 0.5, (0.5, 0.4, 0.1), (0.2, 0.15, 0.0, 0.6, 0.03, 0.02), 0.3, 0.9, 0.05, 0.5
)
REQUEST_PROFILE = NameProfile(
    0.3, 0.15, 0.4, (0.45, 0.25, 0.3), (0.35, 0.15, 0.05, 0.3, 0.07, 0.08), 0.3, 0.3, 0.1, 0.5
)


def draw_name_codes(
    rng: np.random.Generator, n: int, profile: NameProfile, married: np.ndarray
) -> NameCodes:
    forms = np.asarray(profile.surname_form, dtype=np.float64)
    form = rng.choice(len(forms), n, p=forms / forms.sum())
    form = np.where(married & (rng.random(n) < profile.married), MARRIED, form)
    upper = rng.random(n) < profile.upper
    return NameCodes(
        accent=rng.random(n) < profile.accent,
        nickname=rng.random(n) < profile.nickname,
        nick_pick=rng.integers(0, 1 << 30, n),
        split=rng.random(n) < profile.split,
        middle_mode=rng.choice(3, n, p=np.asarray(profile.middle)),
        surname_form=form,
        upper=upper,
        title=~upper & (rng.random(n) < profile.title),
        suffix_shown=rng.random(n) < profile.suffix_shown,
    )


def effective_surname_form(ids: NameIds, form: np.ndarray, vocab: Vocab) -> np.ndarray:
    """The form actually written once impossible choices fall back (no s2, no particle)."""
    two = ids.s2 >= 0
    form = np.where(~two & (form != NO_PARTICLE) & (form != MARRIED), SPACED, form)
    form = np.where((form == MARRIED) & (ids.married_de < 0), SPACED, form)
    particle = vocab.surnames.particle
    has_particle = particle[np.maximum(ids.s1, 0)] | (two & particle[np.maximum(ids.s2, 0)])
    return np.where((form == NO_PARTICLE) & ~has_particle, SPACED, form)


def _case(values: pa.Array, codes: NameCodes) -> pa.Array:
    values = pc.if_else(pa.array(codes.title), pc.utf8_title(values), values)
    return pc.if_else(pa.array(codes.upper), pc.utf8_upper(values), values)


def render_names(
    vocab: Vocab, ids: NameIds, codes: NameCodes
) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """(first_name, middle_name, last_name, suffix) as the record writes them."""
    g, s = vocab.given, vocab.surnames
    acc = pa.array(codes.accent)
    gi = ids.given
    full = pc.if_else(acc, take(g.accented, gi), take(g.plain, gi))
    first_tok = pc.if_else(acc, take(g.first_accented, gi), take(g.first_plain, gi))
    rest_tok = pc.if_else(acc, take(g.rest_accented, gi), take(g.rest_plain, gi))
    count = g.nick_count[gi]
    use_nick = codes.nickname & (count > 0)
    nick_ix = np.where(use_nick, g.nick_start[gi] + codes.nick_pick % np.maximum(count, 1), -1)
    split = codes.split & g.compound[gi] & ~use_nick
    first = pc.if_else(pa.array(use_nick), take(g.nick_flat, nick_ix), full)
    first = pc.if_else(pa.array(split), first_tok, first)

    mi = ids.middle
    mode = np.where(mi < 0, 0, codes.middle_mode)
    middle = pc.choose(
        pa.array(mode),
        pa.nulls(len(mi), pa.string()),
        take(g.initial, mi),
        pc.if_else(acc, take(g.accented, mi), take(g.plain, mi)),
    )
    middle = pc.if_else(
        pa.array(split),
        join(rest_tok, middle),
        middle,
    )

    def surname(ix: np.ndarray, dropped: bool) -> pa.Array:
        if dropped:
            return pc.if_else(acc, take(s.dropped_accented, ix), take(s.dropped_plain, ix))
        return pc.if_else(acc, take(s.accented, ix), take(s.plain, ix))

    a, b, h = surname(ids.s1, False), surname(ids.s2, False), surname(ids.married_de, False)
    ad, bd = surname(ids.s1, True), surname(ids.s2, True)

    form = effective_surname_form(ids, codes.surname_form, vocab)
    last = pc.choose(
        pa.array(form),
        join(a, b),
        join(a, b, sep="-"),
        join(a, "y", b),
        a,
        b,
        join(ad, bd),
        join(a, "de", h),
    )
    suffix_ix = np.where(codes.suffix_shown, ids.suffix, 0)
    suffix = pc.if_else(
        pa.array(codes.upper), take(_SUFFIX_UPPER, suffix_ix), take(_SUFFIX_MIXED, suffix_ix)
    )
    return _case(first, codes), _case(middle, codes), _case(last, codes), suffix
