"""User badges to print: the `U-` sign-in code as barcodes, the person's name large.

A badge is a credential (scanning it signs the person in), so only administrators print them.
Drawn by the bin-label layout, on a CR80 card or any label format.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import User
from desktop.reports.labels import BinLabel
from desktop.services.actor import Actor, Permission


def badge_labels(db: Database, actor: Actor, user_ids: list[int]) -> list[BinLabel]:
    """One badge per user, in the order given; every user must have a badge code."""
    actor.require(Permission.ADMIN)
    if not user_ids:
        raise UserError("Select at least one user to print a badge for.")

    def op(s: Session) -> list[BinLabel]:
        by_id = {u.id: u for u in s.scalars(select(User).where(User.id.in_(user_ids)))}
        if len(by_id) != len(set(user_ids)):
            raise NotFound("Some of the selected users no longer exist.")
        missing = [by_id[i].user_name for i in user_ids if not by_id[i].badge_code]
        if missing:
            raise UserError(
                f"{', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no badge code yet: "
                "open the user, press New badge and Save, then print."
            )
        return [
            BinLabel(
                code=u.display_name or u.user_name,
                barcode=str(u.badge_code),
                path=f"{u.user_name} · {u.role.lower()}",
                part_description="Storeroom badge: scan it to sign in",
            )
            for u in (by_id[i] for i in user_ids)
        ]

    return db.read(op)


def user_ids_for_names(db: Database, names: list[str]) -> list[int]:
    """Ids of the named users (user names as typed, any case), in the order given."""

    def op(s: Session) -> list[int]:
        wanted = [n.strip().lower() for n in names]
        rows = s.execute(select(User.user_name, User.id).where(User.user_name.in_(wanted))).all()
        found = {name: user_id for name, user_id in rows}
        unknown = [n for n in wanted if n not in found]
        if unknown:
            raise NotFound(f"No user named {', '.join(unknown)}.")
        return [found[n] for n in wanted]

    return db.read(op)
