"""The flow of a batch: submit -> run -> approve -> release. The one place that commits.

The edges (CLI, API, pages) call these functions and nothing else; every step and every
refusal is an audit event in the ledger, and every disclosed record an accounting entry.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from crossverify.chunked import Progress, match_in_chunks
from crossverify.config import Settings
from crossverify.disclose.package import Package, write_package
from crossverify.disclose.signing import system_signing_key
from crossverify.errors import (
    CrossverifyError,
    ExpectedWrongTooHigh,
    HoldActive,
    PermissionDenied,
    StateError,
)
from crossverify.intake.batch import intake_batch
from crossverify.ledger import record as ledger
from crossverify.ledger.record import NewEntry
from crossverify.link.backend import link_engine, make_duckdb
from crossverify.link.compiled import open_link
from crossverify.matching import MatchContext, current_model_path
from crossverify.policy import Policy, load_policy
from crossverify.store import repos
from crossverify.store.engine import write_connection
from crossverify.store.tables import (
    REJECTED,
    Batch,
    BatchStatus,
    LegalHold,
    RecordReview,
    Role,
    User,
)
from crossverify.types import DISCLOSED_OUTCOMES

ACCEPTED_FILE = "accepted.parquet"
CHUNKS_DIR = "chunks"  # under the batch folder while a run is under way
STAGE_SECONDS_FILE = "seconds.json"  # per-stage timings; the package manifest carries them
PACKAGE_KEY_FILE = "package_ed25519.pem"  # under data_dir/keys; created on first release
WITHHELD_OUTCOME = "N2"  # a disclosure refused on review leaves as insufficient evidence
SCOPE_LOWERED = "scope_lowered"  # the reason of the refusals `lower_scope` records


@dataclass(frozen=True)
class DisclosureRisk:
    """Expected wrong matches over the disclosures that remain, against the policy's cap."""

    disclosures: int
    expected_wrong_matches: float
    per_10k: float
    cap_per_10k: float

    @property
    def within_cap(self) -> bool:
        return self.per_10k <= self.cap_per_10k

    def as_dict(self) -> dict[str, Any]:
        return {
            "disclosures": self.disclosures,
            "expected_wrong_matches": self.expected_wrong_matches,
            "expected_wrong_per_10k": self.per_10k,
            "max_expected_wrong_per_10k": self.cap_per_10k,
        }


@dataclass(frozen=True)
class ScopeResult:
    """What `lower_scope` withheld and the batch's risk afterwards."""

    batch_id: str
    min_confidence: float
    withheld: int
    risk: DisclosureRisk


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    status: str
    rows_read: int
    counts: dict[str, int]
    expected_wrong_matches: float | None
    risk: DisclosureRisk | None = None


def refuse_with_audit(
    session: Session,
    error: CrossverifyError,
    *,
    username: str,
    detail: dict[str, Any],
    batch_id: str | None = None,
) -> NoReturn:
    """Record the refusal as an audit event in its own commit, then raise `error`."""
    ledger.record_event(
        session=session,
        action="refusal",
        actor=username,
        batch_id=batch_id,
        success=False,
        detail=detail,
    )
    session.commit()
    raise error


def user_with_role(session: Session, username: str, *roles: Role) -> User:
    user = repos.get_user_by_name(session=session, username=username)
    if not user.active or user.role not in roles:
        refuse_with_audit(
            session,
            PermissionDenied(
                f"user {username} ({user.role}) may not do this; it needs the role "
                + " or ".join(r.value for r in roles)
            ),
            username=username,
            detail={"reason": "role", "role": user.role, "needed": [r.value for r in roles]},
        )
    return user


def _officer_not_submitter(
    session: Session, batch_id: str, username: str, step: str, verb: str
) -> tuple[User, Batch]:
    """An active officer and the batch, refused (separation of duties) if they submitted it."""
    officer = user_with_role(session, username, Role.OFFICER)
    batch = repos.get_batch(session=session, batch_id=batch_id)
    if batch.submitted_by == officer.id:
        refuse_with_audit(
            session,
            PermissionDenied(f"{username} submitted batch {batch_id} and may not {verb} it"),
            username=username,
            batch_id=batch_id,
            detail={"step": step, "reason": "separation_of_duties"},
        )
    return officer, batch


def _batch_dir(settings: Settings, batch_id: str) -> Path:
    return settings.batches_dir / batch_id


def submit_batch(
    *,
    session: Session,
    settings: Settings,
    policy: Policy,
    request_file: Path,
    manifest_file: Path,
    username: str,
    today: date | None = None,
) -> BatchSummary:
    """Verify and validate a batch; store it with its rejected rows. A bad signature refuses it."""
    user = user_with_role(session, username, Role.REQUESTER)
    started = time.perf_counter()
    try:
        intake = intake_batch(
            request_file=request_file,
            manifest_file=manifest_file,
            policy=policy,
            today=today or datetime.now(UTC).date(),
        )
        if intake.signer.agency != user.agency:
            raise PermissionDenied(
                f"user {username} submits for {user.agency}, but the batch is signed for "
                f"{intake.signer.agency}"
            )
    except CrossverifyError as exc:
        session.rollback()
        refuse_with_audit(
            session,
            exc,
            username=username,
            detail={"step": "submit", "file": request_file.name, "reason": exc.message},
        )
    batch_id = repos.new_batch_id()
    folder = _batch_dir(settings, batch_id)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(request_file, folder / request_file.name)
    shutil.copyfile(manifest_file, folder / "request.manifest.json")
    pq.write_table(intake.accepted, folder / ACCEPTED_FILE)
    _write_stage_seconds(folder, {"intake": round(time.perf_counter() - started, 2)})
    repos.create_batch(
        session=session,
        batch_id=batch_id,
        agency=intake.signer.agency,
        official_name=intake.signer.name,
        official_title=intake.signer.title,
        signer_public_key=intake.signer.public_key,
        certification=str(intake.manifest["certification"]),
        submitted_by=user.id,
        request_file=str(folder / request_file.name),
        request_sha256=str(intake.manifest["request_sha256"]),
        manifest=json.dumps(intake.manifest, sort_keys=True),
        policy_id=policy.policy_id,
    )
    rejected = intake.rejected.to_pylist()
    repos.save_outcomes(
        session=session,
        batch_id=batch_id,
        outcomes=[
            {
                "row_number": r["row_number"],
                "request_id": _rejected_id(r),
                "outcome": REJECTED,
                "reasons": r["reasons"],
                "detail": r["detail"],
            }
            for r in rejected
        ],
    )
    counts = dict(Counter(code for r in rejected for code in str(r["reasons"]).split(";")))
    counts["accepted"] = intake.accepted.num_rows
    if intake.tins_dropped:
        counts["tin_dropped"] = intake.tins_dropped
    counts["rejected"] = len(rejected)
    repos.set_batch_status(
        session=session,
        batch_id=batch_id,
        expected=BatchStatus.SUBMITTED,
        status=BatchStatus.SUBMITTED,
        rows_read=intake.read.rows_read,
        counts=counts,
    )
    ledger.record_event(
        session=session,
        action="submit",
        actor=username,
        batch_id=batch_id,
        detail={
            "rows_read": intake.read.rows_read,
            "rejected": len(rejected),
            "warnings": list(intake.read.warnings),
            "policy_id": policy.policy_id,
        },
    )
    session.commit()
    return BatchSummary(batch_id, BatchStatus.SUBMITTED.value, intake.read.rows_read, counts, None)


def _rejected_id(row: dict[str, Any]) -> str:
    """Rejected rows are named by request_id, or `row:N` where it is missing or a duplicate."""
    request_id = row.get("request_id")
    if not request_id or "R07" in str(row["reasons"]).split(";"):
        return f"row:{row['row_number']}"
    return str(request_id)


def run_batch(
    *,
    session: Session,
    settings: Settings,
    policy: Policy,
    batch_id: str,
    actor: str = "system",
    progress: Progress | None = None,
) -> BatchSummary:
    """Match every accepted row and store one outcome per row; a rerun after a crash is safe.

    Matching goes in chunks kept on disk (`crossverify.chunked`), so a rerun resumes at the
    first unfinished chunk; outcomes, status and the `run` event are one commit at the end.
    """
    batch = repos.set_batch_status(
        session=session,
        batch_id=batch_id,
        expected=(BatchStatus.SUBMITTED, BatchStatus.RUNNING),
        status=BatchStatus.RUNNING,
    )
    session.commit()
    folder = _batch_dir(settings, batch_id)
    accepted = pq.read_table(folder / ACCEPTED_FILE)
    accepted = accepted.append_column("request_row", accepted["row_number"])
    con = make_duckdb(settings)
    try:
        with link_engine(settings) as spark:  # one Spark session (engine = "spark") for all chunks
            model_path = current_model_path(settings.models_dir)
            ctx = MatchContext(
                master_dir=settings.master_dir,
                model_path=model_path,
                spark=spark,
                link=None if spark is not None else open_link(con, settings.master_dir, model_path),
            )
            result = match_in_chunks(
                con=con,
                accepted=accepted,
                ctx=ctx,
                policy=policy,
                work_dir=folder / CHUNKS_DIR,
                chunk_rows=settings.run_chunk_rows,
                progress=progress,
            )
    finally:
        con.close()
    started = time.perf_counter()
    ids = dict(
        zip(accepted["row_number"].to_pylist(), accepted["request_id"].to_pylist(), strict=True)
    )
    outcomes = result.outcomes.to_pylist()
    repos.save_outcomes(
        session=session,
        batch_id=batch_id,
        outcomes=[
            {
                "row_number": o["request_row"],
                "request_id": ids[o["request_row"]],
                "outcome": o["outcome"],
                "reasons": o["sub_reason"],
                "tin": o["tin"],
                "confidence": o["confidence"],
                "tax_year": o["tax_year"],
                "street": o["street"],
                "city": o["city"],
                "state": o["state"],
                "zip": o["zip"],
                "source": o["source"],
                "explanation": {"candidates": json.loads(o["explanation"])},
            }
            for o in outcomes
        ],
    )
    counts = dict(batch.counts or {})
    counts.update(Counter(o["outcome"] for o in outcomes))
    batch = repos.set_batch_status(
        session=session,
        batch_id=batch_id,
        expected=BatchStatus.RUNNING,
        status=BatchStatus.DECIDED,
        model_id=result.model_id,
        policy_id=policy.policy_id,
        counts=counts,
        expected_wrong_matches=round(result.expected_wrong_matches, 3),
    )
    seconds = {
        **_stage_seconds(folder),
        **{k: round(v, 2) for k, v in result.timings.items()},
        "store": round(time.perf_counter() - started, 2),
    }
    ledger.record_event(
        session=session,
        action="run",
        actor=actor,
        batch_id=batch_id,
        detail={
            "model_id": result.model_id,
            "counts": counts,
            "expected_wrong_matches": round(result.expected_wrong_matches, 3),
            "chunks": result.chunks,
            "chunks_reused": result.chunks_reused,
            "seconds": seconds,
        },
    )
    session.commit()
    _write_stage_seconds(folder, seconds)
    shutil.rmtree(folder / CHUNKS_DIR, ignore_errors=True)  # the outcomes are in the store now
    return summary(batch)


def _stage_seconds(folder: Path) -> dict[str, float]:
    """Seconds per stage so far (intake, standardize, link, decide, disclose, store)."""
    path = folder / STAGE_SECONDS_FILE
    return dict(json.loads(path.read_text())) if path.exists() else {}


def _write_stage_seconds(folder: Path, seconds: dict[str, float]) -> None:
    (folder / STAGE_SECONDS_FILE).write_text(json.dumps(seconds, sort_keys=True) + "\n")


def summary(batch: Any) -> BatchSummary:
    return BatchSummary(
        batch.id,
        batch.status,
        batch.rows_read or 0,
        dict(batch.counts or {}),
        batch.expected_wrong_matches,
    )


def approve_batch(
    *,
    session: Session,
    batch_id: str,
    username: str,
    settings: Settings | None = None,
    policy: Policy | None = None,
) -> BatchSummary:
    """Approve a decided batch; the approving officer may not be the one who submitted it.

    The summary shown (and recorded) includes the expected wrong matches per 10,000
    disclosures and the policy's cap; a batch over the cap may be approved, but its release
    is refused until an officer lowers its scope (`lower_scope`).
    """
    officer, batch = _officer_not_submitter(session, batch_id, username, "approve", "approve")
    risk = _risk(session, batch, policy_in_force(settings, policy))
    seen = {
        "counts": batch.counts,
        "expected_wrong_matches": batch.expected_wrong_matches,
        "model_id": batch.model_id,
        "policy_id": batch.policy_id,
        **risk.as_dict(),
    }
    batch = repos.set_batch_status(
        session=session,
        batch_id=batch_id,
        expected=BatchStatus.DECIDED,
        status=BatchStatus.APPROVED,
    )
    repos.add_approval(session=session, batch_id=batch_id, officer_id=officer.id, summary=seen)
    ledger.record_event(
        session=session, action="approve", actor=username, batch_id=batch_id, detail=seen
    )
    session.commit()
    return replace(summary(batch), risk=risk)


def release_batch(
    *,
    session: Session,
    settings: Settings,
    batch_id: str,
    username: str,
    policy: Policy | None = None,
) -> Package:
    """Write the response package and account for every disclosed record, in one transaction.

    A legal hold covering the batch refuses the release, even for a batch approved before the
    hold; the check is repeated under the ledger lock so a hold placed meanwhile still wins.
    Records refused on review leave as unmatched N2 and are not accounted as disclosures.
    When the expected wrong matches per 10,000 disclosures exceed the policy's
    `max_expected_wrong_per_10k`, the release is refused (`ExpectedWrongTooHigh`).
    `policy` defaults to the settings' policy file (the built-in defaults if there is none).
    """
    policy = policy_in_force(settings, policy)
    write_connection(session=session)  # SQLite: the whole release is one writer (no upgrade)
    user_with_role(session, username, Role.OFFICER)
    _refuse_if_held(
        session, repos.get_batch(session=session, batch_id=batch_id), username, "release"
    )
    batch = repos.set_batch_status(
        session=session,
        batch_id=batch_id,
        expected=BatchStatus.APPROVED,
        status=BatchStatus.RELEASED,
    )
    refused = repos.refused_request_ids(session=session, batch_id=batch_id)
    rows = [
        _withheld(r) if r["outcome"] in DISCLOSED_OUTCOMES and r["request_id"] in refused else r
        for r in repos.iter_outcome_rows(session=session, batch_id=batch_id)
    ]
    withheld = sum(1 for r in rows if r.get("withheld"))
    approvals = repos.approvals_for_batch(session=session, batch_id=batch_id)
    approvers = [repos.get_user(session=session, user_id=a.officer_id).username for a in approvals]
    released_at = datetime.now(UTC).isoformat(timespec="seconds")
    matched = [r for r in rows if r["outcome"] in DISCLOSED_OUTCOMES]
    risk = _risk_of(batch, len(matched), policy)
    if not risk.within_cap:
        session.rollback()
        refuse_with_audit(
            session,
            ExpectedWrongTooHigh(
                f"batch {batch_id}: {risk.per_10k:.1f} expected wrong matches per 10,000 "
                f"disclosures ({risk.expected_wrong_matches:g} over {risk.disclosures}) exceed "
                f"the policy's cap of {risk.cap_per_10k:g}; an officer must lower the batch's "
                "scope (review lower-scope) before it can be released",
                batch_id=batch_id,
            ),
            username=username,
            batch_id=batch_id,
            detail={"step": "release", "reason": "expected_wrong_cap", **risk.as_dict()},
        )
    authority = _authority(settings, batch_id, {r["row_number"] for r in matched})
    package = write_package(
        out_dir=settings.data_dir / "packages" / batch_id,
        rows_read=batch.rows_read or 0,
        matched=[
            (
                r["request_id"],
                r["outcome"],
                r["street"],
                r["city"],
                r["state"],
                r["zip"],
                r["tax_year"],
                r["confidence"],
            )
            for r in matched
        ],
        rejected=[
            (r["request_id"], r["reasons"], r["detail"]) for r in rows if r["outcome"] == REJECTED
        ],
        unmatched=[
            (r["request_id"], r["outcome"])
            for r in rows
            if r["outcome"] != REJECTED and r["outcome"] not in DISCLOSED_OUTCOMES
        ],
        manifest_fields={
            "batch_id": batch_id,
            "agency": batch.agency,
            "official": {"name": batch.official_name, "title": batch.official_title},
            "model_id": batch.model_id,
            "policy_id": batch.policy_id,
            "expected_wrong_matches": batch.expected_wrong_matches,
            "expected_wrong_per_10k": risk.per_10k,
            "withheld_on_review": withheld,
            "approvals": approvers,
            "released_at": released_at,
            "authority_cited": sorted(set(authority.values())),
            "seconds_per_stage": _stage_seconds(_batch_dir(settings, batch_id)),
        },
        signing_key=system_signing_key(settings.data_dir / "keys" / PACKAGE_KEY_FILE),
    )
    ledger.append_many(
        session=session,
        entry_type="disclosure",
        actor=username,
        batch_id=batch_id,
        entries=[
            NewEntry(
                request_id=str(r["request_id"]),
                body={
                    "batch_id": batch_id,
                    "request_id": r["request_id"],
                    "tin": r["tin"],
                    "outcome": r["outcome"],
                    "disclosed": {k: r[k] for k in ("street", "city", "state", "zip")},
                    "tax_year": r["tax_year"],
                    "source": r["source"],
                    "confidence": r["confidence"],
                    "authority": authority.get(r["row_number"]),
                    "agency": batch.agency,
                    "official": batch.official_name,
                    "approved_by": approvers,
                    "model_id": batch.model_id,
                    "policy_id": batch.policy_id,
                },
            )
            for r in matched
        ],
    )
    _refuse_if_held(session, batch, username, "release")  # append_many holds the ledger lock
    repos.set_batch_status(
        session=session,
        batch_id=batch_id,
        expected=BatchStatus.RELEASED,
        status=BatchStatus.RELEASED,
        package_path=str(package.zip_path),
        package_sha256=package.zip_sha256,
    )
    ledger.record_event(
        session=session,
        action="release",
        actor=username,
        batch_id=batch_id,
        detail={
            "package_sha256": package.zip_sha256,
            "disclosed": len(matched),
            "withheld_on_review": withheld,
        },
    )
    session.commit()
    return package


def download_package(*, session: Session, batch_id: str, username: str) -> Path:
    """The released package's zip, for an officer or a requester of the batch's own agency.

    Refused (and recorded) before release, under a legal hold, or for another agency's batch.
    """
    user = user_with_role(session, username, Role.REQUESTER, Role.OFFICER)
    batch = repos.get_batch(session=session, batch_id=batch_id)
    if user.role == Role.REQUESTER.value and user.agency != batch.agency:
        refuse_with_audit(
            session,
            PermissionDenied(f"batch {batch_id} belongs to another agency", batch_id=batch_id),
            username=username,
            batch_id=batch_id,
            detail={"step": "download", "reason": "other_agency"},
        )
    if batch.status != BatchStatus.RELEASED.value or batch.package_path is None:
        raise StateError(
            f"batch {batch_id} is {batch.status}: nothing to download until it is released",
            batch_id=batch_id,
        )
    _refuse_if_held(session, batch, username, "download")
    ledger.record_event(
        session=session,
        action="download",
        actor=username,
        batch_id=batch_id,
        detail={"package_sha256": batch.package_sha256},
    )
    session.commit()
    return Path(batch.package_path)


def _refuse_if_held(session: Session, batch: Batch, username: str, step: str) -> None:
    """Raise `HoldActive` (after recording the refusal) when an active hold covers the batch."""
    holds = repos.holds_covering(session=session, agency=batch.agency)
    if not holds:
        return
    batch_id = batch.id
    references = [h.reference for h in holds]
    hold_ids = tuple(h.id for h in holds)
    session.rollback()
    refuse_with_audit(
        session,
        HoldActive(
            f"batch {batch_id} is under legal hold ({'; '.join(references)}); "
            f"{step} is refused until an admin lifts the hold",
            batch_id=batch_id,
            hold_ids=hold_ids,
        ),
        username=username,
        batch_id=batch_id,
        detail={"step": step, "reason": "legal_hold", "holds": list(hold_ids)},
    )


def place_hold(
    *,
    session: Session,
    username: str,
    court: str,
    case_number: str,
    reason: str,
    agency: str | None = None,
) -> LegalHold:
    """Place a legal hold (admin only) on every batch, or on one requesting agency's batches."""
    admin = user_with_role(session, username, Role.ADMIN)
    hold = repos.add_hold(
        session=session,
        court=court,
        case_number=case_number,
        reason=reason,
        agency=agency,
        placed_by=admin.id,
    )
    ledger.record_event(
        session=session,
        action="hold_place",
        actor=username,
        detail={
            "hold_id": hold.id,
            "court": hold.court,
            "case_number": hold.case_number,
            "scope": agency or "all",
            "reason": hold.reason,
        },
    )
    session.commit()
    return hold


def lift_hold(*, session: Session, username: str, hold_id: int) -> LegalHold:
    """Lift an active legal hold (admin only); releases and downloads may resume."""
    admin = user_with_role(session, username, Role.ADMIN)
    hold = repos.lift_hold(session=session, hold_id=hold_id, lifted_by=admin.id)
    ledger.record_event(
        session=session,
        action="hold_lift",
        actor=username,
        detail={"hold_id": hold.id, "court": hold.court, "case_number": hold.case_number},
    )
    session.commit()
    return hold


def _authority(settings: Settings, batch_id: str, rows: set[int]) -> dict[int, str]:
    accepted = pq.read_table(
        _batch_dir(settings, batch_id) / ACCEPTED_FILE, columns=["row_number", "criminal_statute"]
    )
    keep = accepted.filter(pc.is_in(accepted["row_number"], pa.array(sorted(rows), pa.int64())))
    return dict(
        zip(keep["row_number"].to_pylist(), keep["criminal_statute"].to_pylist(), strict=True)
    )


# Expected-wrong cap and per-record review (before release)


def policy_in_force(settings: Settings | None, policy: Policy | None) -> Policy:
    """The policy given, else the settings' policy file, else the built-in defaults."""
    if policy is not None:
        return policy
    if settings is not None and settings.policy_file.is_file():
        return load_policy(settings.policy_file)
    return Policy()


def _risk_of(batch: Batch, disclosures: int, policy: Policy) -> DisclosureRisk:
    expected = float(batch.expected_wrong_matches or 0.0)
    per_10k = round(expected / disclosures * 10_000, 3) if disclosures else 0.0
    return DisclosureRisk(disclosures, expected, per_10k, policy.max_expected_wrong_per_10k)


def _remaining(session: Session, batch_id: str) -> list[tuple[str, float | None]]:
    """(request_id, confidence) of the disclosures no review refused."""
    refused = repos.refused_request_ids(session=session, batch_id=batch_id)
    records = repos.outcome_confidences(
        session=session, batch_id=batch_id, outcomes=DISCLOSED_OUTCOMES
    )
    return [(rid, conf) for rid, conf in records if rid not in refused]


def _risk(session: Session, batch: Batch, policy: Policy) -> DisclosureRisk:
    return _risk_of(batch, len(_remaining(session, batch.id)), policy)


def _withheld(row: Any) -> dict[str, Any]:
    """A disclosure refused on review, as the package shows it: unmatched N2, no address."""
    return {**row, "outcome": WITHHELD_OUTCOME, "withheld": True}


def _reviewing_officer(session: Session, batch_id: str, username: str, step: str) -> User:
    """An active officer who did not submit the batch, the batch not yet released.

    Moves the batch to its own status (compare-and-set), so a release running meanwhile
    either sees this review or makes it fail with `StateError`.
    """
    write_connection(session=session)
    officer, batch = _officer_not_submitter(session, batch_id, username, step, "review")
    status = BatchStatus(batch.status)
    if status not in (BatchStatus.DECIDED, BatchStatus.APPROVED):
        raise StateError(
            f"batch {batch_id} is {batch.status}: records are reviewed only after the run "
            "and before release",
            batch_id=batch_id,
        )
    repos.set_batch_status(
        session=session, batch_id=batch_id, expected=status, status=status, at=batch.approved_at
    )
    return officer


def _recompute_expected_wrong(session: Session, batch_id: str) -> float:
    """Expected wrong matches over the disclosures that remain (a missing confidence counts 1)."""
    expected = round(
        sum(1.0 - conf if conf is not None else 1.0 for _, conf in _remaining(session, batch_id)),
        6,
    )
    batch = repos.get_batch(session=session, batch_id=batch_id)
    status = BatchStatus(batch.status)
    repos.set_batch_status(
        session=session,
        batch_id=batch_id,
        expected=status,
        status=status,
        at=batch.approved_at,
        expected_wrong_matches=max(expected, 0.0),
    )
    return expected


def review_record(
    *,
    session: Session,
    batch_id: str,
    request_id: str,
    decision: str,
    reason: str = "",
    username: str,
) -> RecordReview:
    """An officer (not the submitter) confirms or refuses one disclosed record before release.

    A refused record is not disclosed: it leaves as unmatched N2 and gets no ledger
    disclosure entry. The newest decision on a record is the one in force; the batch's
    expected wrong matches are recomputed over what remains. Each decision is an audit event.
    """
    if decision not in ("confirm", "refuse"):
        raise StateError(f"a review decision is confirm or refuse, not {decision!r}")
    officer = _reviewing_officer(session, batch_id, username, "review")
    record = repos.outcome_for_request(session=session, batch_id=batch_id, request_id=request_id)
    if record.outcome not in DISCLOSED_OUTCOMES:
        raise StateError(
            f"record {request_id} of batch {batch_id} is {record.outcome}: only records to be "
            f"disclosed ({', '.join(DISCLOSED_OUTCOMES)}) are reviewed",
            batch_id=batch_id,
        )
    [review] = repos.add_reviews(
        session=session,
        batch_id=batch_id,
        request_ids=[request_id],
        decision=decision,
        reason=reason.strip(),
        officer_id=officer.id,
    )
    expected = _recompute_expected_wrong(session, batch_id)
    ledger.record_event(
        session=session,
        action="review",
        actor=username,
        batch_id=batch_id,
        detail={
            "request_id": request_id,
            "decision": decision,
            "reason": review.reason,
            "outcome": record.outcome,
            "expected_wrong_matches": expected,
        },
    )
    session.commit()
    return review


def lower_scope(
    *,
    session: Session,
    batch_id: str,
    min_confidence: float,
    username: str,
    settings: Settings | None = None,
    policy: Policy | None = None,
) -> ScopeResult:
    """Withhold the batch's disclosures below `min_confidence` (officer, before release).

    Each withheld record gets a review decision `refuse` with reason `scope_lowered` (it
    leaves as N2); the expected wrong matches are recomputed over what remains. An audit event.
    """
    if not 0.0 < min_confidence <= 1.0:
        raise StateError(f"min_confidence must be in (0, 1], not {min_confidence}")
    officer = _reviewing_officer(session, batch_id, username, "lower_scope")
    before = repos.get_batch(session=session, batch_id=batch_id).expected_wrong_matches
    below = [
        rid for rid, conf in _remaining(session, batch_id) if conf is None or conf < min_confidence
    ]
    repos.add_reviews(
        session=session,
        batch_id=batch_id,
        request_ids=below,
        decision="refuse",
        reason=SCOPE_LOWERED,
        officer_id=officer.id,
    )
    _recompute_expected_wrong(session, batch_id)
    risk = _risk(
        session,
        repos.get_batch(session=session, batch_id=batch_id),
        policy_in_force(settings, policy),
    )
    ledger.record_event(
        session=session,
        action="lower_scope",
        actor=username,
        batch_id=batch_id,
        detail={
            "min_confidence": min_confidence,
            "withheld": len(below),
            "expected_wrong_matches_before": before,
            **risk.as_dict(),
        },
    )
    session.commit()
    return ScopeResult(batch_id, min_confidence, len(below), risk)


def lower_scope_to_cap(
    *,
    session: Session,
    batch_id: str,
    username: str,
    settings: Settings | None = None,
    policy: Policy | None = None,
) -> ScopeResult | None:
    """`lower_scope` at the widest scope within the policy's cap; None when already within."""
    floor = scope_within_cap(session=session, batch_id=batch_id, settings=settings, policy=policy)
    if floor is None:
        return None
    return lower_scope(
        session=session,
        batch_id=batch_id,
        min_confidence=floor,
        username=username,
        settings=settings,
        policy=policy,
    )


def scope_within_cap(
    *,
    session: Session,
    batch_id: str,
    settings: Settings | None = None,
    policy: Policy | None = None,
) -> float | None:
    """The lowest `min_confidence` for `lower_scope` that brings the batch within the cap.

    None when nothing needs withholding (or no disclosure remains). Keeping the most confident
    disclosures first, the average expected wrong only grows, so the longest prefix within the
    cap is the widest scope allowed.
    """
    cap = policy_in_force(settings, policy).max_expected_wrong_per_10k
    confidences = sorted(
        (conf for _, conf in _remaining(session, batch_id) if conf is not None), reverse=True
    )
    remaining = len(_remaining(session, batch_id))
    wrong, kept, best = 0.0, 0, 1.0
    for index, conf in enumerate(confidences):
        wrong += 1.0 - conf
        if round(wrong / (index + 1) * 10_000, 3) > cap:  # rounded as `_risk_of` does
            break
        kept, best = index + 1, conf
    if kept == remaining:
        return None
    if kept and kept < len(confidences) and confidences[kept] == best:
        best = math.nextafter(best, 2.0)  # a tie across the line: keep none of the tied ones
    return best


# Retention


@dataclass(frozen=True)
class Purged:
    """One released batch whose request and intermediate files were removed."""

    batch_id: str
    released_at: datetime
    files: tuple[str, ...]


def purge_batches(
    *,
    session: Session,
    settings: Settings,
    older_than_days: int,
    username: str,
    now: datetime | None = None,
) -> list[Purged]:
    """Remove the request and intermediate files of batches released more than N days ago.

    Admin only. Only the batch directory under `data_dir/batches` goes (request file, request
    manifest, accepted rows); the store, the ledger and the response package stay. One `purge`
    audit event per batch purged; a batch already purged is skipped, so a rerun does nothing.
    """
    if older_than_days < 0:
        raise StateError(f"--older-than must be 0 days or more, not {older_than_days}")
    user_with_role(session, username, Role.ADMIN)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    purged: list[Purged] = []
    for batch in repos.released_before(session=session, cutoff=cutoff):
        folder = _batch_dir(settings, batch.id)
        if not folder.is_dir():
            continue
        files = tuple(sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()))
        shutil.rmtree(folder)
        assert batch.released_at is not None
        ledger.record_event(
            session=session,
            action="purge",
            actor=username,
            batch_id=batch.id,
            detail={
                "older_than_days": older_than_days,
                "released_at": batch.released_at.isoformat(timespec="seconds"),
                "files": list(files),
            },
        )
        session.commit()  # one batch at a time: an event for every directory removed
        purged.append(Purged(batch.id, batch.released_at, files))
    return purged
