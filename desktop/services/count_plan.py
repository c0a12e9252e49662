"""The count plan: every bin/part line counted `per_year` times a year (by class, raised for critical
spares), spread evenly over the year and levelled over the working days so every day has the same number
of lines, give or take one; plus the event rules (count_events). Today's list is today's share of the
plan plus the events, in walk order.

The plan is computed, not stored: it follows the stock as it is (a new line joins it at once) and the
settings (calendar, frequencies), and the same data always gives the same plan.

Levelling: line i of a frequency group of n lines (in walk order, rank r) wants its k-th count at the
point (k + r/n) / f of the year; all the wanted points, sorted, are dealt out to the W working days in
turn (the j-th of N goes to day floor(j * W / N)), so a day gets floor(N/W) or ceil(N/W) lines, the
counts of one line stay about W/f working days apart, and a day's lines of a group lie together in the
walk (a keeper counts a stretch of aisle, not bins all over the store).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import CountLine, CountSession, Location, Part, StockBalance
from desktop.services.actor import Actor, Permission
from desktop.services.common import db_time
from desktop.services.count_events import events
from desktop.services.count_settings import CountSettings, read_count_settings
from desktop.services.counts import open_session_in


@dataclass(frozen=True)
class PlanItem:
    part_id: int
    location_id: int
    walk: tuple[int, str, str]  # walk order, location code, part number: the order a counter walks
    per_year: int


def working_days(settings: CountSettings, year: int) -> list[date]:
    day, out = date(year, 1, 1), []
    while day.year == year:
        if settings.is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def level(items: Sequence[PlanItem], days: Sequence[date]) -> dict[date, list[PlanItem]]:
    """Each item `per_year` times (at most once a day), spread evenly and levelled (see the module)."""
    out: dict[date, list[PlanItem]] = {d: [] for d in days}
    if not days or not items:
        return out
    width = len(days)
    # one walk rank per item: the sort keys below are plain numbers (125,000 counts level in a blink)
    ordered = sorted(items, key=lambda i: (i.walk, i.part_id, i.location_id))
    groups: dict[int, list[int]] = defaultdict(list)
    for rank, item in enumerate(ordered):
        groups[min(item.per_year, width)].append(rank)
    wanted: list[tuple[float, int]] = []
    for f, ranks in groups.items():
        n = len(ranks)
        wanted += [((k + r / n) / f, rank) for r, rank in enumerate(ranks) for k in range(f)]
    wanted.sort()
    total = len(wanted)
    buckets: list[list[int]] = [[] for _ in days]
    for j, (_point, rank) in enumerate(wanted):
        buckets[j * width // total].append(rank)
    for day, bucket in zip(days, buckets, strict=True):
        out[day] = [ordered[rank] for rank in sorted(bucket)]
    return out


def plan_items(s: Session, settings: CountSettings) -> list[PlanItem]:
    """Every line on the book (a balance other than zero) of an active part in an active location."""
    rows = s.execute(
        select(
            StockBalance.part_id,
            StockBalance.location_id,
            Location.walk_order,
            Location.code,
            Part.number_key,
            Part.abc_override,
            Part.abc_class,
            Part.criticality,
        )
        .join(Part, Part.id == StockBalance.part_id)
        .join(Location, Location.id == StockBalance.location_id)
        .where(StockBalance.qty != 0, Part.active, Location.active)
    ).tuples()
    return [
        PlanItem(pid, lid, (walk, code, key), settings.per_year(override or abc or "C", crit))
        for pid, lid, walk, code, key, override, abc, crit in rows
    ]


@dataclass(frozen=True)
class PlanSummary:
    year: int
    working_days: int
    lines: int  # bin/part lines on the plan
    counts: int  # line counts a year (lines x their frequency)
    per_day_min: int
    per_day_max: int
    by_class: dict[str, int]  # lines per class (after the critical-spare raise, by frequency)


def plan_summary(db: Database, year: int) -> PlanSummary:
    def op(s: Session) -> PlanSummary:
        settings = read_count_settings(s)
        items = plan_items(s, settings)
        days = working_days(settings, year)
        loads = [len(v) for v in level(items, days).values()] or [0]
        by_freq: dict[int, int] = defaultdict(int)
        for item in items:
            by_freq[item.per_year] += 1
        return PlanSummary(
            year,
            len(days),
            len(items),
            sum(min(i.per_year, len(days)) for i in items) if days else 0,
            min(loads),
            max(loads),
            {f"{f} a year": n for f, n in sorted(by_freq.items(), reverse=True)},
        )

    return db.read(op)


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

    @property
    def why(self) -> str:
        return " / ".join(self.reasons)

    @property
    def status(self) -> str:
        if self.session_id is None:
            return "to count"
        return f"in count #{self.session_id}" if self.session_open else f"counted (#{self.session_id})"


@dataclass(frozen=True)
class TodayList:
    day: date
    working_day: bool
    planned: int
    events: int
    lines: tuple[TodayLine, ...]

    @property
    def to_count(self) -> list[TodayLine]:
        return [x for x in self.lines if x.session_id is None]


def _planned(s: Session, settings: CountSettings, day: date) -> list[PlanItem]:
    if not settings.is_working_day(day):
        return []
    return level(plan_items(s, settings), working_days(settings, day.year))[day]


def _day_start(s: Session, day: date) -> datetime:
    """Local midnight of `day` as the database compares it."""
    return db_time(s, datetime.combine(day, time()).astimezone().astimezone(UTC))


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
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    for item in _planned(s, settings, day):
        reasons[(item.part_id, item.location_id)].append(f"plan: {item.per_year} a year")
    found = events(s, settings)
    for event in found:
        reasons[(event.part_id, event.location_id)].append(event.reason)
    taken = _taken(s, day)
    fresh = {(e.part_id, e.location_id) for e in found}
    lines = []
    for (part_id, loc_id), why in reasons.items():
        part, loc = s.get(Part, part_id), s.get(Location, loc_id)
        assert part is not None and loc is not None
        sid, is_open = taken.get((part_id, loc_id), (None, False))
        if not is_open and (part_id, loc_id) in fresh:
            sid = None  # counted earlier today, but an event came after that count
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
            )
        )
    lines.sort(key=lambda x: (x.walk_order, x.location_code, x.part_number))
    planned_n = sum(1 for why in reasons.values() if why[0].startswith("plan:"))
    return TodayList(
        day,
        settings.is_working_day(day),
        planned_n,
        len(fresh),
        tuple(lines),
    )


def todays_list(db: Database, day: date | None = None) -> TodayList:
    """Today's share of the plan plus the event lines, in walk order, with where each line stands."""
    return db.read(lambda s: _today(s, day or date.today()))


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
    """(part id, location id) the plan alone puts on `day` (no events), in walk order."""

    return db.read(lambda s: [(i.part_id, i.location_id) for i in _planned(s, read_count_settings(s), day)])
