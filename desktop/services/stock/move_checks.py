"""The rules a stock move request must meet: its shape (which ends each kind of move has), its texts and
posting key (checked before the database is read), and its part and locations (active part, the unit's
whole numbers, a tracked part's lot, no issue out of quarantine). Kept apart from `moves`, which posts;
the batch and the Issue rule apply the same checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.errors import UserError
from desktop.models import Location, Part
from desktop.models.enums import LocationType, MoveKind
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.common import clean_text
from desktop.services.lots.ledger import check_lot

if TYPE_CHECKING:
    from desktop.services.stock.moves import MoveRequest

# Which ends a move of each kind has: (needs from, needs to). ADJUSTMENT and COUNT take exactly one.
_SHAPE: dict[MoveKind, tuple[bool | None, bool | None]] = {
    MoveKind.RECEIPT: (False, True),
    MoveKind.ISSUE: (True, False),
    MoveKind.TRANSFER: (True, True),
    MoveKind.RETURN: (False, True),
    MoveKind.SCRAP: (True, False),
    MoveKind.ADJUSTMENT: (None, None),
    MoveKind.COUNT: (None, None),
}


def _check_shape(req: MoveRequest) -> None:
    need_from, need_to = _SHAPE[req.kind]
    has_from, has_to = req.from_location_id is not None, req.to_location_id is not None
    if need_from is None:
        if has_from == has_to:
            raise UserError(
                f"An {req.kind.value.lower()} goes either into or out of one location.", field="location"
            )
        return
    if need_from and not has_from:
        raise UserError("Scan or type the location the stock comes from.", field="from_location")
    if need_to and not has_to:
        raise UserError("Scan or type the location the stock goes to.", field="to_location")
    if (has_from and not need_from) or (has_to and not need_to):
        raise UserError(f"A {req.kind.value.lower()} does not take that location.", field="location")
    if has_from and req.from_location_id == req.to_location_id:
        raise UserError("A transfer needs two different locations.", field="to_location")


def _checked_texts(req: MoveRequest) -> tuple[str | None, str | None]:
    """The checks a request passes before the database is read; returns its cleaned reason and reference."""
    _check_shape(req)
    if req.posting_key is not None and (
        not req.posting_key or len(req.posting_key) > 64 or not req.posting_key.isprintable()
    ):
        raise UserError("A posting key is 1 to 64 visible characters.", field="key")
    if req.qty <= 0:
        raise UserError("The quantity must be more than zero.", field="qty")
    reason = clean_text(
        req.reason,
        field="reason",
        label="Reason",
        max_len=200,
        required=req.kind in (MoveKind.ADJUSTMENT, MoveKind.SCRAP),
    )
    return reason, clean_text(req.reference, field="reference", label="Reference", max_len=60)


def _check_ends(req: MoveRequest, part: Part, src: Location | None) -> None:
    """The rules a move's part and locations must meet."""
    if not part.active and req.kind not in (
        MoveKind.ISSUE,
        MoveKind.SCRAP,
        MoveKind.TRANSFER,
        MoveKind.ADJUSTMENT,
        MoveKind.COUNT,
    ):
        raise UserError(
            f"{part.part_number} is inactive: it can be moved out but not received.", field="part"
        )
    check_qty_for_unit(req.qty, part.unit)
    check_lot(part, req.lot_id, req.kind.value)
    if src is not None and req.kind is MoveKind.ISSUE and src.type == LocationType.QUARANTINE.value:
        raise UserError(
            f"{src.code} is a quarantine location: stock there cannot be issued. "
            "Transfer it to a storeroom bin once released.",
            field="from_location",
        )
