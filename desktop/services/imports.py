"""Importing a plant's spreadsheets: parts, suppliers, locations and opening stock.

Every import is planned first (a dry run: every problem by row and column), then committed all or
nothing in one transaction. Rows are matched on business keys (part number, supplier name, location
code), never on database ids, so re-importing a corrected file updates records instead of duplicating
them, and an export of this app re-imports cleanly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Location, Part, PartSupplier, StockBalance, Supplier
from desktop.models.enums import LocationLevel, LocationType, MoveKind, PartCategory
from desktop.services import imports_kanban, imports_mro
from desktop.services import locations as loc_service
from desktop.services import parts as part_service
from desktop.services.actor import Actor, Permission
from desktop.services.audit import record
from desktop.services.imports_common import (
    Column,
    Handler,
    ImportCancelled,
    Plan,
    Problem,
    Progress,
    Rows,
    chunks,
    field_of,
    match_columns,
    parents_first,
    row_failed,
    tick,
)
from desktop.services.imports_mro import location_ref
from desktop.services.stock import MoveRequest, post_in
from desktop.services.suppliers import name_key
from desktop.services.tabular import Table
from desktop.services.units import UNITS, check_qty_for_unit

__all__ = ["KINDS", "Column", "ImportCancelled", "Plan", "Problem", "auto_map", "check", "run"]

_COLUMNS: dict[str, tuple[Column, ...]] = {
    "parts": (
        Column(
            "part_number",
            "Part number",
            True,
            ("part no", "pn", "item", "item number", "sku", "material", "part"),
        ),
        Column("description", "Description", True, ("desc", "item description", "name", "text")),
        Column("category", "Category", aliases=("type", "class")),
        Column("unit", "Unit", aliases=("uom", "unit of measure", "units")),
        Column("unit_cost", "Unit cost", aliases=("cost", "price", "standard cost", "unit price")),
        Column("min_qty", "Minimum", aliases=("min", "min qty")),
        Column("max_qty", "Maximum", aliases=("max", "max qty")),
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
        Column("supplier", "Supplier", aliases=("vendor", "default supplier")),
        Column("supplier_part_number", "Supplier part number", aliases=("vendor part number", "supplier pn")),
    ),
    "suppliers": (
        Column("name", "Supplier", True, ("name", "vendor", "supplier name")),
        Column("contact", "Contact"),
        Column("email", "Email", aliases=("e-mail", "mail")),
        Column("phone", "Phone", aliases=("telephone", "tel")),
    ),
    "locations": (
        Column("code", "Code", True, ("location", "location code", "bin")),
        Column("name", "Name", aliases=("description",)),
        Column("level", "Level", True, ("kind",)),
        Column("type", "Type"),
        Column("parent", "Parent", aliases=("parent code", "inside")),
        Column("walk_order", "Walk order", aliases=("walk", "sequence")),
        Column("allow_negative", "Allow negative"),
        Column("active", "Active"),
        Column("notes", "Notes"),
    ),
    "stock": (
        Column("part_number", "Part number", True, ("part no", "pn", "item", "sku", "part")),
        Column("location", "Location", True, ("location code", "bin", "code")),
        Column("qty", "Quantity", True, ("qty", "on hand", "count", "quantity on hand")),
    ),
}
# --- parts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PartRow:
    n: int
    data: part_service.PartInput
    supplier: str | None
    supplier_pn: str | None
    existing_id: int | None


def _plan_parts(s: Session, rows: Rows) -> tuple[list[_PartRow], int]:
    existing = {k: (i, u) for k, i, u in s.execute(select(Part.number_key, Part.id, Part.unit))}
    seen: dict[str, int] = {}
    planned: list[_PartRow] = []
    for n, row in enumerate(rows.table.rows):
        before = len(rows.problems)
        number = rows.cell(row, "part_number")
        unit = rows.cell(row, "unit").upper() or "EA"
        if unit not in UNITS:
            rows.problem(n, "unit", f"'{rows.cell(row, 'unit')}' is not a known unit ({', '.join(UNITS)})")
        lead = rows.number(n, row, "lead_time_days", integer=True)
        data = part_service.PartInput(
            part_number=number,
            description=rows.cell(row, "description"),
            category=rows.choice(n, row, "category", PartCategory.__members__, PartCategory.RAW.value),
            unit=unit if unit in UNITS else "EA",
            unit_cost=rows.number(n, row, "unit_cost") or Decimal(0),
            min_qty=rows.number(n, row, "min_qty"),
            max_qty=rows.number(n, row, "max_qty"),
            reorder_point=rows.number(n, row, "reorder_point"),
            safety_stock=rows.number(n, row, "safety_stock"),
            lead_time_days=int(lead) if lead is not None else None,
            manufacturer=rows.cell(row, "manufacturer") or None,
            manufacturer_part_number=rows.cell(row, "manufacturer_part_number") or None,
            criticality=rows.cell(row, "criticality").upper() or None,
            notes=rows.cell(row, "notes") or None,
            active=rows.flag(n, row, "active", True),
        )
        try:
            data = part_service.validate_part(data)
        except UserError as exc:
            rows.problem(n, field_of(exc, "part_number"), exc.message)
        key = part_service.number_key(number)
        if key in seen:
            rows.problem(n, "part_number", f"part number {number} is also on row {seen[key] + 2}")
        seen[key] = n
        found = existing.get(key)
        if found is not None and found[1] != data.unit:
            held = s.scalar(
                select(func.coalesce(func.sum(StockBalance.qty), 0)).where(StockBalance.part_id == found[0])
            )
            if held:
                rows.problem(
                    n, "unit", f"{number} holds stock in {found[1]}: its unit cannot change to {data.unit}"
                )
        if len(rows.problems) == before:
            planned.append(
                _PartRow(
                    n,
                    data,
                    rows.cell(row, "supplier") or None,
                    rows.cell(row, "supplier_part_number") or None,
                    found[0] if found else None,
                )
            )
    changed = _count_part_changes(s, planned)
    return planned, changed


def _part_values(data: part_service.PartInput) -> dict[str, Any]:
    part = Part()
    part_service.apply_input(part, data)
    return {c: getattr(part, c) for c in _PART_COLUMNS}


_PART_COLUMNS = (*part_service.PART_FIELDS, "number_key", "mpn_key")


def _count_part_changes(s: Session, planned: list[_PartRow]) -> int:
    ids = [p.existing_id for p in planned if p.existing_id is not None]
    if not ids:
        return 0
    current: dict[int, dict[str, Any]] = {}
    supplier: dict[int, tuple[str | None, str | None]] = {}  # part id -> (default supplier key, its part no.)
    for chunk in chunks(ids, 5000):
        for part in s.scalars(select(Part).where(Part.id.in_(chunk))):
            current[part.id] = {c: getattr(part, c) for c in _PART_COLUMNS}
        for part_id, key, pn in s.execute(
            select(Part.id, Supplier.name_key, PartSupplier.supplier_part_number)
            .join(Supplier, Supplier.id == Part.default_supplier_id)
            .outerjoin(
                PartSupplier, (PartSupplier.part_id == Part.id) & (PartSupplier.supplier_id == Supplier.id)
            )
            .where(Part.id.in_(chunk))
        ):
            supplier[part_id] = (key, pn)
    changed = 0
    for p in planned:
        if p.existing_id is None:
            continue
        new = _part_values(p.data)
        old = current[p.existing_id]
        old_key, old_pn = supplier.get(p.existing_id, (None, None))
        supplier_changed = bool(p.supplier) and (
            name_key(p.supplier or "") != old_key or (p.supplier_pn is not None and p.supplier_pn != old_pn)
        )
        if supplier_changed or any(_differs(old[c], new[c]) for c in _PART_COLUMNS):
            changed += 1
    return changed


def _differs(old: object, new: object) -> bool:
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (Decimal(str(old)) if old is not None else None) != (
            Decimal(str(new)) if new is not None else None
        )
    return old != new


def _apply_parts(s: Session, planned: list[_PartRow], progress: Progress | None) -> None:
    inserts = [_part_values(p.data) for p in planned if p.existing_id is None]
    updates = [{"id": p.existing_id, **_part_values(p.data)} for p in planned if p.existing_id is not None]
    total = len(inserts) + len(updates) + 1
    done = 0
    for chunk in chunks(inserts, 2000):
        s.execute(insert(Part), chunk)
        done += len(chunk)
        tick(progress, done, total)
    for chunk in chunks(updates, 2000):
        s.execute(update(Part), chunk)
        done += len(chunk)
        tick(progress, done, total)
    _link_suppliers(s, [p for p in planned if p.supplier])
    tick(progress, total, total)


def _link_suppliers(s: Session, planned: list[_PartRow]) -> None:
    """Default supplier and supplier part number per part, in bulk statements (100,000 rows in seconds)."""
    if not planned:
        return
    suppliers = dict(s.execute(select(Supplier.name_key, Supplier.id)).tuples().all())
    new_names = {name_key(p.supplier or ""): " ".join((p.supplier or "").split()) for p in planned}
    missing = [
        {"name": name[:120], "name_key": key[:120]} for key, name in new_names.items() if key not in suppliers
    ]
    if missing:
        s.execute(insert(Supplier), missing)
        suppliers = dict(s.execute(select(Supplier.name_key, Supplier.id)).tuples().all())
    keys = [part_service.number_key(p.data.part_number) for p in planned]
    part_ids: dict[str, int] = {}
    for chunk in chunks(keys, 5000):
        part_ids.update(
            s.execute(select(Part.number_key, Part.id).where(Part.number_key.in_(chunk))).tuples().all()
        )
    links: dict[tuple[int, int], tuple[int, str | None]] = {}
    for chunk in chunks(list(part_ids.values()), 5000):
        for link_id, part_id, supplier_id, pn in s.execute(
            select(
                PartSupplier.id,
                PartSupplier.part_id,
                PartSupplier.supplier_id,
                PartSupplier.supplier_part_number,
            ).where(PartSupplier.part_id.in_(chunk))
        ):
            links[(part_id, supplier_id)] = (link_id, pn)
    new_links: list[dict[str, Any]] = []
    changed_links: list[dict[str, Any]] = []
    defaults: list[dict[str, Any]] = []
    for p in planned:
        part_id = part_ids[part_service.number_key(p.data.part_number)]
        supplier_id = suppliers[name_key(p.supplier or "")]
        pn = p.supplier_pn[:60] if p.supplier_pn else None
        existing = links.get((part_id, supplier_id))
        if existing is None:
            new_links.append({"part_id": part_id, "supplier_id": supplier_id, "supplier_part_number": pn})
            links[(part_id, supplier_id)] = (0, pn)
        elif pn and existing[1] != pn:
            changed_links.append({"id": existing[0], "supplier_part_number": pn})
        defaults.append({"id": part_id, "default_supplier_id": supplier_id})
    for chunk in chunks(new_links, 2000):
        s.execute(insert(PartSupplier), chunk)
    for chunk in chunks(changed_links, 2000):
        s.execute(update(PartSupplier), chunk)
    for chunk in chunks(defaults, 2000):
        s.execute(update(Part), chunk)


# --- suppliers, locations, stock ------------------------------------------------------------------------


def _plan_suppliers(
    s: Session, rows: Rows
) -> tuple[list[tuple[int, dict[str, str | None], int | None]], int]:
    existing = {
        k: (i, n, c, e, p)
        for k, i, n, c, e, p in s.execute(
            select(
                Supplier.name_key,
                Supplier.id,
                Supplier.name,
                Supplier.contact,
                Supplier.email,
                Supplier.phone,
            )
        )
    }
    seen: dict[str, int] = {}
    planned = []
    changed = 0
    for n, row in enumerate(rows.table.rows):
        name = " ".join(rows.cell(row, "name").split())
        if not name:
            rows.problem(n, "name", "the supplier name is empty")
            continue
        if len(name) > 120:
            rows.problem(n, "name", "the supplier name is longer than 120 characters")
            continue
        key = name_key(name)
        if key in seen:
            rows.problem(n, "name", f"supplier {name} is also on row {seen[key] + 2}")
            continue
        seen[key] = n
        values = {
            "name": name,
            "contact": rows.cell(row, "contact") or None,
            "email": rows.cell(row, "email") or None,
            "phone": rows.cell(row, "phone") or None,
        }
        found = existing.get(key)
        if found and (found[1], found[2], found[3], found[4]) != tuple(values.values()):
            changed += 1
        planned.append((n, values, found[0] if found else None))
    return planned, changed


def _apply_suppliers(s: Session, planned: list[tuple[int, dict[str, str | None], int | None]]) -> None:
    for _n, values, existing_id in planned:
        if existing_id is None:
            s.add(Supplier(name_key=name_key(values["name"] or ""), **values))
        else:
            s.execute(update(Supplier).where(Supplier.id == existing_id).values(**values))
    s.flush()


def _plan_locations(s: Session, rows: Rows) -> tuple[list[tuple[int, loc_service.LocationInput]], int, int]:
    existing = {
        c: (i, n, lv, t, p, w, a, act)
        for c, i, n, lv, t, p, w, a, act in s.execute(
            select(
                Location.code,
                Location.id,
                Location.name,
                Location.level,
                Location.type,
                Location.parent_id,
                Location.walk_order,
                Location.allow_negative,
                Location.active,
            )
        )
    }
    codes_in_file: dict[str, int] = {}
    items: list[tuple[int, loc_service.LocationInput]] = []
    for n, row in enumerate(rows.table.rows):
        before = len(rows.problems)
        walk = rows.number(n, row, "walk_order", integer=True)
        data = loc_service.LocationInput(
            code=rows.cell(row, "code"),
            name=rows.cell(row, "name"),
            level=rows.choice(n, row, "level", LocationLevel.__members__, LocationLevel.BIN.value),
            type=rows.choice(n, row, "type", LocationType.__members__, LocationType.STOREROOM.value),
            parent_code=rows.cell(row, "parent") or None,
            walk_order=int(walk) if walk is not None else 0,
            allow_negative=rows.flag(n, row, "allow_negative", False),
            notes=rows.cell(row, "notes") or None,
            active=rows.flag(n, row, "active", True),
        )
        try:
            data = loc_service.validate_location(data)
        except UserError as exc:
            rows.problem(n, "parent" if exc.field == "parent" else field_of(exc, "code"), exc.message)
        if data.code in codes_in_file:
            rows.problem(n, "code", f"location {data.code} is also on row {codes_in_file[data.code] + 2}")
        codes_in_file[data.code] = n
        if len(rows.problems) == before:
            items.append((n, data))
    for n, data in items:  # parents must exist already or come in the same file
        if data.parent_code and data.parent_code not in existing and data.parent_code not in codes_in_file:
            rows.problem(
                n, "parent", f"parent location {data.parent_code} is neither in the database nor the file"
            )
    creates = sum(1 for _n, d in items if d.code not in existing)
    return (
        parents_first(items, lambda i: i[1].code, lambda i: i[1].parent_code),
        creates,
        len(items) - creates,
    )


def _apply_locations(
    s: Session, items: list[tuple[int, loc_service.LocationInput]], progress: Progress | None
) -> None:
    existing = {loc.code: loc for loc in s.scalars(select(Location))}
    for done, (n, data) in enumerate(items, start=1):
        try:
            saved = loc_service.save_location(s, existing.get(data.code) or Location(), data)
        except UserError as exc:  # e.g. a level that cannot sit in its parent: reported with its row
            raise row_failed(n, exc) from exc
        existing[saved.code] = s.get(Location, saved.id)  # type: ignore[assignment]
        if done % 500 == 0:
            tick(progress, done, len(items))


@dataclass(frozen=True)
class _StockRow:
    n: int
    part_id: int
    location_id: int
    unit: str
    qty: Decimal
    current: Decimal


def _plan_stock(s: Session, rows: Rows) -> list[_StockRow]:
    parts = {k: (i, u) for k, i, u in s.execute(select(Part.number_key, Part.id, Part.unit))}
    locs = {c: i for c, i in s.execute(select(Location.code, Location.id))}
    balances = {
        (p, loc): Decimal(q)
        for p, loc, q in s.execute(select(StockBalance.part_id, StockBalance.location_id, StockBalance.qty))
    }
    seen: dict[tuple[int, int], int] = {}
    planned = []
    for n, row in enumerate(rows.table.rows):
        before = len(rows.problems)
        number, code = rows.cell(row, "part_number"), location_ref(rows.cell(row, "location"))
        part = parts.get(part_service.number_key(number))
        if part is None:
            rows.problem(n, "part_number", f"no part {number}: import the parts first")
        loc = locs.get(code)
        if loc is None:
            rows.problem(n, "location", f"no location {code}: import the locations first")
        qty = rows.number(n, row, "qty")
        if qty is None and rows.cell(row, "qty") == "":
            rows.problem(n, "qty", "the quantity is empty")
        elif qty is not None and qty < 0:
            rows.problem(n, "qty", "a quantity on hand cannot be negative")
        if part and loc:
            if (part[0], loc) in seen:
                rows.problem(n, "location", f"{number} in {code} is also on row {seen[(part[0], loc)] + 2}")
            seen[(part[0], loc)] = n
            if qty is not None:
                try:
                    check_qty_for_unit(qty, part[1])
                except UserError as exc:
                    rows.problem(n, "qty", exc.message)
        if len(rows.problems) == before and part and loc and qty is not None:
            planned.append(_StockRow(n, part[0], loc, part[1], qty, balances.get((part[0], loc), Decimal(0))))
    return planned


def _apply_stock(
    s: Session, actor: Actor, planned: list[_StockRow], reference: str, progress: Progress | None
) -> None:
    for done, r in enumerate(planned, start=1):
        diff = r.qty - r.current
        if diff == 0:
            continue
        # An empty bin gets a RECEIPT (history starts right); a bin that holds stock is set by an ADJUSTMENT.
        kind = MoveKind.RECEIPT if r.current == 0 else MoveKind.ADJUSTMENT
        post_in(
            s,
            actor,
            MoveRequest(
                kind,
                r.part_id,
                abs(diff),
                r.location_id if diff < 0 else None,
                r.location_id if diff > 0 else None,
                reason="opening stock import",
                reference=reference,
            ),
        )
        if done % 500 == 0:
            tick(progress, done, len(planned))


# --- entry points ---------------------------------------------------------------------------------------


def _plan_parts_kind(s: Session, rows: Rows) -> tuple[Plan, Any]:
    planned, changed = _plan_parts(s, rows)
    creates = sum(1 for p in planned if p.existing_id is None)
    suppliers_new = {name_key(p.supplier) for p in planned if p.supplier} - {
        k for (k,) in s.execute(select(Supplier.name_key))
    }
    notes = (f"{len(suppliers_new)} new supplier(s) will be added",) if suppliers_new else ()
    return rows.plan(creates, changed, len(planned) - creates - changed, notes), planned


def _plan_suppliers_kind(s: Session, rows: Rows) -> tuple[Plan, Any]:
    planned, changed = _plan_suppliers(s, rows)
    creates = sum(1 for _n, _v, i in planned if i is None)
    return rows.plan(creates, changed, len(planned) - creates - changed), planned


def _plan_locations_kind(s: Session, rows: Rows) -> tuple[Plan, Any]:
    items, creates, existing = _plan_locations(s, rows)
    return rows.plan(creates, existing, 0), items


def _plan_stock_kind(s: Session, rows: Rows) -> tuple[Plan, Any]:
    planned = _plan_stock(s, rows)
    same = sum(1 for r in planned if r.qty == r.current)
    new = sum(1 for r in planned if r.current == 0 and r.qty != 0)
    return rows.plan(new, len(planned) - same - new, same), planned


HANDLERS: dict[str, Handler] = {
    "parts": Handler(
        _COLUMNS["parts"],
        Permission.EDIT_PARTS,
        _plan_parts_kind,
        lambda s, _actor, planned, _source, progress: _apply_parts(s, planned, progress),
    ),
    "suppliers": Handler(
        _COLUMNS["suppliers"],
        Permission.EDIT_PARTS,
        _plan_suppliers_kind,
        lambda s, _actor, planned, _source, _progress: _apply_suppliers(s, planned),
    ),
    "locations": Handler(
        _COLUMNS["locations"],
        Permission.EDIT_LOCATIONS,
        _plan_locations_kind,
        lambda s, _actor, planned, _source, progress: _apply_locations(s, planned, progress),
    ),
    "stock": Handler(
        _COLUMNS["stock"],
        Permission.MOVE_STOCK,
        _plan_stock_kind,
        lambda s, actor, planned, source, progress: _apply_stock(s, actor, planned, source, progress),
    ),
    **imports_mro.HANDLERS,
    **imports_kanban.HANDLERS,
}
KINDS: dict[str, tuple[Column, ...]] = {kind: h.columns for kind, h in HANDLERS.items()}


def auto_map(kind: str, headers: Sequence[str]) -> dict[str, int | None]:
    """Column index for each field of `kind`, matched on the file's header names."""
    return match_columns(_handler(kind).columns, headers)


def _handler(kind: str) -> Handler:
    if kind not in HANDLERS:
        raise UserError(f"Unknown import kind '{kind}'. Choose one of: {', '.join(HANDLERS)}.")
    return HANDLERS[kind]


def _plan(s: Session, kind: str, table: Table, mapping: dict[str, int | None]) -> tuple[Plan, Any]:
    return _handler(kind).plan(s, Rows(kind, _handler(kind).columns, table, mapping))


def check(db: Database, actor: Actor, kind: str, table: Table, mapping: dict[str, int | None]) -> Plan:
    """The dry run: what would happen, and every problem by row and column. Writes nothing."""
    actor.require(_handler(kind).permission)
    return db.read(lambda s: _plan(s, kind, table, mapping)[0])


def run(
    db: Database,
    actor: Actor,
    kind: str,
    table: Table,
    mapping: dict[str, int | None],
    *,
    source: str = "import",
    progress: Progress | None = None,
) -> Plan:
    """Check again and commit in one transaction; with any problem, nothing is written."""
    handler = _handler(kind)
    actor.require(handler.permission)

    def op(s: Session) -> Plan:
        plan, planned = _plan(s, kind, table, mapping)
        if not plan.ok:
            first = plan.problems[0]
            raise UserError(
                f"{len(plan.problems):,} problem(s), nothing imported. First: row {first.row}, "
                f"{first.column}: {first.message}"
            )
        handler.apply(s, actor, planned, source[:60], progress)
        record(s, actor.user_id, f"import.{kind}", kind, None, f"{source}: {plan.summary()}")
        return plan

    return db.write(op)
