"""room for sealed webhook secrets

Revision ID: 0010_webhook_sealed_secrets
Revises: 0009_webhook_failure_streak
Create Date: 2026-11-26 00:00:00

With ``PMO_GRAPH_SECRET_KEYS`` set, a webhook's signing secret is stored sealed (``sealed:`` and a
Fernet token, about 170 characters), longer than the 128 the columns held.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_webhook_sealed_secrets"
down_revision: str | Sequence[str] | None = "0009_webhook_failure_streak"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("secret", "previous_secret")


def upgrade() -> None:
    with op.batch_alter_table("webhooks") as batch:
        for column in COLUMNS:
            batch.alter_column(
                column, type_=sa.String(length=512), existing_type=sa.String(length=128)
            )


def downgrade() -> None:
    # Sealed secrets do not fit the old width: open them first (unset the keys and rotate).
    with op.batch_alter_table("webhooks") as batch:
        for column in COLUMNS:
            batch.alter_column(
                column, type_=sa.String(length=128), existing_type=sa.String(length=512)
            )
