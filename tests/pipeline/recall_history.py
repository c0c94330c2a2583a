"""A history of released batches for the recall and report tests, without linkage.

Batches go through the real `submit_batch` (signed manifest, intake, `submit` event),
`approve_batch` and `release_batch`; only the run is stood in for: outcomes are assigned in a
fixed cycle and recorded with a `run` event as `run_batch` records it. The taxpayer names,
TINs and streets used are returned so tests can check that no output carries them.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from crossverify.config import Settings
from crossverify.intake.manifest import KeyPair, new_keypair, sign_manifest, write_manifest
from crossverify.ledger import record as ledger
from crossverify.pipeline import (
    ACCEPTED_FILE,
    approve_batch,
    lower_scope_to_cap,
    release_batch,
    submit_batch,
)
from crossverify.policy import Policy, Signer, load_policy, policy_toml
from crossverify.store import repos
from crossverify.store.tables import BatchStatus
from crossverify.types import REQUEST_COLUMNS

ICE = "ICE ERO"
HSI = "HSI"
OFFICIALS = {ICE: ("Jane Roe", "Field Office Director"), HSI: ("John Doe", "Special Agent")}
REQUESTERS = {ICE: "rita", HSI: "hsi"}
OUTCOME_CYCLE = ("M1", "M2", "M1", "N1", "M3", "N3", "M1", "N4")
TODAY = date(2025, 6, 1)
USERS = (
    ("rita", "requester", ICE),
    ("hsi", "requester", HSI),
    ("olga", "officer", None),
    ("otto", "officer", None),
    ("ada", "admin", None),
    ("aude", "auditor", None),
)


@dataclass
class History:
    """What the generated history holds, for checking outputs."""

    settings: Settings
    policy: Policy
    keys: dict[str, KeyPair]
    batches: list[str] = field(default_factory=list)
    tins: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    streets: set[str] = field(default_factory=set)


def make_history(
    session: Session, settings: Settings, tmp: Path, *, write_policy: bool = True
) -> History:
    """Users of every role and a policy whose signers are the two agencies' officials.

    `write_policy` writes it to `settings.policy_file` (False keeps a shared world's policy).
    """
    keys = {agency: new_keypair() for agency in OFFICIALS}
    policy = Policy(
        policy_id="test-policy",
        signers=tuple(
            Signer(name=name, title=title, agency=agency, public_key=keys[agency].public_key)
            for agency, (name, title) in OFFICIALS.items()
        ),
        permitted_statutes=("8 U.S.C. 1253", "8 U.S.C. 1326"),
        max_expected_wrong_per_10k=10_000.0,
    )
    if write_policy:
        settings.policy_file.parent.mkdir(parents=True, exist_ok=True)
        settings.policy_file.write_text(policy_toml(policy), encoding="utf-8")
        policy = load_policy(settings.policy_file)
    existing = {u.username for u in repos.list_users(session=session)}
    for username, role, agency in USERS:
        if username not in existing:  # a shared world may hold them already
            repos.add_user(session=session, username=username, role=role, agency=agency)
    session.commit()
    tmp.mkdir(parents=True, exist_ok=True)
    return History(settings=settings, policy=policy, keys=keys)


def released_batch(
    session: Session,
    history: History,
    *,
    agency: str = ICE,
    rows: int = 8,
    rejected: int = 1,
    statutes: tuple[str, ...] = ("8 U.S.C. 1326", "8 U.S.C. 1253(a)(1)"),
    release: bool = True,
) -> str:
    """Submit, decide (stand-in run), approve and release a batch; return its id."""
    number = len(history.batches) + 1
    folder = history.settings.data_dir.parent / "requests" / f"b{number}"
    folder.mkdir(parents=True, exist_ok=True)
    request_file = folder / "requests.csv"
    with request_file.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(REQUEST_COLUMNS))
        writer.writeheader()
        for i in range(1, rows + rejected + 1):
            first, last = (
                f"Alma{_letters(number)}q{_letters(i)}",
                f"Zorn{_letters(number)}q{_letters(i)}",
            )
            street = f"{100 * number + i} Recallwood Ave"
            history.names.update({first, last})
            history.streets.add(street.upper())
            writer.writerow(
                {
                    "request_id": f"Q{number}-{i}",
                    "first_name": first,
                    "middle_name": "",
                    "last_name": last if i <= rows else "",  # the last rows: R01
                    "suffix": "",
                    "dob": "",
                    "tin": "",
                    "street": street,
                    "city": "Austin",
                    "state": "TX",
                    "zip": "78701",
                    "removal_order_date": "2020-05-01",
                    "removal_order_ref": f"A0{number:02d}{i:05d}",
                    "criminal_statute": statutes[i % len(statutes)],
                    "tax_period_start": "2021",
                    "tax_period_end": "2023",
                }
            )
    name, title = OFFICIALS[agency]
    manifest_file = folder / "requests.manifest.json"
    write_manifest(
        sign_manifest(
            request_file=request_file,
            agency=agency,
            official_name=name,
            official_title=title,
            certification="I certify each person is under a final order of removal.",
            private_pem=history.keys[agency].private_pem,
        ),
        manifest_file,
    )
    submitted = submit_batch(
        session=session,
        settings=history.settings,
        policy=history.policy,
        request_file=request_file,
        manifest_file=manifest_file,
        username=REQUESTERS[agency],
        today=TODAY,
    )
    batch_id = submitted.batch_id
    _stand_in_run(session, history, batch_id, number)
    history.batches.append(batch_id)
    if release:
        approve_batch(session=session, batch_id=batch_id, username="olga", policy=history.policy)
        lower_scope_to_cap(
            session=session, batch_id=batch_id, username="olga", policy=history.policy
        )
        release_batch(
            session=session,
            settings=history.settings,
            batch_id=batch_id,
            username="otto",
            policy=history.policy,
        )
    return batch_id


def _letters(number: int) -> str:
    """A number spelled in letters (names with digits are rejected as R01)."""
    return "".join("abcdefghij"[int(d)] for d in str(number))


def _stand_in_run(session: Session, history: History, batch_id: str, number: int) -> None:
    """Decide every accepted row in a fixed outcome cycle, as `run_batch` would store it."""
    accepted = pq.read_table(history.settings.batches_dir / batch_id / ACCEPTED_FILE)
    outcomes = []
    for index, (row_number, request_id) in enumerate(
        zip(accepted["row_number"].to_pylist(), accepted["request_id"].to_pylist(), strict=True)
    ):
        outcome = OUTCOME_CYCLE[index % len(OUTCOME_CYCLE)]
        tin = f"9{number:02d}7{index:05d}"
        matched = outcome in ("M1", "M2", "M3")
        history.tins.add(tin)
        history.streets.add(f"{100 * number + index + 1} RECALLWOOD AVE")
        outcomes.append(
            {
                "row_number": row_number,
                "request_id": request_id,
                "outcome": outcome,
                "tin": tin if matched else None,
                "confidence": 0.99 - 0.01 * (index % 3) if matched else None,
                "tax_year": 2023 if matched else None,
                "street": f"{100 * number + index + 1} RECALLWOOD AVE" if outcome != "M3" else None,
                "city": "AUSTIN" if outcome != "M3" and matched else None,
                "state": "TX" if matched else None,
                "zip": "78701" if matched else None,
                "source": "form_1040" if matched else None,
            }
        )
    repos.save_outcomes(session=session, batch_id=batch_id, outcomes=outcomes)
    batch = repos.get_batch(session=session, batch_id=batch_id)
    counts = dict(batch.counts or {})
    counts.update(Counter(str(o["outcome"]) for o in outcomes))
    expected_wrong = round(
        sum(1 - float(o["confidence"]) for o in outcomes if o["confidence"] is not None), 3
    )
    repos.set_batch_status(
        session=session,
        batch_id=batch_id,
        expected=BatchStatus.SUBMITTED,
        status=BatchStatus.DECIDED,
        model_id="stand-in",
        counts=counts,
        expected_wrong_matches=expected_wrong,
    )
    ledger.record_event(
        session=session,
        action="run",
        actor="system",
        batch_id=batch_id,
        detail={"model_id": "stand-in", "counts": counts, "expected_wrong_matches": expected_wrong},
    )
    session.commit()
