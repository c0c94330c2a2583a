"""Keyword-only queries per aggregate: users, batches, record outcomes, approvals.

Functions flush but never commit: the caller (pipeline, API handler) owns the transaction.
Missing rows raise `NotFound`; a state that does not fit raises `StateError`.
The ledger is written through `crossverify.ledger.record`, not here.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, Required, TypedDict, cast

from sqlalchemy import CursorResult, RowMapping, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crossverify.errors import NotFound, PermissionDenied, StateError
from crossverify.store.bulk import insert_rows
from crossverify.store.engine import write_connection
from crossverify.store.tables import (
    Approval,
    Batch,
    BatchStatus,
    LegalHold,
    Recall,
    RecallCertification,
    RecallItem,
    RecordOutcome,
    RecordReview,
    Role,
    User,
    record_outcomes_table,
    to_json_text,
    utc_now,
)

# ---------------------------------------------------------------------------- users


def add_user(
    *,
    session: Session,
    username: str,
    role: Role | str,
    agency: str | None = None,
    active: bool = True,
) -> User:
    """Create a user.

    Args:
        session: the caller's session.
        username: unique login name (one person, no shared accounts).
        role: `requester`, `officer`, `auditor` or `admin`.
        agency: the requesting agency; required for requesters.
        active: False creates a disabled account.

    Returns:
        The new user, with its id.

    Raises:
        ValueError: unknown role, or a requester without agency.
        StateError: the username is taken.
    """
    role = Role(role)
    if role is Role.REQUESTER and not agency:
        raise ValueError(f"requester {username!r} needs an agency")
    user = User(username=username, role=role.value, agency=agency, active=active)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        raise StateError(f"username {username!r} is already taken") from exc
    return user


def get_user(*, session: Session, user_id: int) -> User:
    """The user with this id; raises `NotFound`."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def get_user_by_name(*, session: Session, username: str) -> User:
    """The user with this username.

    Raises:
        NotFound: no such user.
    """
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def list_users(
    *, session: Session, role: Role | str | None = None, active: bool | None = None
) -> list[User]:
    """Users ordered by username, optionally of one role and/or activity state."""
    stmt = select(User).order_by(User.username)
    if role is not None:
        stmt = stmt.where(User.role == Role(role).value)
    if active is not None:
        stmt = stmt.where(User.active == active)
    return list(session.scalars(stmt))


# -------------------------------------------------------------------------- batches


def new_batch_id(now: datetime | None = None) -> str:
    """A fresh batch id such as `B-20260115-3f9a1c2b7d4e` (UTC date + 48 random bits)."""
    moment = now or utc_now()
    return f"B-{moment:%Y%m%d}-{secrets.token_hex(6)}"


def create_batch(
    *,
    session: Session,
    agency: str,
    official_name: str,
    official_title: str,
    signer_public_key: str,
    certification: str,
    submitted_by: int,
    request_file: str,
    request_sha256: str,
    manifest: str,
    policy_id: str | None = None,
    batch_id: str | None = None,
) -> Batch:
    """Record a submitted batch (status `submitted`).

    Args:
        session: the caller's session.
        agency: requesting agency.
        official_name: the official who signed the manifest.
        official_title: that official's title.
        signer_public_key: the public key the signature verified with.
        certification: the certification text of the manifest.
        submitted_by: id of the submitting user.
        request_file: where the request file is kept.
        request_sha256: its SHA-256, hex.
        manifest: the manifest JSON exactly as received.
        policy_id: the policy in force, if known now.
        batch_id: an id to use; a fresh `new_batch_id()` by default.

    Returns:
        The new batch.

    Raises:
        StateError: the id is taken, or `submitted_by` is not a user.
    """
    batch_id = batch_id or new_batch_id()
    if session.get(Batch, batch_id) is not None:
        raise StateError(f"batch {batch_id} already exists", batch_id=batch_id)
    batch = Batch(
        id=batch_id,
        agency=agency,
        official_name=official_name,
        official_title=official_title,
        signer_public_key=signer_public_key,
        certification=certification,
        submitted_by=submitted_by,
        status=BatchStatus.SUBMITTED.value,
        request_file=request_file,
        request_sha256=request_sha256,
        manifest=manifest,
        policy_id=policy_id,
    )
    try:
        with session.begin_nested():
            session.add(batch)
    except IntegrityError as exc:
        raise StateError(
            f"batch {batch.id} cannot be created: {exc.orig}", batch_id=batch.id
        ) from exc
    return batch


def get_batch(*, session: Session, batch_id: str) -> Batch:
    """The batch with this id.

    Raises:
        NotFound: no such batch.
    """
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(f"no batch {batch_id!r}", batch_id=batch_id)
    return batch


def list_batches(
    *,
    session: Session,
    status: BatchStatus | str | None = None,
    agency: str | None = None,
    submitted_by: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Batch]:
    """Batches, newest first, optionally filtered."""
    stmt = select(Batch).order_by(Batch.created_at.desc(), Batch.id.desc())
    if status is not None:
        stmt = stmt.where(Batch.status == BatchStatus(status).value)
    if agency is not None:
        stmt = stmt.where(Batch.agency == agency)
    if submitted_by is not None:
        stmt = stmt.where(Batch.submitted_by == submitted_by)
    return list(session.scalars(stmt.limit(limit).offset(offset)))


_STATUS_TIMESTAMP: Final[dict[BatchStatus, str]] = {
    BatchStatus.RUNNING: "run_at",
    BatchStatus.APPROVED: "approved_at",
    BatchStatus.RELEASED: "released_at",
}


def set_batch_status(
    *,
    session: Session,
    batch_id: str,
    expected: BatchStatus | str | Collection[BatchStatus | str],
    status: BatchStatus | str,
    at: datetime | None = None,
    model_id: str | None = None,
    policy_id: str | None = None,
    rows_read: int | None = None,
    counts: Mapping[str, int] | None = None,
    expected_wrong_matches: float | None = None,
    package_path: str | None = None,
    package_sha256: str | None = None,
) -> Batch:
    """Move a batch to `status` if, and only if, it is still in `expected` (compare-and-set).

    Runs `UPDATE batches SET status=... WHERE id=? AND status IN (...)`, so of two racing
    sessions exactly one wins; the other gets `StateError`. Entering `running`, `approved` or
    `released` stamps `run_at`, `approved_at` or `released_at`. The other keyword fields, when
    given, are written in the same statement. The store does not judge which transitions make
    sense; the pipeline does.

    Args:
        session: the caller's session; the caller commits.
        batch_id: the batch.
        expected: the status (or statuses) the batch must be in now.
        status: the new status.
        at: time for the timestamp column; now by default.
        model_id: link model used for the run.
        policy_id: policy in force.
        rows_read: input rows read.
        counts: counts per outcome and per reject code.
        expected_wrong_matches: the batch's expected wrong matches.
        package_path: where the response package is.
        package_sha256: its SHA-256, hex.

    Returns:
        The batch, refreshed.

    Raises:
        NotFound: no such batch.
        StateError: the batch is not in `expected` (someone else moved it first).
    """
    new_status = BatchStatus(status)
    if isinstance(expected, str):
        allowed = [BatchStatus(expected).value]
    else:
        allowed = [BatchStatus(value).value for value in expected]
    values: dict[str, Any] = {"status": new_status.value}
    if new_status in _STATUS_TIMESTAMP:
        values[_STATUS_TIMESTAMP[new_status]] = at or utc_now()
    optional: dict[str, Any] = {
        "model_id": model_id,
        "policy_id": policy_id,
        "rows_read": rows_read,
        "counts": dict(counts) if counts is not None else None,
        "expected_wrong_matches": expected_wrong_matches,
        "package_path": package_path,
        "package_sha256": package_sha256,
    }
    values.update({key: value for key, value in optional.items() if value is not None})

    write_connection(session=session)  # SQLite: wait for the write lock instead of failing
    result = cast(
        "CursorResult[Any]",
        session.execute(
            update(Batch)
            .where(Batch.id == batch_id, Batch.status.in_(allowed))
            .values(**values)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount == 0:
        current = session.scalar(select(Batch.status).where(Batch.id == batch_id))
        if current is None:
            raise NotFound(f"no batch {batch_id!r}", batch_id=batch_id)
        raise StateError(
            f"batch {batch_id} is {current}, not {' or '.join(allowed)}: "
            f"it cannot become {new_status.value} (another action got there first?)",
            batch_id=batch_id,
        )
    batch = session.get(Batch, batch_id, populate_existing=True)
    assert batch is not None
    return batch


# ------------------------------------------------------------------------- outcomes


class OutcomeRow(TypedDict, total=False):
    """One row for `save_outcomes` (the keys are `record_outcomes` columns)."""

    row_number: Required[int]
    outcome: Required[str]
    request_id: str | None
    reasons: str | None
    detail: str | None
    tin: str | None
    confidence: float | None
    tax_year: int | None
    street: str | None
    city: str | None
    state: str | None
    zip: str | None
    source: str | None
    explanation: dict[str, Any] | None


OUTCOME_FIELDS: Final[tuple[str, ...]] = tuple(
    column.name for column in record_outcomes_table.columns if column.name != "batch_id"
)
_OUTCOME_FIELD_SET: Final = frozenset(OUTCOME_FIELDS)
_PLAIN_FIELDS: Final = tuple(f for f in OUTCOME_FIELDS if f not in ("confidence", "explanation"))


def _outcome_values(batch_id: str, row: Mapping[str, Any]) -> tuple[Any, ...]:
    if not _OUTCOME_FIELD_SET.issuperset(row):
        unknown = sorted(set(row) - _OUTCOME_FIELD_SET)
        raise ValueError(f"unknown outcome field(s) {unknown}; known: {OUTCOME_FIELDS}")
    confidence = row.get("confidence")
    if isinstance(confidence, float) and math.isnan(confidence):  # missing, from a data frame
        confidence = None
    return (
        batch_id,
        *[row.get(name) for name in _PLAIN_FIELDS],
        confidence,
        to_json_text(row.get("explanation")),
    )


def save_outcomes(*, session: Session, batch_id: str, outcomes: Iterable[Mapping[str, Any]]) -> int:
    """Bulk-insert the outcome of every input row of a batch.

    Goes through `store.bulk.insert_rows` (executemany on SQLite, COPY on PostgreSQL):
    100k rows take a few seconds. Values must be plain Python values (str, int, float, None;
    `explanation` a JSON-able dict); a NaN confidence is stored as NULL.

    Args:
        session: the caller's session; the caller commits.
        batch_id: the batch (must exist).
        outcomes: one mapping per row with `row_number`, `outcome` and any other
            `OutcomeRow` keys; `outcome` is `M1`..`N5` or `REJECTED` (with `reasons`).

    Returns:
        The number of rows saved.

    Raises:
        ValueError: a row has a key that is not a column.
        StateError: a row breaks a constraint (a row number saved twice, an unknown
            outcome, a missing batch); the transaction must be rolled back.
    """
    columns = ("batch_id", *_PLAIN_FIELDS, "confidence", "explanation")
    rows = (_outcome_values(batch_id, row) for row in outcomes)
    try:
        return insert_rows(session=session, table=record_outcomes_table, columns=columns, rows=rows)
    except IntegrityError as exc:
        raise StateError(
            f"outcomes of batch {batch_id} could not be saved: {exc.orig}", batch_id=batch_id
        ) from exc


def outcomes_for_batch(
    *, session: Session, batch_id: str, outcome: str | None = None
) -> Sequence[RecordOutcome]:
    """The batch's outcomes in input row order, optionally only one outcome code."""
    stmt = select(RecordOutcome).where(RecordOutcome.batch_id == batch_id)
    if outcome is not None:
        stmt = stmt.where(RecordOutcome.outcome == outcome)
    return session.scalars(stmt.order_by(RecordOutcome.row_number)).all()


def iter_outcome_rows(
    *, session: Session, batch_id: str, outcome: str | None = None, chunk_size: int = 10_000
) -> Iterator[RowMapping]:
    """Stream the batch's outcomes as read-only mappings, in input row order.

    About twice as fast as `outcomes_for_batch` and in constant memory: for writing a
    response package or a report over a large batch.

    Args:
        session: an open session.
        batch_id: the batch.
        outcome: only this outcome code (e.g. `"REJECTED"`).
        chunk_size: rows fetched per round trip.

    Yields:
        One mapping per row, keyed by `record_outcomes` column (explanation decoded).
    """
    table = record_outcomes_table
    stmt = select(table).where(table.c.batch_id == batch_id)
    if outcome is not None:
        stmt = stmt.where(table.c.outcome == outcome)
    stmt = stmt.order_by(table.c.row_number).execution_options(yield_per=chunk_size)
    yield from session.execute(stmt).mappings()


def outcome_counts(*, session: Session, batch_id: str) -> dict[str, int]:
    """How many rows of the batch have each outcome (`REJECTED` included)."""
    rows = session.execute(
        select(RecordOutcome.outcome, func.count())
        .where(RecordOutcome.batch_id == batch_id)
        .group_by(RecordOutcome.outcome)
    )
    return {outcome: count for outcome, count in rows}


# ------------------------------------------------------------------------ approvals


def add_approval(
    *,
    session: Session,
    batch_id: str,
    officer_id: int,
    summary: Mapping[str, Any],
    approved_at: datetime | None = None,
) -> Approval:
    """Record an officer's approval of a batch.

    Args:
        session: the caller's session; the caller commits.
        batch_id: the batch approved.
        officer_id: the approving user; must be an active officer who did not submit it.
        summary: what the officer saw (counts, expected wrong matches...).
        approved_at: when; now by default.

    Returns:
        The approval.

    Raises:
        NotFound: no such batch or user.
        PermissionDenied: the user is not an active officer, or submitted this batch.
        StateError: this officer already approved this batch.
    """
    batch = get_batch(session=session, batch_id=batch_id)
    officer = get_user(session=session, user_id=officer_id)
    if officer.role != Role.OFFICER.value or not officer.active:
        raise PermissionDenied(
            f"user {officer.username} is not an active officer and cannot approve",
            batch_id=batch_id,
        )
    if batch.submitted_by == officer_id:
        raise PermissionDenied(
            f"user {officer.username} submitted batch {batch_id} and cannot approve it",
            batch_id=batch_id,
        )
    approval = Approval(
        batch_id=batch_id,
        officer_id=officer_id,
        summary=dict(summary),
        approved_at=approved_at or utc_now(),
    )
    try:
        with session.begin_nested():
            session.add(approval)
    except IntegrityError as exc:
        raise StateError(
            f"user {officer.username} already approved batch {batch_id}", batch_id=batch_id
        ) from exc
    return approval


def approvals_for_batch(*, session: Session, batch_id: str) -> list[Approval]:
    """The batch's approvals, oldest first."""
    stmt = (
        select(Approval)
        .where(Approval.batch_id == batch_id)
        .order_by(Approval.approved_at, Approval.id)
    )
    return list(session.scalars(stmt))


# ---------------------------------------------------------------------------- legal holds


def add_hold(
    *,
    session: Session,
    court: str,
    case_number: str,
    reason: str,
    placed_by: int,
    agency: str | None = None,
) -> LegalHold:
    """Place a legal hold on every batch (`agency` None) or on one requesting agency's batches."""
    if not court.strip() or not case_number.strip() or not reason.strip():
        raise StateError("a legal hold needs the court, the case number and a reason")
    hold = LegalHold(
        court=court.strip(),
        case_number=case_number.strip(),
        reason=reason.strip(),
        agency=agency,
        placed_by=placed_by,
        placed_at=utc_now(),
    )
    session.add(hold)
    session.flush()
    return hold


def lift_hold(*, session: Session, hold_id: int, lifted_by: int) -> LegalHold:
    """Lift an active hold (compare-and-set on `lifted_at IS NULL`, so it is lifted once)."""
    write_connection(session=session)
    result = cast(
        "CursorResult[Any]",
        session.execute(
            update(LegalHold)
            .where(LegalHold.id == hold_id, LegalHold.lifted_at.is_(None))
            .values(lifted_at=utc_now(), lifted_by=lifted_by)
            .execution_options(synchronize_session=False)
        ),
    )
    hold = session.get(LegalHold, hold_id, populate_existing=True)
    if hold is None:
        raise NotFound(f"no legal hold {hold_id}")
    if result.rowcount == 0:
        raise StateError(f"legal hold {hold_id} was already lifted at {hold.lifted_at}")
    return hold


def list_holds(*, session: Session, active_only: bool = False) -> list[LegalHold]:
    """Holds, oldest first; `active_only` leaves out lifted ones."""
    stmt = select(LegalHold).order_by(LegalHold.placed_at, LegalHold.id)
    if active_only:
        stmt = stmt.where(LegalHold.lifted_at.is_(None))
    return list(session.scalars(stmt))


def holds_covering(*, session: Session, agency: str) -> list[LegalHold]:
    """Active holds that cover a batch of `agency`: the global ones and that agency's."""
    stmt = (
        select(LegalHold)
        .where(
            LegalHold.lifted_at.is_(None),
            (LegalHold.agency.is_(None)) | (LegalHold.agency == agency),
        )
        .order_by(LegalHold.id)
    )
    return list(session.scalars(stmt))


# ---------------------------------------------------------------------------- record reviews


def add_reviews(
    *,
    session: Session,
    batch_id: str,
    request_ids: Iterable[str],
    decision: str,
    reason: str,
    officer_id: int,
) -> list[RecordReview]:
    """Record one officer decision (`confirm` or `refuse`) on each of the batch's records."""
    if decision not in ("confirm", "refuse"):
        raise StateError(f"a review decision is confirm or refuse, not {decision!r}")
    now = utc_now()
    reviews = [
        RecordReview(
            batch_id=batch_id,
            request_id=request_id,
            decision=decision,
            reason=reason,
            officer_id=officer_id,
            decided_at=now,
        )
        for request_id in request_ids
    ]
    session.add_all(reviews)
    session.flush()
    return reviews


def reviews_for_batch(*, session: Session, batch_id: str) -> list[RecordReview]:
    """The batch's review decisions, oldest first (history: a later one overrides)."""
    stmt = (
        select(RecordReview)
        .where(RecordReview.batch_id == batch_id)
        .order_by(RecordReview.decided_at, RecordReview.id)
    )
    return list(session.scalars(stmt))


def decisions_in_force(*, session: Session, batch_id: str) -> dict[str, RecordReview]:
    """The newest review decision per request_id of the batch."""
    return {r.request_id: r for r in reviews_for_batch(session=session, batch_id=batch_id)}


def refused_request_ids(*, session: Session, batch_id: str) -> set[str]:
    """Request ids whose review decision in force is `refuse`: they are not disclosed."""
    return {
        request_id
        for request_id, review in decisions_in_force(session=session, batch_id=batch_id).items()
        if review.decision == "refuse"
    }


def outcome_confidences(
    *, session: Session, batch_id: str, outcomes: Collection[str]
) -> list[tuple[str, float | None]]:
    """(request_id, confidence) of the batch's records with one of `outcomes`, in row order."""
    stmt = (
        select(RecordOutcome.request_id, RecordOutcome.confidence)
        .where(RecordOutcome.batch_id == batch_id, RecordOutcome.outcome.in_(list(outcomes)))
        .order_by(RecordOutcome.row_number)
    )
    return [(str(request_id), confidence) for request_id, confidence in session.execute(stmt)]


def outcome_for_request(*, session: Session, batch_id: str, request_id: str) -> RecordOutcome:
    """The batch's record with this request_id; raises `NotFound`."""
    stmt = select(RecordOutcome).where(
        RecordOutcome.batch_id == batch_id, RecordOutcome.request_id == request_id
    )
    record = session.scalars(stmt.order_by(RecordOutcome.row_number)).first()
    if record is None:
        raise NotFound(f"batch {batch_id} has no record {request_id!r}", batch_id=batch_id)
    return record


def released_before(*, session: Session, cutoff: datetime) -> list[Batch]:
    """Released batches whose `released_at` is before `cutoff`, oldest first."""
    stmt = (
        select(Batch)
        .where(Batch.status == BatchStatus.RELEASED.value, Batch.released_at < cutoff)
        .order_by(Batch.released_at, Batch.id)
    )
    return list(session.scalars(stmt))


# ---------------------------------------------------------------------------- recalls


def new_recall_id(now: datetime | None = None) -> str:
    """A fresh recall id such as `RC-20260115-3f9a1c2b7d4e` (UTC date + 48 random bits)."""
    moment = now or utc_now()
    return f"RC-{moment:%Y%m%d}-{secrets.token_hex(6)}"


def add_recall(
    *,
    session: Session,
    recall: Recall,
    items: Sequence[tuple[str, int]],
) -> Recall:
    """Store a recall and its items, (request_id, disclosure_seq) each, in the caller's transaction.

    Raises:
        StateError: one of the records is already recalled (unique batch_id, request_id).
    """
    try:
        with session.begin_nested():
            session.add(recall)
            session.flush()
            session.add_all(
                RecallItem(
                    recall_id=recall.id,
                    request_id=request_id,
                    batch_id=recall.batch_id,
                    disclosure_seq=seq,
                )
                for request_id, seq in items
            )
    except IntegrityError as exc:
        raise StateError(
            f"recall {recall.id} cannot be stored (a record recalled twice?): {exc.orig}",
            batch_id=recall.batch_id,
        ) from exc
    return recall


def get_recall(*, session: Session, recall_id: str) -> Recall:
    """The recall with this id; raises `NotFound`."""
    recall = session.get(Recall, recall_id)
    if recall is None:
        raise NotFound(f"no recall {recall_id!r}")
    return recall


def list_recalls(
    *,
    session: Session,
    agency: str | None = None,
    batch_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Recall]:
    """Recalls oldest first, optionally of one agency or batch, created in [since, until)."""
    stmt = select(Recall).order_by(Recall.created_at, Recall.id)
    if agency is not None:
        stmt = stmt.where(Recall.agency == agency)
    if batch_id is not None:
        stmt = stmt.where(Recall.batch_id == batch_id)
    if since is not None:
        stmt = stmt.where(Recall.created_at >= since)
    if until is not None:
        stmt = stmt.where(Recall.created_at < until)
    return list(session.scalars(stmt))


def recall_items(*, session: Session, recall_id: str) -> list[RecallItem]:
    """The recall's records in ledger order."""
    stmt = (
        select(RecallItem)
        .where(RecallItem.recall_id == recall_id)
        .order_by(RecallItem.disclosure_seq)
    )
    return list(session.scalars(stmt))


def recalled_in_batch(*, session: Session, batch_id: str) -> dict[str, str]:
    """request_id -> recall id, for every recalled record of the batch."""
    stmt = select(RecallItem.request_id, RecallItem.recall_id).where(
        RecallItem.batch_id == batch_id
    )
    return {request_id: recall_id for request_id, recall_id in session.execute(stmt)}


def recall_item_counts(*, session: Session, recall_ids: Collection[str]) -> dict[str, int]:
    """recall id -> number of records it recalls."""
    if not recall_ids:
        return {}
    stmt = (
        select(RecallItem.recall_id, func.count())
        .where(RecallItem.recall_id.in_(list(recall_ids)))
        .group_by(RecallItem.recall_id)
    )
    return {recall_id: count for recall_id, count in session.execute(stmt)}


def add_certification(*, session: Session, certification: RecallCertification) -> None:
    """Record a recall's certification of destruction; a second one raises `StateError`."""
    try:
        with session.begin_nested():
            session.add(certification)
    except IntegrityError as exc:
        raise StateError(f"recall {certification.recall_id} is already certified") from exc


def certifications(
    *, session: Session, recall_ids: Collection[str]
) -> dict[str, RecallCertification]:
    """recall id -> its certification, for those of `recall_ids` that have one."""
    if not recall_ids:
        return {}
    stmt = select(RecallCertification).where(RecallCertification.recall_id.in_(list(recall_ids)))
    return {c.recall_id: c for c in session.scalars(stmt)}


def released_batches(*, session: Session, agency: str | None = None) -> list[Batch]:
    """Released batches, oldest release first, optionally of one agency."""
    stmt = select(Batch).where(Batch.status == BatchStatus.RELEASED.value)
    if agency is not None:
        stmt = stmt.where(Batch.agency == agency)
    return list(session.scalars(stmt.order_by(Batch.released_at, Batch.id)))


def get_hold(*, session: Session, hold_id: int) -> LegalHold:
    """The legal hold with this id; raises `NotFound`."""
    hold = session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound(f"no legal hold {hold_id}")
    return hold


def batches_created_between(*, session: Session, since: datetime, until: datetime) -> list[Batch]:
    """Batches submitted in [since, until), oldest first."""
    stmt = (
        select(Batch)
        .where(Batch.created_at >= since, Batch.created_at < until)
        .order_by(Batch.created_at, Batch.id)
    )
    return list(session.scalars(stmt))


def batches_released_between(*, session: Session, since: datetime, until: datetime) -> list[Batch]:
    """Batches released in [since, until), oldest release first."""
    stmt = (
        select(Batch)
        .where(Batch.released_at >= since, Batch.released_at < until)
        .order_by(Batch.released_at, Batch.id)
    )
    return list(session.scalars(stmt))


def holds_in_force_between(
    *, session: Session, since: datetime, until: datetime
) -> list[LegalHold]:
    """Holds active at some moment of [since, until): placed before its end, not lifted before."""
    stmt = (
        select(LegalHold)
        .where(
            LegalHold.placed_at < until,
            LegalHold.lifted_at.is_(None) | (LegalHold.lifted_at >= since),
        )
        .order_by(LegalHold.id)
    )
    return list(session.scalars(stmt))


def outcome_counts_for_batches(
    *, session: Session, batch_ids: Collection[str]
) -> dict[str, dict[str, int]]:
    """batch id -> outcome -> rows (`REJECTED` included)."""
    found: dict[str, dict[str, int]] = {}
    if not batch_ids:
        return found
    stmt = (
        select(RecordOutcome.batch_id, RecordOutcome.outcome, func.count())
        .where(RecordOutcome.batch_id.in_(list(batch_ids)))
        .group_by(RecordOutcome.batch_id, RecordOutcome.outcome)
    )
    for batch_id, outcome, count in session.execute(stmt):
        found.setdefault(batch_id, {})[outcome] = count
    return found


def rejected_reasons_for_batches(
    *, session: Session, batch_ids: Collection[str]
) -> dict[str, list[str]]:
    """batch id -> the `reasons` text of each of its rejected rows."""
    found: dict[str, list[str]] = {}
    if not batch_ids:
        return found
    stmt = select(RecordOutcome.batch_id, RecordOutcome.reasons).where(
        RecordOutcome.batch_id.in_(list(batch_ids)), RecordOutcome.outcome == "REJECTED"
    )
    for batch_id, reasons in session.execute(stmt):
        found.setdefault(batch_id, []).append(str(reasons or ""))
    return found
