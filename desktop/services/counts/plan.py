"""The count plan: every bin/part line counted `per_year` times a year (by class, raised for critical
spares), spread evenly over the year's working days and levelled so every day has about the same number
of lines; plus the event rules (count_events). Today's list is today's share of the plan, the plan's
overdue lines and the events, in walk order (built in `today_list`, which reads what this module deals).

The plan is stored and stable: a line's count dates are dealt once and then kept (count_plan_slot).
- The year's first plan deals every line on the book `per_year` times over all the year's working days,
  levelled exactly (below). Made during the year (the first plan after the upgrade that brought the
  stored plan), its days already past are kept as settled, as the plan computed before had them.
- A line that reaches the book later takes future days only (from tomorrow): its k counts, k in
  proportion to the days left, one in each k-th of the rest of the year, on that stretch's least-loaded
  day. A batch of more than NEW_LINES_LEVELLED new lines is levelled among itself the same way as the year.
- A line whose frequency changes (class, criticality, settings) keeps its past and has its future re-dealt.
- A line that leaves the book keeps its slots (they are not listed while it holds nothing); it gets them
  back if it returns.
- A slot is done when the line is counted in a count started on or after the slot's day. A slot whose day
  has passed without that is overdue: it stays on today's list, shown as overdue, until the line is
  counted. Nothing is ever dealt to a day already past.

Levelling: line i of a frequency group of n lines (in walk order, rank r) wants its k-th count at the
point (k + r/n) / f of the stretch; all the wanted points, sorted, are dealt out to the W working days in
turn (the j-th of N goes to day floor(j * W / N)), so a day gets floor(N/W) or ceil(N/W) lines, the
counts of one line stay about W/f working days apart, and a day's lines of a group lie together in the
walk (a keeper counts a stretch of aisle, not bins all over the store).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, delete, exists, func, insert, select, text, tuple_, update
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import CountLine, CountPlanSlot, CountSession, Location, Part, StockBalance, StockMove
from desktop.services.admin.plant_settings import store_setting, stored_settings
from desktop.services.common import as_utc
from desktop.services.counts.settings import CRITICAL, CountSettings, read_count_settings


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


def _frequency(settings: CountSettings) -> ColumnElement[int]:
    """`settings.per_year` as SQL, so the database finds the lines whose frequency changed."""
    cls = func.coalesce(func.nullif(Part.abc_override, ""), func.nullif(Part.abc_class, ""), "C")
    base = case(
        (cls == "A", settings.per_year_a), (cls == "B", settings.per_year_b), else_=settings.per_year_c
    )
    raised = case((base < settings.per_year_critical, settings.per_year_critical), else_=base)
    return case((Part.criticality.in_(CRITICAL), raised), else_=base)


def _on_book(*extra: ColumnElement[Any]) -> Select[Any]:
    """Every line on the book (a balance other than zero) of an active part in an active location:
    (part, location, walk order, location code, part number key, frequency, *extra)."""
    return (
        select(
            StockBalance.part_id,
            StockBalance.location_id,
            Location.walk_order,
            Location.code,
            Part.number_key,
            Part.abc_override,
            Part.abc_class,
            Part.criticality,
            *extra,
        )
        .join(Part, Part.id == StockBalance.part_id)
        .join(Location, Location.id == StockBalance.location_id)
        .where(StockBalance.qty != 0, Part.active, Location.active)
    )


def _item(settings: CountSettings, row: Sequence[Any]) -> PlanItem:
    pid, lid, walk, code, key, override, abc, crit = row[:8]
    return PlanItem(pid, lid, (walk, code, key), settings.per_year(override or abc or "C", crit))


def plan_items(s: Session, settings: CountSettings) -> list[PlanItem]:
    """Every line on the book (see `_on_book`) with its frequency. Core rows, not ORM ones: the year's
    first deal reads every line (110,000 on the plant: 0.4 s instead of 2 s)."""
    return [_item(settings, row) for row in s.connection().execute(_on_book())]


def lines_to_deal(
    s: Session, settings: CountSettings, year: int, *, since: int | None = None
) -> list[tuple[PlanItem, int | None]]:
    """Lines on the book with no slot in `year` (-> None) or whose slots there were dealt for another
    frequency (-> that frequency). A re-deal rewrites the frequency of all the line's slots of the year,
    so a line needs nothing exactly when it has a slot of the year at its frequency: one anti-join per
    line through the unique (part, location, due) index, and the database, not Python, reads the book."""
    first, last = _year_bounds(year)
    same_line = (CountPlanSlot.part_id == StockBalance.part_id) & (
        CountPlanSlot.location_id == StockBalance.location_id
    )
    in_year = CountPlanSlot.due.between(first, last)
    freq = _frequency(settings)
    dealt = select(func.max(CountPlanSlot.per_year)).where(same_line, in_year).scalar_subquery()
    needs = ~exists().where(same_line, in_year, CountPlanSlot.per_year == freq)
    stmt = _on_book(dealt.label("dealt")).where(needs)
    if since is not None:  # only lines a move since the last deal put stock into can be new
        # the moves since then in id order (a range of the ledger's key; filtering on the destination
        # instead made the database walk its index of destinations: 140 ms on the plant)
        moved = s.execute(
            select(StockMove.part_id, StockMove.to_location_id)
            .where(StockMove.id > since)
            .order_by(StockMove.id)
            .limit(_TOUCHED_MAX + 1)
        ).all()
        touched = {(part_id, to) for part_id, to in moved if to is not None}
        if len(moved) <= _TOUCHED_MAX:  # else (an import) the whole book is checked
            if not touched:
                return []
            line = tuple_(StockBalance.part_id, StockBalance.location_id)
            part_ids = {part_id for part_id, _ in touched}  # lets the database start from the balance index
            stmt = stmt.where(StockBalance.part_id.in_(part_ids), line.in_(sorted(touched)))
    rows = s.connection().execute(stmt)
    return [(_item(settings, row), row[8]) for row in rows]


# --- the stored plan -------------------------------------------------------------------------------------

NEW_LINES_LEVELLED = 2_000  # a bigger batch of new lines is levelled among itself (greedy is O(lines x days))
_PLAN_LOCK = 170_613  # PostgreSQL advisory lock key: one PC deals the plan at a time
_CALENDAR_KEY = "counts.plan.calendar"  # the calendar the stored plan follows (a fingerprint)
_DEALT_KEY = "counts.dealt"  # what the last deal saw (`_inputs`): the same again, nothing to deal
_TOUCHED_MAX = 5_000  # more lines touched since the last deal (an import): check the whole book


def share(per_year: int, days_left: int, days_in_year: int) -> int:
    """Counts a line gets over `days_left` of the year's working days: its frequency in proportion, at
    least one, at most one a day."""
    if days_left <= 0 or days_in_year <= 0:
        return 0
    f = min(per_year, days_in_year)
    return min(days_left, max(1, math.ceil(f * days_left / days_in_year - 1e-9)))


def spread(k: int, days: Sequence[date], loads: dict[date, int]) -> list[date]:
    """k days for one line: the least-loaded day (the earliest of equals) of each k-th of `days`."""
    n, out = len(days), []
    for j in range(k):
        stretch = days[j * n // k : (j + 1) * n // k]
        best = min(stretch, key=lambda d: loads.get(d, 0))
        loads[best] = loads.get(best, 0) + 1
        out.append(best)
    return out


def _lock(s: Session) -> None:
    if s.get_bind().dialect.name == "postgresql":  # SQLite writers already queue (BEGIN IMMEDIATE)
        s.execute(text(f"SELECT pg_advisory_xact_lock({_PLAN_LOCK})"))


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _loads(s: Session, after: date, last: date) -> dict[date, int]:
    """Slots per day after `after` of lines on the book now (the load a new line is levelled against)."""
    rows = s.execute(
        select(CountPlanSlot.due, func.count())
        .join(
            StockBalance,
            (StockBalance.part_id == CountPlanSlot.part_id)
            & (StockBalance.location_id == CountPlanSlot.location_id),
        )
        .where(CountPlanSlot.due > after, CountPlanSlot.due <= last, StockBalance.qty != 0)
        .group_by(CountPlanSlot.due)
    ).tuples()
    return {d: n for d, n in rows}


def _insert(s: Session, rows: list[dict[str, object]]) -> None:
    for at in range(0, len(rows), 5_000):
        s.execute(insert(CountPlanSlot), rows[at : at + 5_000])


def _slot(item: PlanItem, due: date, today: date) -> dict[str, object]:
    return {
        "part_id": item.part_id,
        "location_id": item.location_id,
        "due": due,
        "per_year": item.per_year,
        "dealt_on": today,
        "done_at": None,
    }


def _deal_levelled(
    items: Sequence[PlanItem], days: Sequence[date], year_days: int, today: date
) -> list[dict[str, object]]:
    scaled = [replace(i, per_year=share(i.per_year, len(days), year_days)) for i in items]
    by_key = {(i.part_id, i.location_id): i for i in items}
    return [
        _slot(by_key[(x.part_id, x.location_id)], day, today)
        for day, on_day in level(scaled, days).items()
        for x in on_day
    ]


def _first_deal(items: Sequence[PlanItem], year_days: list[date], today: date) -> list[dict[str, object]]:
    """The year's plan levelled over all its working days. Days already past (a first plan made during the
    year, as after the upgrade that brought the stored plan) are kept as settled: the plan computed before
    had the lines on those same days, and they are not dealt again, so the rest of the year keeps its
    usual load instead of every line crowding into the weeks left."""
    rows = _deal_levelled(items, year_days, len(year_days), today)
    begun = _local_midnight(today)
    for row in rows:
        due = row["due"]
        assert isinstance(due, date)
        if due < today:
            row["dealt_on"], row["done_at"] = due, begun
    return rows


def deal(s: Session, settings: CountSettings, today: date) -> None:
    """Give every line on the book its slots of `today`'s year (see the module), inside the caller's
    transaction, and mark the slots a count has covered."""
    _lock(s)
    year_days = working_days(settings, today.year)
    _follow_calendar(s, settings, today, year_days)
    if year_days:
        first, last = _year_bounds(today.year)
        now = _inputs(s, settings, today.year)
        before = stored_settings(s, _DEALT_KEY).get(_DEALT_KEY, "")
        if s.scalar(select(CountPlanSlot.id).where(CountPlanSlot.due.between(first, last)).limit(1)) is None:
            items = plan_items(s, settings)
            if items:
                _insert(s, _first_deal(items, year_days, today))
        elif before != now:
            since = _moves_since(before, now)
            _deal_later(s, lines_to_deal(s, settings, today.year, since=since), year_days, today)
        store_setting(s, _DEALT_KEY, now)
    _mark_done(s, today)


def _inputs(s: Session, settings: CountSettings, year: int) -> str:
    """What the plan's lines and frequencies depend on, in one statement: the year and the settings, the
    ledger's last move (a line reaches the book only by a move), and checksums of the parts' frequencies
    and active flags and of the active locations. The same text as at the last deal: nothing to deal."""
    weight = _frequency(settings) * case((Part.active, 1), else_=0)
    parts = func.coalesce(func.sum(Part.id * weight), 0)
    # a second, differently weighted sum: two reclassified parts cannot cancel each other out in both
    parts_2 = func.coalesce(func.sum((Part.id * Part.id) % 1_000_003 * weight), 0)
    places = func.coalesce(func.sum(case((Location.active, Location.id), else_=0)), 0)
    row = s.execute(
        select(
            select(func.coalesce(func.max(StockMove.id), 0)).scalar_subquery(),
            select(parts).scalar_subquery(),
            select(parts_2).scalar_subquery(),
            select(places).scalar_subquery(),
        )
    ).one()
    rules = hashlib.sha1(repr(settings).encode(), usedforsecurity=False).hexdigest()[:16]
    return f"{year}|{rules}|{row[1]}|{row[2]}|{row[3]}|move {row[0]}"  # fits a setting (200 characters)


def _moves_since(before: str, now: str) -> int | None:
    """The last deal's move when only moves came since (their lines are the only candidates), else None."""
    old, _, old_move = before.rpartition("|move ")
    new, _, _ = now.rpartition("|move ")
    return int(old_move) if old == new and old_move.isdigit() else None


def _follow_calendar(s: Session, settings: CountSettings, today: date, year_days: list[date]) -> None:
    """After the working days or holidays change: a future slot on a day that no longer works moves to the
    next working day on which its line has none (dropped if the year has none left)."""
    mark = hashlib.sha1(
        f"{settings.workdays}|{settings.holidays}".encode(), usedforsecurity=False
    ).hexdigest()
    if stored_settings(s, _CALENDAR_KEY).get(_CALENDAR_KEY) == mark:
        return
    rows = s.execute(
        select(CountPlanSlot.id, CountPlanSlot.part_id, CountPlanSlot.location_id, CountPlanSlot.due).where(
            CountPlanSlot.due >= today, CountPlanSlot.done_at.is_(None)
        )
    ).tuples()
    taken: dict[tuple[int, int], set[date]] = defaultdict(set)
    off = []
    for slot_id, part_id, loc_id, due in rows:
        taken[(part_id, loc_id)].add(due)
        if not settings.is_working_day(due):
            off.append((slot_id, (part_id, loc_id), due))
    for slot_id, line, due in off:
        later = [d for d in year_days if d > due and d not in taken[line]] if due.year == today.year else []
        if later:
            s.execute(update(CountPlanSlot).where(CountPlanSlot.id == slot_id).values(due=later[0]))
            taken[line].add(later[0])
        else:
            s.execute(delete(CountPlanSlot).where(CountPlanSlot.id == slot_id))
    store_setting(s, _CALENDAR_KEY, mark)


def _deal_later(
    s: Session, lines: list[tuple[PlanItem, int | None]], year_days: list[date], today: date
) -> None:
    """New lines and lines with a new frequency (`lines_to_deal`), into the days after today."""
    future = [d for d in year_days if d > today]
    fresh = [i for i, dealt in lines if dealt is None]
    moved = [i for i, dealt in lines if dealt is not None]
    if not future or not (fresh or moved):
        return
    first, last = _year_bounds(today.year)
    line = tuple_(CountPlanSlot.part_id, CountPlanSlot.location_id)
    by_freq: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for item in moved:
        by_freq[item.per_year].append((item.part_id, item.location_id))
    for f, keys in by_freq.items():  # the past stays as it was; the future follows the new frequency
        for at in range(0, len(keys), 500):
            chunk = line.in_(keys[at : at + 500])
            s.execute(
                delete(CountPlanSlot).where(chunk, CountPlanSlot.due > today, CountPlanSlot.done_at.is_(None))
            )
            s.execute(
                update(CountPlanSlot).where(chunk, CountPlanSlot.due.between(first, last)).values(per_year=f)
            )
    todo = sorted(fresh + moved, key=lambda i: (i.walk, i.part_id, i.location_id))
    if len(todo) > NEW_LINES_LEVELLED:
        _insert(s, _deal_levelled(todo, future, len(year_days), today))
        return
    loads = _loads(s, today, last)
    rows = []
    for item in todo:
        k = share(item.per_year, len(future), len(year_days))
        rows += [_slot(item, day, today) for day in spread(k, future, loads)]
    _insert(s, rows)


def _mark_done(s: Session, today: date) -> None:
    """Slots up to today that a count started on or after their day has covered."""
    rows = s.execute(
        select(CountPlanSlot.id, CountPlanSlot.due, func.max(CountSession.started_at))
        .join(
            CountLine,
            (CountLine.part_id == CountPlanSlot.part_id)
            & (CountLine.location_id == CountPlanSlot.location_id),
        )
        .join(CountSession, CountSession.id == CountLine.session_id)
        .where(
            CountPlanSlot.done_at.is_(None), CountPlanSlot.due <= today, CountLine.counted_qty.is_not(None)
        )
        .group_by(CountPlanSlot.id, CountPlanSlot.due)
    ).tuples()
    done = [
        {"id": slot_id, "done_at": at}
        for slot_id, due, at in rows
        if at is not None and as_utc(at) >= _local_midnight(due)
    ]
    if done:
        s.execute(update(CountPlanSlot), done)


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


@dataclass(frozen=True)
class PlanSummary:
    year: int
    working_days: int
    lines: int  # bin/part lines on the plan
    counts: int  # line counts a year (lines x their frequency)
    per_day_min: int
    per_day_max: int
    by_class: dict[str, int]  # lines per class (after the critical-spare raise, by frequency)


def plan_summary(db: Database, year: int, *, today: date | None = None) -> PlanSummary:
    """The year's plan: as dealt (this year's is dealt first if need be), or a preview for a year not yet
    dealt (each line on the book at its full frequency, levelled)."""
    when = today or date.today()

    def op(s: Session) -> PlanSummary:
        settings = read_count_settings(s)
        if year == when.year:
            deal(s, settings, when)
        days = working_days(settings, year)
        first, last = _year_bounds(year)
        stored = s.execute(
            select(
                CountPlanSlot.part_id, CountPlanSlot.location_id, CountPlanSlot.due, CountPlanSlot.per_year
            ).where(CountPlanSlot.due.between(first, last))
        ).tuples()
        per_line: dict[tuple[int, int], int] = {}
        per_day: dict[date, int] = defaultdict(int)
        for part_id, loc_id, due, f in stored:
            per_line[(part_id, loc_id)] = f
            per_day[due] += 1
        n_slots = sum(per_day.values())
        if not per_line:  # not dealt: what dealing it at the start of the year would give
            items = plan_items(s, settings)
            per_line = {(i.part_id, i.location_id): i.per_year for i in items}
            per_day = {d: len(v) for d, v in level(items, days).items()}
            n_slots = sum(per_day.values())
        loads = [per_day.get(d, 0) for d in days] or [0]
        by_freq: dict[int, int] = defaultdict(int)
        for f in per_line.values():
            by_freq[f] += 1
        return PlanSummary(
            year,
            len(days),
            len(per_line),
            n_slots,
            min(loads),
            max(loads),
            {f"{f} a year": n for f, n in sorted(by_freq.items(), reverse=True)},
        )

    return db.write(op)
