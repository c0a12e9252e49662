"""Posting many moves at once: an opening-stock load, a scanner's offline batch, a count approval.

All or nothing in one transaction, with the same rules as one `post_move` (shape, units, inactive parts,
quarantine, no negative stock, posting keys) but with set-based SQL: parts, locations and balances are
read in a few queries, balances are checked in memory in the order the moves are given, and the moves
and the net balance changes are written with one executemany each. On PostgreSQL the balance rows are
locked (FOR UPDATE, in part/location order like single posts) before they are checked, so a concurrent
issue cannot slip between the check and the write. Issues follow the storeroom's Issue rule
(`stock_issue.cover`): the parts issued are locked first and their open reservations read, an issue
naming a reservation's work order settles it, and other work orders' stock goes only with `take_reserved`.

A tracked part's line names its lot (`lot_id`), as a single post does: a batch has no person to propose a
lot to, so an issue is not given the first-expired lot but must name one, and an expired lot is refused
as in a single issue. Each lot line then moves its lot's stock with the ledger's own `move_lot`, after
the bins' balances (the order single posts lock in), in the order the lines are given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert, select, tuple_
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, InsufficientStock, UserError
from desktop.models import AssetMove, Location, Part, Reservation, StockBalance, StockMove
from desktop.models.enums import MoveKind, Tracking
from desktop.quantities import format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.admin.access_settings import check_adjustment
from desktop.services.lots.issuing import lot_for_issue
from desktop.services.lots.ledger import move_lot, what_is_tracked
from desktop.services.stock.issue import cover, lock_parts, named, open_reservations, take_from
from desktop.services.stock.move_checks import _check_ends, _checked_texts
from desktop.services.stock.moves import (
    _KEYED,
    HALF_UNIT,
    KeyedMove,
    MoveRequest,
    _part,
    _usable,
    balance_upsert,
    check_same_request,
    key_differences,
    move_row,
    on_hand,
)

_CHUNK = 500  # keys per IN (...): well under SQLite's bound-parameter limit
T = TypeVar("T")
K = TypeVar("K")


@dataclass(frozen=True)
class BatchResult:
    move_ids: tuple[int, ...]  # in the order of the requests that were posted
    duplicates: int  # requests whose posting key had been posted already (nothing written for them)


def post_many(
    db: Database, actor: Actor, requests: Sequence[MoveRequest], *, take_reserved: bool = False
) -> BatchResult:
    """Post every request in one transaction, or none if any is refused."""
    return db.write(lambda s: post_many_in(s, actor, requests, take_reserved=take_reserved))


def post_many_in(
    s: Session, actor: Actor, requests: Sequence[MoveRequest], *, take_reserved: bool = False
) -> BatchResult:
    """The same inside the caller's transaction. A refused request raises a UserError that names its
    position ("Move 17 of 10,000: ..."), and the caller's transaction rolls back."""
    actor.require(Permission.MOVE_STOCK)
    total = len(requests)
    texts = [_numbered(i, total, partial(_checked_texts, r)) for i, r in enumerate(requests)]
    keys = {r.posting_key for r in requests if r.posting_key}
    posted: dict[str | None, KeyedMove] = {
        row[-1]: row
        for row in _in_chunks(
            keys, lambda c: s.execute(_KEYED.where(StockMove.posting_key.in_(c))).tuples().all()
        )
    }
    in_batch: dict[str, tuple[int, KeyedMove]] = {}  # key -> (position, the request it was first seen on)
    parts = {
        p.id: p
        for p in _in_chunks(
            {r.part_id for r in requests}, lambda c: s.scalars(select(Part).where(Part.id.in_(c)))
        )
    }
    reserved = _Reservations(s, actor, requests, take_reserved)  # parts issued: locked before their balances
    loc_ids = {x for r in requests for x in (r.from_location_id, r.to_location_id) if x is not None}
    locs = {
        x.id: x for x in _in_chunks(loc_ids, lambda c: s.scalars(select(Location).where(Location.id.in_(c))))
    }
    balances = _locked_balances(s, requests)

    rows: list[dict[str, Any]] = []
    lot_lines: list[tuple[int, MoveRequest, Part, Location | None, Location | None]] = []
    deltas: dict[tuple[int, int], Decimal] = {}
    today = date.today()
    duplicates = 0
    for i, (req, (reason, reference)) in enumerate(zip(requests, texts, strict=True)):
        if req.posting_key in posted:
            _numbered(
                i, total, partial(check_same_request, s, posted[req.posting_key], req, reason, reference)
            )
            duplicates += 1
            continue
        if req.posting_key in in_batch:
            first, earlier = in_batch[req.posting_key]
            differ = key_differences(earlier, req, reason, reference)
            if differ:
                raise Conflict(
                    f"Move {i + 1:,} of {total:,}: its key {req.posting_key} is also on move {first + 1:,}, "
                    f"which differs in {', '.join(differ)}. Nothing was saved: a new move needs a new key.",
                    field="key",
                )
            duplicates += 1
            continue
        if req.posting_key:
            in_batch[req.posting_key] = (i, _as_keyed(req, reason, reference))
        part, src, dst = _numbered(i, total, partial(_resolve, req, parts, locs))
        _numbered(i, total, partial(check_adjustment, s, actor, req.kind, req.qty, part))
        _numbered(i, total, partial(reserved.apply, len(rows), req, part, reference))
        if req.lot_id is not None:
            if req.kind is MoveKind.ISSUE and src is not None:  # an expired or another part's lot: refused
                _numbered(
                    i, total, partial(lot_for_issue, s, part, src.id, req.lot_id, short=False, today=today)
                )
            lot_lines.append((i, req, part, src, dst))
        if src is not None:
            key = (part.id, src.id)
            have = balances.get(key, Decimal(0))
            if not src.allow_negative and have < req.qty - HALF_UNIT:
                raise InsufficientStock(
                    f"Move {i + 1:,} of {total:,}: only {format_qty(have)} {part.unit} of {part.part_number} "
                    f"left in {src.code}: cannot take {format_qty(req.qty)}.",
                    available=have,
                )
            balances[key] = have - req.qty
            deltas[key] = deltas.get(key, Decimal(0)) - req.qty
        if dst is not None:
            key = (part.id, dst.id)
            balances[key] = balances.get(key, Decimal(0)) + req.qty
            deltas[key] = deltas.get(key, Decimal(0)) + req.qty
        rows.append(move_row(actor, req, part, src, dst, reason, reference))
    if not rows:
        return BatchResult((), duplicates)
    changed = [{"p": p, "l": loc, "q": q} for (p, loc), q in sorted(deltas.items()) if q != 0]
    if changed:  # balances before moves, as single posts do (check_balances' repair relies on it)
        s.execute(balance_upsert(s.get_bind().dialect.name), changed)
    for i, req, part, src, dst in lot_lines:  # each lot after its bins, as in stock._post
        assert req.lot_id is not None
        _numbered(i, total, partial(move_lot, s.connection(), part, req.lot_id, src, dst, req.qty))
    # Core, not the ORM insert: the model's eager_defaults would send the rows one by one (30x slower)
    table = cast(Table, StockMove.__table__)
    ids = s.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all()
    reserved.book(ids)
    return BatchResult(tuple(ids), duplicates)


class _Reservations:
    """The Issue rule over a batch: the parts it issues are locked (in id order) and their open
    reservations read once; each issue is checked against the free stock as the batch leaves it."""

    def __init__(
        self, s: Session, actor: Actor, requests: Sequence[MoveRequest], take_reserved: bool
    ) -> None:
        self.s, self.take_reserved = s, take_reserved
        self.settles = actor.can(Permission.RESERVE)
        issued = sorted({r.part_id for r in requests if r.kind is MoveKind.ISSUE})
        if s.get_bind().dialect.name == "postgresql":
            for start in range(0, len(issued), _CHUNK):
                lock_parts(s, issued[start : start + _CHUNK])
        self.held = {
            p: rs for c in _in_chunks(issued, lambda c: [open_reservations(s, c)]) for p, rs in c.items()
        }
        self.on_hand = {p: on_hand(s, p) for p in self.held}  # parts nothing reserves need no count
        self.settled: list[tuple[int, Reservation]] = []  # (row of the issue, the reservation it settled)

    def apply(self, row: int, req: MoveRequest, part: Part, reference: str | None) -> None:
        """Check one request (`row`: its place among the rows written) and count what it moves."""
        if part.id not in self.held:
            return
        held = self.held[part.id]
        if req.kind is MoveKind.ISSUE and req.from_location_id is not None:
            mine = named(held, reference) if self.settles else None
            covered = cover(
                part, req.qty, self.on_hand[part.id], held, mine, take_reserved=self.take_reserved
            )
            if mine is not None and covered > 0:
                take_from(mine, covered)
                self.settled.append((row, mine))
        self.on_hand[part.id] += (req.qty if req.to_location_id is not None else 0) - (
            req.qty if req.from_location_id is not None else 0
        )

    def book(self, move_ids: Sequence[int]) -> None:
        """Link each settling issue to its reservation, as a single issue does."""
        self.s.add_all(
            AssetMove(move_id=move_ids[row], asset_id=r.asset_id, reservation_id=r.id)
            for row, r in self.settled
        )
        self.s.flush()


def _as_keyed(req: MoveRequest, reason: str | None, reference: str | None) -> KeyedMove:
    return (
        0,
        req.kind.value,
        req.part_id,
        req.qty,
        req.from_location_id,
        req.to_location_id,
        reason,
        reference,
        req.lot_id,
        req.posting_key,
    )


def _resolve(
    req: MoveRequest, parts: dict[int, Part], locs: dict[int, Location]
) -> tuple[Part, Location | None, Location | None]:
    part = _part(parts.get(req.part_id), req.part_id)
    if req.lot_id is None and part.tracking != Tracking.NONE.value and req.kind is not MoveKind.COUNT:
        what = what_is_tracked(part.tracking)
        raise UserError(
            f"{part.part_number} is tracked by {what}: a batch line of it names its {what}.", field="lot"
        )
    src = (
        None
        if req.from_location_id is None
        else _usable(locs.get(req.from_location_id), req.from_location_id, "from_location")
    )
    dst = (
        None
        if req.to_location_id is None
        else _usable(locs.get(req.to_location_id), req.to_location_id, "to_location")
    )
    _check_ends(req, part, src)
    return part, src, dst


def _locked_balances(s: Session, requests: Sequence[MoveRequest]) -> dict[tuple[int, int], Decimal]:
    """Current balances of every (part, location) the batch takes from, locked on PostgreSQL."""
    pairs = sorted({(r.part_id, r.from_location_id) for r in requests if r.from_location_id is not None})
    lock = s.get_bind().dialect.name == "postgresql"

    def query(chunk: list[tuple[int, int]]) -> Iterable[tuple[int, int, Decimal]]:
        stmt = (
            select(StockBalance.part_id, StockBalance.location_id, StockBalance.qty)
            .where(tuple_(StockBalance.part_id, StockBalance.location_id).in_(chunk))
            .order_by(StockBalance.part_id, StockBalance.location_id)
        )
        return s.execute(stmt.with_for_update() if lock else stmt).tuples()

    return {(p, loc): Decimal(q) for p, loc, q in _in_chunks(pairs, query)}


def _in_chunks(keys: Iterable[K], query: Callable[[list[K]], Iterable[T]]) -> list[T]:
    items: list[K] = sorted(keys)  # type: ignore[type-var]
    out: list[T] = []
    for start in range(0, len(items), _CHUNK):
        out.extend(query(items[start : start + _CHUNK]))
    return out


def _numbered(index: int, total: int, check: Callable[[], T]) -> T:
    """Run a check for the request at `index`, prefixing a refusal with its position in the batch."""
    try:
        return check()
    except UserError as exc:
        exc.message = f"Move {index + 1:,} of {total:,}: {exc.message}"
        exc.args = (exc.message,)
        raise
