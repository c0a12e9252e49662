"""Receiving a tracked part: the lot (typed, or scanned from the supplier's GS1-128 label) and its expiry,
or one serial number per unit; and setting a part's tracking and shelf life.

Expiry, first found: the date given, the label's AI 17, the lot's own (a lot received before), the
shelf life counted from today. A lot received again with another expiry is refused rather than changed:
the first label wins until a person decides. A serial number is a lot of one unit, received once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import Lot, LotBalance, Part, StockBalance, StockMove, Supplier
from desktop.models.enums import MoveKind, Tracking
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.lots import gs1
from desktop.services.lots.ledger import check_lot, what_is_tracked
from desktop.services.lots.records import LOT_CODE, LotDTO, clean_lot_number, get_lot, lot_key
from desktop.services.stock.moves import MoveRequest, PostResult, post_in


@dataclass(frozen=True)
class LotReceipt:
    part_id: int
    location_id: int
    qty: Decimal
    lot: str | None = None  # typed, or a scan of the supplier's label (GS1-128 AI 10/17 read from it)
    expires_on: date | None = None
    serials: tuple[str, ...] = ()  # SERIAL parts: one per unit (a lone `lot` is taken as one serial)
    supplier_id: int | None = None  # who it was received from (kept on a new lot)
    reference: str | None = None
    posting_key: str | None = None


@dataclass(frozen=True)
class LotReceiptResult:
    posted: tuple[PostResult, ...]  # one receipt, or one per serial
    lots: tuple[LotDTO, ...]


def receive(db: Database, actor: Actor, req: LotReceipt, *, today: date | None = None) -> LotReceiptResult:
    return db.write(lambda s: receive_in(s, actor, req, today=today or date.today()))


def receive_in(s: Session, actor: Actor, req: LotReceipt, *, today: date) -> LotReceiptResult:
    """A receipt of any part: an untracked part takes no lot (and posts as any receipt), a lot-tracked one
    needs its lot, a serial-tracked one a serial per unit. Nothing is posted unless all of it is."""
    actor.require(Permission.MOVE_STOCK)
    part = s.get(Part, req.part_id)
    if part is None:
        raise NotFound(f"Part #{req.part_id} does not exist.", field="part")
    plain = MoveRequest(
        MoveKind.RECEIPT, part.id, req.qty, None, req.location_id, None, req.reference, req.posting_key
    )
    if part.tracking == Tracking.NONE.value and req.serials:
        raise _untracked(part)
    if req.supplier_id is not None and s.get(Supplier, req.supplier_id) is None:
        raise NotFound(f"Supplier #{req.supplier_id} does not exist.", field="supplier")
    if part.tracking == Tracking.SERIAL.value:
        return _serials(s, actor, part, req, plain, today)
    lot_id = lot_for_receipt(s, part, req.lot, req.expires_on, req.supplier_id, req.qty, today=today)
    posted = post_in(s, actor, replace(plain, lot_id=lot_id))
    return LotReceiptResult((posted,), (get_lot(s, lot_id),) if lot_id is not None else ())


def lot_for_receipt(
    s: Session,
    part: Part,
    text: str | None,
    expires_on: date | None,
    supplier_id: int | None,
    qty: Decimal,
    *,
    today: date,
) -> int | None:
    """The lot a receipt of `qty` goes into, made on its first receipt (also for a purchase-order receipt,
    which names its supplier); None for an untracked part, which takes no lot."""
    if part.tracking == Tracking.NONE.value:
        if (text or "").strip() or expires_on:
            raise _untracked(part)
        return None
    if not (text or "").strip():
        check_lot(part, None)  # "... is tracked by lot: scan or type the lot."
    text = lot_label_number(s, part, text or "")
    if part.tracking == Tracking.SERIAL.value:
        if qty != 1:
            raise UserError(
                f"{part.part_number} is tracked by serial number: receive each unit with its own serial.",
                field="qty",
            )
        number, expiry = read_label(text, expires_on, "serial number")
        _refuse_received_serials(s, part, [lot_key(number)])
        return ensure_lot(s, part, number, expiry, supplier_id, today).id
    number, expiry = read_label(text, expires_on, "lot")
    return ensure_lot(s, part, number, expiry, supplier_id, today).id


def lot_label_number(s: Session, part: Part, text: str) -> str:
    """A scan of a lot label (`LT-<id>`) names a lot made before: its number when it is the part's lot,
    refused when it is another part's or no lot's (a receipt must not make a lot called `LT-12`); any
    other text as it is."""
    found = LOT_CODE.match(text.strip().upper())
    if found is None:
        return text
    lot = s.get(Lot, int(found.group(1)))
    if lot is None:
        raise NotFound(f"Unknown lot label {text.strip()}: no lot has that code.", field="lot")
    if lot.part_id != part.id:
        owner = s.scalar(select(Part.part_number).where(Part.id == lot.part_id))
        raise UserError(
            f"{text.strip()} is {what_is_tracked(part.tracking)} {lot.lot_number} of {owner}, not of "
            f"{part.part_number}: scan the label of this part's lot. Nothing was received.",
            field="lot",
        )
    return lot.lot_number


def _untracked(part: Part) -> UserError:
    return UserError(f"{part.part_number} is not tracked by lot: receive it without a lot.", field="lot")


def _refuse_received_serials(s: Session, part: Part, keys: list[str]) -> None:
    seen = s.execute(
        select(Lot.lot_number, Lot.created_at).where(Lot.part_id == part.id, Lot.lot_key.in_(keys))
    ).first()
    if seen is not None:
        raise Conflict(
            f"Serial {seen.lot_number} of {part.part_number} was received already "
            f"({seen.created_at:%Y-%m-%d}): a serial number is received once. Nothing was received.",
            field="lot",
        )


def read_label(text: str | None, expires_on: date | None, label: str) -> tuple[str, date | None]:
    """The lot number and expiry of what was typed or scanned (a date given by hand wins over the label's)."""
    found = gs1.parse(text or "")
    if found is None:
        return clean_lot_number(text, label=label), expires_on
    if found.lot is None:
        raise UserError(f"That label carries no {label} (GS1 AI 10): type the {label}.", field="lot")
    return clean_lot_number(found.lot, label=label), expires_on or found.expires_on


def check_expiry(
    part_number: str,
    lot_number: str,
    known: date | None,
    expiry: date | None,
    then: str = "check the label; nothing was received",
) -> None:
    """A lot keeps the expiry it was made with: another one given for it is refused, not taken."""
    if expiry is not None and known is not None and expiry != known:
        raise Conflict(
            f"Lot {lot_number} of {part_number} expires on {known.isoformat()}, "
            f"not {expiry.isoformat()}: {then}.",
            field="expires_on",
        )


def ensure_lot(
    s: Session, part: Part, number: str, expiry: date | None, supplier_id: int | None, today: date
) -> Lot:
    """The part's lot of that number, made on its first receipt (or when a count finds it on the shelf)."""
    known = s.scalar(select(Lot).where(Lot.part_id == part.id, Lot.lot_key == lot_key(number)))
    if known is not None:
        check_expiry(part.part_number, known.lot_number, known.expires_on, expiry)
        return known
    if expiry is None and part.shelf_life_days:
        expiry = today + timedelta(days=part.shelf_life_days)
    lot = Lot(
        part_id=part.id,
        lot_number=number,
        lot_key=lot_key(number),
        expires_on=expiry,
        supplier_id=supplier_id,
    )
    s.add(lot)
    s.flush()
    return lot


def _serials(
    s: Session, actor: Actor, part: Part, req: LotReceipt, plain: MoveRequest, today: date
) -> LotReceiptResult:
    texts = req.serials or ((req.lot,) if (req.lot or "").strip() else ())
    if not texts:
        raise UserError(
            f"{part.part_number} is tracked by serial number: scan each unit's serial.", field="lot"
        )
    read = [read_label(t, req.expires_on, "serial number") for t in texts]
    if Decimal(len(read)) != req.qty:
        raise UserError(
            f"{part.part_number} is tracked by serial number: {len(read)} serial(s) for a quantity of "
            f"{req.qty.normalize():f}. Scan one serial per unit.",
            field="qty",
        )
    keys = [lot_key(n) for n, _ in read]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise UserError(f"Serial {twice[0]} is scanned twice in this receipt.", field="lot")
    retry = req.posting_key is not None and s.scalar(
        select(StockMove.id).where(StockMove.posting_key == req.posting_key)
    )
    if not retry:  # a retried posting key finds its own serials: post_in then answers "already posted"
        _refuse_received_serials(s, part, keys)
    posted, lots = [], []
    for n, (number, expiry) in enumerate(read):
        lot = ensure_lot(s, part, number, expiry, req.supplier_id, today)
        key = req.posting_key if n == 0 or req.posting_key is None else f"{req.posting_key}.{n + 1}"
        posted.append(post_in(s, actor, replace(plain, qty=Decimal(1), lot_id=lot.id, posting_key=key)))
        lots.append(get_lot(s, lot.id))
    return LotReceiptResult(tuple(posted), tuple(lots))


# --- a part's tracking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingInput:
    tracking: str = Tracking.NONE.value
    shelf_life_days: int | None = None
    expiry_warning_days: int | None = None


def check_tracking(data: TrackingInput) -> TrackingInput:
    """The values alone (the part dialog checks them before saving anything)."""
    if data.tracking not in Tracking.__members__:
        raise UserError(f"Tracking is one of {', '.join(Tracking)}.", field="tracking")
    for name, days in (
        ("shelf_life_days", data.shelf_life_days),
        ("expiry_warning_days", data.expiry_warning_days),
    ):
        if days is not None and not 1 <= days <= 36500:
            raise UserError("Shelf life and warning are 1 to 36,500 days.", field=name)
    return data


def set_tracking(db: Database, actor: Actor, part_id: int, data: TrackingInput) -> TrackingInput:
    return db.write(lambda s: set_tracking_in(s, actor, part_id, data))


def set_tracking_in(s: Session, actor: Actor, part_id: int, data: TrackingInput) -> TrackingInput:
    """Change how a part is tracked, refused while it has stock anywhere: stock received without lots cannot
    be put into lots by a setting, and a lot's stock cannot silently lose its lot."""
    actor.require(Permission.EDIT_PARTS)
    check_tracking(data)
    part = s.scalar(select(Part).where(Part.id == part_id).with_for_update())
    if part is None:
        raise NotFound(f"Part #{part_id} no longer exists.", field="part")
    if part.tracking != data.tracking:
        held = s.scalar(
            select(func.count())
            .select_from(StockBalance)
            .where(StockBalance.part_id == part_id, StockBalance.qty != 0)
        )
        lots = s.scalar(
            select(func.count())
            .select_from(LotBalance)
            .where(LotBalance.part_id == part_id, LotBalance.qty != 0)
        )
        if held or lots:
            raise Conflict(
                f"{part.part_number} has stock in {held or lots} bin(s): its tracking can change from "
                f"{part.tracking} to {data.tracking} only when its stock is zero.",
                field="tracking",
            )
    before = (part.tracking, part.shelf_life_days, part.expiry_warning_days)
    part.tracking, part.shelf_life_days, part.expiry_warning_days = (
        data.tracking,
        data.shelf_life_days,
        data.expiry_warning_days,
    )
    if before != (data.tracking, data.shelf_life_days, data.expiry_warning_days):
        record(
            s,
            actor.user_id,
            "part.tracking",
            "part",
            part.id,
            f"{part.part_number}: tracking {before[0]} -> {data.tracking}, shelf life {before[1]} -> "
            f"{data.shelf_life_days} days, warning {before[2]} -> {data.expiry_warning_days} days",
        )
    s.flush()
    return data
