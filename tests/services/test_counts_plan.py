"""Count settings, the levelled plan, today's list with the event rules, recount by another counter."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import Conflict, PermissionDenied, UserError
from desktop.models.enums import MoveKind, Role
from desktop.services.actor import Actor
from desktop.services.admin import audit
from desktop.services.admin.users import ensure_user
from desktop.services.counts import approval as count_approval
from desktop.services.counts import ira as count_ira
from desktop.services.counts import plan as count_plan
from desktop.services.counts import sessions as counts
from desktop.services.counts import today_list
from desktop.services.counts.abc import pareto, set_override
from desktop.services.counts.plan import PlanItem, level, working_days
from desktop.services.counts.settings import (
    CountSettings,
    count_settings,
    parse_holidays,
    save_count_settings,
)
from desktop.services.stock import balance_check
from desktop.services.stock import issue as stock_issue
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, receive

# 2025 has 261 weekdays; these 11 make it 250 working days
HOLIDAYS_2025 = parse_holidays(
    "2025-01-01 2025-04-18 2025-04-21 2025-05-01 2025-05-29 2025-06-09 "
    "2025-07-14 2025-08-15 2025-11-11 2025-12-25 2025-12-26"
)


def _items(n_a: int, n_b: int, n_c: int) -> list[PlanItem]:
    freq = [12] * n_a + [4] * n_b + [1] * n_c
    return [PlanItem(i, 1000 + i, (i * 7 % 97, f"B-{i:04}", f"P{i}"), f) for i, f in enumerate(freq)]


def test_working_days_skip_weekends_and_holidays() -> None:
    settings = CountSettings(holidays=HOLIDAYS_2025)
    days = working_days(settings, 2025)
    assert len(days) == 250
    assert date(2025, 12, 25) not in days and date(2025, 1, 4) not in days  # holiday, Saturday
    assert all(d.isoweekday() <= 5 for d in days)
    six = working_days(replace(settings, workdays=(1, 2, 3, 4, 5, 6)), 2025)
    assert date(2025, 1, 4) in six and len(six) == 250 + 52  # 52 Saturdays, none of them a holiday


@pytest.mark.parametrize(("n_a", "n_b", "n_c"), [(100, 300, 1000), (7, 0, 3), (0, 0, 251), (40, 123, 2222)])
def test_levelling_on_a_known_set(n_a: int, n_b: int, n_c: int) -> None:
    days = working_days(CountSettings(holidays=HOLIDAYS_2025), 2025)
    items = _items(n_a, n_b, n_c)
    plan = level(items, days)
    assert set(plan) == set(days)  # no weekend, no holiday
    loads = [len(v) for v in plan.values()]
    total = 12 * n_a + 4 * n_b + n_c
    groups = sum(1 for n in (n_a, n_b, n_c) if n) - 1
    assert sum(loads) == total
    assert max(loads) - min(loads) <= 1  # levelled: every day within one line of the others
    assert min(loads) == total // 250
    when: dict[int, list[int]] = {i.part_id: [] for i in items}
    for n, day in enumerate(days):
        for item in plan[day]:
            when[item.part_id].append(n)
    for item in items:
        got = when[item.part_id]
        assert len(got) == item.per_year and len(set(got)) == item.per_year  # never twice the same day
        gaps = [b - a for a, b in itertools.pairwise(got)]
        ideal = 250 / item.per_year
        # spread evenly: off by at most a day, plus one slot (250 / total days) per other frequency
        slack = 1 + groups * 250 / total
        assert all(abs(g - ideal) <= slack for g in gaps), (item, gaps)
    for day in days:  # a day's list is in walk order
        assert plan[day] == sorted(plan[day], key=lambda i: (i.walk, i.part_id, i.location_id))


def test_levelling_is_deterministic_and_caps_at_one_a_day() -> None:
    days = working_days(CountSettings(), 2026)
    items = _items(30, 50, 200)
    shuffled = items[:]
    random.Random(4).shuffle(shuffled)
    assert level(items, days) == level(shuffled, days)
    daily = [PlanItem(1, 1, (0, "X", "X"), 1000)]
    assert all(len(v) == 1 for v in level(daily, days).values())


def test_settings_round_trip_audit_and_permission(db: Database, admin: Actor) -> None:
    assert count_settings(db) == CountSettings()
    wanted = CountSettings(
        a_pct=Decimal(70),
        b_pct=Decimal(20),
        per_year_critical=12,
        tolerance_b=Decimal("2.5"),
        value_limit=Decimal(0),
        workdays=(1, 2, 3, 4, 5, 6),
        holidays=(date(2025, 12, 25), date(2026, 1, 1), date(2025, 1, 1)),
    )
    saved = save_count_settings(db, admin, wanted)
    assert saved == replace(wanted, holidays=(date(2025, 1, 1), date(2025, 12, 25), date(2026, 1, 1)))
    assert count_settings(db) == saved and saved.c_pct == 10
    assert saved.per_year("C", "CRITICAL") == 12 and saved.per_year("C", "LOW") == 1
    save_count_settings(db, admin, replace(saved, holidays=(date(2026, 1, 1),)))
    assert count_settings(db).holidays == (date(2026, 1, 1),)  # the 2025 holidays are gone
    trail = [
        r.summary for r in audit.audit_trail(db, admin, include_stock=False) if r.action == "settings.counts"
    ]
    assert any("a_pct: 80 -> 70" in t for t in trail) and any("holidays:" in t for t in trail)
    keeper = ensure_user(db, "kim", role=Role.KEEPER)
    with pytest.raises(PermissionDenied):
        save_count_settings(db, keeper, saved)
    with pytest.raises(UserError, match="A \\+ B at most 100"):
        save_count_settings(db, admin, replace(saved, b_pct=Decimal(40)))
    with pytest.raises(UserError, match="weekday"):
        save_count_settings(db, admin, replace(saved, workdays=()))
    with pytest.raises(UserError, match="'2025-13-01' is not a date"):
        parse_holidays("2025-12-25, 2025-13-01")


def test_tolerance_from_the_settings(db: Database, admin: Actor) -> None:
    loose = CountSettings(tolerance_c=Decimal(10), value_limit=Decimal(0))
    assert counts.in_tolerance("C", Decimal(100), Decimal(91), Decimal(100), loose)  # no value limit
    assert not counts.in_tolerance("C", Decimal(100), Decimal(91), Decimal(100))  # defaults: 900 > 50
    tree = make_tree(db, admin)
    bolt = make_part(db, admin, "BOLT", unit_cost=Decimal(1))
    receive(db, admin, bolt.id, tree["A-01-01"].id, "100")
    sid = counts.start_session(db, admin, "bins", [tree["A-01-01"].id])
    save_count_settings(db, admin, replace(CountSettings(), tolerance_c=Decimal(8)))
    assert counts.enter_count(db, admin, sid, "A-01-01", "BOLT", Decimal(93)).status == "COUNTED"  # 7 %
    save_count_settings(db, admin, replace(CountSettings(), tolerance_c=Decimal(5)))
    sid2 = counts.start_session(db, admin, "again", [tree["A-01-01"].id])
    assert counts.enter_count(db, admin, sid2, "A-01-01", "BOLT", Decimal(93)).status == "RECOUNT"


def _reasons(db: Database, part_id: int, loc_id: int) -> tuple[str, ...]:
    found = [x for x in today_list.todays_list(db).lines if (x.part_id, x.location_id) == (part_id, loc_id)]
    return found[0].reasons if found else ()


def test_event_rules_zero_bin_and_short_issue(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    a, b = tree["A-01-01"].id, tree["A-01-02"].id
    # workdays none of today's: the plan is empty, only events are listed
    off = [d for d in range(1, 8) if d != date.today().isoweekday()]
    save_count_settings(db, admin, CountSettings(workdays=tuple(off)))
    emptied = make_part(db, admin, "EMPTIED")
    moved = make_part(db, admin, "MOVED")
    refilled = make_part(db, admin, "REFILLED")
    kept = make_part(db, admin, "KEPT")
    short = make_part(db, admin, "SHORT")
    for p in (emptied, moved, refilled, kept, short):
        receive(db, admin, p.id, a, "5")
    post_move(db, admin, MoveRequest(MoveKind.ISSUE, emptied.id, Decimal(5), from_location_id=a))
    post_move(
        db, admin, MoveRequest(MoveKind.TRANSFER, moved.id, Decimal(5), from_location_id=a, to_location_id=b)
    )
    post_move(db, admin, MoveRequest(MoveKind.ISSUE, refilled.id, Decimal(5), from_location_id=a))
    receive(db, admin, refilled.id, a, "3")
    post_move(db, admin, MoveRequest(MoveKind.ISSUE, kept.id, Decimal(4), from_location_id=a))  # 1 left
    stock_issue.issue_short(db, admin, short.id, a, Decimal(8), reference="WO-1")  # hands over 5 of 8
    today = today_list.todays_list(db)
    assert not today.working_day and today.planned == 0
    assert _reasons(db, emptied.id, a)[0].startswith("left empty by issue")
    assert _reasons(db, moved.id, a)[0].startswith("left empty by transfer")
    assert _reasons(db, moved.id, b) == ()  # the transfer filled b
    assert _reasons(db, refilled.id, a)[0].startswith("left empty by issue")  # it was empty once
    assert _reasons(db, kept.id, a) == ()
    why = " / ".join(_reasons(db, short.id, a))
    assert "short issue" in why and "asked 8, got 5" in why and "left empty by issue" in why
    assert [x.location_code for x in today.lines] == sorted(x.location_code for x in today.lines)
    # counted: off the list; a later event puts the line back
    sid = today_list.start_today(db, admin)
    assert {x.status for x in today_list.todays_list(db).lines} == {f"in count #{sid}"}
    with pytest.raises(UserError, match="Nothing left to count"):
        today_list.start_today(db, admin)
    counts.enter_count(db, admin, sid, "A-01-01", "REFILLED", Decimal(3))
    count_approval.approve(db, admin, sid)  # the others: counted as zero (and they are)
    assert today_list.todays_list(db).lines == ()  # counted since the events: off the list
    receive(db, admin, emptied.id, a, "2")
    post_move(db, admin, MoveRequest(MoveKind.ISSUE, emptied.id, Decimal(2), from_location_id=a))
    again = [x for x in today_list.todays_list(db).lines if x.part_number == "EMPTIED"]
    assert len(again) == 1 and again[0].status == "to count"
    assert balance_check.check_balances(db, admin) == []


def test_plan_puts_each_line_on_its_day_and_today_starts_a_session(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    save_count_settings(db, admin, CountSettings(workdays=(1, 2, 3, 4, 5, 6, 7)))  # every day works
    fast = make_part(db, admin, "FAST")
    assert set_override(db, admin, "p-fast", "A") == "A"
    spare = make_part(db, admin, "SPARE", criticality="CRITICAL")  # class C, raised to 4 a year
    slow = make_part(db, admin, "SLOW")
    for p in (fast, spare, slow):
        receive(db, admin, p.id, tree["A-01-01"].id, "5")
    year = date.today().year
    summary = count_plan.plan_summary(db, year, today=date(year, 1, 1))  # dealt on New Year's Day
    days = 366 if year % 4 == 0 else 365
    assert (summary.lines, summary.counts, summary.working_days) == (3, 12 + 4 + 1, days)
    assert (summary.per_day_min, summary.per_day_max) == (0, 1)
    due: dict[int, int] = {}
    day = date(year, 1, 1)
    while day.year == year:
        for part_id, _loc in today_list.due_on(db, day):
            due[part_id] = due.get(part_id, 0) + 1
        day += timedelta(days=1)
    assert due == {fast.id: 12, spare.id: 4, slow.id: 1}
    first = next(
        d for d in (date(year, 1, 1) + timedelta(days=n) for n in range(days)) if today_list.due_on(db, d)
    )
    listed = today_list.todays_list(db, first)
    assert listed.planned == 1 and listed.lines[0].reasons[0].startswith("plan:")
    sid = today_list.start_today(db, admin, day=first, blind=True)
    lines = counts.session(db, sid).lines
    assert len(lines) == 1 and lines[0].book_qty is None  # blind
    assert lines[0].reason == listed.lines[0].reasons[0]  # why it is counted travels with the line
    assert counts.sheet(db, sid)[1][0].reason == lines[0].reason  # and onto the printed sheet


def test_keepers_start_todays_list_but_not_other_counts(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    part = make_part(db, admin, "GONE")
    receive(db, admin, part.id, tree["A-01-01"].id, "1")
    post_move(
        db, admin, MoveRequest(MoveKind.ISSUE, part.id, Decimal(1), from_location_id=tree["A-01-01"].id)
    )
    keeper = ensure_user(db, "kim", role=Role.KEEPER)
    viewer = ensure_user(db, "val", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        counts.start_session(db, keeper, "mine", [tree["R01"].id])
    with pytest.raises(PermissionDenied):
        today_list.start_today(db, viewer)
    assert today_list.start_today(db, keeper) > 0


def test_recount_by_another_counter(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    nut = make_part(db, admin, "NUT", unit_cost=Decimal(1))
    receive(db, admin, nut.id, tree["A-01-01"].id, "50")
    kim = ensure_user(db, "kim", role=Role.KEEPER)
    sid = counts.start_session(db, admin, "rack", [tree["R01"].id])
    assert counts.enter_count(db, kim, sid, "A-01-01", "NUT", Decimal(40)).status == "RECOUNT"
    with pytest.raises(Conflict, match="recount must be done by another counter"):
        counts.enter_count(db, kim, sid, "A-01-01", "NUT", Decimal(40))  # admin can count too
    line = counts.enter_count(db, admin, sid, "A-01-01", "NUT", Decimal(41))
    assert (line.status, line.counted_by, line.recounted_by, line.same_counter) == (
        "COUNTED",
        "kim",
        "admin",
        False,
    )


def test_a_lone_counter_may_recount_and_it_shows(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    nut = make_part(db, admin, "NUT", unit_cost=Decimal(1))
    receive(db, admin, nut.id, tree["A-01-01"].id, "50")
    sid = counts.start_session(db, admin, "rack", [tree["R01"].id])
    ensure_user(db, "val", role=Role.VIEWER)  # may not count: does not block the recount
    counts.enter_count(db, admin, sid, "A-01-01", "NUT", Decimal(40))
    line = counts.enter_count(db, admin, sid, "A-01-01", "NUT", Decimal(40))
    assert line.status == "COUNTED" and line.same_counter


def test_reject_a_line_waiting_for_recount_and_ira_by_period_and_area(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    a = tree["A-01-01"].id
    bolt = make_part(db, admin, "BOLT", unit_cost=Decimal(2))
    nut = make_part(db, admin, "NUT", unit_cost=Decimal(1))
    receive(db, admin, bolt.id, a, "10")
    receive(db, admin, nut.id, a, "10")
    sid = counts.start_session(db, admin, "rack", [tree["R01"].id])
    counts.enter_count(db, admin, sid, "A-01-01", "BOLT", Decimal(9))
    counts.enter_count(db, admin, sid, "A-01-01", "BOLT", Decimal(9))  # recount (a lone counter)
    counts.enter_count(db, admin, sid, "A-01-01", "NUT", Decimal(3))  # waits for a recount
    nut_line = next(x for x in counts.session(db, sid).lines if x.part_number == "NUT")
    with pytest.raises(UserError, match="reason"):
        count_approval.approve(db, admin, sid, reject={nut_line.id: ""})
    assert count_approval.approve(db, admin, sid, reject={nut_line.id: "bin mixed up with A-01-02"}) == 1
    decided = {x.part_number: x for x in counts.session(db, sid, for_counter=False).lines}
    assert decided["NUT"].status == "REJECTED" and decided["NUT"].note == "bin mixed up with A-01-02"
    assert stock.balance(db, nut.id, a) == 10 and stock.balance(db, bolt.id, a) == 9
    by_area = count_ira.ira(db, by="area")
    assert list(by_area) == ["PLANT/STORES"] and by_area["PLANT/STORES"].adjustment_value == 2
    month = date.today().strftime("%Y-%m")
    by_month = count_ira.ira(db, by="month")
    assert list(by_month) == [month] and (by_month[month].counted, by_month[month].within) == (1, 0)
    assert count_ira.total(by_month).ira_pct == 0


def test_pareto_curve_and_cut_lines(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    for n, value in enumerate([500, 300, 100, 60, 40]):
        p = make_part(db, admin, f"P{n}", unit_cost=Decimal(value))
        receive(db, admin, p.id, tree["A-01-01"].id, "1")
        post_move(
            db, admin, MoveRequest(MoveKind.ISSUE, p.id, Decimal(1), from_location_id=tree["A-01-01"].id)
        )
    make_part(db, admin, "IDLE")
    got = pareto(db)
    assert got.parts_by_class == {"A": 2, "B": 2, "C": 2} and got.total_value == 1000
    assert got.points[0] == (0.0, 0.0) and got.points[-1] == (100.0, 100.0)
    assert [round(y) for _x, y in got.points] == [0, 50, 80, 90, 96, 100, 100]
    assert got.cut_at_parts("A") == pytest.approx(100 * 2 / 6) and got.cut_at_parts("B") == pytest.approx(
        100 * 4 / 6
    )
