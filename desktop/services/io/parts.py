"""Importing parts: a row names a part by its number; the file's columns say which fields it sets.

A column the file does not have leaves that field as it is; an empty cell in a column it has keeps the
value too, unless the user ticked "blank clears" (then it clears the fields that may be empty). The dry
run lists each field that will change, old -> new. Rows are planned and written in batches inside the
one transaction, so a 200,000-row file streams. This module reads the rows into the plan; part_writes
writes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.errors import UserError
from desktop.models import Part, PartSupplier, StockBalance, Supplier
from desktop.models.enums import PartCategory, Tracking
from desktop.services.catalogue import categories
from desktop.services.catalogue import parts as part_service
from desktop.services.catalogue.suppliers import name_key
from desktop.services.catalogue.units import Units, known_units
from desktop.services.io.common import Column, Rows, field_of, show
from desktop.services.io.fields import (
    BAD,
    PRICE_UNIT,
    Field,
    choice_field,
    flag_field,
    list_changes,
    merge,
    number_field,
    price_field,
    text_field,
)
from desktop.services.io.part_refs import PART_NUMBER_NAMES
from desktop.services.lots.receiving import TrackingInput, check_tracking

BATCH = 5000

COLUMNS = (
    Column(
        "part_number",
        "Part number",
        True,
        (*PART_NUMBER_NAMES, "item number", "sku", "material", "internal reference"),  # SAP, Odoo
    ),
    Column(
        "description",
        "Description",
        aliases=("desc", "item description", "name", "text", "material description"),
    ),
    Column(
        "category",
        "Inventory type",
        aliases=("type", "class", "inventory type", "part type", "material type"),
    ),
    Column("unit", "Unit", aliases=("uom", "unit of measure", "units", "base unit of measure")),
    Column(
        "unit_cost", "Unit cost", aliases=("cost", "price", "standard cost", "unit price", "standard price")
    ),
    PRICE_UNIT,  # SAP: a Standard price of 18,00 per 100 PC is a unit cost of 0.18
    Column("min_qty", "Minimum", aliases=("min", "min qty", "minimum stock")),
    Column("max_qty", "Maximum", aliases=("max", "max qty", "maximum stock")),
    Column("reorder_point", "Reorder point", aliases=("rop", "reorder")),
    Column("safety_stock", "Safety stock", aliases=("safety",)),
    Column("lead_time_days", "Lead time days", aliases=("lead time", "lt", "lead time (days)")),
    Column("manufacturer", "Manufacturer", aliases=("mfr", "maker", "brand")),
    Column(
        "manufacturer_part_number",
        "Manufacturer part number",
        aliases=("mpn", "mfr part number", "manufacturer number", "mfr pn"),
    ),
    Column("criticality", "Criticality"),
    Column("active", "Active"),
    Column("notes", "Notes", aliases=("note", "remarks", "comment")),
    Column("supplier", "Supplier", aliases=("vendor", "default supplier", "vendors/vendor")),
    Column(
        "supplier_part_number",
        "Supplier part number",
        aliases=("vendor part number", "supplier pn", "vendor product code", "vendors/vendor product code"),
    ),
    Column(
        "category_path",
        "Category",
        aliases=(
            "category path",
            "category name",
            "part category",
            "group",
            "item group",
            "categories",
            "product category",  # Odoo: "All / Saleable / Fasteners"
            "material group",  # SAP: the group's code, a category of one level
        ),
    ),
    # lots and shelf life (desktop.services.lots): set with the part, so its stock can come in with lots
    Column(
        "tracking",
        "Tracking",
        aliases=("lot tracking", "batch management", "batch management requirement indicator", "tracked by"),
    ),
    Column(
        "shelf_life_days",
        "Shelf life days",
        aliases=("shelf life", "shelf life (days)", "expiration time", "total shelf life"),  # Odoo, SAP
    ),
    Column(
        "expiry_warning_days",
        "Expiry warning days",
        aliases=("expiry warning", "warning days", "alert time"),  # Odoo's alert before expiry
    ),
)


def _unit(rows: Rows, n: int, row: Sequence[str]) -> Any:
    try:
        return _units(rows).resolve(rows.cell(row, "unit"))
    except UserError as exc:
        rows.problem(n, "unit", exc.message)
        return BAD


def _units(rows: Rows) -> Units:
    units: Units = rows.found.memo["units"]
    return units


# SAP's material types (MARA-MTART) as inventory types: raw materials and packaging, semi-finished,
# finished and trading goods, spare parts and operating supplies
_MATERIAL_TYPES = {
    "ROH": "RAW",
    "VERP": "RAW",
    "HALB": "WIP",
    "FERT": "FINISHED",
    "HAWA": "FINISHED",
    "ERSA": "MRO",
    "HIBE": "MRO",
}

_FIELDS = (
    text_field("description", "", clearable=False),
    choice_field("category", PartCategory.__members__, PartCategory.RAW.value, _MATERIAL_TYPES),
    Field("unit", _unit, "EA", clearable=False),
    price_field("unit_cost", Decimal(0)),
    number_field("min_qty"),
    number_field("max_qty"),
    number_field("reorder_point"),
    number_field("safety_stock"),
    number_field("lead_time_days", integer=True),
    text_field("manufacturer"),
    text_field("manufacturer_part_number"),
    text_field("criticality", upper=True),
    text_field("notes", lines=True),
    flag_field("active", True),
)
# what other systems write for a part's tracking: Odoo's labels, SAP's batch management flag ("X")
_TRACKING_NAMES = {
    "NO_TRACKING": "NONE",
    "BY_QUANTITY": "NONE",  # Odoo 17's label for no tracking
    "BY_LOTS": "LOT",
    "LOTS": "LOT",
    "BATCH": "LOT",
    "X": "LOT",
    "BY_UNIQUE_SERIAL_NUMBER": "SERIAL",
    "SERIAL_NUMBER": "SERIAL",
    "SERIALS": "SERIAL",
}
_TRACKING_FIELDS = (
    choice_field("tracking", Tracking.__members__, Tracking.NONE.value, _TRACKING_NAMES),
    number_field("shelf_life_days", integer=True),
    number_field("expiry_warning_days", integer=True),
)
_TRACKING_KEYS = tuple(f.key for f in _TRACKING_FIELDS)
_FIELD_KEYS = tuple(f.key for f in _FIELDS)
_COMPARED = ("part_number", *_FIELD_KEYS)
_INPUT_FIELDS = tuple(
    f.name for f in fields(part_service.PartInput) if f.name not in ("suppliers", "category_path")
)
_WRITTEN = (*part_service.PART_FIELDS, "number_key", "mpn_key")


@dataclass(frozen=True)
class PartRow:
    n: int
    key: str  # the upper-cased part number
    data: part_service.PartInput
    existing_id: int | None
    changed: bool  # an existing part the import changes (its fields, category or suppliers)
    write: tuple[str, ...]  # the part's own fields that change (only those are written)
    category: categories.Path | None  # None: leave the part's category as it is; (): file it nowhere
    supplier: str | None
    supplier_pn: str | None
    tracking: dict[str, Any] | None = None  # tracking and shelf life to write (None: the file has none)


@dataclass(frozen=True)
class VendorRow:
    """A row with a vendor and nothing else: another vendor of the part on the row above it, as Odoo
    exports a product's vendors (the product's columns filled on its first row only)."""

    n: int
    key: str  # the part's number key
    supplier: str
    sku: str | None
    counted: str  # "new" (the part is new), "adds" (a link the part lacks) or "has" (it has it)


@dataclass(frozen=True)
class PartsPlan:
    parts: list[PartRow]
    vendors: list[VendorRow]


_CURRENT = select(Part.number_key, Part.id, *(getattr(Part, c) for c in (*_INPUT_FIELDS, *_TRACKING_KEYS)))


def _current(s: Session, keys: list[str]) -> dict[str, dict[str, Any]]:
    """The saved fields of the parts the batch names (plain rows: no ORM objects for 5,000 parts)."""
    return {
        row[0]: {"id": row[1], **dict(zip((*_INPUT_FIELDS, *_TRACKING_KEYS), row[2:], strict=True))}
        for row in s.execute(_CURRENT.where(Part.number_key.in_(keys)))
    }


def plan(s: Session, rows: Rows) -> PartsPlan:
    batch = [(n, row, rows.cell(row, "part_number")) for n, row in rows.numbered()]
    if "units" not in rows.found.memo:
        rows.found.memo["units"] = known_units(s)
        rows.found.memo["paths"] = {}
    current = _current(s, list({part_service.number_key(number) for _n, _r, number in batch}))
    ids = [c["id"] for c in current.values()]
    paths = categories.paths_of_parts(s, ids) if rows.mapped("category_path") else {}
    default_supplier = _default_suppliers(s, ids) if rows.mapped("supplier") else {}
    skus = _skus(s, ids) if rows.mapped("supplier") else set()
    seen = rows.seen("part")
    tracked = any(rows.mapped(k) for k in _TRACKING_KEYS)
    # only the fields the file has can change (and the type an old export writes under Category)
    compared = tuple(
        k
        for k in _COMPARED
        if k == "part_number" or rows.mapped(k) or (k == "category" and rows.mapped("category_path"))
    )
    planned: list[PartRow] = []
    vendors: list[VendorRow] = []
    # the part on the row above (its key, id and number; key "" when that row has a problem), across batches
    above: tuple[str, int | None, str] | None = rows.found.memo.get("part_above")
    for n, row, number in batch:
        if not number.strip() and above is not None and _only_vendor(rows, row):
            vendor = _vendor_row(s, rows, n, row, above)
            if vendor is not None:
                vendors.append(vendor)
            continue
        before = rows.found.problem_count
        key = part_service.number_key(number)
        if key in seen:
            rows.problem(n, "part_number", f"part number {number} is also on row {seen[key] + 2}")
        seen[key] = n
        cur = current.get(key)
        values = merge(rows, n, row, cur, _FIELDS)
        values["part_number"] = number
        category = _category(rows, n, row, cur is not None)
        if _is_type(category) and not rows.mapped("category"):  # an older export: Category held the type
            assert category is not None
            values["category"], category = category[0].upper(), None
            rows.note("{n} row(s) name RAW/WIP/FINISHED/MRO under Category: read as the inventory type")
        data = part_service.PartInput(**{k: values[k] for k in _INPUT_FIELDS})
        try:
            data = part_service.validate_part(data, _units(rows))
        except UserError as exc:
            rows.problem(n, field_of(exc, "part_number"), exc.message + _vendor_row_hint(rows, row, number))
        tracking = _tracking(rows, n, row, cur) if tracked else None
        write: tuple[str, ...] = ()
        changed = False
        supplier = " ".join(rows.cell(row, "supplier").split()) or None
        sku = rows.cell(row, "supplier_part_number") or None
        if cur is not None:
            after = {k: getattr(data, k) for k in compared}  # not asdict(): it deep-copies, 1/3 of a pass
            write = tuple(list_changes(rows, n, number, cur, after, compared))
            changed = bool(write)
            old_path = paths.get(cur["id"])
            if category is not None and categories.show(category) != (old_path or ""):
                changed = True
                rows.change(n, number, "category_path", show(old_path), show(categories.show(category)))
            if supplier and name_key(supplier) != name_key(default_supplier.get(cur["id"], "")):
                changed = True
                rows.change(n, number, "supplier", show(default_supplier.get(cur["id"])), supplier)
            if supplier and sku and (cur["id"], name_key(supplier), sku.upper()) not in skus:
                changed = True
                rows.change(n, number, "supplier_part_number", "(not yet)", f"{sku} added ({supplier})")
            if tracking is not None:
                shown = {k: tracking[k] for k in _TRACKING_KEYS if rows.mapped(k)}
                tracking_changes = list_changes(rows, n, number, cur, shown, tuple(shown))
                changed = changed or bool(tracking_changes)
                tracking = tracking if tracking_changes else None
        ok = rows.found.problem_count == before
        above = (key if ok else "", cur["id"] if cur else None, number)
        if ok:
            planned.append(
                PartRow(
                    n,
                    key,
                    data,
                    cur["id"] if cur else None,
                    changed,
                    write,
                    category,
                    supplier,
                    sku,
                    tracking,
                )
            )
    rows.found.memo["part_above"] = above
    _refuse_unit_change_with_stock(s, rows, planned, current)
    return PartsPlan(planned, vendors)


_VENDOR_COLUMNS = ("supplier", "supplier_part_number")


def _only_vendor(rows: Rows, row: Sequence[str]) -> bool:
    """A vendor and nothing else on the row: every other column the file has is empty."""
    if not rows.cell(row, "supplier"):
        return False
    return all(
        not (row[i].strip() if i < len(row) else "")
        for key, i in rows.mapping.items()
        if i is not None and key not in _VENDOR_COLUMNS
    )


def _vendor_row(
    s: Session, rows: Rows, n: int, row: Sequence[str], above: tuple[str, int | None, str]
) -> VendorRow | None:
    """Another vendor of the part above; what it changes goes into the dry run's list."""
    key, part_id, number = above
    if not key:  # the part's own row has a problem: the file is refused for it already
        return None
    supplier = " ".join(rows.cell(row, "supplier").split())
    sku = rows.cell(row, "supplier_part_number") or None
    rows.note("{n} row(s) with only a vendor add it to the part above them (Odoo's vendors of a product)")
    if part_id is None:
        return VendorRow(n, key, supplier, sku, "new")
    links = {
        (k, sku_key)
        for k, sku_key in s.execute(
            select(Supplier.name_key, PartSupplier.sku_key)
            .join(Supplier, Supplier.id == PartSupplier.supplier_id)
            .where(PartSupplier.part_id == part_id)
        ).tuples()
    }
    has = (
        (name_key(supplier), sku.upper()) in links if sku else any(k == name_key(supplier) for k, _ in links)
    )
    if not has:
        rows.change(
            n, number, "supplier_part_number", "(not yet)", f"{sku or '(no number)'} added ({supplier})"
        )
    return VendorRow(n, key, supplier, sku, "has" if has else "adds")


def _vendor_row_hint(rows: Rows, row: Sequence[str], number: str) -> str:
    """A row with a vendor and no part number adds a vendor to the part above it: say so when none is."""
    if number.strip() or not rows.cell(row, "supplier"):
        return ""
    return " A row with only a vendor adds it to the part on the row above, and this one has none above it."


def _tracking(rows: Rows, n: int, row: Sequence[str], cur: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part's tracking and shelf life after this row, checked as the part dialog checks them."""
    values = merge(rows, n, row, {k: cur[k] for k in _TRACKING_KEYS} if cur else None, _TRACKING_FIELDS)
    try:
        check_tracking(TrackingInput(**values))
    except UserError as exc:
        rows.problem(n, exc.field or "tracking", exc.message)
        return None
    return values


def _is_type(path: categories.Path | None) -> bool:
    return bool(path) and len(path or ()) == 1 and (path or ("",))[0].upper() in PartCategory.__members__


def _category(rows: Rows, n: int, row: Sequence[str], existing: bool) -> categories.Path | None:
    if not rows.given(row, "category_path", existing):
        return None
    text = rows.cell(row, "category_path")
    parsed: dict[str, categories.Path] = rows.found.memo["paths"]  # a file names few paths, many times
    if text in parsed:
        return parsed[text]
    try:
        parsed[text] = categories.parse_path(text)
        return parsed[text]
    except UserError as exc:
        rows.problem(n, "category_path", exc.message)
        return None


def _skus(s: Session, ids: list[int]) -> set[tuple[int, str, str]]:
    """(part id, supplier name key, SKU key) of every supplier part number the parts have."""
    return {
        (p, k, sku or "")
        for p, k, sku in s.execute(
            select(PartSupplier.part_id, Supplier.name_key, PartSupplier.sku_key)
            .join(Supplier, Supplier.id == PartSupplier.supplier_id)
            .where(PartSupplier.part_id.in_(ids), PartSupplier.sku_key.is_not(None))
        ).tuples()
    }


def _default_suppliers(s: Session, ids: list[int]) -> dict[int, str]:
    return dict(
        s.execute(
            select(Part.id, Supplier.name)
            .join(Supplier, Supplier.id == Part.default_supplier_id)
            .where(Part.id.in_(ids))
        )
        .tuples()
        .all()
    )


def _refuse_unit_change_with_stock(
    s: Session, rows: Rows, planned: list[PartRow], current: dict[str, dict[str, Any]]
) -> None:
    """A part that holds stock keeps its unit (the stock was counted in it) and its tracking (stock received
    without lots cannot be put into lots by a file, nor a lot's stock lose its lot)."""

    def old(p: PartRow) -> dict[str, Any]:
        return current[part_service.number_key(p.data.part_number)]

    def moved(p: PartRow) -> list[tuple[str, str]]:
        found = []
        if old(p)["unit"] != p.data.unit:
            found.append(("unit", f"its unit cannot change to {p.data.unit}"))
        if p.tracking is not None and old(p)["tracking"] != p.tracking["tracking"]:
            found.append(
                ("tracking", f"its tracking can change to {p.tracking['tracking']} only at zero stock")
            )
        return found

    changing = {p.existing_id: (p, moved(p)) for p in planned if p.existing_id is not None}
    changing = {i: x for i, x in changing.items() if x[1]}
    if not changing:
        return
    held = set(
        s.scalars(
            select(StockBalance.part_id)
            .where(StockBalance.part_id.in_(list(changing)), StockBalance.qty != 0)
            .distinct()
        )
    )
    for part_id, (p, why) in changing.items():
        if part_id in held:
            for field, text in why:
                what = f"in {old(p)['unit']}" if field == "unit" else f"tracked {old(p)['tracking']}"
                rows.problem(p.n, field, f"{p.data.part_number} holds stock {what}: {text}")
            planned.remove(p)


def counts(planned: PartsPlan) -> tuple[int, int, int]:
    """(new, changed, unchanged) for the plan; a new category or supplier link counts as a change. A
    vendor row of a part the file adds counts with the part (its note says how many)."""
    parts = planned.parts
    creates = sum(1 for p in parts if p.existing_id is None)
    changed = sum(1 for p in parts if p.existing_id is not None and p.changed)
    adds = sum(1 for v in planned.vendors if v.counted == "adds")
    has = sum(1 for v in planned.vendors if v.counted == "has")
    return creates, changed + adds, len(parts) - creates - changed + has
