"""The flow of a batch: submit -> run -> approve -> release. The one place that commits.

The edges (CLI, API, pages) call these functions and nothing else; every step and every
refusal is an audit event in the ledger, and every disclosed record an accounting entry.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from crossverify.config import Settings
from crossverify.disclose.package import Package, write_package
from crossverify.errors import CrossverifyError, PermissionDenied
from crossverify.intake.batch import intake_batch
from crossverify.ledger import record as ledger
from crossverify.ledger.record import NewEntry
from crossverify.link.backend import make_duckdb
from crossverify.matching import MatchContext, current_model_path, match_requests
from crossverify.policy import Policy
from crossverify.store import repos
from crossverify.store.tables import REJECTED, BatchStatus, Role, User
from crossverify.types import DISCLOSED_OUTCOMES

ACCEPTED_FILE = "accepted.parquet"


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    status: str
    rows_read: int
    counts: dict[str, int]
    expected_wrong_matches: float | None


def _user(session: Session, username: str, *roles: Role) -> User:
    user = repos.get_user_by_name(session=session, username=username)
    if not user.active or user.role not in roles:
        ledger.record_event(
            session=session,
            action="refusal",
            actor=username,
            success=False,
            detail={"reason": "role", "role": user.role, "needed": [r.value for r in roles]},
        )
        session.commit()
        raise PermissionDenied(
            f"user {username} ({user.role}) may not do this; it needs the role "
            + " or ".join(r.value for r in roles)
        )
    return user


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
    user = _user(session, username, Role.REQUESTER)
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
        ledger.record_event(
            session=session,
            action="refusal",
            actor=username,
            success=False,
            detail={"step": "submit", "file": request_file.name, "reason": exc.message},
        )
        session.commit()
        raise
    batch_id = repos.new_batch_id()
    folder = _batch_dir(settings, batch_id)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(request_file, folder / request_file.name)
    shutil.copyfile(manifest_file, folder / "request.manifest.json")
    pq.write_table(intake.accepted, folder / ACCEPTED_FILE)
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
    *, session: Session, settings: Settings, policy: Policy, batch_id: str, actor: str = "system"
) -> BatchSummary:
    """Match every accepted row and store one outcome per row; a rerun after a crash is safe."""
    batch = repos.set_batch_status(
        session=session,
        batch_id=batch_id,
        expected=(BatchStatus.SUBMITTED, BatchStatus.RUNNING),
        status=BatchStatus.RUNNING,
    )
    session.commit()
    accepted = pq.read_table(_batch_dir(settings, batch_id) / ACCEPTED_FILE)
    accepted = accepted.append_column("request_row", accepted["row_number"])
    ctx = MatchContext(
        master_dir=settings.master_dir, model_path=current_model_path(settings.models_dir)
    )
    con = make_duckdb(settings)
    try:
        result = match_requests(con=con, accepted=accepted, ctx=ctx, policy=policy)
    finally:
        con.close()
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
    ledger.record_event(
        session=session,
        action="run",
        actor=actor,
        batch_id=batch_id,
        detail={
            "model_id": result.model_id,
            "counts": counts,
            "expected_wrong_matches": round(result.expected_wrong_matches, 3),
            "seconds": {k: round(v, 2) for k, v in result.timings.items()},
        },
    )
    session.commit()
    return summary(batch)


def summary(batch: Any) -> BatchSummary:
    return BatchSummary(
        batch.id,
        batch.status,
        batch.rows_read or 0,
        dict(batch.counts or {}),
        batch.expected_wrong_matches,
    )


def approve_batch(*, session: Session, batch_id: str, username: str) -> BatchSummary:
    """Approve a decided batch; the approving officer may not be the one who submitted it."""
    officer = _user(session, username, Role.OFFICER)
    batch = repos.get_batch(session=session, batch_id=batch_id)
    if batch.submitted_by == officer.id:
        ledger.record_event(
            session=session,
            action="refusal",
            actor=username,
            batch_id=batch_id,
            success=False,
            detail={"step": "approve", "reason": "separation_of_duties"},
        )
        session.commit()
        raise PermissionDenied(f"{username} submitted batch {batch_id} and may not approve it")
    seen = {
        "counts": batch.counts,
        "expected_wrong_matches": batch.expected_wrong_matches,
        "model_id": batch.model_id,
        "policy_id": batch.policy_id,
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
    return summary(batch)


def release_batch(*, session: Session, settings: Settings, batch_id: str, username: str) -> Package:
    """Write the response package and account for every disclosed record, in one transaction."""
    _user(session, username, Role.OFFICER)
    batch = repos.set_batch_status(
        session=session,
        batch_id=batch_id,
        expected=BatchStatus.APPROVED,
        status=BatchStatus.RELEASED,
    )
    rows = list(repos.iter_outcome_rows(session=session, batch_id=batch_id))
    approvals = repos.approvals_for_batch(session=session, batch_id=batch_id)
    approvers = [repos.get_user(session=session, user_id=a.officer_id).username for a in approvals]
    released_at = datetime.now(UTC).isoformat(timespec="seconds")
    matched = [r for r in rows if r["outcome"] in DISCLOSED_OUTCOMES]
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
            "approvals": approvers,
            "released_at": released_at,
            "authority_cited": sorted(set(authority.values())),
        },
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
        detail={"package_sha256": package.zip_sha256, "disclosed": len(matched)},
    )
    session.commit()
    return package


def _authority(settings: Settings, batch_id: str, rows: set[int]) -> dict[int, str]:
    accepted = pq.read_table(
        _batch_dir(settings, batch_id) / ACCEPTED_FILE, columns=["row_number", "criminal_statute"]
    )
    keep = accepted.filter(pc.is_in(accepted["row_number"], pa.array(sorted(rows), pa.int64())))
    return dict(
        zip(keep["row_number"].to_pylist(), keep["criminal_statute"].to_pylist(), strict=True)
    )
