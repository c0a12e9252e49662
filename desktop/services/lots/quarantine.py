"""Moving expired stock out of the way: every lot past its expiry (and not released by a supervisor) is
transferred from the bins that hold it to a quarantine location, where it cannot be issued, in one
transaction. Run by hand (`storeroom lots quarantine-expired --to Q-01`), by the plant's scheduler, or by
the application itself every hour when the plant has chosen its quarantine location (a setting)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import Location, Lot, LotBalance
from desktop.models.enums import LocationType, MoveKind
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.admin.plant_settings import store_setting, stored_settings
from desktop.services.catalogue import locations
from desktop.services.stock.moves import MoveRequest, PostResult, post_in

_SETTING = "lots.quarantine_location"  # the location id expired stock goes to by itself; absent: by hand


def _quarantine_bin(s: Session, location_id: int) -> Location:
    target = s.get(Location, location_id)
    if target is None:
        raise NotFound(f"Location #{location_id} does not exist.", field="to_location")
    if target.type != LocationType.QUARANTINE.value:
        raise UserError(
            f"{target.code} is not a quarantine location: expired stock goes where it cannot be issued.",
            field="to_location",
        )
    return target


def quarantine_expired(
    db: Database, actor: Actor, to_location_id: int, *, today: date | None = None, reason: str = "expired"
) -> list[PostResult]:
    """Transfer every expired lot's stock outside quarantine into `to_location_id` (a quarantine bin)."""
    actor.require(Permission.MOVE_STOCK)
    when = today or date.today()

    def op(s: Session) -> list[PostResult]:
        _quarantine_bin(s, to_location_id)
        held = s.execute(
            select(LotBalance.part_id, LotBalance.location_id, LotBalance.lot_id, LotBalance.qty)
            .join(Lot, Lot.id == LotBalance.lot_id)
            .join(Location, Location.id == LotBalance.location_id)
            .where(
                Lot.expires_on < when,
                Lot.released_at.is_(None),
                LotBalance.qty > 0,
                Location.type != LocationType.QUARANTINE.value,
            )
            .order_by(LotBalance.location_id, LotBalance.part_id, LotBalance.lot_id)
        ).all()
        return [
            post_in(
                s,
                actor,
                MoveRequest(MoveKind.TRANSFER, part, qty, loc, to_location_id, reason=reason, lot_id=lot),
            )
            for part, loc, lot, qty in held
        ]

    return db.write(op)


def _chosen(s: Session) -> Location | None:
    """The quarantine location the plant chose, while it exists and is one."""
    stored = stored_settings(s, _SETTING).get(_SETTING, "")
    target = s.get(Location, int(stored)) if stored.isdigit() else None
    return target if target is not None and target.type == LocationType.QUARANTINE.value else None


def quarantine_location_in(s: Session) -> str:
    """The code of the location expired stock moves to by itself; empty: the plant moves it by hand."""
    target = _chosen(s)
    return target.code if target is not None else ""


def quarantine_location(db: Database) -> str:
    return db.read(quarantine_location_in)


def set_quarantine_location(db: Database, actor: Actor, code: str) -> str:
    """An administrator chooses the quarantine location (its code; empty: none, moved by hand)."""
    actor.require(Permission.ADMIN)
    wanted = code.strip().upper()
    # its code, or its label scanned (L-code or the short id form)
    found = locations.get_location_id(db, wanted) if wanted else None

    def op(s: Session) -> str:
        before = quarantine_location_in(s)
        chosen = _quarantine_bin(s, found).code if found is not None else ""
        store_setting(s, _SETTING, "" if found is None else str(found))
        if before != chosen:
            summary = f"quarantine: {before or '-'} -> {chosen or '-'}"
            record(s, actor.user_id, "settings.lots", "setting", None, summary)
        return chosen

    return db.write(op)


def auto_quarantine(db: Database, actor: Actor, *, today: date | None = None) -> list[PostResult]:
    """What the application runs every hour: expired stock to the chosen quarantine location, if the
    plant chose one and the person signed in may move stock (nothing otherwise)."""
    if not actor.can(Permission.MOVE_STOCK):
        return []
    target = db.read(lambda s: target.id if (target := _chosen(s)) is not None else None)
    if target is None:
        return []
    return quarantine_expired(
        db, actor, target, today=today, reason="expired: moved to quarantine automatically"
    )
