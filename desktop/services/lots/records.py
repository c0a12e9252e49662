"""What a lot is to the rest of the app: its DTO, finding it by number or `LT-` code, and the lot number
rules (at most 40 visible characters, compared without regard to case)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import Lot, Part, Supplier
from desktop.services.common import as_utc, clean_text
from desktop.services.lots.ledger import what_is_tracked

LOT_PREFIX = "LT-"  # a lot label's code: LT-<lot id> (lot numbers are unique per part only)
LOT_NUMBER_MAX = 40
LOT_CODE = re.compile(r"^LT-([0-9]{1,18})$")


@dataclass(frozen=True)
class LotDTO:
    id: int
    part_id: int
    part_number: str
    unit: str
    tracking: str
    lot_number: str
    expires_on: date | None
    supplier_name: str | None
    created_at: datetime
    released: bool

    @property
    def code(self) -> str:
        return f"{LOT_PREFIX}{self.id}"

    @property
    def label(self) -> str:
        """'lot A-77 of GREASE-1 (expires 2027-03-01)' for messages."""
        expiry = f" (expires {self.expires_on.isoformat()})" if self.expires_on else ""
        return f"{what_is_tracked(self.tracking)} {self.lot_number} of {self.part_number}{expiry}"

    def expired(self, today: date) -> bool:
        return self.expires_on is not None and self.expires_on < today and not self.released


def is_lot_code(code: str) -> bool:
    """Whether `code` has the form of a lot label's code (`LT-<id>`), whatever lot it names."""
    return LOT_CODE.match(code.strip().upper()) is not None


def lot_key(number: str) -> str:
    return number.strip().upper()


def clean_lot_number(text: str | None, *, label: str = "lot") -> str:
    if not (text or "").strip():
        raise UserError(f"Scan or type the {label}.", field="lot")
    number = clean_text(text, field="lot", label=label.capitalize(), max_len=LOT_NUMBER_MAX) or ""
    if number.startswith("-"):  # as part numbers: a code never starts with '-' (see desktop.codes)
        raise UserError(f"A {label} cannot start with '-'.", field="lot")
    return number


def lot_query() -> Select[Any]:
    return (
        select(
            Lot.id,
            Lot.part_id,
            Part.part_number,
            Part.unit,
            Part.tracking,
            Lot.lot_number,
            Lot.expires_on,
            Supplier.name,
            Lot.created_at,
            Lot.released_at.is_not(None),
        )
        .join(Part, Part.id == Lot.part_id)
        .outerjoin(Supplier, Supplier.id == Lot.supplier_id)
    )


def lot_dto(row: Any) -> LotDTO:
    return LotDTO(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], as_utc(row[8]), bool(row[9])
    )


def get_lot(s: Session, lot_id: int) -> LotDTO:
    row = s.execute(lot_query().where(Lot.id == lot_id)).first()
    if row is None:
        raise NotFound(f"Lot #{lot_id} does not exist.", field="lot")
    return lot_dto(row)


def lot_of_part(s: Session, part_id: int, number: str) -> LotDTO | None:
    row = s.execute(lot_query().where(Lot.part_id == part_id, Lot.lot_key == lot_key(number))).first()
    return lot_dto(row) if row is not None else None


_BY_ID = lot_query().where(Lot.id == bindparam("id"))  # built once: a scan's hot path (Core, as parts.py)


def find_lots(s: Session, code: str, part_id: int | None = None) -> list[LotDTO]:
    """The lots a code names: `LT-<id>` (a lot label), else a lot number of any part (or of `part_id`)."""
    found = LOT_CODE.match(code.strip().upper())
    if found:
        row = s.connection().execute(_BY_ID, {"id": int(found.group(1))}).first()
        if row is not None and (part_id is None or row.part_id == part_id):
            return [lot_dto(row)]
    stmt = lot_query().where(Lot.lot_key == lot_key(code))
    if part_id is not None:
        stmt = stmt.where(Lot.part_id == part_id)
    return [lot_dto(r) for r in s.execute(stmt.order_by(Part.part_number).limit(20))]


def one_lot(s: Session, code: str, part_id: int | None = None) -> LotDTO:
    """The one lot a code names, or a clear refusal (unknown, or several parts have that lot number)."""
    lots = find_lots(s, code, part_id)
    if not lots:
        owner = ""
        if part_id is not None:
            owner = " of " + (s.scalar(select(Part.part_number).where(Part.id == part_id)) or f"#{part_id}")
        raise NotFound(f"Unknown lot {code.strip()}{owner}: no lot has that number.", field="lot")
    if len(lots) > 1:
        parts = ", ".join(x.part_number for x in lots)
        raise UserError(f"Lot {code.strip()} is a lot of {parts}: name the part too.", field="lot")
    return lots[0]


def lot_id_for(db: Database, part_id: int | None, code: str) -> int:
    """The id of the part's lot a person named (its number, or its label's `LT-` code)."""
    return db.read(lambda s: one_lot(s, code, part_id).id)
