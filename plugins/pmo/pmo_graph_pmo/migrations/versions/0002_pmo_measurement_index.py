"""An index for each benefit's latest measurement

Revision ID: 0002_pmo
Revises: 0001_pmo
Create Date: 2026-11-26 01:05:00

``realisation`` and ``status`` read the latest measurement of a benefit up to a day; with 100
measurements a benefit, sorting them per benefit dominated the portfolio dashboard (issue 8).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002_pmo"
down_revision: str | Sequence[str] | None = "0001_pmo"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("benefit_measurements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_benefit_measurements_benefit_id_measured_on",
            ["benefit_id", "measured_on", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("benefit_measurements", schema=None) as batch_op:
        batch_op.drop_index("ix_benefit_measurements_benefit_id_measured_on")
