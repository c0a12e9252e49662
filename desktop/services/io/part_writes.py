"""Writing planned parts: new parts inserted in bulk (the SQLite search index kept by one statement, not
a trigger per row), changed columns updated, categories filed, and supplier part numbers linked, also for
the other imports that name a part's suppliers (supplier_parts). Kept apart from `parts`, which reads the
file's rows into the plan (PartsPlan) this writes, inside the import's one transaction.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.orm import Session

from desktop.models import Part, PartSupplier, Supplier
from desktop.services.catalogue import categories
from desktop.services.catalogue import parts as part_service
from desktop.services.catalogue.suppliers import name_key
from desktop.services.common import bulk_insert
from desktop.services.io.common import bulk_update, chunks
from desktop.services.io.parts import PartRow, PartsPlan

# the tables themselves: bulk writes go through Core executemany, not the ORM's bulk path
_PARTS = cast(Table, Part.__table__)
_LINKS = cast(Table, PartSupplier.__table__)


def apply(s: Session, plan: PartsPlan) -> None:
    planned = plan.parts
    named = {p.supplier for p in planned if p.supplier}
    suppliers = supplier_ids(s, named) if named else {}
    inserts = [
        {
            **part_service.part_values(p.data),
            **(p.tracking or {}),
            "default_supplier_id": suppliers[name_key(p.supplier)] if p.supplier else None,
        }
        for p in planned
        if p.existing_id is None
    ]
    updates = [_changed_columns(p) for p in planned if p.existing_id is not None and p.write]
    tracking = [{"id": p.existing_id, **p.tracking} for p in planned if p.existing_id and p.tracking]
    ids = _insert_parts(s, inserts)
    bulk_update(s, _PARTS, updates + tracking)
    ids.update({p.key: p.existing_id for p in planned if p.existing_id is not None})
    filed = [p for p in planned if p.category is not None]
    if filed:
        known = categories.ensure_paths(s, {p.category for p in filed if p.category})
        categories.set_categories(
            s,
            {ids[p.key]: known[categories.key_of(p.category)] if p.category else None for p in filed},
            fresh={ids[p.key] for p in filed if p.existing_id is None},
        )
    link_suppliers(
        s,
        [(ids[p.key], p.supplier, p.supplier_pn) for p in planned if p.supplier],
        default={ids[p.key] for p in planned if p.existing_id is not None},
        fresh={ids[p.key] for p in planned if p.existing_id is None},
    )
    if plan.vendors:  # a part of an earlier batch is looked up; the default supplier stays the first row's
        missing = list({v.key for v in plan.vendors} - ids.keys())
        found = s.execute(select(Part.number_key, Part.id).where(Part.number_key.in_(missing))).tuples()
        ids.update(dict(found.all()))
        link_suppliers(s, [(ids[v.key], v.supplier, v.sku) for v in plan.vendors])


def _changed_columns(p: PartRow) -> dict[str, Any]:
    """The columns of a part that change, with the keys that follow them: a 3-column file writes those
    columns only (and the search index is not touched unless a searched column changes)."""
    values = part_service.part_values(p.data)
    keys = set(p.write)
    if "part_number" in keys:
        keys.add("number_key")
    if "manufacturer_part_number" in keys:
        keys.add("mpn_key")
    return {"id": p.existing_id, **{k: values[k] for k in sorted(keys)}}


# The SQLite search index (migration 0009_part_search) is kept by a trigger per inserted row, 90 % of the
# cost of inserting 100,000 parts. A bulk import drops that trigger inside its own transaction, indexes
# the new rows with one statement, and creates the trigger again from its stored SQL (SQLite's DDL is
# transactional: a failure or the dry run's rollback restores it).
_INSERT_TRIGGER = "part_search_insert"
_INDEX_NEW = text(
    "INSERT INTO part_search(rowid, number_key, description, mpn_key) "
    "SELECT id, number_key, description, mpn_key FROM part WHERE id BETWEEN :low AND :high"
)
_INSERT_RETURNING = insert(_PARTS).returning(_PARTS.c.number_key, _PARTS.c.id)


def _insert_parts(s: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert new parts; their ids by number key."""
    if not rows:
        return {}
    if s.get_bind().dialect.name != "sqlite":  # multi-row INSERT … RETURNING
        ids: dict[str, int] = {}
        for chunk in chunks(rows, 2000):
            ids.update(s.execute(_INSERT_RETURNING, chunk).tuples().all())
        return ids
    trigger = s.scalar(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": _INSERT_TRIGGER},
    )
    if trigger:
        s.execute(text(f"DROP TRIGGER {_INSERT_TRIGGER}"))
    # SQLite has one writer (this transaction): every id above the highest before is a row just added
    before = s.scalar(select(func.coalesce(func.max(_PARTS.c.id), 0)))
    bulk_insert(s, _PARTS, rows)
    ids = dict(s.execute(select(_PARTS.c.number_key, _PARTS.c.id).where(_PARTS.c.id > before)).tuples().all())
    if trigger:
        s.execute(_INDEX_NEW, {"low": min(ids.values()), "high": max(ids.values())})
        s.execute(text(trigger))
    return ids


def supplier_ids(s: Session, names: set[str]) -> dict[str, int]:
    """Supplier ids by name key, adding the suppliers not known yet."""
    known = dict(s.execute(select(Supplier.name_key, Supplier.id)).tuples().all())
    missing = {name_key(n): n for n in names if name_key(n) not in known}
    if missing:
        s.execute(insert(Supplier), [{"name": n[:120], "name_key": k[:120]} for k, n in missing.items()])
        known = dict(s.execute(select(Supplier.name_key, Supplier.id)).tuples().all())
    return known


def link_suppliers(
    s: Session,
    links: list[tuple[int, str, str | None]],
    *,
    default: set[int] | None = None,
    details: dict[tuple[int, int, str | None], dict[str, Any]] | None = None,
    fresh: set[int] | None = None,
) -> None:
    """Supplier part numbers (part id, supplier name, SKU) added where missing, in bulk statements; a
    part keeps its other SKUs. `default`: the parts whose default supplier becomes the one named.
    `details`: pack, price, lead time per (part id, supplier id, SKU key) to set. `fresh`: parts just
    added, which have no supplier part numbers yet (not looked up)."""
    if not links:
        return
    suppliers = supplier_ids(s, {name for _p, name, _sku in links})
    part_ids = list({p for p, _n, _s in links} - (fresh or set()))
    existing: dict[tuple[int, int, str | None], int] = {}
    for chunk in chunks(part_ids, 5000):
        for link_id, part_id, supplier_id, sku_key in s.execute(
            select(
                PartSupplier.id, PartSupplier.part_id, PartSupplier.supplier_id, PartSupplier.sku_key
            ).where(PartSupplier.part_id.in_(chunk))
        ):
            existing[(part_id, supplier_id, sku_key)] = link_id
    with_supplier = {(p, sup) for p, sup, _k in existing}
    # a vendor that supplies the part with no number yet (a material list names the vendor, its info
    # records the number later): the first number named fills that link instead of adding a second
    codeless = {(p, sup): link_id for (p, sup, k), link_id in existing.items() if k is None}
    new_links: dict[tuple[int, int, str | None], dict[str, Any]] = {}
    changed: list[dict[str, Any]] = []
    defaults: dict[int, int] = {}
    for part_id, name, sku in links:
        supplier_id = suppliers[name_key(name)]
        sku = sku[:60] if sku else None
        key = (part_id, supplier_id, sku.upper() if sku else None)
        extra = (details or {}).get(key, {})
        if key in existing:
            if extra:
                changed.append({"id": existing[key], **extra})
        elif sku is not None and (part_id, supplier_id) in codeless:
            existing[key] = codeless.pop((part_id, supplier_id))
            changed.append({"id": existing[key], "supplier_part_number": sku, "sku_key": key[2], **extra})
        elif sku is not None or (part_id, supplier_id) not in with_supplier:
            new_links[key] = {
                "part_id": part_id,
                "supplier_id": supplier_id,
                "supplier_part_number": sku,
                "sku_key": key[2],
                "price": None,
                "pack_qty": None,
                "lead_time_days": None,
                **extra,
            }
            with_supplier.add((part_id, supplier_id))
        if default is not None and part_id in default:
            defaults[part_id] = supplier_id
    bulk_insert(s, _LINKS, list(new_links.values()))
    bulk_update(s, _LINKS, changed)
    bulk_update(s, _PARTS, [{"id": p, "default_supplier_id": d} for p, d in defaults.items()])
