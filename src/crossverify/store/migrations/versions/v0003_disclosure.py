"""Disclosure controls: legal holds and per-record reviews.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("court", sa.String(200), nullable=False),
        sa.Column("case_number", sa.String(100), nullable=False),
        sa.Column("agency", sa.String(200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.Integer(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_by", sa.Integer(), nullable=True),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
        sa.ForeignKeyConstraint(
            ["placed_by"], ["users.id"], name=op.f("fk_legal_holds_placed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by"], ["users.id"], name=op.f("fk_legal_holds_lifted_by_users")
        ),
        sa.CheckConstraint(
            "(lifted_at IS NULL) = (lifted_by IS NULL)",
            name=op.f("ck_legal_holds_lifted_together"),
        ),
    )
    op.create_index(op.f("ix_legal_holds_lifted_at"), "legal_holds", ["lifted_at"])
    op.create_table(
        "record_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_reviews")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_record_reviews_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["users.id"], name=op.f("fk_record_reviews_officer_id_users")
        ),
        sa.CheckConstraint(
            "decision IN ('confirm', 'refuse')", name=op.f("ck_record_reviews_decision")
        ),
    )
    op.create_index(
        op.f("ix_record_reviews_batch_id_request_id"), "record_reviews", ["batch_id", "request_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_record_reviews_batch_id_request_id"), table_name="record_reviews")
    op.drop_table("record_reviews")
    op.drop_index(op.f("ix_legal_holds_lifted_at"), table_name="legal_holds")
    op.drop_table("legal_holds")
