"""Repairable units by serial number: the states a unit goes through and its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import (
    Asset,
    Location,
    Part,
    SerialEvent,
    SerialUnit,
    User,
)
from desktop.models.enums import SerialState
from desktop.services.actor import Actor, Permission
from desktop.services.common import as_utc, clean_text

# Which serial states may follow which: a unit goes round service and repair, never back from scrap.
SERIAL_NEXT: dict[SerialState, frozenset[SerialState]] = {
    SerialState.AVAILABLE: frozenset({SerialState.ISSUED, SerialState.AT_VENDOR, SerialState.SCRAPPED}),
    SerialState.ISSUED: frozenset(
        {SerialState.IN_REPAIR, SerialState.AT_VENDOR, SerialState.AVAILABLE, SerialState.SCRAPPED}
    ),
    SerialState.IN_REPAIR: frozenset({SerialState.AVAILABLE, SerialState.AT_VENDOR, SerialState.SCRAPPED}),
    SerialState.AT_VENDOR: frozenset({SerialState.AVAILABLE, SerialState.IN_REPAIR, SerialState.SCRAPPED}),
    SerialState.SCRAPPED: frozenset(),
}


@dataclass(frozen=True)
class SerialDTO:
    id: int
    part_id: int
    part_number: str
    serial: str
    state: str
    asset_code: str | None
    location_code: str | None
    reference: str | None


@dataclass(frozen=True)
class SerialEventDTO:
    from_state: str | None
    to_state: str
    asset_code: str | None
    location_code: str | None
    reference: str | None
    note: str | None
    user_name: str
    at: datetime


def _serial_dto(s: Session, u: SerialUnit) -> SerialDTO:
    number = s.scalar(select(Part.part_number).where(Part.id == u.part_id)) or ""
    asset = s.scalar(select(Asset.code).where(Asset.id == u.asset_id)) if u.asset_id else None
    loc = s.scalar(select(Location.code).where(Location.id == u.location_id)) if u.location_id else None
    return SerialDTO(u.id, u.part_id, number, u.serial, u.state, asset, loc, u.reference)


def add_serial(
    db: Database, actor: Actor, part_id: int, serial: str, *, location_id: int | None = None
) -> SerialDTO:
    """Register a repairable unit, AVAILABLE (in a bin when `location_id` is given)."""
    actor.require(Permission.MOVE_STOCK)
    text = clean_text(serial, field="serial", label="Serial number", max_len=60, required=True)
    assert text is not None

    def op(s: Session) -> SerialDTO:
        if s.get(Part, part_id) is None:
            raise NotFound(f"Part #{part_id} does not exist.", field="part")
        key = text.upper()
        if s.scalar(select(SerialUnit.id).where(SerialUnit.part_id == part_id, SerialUnit.serial_key == key)):
            raise Conflict(f"Serial {text} is registered for this part already.", field="serial")
        u = SerialUnit(
            part_id=part_id,
            serial=text,
            serial_key=key,
            state=SerialState.AVAILABLE.value,
            location_id=location_id,
        )
        s.add(u)
        s.flush()
        s.add(
            SerialEvent(
                serial_unit_id=u.id,
                from_state=None,
                to_state=u.state,
                location_id=location_id,
                note="registered",
                user_id=actor.user_id,
            )
        )
        s.flush()
        return _serial_dto(s, u)

    return db.write(op)


def change_serial(
    db: Database,
    actor: Actor,
    unit_id: int,
    state: str,
    *,
    asset_id: int | None = None,
    location_id: int | None = None,
    reference: str | None = None,
    note: str | None = None,
) -> SerialDTO:
    """Move a unit round its cycle: AVAILABLE -> ISSUED -> IN_REPAIR / AT_VENDOR -> AVAILABLE or SCRAPPED."""
    actor.require(Permission.MOVE_STOCK)
    try:
        target = SerialState(state)
    except ValueError:
        raise UserError(f"Unknown state {state}.", field="state") from None
    ref = clean_text(reference, field="reference", label="Reference", max_len=60)
    why = clean_text(note, field="note", label="Note", max_len=200, required=target is SerialState.SCRAPPED)
    if target is SerialState.ISSUED and asset_id is None:
        raise UserError("Say which asset the unit is fitted to.", field="asset")
    if target is SerialState.AT_VENDOR and ref is None:
        raise UserError("Type the repair order or vendor reference.", field="reference")

    def op(s: Session) -> SerialDTO:
        u = s.scalar(select(SerialUnit).where(SerialUnit.id == unit_id).with_for_update())
        if u is None:
            raise NotFound(f"Serial unit #{unit_id} does not exist.")
        current = SerialState(u.state)
        if target not in SERIAL_NEXT[current]:
            allowed = ", ".join(sorted(x.value for x in SERIAL_NEXT[current])) or "nothing (final)"
            raise Conflict(
                f"Serial {u.serial} is {current.value}: it can go to {allowed}, not {target.value}.",
                field="state",
            )
        if asset_id is not None and s.get(Asset, asset_id) is None:
            raise NotFound(f"Asset #{asset_id} does not exist.", field="asset")
        u.state = target.value
        u.asset_id = asset_id if target is SerialState.ISSUED else None
        u.location_id = location_id if target is SerialState.AVAILABLE else None
        u.reference = ref
        s.add(
            SerialEvent(
                serial_unit_id=u.id,
                from_state=current.value,
                to_state=target.value,
                asset_id=asset_id,
                location_id=location_id,
                reference=ref,
                note=why,
                user_id=actor.user_id,
            )
        )
        s.flush()
        return _serial_dto(s, u)

    return db.write(op)


def serials(db: Database, *, part_id: int | None = None) -> list[SerialDTO]:
    def op(s: Session) -> list[SerialDTO]:
        stmt = select(SerialUnit).order_by(SerialUnit.part_id, SerialUnit.serial_key)
        if part_id is not None:
            stmt = stmt.where(SerialUnit.part_id == part_id)
        return [_serial_dto(s, u) for u in s.scalars(stmt.limit(5000))]

    return db.read(op)


def serial_history(db: Database, unit_id: int) -> list[SerialEventDTO]:
    """Every state change of one unit, oldest first."""

    def op(s: Session) -> list[SerialEventDTO]:
        rows = s.execute(
            select(SerialEvent, User.user_name, Asset.code, Location.code)
            .join(User, User.id == SerialEvent.user_id)
            .outerjoin(Asset, Asset.id == SerialEvent.asset_id)
            .outerjoin(Location, Location.id == SerialEvent.location_id)
            .where(SerialEvent.serial_unit_id == unit_id)
            .order_by(SerialEvent.at, SerialEvent.id)
        ).tuples()
        return [
            SerialEventDTO(e.from_state, e.to_state, a, loc, e.reference, e.note, user, as_utc(e.at))
            for e, user, a, loc in rows
        ]

    return db.read(op)
