"""a webhook's previous secret, signing beside the new one for a while after a rotation

Revision ID: 0008_webhook_previous_secret
Revises: 0007_subscription_counts
Create Date: 2026-11-26 00:00:00

``rotateWebhookSecret(keepPreviousHours:)`` keeps the old secret signing deliveries beside the
new one until ``previous_secret_expires_at``, so receivers can switch without losing one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_webhook_previous_secret"
down_revision: str | Sequence[str] | None = "0007_subscription_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhooks") as batch:
        batch.add_column(sa.Column("previous_secret", sa.String(length=128), nullable=True))
        batch.add_column(
            sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("webhooks") as batch:
        batch.drop_column("previous_secret_expires_at")
        batch.drop_column("previous_secret")
