"""Suppliers and the parts they supply."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import PartSupplier, Supplier
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.common import clean_text, connection_of


@dataclass(frozen=True)
class SupplierDTO:
    id: int
    name: str
    contact: str | None
    email: str | None
    phone: str | None
    address: str | None = None
    website: str | None = None
    currency: str | None = None


@dataclass(frozen=True)
class PartSupplierInput:
    supplier_name: str
    supplier_part_number: str | None = None
    price: Decimal | None = None
    pack_qty: Decimal | None = None
    lead_time_days: int | None = None


@dataclass(frozen=True)
class PartSupplierDTO:
    supplier_id: int
    supplier_name: str
    supplier_part_number: str | None
    price: Decimal | None
    pack_qty: Decimal | None
    lead_time_days: int | None


def _dto(s: Supplier) -> SupplierDTO:
    return SupplierDTO(s.id, s.name, s.contact, s.email, s.phone, s.address, s.website, s.currency)


# field -> (label, longest)
_SUPPLIER_TEXT = {
    "name": ("Supplier name", 120),
    "contact": ("Contact", 120),
    "email": ("Email", 120),
    "phone": ("Phone", 40),
    "address": ("Address", 300),
    "website": ("Website", 200),
}


def validate_supplier(values: dict[str, str | None]) -> dict[str, str | None]:
    """A supplier's details cleaned (one line each, within their lengths); the currency an ISO code."""
    clean: dict[str, str | None] = {
        key: clean_text(values.get(key), field=key, label=label, max_len=longest, required=key == "name")
        for key, (label, longest) in _SUPPLIER_TEXT.items()
    }
    currency = (values.get("currency") or "").strip().upper() or None
    if currency is not None and not re.fullmatch(r"[A-Z]{3}", currency):
        raise UserError(
            f"'{currency}' is not a currency code (three letters, e.g. EUR, USD).", field="currency"
        )
    return {**clean, "currency": currency}


def name_key(name: str) -> str:
    return " ".join(name.split()).upper()


def list_suppliers(db: Database) -> list[SupplierDTO]:
    return db.read(
        lambda s: [
            _dto(x) for x in s.scalars(select(Supplier).where(Supplier.active).order_by(Supplier.name_key))
        ]
    )


def get_supplier_id(db: Database, name: str) -> int:
    """The supplier called `name`, in any case and spacing."""
    found = db.read(lambda s: s.scalar(select(Supplier.id).where(Supplier.name_key == name_key(name))))
    if found is None:
        raise NotFound(f"No supplier named '{' '.join(name.split())}'.", field="supplier")
    return found


def create_supplier(
    db: Database,
    actor: Actor,
    name: str,
    *,
    contact: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    website: str | None = None,
    currency: str | None = None,
) -> SupplierDTO:
    actor.require(Permission.EDIT_PARTS)
    values = validate_supplier(
        {
            "name": name,
            "contact": contact,
            "email": email,
            "phone": phone,
            "address": address,
            "website": website,
            "currency": currency,
        }
    )
    clean = values["name"] or ""

    def op(s: Session) -> SupplierDTO:
        if s.scalar(select(Supplier.id).where(Supplier.name_key == name_key(clean))) is not None:
            raise Conflict(f"A supplier named '{clean}' already exists.", field="name")
        sup = Supplier(name_key=name_key(clean), **values)
        s.add(sup)
        s.flush()
        record(s, actor.user_id, "supplier.create", "supplier", sup.id, f"created supplier {clean}")
        return _dto(sup)

    return db.write(op)


def ensure_supplier(s: Session, name: str) -> Supplier:
    """The supplier called `name` (any case), created if new: typing a new name adds a supplier."""
    clean = clean_text(name, field="supplier", label="Supplier name", max_len=120, required=True)
    assert clean is not None
    sup = s.scalar(select(Supplier).where(Supplier.name_key == name_key(clean)))
    if sup is None:
        sup = Supplier(name=clean, name_key=name_key(clean))
        s.add(sup)
        s.flush()
    return sup


def replace_part_suppliers(s: Session, part_id: int, rows: list[PartSupplierInput]) -> None:
    """The part's supplier part numbers become `rows`: one row per supplier and SKU (a supplier may sell
    the part under several, each with its pack and price)."""
    seen: set[tuple[int, str | None]] = set()
    existing = {
        (ps.supplier_id, ps.sku_key): ps
        for ps in s.scalars(select(PartSupplier).where(PartSupplier.part_id == part_id))
    }
    keep: set[tuple[int, str | None]] = set()
    for row in rows:
        sup = ensure_supplier(s, row.supplier_name)
        number = clean_text(
            row.supplier_part_number, field="suppliers", label="Supplier part number", max_len=60
        )
        key = (sup.id, number.upper() if number else None)
        if key in seen:
            what = f"part number {number}" if number else "no part number"
            raise Conflict(
                f"Supplier '{sup.name}' is listed twice with {what} for this part.", field="suppliers"
            )
        seen.add(key)
        if row.lead_time_days is not None and row.lead_time_days < 0:
            raise Conflict("A lead time cannot be negative.", field="suppliers")
        link = existing.get(key) or PartSupplier(part_id=part_id, supplier_id=sup.id)
        link.supplier_part_number, link.sku_key = number, key[1]
        link.price, link.pack_qty, link.lead_time_days = row.price, row.pack_qty, row.lead_time_days
        s.add(link)
        keep.add(key)
    for key, link in existing.items():
        if key not in keep:
            s.delete(link)
    s.flush()


_PART_SUPPLIERS = (
    select(
        PartSupplier.supplier_id,
        Supplier.name,
        PartSupplier.supplier_part_number,
        PartSupplier.price,
        PartSupplier.pack_qty,
        PartSupplier.lead_time_days,
    )
    .join(Supplier, Supplier.id == PartSupplier.supplier_id)
    .where(PartSupplier.part_id == bindparam("part_id"))
    .order_by(Supplier.name_key, PartSupplier.id)
)


def part_suppliers(s: Session | Connection, part_id: int) -> list[PartSupplierDTO]:
    # a Core statement built once: this runs on every scan of a part
    conn = connection_of(s)
    return [PartSupplierDTO(*row) for row in conn.execute(_PART_SUPPLIERS, {"part_id": part_id})]
