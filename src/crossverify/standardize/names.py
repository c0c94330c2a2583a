"""Names: given/middle/surname parts, suffixes, nickname keys, IRS name control, phonetic keys.

Pure functions on one value each; :func:`parse_name` puts the parts of one person together.
The frame module calls the per-field parsers once per distinct value.

What this can do: fold accents, split compound and particle surnames the way Spanish naming
and the IRS name control need (DOMAIN.md sections 7 and 8), find generational suffixes written
inside a name, and give keys under which nicknames agree. What it cannot do: tell a given name
from a surname written in the wrong field, or know which of two surnames a person files under;
it returns the candidates (``surname_keys``, ``name_control_variants``) and leaves the weighing
to the link stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from nicknames import name_triplets

from crossverify.standardize.text import name_tokens
from crossverify.standardize.vocab import (
    COMPOUND_GIVEN_LEADS,
    ENGLISH_DIMINUTIVES,
    ENGLISH_FORMS_OF_SPANISH_NAMES,
    GENERATIONAL_SUFFIXES,
    JOINED_PREFIXES,
    NICKNAME_EDGES_DROPPED,
    PARTICLES,
    PLACEHOLDER_NAMES,
    SPANISH_DIMINUTIVES,
    SUFFIXES_AMBIGUOUS_IN_GIVEN,
    SURNAME_JOINERS,
    TITLES_AFTER,
    TITLES_BEFORE,
)

_CACHE_SIZE = 1 << 16


@dataclass(frozen=True, slots=True)
class GivenName:
    """A standardized given (first) name.

    ``trailing_initial`` is a lone letter written after the given name ("JUAN C"), a middle
    initial in the wrong field; ``suffix`` a generational suffix written there ("JOHN JR").
    """

    given_std: str | None
    given_first: str | None
    nick_keys: tuple[str, ...]
    phonetic: str | None
    trailing_initial: str | None
    suffix: str | None


@dataclass(frozen=True, slots=True)
class MiddleName:
    """A standardized middle name and its initial."""

    middle_std: str | None
    middle_initial: str | None
    suffix: str | None


@dataclass(frozen=True, slots=True)
class Surname:
    """A standardized surname.

    ``keys`` are the core surnames without particles, in written order; ``name_control`` the IRS
    name control of the first surname as written (particles kept); ``name_control_variants`` the
    weaker alternatives (first surname without its particles, later surnames).
    """

    surname_std: str | None
    keys: tuple[str, ...]
    surname_1: str | None
    surname_2: str | None
    surname_joined: str | None
    name_control: str | None
    name_control_variants: tuple[str, ...]
    phonetic: str | None
    suffix: str | None


@dataclass(frozen=True, slots=True)
class ParsedName:
    """One person's name, all parts standardized (see :func:`parse_name`)."""

    given: GivenName
    middle: MiddleName
    surname: Surname
    suffix_std: str | None

    @property
    def middle_initial(self) -> str | None:
        """The middle initial, from the middle name or else a lone letter after the given name."""
        return self.middle.middle_initial or self.given.trailing_initial


_EMPTY_GIVEN = GivenName(None, None, (), None, None, None)
_EMPTY_MIDDLE = MiddleName(None, None, None)
_EMPTY_SURNAME = Surname(None, (), None, None, None, None, (), None, None)


def phonetic_key(word: str | None) -> str | None:
    """Metaphone code (jellyfish.metaphone) of one word; None for no word."""
    return jellyfish.metaphone(word) or None if word else None


def normalize_suffix(value: str | None) -> str | None:
    """A suffix field -> JR, SR, II, III, IV, V or None ("Jr." -> JR, "3rd" -> III, "MD" -> None).

    Examples:
        >>> normalize_suffix("jr.")
        'JR'
        >>> normalize_suffix("Esq") is None
        True
    """
    for token in _tokens(value):
        if token in GENERATIONAL_SUFFIXES:
            return GENERATIONAL_SUFFIXES[token]
    return None


_ORDINAL_SUFFIX = re.compile(r"\b([2-5])(?:ND|RD|TH|D)\b")
_ROMAN = {"2": "II", "3": "III", "4": "IV", "5": "V"}


def _tokens(value: str | None) -> list[str]:
    """Name tokens, with ordinal suffixes made Roman first ("Smith 3rd" -> SMITH III)."""
    if value and any(ch.isdigit() for ch in value):
        value = _ORDINAL_SUFFIX.sub(lambda m: _ROMAN[m.group(1)], value.upper())
    return name_tokens(value)


@lru_cache(maxsize=_CACHE_SIZE)
def parse_given(value: str | None) -> GivenName:
    """Standardize a given name; a compound given name stays whole ("MARIA DE LOS ANGELES").

    Examples:
        >>> parse_given("José Luis").given_first
        'JOSE'
        >>> parse_given("Bill").nick_keys
        ('BILL', 'GUILLERMO', 'WILLIAM', 'WILLIS')
    """
    tokens = _tokens(value)
    if not tokens or " ".join(tokens) in PLACEHOLDER_NAMES:
        return _EMPTY_GIVEN
    while len(tokens) > 1 and tokens[0] in TITLES_BEFORE:
        tokens.pop(0)
    suffix = _pop_trailing_suffix(tokens, ambiguous=SUFFIXES_AMBIGUOUS_IN_GIVEN)
    initial = tokens.pop() if len(tokens) > 1 and len(tokens[-1]) == 1 else None
    first = tokens[0]
    keys = nick_keys(first)
    core = [t for t in tokens[1:] if t not in PARTICLES]
    if first in COMPOUND_GIVEN_LEADS and core:
        keys = tuple(sorted({*keys, *nick_keys(core[-1])}))
    return GivenName(
        given_std=" ".join(tokens),
        given_first=first,
        nick_keys=keys,
        phonetic=phonetic_key(first),
        trailing_initial=initial,
        suffix=suffix,
    )


@lru_cache(maxsize=_CACHE_SIZE)
def parse_middle(value: str | None) -> MiddleName:
    """Standardize a middle name ("NMN" and other placeholders -> no middle name)."""
    tokens = _tokens(value)
    if not tokens or " ".join(tokens) in PLACEHOLDER_NAMES:
        return _EMPTY_MIDDLE
    suffix = _pop_trailing_suffix(tokens, ambiguous=SUFFIXES_AMBIGUOUS_IN_GIVEN)
    std = " ".join(tokens)
    return MiddleName(middle_std=std, middle_initial=std[0], suffix=suffix)


@lru_cache(maxsize=_CACHE_SIZE)
def parse_surname(value: str | None) -> Surname:
    """Standardize a surname and compute its IRS name control (DOMAIN.md section 7).

    Examples:
        >>> s = parse_surname("de la Rosa-Martínez")
        >>> s.surname_std, s.keys, s.name_control, s.name_control_variants
        ('DE LA ROSA MARTINEZ', ('ROSA', 'MARTINEZ'), 'DELA', ('ROSA', 'MART'))
    """
    tokens = _tokens(value)
    if not tokens or " ".join(tokens) in PLACEHOLDER_NAMES:
        return _EMPTY_SURNAME
    suffix = _pop_trailing_suffix(tokens, ambiguous=frozenset())
    tokens = [t for i, t in enumerate(tokens) if not _is_joiner(tokens, i)]
    groups = _surname_groups(tokens)
    keys = tuple(core for _, core in groups)
    std = " ".join(tokens)
    return Surname(
        surname_std=std,
        keys=keys,
        surname_1=keys[0],
        surname_2=keys[1] if len(keys) > 1 else None,
        surname_joined=std.replace(" ", ""),
        name_control=_control("".join(groups[0][0]) + groups[0][1]),
        name_control_variants=_control_variants(groups),
        phonetic=phonetic_key(keys[0]),
        suffix=suffix,
    )


def name_control(last_name: str | None) -> str | None:
    """IRS name control of a last name: up to 4 letters of the first surname as written.

    Examples:
        >>> [name_control(n) for n in ["Teak", "McCedar", "Cedar-Hawthorn", "O'Neil", "Lee"]]
        ['TEAK', 'MCCE', 'CEDA', 'ONEI', 'LEE']
    """
    return parse_surname(last_name).name_control


def parse_name(
    first_name: str | None,
    middle_name: str | None,
    last_name: str | None,
    suffix: str | None = None,
) -> ParsedName:
    """Standardize one person's name; a suffix field wins over a suffix written in a name."""
    given = parse_given(first_name)
    middle = parse_middle(middle_name)
    surname = parse_surname(last_name)
    suffix_std = normalize_suffix(suffix) or surname.suffix or given.suffix or middle.suffix
    return ParsedName(given=given, middle=middle, surname=surname, suffix_std=suffix_std)


def nick_keys(given_first: str | None) -> tuple[str, ...]:
    """Sorted keys under which nicknames agree: the name plus the canonical names it shortens.

    Two given names agree as nicknames iff their keys intersect (BILL and WILLIAM share
    WILLIAM; AL and ALAN share ALAN; ALAN and ALBERT share nothing).
    """
    if not given_first:
        return ()
    return tuple(sorted({given_first} | _canonical_lookup().get(given_first, frozenset())))


def nicknames_agree(a: str | None, b: str | None) -> bool:
    """True if two given names share a nickname key (see :func:`nick_keys`)."""
    return bool(set(parse_given(a).nick_keys) & set(parse_given(b).nick_keys))


@lru_cache(maxsize=1)
def _canonical_lookup() -> dict[str, frozenset[str]]:
    """Nickname -> canonical names, from the ``nicknames`` package plus the tables in vocab.

    The package's table links names both ways (BILL -> WILLIAM and WILLIAM -> BILL, BILL ->
    ROBERT), which would let WILLIAM and ROBERT agree through BILL. An edge "C has nickname N"
    is dropped when N is itself a canonical name (has nicknames of its own) and C is not
    longer: nicknames shorten names, so such an edge runs the wrong way. A few wrong edges that
    survive the rule are listed in ``NICKNAME_EDGES_DROPPED``.
    """
    edges: set[tuple[str, str]] = set()
    for canonical, relationship, nickname in name_triplets():
        if relationship != "has_nickname":
            continue
        c_tokens, n_tokens = name_tokens(canonical), name_tokens(nickname)
        if len(c_tokens) == 1 and len(n_tokens) == 1 and c_tokens != n_tokens:
            edges.add((c_tokens[0], n_tokens[0]))
    has_nicknames = {c for c, _ in edges}
    lookup: dict[str, set[str]] = {}
    for canonical, nickname in edges:
        if nickname in has_nicknames and len(canonical) <= len(nickname):
            continue
        if (canonical, nickname) in NICKNAME_EDGES_DROPPED:
            continue
        lookup.setdefault(nickname, set()).add(canonical)
    for table in (SPANISH_DIMINUTIVES, ENGLISH_FORMS_OF_SPANISH_NAMES, ENGLISH_DIMINUTIVES):
        for nickname, canonicals in table.items():
            lookup.setdefault(nickname, set()).update(canonicals)
    return {nickname: frozenset(canonicals) for nickname, canonicals in lookup.items()}


def _pop_trailing_suffix(tokens: list[str], *, ambiguous: frozenset[str]) -> str | None:
    """Remove generational suffixes and titles from the end of ``tokens``; return the suffix."""
    suffix = None
    while len(tokens) > 1:
        last = tokens[-1]
        if last in GENERATIONAL_SUFFIXES and last not in ambiguous:
            suffix = suffix or GENERATIONAL_SUFFIXES[last]
        elif last not in TITLES_AFTER:
            break
        tokens.pop()
    return suffix


def _is_joiner(tokens: list[str], i: int) -> bool:
    """A "Y" between two surnames ("GARCIA Y LOPEZ"), not at either end."""
    return tokens[i] in SURNAME_JOINERS and 0 < i < len(tokens) - 1


def _surname_groups(tokens: list[str]) -> list[tuple[tuple[str, ...], str]]:
    """Split surname words into (leading particles, core surname) groups.

    "DE LA ROSA MARTINEZ" -> [((DE, LA), ROSA), ((), MARTINEZ)]; written-apart prefixes join
    their word ("MC CEDAR" -> MCCEDAR); particles with no core after them stay as a core.
    """
    groups: list[tuple[tuple[str, ...], str]] = []
    particles: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        rest = tokens[i + 1 :]
        if token in JOINED_PREFIXES and rest and rest[0] not in PARTICLES:
            groups.append((tuple(particles), token + rest[0]))
            particles = []
            i += 2
            continue
        if token in PARTICLES and any(t not in PARTICLES for t in rest):
            particles.append(token)
        else:
            groups.append((tuple(particles), token))
            particles = []
        i += 1
    return groups


def _control(text: str) -> str:
    return text[:4]


def _control_variants(groups: list[tuple[tuple[str, ...], str]]) -> tuple[str, ...]:
    """Weaker name controls: first surname without particles, then each later surname.

    A later surname keeps its particles as one more variant unless the particle is a lone
    "DE", the married-name marker ("LOPEZ DE GARCIA" -> GARC, not DEGA).
    """
    first_particles, first_core = groups[0]
    primary = _control("".join(first_particles) + first_core)
    candidates = [_control(first_core)]
    for particles, core in groups[1:]:
        if particles and particles != ("DE",):
            candidates.append(_control("".join(particles) + core))
        candidates.append(_control(core))
    variants: list[str] = []
    for candidate in candidates:
        if candidate != primary and candidate not in variants:
            variants.append(candidate)
    return tuple(variants)
