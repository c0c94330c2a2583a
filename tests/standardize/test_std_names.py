"""Labelled name cases: surnames and IRS name controls, given names, nicknames, suffixes."""

from __future__ import annotations

from typing import Any

import jellyfish
import pytest

from crossverify.standardize.names import (
    name_control,
    nick_keys,
    nicknames_agree,
    normalize_suffix,
    parse_given,
    parse_middle,
    parse_name,
    parse_surname,
)

# label, last_name, "surname_std | surname_keys | name_control | variants | suffix"
# (keys and variants space-separated; an empty part is none)
SURNAMES = [
    ("two-surnames-spaced", "Garcia Lopez", "GARCIA LOPEZ | GARCIA LOPEZ | GARC | LOPE |"),
    ("two-surnames-hyphenated", "Garcia-Lopez", "GARCIA LOPEZ | GARCIA LOPEZ | GARC | LOPE |"),
    ("two-surnames-y-joined", "Garcia y Lopez", "GARCIA LOPEZ | GARCIA LOPEZ | GARC | LOPE |"),
    ("accents-and-spaces", "  GARCÍA   LÓPEZ ", "GARCIA LOPEZ | GARCIA LOPEZ | GARC | LOPE |"),
    ("particles-lowercase", "de la Rosa", "DE LA ROSA | ROSA | DELA | ROSA |"),
    ("particles-capitalised", "De La Rosa", "DE LA ROSA | ROSA | DELA | ROSA |"),
    ("particles-joined", "DelaRosa", "DELAROSA | DELAROSA | DELA |  |"),
    ("del-rio", "Del Rio", "DEL RIO | RIO | DELR | RIO |"),
    (
        "particle-then-second-surname",
        "Del Rio Martinez",
        "DEL RIO MARTINEZ | RIO MARTINEZ | DELR | RIO MART |",
    ),
    ("married-de-name", "Lopez de Garcia", "LOPEZ DE GARCIA | LOPEZ GARCIA | LOPE | GARC |"),
    (
        "second-surname-with-particles",
        "Garcia de la Rosa",
        "GARCIA DE LA ROSA | GARCIA ROSA | GARC | DELA ROSA |",
    ),
    ("de-los", "De Los Santos", "DE LOS SANTOS | SANTOS | DELO | SANT |"),
    (
        "three-surnames",
        "Hernández Martínez y García",
        "HERNANDEZ MARTINEZ GARCIA | HERNANDEZ MARTINEZ GARCIA | HERN | MART GARC |",
    ),
    ("tildes-hyphenated", "Núñez-Peña", "NUNEZ PENA | NUNEZ PENA | NUNE | PENA |"),
    ("tilde", "Muñoz", "MUNOZ | MUNOZ | MUNO |  |"),
    ("irs-example-teak", "Teak", "TEAK | TEAK | TEAK |  |"),
    ("irs-example-mccedar", "McCedar", "MCCEDAR | MCCEDAR | MCCE |  |"),
    ("mc-written-apart", "Mc Cedar", "MC CEDAR | MCCEDAR | MCCE |  |"),
    ("irs-example-hyphenated", "Cedar-Hawthorn", "CEDAR HAWTHORN | CEDAR HAWTHORN | CEDA | HAWT |"),
    ("apostrophe", "O'Neil", "ONEIL | ONEIL | ONEI |  |"),
    ("curly-apostrophe", "O\u2019Neil", "ONEIL | ONEIL | ONEI |  |"),
    ("d-apostrophe", "D'Angelo", "DANGELO | DANGELO | DANG |  |"),
    ("short-no-padding", "Lee", "LEE | LEE | LEE |  |"),
    ("two-letters", "Ng", "NG | NG | NG |  |"),
    ("suffix-jr-in-surname", "Smith Jr.", "SMITH | SMITH | SMIT |  | JR"),
    ("suffix-iii-comma", "Smith, III", "SMITH | SMITH | SMIT |  | III"),
    ("suffix-ordinal", "Smith 3rd", "SMITH | SMITH | SMIT |  | III"),
    (
        "suffix-after-two-surnames",
        "Garcia Lopez Jr",
        "GARCIA LOPEZ | GARCIA LOPEZ | GARC | LOPE | JR",
    ),
    ("title-dropped", "Smith Esq", "SMITH | SMITH | SMIT |  |"),
    ("dutch-particles", "Van der Berg", "VAN DER BERG | BERG | VAND | BERG |"),
    ("portuguese-particle", "da Silva", "DA SILVA | SILVA | DASI | SILV |"),
    ("saint-prefix", "St. John", "ST JOHN | STJOHN | STJO |  |"),
    ("particle-alone-is-surname", "Le", "LE | LE | LE |  |"),
    ("do-last-is-surname", "Nguyen Do", "NGUYEN DO | NGUYEN DO | NGUY | DO |"),
]


def _cases(table: list[tuple[Any, ...]]) -> list[Any]:
    """pytest params from rows whose first item is the label."""
    return [pytest.param(*row[1:], id=row[0]) for row in table]


@pytest.mark.parametrize(("last", "expected"), _cases(SURNAMES))
def test_surname(last: str, expected: str) -> None:
    std, keys_, control, variants_, suffix = [p.strip() for p in (expected + " |").split("|")][:5]
    keys, variants = keys_.split(), variants_.split()
    parsed = parse_surname(last)
    assert parsed.surname_std == std
    assert list(parsed.keys) == keys
    assert parsed.surname_1 == keys[0]
    assert parsed.surname_2 == (keys[1] if len(keys) > 1 else None)
    assert parsed.surname_joined == std.replace(" ", "")
    assert parsed.name_control == control
    assert name_control(last) == control
    assert list(parsed.name_control_variants) == variants
    assert parsed.suffix == (suffix or None)


@pytest.mark.parametrize("last", ["", None, "LNU", "Unknown", "  ", "--", "X"])
def test_surname_placeholder_is_empty(last: str | None) -> None:
    parsed = parse_surname(last)
    assert parsed.surname_std is None
    assert parsed.keys == ()
    assert parsed.name_control is None


# label, first_name, given_std, given_first, trailing initial, suffix
GIVEN = [
    ("compound-given-kept", "María de los Ángeles", "MARIA DE LOS ANGELES", "MARIA", None, None),
    ("del-carmen", "Maria del Carmen", "MARIA DEL CARMEN", "MARIA", None, None),
    ("two-given", "Juan Carlos", "JUAN CARLOS", "JUAN", None, None),
    ("hyphenated-given", "José-Luis", "JOSE LUIS", "JOSE", None, None),
    ("middle-initial-in-first", "Juan C.", "JUAN", "JUAN", "C", None),
    ("v-is-initial-not-suffix", "John V", "JOHN", "JOHN", "V", None),
    ("suffix-in-first", "John Jr", "JOHN", "JOHN", None, "JR"),
    ("title-dropped", "Mr. John", "JOHN", "JOHN", None, None),
    ("ma-abbreviation", "Ma. de Jesús", "MA DE JESUS", "MA", None, None),
    ("apostrophe", "D'Andre", "DANDRE", "DANDRE", None, None),
    ("fnu-placeholder", "FNU", None, None, None, None),
    ("empty", "", None, None, None, None),
]


@pytest.mark.parametrize(("first", "std", "given_first", "initial", "suffix"), _cases(GIVEN))
def test_given(
    first: str, std: str | None, given_first: str | None, initial: str | None, suffix: str | None
) -> None:
    parsed = parse_given(first)
    assert parsed.given_std == std
    assert parsed.given_first == given_first
    assert parsed.trailing_initial == initial
    assert parsed.suffix == suffix


# label, a, b, agree as nicknames
NICKNAMES = [
    ("bill-william", "Bill", "William", True),
    ("william-bill-symmetric", "William", "Bill", True),
    ("bob-robert", "Bob", "Robert", True),
    ("jim-james", "Jim", "James", True),
    ("peggy-margaret", "Peggy", "Margaret", True),
    ("al-alan", "Al", "Alan", True),
    ("al-albert", "Al", "Albert", True),
    ("alan-albert-differ", "Alan", "Albert", False),
    ("william-robert-no-bridge", "William", "Robert", False),
    ("john-ivan-no-bridge", "John", "Ivan", False),
    ("first-token-of-compound", "Bill Henry", "William", True),
    ("pancho-francisco", "Pancho", "Francisco", True),
    ("paco-pancho-share-canonical", "Paco", "Pancho", True),
    ("paquita-francisca", "Paquita", "Francisca", True),
    ("paquita-not-francisco", "Paquita", "Francisco", False),
    ("pepe-jose", "Pepe", "José", True),
    ("lupe-guadalupe", "Lupe", "Guadalupe", True),
    ("chuy-jesus", "Chuy", "Jesús", True),
    ("kike-enrique", "Kike", "Enrique", True),
    ("nacho-ignacio", "Nacho", "Ignacio", True),
    ("beto-roberto", "Beto", "Roberto", True),
    ("beto-alberto", "Beto", "Alberto", True),
    ("lalo-eduardo", "Lalo", "Eduardo", True),
    ("chayo-rosario", "Chayo", "Rosario", True),
    ("charo-chayo", "Charo", "Chayo", True),
    ("concha-concepcion", "Concha", "Concepción", True),
    ("memo-guillermo", "Memo", "Guillermo", True),
    ("tono-antonio", "Toño", "Antonio", True),
    ("lola-dolores", "Lola", "Dolores", True),
    ("ma-maria", "Ma.", "María", True),
    ("meche-mercedes", "Meche", "Mercedes", True),
    ("cuca-refugio", "Cuca", "Refugio", True),
    ("frank-francisco-english-form", "Frank", "Francisco", True),
    ("jesse-jesus-english-form", "Jesse", "Jesús", True),
    ("charlie-carlos-english-form", "Charlie", "Carlos", True),
    ("charles-carlos-english-form", "Charles", "Carlos", True),
    ("john-juan-english-form", "John", "Juan", True),
    ("john-juana-differ", "John", "Juana", False),
    ("frank-francisca-differ", "Frank", "Francisca", False),
    ("jose-juan-differ", "José", "Juan", False),
    ("maria-mario-differ", "Maria", "Mario", False),
    ("jamie-james-same-length", "Jamie", "James", True),
    ("susie-susan-same-length", "Susie", "Susan", True),
    ("barb-barbara-not-in-package", "Barb", "Barbara", True),
    ("alex-alejandra", "Alex", "Alejandra", True),
    ("carmen-maria-del-carmen", "Carmen", "María del Carmen", True),
    ("angeles-ma-de-los-angeles", "Angeles", "Ma. de los Ángeles", True),
    ("lupe-maria-guadalupe", "Lupe", "Maria Guadalupe", True),
    ("luis-jose-luis", "Luis", "José Luis", True),
    ("carmen-maria-elena-differ", "Carmen", "María Elena", False),
    ("elena-ana-elena-not-a-lead", "Elena", "Ana Elena", False),
    ("empty-never-agrees", "", "William", False),
]


@pytest.mark.parametrize(("a", "b", "agree"), _cases(NICKNAMES))
def test_nicknames_agree(a: str, b: str, agree: bool) -> None:
    assert nicknames_agree(a, b) is agree


@pytest.mark.parametrize(
    ("first", "keys"),
    [
        pytest.param("KENNETH", ("KENNETH",), id="canonical-is-itself"),
        pytest.param("FRANCISCO", ("FRANCISCO",), id="spanish-canonical"),
        pytest.param("PACO", ("FRANCISCO", "PACO"), id="spanish-diminutive"),
        pytest.param(None, (), id="none"),
    ],
)
def test_nick_keys_exact(first: str | None, keys: tuple[str, ...]) -> None:
    assert nick_keys(first) == keys


def test_nick_keys_sorted_unique() -> None:
    keys = parse_given("Bill").nick_keys
    assert list(keys) == sorted(set(keys))
    assert {"BILL", "WILLIAM"} <= set(keys)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("Jr.", "JR", id="jr-period"),
        pytest.param("jr", "JR", id="jr-lower"),
        pytest.param("Junior", "JR", id="junior"),
        pytest.param("Sr", "SR", id="sr"),
        pytest.param("II", "II", id="ii"),
        pytest.param("2nd", "II", id="2nd"),
        pytest.param("3rd", "III", id="3rd"),
        pytest.param("IV", "IV", id="iv"),
        pytest.param("V", "V", id="v-in-suffix-field"),
        pytest.param("MD", None, id="degree-not-suffix"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
    ],
)
def test_normalize_suffix(value: str | None, expected: str | None) -> None:
    assert normalize_suffix(value) == expected


def test_parse_name_suffix_field_wins_over_name() -> None:
    assert parse_name("John", None, "Smith Jr", "III").suffix_std == "III"
    assert parse_name("John", None, "Smith Jr", None).suffix_std == "JR"
    assert parse_name("John Sr", None, "Smith", "").suffix_std == "SR"


def test_parse_name_middle_initial_from_first_name() -> None:
    assert parse_name("Juan C", None, "Garcia").middle_initial == "C"
    assert parse_name("Juan C", "Carlos", "Garcia").middle_initial == "C"
    assert parse_name("Juan", "nmn", "Garcia").middle_initial is None


def test_middle_name() -> None:
    middle = parse_middle("  de la Cruz ")
    assert (middle.middle_std, middle.middle_initial) == ("DE LA CRUZ", "D")
    assert parse_middle("NMN").middle_std is None


def test_phonetic_keys_are_metaphone() -> None:
    assert parse_surname("Garcia-Lopez").phonetic == jellyfish.metaphone("GARCIA")
    assert parse_given("Juan Carlos").phonetic == jellyfish.metaphone("JUAN")
    assert parse_surname("Rodriguez").phonetic == parse_surname("Rodrigues").phonetic
