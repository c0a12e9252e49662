"""Counting a tracked part per lot (or serial): the book of each lot in the bins of a count, the lot a
counter names (its label's `LT-` code, a supplier's GS1-128 label or the lot number typed), and a lot
found on the shelf that the book does not know.

A lot found in a count is made only when the counter confirms it (`new_lot`), never from an `LT-` code
(a label names a lot already on record, so an unknown one is a wrong scan). Its expiry: the supplier
label's (AI 17) when one was scanned; otherwise, for a part with a shelf life, the day of the count.
The shelf life is counted from a receipt, and a lot found on the shelf has no known receipt date:
counting it from today would make an old lot look fresh. Expiring today keeps it out of first-expired-
first-out issues from tomorrow until a supervisor reads its label and releases it. A part without a
shelf life gets no expiry, as at receiving.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import LotBalance, Part
from desktop.models.enums import Tracking
from desktop.services.catalogue.typed_codes import find_part_by_code
from desktop.services.lots.ledger import check_lot, what_is_tracked
from desktop.services.lots.receiving import ensure_lot, read_label
from desktop.services.lots.records import LotDTO, find_lots, get_lot, is_lot_code, lot_of_part


def lot_book(
    s: Session, part_ids: Collection[int], location_ids: Collection[int]
) -> dict[tuple[int, int], list[tuple[int, Decimal]]]:
    """Per (part, bin) of a tracked part among these: each lot the book holds there (non-zero), in id
    order. An untracked part is not in the answer."""
    out: dict[tuple[int, int], list[tuple[int, Decimal]]] = {}
    rows = s.execute(
        select(LotBalance.part_id, LotBalance.location_id, LotBalance.lot_id, LotBalance.qty)
        .join(Part, Part.id == LotBalance.part_id)
        .where(
            Part.tracking != Tracking.NONE.value,
            LotBalance.part_id.in_(part_ids),
            LotBalance.location_id.in_(location_ids),
            LotBalance.qty != 0,
        )
        .order_by(LotBalance.lot_id)
    ).tuples()
    for part_id, loc_id, lot_id, qty in rows:
        out.setdefault((part_id, loc_id), []).append((lot_id, Decimal(qty)))
    return out


@dataclass(frozen=True)
class NamedLot:
    """What a counter named: a lot on record (`known`), or the number and expiry of one that is not."""

    known: LotDTO | None
    number: str
    expires_on: date | None


def named_lot(s: Session, part: Part, code: str | None) -> NamedLot | None:
    """The lot `code` names for a count of `part` (None for an untracked part, which takes none); an `LT-`
    code that names no lot of this part is refused as a wrong scan."""
    text = (code or "").strip()
    if part.tracking == Tracking.NONE.value:
        if text:
            raise UserError(f"{part.part_number} is not tracked by lot: count it without a lot.", field="lot")
        return None
    if not text:
        check_lot(part, None)  # "... is tracked by lot: scan or type the lot."
    what = what_is_tracked(part.tracking)
    if is_lot_code(text):
        found = find_lots(s, text, part.id)
        if not found:
            raise NotFound(
                f"{text.upper()} is not the label of a {what} of {part.part_number}: nothing was counted. "
                f"Scan the label on the {what} itself, or type its {what}.",
                field="lot",
            )
        return NamedLot(found[0], found[0].lot_number, found[0].expires_on)
    number, expires_on = read_label(text, None, what)
    return NamedLot(lot_of_part(s, part.id, number), number, expires_on)


def counted_lot(s: Session, part: Part, code: str | None, *, new_lot: bool, today: date) -> LotDTO | None:
    """The lot a count line of `part` is for; one not on record is made only when `new_lot` confirms it
    (see the module's note for its expiry)."""
    named = named_lot(s, part, code)
    if named is None or named.known is not None:
        return None if named is None else named.known
    what = what_is_tracked(part.tracking)
    if not new_lot:
        raise NotFound(
            f"{what.capitalize()} {named.number} of {part.part_number} is not on record: check the label. "
            f"A {what} found on the shelf is added when you confirm it; nothing was counted.",
            field="lot",
        )
    expiry = named.expires_on or (today if part.shelf_life_days else None)
    return get_lot(s, ensure_lot(s, part, named.number, expiry, None, today).id)


def lot_for_count(db: Database, part_code: str, code: str) -> NamedLot:
    """What the counter's lot field names for this part (read only: nothing is made), so the entry screen
    can say "not on record: the count adds it" before the quantity is typed."""

    def op(s: Session) -> NamedLot:
        part = find_part_by_code(s, part_code)
        if part is None:
            raise NotFound(f"No part {part_code.strip()}.", field="part")
        named = named_lot(s, part, code)
        if named is None:  # an untracked part: named_lot refused a lot, or none was given
            raise UserError(f"{part.part_number} is not tracked by lot: count it without a lot.", field="lot")
        return named

    return db.read(op)
