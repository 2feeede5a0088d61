"""a webhook's failed deliveries in a row, and when it was switched off for them

Revision ID: 0009_webhook_failure_streak
Revises: 0008_webhook_previous_secret
Create Date: 2026-11-26 00:00:00

After ``PMO_GRAPH_WEBHOOK_DISABLE_AFTER`` deliveries in a row fail for good, the webhook is
switched off (``active`` false, ``disabled_at`` set, audited).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_webhook_failure_streak"
down_revision: str | Sequence[str] | None = "0008_webhook_previous_secret"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhooks") as batch:
        batch.add_column(
            sa.Column("failure_streak", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhooks") as batch:
        batch.drop_column("disabled_at")
        batch.drop_column("failure_streak")
