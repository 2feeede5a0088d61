"""Storage: the declarative base, engines and sessions, and the migration runner."""

from pmo_graph.db.base import Base, TenantMixin, TimestampMixin, VersionedMixin, id_column

__all__ = ["Base", "TenantMixin", "TimestampMixin", "VersionedMixin", "id_column"]
