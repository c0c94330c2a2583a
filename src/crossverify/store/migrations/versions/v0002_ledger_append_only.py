"""Make the ledger append-only in the database: triggers refuse UPDATE and DELETE.

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-15

Anyone able to drop a trigger can still rewrite rows; the hash chain is what detects that.
The triggers stop every ordinary path (application bugs, ad-hoc SQL, ORM flushes).
"""

from __future__ import annotations

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

SQLITE_UPGRADE = (
    """
    CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
    BEGIN
        SELECT RAISE(ABORT, 'ledger is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
    BEGIN
        SELECT RAISE(ABORT, 'ledger is append-only: DELETE refused');
    END
    """,
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS ledger_no_delete",
    "DROP TRIGGER IF EXISTS ledger_no_update",
)

POSTGRESQL_UPGRADE = (
    # SQLSTATE 23001 (restrict_violation) makes drivers report an integrity error, as
    # SQLite's RAISE(ABORT) does.
    """
    CREATE FUNCTION ledger_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'ledger is append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER ledger_no_update_delete BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()
    """,
    """
    CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
    """,
)
POSTGRESQL_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS ledger_no_truncate ON ledger",
    "DROP TRIGGER IF EXISTS ledger_no_update_delete ON ledger",
    "DROP FUNCTION IF EXISTS ledger_refuse_change()",
)


def _statements(*, upgrading: bool) -> tuple[str, ...]:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        return SQLITE_UPGRADE if upgrading else SQLITE_DOWNGRADE
    if dialect == "postgresql":
        return POSTGRESQL_UPGRADE if upgrading else POSTGRESQL_DOWNGRADE
    raise NotImplementedError(f"no append-only ledger triggers for {dialect!r}")


def upgrade() -> None:
    for statement in _statements(upgrading=True):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(upgrading=False):
        op.execute(statement)
