"""The count plan is dealt once and kept (issue 17, defect 6): receipts of new lines do not move the count
dates of the lines already planned, new lines take future days, missed days come back as overdue, and a
year of daily counting with lines arriving and leaving counts every line of the whole year exactly its
frequency, never on a day already past."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update

from desktop.db import Database
from desktop.models import CountPlanSlot, CountSession, Location, Part
from desktop.models.enums import MoveKind
from desktop.services.actor import Actor
from desktop.services.counts import approval as count_approval
from desktop.services.counts import plan as count_plan
from desktop.services.counts import sessions as counts
from desktop.services.counts import today_list
from desktop.services.counts.abc import set_override
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, receive

YEAR = 2027


def _year_plan(db: Database, year: int = YEAR) -> dict[tuple[int, int], list[date]]:
    """Every line's planned days of the year, as the plan answers day by day."""
    out: dict[tuple[int, int], list[date]] = defaultdict(list)
    day = date(year, 1, 1)
    while day.year == year:
        for line in today_list.due_on(db, day):
            out[line].append(day)
        day += timedelta(days=1)
    return dict(out)


def _count_day(db: Database, admin: Actor, day: date) -> list[counts.LineDTO]:
    """Count today's list as a keeper would (every line as the book says), approve it, and date the count
    on `day` (test arrangement: the app stamps counts at server time)."""
    sid = today_list.start_today(db, admin, day=day, blind=False)
    lines = counts.session(db, sid, for_counter=False).lines
    for line in lines:
        counts.enter_count(db, admin, sid, line.location_code, line.part_number, line.book_qty or Decimal(0))
    count_approval.approve(db, admin, sid)
    noon = datetime.combine(day, time(12)).astimezone().astimezone(UTC)
    value = noon.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else noon
    db.write(lambda s: s.execute(update(CountSession).where(CountSession.id == sid).values(started_at=value)))
    return list(lines)


def test_receipts_of_new_lines_leave_the_dealt_plan_alone(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    for n in range(30):  # 30 C lines, each counted once a year
        part = make_part(db, admin, f"OLD-{n:02d}")
        receive(db, admin, part.id, tree["A-01-02"].id, "5")
    day = date(YEAR, 3, 1)
    today_list.todays_list(db, day)  # the year's plan is dealt
    before = _year_plan(db)
    assert len(before) == 30 and all(len(v) == 1 for v in before.values())  # the year levelled
    new_ids = []
    for n in range(30):  # 30 receipts into the first bin of the walk
        part = make_part(db, admin, f"NEW-{n:02d}")
        new_ids.append(part.id)
        receive(db, admin, part.id, tree["A-01-01"].id, "2")
    next_day = day + timedelta(days=1)
    today_list.todays_list(db, next_day)
    after = _year_plan(db)
    assert {k: v for k, v in after.items() if k in before} == before  # no count of the year moved
    fresh = {k: v for k, v in after.items() if k[0] in new_ids}
    assert len(fresh) == 30 and all(len(v) == 1 and v[0] > next_day for v in fresh.values())


def test_a_known_part_moved_into_a_new_bin_gets_its_counts_and_nothing_else_moves(
    db: Database, admin: Actor
) -> None:
    """No new part, no new class: only moves came since the last deal, so only the lines those moves
    filled are looked at (the quick path) — and the one that reached the book is dealt."""
    tree = make_tree(db, admin)
    parts = [make_part(db, admin, f"KNOWN-{n:02d}") for n in range(10)]
    for part in parts:
        receive(db, admin, part.id, tree["A-01-02"].id, "5")
    day = date(YEAR, 3, 1)
    today_list.todays_list(db, day)
    before = _year_plan(db)
    post_move(  # a move out: no line reaches the book
        db, admin, MoveRequest(MoveKind.ISSUE, parts[1].id, Decimal(1), from_location_id=tree["A-01-02"].id)
    )
    today_list.todays_list(db, day)
    assert _year_plan(db) == before
    receive(db, admin, parts[0].id, tree["A-01-01"].id, "2")  # a known part into a bin it was never in
    next_day = day + timedelta(days=1)
    today_list.todays_list(db, next_day)
    after = _year_plan(db)
    assert {k: v for k, v in after.items() if k in before} == before
    new_line = after.get((parts[0].id, tree["A-01-01"].id), [])
    assert len(new_line) == 1 and new_line[0] > next_day


def test_a_missed_day_comes_back_as_overdue(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    part = make_part(db, admin, "FAST")
    set_override(db, admin, "FAST", "A")
    receive(db, admin, part.id, tree["A-01-01"].id, "7")
    today_list.todays_list(db, date(YEAR, 1, 1))
    days = _year_plan(db)[(part.id, tree["A-01-01"].id)]
    assert len(days) == 12
    assert _count_day(db, admin, days[0])  # counted on its first day
    missed = days[1]  # nobody counts on its second
    after = missed + timedelta(days=1)
    while after.isoweekday() > 5:
        after += timedelta(days=1)
    listed = today_list.todays_list(db, after)
    (line,) = listed.lines
    assert listed.overdue == 1 and line.overdue_since == missed
    assert line.status == f"overdue since {missed.isoformat()}"
    assert line.reasons[0] == f"overdue: planned {missed.isoformat()} (12 a year)"
    assert _count_day(db, admin, after)  # counted a day late
    assert today_list.todays_list(db, after + timedelta(days=1)).lines == ()  # the slot is done
    assert _year_plan(db)[(part.id, tree["A-01-01"].id)] == days  # and no date moved


def test_a_year_of_counting_with_lines_arriving_and_leaving(db: Database, admin: Actor) -> None:
    """Every working day one line arrives and one that arrived earlier leaves; every 25th working day nobody
    counts. Lines that existed all year: each counted exactly its frequency. (On PostgreSQL the first
    quarter: each line that existed all along counted exactly on its planned days of the quarter.)"""
    end = date(YEAR, 12, 31) if db.engine.dialect.name == "sqlite" else date(YEAR, 3, 31)
    tree = make_tree(db, admin)
    bins = [tree["A-01-01"].id, tree["A-01-02"].id]
    codes = {tree["A-01-01"].id: "A-01-01", tree["A-01-02"].id: "A-01-02"}
    whole_year: dict[tuple[str, str], int] = {}
    classes = ["A"] * 20 + ["B"] * 40 + ["C"] * 1000
    for n, cls in enumerate(classes):
        part = make_part(db, admin, f"Y{n:04d}")
        if cls != "C":
            set_override(db, admin, part.part_number, cls)
        receive(db, admin, part.id, bins[n % 2], "3")
        whole_year[(part.part_number, codes[bins[n % 2]])] = {"A": 12, "B": 4, "C": 1}[cls]
    planned_counts: Counter[tuple[str, str]] = Counter()
    churn: list[tuple[int, int]] = []
    day, working, arrived = date(YEAR, 1, 1), 0, 0
    while day <= end:
        if day.isoweekday() <= 5:
            working += 1
            part = make_part(db, admin, f"NEW{arrived:04d}")  # a new line reaches the book
            arrived += 1
            receive(db, admin, part.id, bins[arrived % 2], "1")
            churn.append((part.id, bins[arrived % 2]))
            if len(churn) > 10:  # and one that came earlier is used up
                gone_part, gone_bin = churn.pop(0)
                post_move(
                    db, admin, MoveRequest(MoveKind.ISSUE, gone_part, Decimal(1), from_location_id=gone_bin)
                )
            if working % 25 != 0:  # a missed day now and then
                for line in _count_day(db, admin, day):
                    if line.reason and line.reason.split(":")[0] in ("plan", "overdue"):
                        planned_counts[(line.part_number, line.location_code)] += 1
        day += timedelta(days=1)
    if end.month != 12:  # the quarter: as many counts as the plan dealt each line in it
        numbers = db.read(
            lambda s: (
                s.execute(
                    select(Part.part_number, Location.code, func.count())
                    .select_from(CountPlanSlot)
                    .join(Part, Part.id == CountPlanSlot.part_id)
                    .join(Location, Location.id == CountPlanSlot.location_id)
                    .where(CountPlanSlot.due <= end)
                    .group_by(Part.part_number, Location.code)
                )
                .tuples()
                .all()
            )
        )
        whole_year = {(pn, code): n for pn, code, n in numbers if (pn, code) in whole_year}
    counted = {k: planned_counts[k] for k in whole_year}
    wrong = {k: (v, whole_year[k]) for k, v in counted.items() if v != whole_year[k]}
    assert wrong == {}, f"{len(wrong)} lines counted other than their frequency"
    slots = db.read(lambda s: s.execute(select(CountPlanSlot.due, CountPlanSlot.dealt_on)).tuples().all())
    assert all(due >= dealt for due, dealt in slots)  # nothing was ever dealt to a day already past
    assert max(n for n in planned_counts.values()) == max(whole_year.values())  # no line beyond class A


def test_a_new_class_or_calendar_moves_only_the_days_ahead(db: Database, admin: Actor) -> None:
    from dataclasses import replace

    from desktop.services.counts.settings import count_settings, save_count_settings

    tree = make_tree(db, admin)
    part = make_part(db, admin, "RISER")
    line = (part.id, tree["A-01-01"].id)
    receive(db, admin, part.id, tree["A-01-01"].id, "9")
    set_override(db, admin, "RISER", "B")  # 4 a year
    today_list.todays_list(db, date(YEAR, 1, 1))
    b_days = _year_plan(db)[line]
    assert len(b_days) == 4
    _count_day(db, admin, b_days[0])
    set_override(db, admin, "RISER", "A")  # from 1 July: 12 a year, in proportion for the half left
    mid = date(YEAR, 7, 1)
    today_list.todays_list(db, mid)
    a_days = _year_plan(db)[line]
    kept = [d for d in b_days if d <= mid]
    assert a_days[: len(kept)] == kept  # the past stays as it was
    ahead = [d for d in a_days if d > mid]
    # 131 of the year's 261 working days are left: ceil(12 x 131 / 261) = 7 counts, none before tomorrow
    assert len(ahead) == count_plan.share(12, 131, 261) == 7 and min(ahead) > mid
    holiday = ahead[0]
    save_count_settings(db, admin, replace(count_settings(db), holidays=(holiday,)))
    today_list.todays_list(db, mid)
    moved = [d for d in _year_plan(db)[line] if d > mid]
    assert holiday not in moved and len(moved) == len(ahead) and moved[0] > holiday
