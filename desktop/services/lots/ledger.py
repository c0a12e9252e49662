"""The ledger side of lots: the rule that a tracked part's move names its lot and an untracked one's does
not, the stock of each lot per bin kept in the transaction of every single post (`stock._post` calls
`move_lot` right after it has changed the bin's own balance), and the check that the ledger and those
balances agree.

Invariants for a tracked part: the moves of a lot sum to its `lot_balance` per bin, and the lots of a
bin sum to the bin's `stock_balance`. This module imports no service (stock imports it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, func, literal, select, union_all, update

from desktop.errors import InsufficientStock, UserError
from desktop.models import Location, Lot, LotBalance, Part, StockBalance, StockMove
from desktop.models.enums import Tracking
from desktop.quantities import QTY_PLACES, format_qty
from desktop.services.common import upsert_insert


def what_is_tracked(tracking: str) -> str:
    return "serial number" if tracking == Tracking.SERIAL.value else "lot"


def check_lot(part: Part, lot_id: int | None, kind: str | None = None) -> None:
    """A tracked part moves with its lot (or serial); an untracked part with none."""
    if part.tracking == Tracking.NONE.value:
        if lot_id is not None:
            raise UserError(f"{part.part_number} is not tracked by lot: move it without a lot.", field="lot")
        return
    if lot_id is not None:
        return
    what = what_is_tracked(part.tracking)
    if kind == "COUNT":  # a line counted without a lot, before the part became tracked
        raise UserError(
            f"{part.part_number} is tracked by {what}: its count without a {what} cannot be posted. Reject "
            f"that line and count the part again per {what}.",
            field="lot",
        )
    raise UserError(f"{part.part_number} is tracked by {what}: scan or type the {what}.", field="lot")


_LOT = select(Lot.part_id, Lot.lot_number).where(Lot.id == bindparam("lot"))
_KEY = (
    LotBalance.part_id == bindparam("p"),
    LotBalance.location_id == bindparam("l"),
    LotBalance.lot_id == bindparam("lot"),
)
_HELD = select(LotBalance.qty).where(*_KEY)


@cache
def _statements(dialect: str) -> tuple[Any, Any, Any]:
    """(take if enough, take whatever, put) for one dialect, built once (as stock's are)."""
    from desktop.services.stock.moves import HALF_UNIT  # stock imports this module

    qty = bindparam("q", type_=LotBalance.qty.type)
    minus = {"qty": func.round(LotBalance.qty - qty, QTY_PLACES), "updated_at": func.now()}
    put = upsert_insert(dialect)(LotBalance).values(
        part_id=bindparam("p"), location_id=bindparam("l"), lot_id=bindparam("lot"), qty=qty
    )
    put = put.on_conflict_do_update(
        index_elements=[LotBalance.part_id, LotBalance.location_id, LotBalance.lot_id],
        set_={"qty": func.round(LotBalance.qty + put.excluded.qty, QTY_PLACES), "updated_at": func.now()},
    )
    return (
        update(LotBalance).where(*_KEY, LotBalance.qty >= qty - HALF_UNIT).values(minus),
        update(LotBalance).where(*_KEY).values(minus),
        put,
    )


def move_lot(
    conn: Connection, part: Part, lot_id: int, src: Location | None, dst: Location | None, qty: Decimal
) -> str:
    """Take `qty` of the lot out of `src` and put it into `dst` (either may be None); returns the lot's
    number. The lot must be the part's; the source must hold that much of it unless the bin allows
    negative stock."""
    found = conn.execute(_LOT, {"lot": lot_id}).first()
    if found is None or found.part_id != part.id:
        raise UserError(f"That lot is not one of {part.part_number}'s.", field="lot")
    take_enough, take_any, put = _statements(conn.dialect.name)
    for loc, sign in sorted(
        ((x, y) for x, y in ((src, -1), (dst, 1)) if x is not None), key=lambda t: t[0].id
    ):
        keys = {"p": part.id, "l": loc.id, "lot": lot_id, "q": qty}
        if sign > 0:
            conn.execute(put, keys)
        elif loc.allow_negative:
            if conn.execute(take_any, keys).rowcount == 0:
                conn.execute(put, {**keys, "q": -qty})
        elif conn.execute(take_enough, keys).rowcount != 1:
            have = Decimal(conn.execute(_HELD, keys).scalar() or 0)
            raise InsufficientStock(
                f"Only {format_qty(have)} {part.unit} of {part.part_number} "
                f"{what_is_tracked(part.tracking)} {found.lot_number} left in {loc.code}: "
                f"cannot take {format_qty(qty)}.",
                available=have,
            )
    return str(found.lot_number)


# --- checking the invariants ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LotDrift:
    """A lot's balance in a bin that is not the sum of its moves (`lot_id` set), or a bin whose lots do not
    add up to its balance (`lot_id` None: `balance` is the bin's, `ledger` the sum of its lots)."""

    part_id: int
    location_id: int
    lot_id: int | None
    balance: Decimal
    ledger: Decimal


def sums_that_differ(flows: Any, keys: tuple[str, ...], left: str, right: str) -> Any:
    """The `keys` of `flows` whose `left` and `right` columns sum to different quantities. Rounded:
    SQLite keeps NUMERIC as doubles, so its sums carry binary noise past the 4th place."""
    group = [flows.c[k] for k in keys]
    a = func.round(func.sum(flows.c[left]), QTY_PLACES)
    b = func.round(func.sum(flows.c[right]), QTY_PLACES)
    return select(*group, a, b).group_by(*group).having(a != b).order_by(*group)


def _lot_drift_query() -> Any:
    """Every (part, bin, lot) whose balance differs from its moves, in one statement (one snapshot)."""
    zero = literal(0, LotBalance.qty.type)
    flows = union_all(
        select(
            StockMove.part_id,
            StockMove.to_location_id.label("loc"),
            StockMove.lot_id,
            zero.label("bal"),
            StockMove.qty,
        ).where(StockMove.lot_id.is_not(None), StockMove.to_location_id.is_not(None)),
        select(StockMove.part_id, StockMove.from_location_id, StockMove.lot_id, zero, -StockMove.qty).where(
            StockMove.lot_id.is_not(None), StockMove.from_location_id.is_not(None)
        ),
        select(LotBalance.part_id, LotBalance.location_id, LotBalance.lot_id, LotBalance.qty, zero),
    ).subquery()
    return sums_that_differ(flows, ("part_id", "loc", "lot_id"), "bal", "qty")


def _split_query() -> Any:
    """Every bin of a tracked part whose lots do not add up to its balance, in one statement."""
    zero = literal(0, LotBalance.qty.type)
    tracked = select(Part.id).where(Part.tracking != Tracking.NONE.value)
    flows = union_all(
        select(
            StockBalance.part_id,
            StockBalance.location_id.label("loc"),
            StockBalance.qty.label("bal"),
            zero.label("lots"),
        ).where(StockBalance.part_id.in_(tracked)),
        select(LotBalance.part_id, LotBalance.location_id, zero, LotBalance.qty),
    ).subquery()
    return sums_that_differ(flows, ("part_id", "loc"), "bal", "lots")


_LOT_DRIFTS = _lot_drift_query()
_SPLITS = _split_query()


def lot_drifts(conn: Connection, *, repair: bool = False) -> list[LotDrift]:
    """What `storeroom check-balances` adds for lots. A repair brings each lot's balance to its moves
    (inside the caller's lock, see stock.balance_check.check_balances); a bin whose lots still do not add
    up after that holds stock moved without a lot while the part was tracked, which no sum can place in a
    lot: it is reported, never guessed."""
    drifts = [
        LotDrift(p, loc, lot, Decimal(b), Decimal(led)) for p, loc, lot, b, led in conn.execute(_LOT_DRIFTS)
    ]
    if repair:
        put = _statements(conn.dialect.name)[2]
        for d in drifts:
            conn.execute(
                put, {"p": d.part_id, "l": d.location_id, "lot": d.lot_id, "q": d.ledger - d.balance}
            )
    splits = [LotDrift(p, loc, None, Decimal(b), Decimal(s)) for p, loc, b, s in conn.execute(_SPLITS)]
    return drifts + splits
