from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base


class AuditEvent(Base):
    """Who did what to master data and accounts (stock moves are audited by the ledger itself).

    Append-only: the runtime role may only INSERT here (desktop.services.admin.server_roles)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    # None for a failed sign-in under an unknown name
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(400))
    # The hash chain (desktop.services.admin.audit_chain): each row carries the previous row's hash and its
    # own over (previous hash + content). Unique: two appends can never follow the same row.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    row_hash: Mapped[str] = mapped_column(String(64))
