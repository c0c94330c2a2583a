"""Decision rules on crafted candidate tables: the household cases that send wrong addresses."""

from __future__ import annotations

import pyarrow as pa
import pytest

from crossverify.decide.outcomes import Decision, DecisionRules, decide, expected_wrong_matches
from crossverify.link.model import ADDRESS_LEVELS, DOB_LEVELS, GIVEN_LEVELS, SURNAME_LEVELS

RULES = DecisionRules(
    threshold=0.999,
    margin_bits=8.0,
    prior_on_file=0.5,
    taxpayers_on_file=1_000_000,
    prior_match_weight=-20.0,
)
STRONG = 45.0  # bits above the model prior: name + address + dob agree
AGREE = {
    "gamma_given_name": GIVEN_LEVELS["exact"],
    "gamma_surname": SURNAME_LEVELS["exact"],
    "gamma_middle_initial": -1,
    "gamma_suffix": 2,  # both without Jr/Sr
    "gamma_dob": -1,
    "gamma_address": ADDRESS_LEVELS["exact"],
    "gamma_tin": -1,
}


def candidate(request_row: int, taxpayer: str, weight: float, **gammas: int) -> dict[str, object]:
    row: dict[str, object] = {"request_row": request_row, "tin": taxpayer, "match_weight": weight}
    row.update(AGREE)
    row.update({f"gamma_{k}": v for k, v in gammas.items()})
    row["address_tax_year"] = 2023
    row["surname_2_conflict"] = False
    return row


def run(*candidates: dict[str, object], rows: tuple[int, ...] = (1,)) -> list[dict[str, object]]:
    table = pa.Table.from_pylist(list(candidates))
    result: list[dict[str, object]] = decide(table, pa.array(rows, pa.int64()), RULES).to_pylist()
    return result


def test_single_strong_candidate_matches() -> None:
    [d] = run(candidate(1, "111", RULES.prior_match_weight + STRONG))
    assert d["decision"] == Decision.MATCH
    assert d["tin"] == "111"
    assert d["match_probability"] > 0.999
    # No date of birth on either side: the unseen-namesake risk (prior 1 in 100) is priced in.
    assert d["confidence"] == pytest.approx(d["match_probability"] * 0.99)


def test_columns_keep_their_types_when_nothing_has_a_runner_up() -> None:
    table = decide(
        pa.Table.from_pylist([candidate(1, "111", RULES.prior_match_weight + STRONG)]),
        pa.array([1, 2], pa.int64()),
        RULES,
    )
    assert table.schema.field("runner_up_tin").type == pa.string()
    assert table.schema.field("runner_up_weight").type == pa.float64()


def test_no_candidates_is_n1_and_every_row_is_decided() -> None:
    decided = run(candidate(1, "111", RULES.prior_match_weight + STRONG), rows=(1, 2, 3))
    assert [d["decision"] for d in decided] == ["match", "N1", "N1"]


def test_spouse_with_other_given_name_does_not_qualify() -> None:
    [d] = run(candidate(1, "222", -5.0, given_name=0))
    assert d["decision"] == Decision.NO_CANDIDATE
    assert d["tin"] is None


def test_jr_and_sr_both_on_file_without_discriminator_is_ambiguous() -> None:
    [d] = run(
        candidate(1, "sr", RULES.prior_match_weight + STRONG, suffix=1),
        candidate(1, "jr", RULES.prior_match_weight + STRONG - 1, suffix=1),
    )
    assert d["decision"] == Decision.AMBIGUOUS
    assert d["tin"] is None


def test_jr_on_one_side_only_without_dob_is_ambiguous() -> None:
    [d] = run(candidate(1, "father", RULES.prior_match_weight + STRONG, suffix=1))
    assert d["decision"] == Decision.AMBIGUOUS
    [d] = run(candidate(1, "son", RULES.prior_match_weight + STRONG, suffix=1, dob=4))
    assert d["decision"] == Decision.MATCH


def test_sisters_with_compound_given_names_do_not_qualify() -> None:
    weight = RULES.prior_match_weight + 30
    [d] = run(
        candidate(1, "elena", weight, given_name=GIVEN_LEVELS["first_token_conflict"]),
        candidate(1, "luisa", weight, given_name=GIVEN_LEVELS["first_token_conflict"]),
    )
    assert d["decision"] == Decision.NO_CANDIDATE


def test_changed_surname_needs_full_given_name_and_exact_dob() -> None:
    weight = RULES.prior_match_weight + STRONG
    [d] = run(candidate(1, "married", weight, surname=0, dob=DOB_LEVELS["exact"]))
    assert d["decision"] == Decision.MATCH
    [d] = run(candidate(1, "other", weight, surname=0))
    assert d["decision"] == Decision.NO_CANDIDATE
    [d] = run(candidate(1, "nick", weight, surname=0, given_name=3, dob=DOB_LEVELS["exact"]))
    assert d["decision"] == Decision.NO_CANDIDATE


def test_suffix_conflict_excludes_the_namesake() -> None:
    [d] = run(
        candidate(1, "sr", RULES.prior_match_weight + STRONG),
        candidate(1, "jr", RULES.prior_match_weight + 10, suffix=0),
    )
    assert d["decision"] == Decision.MATCH
    assert d["tin"] == "sr"


def test_twins_differ_by_given_name() -> None:
    [d] = run(
        candidate(1, "twin_a", RULES.prior_match_weight + STRONG, dob=DOB_LEVELS["exact"]),
        candidate(1, "twin_b", RULES.prior_match_weight + 12, given_name=0, dob=4),
    )
    assert d["decision"] == Decision.MATCH
    assert d["tin"] == "twin_a"


def test_twin_with_another_given_name_does_not_dilute_the_posterior() -> None:
    # Same surname, address and date of birth: the model weighs the twin nearly as high,
    # but with another given name he is not a reading of the request.
    weight = RULES.prior_match_weight + 30
    [d] = run(
        candidate(1, "twin_a", weight, dob=DOB_LEVELS["exact"]),
        candidate(1, "twin_b", weight - 1, given_name=GIVEN_LEVELS["else"], dob=4),
    )
    assert d["decision"] == Decision.MATCH
    assert d["tin"] == "twin_a"
    assert d["match_probability"] > 0.999


def test_brother_with_the_sisters_name_in_the_male_form_does_not_qualify() -> None:
    [d] = run(
        candidate(1, "juan", RULES.prior_match_weight + 30, given_name=GIVEN_LEVELS["other_sex"])
    )
    assert d["decision"] == Decision.NO_CANDIDATE


def test_name_and_tin_without_address_corroboration_never_match() -> None:
    [d] = run(
        candidate(1, "111", RULES.prior_match_weight + STRONG, address=ADDRESS_LEVELS["zip"], tin=1)
    )
    assert d["decision"] == Decision.INSUFFICIENT


def test_other_unit_in_the_same_building_does_not_corroborate() -> None:
    [d] = run(
        candidate(
            1,
            "111",
            RULES.prior_match_weight + STRONG,
            address=ADDRESS_LEVELS["house_street_unit_conflict"],
        )
    )
    assert d["decision"] == Decision.INSUFFICIENT


def test_dob_conflict_excludes() -> None:
    [d] = run(candidate(1, "111", RULES.prior_match_weight + STRONG, dob=DOB_LEVELS["year"]))
    assert d["decision"] == Decision.INSUFFICIENT


def test_runner_up_too_close_is_ambiguous() -> None:
    [d] = run(
        candidate(1, "111", RULES.prior_match_weight + STRONG),
        candidate(1, "222", RULES.prior_match_weight + STRONG - 3, address=1),
    )
    assert d["decision"] == Decision.AMBIGUOUS


def test_spouse_with_another_given_name_is_no_rival() -> None:
    [d] = run(
        candidate(1, "111", RULES.prior_match_weight + STRONG),
        candidate(1, "spouse", RULES.prior_match_weight + STRONG - 12, given_name=0),
    )
    assert d["decision"] == Decision.MATCH
    assert d["tin"] == "111"


@pytest.mark.parametrize("evidence", [20.0, 25.0])
def test_weak_evidence_stays_below_threshold(evidence: float) -> None:
    [d] = run(candidate(1, "111", RULES.prior_match_weight + evidence))
    assert d["decision"] == Decision.INSUFFICIENT


def test_namesake_risk_is_measured_on_requests_decided_as_if_without_their_dob() -> None:
    # 100 requests with a DOB that agrees; 10 whose only candidate, the same name at the
    # same address, has a DOB years apart (a father, a son); 5 with such a conflict but too
    # little else agreeing to clear the threshold, which no rule would disclose even without
    # their DOB; then one without a DOB.
    strong = RULES.prior_match_weight + STRONG
    agree = [candidate(r, f"t{r}", strong, dob=DOB_LEVELS["exact"]) for r in range(100)]
    other_person = [candidate(r, f"t{r}", strong, dob=DOB_LEVELS["else"]) for r in range(100, 110)]
    weak = RULES.prior_match_weight + 20
    elsewhere = [candidate(r, f"t{r}", weak, dob=DOB_LEVELS["else"]) for r in range(110, 115)]
    unseen = candidate(200, "t200", strong)
    decided = run(*agree, *other_person, *elsewhere, unseen, rows=(*range(115), 200))
    [d] = [row for row in decided if row["request_row"] == 200]
    assert d["decision"] == Decision.MATCH
    assert d["confidence"] == pytest.approx(d["match_probability"] * (1 - 11 / 210))


def test_expected_wrong_matches_sums_complements() -> None:
    assert expected_wrong_matches(pa.array([0.99, 0.999, None])) == pytest.approx(0.011)
