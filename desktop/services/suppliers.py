"""Suppliers and the parts they supply."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict
from desktop.models import PartSupplier, Supplier
from desktop.services.actor import Actor, Permission
from desktop.services.audit import record
from desktop.services.common import clean_text, connection_of


@dataclass(frozen=True)
class SupplierDTO:
    id: int
    name: str
    contact: str | None
    email: str | None
    phone: str | None


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
    return SupplierDTO(s.id, s.name, s.contact, s.email, s.phone)


def name_key(name: str) -> str:
    return " ".join(name.split()).upper()


def list_suppliers(db: Database) -> list[SupplierDTO]:
    return db.read(
        lambda s: [
            _dto(x) for x in s.scalars(select(Supplier).where(Supplier.active).order_by(Supplier.name_key))
        ]
    )


def create_supplier(
    db: Database,
    actor: Actor,
    name: str,
    *,
    contact: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> SupplierDTO:
    actor.require(Permission.EDIT_PARTS)
    clean = clean_text(name, field="name", label="Supplier name", max_len=120, required=True)
    assert clean is not None
    extra = {
        "contact": clean_text(contact, field="contact", label="Contact", max_len=120),
        "email": clean_text(email, field="email", label="E-mail", max_len=120),
        "phone": clean_text(phone, field="phone", label="Phone", max_len=40),
    }

    def op(s: Session) -> SupplierDTO:
        if s.scalar(select(Supplier.id).where(Supplier.name_key == name_key(clean))) is not None:
            raise Conflict(f"A supplier named '{clean}' already exists.", field="name")
        sup = Supplier(name=clean, name_key=name_key(clean), **extra)
        s.add(sup)
        s.flush()
        record(s, actor.user_id, "supplier.create", "supplier", sup.id, f"created supplier {clean}")
        return _dto(sup)

    return db.write(op)


def supplier_for_name(s: Session, name: str) -> Supplier:
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
    seen: set[str] = set()
    existing = {
        ps.supplier_id: ps for ps in s.scalars(select(PartSupplier).where(PartSupplier.part_id == part_id))
    }
    keep: set[int] = set()
    for row in rows:
        sup = supplier_for_name(s, row.supplier_name)
        if sup.name_key in seen:
            raise Conflict(f"Supplier '{sup.name}' is listed twice for this part.", field="suppliers")
        seen.add(sup.name_key)
        if row.lead_time_days is not None and row.lead_time_days < 0:
            raise Conflict("A lead time cannot be negative.", field="suppliers")
        link = existing.get(sup.id) or PartSupplier(part_id=part_id, supplier_id=sup.id)
        link.supplier_part_number = clean_text(
            row.supplier_part_number, field="suppliers", label="Supplier part number", max_len=60
        )
        link.price, link.pack_qty, link.lead_time_days = row.price, row.pack_qty, row.lead_time_days
        s.add(link)
        keep.add(sup.id)
    for supplier_id, link in existing.items():
        if supplier_id not in keep:
            s.delete(link)


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
    .order_by(Supplier.name_key)
)


def part_suppliers(s: Session | Connection, part_id: int) -> list[PartSupplierDTO]:
    # a Core statement built once: this runs on every scan of a part
    conn = connection_of(s)
    return [PartSupplierDTO(*row) for row in conn.execute(_PART_SUPPLIERS, {"part_id": part_id})]
