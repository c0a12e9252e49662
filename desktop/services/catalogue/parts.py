"""Parts: create, edit, look up one part and its card (stock per bin, suppliers, category).

The big parts list (ids in order, rows by block) is in `parts_list`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.codes import part_payload
from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import Category, Location, Part, PartCategoryLink, StockBalance, Supplier
from desktop.models.enums import PartCategory
from desktop.quantities import format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue import categories
from desktop.services.catalogue.suppliers import (
    PartSupplierDTO,
    PartSupplierInput,
    part_suppliers,
    replace_part_suppliers,
)
from desktop.services.catalogue.units import BUILT_IN, Units, known_units
from desktop.services.common import clean_text, connection_of
from desktop.services.stock.moves import on_hand
from desktop.services.text_rules import clean_notes


@dataclass(frozen=True)
class PartInput:
    part_number: str
    description: str
    category: str = PartCategory.RAW.value
    unit: str = "EA"
    unit_cost: Decimal = Decimal(0)
    min_qty: Decimal | None = None
    max_qty: Decimal | None = None
    reorder_point: Decimal | None = None
    safety_stock: Decimal | None = None
    lead_time_days: int | None = None
    manufacturer: str | None = None
    manufacturer_part_number: str | None = None
    criticality: str | None = None
    notes: str | None = None
    active: bool = True
    suppliers: tuple[PartSupplierInput, ...] = ()
    category_path: str | None = None  # "Fasteners > Bolts": filed there (created if new); "": nowhere


@dataclass(frozen=True)
class BinStock:
    location_id: int
    location_code: str
    location_path: str
    location_type: str
    qty: Decimal


@dataclass(frozen=True)
class PartDTO:
    id: int
    part_number: str
    barcode: str
    description: str
    category: str
    unit: str
    unit_cost: Decimal
    min_qty: Decimal | None
    max_qty: Decimal | None
    reorder_point: Decimal | None
    safety_stock: Decimal | None
    lead_time_days: int | None
    manufacturer: str | None
    manufacturer_part_number: str | None
    criticality: str | None
    notes: str | None
    active: bool
    on_hand: Decimal = Decimal(0)
    stock: tuple[BinStock, ...] = ()
    suppliers: tuple[PartSupplierDTO, ...] = field(default=())
    category_path: str | None = None  # "Fasteners > Bolts > Hex"
    tracking: str = "NONE"  # NONE, LOT or SERIAL (desktop.services.lots)
    shelf_life_days: int | None = None
    expiry_warning_days: int | None = None

    @property
    def below_min(self) -> bool:
        return self.min_qty is not None and self.on_hand < self.min_qty


_PART_NUMBER_MAX = 40


def number_key(part_number: str) -> str:
    return part_number.strip().upper()


def validate_part(data: PartInput, units: Units = BUILT_IN) -> PartInput:
    number = data.part_number.strip()
    if not number:
        raise UserError("Part number is required.", field="part_number")
    if len(number) > _PART_NUMBER_MAX:
        raise UserError(f"A part number has at most {_PART_NUMBER_MAX} characters.", field="part_number")
    if number.startswith("-") or not number.isprintable():
        raise UserError(
            "A part number cannot start with '-' or contain control characters.", field="part_number"
        )
    description = clean_text(
        data.description, field="description", label="Description", max_len=200, required=True
    )
    if data.category not in PartCategory.__members__:
        raise UserError(f"Category must be one of {', '.join(PartCategory)}.", field="category")
    unit = units.resolve(data.unit)
    for name, value in (
        ("unit_cost", data.unit_cost),
        ("min_qty", data.min_qty),
        ("max_qty", data.max_qty),
        ("reorder_point", data.reorder_point),
        ("safety_stock", data.safety_stock),
    ):
        if value is not None and value < 0:
            raise UserError(f"{name.replace('_', ' ').capitalize()} cannot be negative.", field=name)
    if data.min_qty is not None and data.max_qty is not None and data.max_qty < data.min_qty:
        raise UserError(f"Maximum ({data.max_qty}) is below minimum ({data.min_qty}).", field="max_qty")
    if data.lead_time_days is not None and not 0 <= data.lead_time_days <= 3650:
        raise UserError("Lead time must be between 0 and 3650 days.", field="lead_time_days")
    mpn = clean_text(
        data.manufacturer_part_number,
        field="manufacturer_part_number",
        label="Manufacturer part number",
        max_len=60,
    )
    return PartInput(
        part_number=number,
        description=description or "",
        category=data.category,
        unit=unit,
        unit_cost=data.unit_cost,
        min_qty=data.min_qty,
        max_qty=data.max_qty,
        reorder_point=data.reorder_point,
        safety_stock=data.safety_stock,
        lead_time_days=data.lead_time_days,
        manufacturer=clean_text(data.manufacturer, field="manufacturer", label="Manufacturer", max_len=80),
        manufacturer_part_number=mpn,
        criticality=data.criticality,
        notes=clean_notes(data.notes),
        active=data.active,
        suppliers=data.suppliers,
        category_path=None if data.category_path is None else categories.show(_category(data.category_path)),
    )


def _category(text: str) -> categories.Path:
    try:
        return categories.parse_path(text)
    except UserError as exc:
        raise UserError(exc.message, field="category_path") from exc


def part_values(data: PartInput) -> dict[str, Any]:
    """The `part` columns a saved PartInput writes, with the upper-cased keys look-ups use."""
    values: dict[str, Any] = {f: getattr(data, f) for f in PART_FIELDS}
    values["number_key"] = number_key(data.part_number)
    mpn = data.manufacturer_part_number
    values["mpn_key"] = mpn.upper() if mpn else None
    return values


def apply_input(part: Part, data: PartInput) -> None:
    for key, value in part_values(data).items():
        setattr(part, key, value)


def _refuse_duplicate(s: Session, data: PartInput, own_id: int | None) -> None:
    clash = s.execute(
        select(Part.id, Part.part_number).where(Part.number_key == number_key(data.part_number))
    ).first()
    if clash is not None and clash.id != own_id:
        raise Conflict(
            f"Part number {clash.part_number} already exists (part numbers ignore upper/lower case).",
            field="part_number",
        )


def _save(s: Session, part: Part, data: PartInput) -> PartDTO:
    _refuse_duplicate(s, data, part.id)
    apply_input(part, data)
    s.add(part)
    try:
        s.flush()
    except IntegrityError as exc:  # a twin saved by another PC between our check and our insert
        raise Conflict(f"Part number {data.part_number} already exists.", field="part_number") from exc
    replace_part_suppliers(s, part.id, list(data.suppliers))
    if data.category_path is not None:
        path = categories.parse_path(data.category_path)
        known = categories.ensure_paths(s, [path] if path else [])
        categories.set_categories(s, {part.id: known[categories.key_of(path)] if path else None})
    if data.suppliers:
        first = s.scalar(
            select(Supplier.id).where(
                Supplier.name_key == " ".join(data.suppliers[0].supplier_name.split()).upper()
            )
        )
        part.default_supplier_id = first
    else:
        part.default_supplier_id = None
    s.flush()
    return part_detail(s, part.id)


def create_part(db: Database, actor: Actor, data: PartInput) -> PartDTO:
    actor.require(Permission.EDIT_PARTS)

    def op(s: Session) -> PartDTO:
        clean = validate_part(data, known_units(s))
        dto = _save(s, Part(), clean)
        record(
            s, actor.user_id, "part.create", "part", dto.id, f"created {dto.part_number}: {dto.description}"
        )
        return dto

    return db.write(op)


def update_part(db: Database, actor: Actor, part_id: int, data: PartInput) -> PartDTO:
    actor.require(Permission.EDIT_PARTS)

    def op(s: Session) -> PartDTO:
        clean = validate_part(data, known_units(s))
        part = s.get(Part, part_id)
        if part is None:
            raise NotFound(f"Part #{part_id} no longer exists.")
        if part.unit != clean.unit and on_hand(s, part_id) != 0:
            raise UserError(
                f"The unit cannot change from {part.unit} to {clean.unit} while stock is held; "
                "move the stock out first.",
                field="unit",
            )
        before = part_detail(s, part_id)
        dto = _save(s, part, clean)
        record(s, actor.user_id, "part.update", "part", dto.id, f"{dto.part_number}: {_changes(before, dto)}")
        return dto

    return db.write(op)


# The part's own fields, as a person edits them (imports write these plus the derived keys).
PART_FIELDS = (
    "part_number",
    "description",
    "category",
    "unit",
    "unit_cost",
    "min_qty",
    "max_qty",
    "reorder_point",
    "safety_stock",
    "lead_time_days",
    "manufacturer",
    "manufacturer_part_number",
    "criticality",
    "notes",
    "active",
)


def _changes(before: PartDTO, after: PartDTO) -> str:
    """'unit_cost 12.5 -> 13, min_qty None -> 4' for the audit trail."""

    def show(value: object) -> str:
        return format_qty(value) if isinstance(value, Decimal) else str(value)

    diffs = [
        f"{f} {show(getattr(before, f))} -> {show(getattr(after, f))}"
        for f in PART_FIELDS
        if getattr(before, f) != getattr(after, f)
    ]
    if before.suppliers != after.suppliers:
        diffs.append("suppliers changed")
    if before.category_path != after.category_path:
        diffs.append(f"category {before.category_path} -> {after.category_path}")
    return ", ".join(diffs) or "saved without changes"


# What a scan or the part card reads, built once: Core statements on the session's connection skip the
# ORM's per-query work (statement building, cache keys, identity map), most of a scan's time.
_BIN_COLUMNS = (Location.id, Location.code, Location.path, Location.type, StockBalance.qty)
_STOCK_BY_BIN = (
    select(*_BIN_COLUMNS)
    .join(Location, Location.id == StockBalance.location_id)
    .where(StockBalance.part_id == bindparam("part_id"), StockBalance.qty != 0)
    .order_by(Location.walk_order, Location.code)
)
# The part with its stock per bin in one indexed query: one row per bin holding it (one row with empty
# bin columns when none does), the part's columns first.
_CATEGORY_PATH = (
    select(Category.path)
    .join(PartCategoryLink, PartCategoryLink.category_id == Category.id)
    .where(PartCategoryLink.part_id == Part.id)
    .correlate(Part)
    .scalar_subquery()
    .label("category_path")
)
_PART_WITH_STOCK = (
    select(Part.__table__, _CATEGORY_PATH, *(c.label(f"bin_{i}") for i, c in enumerate(_BIN_COLUMNS)))
    .select_from(
        # two LEFT JOINs, not LEFT JOIN (balance JOIN location): SQLite would materialize the inner join
        Part.__table__.outerjoin(
            StockBalance.__table__, (StockBalance.part_id == Part.id) & (StockBalance.qty != 0)
        ).outerjoin(Location.__table__, Location.id == StockBalance.location_id)
    )
    .order_by(Location.walk_order, Location.code)
)
_PART_BY_ID = _PART_WITH_STOCK.where(Part.id == bindparam("id"))
_PART_BY_KEY = _PART_WITH_STOCK.where(Part.number_key == bindparam("key"))
_PART_WIDTH = len(Part.__table__.c) + 1  # the part's columns and its category path


def stock_by_bin(s: Session | Connection, part_id: int) -> tuple[BinStock, ...]:
    conn = connection_of(s)
    return tuple(_bin(r) for r in conn.execute(_STOCK_BY_BIN, {"part_id": part_id}))


def _bin(r: Sequence[Any]) -> BinStock:
    return BinStock(r[0], r[1], r[2], r[3], Decimal(r[4]))


def _detail(conn: Connection, rows: Sequence[Row[Any]]) -> PartDTO | None:
    if not rows:
        return None
    part = rows[0]
    stock = tuple(_bin(r[_PART_WIDTH:]) for r in rows if r[_PART_WIDTH] is not None)
    return PartDTO(
        id=part.id,
        part_number=part.part_number,
        barcode=part_payload(part.part_number, part.id),
        description=part.description,
        category=part.category,
        unit=part.unit,
        unit_cost=part.unit_cost,
        min_qty=part.min_qty,
        max_qty=part.max_qty,
        reorder_point=part.reorder_point,
        safety_stock=part.safety_stock,
        lead_time_days=part.lead_time_days,
        manufacturer=part.manufacturer,
        manufacturer_part_number=part.manufacturer_part_number,
        criticality=part.criticality,
        notes=part.notes,
        active=part.active,
        on_hand=sum((b.qty for b in stock), Decimal(0)),
        stock=stock,
        suppliers=tuple(part_suppliers(conn, part.id)),
        category_path=part.category_path,
        tracking=part.tracking,
        shelf_life_days=part.shelf_life_days,
        expiry_warning_days=part.expiry_warning_days,
    )


def find_part_detail(s: Session, part_id: int) -> PartDTO | None:
    """The part card as saved (flush first if this session changed the part), or None."""
    conn = s.connection()
    return _detail(conn, conn.execute(_PART_BY_ID, {"id": part_id}).all())


def part_detail(s: Session, part_id: int) -> PartDTO:
    found = find_part_detail(s, part_id)
    if found is None:
        raise NotFound(f"Part #{part_id} does not exist.")
    return found


def find_part_detail_by_number(s: Session, number: str) -> PartDTO | None:
    """The part card for a part number as scanned or typed (any case), or None."""
    conn = s.connection()
    return _detail(conn, conn.execute(_PART_BY_KEY, {"key": number_key(number)}).all())


def get_part(db: Database, part_id: int) -> PartDTO:
    return db.read(lambda s: part_detail(s, part_id))


def find_part_id(s: Session, part_number: str) -> int | None:
    return s.scalar(select(Part.id).where(Part.number_key == number_key(part_number)))


def get_part_id(db: Database, part_number: str) -> int:
    found = db.read(lambda s: find_part_id(s, part_number))
    if found is None:
        raise NotFound(f"No part with number {part_number.strip()}.", field="part")
    return found
