"""Importing a plant's spreadsheets: parts, suppliers, locations, opening stock and the catalogue's
reference data (categories, manufacturers, supplier and manufacturer part numbers, alternates).

The dry run and the import run the same code: every row is planned (every problem by row and column,
every field that will change, old -> new) and written inside one transaction, which the dry run rolls
back and the import commits only when no row has a problem. So a clean check means the import passes.
Rows are matched on business keys (part number, supplier name, location code), never on database ids,
so re-importing a corrected file updates records instead of duplicating them, and an export of this app
re-imports cleanly. A column the file lacks leaves that field as it is (imports_common.merge).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, tuple_, update
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Location, Part, StockBalance, Supplier
from desktop.models.enums import LocationLevel, LocationType, MoveKind
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue import location_paths
from desktop.services.catalogue import locations as loc_service
from desktop.services.catalogue import parts as part_service
from desktop.services.catalogue.suppliers import name_key, validate_supplier
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.io import catalogue as imports_catalogue
from desktop.services.io import kanban as imports_kanban
from desktop.services.io import mro as imports_mro
from desktop.services.io import parts as imports_parts
from desktop.services.io.common import (
    Change,
    Column,
    Handler,
    ImportCancelled,
    Options,
    Plan,
    Problem,
    Progress,
    RowFailed,
    Rows,
    choice_field,
    chunks,
    company_name,
    flag_field,
    list_changes,
    match_columns,
    merge,
    number_field,
    parents_first,
    row_failed,
    text_field,
    tick,
)
from desktop.services.io.mro import location_ref
from desktop.services.io.tabular import Table
from desktop.services.stock.moves import MoveRequest, post_in

__all__ = [
    "KINDS",
    "Change",
    "Column",
    "ImportCancelled",
    "Options",
    "Plan",
    "Problem",
    "auto_map",
    "check",
    "run",
]

_COLUMNS: dict[str, tuple[Column, ...]] = {
    "suppliers": (
        Column("name", "Supplier", True, ("name", "vendor", "supplier name", "company", "company name")),
        Column("contact", "Contact", aliases=("contact person", "contact name")),
        Column("email", "Email", aliases=("e-mail", "mail")),
        Column("phone", "Phone", aliases=("telephone", "tel")),
        Column("address", "Address", aliases=("street address", "postal address")),
        Column("website", "Website", aliases=("web", "url", "homepage", "link", "web site")),
        Column("currency", "Currency", aliases=("currency code", "default currency")),
        Column("is_supplier", "Is supplier", aliases=("supplier?",)),
    ),
    "locations": (
        Column("code", "Code", aliases=("location", "location code", "bin")),
        Column("name", "Name", aliases=("description",)),
        Column("level", "Level", aliases=("kind",)),
        Column("type", "Type", aliases=("location type",)),
        Column("parent", "Parent", aliases=("parent code", "inside")),
        Column("walk_order", "Walk order", aliases=("walk", "sequence")),
        Column("allow_negative", "Allow negative"),
        Column("active", "Active"),
        Column("notes", "Notes"),
        Column("path", "Path", aliases=("pathstring", "location path", "full path")),
    ),
    "stock": (
        Column("part_number", "Part number", True, ("ipn", "part no", "pn", "item", "sku", "part")),
        Column("location", "Location", aliases=("location code", "bin", "code", "location path")),
        Column("qty", "Quantity", True, ("qty", "on hand", "count", "quantity on hand")),
    ),
}


# --- parts ------------------------------------------------------------------------------------------------


def _plan_parts_kind(s: Session, rows: Rows) -> tuple[Plan, Any]:
    planned = imports_parts.plan(s, rows)
    known = {k for (k,) in s.execute(select(Supplier.name_key))}
    new = {name_key(p.supplier) for p in planned if p.supplier} - known
    rows.note("{n} new supplier(s) will be added", len(new))
    return rows.plan(*imports_parts.counts(planned)), planned


# --- suppliers --------------------------------------------------------------------------------------------

_SUPPLIER_FIELDS = (
    text_field("contact"),
    text_field("email"),
    text_field("phone"),
    text_field("address"),
    text_field("website"),
    text_field("currency", upper=True),
)
_SUPPLIER_KEYS = tuple(f.key for f in _SUPPLIER_FIELDS)


def _plan_suppliers(s: Session, rows: Rows) -> tuple[Plan, Any]:
    current = {
        sup.name_key: {"id": sup.id, "name": sup.name, **{k: getattr(sup, k) for k in _SUPPLIER_KEYS}}
        for sup in s.scalars(select(Supplier))
    }
    planned: list[tuple[int, dict[str, Any], int | None]] = []
    creates = changed = 0
    for n, row in rows.numbered():
        name = company_name(rows, n, row, "supplier", longest=120)
        if name is None:
            continue
        key = name_key(name)
        cur = current.get(key)
        values = merge(rows, n, row, cur, _SUPPLIER_FIELDS)
        values["name"] = name
        try:
            clean = validate_supplier({k: values[k] or None for k in ("name", *_SUPPLIER_KEYS)})
        except UserError as exc:
            rows.problem(n, exc.field or "name", exc.message)
            continue
        if cur is None:
            creates += 1
        elif list_changes(rows, n, name, cur, clean, ("name", *_SUPPLIER_KEYS)):
            changed += 1
        planned.append((n, clean, cur["id"] if cur else None))
    return rows.plan(creates, changed, len(planned) - creates - changed), planned


def _apply_suppliers(s: Session, planned: list[tuple[int, dict[str, Any], int | None]]) -> None:
    for _n, values, existing_id in planned:
        if existing_id is None:
            s.execute(insert(Supplier).values(name_key=name_key(values["name"]), **values))
        else:
            s.execute(update(Supplier).where(Supplier.id == existing_id).values(**values))


# --- locations --------------------------------------------------------------------------------------------

_LOCATION_FIELDS = (
    text_field("name", "", clearable=False),
    choice_field("level", LocationLevel.__members__, LocationLevel.BIN.value),
    choice_field("type", LocationType.__members__, LocationType.STOREROOM.value),
    text_field("parent", upper=True),
    number_field("walk_order", 0, integer=True),
    flag_field("allow_negative", False),
    text_field("notes", lines=True),
    flag_field("active", True),
)
_LOCATION_KEYS = tuple(f.key for f in _LOCATION_FIELDS)


def _plan_locations(s: Session, rows: Rows) -> tuple[Plan, Any]:
    parent = aliased(Location)
    current = {
        loc.code: {
            "name": loc.name,
            "level": loc.level,
            "type": loc.type,
            "parent": parent_code,
            "walk_order": loc.walk_order,
            "allow_negative": loc.allow_negative,
            "notes": loc.notes,
            "active": loc.active,
        }
        for loc, parent_code in s.execute(
            select(Location, parent.code).outerjoin(parent, parent.id == Location.parent_id)
        ).tuples()
    }
    if not rows.mapped("code") and not rows.mapped("path"):
        raise UserError("Map a column to 'Code' or to 'Path' (e.g. Plant/Store/Rack 3/Bin 7).")
    places = _places(s, rows)
    with_row: set[str] = set()
    codes_in_file = rows.seen("location")
    items: list[tuple[int, loc_service.LocationInput]] = []
    changed = 0
    for n, row in rows.numbered():
        before = rows.found.problem_count
        names = location_paths.split_path(rows.cell(row, "path")) if rows.mapped("path") else ()
        place = places.get(location_paths.key(names)) if names and not rows.cell(row, "code") else None
        if place is not None:
            with_row.add(place.code)
        code = place.code if place else location_ref(rows.cell(row, "code"))
        cur = current.get(code)
        if place is None:
            values = merge(rows, n, row, cur, _LOCATION_FIELDS)
        else:  # the path says where it sits; a level the file gives (not a depth number) is kept
            values = merge(rows, n, row, cur, _PATH_FIELDS)
            level = rows.cell(row, "level").upper()
            values["parent"] = place.parent_code
            values["level"] = (
                level if level in LocationLevel.__members__ else (cur or {}).get("level", place.level)
            )
            values["name"] = values["name"] or names[-1]
        data = loc_service.LocationInput(
            code=code,
            name=values["name"] or "",
            level=values["level"],
            type=values["type"],
            parent_code=location_ref(values["parent"] or "") or None,
            walk_order=values["walk_order"] or 0,
            allow_negative=values["allow_negative"],
            notes=values["notes"] or None,
            active=values["active"],
        )
        try:
            data = loc_service.validate_location(data)
        except UserError as exc:
            rows.problem(n, "parent" if exc.field == "parent" else exc.field or "code", exc.message)
        if data.code in codes_in_file:
            rows.problem(n, "code", f"location {data.code} is also on row {codes_in_file[data.code] + 2}")
        codes_in_file[data.code] = n
        if cur is not None:
            after = {**values, "parent": data.parent_code, "name": data.name, "notes": data.notes}
            changed += bool(list_changes(rows, n, code, cur, after, _LOCATION_KEYS))
        if rows.found.problem_count == before:
            items.append((n, data))
    for place in places.values():  # places a path passes through that have no row of their own
        if place.code not in current and place.code not in with_row:
            first = min((n for n, d in items if d.parent_code == place.code), default=0)
            items.append(
                (
                    first,
                    loc_service.LocationInput(
                        place.code, place.names[-1][:120], place.level, parent_code=place.parent_code
                    ),
                )
            )
            codes_in_file[place.code] = first
            rows.note("{n} location(s) named only inside a path are added")
    for n, data in items:  # parents must exist already or come in the same file
        if data.parent_code and data.parent_code not in current and data.parent_code not in codes_in_file:
            rows.problem(
                n, "parent", f"parent location {data.parent_code} is neither in the database nor the file"
            )
    creates = sum(1 for _n, d in items if d.code not in current)
    ordered = parents_first(items, lambda i: i[1].code, lambda i: i[1].parent_code)
    return rows.plan(creates, changed, len(items) - creates - changed), ordered


_PATH_FIELDS = tuple(f for f in _LOCATION_FIELDS if f.key not in ("parent", "level"))


def _places(s: Session, rows: Rows) -> dict[str, location_paths.Place]:
    """Code, parent and level for every place the file's paths name (rows with a code keep theirs)."""
    if not rows.mapped("path"):
        return {}
    paths = [
        location_paths.split_path(rows.cell(row, "path"))
        for _n, row in rows.numbered()
        if not rows.cell(row, "code")
    ]
    existing = location_paths.name_paths(s)
    taken = set(s.scalars(select(Location.code)))
    taken |= {location_ref(rows.cell(row, "code")) for _n, row in rows.numbered() if rows.cell(row, "code")}
    return location_paths.places([p for p in paths if p], existing, taken)


def _apply_locations(
    s: Session, items: list[tuple[int, loc_service.LocationInput]], progress: Progress | None
) -> None:
    existing = {loc.code: loc for loc in s.scalars(select(Location))}
    for done, (n, data) in enumerate(items, start=1):
        try:
            saved = loc_service.save_location(s, existing.get(data.code) or Location(), data)
        except UserError as exc:  # e.g. a level that cannot sit in its parent: reported with its row
            raise row_failed(n, exc, "Level" if "inside" in exc.message else "") from exc
        existing[saved.code] = s.get(Location, saved.id)  # type: ignore[assignment]
        if done % 500 == 0:
            tick(progress, done, len(items))


# --- opening stock ----------------------------------------------------------------------------------------


@dataclass
class _StockRow:
    n: int
    part_id: int
    location_id: int
    unit: str
    qty: Decimal
    current: Decimal
    rows: int = 1  # rows of the file summed into this one


def _plan_stock(s: Session, rows: Rows) -> tuple[Plan, Any]:
    parts = {k: (i, u) for k, i, u in s.execute(select(Part.number_key, Part.id, Part.unit))}
    locs = {c: i for c, i in s.execute(select(Location.code, Location.id))}
    balances = {
        (p, loc): Decimal(q)
        for p, loc, q in s.execute(select(StockBalance.part_id, StockBalance.location_id, StockBalance.qty))
    }
    default = location_ref(rows.options.default_location or "")
    if default and default not in locs:
        raise UserError(f"The default location {default} does not exist: import the locations first.")
    planned: dict[tuple[int, int], _StockRow] = {}
    unplaced = 0
    paths: dict[str, tuple[int, str]] | None = None  # locations by path of names, read when a row needs it
    for n, row in rows.numbered():
        before = rows.found.problem_count
        number, code = rows.cell(row, "part_number"), location_ref(rows.cell(row, "location"))
        if code and code not in locs and location_paths.is_path(rows.cell(row, "location")):
            if paths is None:
                paths = location_paths.name_paths(s)
            found = paths.get(location_paths.key(location_paths.split_path(rows.cell(row, "location"))))
            code = found[1] if found else code
        part = parts.get(part_service.number_key(number))
        if part is None:
            rows.problem(n, "part_number", f"no part {number}: import the parts first")
        if not code and default:
            code, unplaced = default, unplaced + 1
        loc = locs.get(code)
        if not code:
            rows.problem(n, "location", "no location: choose a default receiving location for such rows")
        elif loc is None:
            rows.problem(n, "location", f"no location {code}: import the locations first")
        qty = rows.number(n, row, "qty")
        if qty is None and rows.cell(row, "qty") == "":
            rows.problem(n, "qty", "the quantity is empty")
        elif qty is not None and qty < 0:
            rows.problem(n, "qty", "a quantity on hand cannot be negative")
        if part and loc and qty is not None:
            try:
                check_qty_for_unit(qty, part[1])
            except UserError as exc:
                rows.problem(n, "qty", exc.message)
        if rows.found.problem_count > before or part is None or loc is None or qty is None:
            continue
        same = planned.get((part[0], loc))
        if same is not None:  # lots of one part in one bin: the bin holds their sum
            same.qty += qty
            same.rows += 1
            rows.note("{n} row(s) repeat a part and location of an earlier row: their quantities are added")
        else:
            planned[(part[0], loc)] = _StockRow(
                n, part[0], loc, part[1], qty, balances.get((part[0], loc), Decimal(0))
            )
    if unplaced:
        rows.note(f"{{n}} row(s) without a location go to {default}", unplaced)
    elif not default and any(
        p.column == rows.labels["location"] and "no location:" in p.message for p in rows.problems
    ):
        receiving = s.scalar(
            select(Location.code)
            .where(Location.type == LocationType.RECEIVING.value, Location.active)
            .order_by(Location.code)
            .limit(1)
        )
        rows.found.memo["location_offer"] = receiving
        rows.note(
            "rows without a location can go to a default location"
            + (f" such as {receiving} (receiving)" if receiving else "")
            + ": choose one and check again"
        )
    result = list(planned.values())
    for r in result:
        try:
            check_qty_for_unit(r.qty, r.unit)
        except UserError as exc:
            rows.problem(r.n, "qty", exc.message)
    unchanged = sum(1 for r in result if r.qty == r.current)
    new = sum(1 for r in result if r.current == 0 and r.qty != 0)
    return rows.plan(new, len(result) - unchanged - new, unchanged), result


def _held_now(s: Session, planned: list[_StockRow]) -> dict[tuple[int, int], Decimal]:
    """The balances the file sets, locked until the import commits (PostgreSQL: another PC may have
    moved stock since the plan read them; SQLite's writer already holds the whole database). Locked in
    location order, as every move locks its rows, so an import and a move cannot deadlock."""
    pairs = sorted({(r.location_id, r.part_id) for r in planned})
    held: dict[tuple[int, int], Decimal] = {}
    for chunk in chunks(pairs, 2000):
        stmt = (
            select(StockBalance.part_id, StockBalance.location_id, StockBalance.qty)
            .where(tuple_(StockBalance.location_id, StockBalance.part_id).in_(chunk))
            .order_by(StockBalance.location_id, StockBalance.part_id)
        )
        if s.get_bind().dialect.name != "sqlite":
            stmt = stmt.with_for_update()
        held.update({(p, loc): Decimal(q) for p, loc, q in s.execute(stmt)})
    return held


def _apply_stock(
    s: Session, actor: Actor, planned: list[_StockRow], reference: str, progress: Progress | None
) -> None:
    held = _held_now(s, planned)
    for done, r in enumerate(planned, start=1):
        diff = r.qty - held.get((r.part_id, r.location_id), Decimal(0))
        if diff == 0:
            continue
        # An empty bin gets a RECEIPT (history starts right); a bin that holds stock is set by an ADJUSTMENT.
        kind = MoveKind.RECEIPT if held.get((r.part_id, r.location_id), 0) == 0 else MoveKind.ADJUSTMENT
        try:
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
        except UserError as exc:  # a rule of the stock service (e.g. a location that takes no stock)
            raise row_failed(r.n, exc, "Location") from exc
        if done % 500 == 0:
            tick(progress, done, len(planned))


# --- the registry and entry points ----------------------------------------------------------------------

HANDLERS: dict[str, Handler] = {
    "parts": Handler(
        imports_parts.COLUMNS,
        Permission.EDIT_PARTS,
        _plan_parts_kind,
        lambda s, _actor, planned, _source, _progress: imports_parts.apply(s, planned),
        batch=imports_parts.BATCH,
    ),
    "suppliers": Handler(
        _COLUMNS["suppliers"],
        Permission.EDIT_PARTS,
        _plan_suppliers,
        lambda s, _actor, planned, _source, _progress: _apply_suppliers(s, planned),
    ),
    "locations": Handler(
        _COLUMNS["locations"],
        Permission.EDIT_LOCATIONS,
        _plan_locations,
        lambda s, _actor, planned, _source, progress: _apply_locations(s, planned, progress),
    ),
    "stock": Handler(
        _COLUMNS["stock"],
        Permission.MOVE_STOCK,
        _plan_stock,
        lambda s, actor, planned, source, progress: _apply_stock(s, actor, planned, source, progress),
    ),
    **imports_catalogue.HANDLERS,
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


def _execute(
    s: Session,
    actor: Actor,
    kind: str,
    table: Table,
    mapping: dict[str, int | None],
    options: Options,
    source: str,
    progress: Progress | None,
) -> Plan:
    """Plan and write the file batch by batch in the caller's transaction; the plan of the whole file.
    After the first problem nothing more is written (the caller rolls back), but every row is still
    checked, so the plan lists every problem."""
    handler = _handler(kind)
    rows = Rows(kind, handler.columns, table, mapping, options)
    plans: list[Plan] = []
    done = 0
    for batch in rows.batches(handler.batch):
        plan, planned = handler.plan(s, batch)
        plans.append(plan)
        done += plan.rows
        if not rows.found.problem_count:
            try:
                handler.apply(s, actor, planned, source, progress)
            except RowFailed as exc:  # a rule only the writing finds: the row, its column's label
                found = exc.problem
                rows.found.problem_count += 1
                rows.found.problems.append(replace(found, column=rows.labels.get(found.column, found.column)))
                break  # the transaction is spoilt; it is rolled back
        tick(progress, done, len(table.rows))
    return rows.total(plans)


class _RolledBack(Exception):
    """Carries the dry run's plan out of the transaction it rolls back."""

    def __init__(self, plan: Plan) -> None:
        super().__init__("dry run")
        self.plan = plan


def check(
    db: Database,
    actor: Actor,
    kind: str,
    table: Table,
    mapping: dict[str, int | None],
    options: Options | None = None,
    *,
    progress: Progress | None = None,
) -> Plan:
    """The dry run: the import itself, inside a transaction that is rolled back. Every problem by row and
    column and every field that will change; nothing is kept."""
    return execute(db, actor, kind, table, mapping, options, commit=False, progress=progress)


def run(
    db: Database,
    actor: Actor,
    kind: str,
    table: Table,
    mapping: dict[str, int | None],
    options: Options | None = None,
    *,
    source: str = "import",
    progress: Progress | None = None,
) -> Plan:
    """Check again and commit in one transaction; with any problem, nothing is written (UserError)."""
    plan = execute(db, actor, kind, table, mapping, options, commit=True, source=source, progress=progress)
    if not plan.ok:
        first = plan.problems[0]
        raise UserError(
            f"{plan.problems_total:,} problem(s), nothing imported. First: row {first.row}, "
            f"{first.column}: {first.message}"
        )
    return plan


def execute(
    db: Database,
    actor: Actor,
    kind: str,
    table: Table,
    mapping: dict[str, int | None],
    options: Options | None = None,
    *,
    commit: bool,
    source: str = "import",
    progress: Progress | None = None,
) -> Plan:
    """One pass over the file in one transaction: committed when `commit` and no row has a problem,
    rolled back otherwise; the plan either way (the command line checks and imports in this one pass)."""
    actor.require(_handler(kind).permission)

    def op(s: Session) -> Plan:
        plan = _execute(s, actor, kind, table, mapping, options or Options(), source[:60], progress)
        if not (commit and plan.ok):
            raise _RolledBack(plan)
        record(s, actor.user_id, f"import.{kind}", kind, None, f"{source[:60]}: {plan.summary()}")
        return plan

    try:
        return db.write(op)
    except _RolledBack as done:
        return done.plan
