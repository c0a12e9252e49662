"""Cycle counting: ABC classes from usage value, count sessions, blind entry, tolerance, approval, IRA.

ABC: 12 months of issues valued at the cost they left at; parts sorted by value; the top 80 % of the
value is A, the next 15 % B, the rest C (thresholds configurable; a manual override on the part wins).
A session copies the book (every balance in the chosen bins: a count lists every expected item, so an
item not found counts as zero) and remembers the ledger's highest id. A counted line is compared with the
book rolled forward by the moves posted since the snapshot, so moves during the count do not show as
variances. Out of tolerance -> recount (by another counter where possible). Approval posts COUNT moves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from desktop.codes import location_payload, part_payload
from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import CountLine, CountSession, Location, Part, StockBalance, StockMove
from desktop.models.enums import MoveKind
from desktop.quantities import format_qty
from desktop.reports.count_sheet import SheetHeader, SheetLine
from desktop.services.actor import Actor, Permission
from desktop.services.audit import record
from desktop.services.common import as_utc, db_time
from desktop.services.ledger_sql import consumed_qty
from desktop.services.locations import within
from desktop.services.stock import MoveRequest, post_in
from desktop.services.units import check_qty_for_unit

TOLERANCE_PCT = {"A": Decimal(0), "B": Decimal(2), "C": Decimal(5)}
VALUE_LIMIT = Decimal(50)  # an absolute variance value above this is out of tolerance whatever the class


# --- ABC ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AbcRow:
    part_id: int
    part_number: str
    usage_value: Decimal
    cumulative_pct: Decimal
    computed: str
    override: str | None

    @property
    def abc(self) -> str:
        return self.override or self.computed


def abc_classes(
    values: list[tuple[int, Decimal]], a_pct: Decimal = Decimal(80), b_pct: Decimal = Decimal(15)
) -> dict[int, tuple[str, Decimal]]:
    """Class and cumulative % per part id: a part is A while the value before it is under a_pct of the
    total (so the part that crosses the line is still A), B up to a_pct + b_pct, C after."""
    total = sum((v for _p, v in values), Decimal(0))
    out: dict[int, tuple[str, Decimal]] = {}
    running = Decimal(0)
    for part_id, value in sorted(values, key=lambda pv: (-pv[1], pv[0])):
        before = running * 100 / total if total else Decimal(100)
        running += value
        cumulative = running * 100 / total if total else Decimal(100)
        cls = "A" if before < a_pct and value > 0 else ("B" if before < a_pct + b_pct and value > 0 else "C")
        out[part_id] = (cls, cumulative.quantize(Decimal("0.01")))
    return out


def _check_abc(a_pct: Decimal, b_pct: Decimal) -> None:
    if not (0 < a_pct < 100 and b_pct >= 0 and a_pct + b_pct <= 100):
        raise UserError("Thresholds: A between 0 and 100 %, and A + B at most 100 %.")


def abc_rows(
    s: Session, *, a_pct: Decimal = Decimal(80), b_pct: Decimal = Decimal(15), months: int = 12
) -> tuple[list[AbcRow], dict[int, Part]]:
    """The Pareto of the last `months` of issue value (returns and reversals netted), largest first;
    nothing is written."""
    since = datetime.now(UTC) - timedelta(days=round(months * 30.44))
    cutoff = db_time(s, since)
    used = dict(
        s.execute(
            select(StockMove.part_id, func.sum(consumed_qty() * func.coalesce(StockMove.unit_cost, 0)))
            .where(StockMove.kind == MoveKind.ISSUE.value, StockMove.at >= cutoff)
            .group_by(StockMove.part_id)
        )
        .tuples()
        .all()
    )
    parts = list(s.scalars(select(Part).where(Part.active)))
    values = [(p.id, max(Decimal(used.get(p.id) or 0), Decimal(0))) for p in parts]
    classes = abc_classes(values, a_pct, b_pct)
    by_id = {p.id: p for p in parts}
    rows = [
        AbcRow(pid, by_id[pid].part_number, value, classes[pid][1], classes[pid][0], by_id[pid].abc_override)
        for pid, value in values
    ]
    rows.sort(key=lambda r: (-r.usage_value, r.part_number))
    return rows, by_id


def classify(
    db: Database,
    actor: Actor,
    *,
    a_pct: Decimal = Decimal(80),
    b_pct: Decimal = Decimal(15),
    months: int = 12,
) -> list[AbcRow]:
    """Recompute every part's ABC class from the last `months` of issues; returns the Pareto rows."""
    actor.require(Permission.PLAN_COUNTS)
    _check_abc(a_pct, b_pct)

    def op(s: Session) -> list[AbcRow]:
        rows, by_id = abc_rows(s, a_pct=a_pct, b_pct=b_pct, months=months)
        for row in rows:
            by_id[row.part_id].abc_class = row.computed
        record(
            s,
            actor.user_id,
            "counts.classify",
            "part",
            None,
            f"ABC over {months} months: A {a_pct} %, B {b_pct} %",
        )
        return rows

    return db.write(op)


# --- sessions -------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class SessionDTO:
    id: int
    name: str
    status: str
    blind: bool
    lines: tuple[LineDTO, ...]


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
        session = CountSession(
            name=(name.strip() or "Cycle count")[:80],
            blind=blind,
            started_by_id=actor.user_id,
            snapshot_move_id=s.scalar(select(func.coalesce(func.max(StockMove.id), 0))) or 0,
        )
        s.add(session)
        s.flush()
        for part_id, loc_id, qty in s.execute(
            select(StockBalance.part_id, StockBalance.location_id, StockBalance.qty).where(
                StockBalance.location_id.in_(inside), StockBalance.qty != 0
            )
        ):
            s.add(CountLine(session_id=session.id, part_id=part_id, location_id=loc_id, book_qty=qty))
        s.flush()
        record(s, actor.user_id, "counts.start", "count_session", session.id, f"started {session.name}")
        return session.id

    return db.write(op)


def _rolled_forward(s: Session, session: CountSession, line: CountLine) -> Decimal:
    """The book at the snapshot plus every move of this part in this bin posted since."""
    net = Decimal(0)
    for from_id, qty in s.execute(
        select(StockMove.from_location_id, StockMove.qty).where(
            StockMove.id > session.snapshot_move_id,
            StockMove.part_id == line.part_id,
            or_(StockMove.from_location_id == line.location_id, StockMove.to_location_id == line.location_id),
            StockMove.kind != MoveKind.COUNT.value,
        )
    ):
        net += -Decimal(qty) if from_id == line.location_id else Decimal(qty)
    return Decimal(line.book_qty) + net


def in_tolerance(
    abc: str, expected: Decimal, counted: Decimal, unit_cost: Decimal, *, value_limit: Decimal = VALUE_LIMIT
) -> bool:
    """Within the class's percentage of the expected quantity and under the absolute value limit."""
    variance = abs(counted - expected)
    if variance == 0:
        return True
    if variance * unit_cost > value_limit:
        return False
    if expected == 0:
        return False
    return variance * 100 / abs(expected) <= TOLERANCE_PCT.get(abc, TOLERANCE_PCT["C"])


def enter_count(
    db: Database, actor: Actor, session_id: int, location_code: str, part_number: str, qty: Decimal
) -> LineDTO:
    """Scan bin, scan part, type the quantity. A part the book did not expect there becomes a new line."""
    actor.require(Permission.COUNT)
    if qty < 0:
        raise UserError("A counted quantity cannot be negative.", field="qty")

    def op(s: Session) -> LineDTO:
        session = _open_session(s, session_id)
        loc = s.scalar(
            select(Location).where(Location.code == location_code.strip().upper().removeprefix("L-"))
        )
        if loc is None:
            raise NotFound(f"No location {location_code.strip()}.", field="location")
        key = part_number.strip().upper().removeprefix("P-")
        part = s.scalar(select(Part).where(Part.number_key == key))
        if part is None:
            raise NotFound(f"No part {part_number.strip()}.", field="part")
        check_qty_for_unit(qty, part.unit)
        line = s.scalar(
            select(CountLine).where(
                CountLine.session_id == session.id,
                CountLine.part_id == part.id,
                CountLine.location_id == loc.id,
            )
        )
        if line is None:
            line = CountLine(
                session_id=session.id, part_id=part.id, location_id=loc.id, book_qty=Decimal(0), added=True
            )
            s.add(line)
            s.flush()
        if line.status in ("APPROVED", "REJECTED"):
            raise Conflict("This line is already decided.")
        expected = _rolled_forward(s, session, line)
        ok = in_tolerance(part.abc_override or part.abc_class or "C", expected, qty, part.unit_cost)
        if line.status == "RECOUNT":
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


def _line_dto(s: Session, line: CountLine, *, blind: bool) -> LineDTO:
    part = s.get(Part, line.part_id)
    loc = s.get(Location, line.location_id)
    assert part is not None and loc is not None
    hide = blind and line.counted_qty is None
    variance = (
        (line.counted_qty - line.expected_qty)
        if line.counted_qty is not None and line.expected_qty is not None
        else None
    )
    return LineDTO(
        line.id,
        part.part_number,
        part.description,
        part.unit,
        loc.code,
        loc.walk_order,
        None if hide else Decimal(line.book_qty),
        line.counted_qty,
        variance,
        line.status,
        part.abc_override or part.abc_class or "C",
        line.added,
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
        lines.sort(key=lambda x: (x.walk_order, x.location_code, x.part_number))
        return SessionDTO(sess.id, sess.name, sess.status, sess.blind, tuple(lines))

    return db.read(op)


def approve(db: Database, actor: Actor, session_id: int, *, reject: dict[int, str] | None = None) -> int:
    """Post COUNT moves for every counted line with a variance (rejected lines with a reason post nothing);
    the session closes. Returns the number of moves posted."""
    actor.require(Permission.APPROVE_COUNTS)
    rejected = reject or {}

    def op(s: Session) -> int:
        sess = _open_session(s, session_id)
        lines = list(s.scalars(select(CountLine).where(CountLine.session_id == sess.id)))
        waiting = [line for line in lines if line.status == "RECOUNT"]
        if waiting:
            raise Conflict(f"{len(waiting)} line(s) wait for a recount before approval.")
        posted = 0
        for line in lines:
            if line.id in rejected:
                if not rejected[line.id].strip():
                    raise UserError("Give a reason for each rejected line.")
                line.status, line.note = "REJECTED", rejected[line.id].strip()[:200]
                continue
            if line.status == "OPEN":  # not found in the bin: counted as zero
                line.expected_qty = _rolled_forward(s, sess, line)
                line.counted_qty = Decimal(0)
            assert line.counted_qty is not None and line.expected_qty is not None
            variance = Decimal(line.counted_qty) - Decimal(line.expected_qty)
            if variance != 0:
                result = post_in(
                    s,
                    actor,
                    MoveRequest(
                        MoveKind.COUNT,
                        line.part_id,
                        abs(variance),
                        from_location_id=line.location_id if variance < 0 else None,
                        to_location_id=line.location_id if variance > 0 else None,
                        reason=f"cycle count {sess.name}: counted {format_qty(Decimal(line.counted_qty))}",
                        reference=f"COUNT-{sess.id}",
                    ),
                )
                line.move_id = result.move.id
                posted += 1
            line.status = "APPROVED"
        sess.status = "CLOSED"
        record(
            s,
            actor.user_id,
            "counts.approve",
            "count_session",
            sess.id,
            f"{sess.name}: {posted} adjustment(s), {len(rejected)} rejected",
        )
        return posted

    return db.write(op)


@dataclass(frozen=True)
class Ira:
    counted: int
    within: int
    adjustment_value: Decimal

    @property
    def ira_pct(self) -> Decimal:
        return (
            (Decimal(self.within) * 100 / self.counted).quantize(Decimal("0.1"))
            if self.counted
            else Decimal(0)
        )


def line_accurate(line: CountLine) -> bool:
    """A decided line counts as accurate for the IRA when it was within tolerance or exact."""
    variance = abs(Decimal(line.counted_qty or 0) - Decimal(line.expected_qty or 0))
    return bool(line.within_tolerance) or variance == 0


def ira(db: Database, *, by: str = "class", since: datetime | None = None) -> dict[str, Ira]:
    """Inventory record accuracy of decided lines, by class or by area: within tolerance / counted."""
    if by not in ("class", "area"):
        raise UserError("IRA is grouped by class or by area.")

    def op(s: Session) -> dict[str, Ira]:
        stmt = (
            select(CountLine, Part, Location.path)
            .join(Part, Part.id == CountLine.part_id)
            .join(Location, Location.id == CountLine.location_id)
            .where(CountLine.status == "APPROVED", CountLine.counted_qty.is_not(None))
        )
        if since is not None:
            stmt = stmt.where(CountLine.updated_at >= since)
        groups: dict[str, list[tuple[bool, Decimal]]] = defaultdict(list)
        for line, part, path in s.execute(stmt):
            key = (
                (part.abc_override or part.abc_class or "C")
                if by == "class"
                else "/".join(path.split("/")[:2])
            )
            variance = abs(Decimal(line.counted_qty) - Decimal(line.expected_qty or 0))
            groups[key].append((line_accurate(line), variance * part.unit_cost))
        return {
            k: Ira(len(v), sum(1 for ok, _v in v if ok), sum((val for _ok, val in v), Decimal(0)))
            for k, v in sorted(groups.items())
        }

    return db.read(op)


def sheet(db: Database, session_id: int, *, counter: str = "") -> tuple[SheetHeader, list[SheetLine]]:
    """The printable sheet of a session: grouped by area, in walk order (book shown only if not blind)."""

    def op(s: Session) -> tuple[SheetHeader, list[SheetLine]]:
        sess = s.get(CountSession, session_id)
        if sess is None:
            raise NotFound(f"Count session #{session_id} does not exist.")
        rows = s.execute(
            select(CountLine, Part, Location)
            .join(Part, Part.id == CountLine.part_id)
            .join(Location, Location.id == CountLine.location_id)
            .where(CountLine.session_id == session_id)
        ).all()
        lines = []
        for line, part, loc in rows:
            segments = loc.path.strip("/").split("/")
            area = segments[1] if len(segments) > 2 else segments[0]
            lines.append(
                (
                    area,
                    loc.walk_order,
                    loc.code,
                    part.number_key,
                    SheetLine(
                        area,
                        loc.code,
                        location_payload(loc.code),
                        part.part_number,
                        part_payload(part.part_number, part.id),
                        part.description,
                        part.unit,
                        None if sess.blind else format_qty(Decimal(line.book_qty)),
                    ),
                )
            )
        lines.sort(key=lambda t: (t[0], t[1], t[2], t[3]))
        started = as_utc(sess.started_at).astimezone().strftime("%Y-%m-%d %H:%M")
        header = SheetHeader(
            f"Cycle count: {sess.name}", f"CS-{sess.id}", started, counter or "_______________", sess.blind
        )
        return header, [t[4] for t in lines]

    return db.read(op)
