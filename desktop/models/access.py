"""Sign-in lock-outs and the PostgreSQL runtime roles the schema owner has granted to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, func
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base


class SignInGuard(Base):
    """Wrong PINs in a row for one account (scope "user") or from one PC (scope "pc").

    Kept apart from app_user: the runtime role may write this table but not the accounts."""

    __tablename__ = "sign_in_guard"

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None]
    locked_at: Mapped[datetime | None]


class RuntimeRole(Base):
    """A PostgreSQL role the clients log in as; every upgrade re-grants the app's rights to it."""

    __tablename__ = "runtime_role"

    role_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(server_default=func.now())
