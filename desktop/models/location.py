from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Stamped


class Location(Stamped, Base):
    __tablename__ = "location"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), index=True)
    level: Mapped[str] = mapped_column(String(8))
    type: Mapped[str] = mapped_column(String(20))
    # Codes from the root down, '/'-joined and '/'-terminated: a subtree is one indexed LIKE 'path%'.
    path: Mapped[str] = mapped_column(String(400), index=True)
    walk_order: Mapped[int] = mapped_column(default=0)
    allow_negative: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str | None] = mapped_column(Text)
