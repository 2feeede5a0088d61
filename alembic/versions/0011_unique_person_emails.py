"""one person per email in an organisation

Revision ID: 0011_unique_person_emails
Revises: 0010_webhook_sealed_secrets
Create Date: 2026-12-07 00:00:00

``createPerson`` and ``updatePerson`` checked the email in Python only, so requests at the same
moment could each create a person with it. The database now refuses a second one. People without
an email are not affected (NULLs are distinct). If the database already holds duplicates, the
upgrade stops and names them: give each person a distinct email (``updatePerson``) or clear
it, then upgrade again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pmo_graph.migrations import MigrationError

revision: str = "0011_unique_person_emails"
down_revision: str | Sequence[str] | None = "0010_webhook_sealed_secrets"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "uq_people_organisation_id_email"


def _duplicates() -> list[tuple[str, str, str]]:
    rows = op.get_bind().execute(
        sa.text(
            "SELECT o.slug, p.email, p.id FROM people p JOIN organisations o "
            "ON o.id = p.organisation_id WHERE p.email IS NOT NULL AND EXISTS ("
            "SELECT 1 FROM people q WHERE q.organisation_id = p.organisation_id "
            "AND q.email = p.email AND q.id <> p.id) ORDER BY o.slug, p.email, p.id"
        )
    )
    return [(str(slug), str(email), str(pk)) for slug, email, pk in rows]


def upgrade() -> None:
    found = _duplicates()
    if found:
        listed = "; ".join(f"{slug}: {email} (person {pk})" for slug, email, pk in found[:20])
        more = f" and {len(found) - 20} more" if len(found) > 20 else ""
        raise MigrationError(
            f"{len(found)} people share an email with someone else of their organisation "
            f"({listed}{more}). Give each a distinct email or clear it (updatePerson), then "
            "run 'pmo-graph db upgrade' again."
        )
    with op.batch_alter_table("people") as batch:
        batch.create_unique_constraint(NAME, ["organisation_id", "email"])


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint(NAME, type_="unique")
