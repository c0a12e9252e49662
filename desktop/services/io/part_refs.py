"""Which part a cell of an imported file names: by its part number, or by the internal reference in Odoo's
display name of a product ("[PUMP-7] Dosing pump")."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Part
from desktop.services.catalogue import parts as part_service
from desktop.services.io.common import Column, Rows, chunks

_ODOO_DISPLAY_NAME = re.compile(r"^\[([^\]]+)\]")


def odoo_reference(text: str) -> str | None:
    """The internal reference in Odoo's display name of a product, `[PUMP-7] Dosing pump` (or of a
    variant, `[PUMP-7-R] Dosing pump (Red)`); None for a text not in that form."""
    found = _ODOO_DISPLAY_NAME.match(text.strip())
    return (found[1].strip() or None) if found else None


# The names every file kind reads as our part number; a kind adds those of the systems whose files it
# takes (where "sku" or "material" is not already another column of that kind).
PART_NUMBER_NAMES = ("ipn", "internal part number", "part no", "pn", "item", "part")
PART = Column("part_number", "Part number", True, PART_NUMBER_NAMES)


def part_ids(s: Session, keys: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(sorted(keys), 5000):
        found.update(
            s.execute(select(Part.number_key, Part.id).where(Part.number_key.in_(chunk))).tuples().all()
        )
    return found


def part_keys(text: str) -> set[str]:
    """The number keys a cell may name a part by: the text itself, and the internal reference of Odoo's
    display name "[PUMP-7] Dosing pump" (a part number may hold brackets, so the whole text comes first)."""
    ref = odoo_reference(text)
    return {part_service.number_key(text)} | ({part_service.number_key(ref)} if ref else set())


def find_part(rows: Rows, n: int, row: Any, ids: dict[str, int], key: str = "part_number") -> int | None:
    text = rows.cell(row, key)
    ref = odoo_reference(text)
    found = ids.get(part_service.number_key(text))
    if found is None and ref:
        found = ids.get(part_service.number_key(ref))
    if found is None:
        rows.problem(
            n, key, f"no part {ref or text}: import the parts first" if text else "the part number is empty"
        )
    return found
