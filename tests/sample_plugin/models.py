"""The sample plugin's table."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pmo_graph.sdk import Base, BigId, TenantMixin, id_column


class SampleNote(TenantMixin, Base):
    """A note on a project."""

    __tablename__ = "sample_notes"

    id: Mapped[int] = id_column()
    project_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("projects.id", ondelete="CASCADE"), index=True, nullable=False
    )
    text: Mapped[str] = mapped_column(String(500), nullable=False)
