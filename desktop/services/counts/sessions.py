"""Cycle counting: count sessions, blind entry, tolerance, recount by another counter, approval.

A session copies the book (every balance in the chosen bins: a count lists every expected item, so an
item not found counts as zero) and remembers the ledger's highest id. A counted line is compared with the
book rolled forward by the moves posted since the snapshot, so moves during the count do not show as
variances. Out of tolerance (count settings) -> recount by another counter -> a supervisor approves each
line or rejects it with a reason -> COUNT moves (`approval`). ABC is in count_abc, the plan in count_plan,
IRA in count_ira.

A tracked part is counted per lot (or serial): one line per (part, bin, lot) the book holds, and a line
added for a lot found on the shelf (desktop.services.counts.lots). Tolerance and the recount are per line,
so per lot; approval posts one COUNT move per lot line that differs, with its lot. For the IRA a (part,
bin) of a count is one line however many lots it holds, accurate when each of its lot lines is
(`approval.accurate_bins`): a bin of five lots weighs no more than an untracked bin, and a lot record
that is wrong (two lots swapped, same total) is a record error a recall would meet, so the bin is not
accurate.

Recount rule: the recount of a line must be entered by someone other than its first counter whenever
another active user who may count exists; a storeroom with a single counter may recount its own line,
and the line then shows "same counter" to the supervisor who approves it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from desktop.codes import location_payload, part_payload
from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import CountLine, CountSession, Location, Lot, Part, StockBalance, StockMove, User
from desktop.models.enums import MoveKind, Tracking
from desktop.quantities import format_qty
from desktop.reports.count_sheet import SheetHeader, SheetLine
from desktop.services.actor import ROLE_PERMISSIONS, Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.admin.server_roles import lock_ledger_share
from desktop.services.catalogue.locations import within
from desktop.services.catalogue.typed_codes import find_location_by_code, find_part_by_code
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.common import as_utc
from desktop.services.counts.abc import AbcRow as AbcRow
from desktop.services.counts.abc import abc_classes as abc_classes
from desktop.services.counts.abc import abc_rows as abc_rows
from desktop.services.counts.abc import classify as classify
from desktop.services.counts.lots import counted_lot, lot_book
from desktop.services.counts.settings import CountSettings, read_count_settings
from desktop.services.lots.ledger import what_is_tracked
from desktop.services.lots.records import LOT_PREFIX
from desktop.services.text_rules import refuse_controls

COUNTER_ROLES = tuple(role.value for role, perms in ROLE_PERMISSIONS.items() if Permission.COUNT in perms)


@dataclass(frozen=True)
class LineDTO:
    id: int
    part_number: str
    description: str
    unit: str
    location_code: str
    walk_order: int
    book_qty: Decimal | None  # None on a blind count until it is counted
    counted_qty: Decimal | None
    variance: Decimal | None
    status: str
    abc: str
    added: bool
    expected_qty: Decimal | None = None  # the book rolled forward to the moment of counting
    variance_value: Decimal | None = None  # variance x unit cost
    counted_by: str = ""
    recounted_by: str = ""
    note: str = ""
    first_count_qty: Decimal | None = None  # count 1 when a recount replaced it
    reason: str = ""  # why the line is in the count
    lot_number: str = ""  # a tracked part's line: its lot or serial
    lot_code: str = ""  # and that lot's label code (LT-…)
    expires_on: date | None = None

    @property
    def same_counter(self) -> bool:
        return bool(self.recounted_by) and self.recounted_by == self.counted_by

    @property
    def lot_text(self) -> str:
        """'H-1 (expires 2027-03-01)', or '' for a line without a lot."""
        expiry = f" (expires {self.expires_on.isoformat()})" if self.expires_on else ""
        return f"{self.lot_number}{expiry}" if self.lot_number else ""


@dataclass(frozen=True)
class SessionDTO:
    id: int
    name: str
    status: str
    blind: bool
    lines: tuple[LineDTO, ...]


def open_session_in(
    s: Session,
    actor: Actor,
    name: str,
    blind: bool,
    pairs: Iterable[tuple[int, int]],
    reasons: Mapping[tuple[int, int], str] | None = None,
) -> CountSession:
    """A session with one line per (part, location), and per lot for a tracked part, the book copied from
    the balances now, each with why it is counted when `reasons` says (today's list: the plan, a bin left
    empty…). A tracked part's bin that holds no lot keeps one line without a lot: the bin is still looked
    at, and a lot found there is added."""
    refuse_controls(name, field="name", label="Count name")
    if s.get_bind().dialect.name == "postgresql":
        # The book and the last move id must be one snapshot: a move numbered N, still uncommitted while
        # N+1 is, would be in neither the book nor the roll-forward (ids > snapshot). SHARE mode waits
        # for the moves being written and holds new ones back until this transaction ends (a moment).
        lock_ledger_share(s)  # through the owner's function: the runtime role may not LOCK it itself
    session = CountSession(
        name=(name.strip() or "Cycle count")[:80],
        blind=blind,
        started_by_id=actor.user_id,
        snapshot_move_id=s.scalar(select(func.coalesce(func.max(StockMove.id), 0))) or 0,
    )
    s.add(session)
    s.flush()
    wanted = sorted(set(pairs))
    book: dict[tuple[int, int], Decimal] = {}
    lots: dict[tuple[int, int], list[tuple[int, Decimal]]] = {}
    for chunk in (wanted[i : i + 500] for i in range(0, len(wanted), 500)):
        parts, locs = {p for p, _l in chunk}, {loc for _p, loc in chunk}
        for part_id, loc_id, qty in s.execute(
            select(StockBalance.part_id, StockBalance.location_id, StockBalance.qty).where(
                StockBalance.part_id.in_(parts), StockBalance.location_id.in_(locs)
            )
        ).tuples():
            book[(part_id, loc_id)] = Decimal(qty)
        lots.update(lot_book(s, parts, locs))
    added = 0
    for part_id, loc_id in wanted:
        reason = (reasons or {}).get((part_id, loc_id), "")[:120] or None
        held: list[tuple[int | None, Decimal]] = [(None, book.get((part_id, loc_id), Decimal(0)))]
        for lot_id, qty in lots.get((part_id, loc_id)) or held:
            s.add(
                CountLine(
                    session_id=session.id,
                    part_id=part_id,
                    location_id=loc_id,
                    lot_id=lot_id,
                    book_qty=qty,
                    reason=reason,
                )
            )
            added += 1
    s.flush()
    record(
        s,
        actor.user_id,
        "counts.start",
        "count_session",
        session.id,
        f"started {session.name}: {added} line(s)",
    )
    return session


def start_session(
    db: Database, actor: Actor, name: str, location_ids: list[int], *, blind: bool = True
) -> int:
    """Copy the book for every part in the chosen locations and everything inside them."""
    actor.require(Permission.PLAN_COUNTS)
    if not location_ids:
        raise UserError("Choose the locations to count.")

    def op(s: Session) -> int:
        roots = list(s.scalars(select(Location).where(Location.id.in_(location_ids))))
        if not roots:
            raise NotFound("None of the chosen locations exists.")
        inside = select(Location.id).where(or_(*[within(r.path) for r in roots]))
        pairs = s.execute(
            select(StockBalance.part_id, StockBalance.location_id).where(
                StockBalance.location_id.in_(inside), StockBalance.qty != 0
            )
        ).tuples()
        return open_session_in(s, actor, name, blind, pairs).id

    return db.write(op)


def _rolled_forward(s: Session, session: CountSession, line: CountLine) -> Decimal:
    """The book at the snapshot plus every move of this part (and lot) in this bin posted since."""
    net = Decimal(0)
    for from_id, qty in s.execute(
        select(StockMove.from_location_id, StockMove.qty).where(
            StockMove.id > session.snapshot_move_id,
            StockMove.part_id == line.part_id,
            # an untracked part's moves carry no lot (lots.ledger.check_lot): the same moves as before
            StockMove.lot_id.is_(None) if line.lot_id is None else StockMove.lot_id == line.lot_id,
            or_(StockMove.from_location_id == line.location_id, StockMove.to_location_id == line.location_id),
            StockMove.kind != MoveKind.COUNT.value,
        )
    ):
        net += -Decimal(qty) if from_id == line.location_id else Decimal(qty)
    return Decimal(line.book_qty) + net


def in_tolerance(
    abc: str,
    expected: Decimal,
    counted: Decimal,
    unit_cost: Decimal,
    settings: CountSettings | None = None,
) -> bool:
    """Within the class's percentage of the expected quantity and, when a value limit is set, not worth
    more than it (the limit applies to every class)."""
    rules = settings or CountSettings()
    variance = abs(counted - expected)
    if variance == 0:
        return True
    if rules.value_limit > 0 and variance * unit_cost > rules.value_limit:
        return False
    if expected == 0:
        return False
    return variance * 100 / abs(expected) <= rules.tolerance_pct(abc)


def _other_counter(s: Session, user_id: int) -> str | None:
    """The name of an active user, other than `user_id`, who may enter counts (None: nobody else)."""
    return s.scalar(
        select(User.display_name)
        .where(User.active, User.role.in_(COUNTER_ROLES), User.id != user_id)
        .order_by(User.display_name)
        .limit(1)
    )


def enter_count(
    db: Database,
    actor: Actor,
    session_id: int,
    location_code: str,
    part_number: str,
    qty: Decimal,
    lot: str | None = None,
    *,
    new_lot: bool = False,
    today: date | None = None,
) -> LineDTO:
    """Scan bin, scan part (and, for a tracked part, its lot), type the quantity. A part or lot the book
    did not expect there becomes a new line; a lot not on record is made only when `new_lot` confirms it
    (desktop.services.counts.lots)."""
    actor.require(Permission.COUNT)
    if qty < 0:
        raise UserError("A counted quantity cannot be negative.", field="qty")

    def op(s: Session) -> LineDTO:
        session = _open_session(s, session_id)
        loc = find_location_by_code(s, location_code)
        if loc is None:
            raise NotFound(f"No location {location_code.strip()}.", field="location")
        part = find_part_by_code(s, part_number)
        if part is None:
            raise NotFound(f"No part {part_number.strip()}.", field="part")
        check_qty_for_unit(qty, part.unit)
        if part.tracking == Tracking.SERIAL.value and qty > 1:
            raise UserError(
                f"{part.part_number} is tracked by serial number: a serial is one unit, count 1 or 0.",
                field="qty",
            )
        found = counted_lot(s, part, lot, new_lot=new_lot, today=today or date.today())
        lot_id = None if found is None else found.id
        line = s.scalar(
            select(CountLine).where(
                CountLine.session_id == session.id,
                CountLine.part_id == part.id,
                CountLine.location_id == loc.id,
                CountLine.lot_id.is_(None) if lot_id is None else CountLine.lot_id == lot_id,
            )
        )
        if line is None:
            line = CountLine(
                session_id=session.id,
                part_id=part.id,
                location_id=loc.id,
                lot_id=lot_id,
                book_qty=Decimal(0),
                added=True,
            )
            s.add(line)
            s.flush()
        if line.status in ("APPROVED", "REJECTED"):
            raise Conflict("This line is already decided.")
        if line.status == "RECOUNT" and line.counted_by_id == actor.user_id:
            other = _other_counter(s, actor.user_id)
            if other is not None:
                lot_text = "" if found is None else f" {found.lot_number}"
                raise Conflict(
                    f"You counted {part.part_number}{lot_text} in {loc.code} the first time: the recount "
                    f"must be done by another counter (for example {other}).",
                    field="part",
                )
        expected = _rolled_forward(s, session, line)
        settings = read_count_settings(s)
        ok = in_tolerance(part.abc_override or part.abc_class or "C", expected, qty, part.unit_cost, settings)
        if line.status == "RECOUNT":
            line.first_count_qty = line.counted_qty  # count 1 stays on record beside the recount
            line.recounted_by_id = actor.user_id
            line.status = "COUNTED"  # the recount stands, in or out of tolerance: the supervisor decides
        else:
            line.counted_by_id = actor.user_id
            line.status = "COUNTED" if ok else "RECOUNT"
        line.counted_qty, line.expected_qty, line.within_tolerance = qty, expected, ok
        s.flush()
        return _line_dto(s, line, blind=False)

    return db.write(op)


def _open_session(s: Session, session_id: int) -> CountSession:
    session = s.get(CountSession, session_id)
    if session is None:
        raise NotFound(f"Count session #{session_id} does not exist.")
    if session.status != "OPEN":
        raise Conflict(f"Count session {session.name} is closed.")
    return session


def _user_name(s: Session, user_id: int | None) -> str:
    user = s.get(User, user_id) if user_id is not None else None
    return user.display_name if user is not None else ""


def _line_dto(s: Session, line: CountLine, *, blind: bool) -> LineDTO:
    part = s.get(Part, line.part_id)
    loc = s.get(Location, line.location_id)
    lot = s.get(Lot, line.lot_id) if line.lot_id is not None else None
    assert part is not None and loc is not None
    # Blind until the count stands: a line waiting for its recount shows neither the book nor count 1,
    # or the recounter would only confirm one of them.
    recount = blind and line.status == "RECOUNT"
    hide = blind and (line.counted_qty is None or recount)
    counted = None if recount else line.counted_qty
    variance = (
        (counted - line.expected_qty) if counted is not None and line.expected_qty is not None else None
    )
    return LineDTO(
        line.id,
        part.part_number,
        part.description,
        part.unit,
        loc.code,
        loc.walk_order,
        None if hide else Decimal(line.book_qty),
        counted,
        variance,
        line.status,
        part.abc_override or part.abc_class or "C",
        line.added,
        expected_qty=None if blind else line.expected_qty,
        variance_value=None if variance is None else variance * part.unit_cost,
        counted_by=_user_name(s, line.counted_by_id),
        recounted_by=_user_name(s, line.recounted_by_id),
        note=line.note or "",
        first_count_qty=None if blind else line.first_count_qty,
        reason=line.reason or "",
        lot_number="" if lot is None else lot.lot_number,
        lot_code="" if lot is None else f"{LOT_PREFIX}{lot.id}",
        expires_on=None if lot is None else lot.expires_on,
    )


def session(db: Database, session_id: int, *, for_counter: bool = True) -> SessionDTO:
    """The lines in walk order; on a blind count the counter does not see the book quantities."""

    def op(s: Session) -> SessionDTO:
        sess = s.get(CountSession, session_id)
        if sess is None:
            raise NotFound(f"Count session #{session_id} does not exist.")
        lines = [
            _line_dto(s, line, blind=sess.blind and for_counter)
            for line in s.scalars(select(CountLine).where(CountLine.session_id == session_id))
        ]
        lines.sort(key=lambda x: (x.walk_order, x.location_code, x.part_number, x.lot_number))
        return SessionDTO(sess.id, sess.name, sess.status, sess.blind, tuple(lines))

    return db.read(op)


def open_sessions(db: Database) -> list[tuple[int, str]]:
    """(id, name) of every open session, oldest first, so any PC can carry on a count."""
    return db.read(
        lambda s: list(
            s.execute(
                select(CountSession.id, CountSession.name)
                .where(CountSession.status == "OPEN")
                .order_by(CountSession.id)
            ).tuples()
        )
    )


def sheet(db: Database, session_id: int, *, counter: str = "") -> tuple[SheetHeader, list[SheetLine]]:
    """The printable sheet of a session: grouped by area, in walk order (book shown only if not blind)."""

    def op(s: Session) -> tuple[SheetHeader, list[SheetLine]]:
        sess = s.get(CountSession, session_id)
        if sess is None:
            raise NotFound(f"Count session #{session_id} does not exist.")
        rows = s.execute(
            select(CountLine, Part, Location, Lot)
            .join(Part, Part.id == CountLine.part_id)
            .join(Location, Location.id == CountLine.location_id)
            .outerjoin(Lot, Lot.id == CountLine.lot_id)
            .where(CountLine.session_id == session_id)
        ).all()
        lines = []
        for line, part, loc, lot in rows:
            segments = loc.path.strip("/").split("/")
            area = segments[1] if len(segments) > 2 else segments[0]
            lines.append(
                (
                    area,
                    loc.walk_order,
                    loc.code,
                    part.number_key,
                    "" if lot is None else lot.lot_key,
                    SheetLine(
                        area,
                        loc.code,
                        location_payload(loc.code),
                        part.part_number,
                        part_payload(part.part_number, part.id),
                        part.description,
                        part.unit,
                        None if sess.blind else format_qty(Decimal(line.book_qty)),
                        line.reason or "",
                        lot=_sheet_lot(part, lot),
                    ),
                )
            )
        lines.sort(key=lambda t: (t[0], t[1], t[2], t[3], t[4]))
        started = as_utc(sess.started_at).astimezone().strftime("%Y-%m-%d %H:%M")
        header = SheetHeader(
            f"Cycle count: {sess.name}", f"CS-{sess.id}", started, counter or "_______________", sess.blind
        )
        return header, [t[5] for t in lines]

    return db.read(op)


def _sheet_lot(part: Part, lot: Lot | None) -> str:
    """'Lot H-1 · expires 2027-03-01' on a lot line of the sheet, so the counter writes per lot."""
    what = what_is_tracked(part.tracking)
    if lot is None:
        return "" if part.tracking == Tracking.NONE.value else f"no {what} on the book: write each one found"
    expiry = f" · expires {lot.expires_on.isoformat()}" if lot.expires_on else ""
    return f"{what.capitalize()} {lot.lot_number}{expiry}"
