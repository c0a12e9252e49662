"""The stock ledger: every movement is an appended `StockMove`, and the balances it touches are
updated in the same transaction. Stock never goes negative (unless a location allows it); a
correction is a reversing move. Concurrency: the decrement is one conditional UPDATE
(`... WHERE qty >= :qty`), which PostgreSQL re-checks after waiting for a competing lock, so two
keepers issuing the last unit cannot both succeed, and no update is lost. Stock leaving a bin to a
person goes through the Issue rule in `stock_issue` (reservations first), which posts here.

The request's own rules are in `move_checks`; the history and the reversal of a move in `history`; the
check of every balance against the ledger in `balance_check`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.errors import Conflict, InsufficientStock, NotFound, UserError
from desktop.models import Location, Lot, Part, StockBalance, StockMove, User
from desktop.models.enums import MoveKind
from desktop.quantities import QTY_PLACES, format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.admin.access_settings import check_adjustment
from desktop.services.common import as_utc, upsert_insert
from desktop.services.lots.ledger import move_lot
from desktop.services.stock.move_checks import _check_ends, _checked_texts


@dataclass(frozen=True)
class MoveRequest:
    kind: MoveKind
    part_id: int
    qty: Decimal
    from_location_id: int | None = None
    to_location_id: int | None = None
    reason: str | None = None
    reference: str | None = None
    posting_key: str | None = None
    lot_id: int | None = None  # a tracked part's lot or serial (desktop.services.lots); None otherwise


@dataclass(frozen=True)
class MoveDTO:
    id: int
    kind: str
    part_id: int
    part_number: str
    description: str
    unit: str
    qty: Decimal
    from_code: str | None
    to_code: str | None
    reason: str | None
    reference: str | None
    user_name: str
    at: datetime
    reverses_move_id: int | None
    reversed_by_id: int | None = None
    lot_number: str | None = None  # a tracked part's lot or serial

    def summary(self) -> str:
        """One line for the feedback banner: 'ISSUE 2 EA of 6205-2RS from A-01-01'."""
        text = f"{self.kind.capitalize()} {format_qty(self.qty)} {self.unit} of {self.part_number}"
        if self.lot_number:
            text += f" lot {self.lot_number}"
        if self.from_code:
            text += f" from {self.from_code}"
        if self.to_code:
            text += f" to {self.to_code}"
        return text


@dataclass(frozen=True)
class PostResult:
    move: MoveDTO
    part_on_hand: Decimal
    min_qty: Decimal | None
    duplicate: bool = False  # the posting key had been posted already: nothing new was written

    @property
    def below_min(self) -> bool:
        return self.min_qty is not None and self.part_on_hand < self.min_qty


def post_move(db: Database, actor: Actor, req: MoveRequest) -> PostResult:
    """Post one move in its own transaction."""
    return db.write(lambda s: post_in(s, actor, req))


def post_in(s: Session, actor: Actor, req: MoveRequest) -> PostResult:
    """Post one move inside the caller's transaction (a kanban receipt, a count approval, an import),
    so the move and the caller's own changes are saved together or not at all. An issue goes through the
    storeroom's Issue rule (stock.issue: reservations, the work order's own settled, a tracked part's
    lot): no caller posts one around it."""
    if req.kind is MoveKind.ISSUE:
        from desktop.services.stock.issue import issue_in  # the rule posts with ledger_post below

        return issue_in(s, actor, req).posted
    return ledger_post(s, actor, req)


def ledger_post(s: Session, actor: Actor, req: MoveRequest) -> PostResult:
    """The ledger's own posting, rules of the move's shape, units and stock only. For an issue only the
    Issue rule calls it, after its own checks."""
    actor.require(Permission.MOVE_STOCK)
    reason, reference = _checked_texts(req)
    return _post(s, actor, req, reason, reference)


# What a posting key stands for: the move posted under it, to compare a retry with.
_KEYED = select(
    StockMove.id,
    StockMove.kind,
    StockMove.part_id,
    StockMove.qty,
    StockMove.from_location_id,
    StockMove.to_location_id,
    StockMove.reason,
    StockMove.reference,
    StockMove.lot_id,
    StockMove.posting_key,
)
KeyedMove = tuple[
    int, str, int, Decimal, int | None, int | None, str | None, str | None, int | None, str | None
]
_KEY_FIELDS = ("kind", "part", "quantity", "from location", "to location", "reason", "reference", "lot")


def key_differences(
    posted: KeyedMove, req: MoveRequest, reason: str | None, reference: str | None
) -> list[str]:
    """What differs between the move posted under a key and a request carrying the same key."""
    step = Decimal(1).scaleb(-QTY_PLACES)
    then = (*posted[1:3], Decimal(posted[3]).quantize(step), *posted[4:9])
    now = (req.kind.value, req.part_id, req.qty.quantize(step), req.from_location_id, req.to_location_id)
    return [
        name
        for name, a, b in zip(_KEY_FIELDS, then, (*now, reason, reference, req.lot_id), strict=True)
        if a != b
    ]


def check_same_request(
    s: Session, posted: KeyedMove, req: MoveRequest, reason: str | None, reference: str | None
) -> None:
    """A posting key names ONE request: a retry of it (same move) is harmless and posts nothing; the
    same key with other content is refused, instead of answering with the old move and dropping the
    new one."""
    differ = key_differences(posted, req, reason, reference)
    if differ:
        earlier = _result(s, posted[0]).move
        raise Conflict(
            f"The key {req.posting_key} was used for move #{earlier.id} ({earlier.summary()}); this request "
            f"differs in {', '.join(differ)}. Nothing was saved: a new move needs a new key.",
            field="key",
        )


def _post(
    s: Session,
    actor: Actor,
    req: MoveRequest,
    reason: str | None,
    reference: str | None,
    reverses: int | None = None,
) -> PostResult:
    if req.posting_key:
        done = s.execute(_KEYED.where(StockMove.posting_key == req.posting_key)).first()
        if done is not None:
            check_same_request(s, done._tuple(), req, reason, reference)
            return _result(s, done.id, duplicate=True)
    s.flush()  # the statements below go to the connection: the caller's pending changes first
    part, src, dst = _part_and_ends(s, req)
    _check_ends(req, part, src)
    check_adjustment(s, actor, req.kind, req.qty, part)
    # Touch balance rows in location-id order, so two opposite transfers cannot deadlock, and before the
    # move is inserted: a repair's lock on the balances then also keeps out half-written moves.
    for loc, sign in sorted(
        ((x, y) for x, y in ((src, -1), (dst, 1)) if x is not None), key=lambda t: t[0].id
    ):
        if sign < 0:
            _take(s, part, loc, req.qty)
        else:
            _put(s, part.id, loc.id, req.qty)
    lot_number = None
    if req.lot_id is not None:  # a tracked part: its lot's stock per bin follows, in the same order
        lot_number = move_lot(s.connection(), part, req.lot_id, src, dst, req.qty)
    move_id, at = (
        s.connection()
        .execute(
            _INSERT_MOVE,
            move_row(actor, req, part, src, dst, reason, reference, reverses),
        )
        .one()
    )
    # Built from what is in hand rather than re-read with a join: this is the hot path of every scan.
    dto = MoveDTO(
        move_id,
        req.kind.value,
        part.id,
        part.part_number,
        part.description,
        part.unit,
        req.qty,
        src.code if src else None,
        dst.code if dst else None,
        reason,
        reference,
        actor.user_name,
        as_utc(at),
        reverses,
        None,
        lot_number,
    )
    return PostResult(dto, on_hand(s, part.id), part.min_qty)


def move_row(
    actor: Actor,
    req: MoveRequest,
    part: Part,
    src: Location | None,
    dst: Location | None,
    reason: str | None,
    reference: str | None,
    reverses: int | None = None,
) -> dict[str, Any]:
    """The ledger row of a checked request (valued at the part's cost now), for one INSERT or a batch."""
    return {
        "part_id": part.id,
        "from_location_id": src.id if src else None,
        "to_location_id": dst.id if dst else None,
        "qty": req.qty,
        "kind": req.kind.value,
        "reason": reason,
        "reference": reference,
        "unit_cost": part.unit_cost,
        "user_id": actor.user_id,
        "reverses_move_id": reverses,
        "posting_key": req.posting_key,
        "lot_id": req.lot_id,
    }


# The part and the move's one or two locations in one round trip (each was its own query).
_PART_AND_ENDS = (
    select(Part, Location)
    .join(Location, Location.id.in_(bindparam("ends", expanding=True)))
    .where(Part.id == bindparam("p"))
)


def _part_and_ends(s: Session, req: MoveRequest) -> tuple[Part, Location | None, Location | None]:
    ends = [i for i in (req.from_location_id, req.to_location_id) if i is not None]
    found = s.execute(_PART_AND_ENDS, {"p": req.part_id, "ends": ends}).all()
    if not found:  # the part or every location is missing: say which
        return (
            _part(s.get(Part, req.part_id), req.part_id),
            _location(s, req.from_location_id, "from_location"),
            _location(s, req.to_location_id, "to_location"),
        )
    locs = {loc.id: loc for _part_row, loc in found}

    def end(location_id: int | None, field: str) -> Location | None:
        if location_id is None:
            return None
        return _usable(locs.get(location_id), location_id, field)

    return found[0][0], end(req.from_location_id, "from_location"), end(req.to_location_id, "to_location")


def _part(part: Part | None, part_id: int) -> Part:
    if part is None:
        raise NotFound(f"Part #{part_id} does not exist.", field="part")
    return part


def _location(s: Session, location_id: int | None, field: str) -> Location | None:
    if location_id is None:
        return None
    return _usable(s.get(Location, location_id), location_id, field)


def _usable(loc: Location | None, location_id: int, field: str) -> Location:
    if loc is None:
        raise NotFound(f"Location #{location_id} does not exist.", field=field)
    if not loc.active:
        raise UserError(f"Location {loc.code} is inactive.", field=field)
    return loc


# SQLite keeps NUMERIC values as doubles, so 0.7 + 0.1 is stored as 0.7999999999999999: every balance
# update rounds to the 4 places quantities have, and the "enough stock" test allows half a unit of
# the last place. On PostgreSQL (exact numerics) both are no-ops.
HALF_UNIT = Decimal("0.00005")


# The statements of every post, built once: building and cache-keying them each time was a fifth of a
# post's client CPU, which is what limits eight keepers posting at once on a 2-core PostgreSQL server.
_QTY = bindparam("q", type_=StockBalance.qty.type)
_BALANCE = (StockBalance.part_id == bindparam("p"), StockBalance.location_id == bindparam("l"))
_DECREMENT = {"qty": func.round(StockBalance.qty - _QTY, QTY_PLACES), "updated_at": func.now()}
# allow_negative -> the UPDATE; without it, the row must hold the quantity (PostgreSQL re-checks the
# condition after waiting for a competing lock)
_TAKE = {
    True: update(StockBalance).where(*_BALANCE).values(_DECREMENT),
    False: update(StockBalance).where(*_BALANCE, StockBalance.qty >= _QTY - HALF_UNIT).values(_DECREMENT),
}
_HELD = select(StockBalance.qty).where(*_BALANCE)
_ON_HAND = select(func.coalesce(func.sum(StockBalance.qty), 0)).where(StockBalance.part_id == bindparam("p"))
_INSERT_MOVE = insert(StockMove).returning(StockMove.id, StockMove.at)  # columns: move_row()'s keys


def _take(s: Session, part: Part, loc: Location, qty: Decimal) -> None:
    conn = s.connection()
    keys = {"p": part.id, "l": loc.id, "q": qty}
    if conn.execute(_TAKE[loc.allow_negative], keys).rowcount == 1:
        return
    if loc.allow_negative:
        _put(s, part.id, loc.id, -qty)
        return
    have = conn.execute(_HELD, keys).scalar() or Decimal(0)
    raise InsufficientStock(
        f"Only {format_qty(Decimal(have))} {part.unit} of {part.part_number} left in {loc.code}: "
        f"cannot take {format_qty(qty)}.",
        available=Decimal(have),
    )


@cache
def balance_upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE qty = qty + excluded.qty, built once per dialect, when first
    used (see upsert_insert)."""
    stmt = upsert_insert(dialect)(StockBalance).values(
        part_id=bindparam("p"), location_id=bindparam("l"), qty=bindparam("q")
    )
    return stmt.on_conflict_do_update(
        index_elements=[StockBalance.part_id, StockBalance.location_id],
        set_={"qty": func.round(StockBalance.qty + stmt.excluded.qty, QTY_PLACES), "updated_at": func.now()},
    )


def _put(s: Session, part_id: int, location_id: int, qty: Decimal) -> None:
    conn = s.connection()
    conn.execute(balance_upsert(conn.dialect.name), {"p": part_id, "l": location_id, "q": qty})


def on_hand(s: Session, part_id: int) -> Decimal:
    """Total stock of a part over all locations (inside the caller's transaction)."""
    return Decimal(s.connection().execute(_ON_HAND, {"p": part_id}).scalar() or 0)


# --- reading the ledger --------------------------------------------------------------------------------

_From = aliased(Location)
_To = aliased(Location)
_Reversal = aliased(StockMove)


def _move_query():  # type: ignore[no-untyped-def]
    return (
        select(
            StockMove,
            Part.part_number,
            Part.description,
            Part.unit,
            _From.code,
            _To.code,
            User.user_name,
            _Reversal.id,
            Lot.lot_number,
        )
        .join(Part, Part.id == StockMove.part_id)
        .join(User, User.id == StockMove.user_id)
        .outerjoin(_From, _From.id == StockMove.from_location_id)
        .outerjoin(_To, _To.id == StockMove.to_location_id)
        .outerjoin(_Reversal, _Reversal.reverses_move_id == StockMove.id)
        .outerjoin(Lot, Lot.id == StockMove.lot_id)
    )


def _move_dto(
    row: tuple[StockMove, str, str, str, str | None, str | None, str, int | None, str | None],
) -> MoveDTO:
    m, number, desc, unit, src, dst, user, reversal, lot = row
    return MoveDTO(
        m.id,
        m.kind,
        m.part_id,
        number,
        desc,
        unit,
        Decimal(m.qty),
        src,
        dst,
        m.reason,
        m.reference,
        user,
        as_utc(m.at),
        m.reverses_move_id,
        reversal,
        lot,
    )


def _result(s: Session, move_id: int, *, duplicate: bool = False) -> PostResult:
    row = s.execute(_move_query().where(StockMove.id == move_id)).one()
    move = _move_dto(row._tuple())
    min_qty = s.scalar(select(Part.min_qty).where(Part.id == move.part_id))
    return PostResult(move, on_hand(s, move.part_id), min_qty, duplicate)


def balance(db: Database, part_id: int, location_id: int) -> Decimal:
    return db.read(
        lambda s: Decimal(
            s.scalar(
                select(StockBalance.qty).where(
                    StockBalance.part_id == part_id, StockBalance.location_id == location_id
                )
            )
            or 0
        )
    )
