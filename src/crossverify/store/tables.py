"""The relational schema as SQLAlchemy 2.x typed mapped classes.

The migrations under `migrations/versions/` create exactly this schema (a test compares
them); change both together. Timestamps are stored in UTC and come back timezone-aware on
every backend. JSON columns hold compact, key-sorted JSON text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column
from sqlalchemy.types import TypeDecorator

from crossverify.errors import StateError
from crossverify.types import Outcome

NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Role(StrEnum):
    """What a user may do (DESIGN.md, Roles)."""

    REQUESTER = "requester"
    OFFICER = "officer"
    AUDITOR = "auditor"
    ADMIN = "admin"


class BatchStatus(StrEnum):
    """Where a batch is in its life; the store only guards the compare-and-set."""

    SUBMITTED = "submitted"
    RUNNING = "running"
    DECIDED = "decided"
    APPROVED = "approved"
    RELEASED = "released"
    REFUSED = "refused"


REJECTED: Final = "REJECTED"
"""`record_outcomes.outcome` of a row that intake rejected (its codes are in `reasons`)."""

OUTCOME_VALUES: Final[tuple[str, ...]] = (*(o.value for o in Outcome), REJECTED)
ENTRY_TYPES: Final[tuple[str, ...]] = ("disclosure", "event")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and read back timezone-aware on SQLite and PostgreSQL alike.

    A naive datetime given to it is taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        # SQLite stores the wall-clock digits only; give it UTC without an offset.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


_JSON_ENCODER: Final = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def to_json_text(value: Any) -> str | None:
    """The text a `JSONText` column stores for `value` (None stays NULL)."""
    return None if value is None else _JSON_ENCODER.encode(value)


class JSONText(TypeDecorator[Any]):
    """A JSON value kept as compact, key-sorted text (portable, diffable, hashable)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return to_json_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """A named person with one role; no shared accounts (Pub 1075)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_in_list("role", tuple(Role)), name="role"),
        CheckConstraint("role <> 'requester' OR agency IS NOT NULL", name="requester_agency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    agency: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Batch(Base):
    """One signed request batch and what became of it."""

    __tablename__ = "batches"
    __table_args__ = (
        CheckConstraint(_in_list("status", tuple(BatchStatus)), name="status"),
        CheckConstraint("length(request_sha256) = 64", name="request_sha256"),
        CheckConstraint(
            "package_sha256 IS NULL OR length(package_sha256) = 64", name="package_sha256"
        ),
        CheckConstraint("rows_read IS NULL OR rows_read >= 0", name="rows_read"),
        CheckConstraint(
            "expected_wrong_matches IS NULL OR expected_wrong_matches >= 0",
            name="expected_wrong_matches",
        ),
        Index(None, "status", "created_at"),
        Index(None, "agency", "created_at"),
        Index(None, "submitted_by"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(200))
    official_name: Mapped[str] = mapped_column(String(200))
    official_title: Mapped[str] = mapped_column(String(200))
    signer_public_key: Mapped[str] = mapped_column(Text)
    certification: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16), default=BatchStatus.SUBMITTED.value)
    request_file: Mapped[str] = mapped_column(Text)
    request_sha256: Mapped[str] = mapped_column(String(64))
    manifest: Mapped[str] = mapped_column(Text)  # the manifest JSON exactly as received
    policy_id: Mapped[str | None] = mapped_column(String(100))
    model_id: Mapped[str | None] = mapped_column(String(100))
    rows_read: Mapped[int | None] = mapped_column(Integer)
    counts: Mapped[dict[str, int] | None] = mapped_column(JSONText)
    expected_wrong_matches: Mapped[float | None] = mapped_column(Float)
    package_path: Mapped[str | None] = mapped_column(Text)
    package_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecordOutcome(Base):
    """The decision for one input row of a batch (rejected rows included).

    `tin` and `explanation` are internal: they serve review and disclosure accounting and never
    leave in a response package.
    """

    __tablename__ = "record_outcomes"
    __table_args__ = (
        CheckConstraint(_in_list("outcome", OUTCOME_VALUES), name="outcome"),
        CheckConstraint(f"outcome <> '{REJECTED}' OR reasons IS NOT NULL", name="reasons"),
        CheckConstraint("row_number >= 1", name="row_number"),
        CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", name="confidence"
        ),
        Index(None, "batch_id", "request_id"),
        Index(None, "tin"),
    )

    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), primary_key=True)
    row_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(8))
    reasons: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)
    tin: Mapped[str | None] = mapped_column(String(9))
    confidence: Mapped[float | None] = mapped_column(Float)
    tax_year: Mapped[int | None] = mapped_column(Integer)
    street: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str | None] = mapped_column(String(8))
    zip: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str | None] = mapped_column(String(32))
    explanation: Mapped[dict[str, Any] | None] = mapped_column(JSONText)


class Approval(Base):
    """An officer's approval of a decided batch, with the figures the officer was shown."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("batch_id", "officer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONText)


GENESIS_HASH: Final = "0" * 64


class LedgerEntry(Base):
    """One entry of the append-only, hash-chained ledger (see `crossverify.ledger`).

    Database triggers refuse UPDATE and DELETE; the ORM refuses them too. `created_at` is the
    canonical UTC text that went into the hash (`2026-01-15T10:00:00.000000Z`).
    """

    __tablename__ = "ledger"
    __table_args__ = (
        CheckConstraint(_in_list("entry_type", ENTRY_TYPES), name="entry_type"),
        CheckConstraint("seq >= 1", name="seq"),
        CheckConstraint(f"seq > 1 OR prev_hash = '{GENESIS_HASH}'", name="genesis"),
        CheckConstraint("length(prev_hash) = 64 AND length(hash) = 64", name="hash_length"),
        Index(None, "batch_id", "request_id"),
        Index(None, "created_at"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    entry_type: Mapped[str] = mapped_column(String(16))
    batch_id: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[str] = mapped_column(String(32))


@event.listens_for(LedgerEntry, "before_update")
@event.listens_for(LedgerEntry, "before_delete")
def _refuse_ledger_change(_mapper: Mapper[Any], _connection: Any, target: LedgerEntry) -> None:
    raise StateError(f"the ledger is append-only: entry {target.seq} cannot be changed")


# The Core tables, typed, for bulk executemany inserts.
record_outcomes_table: Final[Table] = Base.metadata.tables["record_outcomes"]
ledger_table: Final[Table] = Base.metadata.tables["ledger"]


# Disclosure controls (migration 0003)


class LegalHold(Base):
    """A court's legal hold: while active it stops release and download of the batches it covers.

    `agency` NULL means every batch; otherwise only that requesting agency's batches. A hold is
    lifted by stamping `lifted_at`/`lifted_by`, never deleted, so its history stays readable.
    """

    __tablename__ = "legal_holds"
    __table_args__ = (
        CheckConstraint("(lifted_at IS NULL) = (lifted_by IS NULL)", name="lifted_together"),
        Index(None, "lifted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    court: Mapped[str] = mapped_column(String(200))
    case_number: Mapped[str] = mapped_column(String(100))
    agency: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    lifted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def reference(self) -> str:
        """How a refusal names the hold: court, case number and hold id."""
        return f"{self.court}, case {self.case_number} (hold {self.id})"


REVIEW_DECISIONS: Final[tuple[str, ...]] = ("confirm", "refuse")


class RecordReview(Base):
    """An officer's decision on one record of a batch before release: confirm or refuse.

    Rows are only added: the newest decision on a record is the one in force. A record whose
    decision in force is `refuse` is not disclosed; it leaves as unmatched N2. Lowering a
    batch's scope adds `refuse` rows with reason `scope_lowered`.
    """

    __tablename__ = "record_reviews"
    __table_args__ = (
        CheckConstraint(_in_list("decision", REVIEW_DECISIONS), name="decision"),
        Index(None, "batch_id", "request_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"))
    request_id: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(Text, default="")
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


# Service (migration 0004)


class ApiToken(Base):
    """A per-user API token: only its SHA-256 is kept; the token is shown once at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# Recalls of released records (migration 0005)

RECALL_REASONS: Final[tuple[str, ...]] = ("wrong_person", "court_order", "policy_error")
RECALL_SCOPES: Final[tuple[str, ...]] = ("requests", "batch", "hold")
CERTIFICATION_METHODS: Final[tuple[str, ...]] = ("signed_file", "api")


class Recall(Base):
    """A recall of one released batch's records, sent to its agency as a signed notice.

    Rows are only added (database triggers refuse UPDATE and DELETE): the notice's SHA-256 is
    written with the row, and the agency's certification of destruction is a row of its own.
    """

    __tablename__ = "recalls"
    __table_args__ = (
        CheckConstraint(_in_list("reason", RECALL_REASONS), name="reason"),
        CheckConstraint(_in_list("scope", RECALL_SCOPES), name="scope"),
        CheckConstraint(
            "reason <> 'court_order' OR court_order IS NOT NULL", name="court_order_cited"
        ),
        CheckConstraint("length(notice_sha256) = 64", name="notice_sha256"),
        CheckConstraint("length(package_sha256) = 64", name="package_sha256"),
        Index(None, "agency", "created_at"),
        Index(None, "batch_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"))
    agency: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(16))
    reason_text: Mapped[str] = mapped_column(Text)
    court_order: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(16))
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("legal_holds.id"))
    package_sha256: Mapped[str] = mapped_column(String(64))
    notice_path: Mapped[str] = mapped_column(Text)
    notice_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class RecallItem(Base):
    """One recalled record and the ledger disclosure entry it recalls; a record is recalled once."""

    __tablename__ = "recall_items"
    __table_args__ = (UniqueConstraint("batch_id", "request_id"),)

    recall_id: Mapped[str] = mapped_column(ForeignKey("recalls.id"), primary_key=True)
    request_id: Mapped[str] = mapped_column(Text, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"))
    # The ledger entry's seq; no foreign key, so the ledger's own guards (append-only
    # triggers, TRUNCATE refused) stay the only thing between it and a change.
    disclosure_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


class RecallCertification(Base):
    """The receiving agency's certification that it destroyed a recall's records (once)."""

    __tablename__ = "recall_certifications"
    __table_args__ = (
        CheckConstraint(_in_list("method", CERTIFICATION_METHODS), name="method"),
        CheckConstraint(
            "document_sha256 IS NULL OR length(document_sha256) = 64", name="document_sha256"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recall_id: Mapped[str] = mapped_column(ForeignKey("recalls.id"), unique=True)
    method: Mapped[str] = mapped_column(String(16))
    statement: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signer_public_key: Mapped[str | None] = mapped_column(Text)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    certified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


APPEND_ONLY_RECALL_TABLES: Final[tuple[str, ...]] = (
    "recalls",
    "recall_items",
    "recall_certifications",
)
"""Tables whose rows the database refuses to change or delete (migration 0005)."""


@event.listens_for(Recall, "before_update")
@event.listens_for(Recall, "before_delete")
@event.listens_for(RecallItem, "before_update")
@event.listens_for(RecallItem, "before_delete")
@event.listens_for(RecallCertification, "before_update")
@event.listens_for(RecallCertification, "before_delete")
def _refuse_recall_change(_mapper: Mapper[Any], _connection: Any, target: Base) -> None:
    raise StateError(f"{type(target).__tablename__} rows are append-only: they cannot be changed")
