"""Exports of every entity with the same column names the importer reads, so a file round-trips."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Category, Location, Part, PartCategoryLink, PartSupplier, Supplier
from desktop.services.actor import Actor, Permission
from desktop.services.io import catalogue as imports_catalogue
from desktop.services.io.imports import KINDS
from desktop.services.io.kanban import export_loops
from desktop.services.io.mro import export_assets, export_spares
from desktop.services.io.stock import export_stock
from desktop.services.io.tabular import write_table
from desktop.services.purchasing import erp_files

Rows = list[list[Any]]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _parts(s: Session) -> Rows:
    sup_pn = dict(
        s.execute(
            select(PartSupplier.part_id, PartSupplier.supplier_part_number).join(
                Part,
                (Part.id == PartSupplier.part_id) & (Part.default_supplier_id == PartSupplier.supplier_id),
            )
        )
        .tuples()
        .all()
    )
    suppliers = dict(s.execute(select(Supplier.id, Supplier.name)).tuples().all())
    paths = dict(s.execute(select(PartCategoryLink.part_id, Category.path).join(Category)).tuples().all())
    return [
        [
            p.part_number,
            p.description,
            p.category,
            p.unit,
            p.unit_cost,
            p.min_qty,
            p.max_qty,
            p.reorder_point,
            p.safety_stock,
            p.lead_time_days,
            p.manufacturer,
            p.manufacturer_part_number,
            p.criticality,
            _yes(p.active),
            p.notes,
            suppliers.get(p.default_supplier_id) if p.default_supplier_id else None,
            sup_pn.get(p.id),
            paths.get(p.id),
            p.tracking,
            p.shelf_life_days,
            p.expiry_warning_days,
        ]
        for p in s.scalars(select(Part).order_by(Part.number_key))
    ]


def _suppliers(s: Session) -> Rows:
    return [
        [x.name, x.contact, x.email, x.phone, x.address, x.website, x.currency, "yes"]
        for x in s.scalars(select(Supplier).order_by(Supplier.name_key))
    ]


def _locations(s: Session) -> Rows:
    parent = aliased(Location)
    rows = s.execute(
        select(Location, parent.code)
        .outerjoin(parent, parent.id == Location.parent_id)
        .order_by(Location.path)
    )
    return [
        [
            loc.code,
            loc.name,
            loc.level,
            loc.type,
            parent_code,
            loc.walk_order,
            _yes(loc.allow_negative),
            _yes(loc.active),
            loc.notes,
            None,  # Path: the code already names the place
        ]
        for loc, parent_code in rows
    ]


_READERS: dict[str, Callable[[Session], Rows]] = {
    "parts": _parts,
    "suppliers": _suppliers,
    "locations": _locations,
    "stock": export_stock,
    "assets": export_assets,
    "where-used": export_spares,
    "kanban": export_loops,
    # the import's columns only (`storeroom po export` adds the order's state and what came)
    "purchase-orders": lambda s: [row[: len(erp_files.COLUMNS)] for row in erp_files.open_line_rows(s)],
    **imports_catalogue.EXPORTS,
}


def table(db: Database, actor: Actor, kind: str) -> tuple[list[str], Rows]:
    actor.require(Permission.VIEW)
    if kind not in _READERS:
        raise UserError(f"Unknown export '{kind}'. Choose one of: {', '.join(_READERS)}.")
    headers = [c.label for c in KINDS[kind] if c.exported]
    return headers, db.read(_READERS[kind])


def export(db: Database, actor: Actor, kind: str, path: Path) -> int:
    """Write `kind` to a .csv or .xlsx file (by its extension); returns the number of rows."""
    headers, rows = table(db, actor, kind)
    write_table(path, headers, rows, title=kind.replace("-", " ").capitalize())
    return len(rows)
