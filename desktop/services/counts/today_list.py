"""Today's count list: today's share of the stored plan (`plan.deal` deals it first), the plan's overdue
lines and the event lines (count_events), in walk order, with where each line stands; a session of
today's lines; and the lines the plan as dealt puts on a day. Kept apart from `plan`, which deals and
levels the plan itself: this module only reads what was dealt and opens the count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import CountLine, CountPlanSlot, CountSession, Location, Part, StockBalance
from desktop.services.actor import Actor, Permission
from desktop.services.common import db_time
from desktop.services.counts.events import events
from desktop.services.counts.plan import _local_midnight, deal
from desktop.services.counts.sessions import open_session_in
from desktop.services.counts.settings import read_count_settings


@dataclass(frozen=True)
class TodayLine:
    part_id: int
    location_id: int
    location_code: str
    walk_order: int
    part_number: str
    description: str
    unit: str
    abc: str
    reasons: tuple[str, ...]
    session_id: int | None  # the open session it is in, or the session of today that counted it
    session_open: bool
    overdue_since: date | None = None  # the day of its oldest plan slot not counted in time

    @property
    def why(self) -> str:
        return " / ".join(self.reasons)

    @property
    def status(self) -> str:
        if self.session_id is None:
            return f"overdue since {self.overdue_since.isoformat()}" if self.overdue_since else "to count"
        return f"in count #{self.session_id}" if self.session_open else f"counted (#{self.session_id})"


@dataclass(frozen=True)
class TodayList:
    day: date
    working_day: bool
    planned: int
    events: int
    lines: tuple[TodayLine, ...]
    overdue: int = 0  # lines carried forward from days that passed without their count

    @property
    def to_count(self) -> list[TodayLine]:
        return [x for x in self.lines if x.session_id is None]


def _slots(
    s: Session, day: date
) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], tuple[date, int]]]:
    """Of the lines on the book: the plan's lines of `day` (-> frequency) and the overdue ones (-> the day
    of their oldest open slot, frequency)."""
    due_today: dict[tuple[int, int], int] = {}
    overdue: dict[tuple[int, int], tuple[date, int]] = {}
    for part_id, loc_id, due, f in s.execute(
        select(CountPlanSlot.part_id, CountPlanSlot.location_id, CountPlanSlot.due, CountPlanSlot.per_year)
        .join(
            StockBalance,
            (StockBalance.part_id == CountPlanSlot.part_id)
            & (StockBalance.location_id == CountPlanSlot.location_id),
        )
        .where(
            StockBalance.qty != 0,
            (CountPlanSlot.due == day) | ((CountPlanSlot.due < day) & CountPlanSlot.done_at.is_(None)),
        )
        .order_by(CountPlanSlot.due)
    ).tuples():
        key = (part_id, loc_id)
        if due == day:
            due_today[key] = f
        elif key not in overdue:
            overdue[key] = (due, f)
    return due_today, overdue


def _day_start(s: Session, day: date) -> datetime:
    """Local midnight of `day` as the database compares it."""
    return db_time(s, _local_midnight(day))


def _taken(s: Session, day: date) -> dict[tuple[int, int], tuple[int, bool]]:
    """Lines in an open session, or in one started today: (session id, still open) per (part, bin)."""
    rows = s.execute(
        select(CountLine.part_id, CountLine.location_id, CountSession.id, CountSession.status)
        .join(CountSession, CountSession.id == CountLine.session_id)
        .where((CountSession.status == "OPEN") | (CountSession.started_at >= _day_start(s, day)))
        .order_by(CountSession.id)
    ).tuples()
    return {(p, loc): (sid, status == "OPEN") for p, loc, sid, status in rows}


def _today(s: Session, day: date) -> TodayList:
    settings = read_count_settings(s)
    deal(s, settings, day)
    due_today, overdue = _slots(s, day)
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    for key, f in due_today.items():
        reasons[key].append(f"plan: {f} a year")
    for key, (since, f) in overdue.items():
        if key not in due_today:
            reasons[key].append(f"overdue: planned {since.isoformat()} ({f} a year)")
    found = events(s, settings)
    for event in found:
        reasons[(event.part_id, event.location_id)].append(event.reason)
    taken = _taken(s, day)
    fresh = {(e.part_id, e.location_id) for e in found}
    # the lines' parts and bins in two statements, not two lookups a line
    parts = {p.id: p for p in s.scalars(select(Part).where(Part.id.in_({k[0] for k in reasons})))}
    locations = {x.id: x for x in s.scalars(select(Location).where(Location.id.in_({k[1] for k in reasons})))}
    lines = []
    for (part_id, loc_id), why in reasons.items():
        part, loc = parts[part_id], locations[loc_id]
        sid, is_open = taken.get((part_id, loc_id), (None, False))
        if not is_open and (part_id, loc_id) in fresh:
            sid = None  # counted earlier today, but an event came after that count
        late = overdue.get((part_id, loc_id))
        lines.append(
            TodayLine(
                part_id,
                loc_id,
                loc.code,
                loc.walk_order,
                part.part_number,
                part.description,
                part.unit,
                part.abc_override or part.abc_class or "C",
                tuple(why),
                sid,
                is_open,
                late[0] if late and (part_id, loc_id) not in due_today else None,
            )
        )
    lines.sort(key=lambda x: (x.walk_order, x.location_code, x.part_number))
    return TodayList(
        day,
        settings.is_working_day(day),
        len(due_today),
        len(fresh),
        tuple(lines),
        sum(1 for x in lines if x.overdue_since is not None),
    )


def todays_list(db: Database, day: date | None = None) -> TodayList:
    """Today's share of the plan, the overdue lines and the event lines, in walk order, with where each
    line stands. Deals the plan to lines that have none yet (a write)."""
    return db.write(lambda s: _today(s, day or date.today()))


def start_today(db: Database, actor: Actor, *, day: date | None = None, blind: bool = True) -> int:
    """A session of today's lines not yet in a count. Keepers may start it (the plan is already made);
    choosing other locations to count stays with the planners."""
    if not actor.can(Permission.PLAN_COUNTS):
        actor.require(Permission.COUNT)
    when = day or date.today()

    def op(s: Session) -> int:
        today = _today(s, when)
        pairs = [(x.part_id, x.location_id) for x in today.to_count]
        why = {(x.part_id, x.location_id): x.why for x in today.to_count}
        if not pairs:
            raise UserError(
                f"Nothing left to count on {when.isoformat()}: every line of today's list is in a count."
                if today.lines
                else f"Nothing to count on {when.isoformat()}"
                + ("." if today.working_day else " (not a working day).")
            )
        return open_session_in(s, actor, f"Today {when.isoformat()}", blind, pairs, why).id

    return db.write(op)


def due_on(db: Database, day: date) -> list[tuple[int, int]]:
    """(part id, location id) the plan as dealt puts on `day` (no events, no overdue), in walk order."""

    def op(s: Session) -> list[tuple[int, int]]:
        rows = s.execute(
            select(CountPlanSlot.part_id, CountPlanSlot.location_id)
            .join(Location, Location.id == CountPlanSlot.location_id)
            .join(Part, Part.id == CountPlanSlot.part_id)
            .where(CountPlanSlot.due == day)
            .order_by(Location.walk_order, Location.code, Part.number_key)
        ).tuples()
        return [(p, loc) for p, loc in rows]

    return db.read(op)
