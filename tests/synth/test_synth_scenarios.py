"""The batch is as hard as documented: shares of kinds, and the hard cases are present."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from crossverify.synth import SynthResult
from crossverify.synth.addresses import (
    MASTER_PROFILE,
    PAYROLL_PROFILE,
    REQUEST_PROFILE,
    AddressProfile,
    draw_address_codes,
    make_addresses,
    render_address,
)
from crossverify.synth.noise import ADDRESS_KEYWORDS, typo_text
from crossverify.synth.plan import KIND_NAMES, KIND_SHARES
from crossverify.synth.vocab import join, load_vocab
from crossverify.synth.vocab_places import UNIT_TYPES


def test_kind_shares_are_as_documented(synth_run: SynthResult, truth: pd.DataFrame) -> None:
    n = synth_run.requests
    for name, share in zip(KIND_NAMES, KIND_SHARES, strict=True):
        got = synth_run.kinds.get(name, 0) / n
        assert abs(got - share) < 0.04 + share * 0.3, (name, got, share)
    first = truth["scenario"].str.split("+").str[0]
    not_on_file = truth["true_tin"] == ""
    assert (
        (first[not_on_file & ~truth["expected_outcome"].str.startswith("R")])
        .isin(KIND_NAMES[1:4])
        .all()
    )
    assert 0.6 < (truth["true_tin"] != "").mean() < 0.8


def test_expected_outcome_mix(synth_run: SynthResult) -> None:
    n = synth_run.requests
    share = {k: v / n for k, v in synth_run.outcomes.items()}
    assert 0.25 < share["M1"] < 0.45
    assert 0.08 < share["M2"] < 0.25
    assert 0.2 < share["N1"] < 0.35
    assert 0.06 < share["N2"] < 0.18
    assert 0.04 < share["N4"] < 0.15
    assert 0.005 < share["N5"] < 0.05


@pytest.mark.parametrize(
    "trait",
    [
        "nickname",
        "compound_surname_one_part",
        "old_address",
        "newer_address",
        "address_not_on_file",
        "household_shares_address",
        "jr_sr_namesake",
        "namesake_in_city",
        "typo_given",
        "typo_surname",
        "missing_dob",
        "tin_of_relative",
        "unit_dropped",
        "outside_filing_years",
        "withheld_only",
    ],
)
def test_hard_traits_occur(synth_run: SynthResult, trait: str) -> None:
    assert synth_run.scenarios.get(trait, 0) >= 3, trait


def test_households_share_surname_and_address(master: pd.DataFrame) -> None:
    key = ["tax_year", "street", "zip", "last_name"]
    rows = master[master["source"] == "form_1040"]
    shared = rows.groupby(key)["tin"].nunique()
    assert (shared >= 2).sum() > 20


def test_jr_sr_pairs_on_file(master: pd.DataFrame) -> None:
    """A JR and an SR with the same first name and paternal surname at one ZIP in one year."""
    key = master.assign(
        first=master["first_name"].str.upper(),
        surname=master["last_name"].str.upper().str.split().str[0],
        zip5=master["zip"].str[:5],
        tag=master["suffix"].str.upper(),
    )[["first", "surname", "zip5", "tax_year", "tag", "tin"]]
    on = ["first", "surname", "zip5", "tax_year"]
    pairs = key[key["tag"] == "JR"].merge(key[key["tag"] == "SR"], on=on)
    assert pairs[["tin_x", "tin_y"]].drop_duplicates().shape[0] >= 3


def test_same_full_name_in_one_city(master: pd.DataFrame) -> None:
    upper = master.assign(
        first=master["first_name"].str.upper(), last=master["last_name"].str.upper()
    )
    clashes = upper.groupby(["first", "last", upper["city"].str.upper()])["tin"].nunique()
    assert (clashes >= 2).sum() >= 10


def test_spanish_names_and_puerto_rico(master: pd.DataFrame) -> None:
    last = master["last_name"]
    assert last.str.contains("-").mean() > 0.03
    assert last.str.contains(r"\bde\b", case=False).any()
    assert master["first_name"].str.contains("[áéíóúñ]", case=False).any()
    pr = master[master["state"] == "PR"]
    assert (
        pr["zip"].str.startswith("00").all()
        and pr["street"].str.contains("CALLE", case=False).any()
    )
    assert master["street"].str.contains(r"\b(?:APT|Apt\.?|Unit|#)", regex=True).mean() > 0.1
    assert master["street"].str.contains(r"^(?:PO BOX|P\.O\. Box|POB|PO Box|Post Office)").any()


def test_join_keeps_rows_where_every_part_is_null() -> None:
    a = pa.array([None, "x", None], pa.string())
    b = pa.array([None, None, "y"], pa.string())
    assert join(a, b).to_pylist() == [None, "x", "y"]
    assert join(a, "z", b, sep="-").to_pylist() == ["z", "x-z", "z-y"]


def test_typos_leave_numbers_and_first_letters_alone() -> None:
    rng = np.random.default_rng(1)
    for text in ("1234 Main Street Apt 5", "Hernandez", "Maria"):
        for _ in range(50):
            out = typo_text(rng, text)
            assert out[0] == text[0]
            assert [c for c in out if c.isdigit()] == [c for c in text if c.isdigit()]


@pytest.mark.parametrize("profile", [REQUEST_PROFILE, MASTER_PROFILE, PAYROLL_PROFILE])
def test_rendering_never_changes_a_unit(profile: AddressProfile) -> None:
    """A unit is written whole or not at all: "APT 348E" never becomes "APT E" or "APT 348".

    Variants may change the designator (APT, Apt., #, Unit, Apartment) and the case, or drop
    the unit (trait unit_dropped), but the unit's number and letter are its identity.
    """
    vocab = load_vocab()
    rng = np.random.default_rng(3)
    book = make_addresses(rng, vocab.places, rng.integers(0, len(vocab.places.p_other), 30_000))
    ids = np.flatnonzero(book.unit_type >= 0)
    letters = " ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    designators = {form.strip().upper() for _, _, forms in UNIT_TYPES for form in forms}
    number, letter = book.unit_number[ids], book.unit_letter[ids]
    assert ((number > 0) & (letter > 0)).sum() > 100  # "348E"
    assert ((number == 0) & (letter > 0)).sum() > 30  # "E" alone is its own kind of door
    assert ((number > 0) | (letter > 0)).all()
    for _ in range(3):
        codes = draw_address_codes(rng, len(ids), profile)
        street = render_address(vocab.places, book, ids, codes)[0].to_pylist()
        for line, num, let, dropped in zip(street, number, letter, codes.unit_drop, strict=True):
            tokens = line.upper().replace("#", "# ").replace(",", " ").split()
            if dropped:
                assert not designators & set(tokens), line
            else:
                assert tokens[-2] in designators, line
                assert tokens[-1] == f"{num or ''}{letters[let].strip()}", line


def test_typos_spare_unit_designators() -> None:
    rng = np.random.default_rng(2)
    for text in ("12 Oak St Apartment 4", "12 Oak St Unit 4", "12 Oak St Suite 4"):
        for _ in range(30):
            out = typo_text(rng, text, ADDRESS_KEYWORDS)
            assert out.split()[-2:] == text.split()[-2:]
