"""Importing and exporting the catalogue's reference data, each as its own kind of file: the category
tree, manufacturers, supplier part numbers (their own module, supplier_parts.py: Odoo's vendor pricelist
and SAP's purchasing info records too), manufacturer part numbers, and alternates / superseding parts.
Every supplier and manufacturer number imported here scans in the scan box.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, aliased

from desktop.errors import UserError
from desktop.models import Category, Manufacturer, Part, PartXref
from desktop.models.enums import XrefKind
from desktop.services import mro
from desktop.services.actor import Actor, Permission
from desktop.services.catalogue import categories, manufacturers
from desktop.services.catalogue.suppliers import name_key
from desktop.services.common import clean_text
from desktop.services.io import supplier_parts
from desktop.services.io.common import Column, Handler, Plan, Rows, chunks, row_failed
from desktop.services.io.fields import company_name, list_changes, merge, text_field
from desktop.services.io.part_refs import PART, find_part, part_ids, part_keys

CATEGORY_COLUMNS = (
    Column("path", "Path", aliases=("pathstring", "category path", "full path", "category")),
    Column("name", "Name", aliases=("category name",)),
    Column("parent", "Parent", aliases=("parent category", "parent path")),
    Column("description", "Description", aliases=("desc",)),
)
MANUFACTURER_COLUMNS = (
    Column("name", "Manufacturer", True, ("name", "company", "company name", "manufacturer name", "maker")),
    Column("website", "Website", aliases=("web", "url", "homepage", "link", "web site")),
    Column("is_manufacturer", "Is manufacturer", aliases=("manufacturer?",)),
)
MANUFACTURER_PART_COLUMNS = (
    PART,
    Column("manufacturer", "Manufacturer", True, ("manufacturer name", "mfr", "maker", "brand")),
    Column("mpn", "Manufacturer part number", True, ("mpn", "mfr part number", "manufacturer number")),
    Column("note", "Note", aliases=("description", "notes", "comment")),
)
ALTERNATE_COLUMNS = (
    Column("part_number", "Part number", True, (*PART.aliases, "part 1", "part a")),
    Column(
        "other",
        "Other part number",
        True,
        ("alternate", "alternate part", "substitute", "other part", "part 2", "part b", "superseded by"),
    ),
    Column("kind", "Kind", aliases=("relation", "type")),
    Column("note", "Note", aliases=("notes", "comment")),
)


# --- categories -----------------------------------------------------------------------------------------


def _plan_categories(s: Session, rows: Rows) -> tuple[Plan, Any]:
    if not rows.mapped("path") and not rows.mapped("name"):
        raise UserError("Map a column to 'Path' (e.g. Fasteners > Bolts) or to 'Name' (with 'Parent').")
    current = {c.path_key: c.description for c in s.scalars(select(Category))}
    seen = rows.seen("category")
    planned: list[tuple[int, categories.Path, str | None]] = []
    creates = changed = 0
    for n, row in rows.numbered():
        try:
            if rows.cell(row, "path"):
                path = categories.parse_path(rows.cell(row, "path"))
            else:
                path = categories.parse_path(rows.cell(row, "parent")) + categories.parse_path(
                    rows.cell(row, "name").replace("/", " ").replace(">", " ")
                )
            description = clean_text(
                rows.cell(row, "description"), field="description", label="Description", max_len=200
            )
        except UserError as exc:
            rows.problem(n, "path", exc.message)
            continue
        if not path:
            rows.problem(n, "path", "the category has no name")
            continue
        key = categories.key_of(path)
        if key in seen:
            rows.problem(n, "path", f"category {categories.show(path)} is also on row {seen[key] + 2}")
            continue
        seen[key] = n
        if key not in current:
            creates += 1
        elif rows.given(row, "description", True):
            changed += bool(
                list_changes(
                    rows,
                    n,
                    categories.show(path),
                    {"description": current[key]},
                    {"description": description},
                    ("description",),
                )
            )
        keep = not rows.given(row, "description", key in current)
        planned.append((n, path, current.get(key) if keep else description))
    return rows.plan(creates, changed, len(planned) - creates - changed), planned


def _apply_categories(s: Session, planned: list[tuple[int, categories.Path, str | None]]) -> None:
    ids = categories.ensure_paths(s, [p for _n, p, _d in planned], {p: d for _n, p, d in planned if d})
    for chunk in chunks([{"id": ids[categories.key_of(p)], "description": d} for _n, p, d in planned], 2000):
        s.execute(update(Category), chunk)


def export_categories(s: Session) -> list[list[Any]]:
    rows = [
        [c.path, c.name, c.path.rpartition(categories.SEPARATOR)[0], c.description]
        for c in s.scalars(select(Category))
    ]
    rows.sort(key=lambda r: tuple(n.upper() for n in str(r[0]).split(categories.SEPARATOR)))
    return rows


# --- manufacturers --------------------------------------------------------------------------------------

_MANUFACTURER_FIELDS = (text_field("website"),)


def _plan_manufacturers(s: Session, rows: Rows) -> tuple[Plan, Any]:
    current: dict[str, dict[str, Any]] = {
        m.name_key: {"id": m.id, "name": m.name, "website": m.website}
        for m in s.scalars(select(Manufacturer))
    }
    planned: list[tuple[str, str | None, int | None]] = []
    creates = changed = 0
    for n, row in rows.numbered():
        name = company_name(rows, n, row, "manufacturer", longest=80)
        if name is None:
            continue
        key = name_key(name)
        cur = current.get(key)
        values = merge(rows, n, row, cur, _MANUFACTURER_FIELDS)
        try:
            website = clean_text(values["website"], field="website", label="Website", max_len=200)
        except UserError as exc:
            rows.problem(n, "website", exc.message)
            continue
        if cur is None:
            creates += 1
        elif list_changes(rows, n, name, cur, {"name": name, "website": website}, ("name", "website")):
            changed += 1
        planned.append((name, website, int(cur["id"]) if cur else None))
    return rows.plan(creates, changed, len(planned) - creates - changed), planned


def _apply_manufacturers(s: Session, planned: list[tuple[str, str | None, int | None]]) -> None:
    for name, website, existing in planned:
        if existing is None:
            s.execute(
                insert(Manufacturer).values(name=name, name_key=name_key(name), website=website, active=True)
            )
        else:
            s.execute(
                update(Manufacturer).where(Manufacturer.id == existing).values(name=name, website=website)
            )


def export_manufacturers(s: Session) -> list[list[Any]]:
    rows = [[m.name, m.website, "yes"] for m in s.scalars(select(Manufacturer))]
    return sorted(rows, key=lambda r: str(r[0]).upper())


# --- manufacturer part numbers --------------------------------------------------------------------------


def _plan_manufacturer_parts(s: Session, rows: Rows) -> tuple[Plan, Any]:
    batch = list(rows.numbered())
    ids = part_ids(s, {k for _n, r in batch for k in part_keys(rows.cell(r, "part_number"))})
    have: set[tuple[int, str | None]] = set()
    for chunk in chunks(list(set(ids.values())), 5000):
        have.update(
            s.execute(
                select(Part.id, Part.mpn_key).where(Part.id.in_(chunk), Part.mpn_key.is_not(None))
            ).tuples()
        )
        have.update(
            s.execute(
                select(PartXref.part_id, PartXref.value_key).where(
                    PartXref.part_id.in_(chunk), PartXref.kind == XrefKind.MANUFACTURER.value
                )
            ).tuples()
        )
    seen = rows.seen("mpn")
    planned: list[dict[str, Any]] = []
    unchanged = 0
    for n, row in batch:
        before = rows.found.problem_count
        part_id = find_part(rows, n, row, ids)
        try:
            maker = manufacturers.clean_name(rows.cell(row, "manufacturer"))
            mpn = (
                clean_text(
                    rows.cell(row, "mpn"),
                    field="mpn",
                    label="Manufacturer part number",
                    max_len=60,
                    required=True,
                )
                or ""
            )
            note = clean_text(rows.cell(row, "note"), field="note", label="Note", max_len=200)
        except UserError as exc:
            rows.problem(n, exc.field or "mpn", exc.message)
            continue
        key = (part_id or 0, mpn.upper())
        if key in seen:
            rows.problem(n, "mpn", f"{mpn} for this part is also on row {seen[key] + 2}")
        seen[key] = n
        if rows.found.problem_count > before or part_id is None:
            continue
        if key in have:
            unchanged += 1
            continue
        planned.append(
            {
                "part_id": part_id,
                "kind": XrefKind.MANUFACTURER.value,
                "manufacturer": maker,
                "value": mpn,
                "value_key": mpn.upper(),
                "other_part_id": None,
                "note": note,
            }
        )
    return rows.plan(len(planned), 0, unchanged), planned


def _apply_manufacturer_parts(s: Session, planned: list[dict[str, Any]]) -> None:
    """A part with no manufacturer number yet takes its first as its own; the others are kept as
    cross-references. Both scan."""
    manufacturers.ensure(s, {p["manufacturer"] for p in planned})
    bare: set[int] = set()
    for chunk in chunks(list({p["part_id"] for p in planned}), 5000):
        bare.update(
            s.scalars(select(Part.id).where(Part.id.in_(chunk), Part.manufacturer_part_number.is_(None)))
        )
    own: list[dict[str, Any]] = []
    more: list[dict[str, Any]] = []
    for p in planned:
        if p["part_id"] in bare:
            bare.discard(p["part_id"])
            own.append(
                {
                    "id": p["part_id"],
                    "manufacturer": p["manufacturer"],
                    "manufacturer_part_number": p["value"],
                    "mpn_key": p["value_key"],
                }
            )
        else:
            more.append(p)
    for chunk in chunks(own, 2000):
        s.execute(update(Part), chunk)
    for chunk in chunks(more, 2000):
        s.execute(insert(PartXref), chunk)


def export_manufacturer_parts(s: Session) -> list[list[Any]]:
    own = [
        [p.part_number, p.manufacturer, p.manufacturer_part_number, None]
        for p in s.scalars(select(Part).where(Part.manufacturer_part_number.is_not(None)))
    ]
    more = [
        [number, x.manufacturer, x.value, x.note]
        for x, number in s.execute(
            select(PartXref, Part.part_number)
            .join(Part, Part.id == PartXref.part_id)
            .where(PartXref.kind == XrefKind.MANUFACTURER.value)
        ).tuples()
    ]
    return sorted(own + more, key=lambda r: (str(r[0]).upper(), str(r[2]).upper()))


# --- alternates and superseding parts -------------------------------------------------------------------

_KINDS = {
    "ALTERNATE": XrefKind.ALTERNATE,
    "SUBSTITUTE": XrefKind.ALTERNATE,
    "SUPERSEDED_BY": XrefKind.SUPERSEDED_BY,
    "REPLACED_BY": XrefKind.SUPERSEDED_BY,
}


def _plan_alternates(s: Session, rows: Rows) -> tuple[Plan, Any]:
    batch = list(rows.numbered())
    ids = part_ids(
        s, {x for _n, r in batch for k in ("part_number", "other") for x in part_keys(rows.cell(r, k))}
    )
    have = set(
        s.execute(
            select(PartXref.part_id, PartXref.kind, PartXref.other_part_id).where(
                PartXref.other_part_id.is_not(None)
            )
        ).tuples()
    )
    planned: list[tuple[int, int, XrefKind, int, str | None]] = []
    unchanged = 0
    for n, row in batch:
        before = rows.found.problem_count
        part_id, other_id = find_part(rows, n, row, ids), find_part(rows, n, row, ids, "other")
        text = rows.cell(row, "kind").upper().replace(" ", "_").replace("-", "_") or "ALTERNATE"
        kind = _KINDS.get(text)
        if kind is None:
            rows.problem(n, "kind", f"'{rows.cell(row, 'kind')}' is not ALTERNATE or SUPERSEDED_BY")
        if part_id is not None and part_id == other_id:
            rows.problem(n, "other", "a part cannot be its own alternate")
        if rows.found.problem_count > before or part_id is None or other_id is None or kind is None:
            continue
        if (part_id, kind.value, other_id) in have or (
            kind is XrefKind.ALTERNATE and (other_id, kind.value, part_id) in have
        ):
            unchanged += 1
            continue
        have.add((part_id, kind.value, other_id))
        planned.append((n, part_id, kind, other_id, rows.cell(row, "note") or None))
    return rows.plan(len(planned), 0, unchanged), planned


def _apply_alternates(
    s: Session, actor: Actor, planned: list[tuple[int, int, XrefKind, int, str | None]]
) -> None:
    for n, part_id, kind, other_id, note in planned:
        try:  # the MRO page's rules: no supersession in a circle, one successor per part
            mro.add_xref_in(s, actor, part_id, kind.value, other_part_id=other_id, note=note)
        except UserError as exc:
            raise row_failed(n, exc, "Other part number") from exc


def export_alternates(s: Session) -> list[list[Any]]:
    other = aliased(Part)
    return [
        [number, other_number, x.kind, x.note]
        for x, number, other_number in s.execute(
            select(PartXref, Part.part_number, other.part_number)
            .join(Part, Part.id == PartXref.part_id)
            .join(other, other.id == PartXref.other_part_id)
            .order_by(Part.number_key, other.number_key)
        ).tuples()
    ]


HANDLERS: dict[str, Handler] = {
    "categories": Handler(
        CATEGORY_COLUMNS,
        Permission.EDIT_PARTS,
        _plan_categories,
        lambda s, _a, p, _src, _pr: _apply_categories(s, p),
    ),
    "manufacturers": Handler(
        MANUFACTURER_COLUMNS,
        Permission.EDIT_PARTS,
        _plan_manufacturers,
        lambda s, _a, p, _src, _pr: _apply_manufacturers(s, p),
    ),
    "supplier-parts": supplier_parts.HANDLER,
    "manufacturer-parts": Handler(
        MANUFACTURER_PART_COLUMNS,
        Permission.EDIT_PARTS,
        _plan_manufacturer_parts,
        lambda s, _a, p, _src, _pr: _apply_manufacturer_parts(s, p),
        batch=5000,
    ),
    "alternates": Handler(
        ALTERNATE_COLUMNS,
        Permission.EDIT_PARTS,
        _plan_alternates,
        lambda s, a, p, _src, _pr: _apply_alternates(s, a, p),
    ),
}
EXPORTS = {
    "categories": export_categories,
    "manufacturers": export_manufacturers,
    "supplier-parts": supplier_parts.export_supplier_parts,
    "manufacturer-parts": export_manufacturer_parts,
    "alternates": export_alternates,
}
