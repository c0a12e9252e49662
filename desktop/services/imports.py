"""Importing a plant's spreadsheets: parts, suppliers, locations and opening stock.

Every import is planned first (a dry run: every problem by row and column), then committed all or
nothing in one transaction. Rows are matched on business keys (part number, supplier name, location
code), never on database ids, so re-importing a corrected file updates records instead of duplicating
them, and an export of this app re-imports cleanly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Location, Part, PartSupplier, StockBalance, Supplier
from desktop.models.enums import LocationLevel, LocationType, MoveKind, PartCategory
from desktop.services import locations as loc_service
from desktop.services import parts as part_service
from desktop.services.actor import Actor, Permission
from desktop.services.audit import record
from desktop.services.stock import MoveRequest, post_in
from desktop.services.suppliers import name_key
from desktop.services.tabular import Table, file_number
from desktop.services.units import UNITS, check_qty_for_unit

Progress = Callable[[int, int], bool | None]


class ImportCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("Import cancelled: nothing was saved.")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()


KINDS: dict[str, tuple[Column, ...]] = {
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
PERMISSION = {
    "parts": Permission.EDIT_PARTS,
    "suppliers": Permission.EDIT_PARTS,
    "locations": Permission.EDIT_LOCATIONS,
    "stock": Permission.MOVE_STOCK,
}


@dataclass(frozen=True)
class Problem:
    row: int  # the row number a spreadsheet shows (header = 1)
    column: str
    message: str


@dataclass(frozen=True)
class Plan:
    kind: str
    rows: int
    creates: int = 0
    updates: int = 0
    unchanged: int = 0
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        text = f"{self.rows:,} rows: {self.creates:,} new, {self.updates:,} changed"
        text += f", {self.unchanged:,} unchanged"
        return text + (f"; {len(self.problems):,} problem(s)" if self.problems else "")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def auto_map(kind: str, headers: Sequence[str]) -> dict[str, int | None]:
    """Column index for each field, matched on the header's name (any case, spacing or punctuation)."""
    names = [_norm(h) for h in headers]
    mapping: dict[str, int | None] = {}
    for col in KINDS[kind]:
        wanted = {_norm(col.label), _norm(col.key)} | {_norm(a) for a in col.aliases}
        mapping[col.key] = next(
            (i for i, n in enumerate(names) if n in wanted and i not in mapping.values()), None
        )
    return mapping


@dataclass
class _Rows:
    """Access to the mapped cells of a table, plus the problems found while reading them."""

    kind: str
    table: Table
    mapping: dict[str, int | None]
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        labels = {c.key: c.label for c in KINDS[self.kind]}
        self.labels = labels
        for col in KINDS[self.kind]:
            if col.required and self.mapping.get(col.key) is None:
                raise UserError(f"Map a column to '{col.label}': it is required for a {self.kind} import.")
        if not self.table.rows:
            raise UserError("The file has a header row but no data rows.")

    def cell(self, row: Sequence[str], key: str) -> str:
        index = self.mapping.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    def problem(self, n: int, key: str, message: str) -> None:
        self.problems.append(Problem(n + 2, self.labels.get(key, key), message))

    def number(self, n: int, row: Sequence[str], key: str, *, integer: bool = False) -> Decimal | None:
        text = self.cell(row, key)
        if not text:
            return None
        try:
            value = file_number(text, decimal_comma=self.table.decimal_comma)
        except ValueError as exc:
            self.problem(n, key, str(exc))
            return None
        if integer and value != value.to_integral_value():
            self.problem(n, key, f"'{text}' must be a whole number")
            return None
        return value

    def flag(self, n: int, row: Sequence[str], key: str, default: bool) -> bool:
        text = self.cell(row, key).lower()
        if not text:
            return default
        if text in ("1", "yes", "y", "true", "x", "ja", "oui", "si", "sí"):
            return True
        if text in ("0", "no", "n", "false", "nein", "non"):
            return False
        self.problem(n, key, f"'{text}' is not yes or no")
        return default

    def choice(self, n: int, row: Sequence[str], key: str, options: Iterable[str], default: str) -> str:
        text = self.cell(row, key).upper().replace(" ", "_").replace("-", "_")
        if not text:
            return default
        allowed = list(options)
        if text not in allowed:
            self.problem(n, key, f"'{self.cell(row, key)}' is not one of {', '.join(allowed)}")
            return default
        return text


def _field_of(exc: UserError, default: str) -> str:
    return exc.field or default


# --- parts ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PartRow:
    n: int
    data: part_service.PartInput
    supplier: str | None
    supplier_pn: str | None
    existing_id: int | None


def _plan_parts(s: Session, rows: _Rows) -> tuple[list[_PartRow], int]:
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
            rows.problem(n, _field_of(exc, "part_number"), exc.message)
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
    for chunk in _chunks(ids, 5000):
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
    for chunk in _chunks(inserts, 2000):
        s.execute(insert(Part), chunk)
        done += len(chunk)
        _tick(progress, done, total)
    for chunk in _chunks(updates, 2000):
        s.execute(update(Part), chunk)
        done += len(chunk)
        _tick(progress, done, total)
    _link_suppliers(s, [p for p in planned if p.supplier])
    _tick(progress, total, total)


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
    for chunk in _chunks(keys, 5000):
        part_ids.update(
            s.execute(select(Part.number_key, Part.id).where(Part.number_key.in_(chunk))).tuples().all()
        )
    links: dict[tuple[int, int], tuple[int, str | None]] = {}
    for chunk in _chunks(list(part_ids.values()), 5000):
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
    for chunk in _chunks(new_links, 2000):
        s.execute(insert(PartSupplier), chunk)
    for chunk in _chunks(changed_links, 2000):
        s.execute(update(PartSupplier), chunk)
    for chunk in _chunks(defaults, 2000):
        s.execute(update(Part), chunk)


# --- suppliers, locations, stock ------------------------------------------------------------------------


def _plan_suppliers(
    s: Session, rows: _Rows
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


def _plan_locations(s: Session, rows: _Rows) -> tuple[list[tuple[int, loc_service.LocationInput]], int, int]:
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
            rows.problem(n, "parent" if exc.field == "parent" else _field_of(exc, "code"), exc.message)
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
    return _parents_first(items), creates, len(items) - creates


def _parents_first(
    items: list[tuple[int, loc_service.LocationInput]],
) -> list[tuple[int, loc_service.LocationInput]]:
    by_code = {d.code: (n, d) for n, d in items}
    ordered: list[tuple[int, loc_service.LocationInput]] = []
    placed: set[str] = set()

    def place(code: str, trail: frozenset[str]) -> None:
        if code in placed or code not in by_code or code in trail:
            return
        n, data = by_code[code]
        if data.parent_code:
            place(data.parent_code, trail | {code})
        placed.add(code)
        ordered.append((n, data))

    for code in by_code:
        place(code, frozenset())
    return ordered


def _apply_locations(
    s: Session, items: list[tuple[int, loc_service.LocationInput]], progress: Progress | None
) -> None:
    existing = {loc.code: loc for loc in s.scalars(select(Location))}
    for done, (n, data) in enumerate(items, start=1):
        try:
            saved = loc_service.save_location(s, existing.get(data.code) or Location(), data)
        except UserError as exc:  # e.g. a level that cannot sit in its parent: reported with its row
            raise UserError(f"Row {n + 2}: {exc.message} Nothing was imported.") from exc
        existing[saved.code] = s.get(Location, saved.id)  # type: ignore[assignment]
        if done % 500 == 0:
            _tick(progress, done, len(items))


@dataclass(frozen=True)
class _StockRow:
    n: int
    part_id: int
    location_id: int
    unit: str
    qty: Decimal
    current: Decimal


def _plan_stock(s: Session, rows: _Rows) -> list[_StockRow]:
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
        number, code = rows.cell(row, "part_number"), rows.cell(row, "location").upper().removeprefix("L-")
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
            _tick(progress, done, len(planned))


# --- entry points ---------------------------------------------------------------------------------------


def _plan(s: Session, kind: str, rows: _Rows) -> tuple[Plan, Any]:
    if kind == "parts":
        planned_parts, changed = _plan_parts(s, rows)
        creates = sum(1 for p in planned_parts if p.existing_id is None)
        suppliers_new = {name_key(p.supplier) for p in planned_parts if p.supplier} - {
            k for (k,) in s.execute(select(Supplier.name_key))
        }
        notes = (f"{len(suppliers_new)} new supplier(s) will be added",) if suppliers_new else ()
        plan = Plan(
            kind,
            len(rows.table.rows),
            creates,
            changed,
            len(planned_parts) - creates - changed,
            tuple(rows.problems),
            notes,
        )
        return plan, planned_parts
    if kind == "suppliers":
        planned_sup, changed = _plan_suppliers(s, rows)
        creates = sum(1 for _n, _v, i in planned_sup if i is None)
        return Plan(
            kind,
            len(rows.table.rows),
            creates,
            changed,
            len(planned_sup) - creates - changed,
            tuple(rows.problems),
        ), planned_sup
    if kind == "locations":
        items, creates, existing = _plan_locations(s, rows)
        return Plan(kind, len(rows.table.rows), creates, existing, 0, tuple(rows.problems)), items
    if kind == "stock":
        planned_stock = _plan_stock(s, rows)
        same = sum(1 for r in planned_stock if r.qty == r.current)
        new = sum(1 for r in planned_stock if r.current == 0 and r.qty != 0)
        return Plan(
            kind, len(rows.table.rows), new, len(planned_stock) - same - new, same, tuple(rows.problems)
        ), planned_stock
    raise UserError(f"Unknown import kind '{kind}'. Choose one of: {', '.join(KINDS)}.")


def check(db: Database, actor: Actor, kind: str, table: Table, mapping: dict[str, int | None]) -> Plan:
    """The dry run: what would happen, and every problem by row and column. Writes nothing."""
    actor.require(PERMISSION.get(kind, Permission.ADMIN))
    return db.read(lambda s: _plan(s, kind, _Rows(kind, table, mapping))[0])


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
    actor.require(PERMISSION.get(kind, Permission.ADMIN))

    def op(s: Session) -> Plan:
        plan, planned = _plan(s, kind, _Rows(kind, table, mapping))
        if not plan.ok:
            first = plan.problems[0]
            raise UserError(
                f"{len(plan.problems):,} problem(s), nothing imported. First: row {first.row}, "
                f"{first.column}: {first.message}"
            )
        if kind == "parts":
            _apply_parts(s, planned, progress)
        elif kind == "suppliers":
            _apply_suppliers(s, planned)
        elif kind == "locations":
            _apply_locations(s, planned, progress)
        else:
            _apply_stock(s, actor, planned, source[:60], progress)
        record(s, actor.user_id, f"import.{kind}", kind, None, f"{source}: {plan.summary()}")
        return plan

    return db.write(op)


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise ImportCancelled()


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
