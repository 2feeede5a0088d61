"""subscription counts per token and server process

Revision ID: 0007_subscription_counts
Revises: 0006_rate_limits
Create Date: 2026-11-26 00:00:00

How many subscriptions each token holds on each server process, so that the per-token cap
counts every replica (PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_subscription_counts"
down_revision: str | Sequence[str] | None = "0006_rate_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subscription_counts",
        sa.Column("process_id", sa.String(length=32), nullable=False),
        sa.Column("token_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subscriptions", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_subscription_counts_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("process_id", "token_id", name=op.f("pk_subscription_counts")),
    )


def downgrade() -> None:
    op.drop_table("subscription_counts")
