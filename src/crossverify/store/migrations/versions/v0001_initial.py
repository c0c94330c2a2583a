"""Initial schema: users, batches, record outcomes, approvals, ledger.

Revision ID: 0001
Revises:
Create Date: 2026-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

GENESIS_HASH = "0" * 64


def _seq_type() -> sa.types.TypeEngine[int]:
    # BIGINT on PostgreSQL; INTEGER on SQLite so that seq is the rowid.
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agency", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
        sa.CheckConstraint(
            "role IN ('requester', 'officer', 'auditor', 'admin')", name=op.f("ck_users_role")
        ),
        sa.CheckConstraint(
            "role <> 'requester' OR agency IS NOT NULL", name=op.f("ck_users_requester_agency")
        ),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("official_name", sa.String(200), nullable=False),
        sa.Column("official_title", sa.String(200), nullable=False),
        sa.Column("signer_public_key", sa.Text(), nullable=False),
        sa.Column("certification", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("request_file", sa.Text(), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("manifest", sa.Text(), nullable=False),
        sa.Column("policy_id", sa.String(100), nullable=True),
        sa.Column("model_id", sa.String(100), nullable=True),
        sa.Column("rows_read", sa.Integer(), nullable=True),
        sa.Column("counts", sa.Text(), nullable=True),
        sa.Column("expected_wrong_matches", sa.Float(), nullable=True),
        sa.Column("package_path", sa.Text(), nullable=True),
        sa.Column("package_sha256", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_batches_submitted_by_users")
        ),
        sa.CheckConstraint(
            "status IN ('submitted', 'running', 'decided', 'approved', 'released', 'refused')",
            name=op.f("ck_batches_status"),
        ),
        sa.CheckConstraint("length(request_sha256) = 64", name=op.f("ck_batches_request_sha256")),
        sa.CheckConstraint(
            "package_sha256 IS NULL OR length(package_sha256) = 64",
            name=op.f("ck_batches_package_sha256"),
        ),
        sa.CheckConstraint(
            "rows_read IS NULL OR rows_read >= 0", name=op.f("ck_batches_rows_read")
        ),
        sa.CheckConstraint(
            "expected_wrong_matches IS NULL OR expected_wrong_matches >= 0",
            name=op.f("ck_batches_expected_wrong_matches"),
        ),
    )
    op.create_index(op.f("ix_batches_status_created_at"), "batches", ["status", "created_at"])
    op.create_index(op.f("ix_batches_agency_created_at"), "batches", ["agency", "created_at"])
    op.create_index(op.f("ix_batches_submitted_by"), "batches", ["submitted_by"])

    op.create_table(
        "record_outcomes",
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("reasons", sa.String(100), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("tin", sa.String(9), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("tax_year", sa.Integer(), nullable=True),
        sa.Column("street", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("state", sa.String(8), nullable=True),
        sa.Column("zip", sa.String(10), nullable=True),
        sa.Column("source", sa.String(32), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", "row_number", name=op.f("pk_record_outcomes")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_record_outcomes_batch_id_batches")
        ),
        sa.CheckConstraint(
            "outcome IN ('M1', 'M2', 'M3', 'N1', 'N2', 'N3', 'N4', 'N5', 'REJECTED')",
            name=op.f("ck_record_outcomes_outcome"),
        ),
        sa.CheckConstraint(
            "outcome <> 'REJECTED' OR reasons IS NOT NULL",
            name=op.f("ck_record_outcomes_reasons"),
        ),
        sa.CheckConstraint("row_number >= 1", name=op.f("ck_record_outcomes_row_number")),
        sa.CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
            name=op.f("ck_record_outcomes_confidence"),
        ),
    )
    op.create_index(
        op.f("ix_record_outcomes_batch_id_request_id"),
        "record_outcomes",
        ["batch_id", "request_id"],
    )
    op.create_index(op.f("ix_record_outcomes_tin"), "record_outcomes", ["tin"])

    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_approvals_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["users.id"], name=op.f("fk_approvals_officer_id_users")
        ),
        sa.UniqueConstraint(
            "batch_id", "officer_id", name=op.f("uq_approvals_batch_id_officer_id")
        ),
    )
    op.create_index(op.f("ix_approvals_officer_id"), "approvals", ["officer_id"])

    op.create_table(
        "ledger",
        sa.Column("seq", _seq_type(), autoincrement=False, nullable=False),
        sa.Column("entry_type", sa.String(16), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=True),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger")),
        sa.UniqueConstraint("hash", name=op.f("uq_ledger_hash")),
        sa.CheckConstraint(
            "entry_type IN ('disclosure', 'event')", name=op.f("ck_ledger_entry_type")
        ),
        sa.CheckConstraint("seq >= 1", name=op.f("ck_ledger_seq")),
        sa.CheckConstraint(
            f"seq > 1 OR prev_hash = '{GENESIS_HASH}'", name=op.f("ck_ledger_genesis")
        ),
        sa.CheckConstraint(
            "length(prev_hash) = 64 AND length(hash) = 64", name=op.f("ck_ledger_hash_length")
        ),
    )
    op.create_index(op.f("ix_ledger_batch_id_request_id"), "ledger", ["batch_id", "request_id"])
    op.create_index(op.f("ix_ledger_created_at"), "ledger", ["created_at"])


def downgrade() -> None:
    op.drop_table("ledger")
    op.drop_table("approvals")
    op.drop_table("record_outcomes")
    op.drop_table("batches")
    op.drop_table("users")
