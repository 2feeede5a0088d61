"""audit log: append-only, each event chained to the one before by its hash

Revision ID: 0003_audit_chain
Revises: 0002_maturity
Create Date: 2026-11-25 23:55:00

Adds ``seq``, ``previous_hash`` and ``hash`` to ``audit_events`` and links the events already
there, organisation by organisation in the order they were written; the actor's foreign key
loses ``ON DELETE SET NULL`` (that would change the record); and triggers refuse UPDATE and
DELETE (and TRUNCATE on PostgreSQL). A later migration that recreates the table on SQLite
(``batch_alter_table``) must create the triggers again.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace

import sqlalchemy as sa

from alembic import op
from pmo_graph.audit.chain import GENESIS, event_hash

revision: str = "0003_audit_chain"
down_revision: str | Sequence[str] | None = "0002_maturity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION pmo_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""
POSTGRES_TRIGGERS = [
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION pmo_audit_append_only()",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION pmo_audit_append_only()",
]
SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END",
]

events = sa.table(
    "audit_events",
    sa.column("id", sa.BigInteger),
    sa.column("organisation_id", sa.BigInteger),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_user_id", sa.BigInteger),
    sa.column("action", sa.String),
    sa.column("entity_type", sa.String),
    sa.column("entity_pk", sa.String),
    sa.column("changes", sa.JSON),
    sa.column("request_id", sa.String),
    sa.column("seq", sa.BigInteger),
    sa.column("previous_hash", sa.String),
    sa.column("hash", sa.String),
)


def _link_existing() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events).order_by(events.c.organisation_id, events.c.id)
    ).mappings()
    organisation, seq, previous = None, 0, GENESIS
    for row in rows:
        if row["organisation_id"] != organisation:
            organisation, seq, previous = row["organisation_id"], 0, GENESIS
        seq += 1
        values = SimpleNamespace(**{**row, "seq": seq})
        digest = event_hash(values, previous)
        connection.execute(
            events.update()
            .where(events.c.id == row["id"])
            .values(seq=seq, previous_hash=previous, hash=digest)
        )
        previous = digest


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("previous_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _link_existing()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("previous_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_audit_events_organisation_id_seq"), ["organisation_id", "seq"]
        )
        batch_op.drop_constraint("fk_audit_events_actor_user_id_users", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_actor_user_id_users"), "users", ["actor_user_id"], ["id"]
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS pmo_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint("fk_audit_events_actor_user_id_users", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_actor_user_id_users"),
            "users",
            ["actor_user_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_constraint(batch_op.f("uq_audit_events_organisation_id_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("previous_hash")
        batch_op.drop_column("seq")
