"""Recalls of released records: recalls, recall_items, recall_certifications, append-only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

A recall never changes the ledger: it adds entries that point at the disclosure entries it
recalls. Its own rows are only added too; triggers refuse UPDATE and DELETE, as for the ledger.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

TABLES = ("recalls", "recall_items", "recall_certifications")


def _sqlite_upgrade(table: str) -> tuple[str, ...]:
    return tuple(
        f"""
        CREATE TRIGGER {table}_no_{op_name.lower()} BEFORE {op_name} ON {table}
        BEGIN
            SELECT RAISE(ABORT, '{table} is append-only: {op_name} refused');
        END
        """
        for op_name in ("UPDATE", "DELETE")
    )


def _postgresql_upgrade(table: str) -> tuple[str, ...]:
    return (
        f"""
        CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION recall_refuse_change()
        """,
        f"""
        CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION recall_refuse_change()
        """,
    )


POSTGRESQL_FUNCTION = """
    CREATE FUNCTION recall_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
"""


def _create_tables() -> None:
    op.create_table(
        "recalls",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("reason_text", sa.Text(), nullable=False),
        sa.Column("court_order", sa.Text(), nullable=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("hold_id", sa.Integer(), nullable=True),
        sa.Column("package_sha256", sa.String(64), nullable=False),
        sa.Column("notice_path", sa.Text(), nullable=False),
        sa.Column("notice_sha256", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recalls")),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_recalls_batch_id_batches")
        ),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["legal_holds.id"], name=op.f("fk_recalls_hold_id_legal_holds")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_recalls_created_by_users")
        ),
        sa.CheckConstraint(
            "reason IN ('wrong_person', 'court_order', 'policy_error')",
            name=op.f("ck_recalls_reason"),
        ),
        sa.CheckConstraint("scope IN ('requests', 'batch', 'hold')", name=op.f("ck_recalls_scope")),
        sa.CheckConstraint(
            "reason <> 'court_order' OR court_order IS NOT NULL",
            name=op.f("ck_recalls_court_order_cited"),
        ),
        sa.CheckConstraint("length(notice_sha256) = 64", name=op.f("ck_recalls_notice_sha256")),
        sa.CheckConstraint("length(package_sha256) = 64", name=op.f("ck_recalls_package_sha256")),
    )
    op.create_index(op.f("ix_recalls_agency_created_at"), "recalls", ["agency", "created_at"])
    op.create_index(op.f("ix_recalls_batch_id"), "recalls", ["batch_id"])
    op.create_table(
        "recall_items",
        sa.Column("recall_id", sa.String(64), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column(
            "disclosure_seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("recall_id", "request_id", name=op.f("pk_recall_items")),
        sa.ForeignKeyConstraint(
            ["recall_id"], ["recalls.id"], name=op.f("fk_recall_items_recall_id_recalls")
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["batches.id"], name=op.f("fk_recall_items_batch_id_batches")
        ),
        sa.UniqueConstraint(
            "batch_id", "request_id", name=op.f("uq_recall_items_batch_id_request_id")
        ),
    )
    op.create_table(
        "recall_certifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recall_id", sa.String(64), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("signer_name", sa.String(200), nullable=True),
        sa.Column("signer_public_key", sa.Text(), nullable=True),
        sa.Column("document_sha256", sa.String(64), nullable=True),
        sa.Column("certified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recall_certifications")),
        sa.ForeignKeyConstraint(
            ["recall_id"], ["recalls.id"], name=op.f("fk_recall_certifications_recall_id_recalls")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_recall_certifications_recorded_by_users"),
        ),
        sa.UniqueConstraint("recall_id", name=op.f("uq_recall_certifications_recall_id")),
        sa.CheckConstraint(
            "method IN ('signed_file', 'api')", name=op.f("ck_recall_certifications_method")
        ),
        sa.CheckConstraint(
            "document_sha256 IS NULL OR length(document_sha256) = 64",
            name=op.f("ck_recall_certifications_document_sha256"),
        ),
    )


def upgrade() -> None:
    _create_tables()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        statements = tuple(s for table in TABLES for s in _sqlite_upgrade(table))
    elif dialect == "postgresql":
        statements = (POSTGRESQL_FUNCTION, *(s for t in TABLES for s in _postgresql_upgrade(t)))
    else:
        raise NotImplementedError(f"no append-only recall triggers for {dialect!r}")
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in reversed(TABLES):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS recall_refuse_change()")
    op.drop_table("recall_certifications")
    op.drop_table("recall_items")
    op.drop_index(op.f("ix_recalls_batch_id"), table_name="recalls")
    op.drop_index(op.f("ix_recalls_agency_created_at"), table_name="recalls")
    op.drop_table("recalls")
