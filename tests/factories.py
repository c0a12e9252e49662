"""Small builders for test data, going through the real services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import update

from desktop.db import Database
from desktop.models.enums import LocationLevel, LocationType, MoveKind, Role
from desktop.services.actor import Actor
from desktop.services.admin.users import UserDTO, save_user
from desktop.services.catalogue.locations import LocationDTO, LocationInput, create_location
from desktop.services.catalogue.parts import PartDTO, PartInput, create_part
from desktop.services.stock.moves import MoveRequest, PostResult, post_move


def make_tree(db: Database, actor: Actor) -> dict[str, LocationDTO]:
    """PLANT > STORES > R01 > A-01-01 / A-01-02, plus a QUARANTINE area with bin Q-01."""
    spec = [
        ("PLANT", "Main plant", LocationLevel.SITE, LocationType.STOREROOM, None),
        ("STORES", "Main stores", LocationLevel.AREA, LocationType.STOREROOM, "PLANT"),
        ("R01", "Rack 1", LocationLevel.RACK, LocationType.STOREROOM, "STORES"),
        ("A-01-01", "Bin A-01-01", LocationLevel.BIN, LocationType.STOREROOM, "R01"),
        ("A-01-02", "Bin A-01-02", LocationLevel.BIN, LocationType.STOREROOM, "R01"),
        ("QA", "Quarantine", LocationLevel.AREA, LocationType.QUARANTINE, "PLANT"),
        ("Q-01", "Quarantine bin", LocationLevel.BIN, LocationType.QUARANTINE, "QA"),
    ]
    out = {}
    for n, (code, name, level, kind, parent) in enumerate(spec):
        out[code] = create_location(
            db, actor, LocationInput(code, name, level.value, kind.value, parent, n * 10)
        )
    return out


def make_part(db: Database, actor: Actor, number: str = "6205-2RS", **kw: object) -> PartDTO:
    data = {"description": "Deep groove ball bearing 25x52x15", "unit": "EA", "category": "MRO"}
    data.update(kw)
    return create_part(db, actor, PartInput(part_number=number, **data))  # type: ignore[arg-type]


def receive(db: Database, actor: Actor, part_id: int, loc_id: int, qty: str) -> PostResult:
    return post_move(db, actor, MoveRequest(MoveKind.RECEIPT, part_id, Decimal(qty), to_location_id=loc_id))


def make_keeper(
    db: Database, admin: Actor, name: str = "kim", *, pin: str = "1111", badge: str = "U-KIM1"
) -> UserDTO:
    """A storeroom keeper with a PIN and a badge, added by `admin` as under Users."""
    return save_user(
        db,
        admin,
        user_id=None,
        user_name=name,
        display_name=f"{name.capitalize()} Keeper",
        role=Role.KEEPER,
        secret=pin,
        badge_code=badge,
    )


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment of the plant's (this PC's) local time, as an aware datetime."""
    return datetime.combine(day, time(hour, minute)).astimezone()


def place_at(db: Database, model: type, when: dict[int, datetime]) -> None:
    """Test arrangement only: put ledger (or short-issue) rows at the given moments."""
    sqlite = db.engine.dialect.name == "sqlite"

    def op(s):  # type: ignore[no-untyped-def]
        for row_id, at in when.items():
            value = at.astimezone(UTC).replace(tzinfo=None) if sqlite else at
            s.execute(update(model).where(model.id == row_id).values(at=value))

    db.write(op)
