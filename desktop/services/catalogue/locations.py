"""The location tree (site > area > rack > bin) and what each location holds."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, and_, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.codes import is_safe, location_payload
from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import Location, Part, StockBalance
from desktop.models.enums import LocationLevel, LocationType
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue import label_rows
from desktop.services.common import clean_text
from desktop.services.text_rules import clean_notes

CODE_MAX = 30


@dataclass(frozen=True)
class LocationInput:
    code: str
    name: str
    level: str
    type: str = LocationType.STOREROOM.value
    parent_code: str | None = None
    walk_order: int = 0
    allow_negative: bool = False
    notes: str | None = None
    active: bool = True


@dataclass(frozen=True)
class LocationDTO:
    id: int
    code: str
    barcode: str
    name: str
    level: str
    type: str
    parent_id: int | None
    path: str
    walk_order: int
    allow_negative: bool
    active: bool
    notes: str | None

    @property
    def display_path(self) -> str:
        return " > ".join(self.path.strip("/").split("/"))


@dataclass(frozen=True)
class HeldStock:
    part_id: int
    part_number: str
    description: str
    unit: str
    location_code: str
    qty: Decimal


@dataclass(frozen=True)
class LocationDetail:
    location: LocationDTO
    contents: tuple[HeldStock, ...]
    children: int
    truncated: bool = False  # a site or area holds more lines than a screen list is for


def within(path: str) -> ColumnElement[bool]:
    """Locations at or below `path`, as a range on the indexed path column (a LIKE 'x%' is not
    index-assisted on SQLite: a rack scan read every location). Paths end in '/', and '0' is the
    character after '/', so the range [path, path[:-1] + '0') holds exactly the subtree."""
    lo, hi = subtree_bounds(path)
    return and_(Location.path >= lo, Location.path < hi)


def subtree_bounds(path: str) -> tuple[str, str]:
    """[lo, hi) of the paths at or below `path` (see within())."""
    return path, path[:-1] + "0"


def _dto(loc: Location | Row[Any]) -> LocationDTO:
    return LocationDTO(
        loc.id,
        loc.code,
        location_payload(loc.code),
        loc.name,
        loc.level,
        loc.type,
        loc.parent_id,
        loc.path,
        loc.walk_order,
        loc.allow_negative,
        loc.active,
        loc.notes,
    )


def normalize_code(code: str) -> str:
    clean = code.strip().upper()
    if not clean:
        raise UserError("Location code is required.", field="code")
    if len(clean) > CODE_MAX or not is_safe(clean):
        raise UserError(
            f"A location code uses only A-Z, 0-9 and '-' (at most {CODE_MAX}), "
            f"so every scanner reads it back: '{code.strip()}' does not.",
            field="code",
        )
    return clean


def validate_location(data: LocationInput) -> LocationInput:
    if data.level not in LocationLevel.__members__:
        raise UserError(f"Level must be one of {', '.join(LocationLevel)}.", field="level")
    if data.type not in LocationType.__members__:
        raise UserError(f"Type must be one of {', '.join(LocationType)}.", field="type")
    if data.walk_order < 0:
        raise UserError("Walk order cannot be negative.", field="walk_order")
    name = clean_text(data.name, field="name", label="Name", max_len=120) or normalize_code(data.code)
    parent = normalize_code(data.parent_code) if data.parent_code and data.parent_code.strip() else None
    return LocationInput(
        normalize_code(data.code),
        name,
        data.level,
        data.type,
        parent,
        data.walk_order,
        data.allow_negative,
        clean_notes(data.notes),
        data.active,
    )


def _by_code(s: Session, code: str) -> Location | None:
    return s.scalar(select(Location).where(Location.code == code.strip().upper()))


def _place(s: Session, loc: Location, data: LocationInput) -> None:
    """Check the parent and set path; a child is never shallower than its parent, and nothing is in a bin."""
    level = LocationLevel(data.level)
    if data.parent_code is None:
        if level is not LocationLevel.SITE:
            raise UserError(f"A {level.value.lower()} must sit inside a parent location.", field="parent")
        loc.parent_id, loc.path = None, f"{data.code}/"
        return
    parent = _by_code(s, data.parent_code)
    if parent is None:
        raise NotFound(f"No parent location with code {data.parent_code}.", field="parent")
    if loc.id is not None and (parent.id == loc.id or parent.path.startswith(loc.path)):
        raise UserError("A location cannot be moved inside itself.", field="parent")
    # a level may repeat below itself (building > room are areas, rack > shelf racks); a bin holds no place
    inside = LocationLevel(parent.level)
    if inside is LocationLevel.BIN or inside.depth > level.depth or level is LocationLevel.SITE:
        raise UserError(
            f"A {level.value.lower()} cannot sit inside a {parent.level.lower()}.", field="parent"
        )
    loc.parent_id, loc.path = parent.id, f"{parent.path}{data.code}/"


def save_location(s: Session, loc: Location, data: LocationInput) -> LocationDTO:
    clash = _by_code(s, data.code)
    if clash is not None and clash.id != loc.id:
        raise Conflict(f"Location code {data.code} is already used ({clash.name}).", field="code")
    old_path = loc.path
    _place(s, loc, data)
    loc.code, loc.name, loc.level, loc.type = data.code, data.name, data.level, data.type
    loc.walk_order, loc.allow_negative, loc.notes, loc.active = (
        data.walk_order,
        data.allow_negative,
        data.notes,
        data.active,
    )
    s.add(loc)
    try:
        s.flush()
    except IntegrityError as exc:
        raise Conflict(f"Location code {data.code} is already used.", field="code") from exc
    if old_path and old_path != loc.path:  # renamed or moved: descendants' stored paths follow
        for child in s.scalars(select(Location).where(within(old_path), Location.id != loc.id)):
            child.path = loc.path + child.path[len(old_path) :]
        s.flush()
    return _dto(loc)


def create_location(db: Database, actor: Actor, data: LocationInput) -> LocationDTO:
    actor.require(Permission.EDIT_LOCATIONS)
    clean = validate_location(data)

    def op(s: Session) -> LocationDTO:
        dto = save_location(s, Location(), clean)
        record(
            s,
            actor.user_id,
            "location.create",
            "location",
            dto.id,
            f"created {dto.code} ({dto.level}) in {dto.path}",
        )
        return dto

    return db.write(op)


def update_location(db: Database, actor: Actor, location_id: int, data: LocationInput) -> LocationDTO:
    actor.require(Permission.EDIT_LOCATIONS)
    clean = validate_location(data)

    def op(s: Session) -> LocationDTO:
        loc = s.get(Location, location_id)
        if loc is None:
            raise NotFound(f"Location #{location_id} no longer exists.")
        if not clean.active and loc.active and _holds_stock(s, loc):
            raise UserError(
                f"{loc.code} (or a location inside it) still holds stock; move it out before deactivating.",
                field="active",
            )
        before = _dto(loc)
        dto = save_location(s, loc, clean)
        diffs = [
            f"{f} {getattr(before, f)} -> {getattr(dto, f)}"
            for f in ("code", "name", "level", "type", "path", "walk_order", "allow_negative", "active")
            if getattr(before, f) != getattr(dto, f)
        ]
        record(
            s,
            actor.user_id,
            "location.update",
            "location",
            dto.id,
            f"{dto.code}: {', '.join(diffs) or 'saved'}",
        )
        return dto

    return db.write(op)


def _holds_stock(s: Session, loc: Location) -> bool:
    return (
        s.scalar(
            select(StockBalance.part_id)
            .join(Location, Location.id == StockBalance.location_id)
            .where(within(loc.path), StockBalance.qty != 0)
            .limit(1)
        )
        is not None
    )


def list_locations(db: Database, *, include_inactive: bool = False) -> list[LocationDTO]:
    """Every location, parents before children, siblings in walk order then code."""

    def op(s: Session) -> list[LocationDTO]:
        stmt = select(Location)
        if not include_inactive:
            stmt = stmt.where(Location.active)
        return [_dto(x) for x in s.scalars(stmt.order_by(Location.path))]

    rows = db.read(op)
    by_parent: dict[int | None, list[LocationDTO]] = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)
    ordered: list[LocationDTO] = []

    def walk(parent: int | None) -> None:
        for child in sorted(by_parent.get(parent, []), key=lambda r: (r.walk_order, r.code)):
            ordered.append(child)
            walk(child.id)

    known = {r.id for r in rows}
    walk(None)
    for orphan_parent in [p for p in by_parent if p is not None and p not in known]:
        walk(orphan_parent)  # children of an inactive parent still show when inactive ones are hidden
    return ordered


# lines of a rack, area or site a scan lists (about 20 screens; filling the table is the cost a keeper
# waits for: 2,000 lines took 180 ms to paint, bench/bench_scan_paint.py); the rest by scanning a rack or bin
SHOWN_LINES = 500


# Built once and run on the session's connection: a scan of a bin label shows these (Core rows, none of
# the ORM's per-query work). One bin: its parts; a subtree: by path, which the index already holds in
# order (sorting an area's 100,000 lines by walk order first took 185 ms, by path 5 ms).
_HELD = (
    select(Part.id, Part.part_number, Part.description, Part.unit, Location.code, StockBalance.qty)
    .join(Part, Part.id == StockBalance.part_id)
    .join(Location, Location.id == StockBalance.location_id)
    .where(StockBalance.qty != 0)
    .limit(bindparam("limit"))
)
_HELD_IN_BIN = _HELD.where(StockBalance.location_id == bindparam("location_id")).order_by(Part.number_key)
_HELD_BELOW = _HELD.where(
    Location.path >= bindparam("lo"),
    Location.path < bindparam("hi"),  # as within(): the subtree
).order_by(Location.path, Part.number_key)
_CHILD = Location.__table__.alias("child")
# A location's row and how many locations it holds, in one query; by code (a scan) or by id.
_WITH_CHILDREN = select(
    Location.__table__,
    select(func.count())
    .select_from(_CHILD)
    .where(_CHILD.c.parent_id == Location.id)
    .scalar_subquery()
    .label("children"),
)
_BY_CODE = _WITH_CHILDREN.where(Location.code == bindparam("code"))
_BY_ID = _WITH_CHILDREN.where(Location.id == bindparam("id"))


def find_location_detail(s: Session, code: str) -> LocationDetail | None:
    """The location a code names (as scanned, already normalized) with what it holds, or None."""
    return _detail(s.connection(), _BY_CODE, {"code": code})


def find_location_detail_by_id(s: Session, location_id: int) -> LocationDetail | None:
    """The location with this id (a scanned `L--<id>` label) with what it holds, or None."""
    return _detail(s.connection(), _BY_ID, {"id": location_id})


def _detail(conn: Connection, stmt: Select[Any], params: dict[str, Any]) -> LocationDetail | None:
    """The location with what it holds (itself and everything below), the first SHOWN_LINES lines."""
    location = conn.execute(stmt, params).first()
    if location is None:
        return None
    limit = SHOWN_LINES + 1  # one more, to know there are more
    if location.children:
        lo, hi = subtree_bounds(location.path)
        rows = conn.execute(_HELD_BELOW, {"lo": lo, "hi": hi, "limit": limit})
    else:
        rows = conn.execute(_HELD_IN_BIN, {"location_id": location.id, "limit": limit})
    contents = [HeldStock(*r) for r in rows.all()]  # fetchall: fetching row by row cost 2 ms an area
    return LocationDetail(
        _dto(location), tuple(contents[:SHOWN_LINES]), location.children, len(contents) > SHOWN_LINES
    )


def get_location(db: Database, location_id: int) -> LocationDetail:
    found = db.read(lambda s: _detail(s.connection(), _BY_ID, {"id": location_id}))
    if found is None:
        raise NotFound(f"Location #{location_id} does not exist.")
    return found


def get_location_id(db: Database, code: str) -> int:
    """See label_rows.location_id (plain rows, so `storeroom labels bins` needs no ORM for it)."""
    return label_rows.location_id(db, code)


def renumber_walk(db: Database, actor: Actor, ordered_ids: list[int]) -> None:
    """Set walk order 10, 20, 30... in the given order (the count route)."""
    actor.require(Permission.EDIT_LOCATIONS)

    def op(s: Session) -> None:
        for n, loc_id in enumerate(ordered_ids, start=1):
            s.execute(update(Location).where(Location.id == loc_id).values(walk_order=n * 10))

    db.write(op)
