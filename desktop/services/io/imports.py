"""Importing a plant's spreadsheets: parts, suppliers, locations, opening stock and the catalogue's
reference data (categories, manufacturers, supplier and manufacturer part numbers, alternates).

The dry run and the import run the same code: every row is planned (every problem by row and column,
every field that will change, old -> new) and written inside one transaction, which the dry run rolls
back and the import commits only when no row has a problem. So a clean check means the import passes.
Rows are matched on business keys (part number, supplier name, location code), never on database ids,
so re-importing a corrected file updates records instead of duplicating them, and an export of this app
re-imports cleanly. A column the file lacks leaves that field as it is (io.fields.merge).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Location, Supplier
from desktop.models.enums import LocationLevel, LocationType
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue import location_paths
from desktop.services.catalogue import locations as loc_service
from desktop.services.catalogue.suppliers import name_key, validate_supplier
from desktop.services.io import catalogue as imports_catalogue
from desktop.services.io import kanban as imports_kanban
from desktop.services.io import mro as imports_mro
from desktop.services.io import part_writes
from desktop.services.io import parts as imports_parts
from desktop.services.io import stock as imports_stock
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
    match_columns,
    parents_first,
    row_failed,
    tick,
)
from desktop.services.io.fields import (
    choice_field,
    company_name,
    flag_field,
    list_changes,
    merge,
    number_field,
    text_field,
)
from desktop.services.io.mro import location_ref
from desktop.services.io.tabular import Table
from desktop.services.purchasing import erp_files

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
        # SAP: storage locations (T001L) sit in their plant (T001W), both by code
        Column("code", "Code", aliases=("location", "location code", "bin", "storage location", "plant")),
        Column(
            "name",
            "Name",
            aliases=("description", "descr of storage loc", "description of storage location", "name 1"),
        ),
        Column("level", "Level", aliases=("kind",)),
        Column("type", "Type", aliases=("location type",)),
        Column("parent", "Parent", aliases=("parent code", "inside", "plant")),
        Column("walk_order", "Walk order", aliases=("walk", "sequence")),
        Column("allow_negative", "Allow negative"),
        Column("active", "Active"),
        Column("notes", "Notes"),
        Column("path", "Path", aliases=("pathstring", "location path", "full path", "full location name")),
    ),
}


# --- parts ------------------------------------------------------------------------------------------------


def _plan_parts_kind(s: Session, rows: Rows) -> tuple[Plan, Any]:
    planned = imports_parts.plan(s, rows)
    named = {name_key(p.supplier) for p in planned.parts if p.supplier}
    named |= {name_key(v.supplier) for v in planned.vendors}
    if named:
        counted: set[str] = rows.found.memo.setdefault("new_suppliers", set())  # by earlier batches
        known = {k for (k,) in s.execute(select(Supplier.name_key).where(Supplier.name_key.in_(named)))}
        new = named - known - counted
        counted |= new
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

# Odoo's location types: an internal location holds stock, a view only groups others (its place in the
# tree gives its level); Odoo's virtual locations (vendor, customer, inventory loss…) are no place here
_ODOO_TYPES = {"INTERNAL_LOCATION": "STOREROOM", "INTERNAL": "STOREROOM", "VIEW": "STOREROOM"}

_LOCATION_FIELDS = (
    text_field("name", "", clearable=False),
    choice_field("level", LocationLevel.__members__, LocationLevel.BIN.value),
    choice_field("type", LocationType.__members__, LocationType.STOREROOM.value, _ODOO_TYPES),
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
            if cur is None and not rows.cell(row, "level") and not values["parent"]:
                values["level"] = LocationLevel.SITE.value  # a new place at the top, as a path's top is
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


# --- the registry and entry points ----------------------------------------------------------------------

HANDLERS: dict[str, Handler] = {
    "parts": Handler(
        imports_parts.COLUMNS,
        Permission.EDIT_PARTS,
        _plan_parts_kind,
        lambda s, _actor, planned, _source, _progress: part_writes.apply(s, planned),
        batch=imports_parts.BATCH,
        check_writes=False,  # writing finds nothing the plan does not; a batch's plan reads no earlier batch
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
    "stock": Handler(imports_stock.COLUMNS, Permission.MOVE_STOCK, imports_stock.plan, imports_stock.apply),
    **imports_catalogue.HANDLERS,
    **imports_mro.HANDLERS,
    **imports_kanban.HANDLERS,
    **erp_files.HANDLERS,
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
    commit: bool,
) -> Plan:
    """Plan and write the file batch by batch in the caller's transaction; the plan of the whole file.
    After the first problem nothing more is written (the caller rolls back), but every row is still
    checked, so the plan lists every problem. A dry run of a kind that needs no writes to find its
    problems (Handler.check_writes) only plans."""
    handler = _handler(kind)
    writes = commit or handler.check_writes
    rows = Rows(kind, handler.columns, table, mapping, options)
    plans: list[Plan] = []
    done = 0
    for batch in rows.batches(handler.batch):
        plan, planned = handler.plan(s, batch)
        plans.append(plan)
        done += plan.rows
        if writes and not rows.found.problem_count:
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
        plan = _execute(s, actor, kind, table, mapping, options or Options(), source[:60], progress, commit)
        if not (commit and plan.ok):
            raise _RolledBack(plan)
        record(s, actor.user_id, f"import.{kind}", kind, None, f"{source[:60]}: {plan.summary()}")
        return plan

    try:
        return db.write(op)
    except _RolledBack as done:
        return done.plan
