"""Manufacturers as companies (name, website); their numbers are the manufacturer part numbers of the
parts that name them (the part's own, and further ones kept as cross-references)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import Manufacturer, Part, PartXref
from desktop.models.enums import XrefKind
from desktop.services.catalogue.suppliers import name_key
from desktop.services.common import clean_text


@dataclass(frozen=True)
class ManufacturerDTO:
    id: int
    name: str
    website: str | None
    numbers: tuple[tuple[str, str], ...]  # (part number, manufacturer part number)


def clean_name(name: str, field: str = "manufacturer") -> str:
    return clean_text(name, field=field, label="Manufacturer", max_len=80, required=True) or ""


def ensure(s: Session, names: Iterable[str]) -> dict[str, int]:
    """Manufacturer ids by name key, adding the manufacturers not known yet."""
    known = dict(s.execute(select(Manufacturer.name_key, Manufacturer.id)).tuples().all())
    missing = {name_key(n): n for n in names if n and name_key(n) not in known}
    if missing:
        s.execute(
            insert(Manufacturer), [{"name": n, "name_key": k, "active": True} for k, n in missing.items()]
        )
        known = dict(s.execute(select(Manufacturer.name_key, Manufacturer.id)).tuples().all())
    return known


def list_manufacturers(db: Database) -> list[ManufacturerDTO]:
    """Every manufacturer with the part numbers it makes (as the parts and their cross-references say)."""

    def op(s: Session) -> list[ManufacturerDTO]:
        numbers: dict[str, set[tuple[str, str]]] = {}
        for maker, number, mpn in s.execute(
            select(Part.manufacturer, Part.part_number, Part.manufacturer_part_number).where(
                Part.manufacturer.is_not(None), Part.manufacturer_part_number.is_not(None)
            )
        ).tuples():
            numbers.setdefault(name_key(maker or ""), set()).add((number, mpn or ""))
        for maker, number, mpn in s.execute(
            select(PartXref.manufacturer, Part.part_number, PartXref.value)
            .join(Part, Part.id == PartXref.part_id)
            .where(PartXref.kind == XrefKind.MANUFACTURER.value, PartXref.manufacturer.is_not(None))
        ).tuples():
            numbers.setdefault(name_key(maker or ""), set()).add((number, mpn or ""))
        return [
            ManufacturerDTO(m.id, m.name, m.website, tuple(sorted(numbers.get(m.name_key, ()))))
            for m in s.scalars(select(Manufacturer).order_by(func.upper(Manufacturer.name)))
        ]

    return db.read(op)
