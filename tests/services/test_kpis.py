"""KPI formulas on worked examples, and the whole KPI set from a ledger laid out over three months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import PermissionDenied, UserError
from desktop.models import ShortIssue, StockMove
from desktop.models.enums import MoveKind, Role
from desktop.services.actor import Actor
from desktop.services.admin.plant_settings import Planning, planning, save_planning
from desktop.services.admin.users import ensure_user
from desktop.services.counts import approval as count_approval
from desktop.services.counts import sessions as counts
from desktop.services.insight import kpis, stock_figures
from desktop.services.insight.valuation import months_between, valuation
from desktop.services.stock.history import reverse_move
from desktop.services.stock.issue import issue_short
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, receive


def test_formulas_on_worked_examples() -> None:
    # 1,000 consumed over 73 days (a fifth of a year) on 500 average stock: 5,000 a year / 500 = 10 turns
    assert kpis.turnover(Decimal(1000), Decimal(500), 73) == 10
    assert kpis.turnover(Decimal(1000), Decimal(0), 73) is None
    # 400 in stock, 1,000 consumed over 50 days = 20 a day: 20 days of supply
    assert kpis.days_of_supply(Decimal(400), Decimal(1000), 50) == 20
    assert kpis.days_of_supply(Decimal(400), Decimal(0), 50) is None
    assert kpis.fill_rate(47, 50) == 94
    assert kpis.fill_rate(0, 0) is None
    assert kpis.carrying_cost(Decimal(600), Decimal("0.25")) == 150
    assert kpis.ira_pct(19, 20) == 95
    # above the maximum, above 180 days of demand, and nothing judged without demand or maximum
    assert stock_figures.excess_qty(Decimal(50), Decimal(20), Decimal(0), 180) == 30
    assert stock_figures.excess_qty(Decimal(50), None, Decimal("0.2"), 180) == 14
    assert stock_figures.excess_qty(Decimal(30), None, Decimal("0.2"), 180) == 0
    assert stock_figures.excess_qty(Decimal(50), None, Decimal(0), 180) == 0
    assert kpis.month_keys(date(2026, 2, 10), 3) == ["2025-12", "2026-01", "2026-02"]
    months = months_between(date(2024, 2, 1), date(2026, 3, 15))
    assert (months[0].key, months[0].days, months[-1].key, months[-1].days) == ("2024-02", 29, "2026-03", 15)
    with pytest.raises(UserError, match="period"):
        kpis.month_keys(date(2026, 2, 10), 0)


def _at(db: Database, model: type[StockMove] | type[ShortIssue], row_id: int, when: datetime) -> None:
    """Test arrangement only: place a ledger row in the past (the app never back-dates)."""
    value = when.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else when

    def op(s: Session) -> None:
        s.execute(update(model).where(model.id == row_id).values(at=value))

    db.write(op)


def test_kpis_over_three_months(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    bin1, bin2 = tree["A-01-01"].id, tree["A-01-02"].id
    p = make_part(db, admin, "P-1", unit_cost=Decimal(10))
    q = make_part(db, admin, "Q-1", unit_cost=Decimal(2), max_qty=Decimal(20))

    def issue(part_id: int, qty: int) -> int:
        return post_move(db, admin, MoveRequest(MoveKind.ISSUE, part_id, Decimal(qty), bin1)).move.id

    _at(db, StockMove, receive(db, admin, p.id, bin1, "100").move.id, datetime(2025, 12, 20, tzinfo=UTC))
    _at(db, StockMove, issue(p.id, 30), datetime(2026, 1, 10, tzinfo=UTC))
    _at(db, StockMove, receive(db, admin, q.id, bin1, "50").move.id, datetime(2026, 2, 5, tzinfo=UTC))
    _at(db, StockMove, issue(p.id, 20), datetime(2026, 2, 10, tzinfo=UTC))
    mistake = issue(p.id, 5)
    _at(db, StockMove, mistake, datetime(2026, 2, 11, tzinfo=UTC))
    _at(
        db,
        StockMove,
        reverse_move(db, admin, mistake, "wrong part").move.id,
        datetime(2026, 2, 11, tzinfo=UTC),
    )
    short = issue_short(db, admin, p.id, bin1, Decimal(60), reference="WO-7")
    assert (short.issued, short.short) == (50, 10)
    assert short.posted is not None
    _at(db, StockMove, short.posted.move.id, datetime(2026, 3, 1, tzinfo=UTC))
    empty = issue_short(db, admin, q.id, bin2, Decimal(5))
    assert empty.issued == 0 and empty.posted is None
    shorts = db.read(lambda s: [r.id for r in s.query(ShortIssue).order_by(ShortIssue.id)])
    for row_id, day in zip(shorts, (1, 2), strict=True):
        _at(db, ShortIssue, row_id, datetime(2026, 3, day, tzinfo=UTC))

    k = kpis.compute(db, months=3, now=datetime(2026, 3, 15, 12, tzinfo=UTC))

    assert [m.month for m in k.months] == ["2026-01", "2026-02", "2026-03"]
    # value now: P 0, Q 50 x 2; walking back: March -500, February +100 -200, January -300
    assert k.stock_value == 100
    assert [m.value_end for m in k.months] == [700, 600, 100]
    assert [m.consumption for m in k.months] == [300, 200, 500]  # the reversed issue counts for nothing
    assert k.period_days == 31 + 28 + 15
    # time-weighted: P 100 x 10 for 9 days, 70 x 10 for 31, 50 x 10 for 19, 0 for 15 (40,200);
    # Q 50 x 2 for the 39 days from 5 February (3,900): 44,100 over 74 days
    average = Decimal(44100) / 74
    assert k.average_value == average  # 595.95 (the month-end points said 600)
    assert k.carrying_cost == average * Decimal("0.25")
    assert k.consumption == 1000
    assert k.turnover == pytest.approx(Decimal(1000) * 365 / 74 / average)  # 8.28 turns a year
    assert k.days_of_supply == pytest.approx(Decimal("44.1"))  # 595.95 / (1000 / 74) = 365 / 8.28
    assert k.months[0].turnover == pytest.approx(Decimal(300) * 365 / 24400)  # Jan: 24,400 over 31 days
    # requests: Jan 1 full, Feb 1 full (the reversed one was no request), Mar 1 partial + 1 empty bin
    assert [(m.requests, m.filled, m.stockouts) for m in k.months] == [(1, 1, 0), (1, 1, 0), (2, 0, 2)]
    assert (k.requests, k.filled, k.fill_rate, k.stockouts) == (4, 2, 50, 2)
    assert k.out_of_stock_now == 1  # P: demand in the last 90 days, nothing left
    assert (k.excess_parts, k.excess_value) == (1, 60)  # Q: 30 above its maximum of 20, at 2
    assert (k.dead_parts, k.dead_value) == (0, 0)
    assert k.ira is None and k.kanban.loops == 0


def test_dead_stock_leaves_critical_spares_out(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    old = make_part(db, admin, "OLD-1", unit_cost=Decimal(4))
    spare = make_part(db, admin, "SPARE-1", unit_cost=Decimal(900), criticality="HIGH")
    for part in (old, spare):
        _at(
            db,
            StockMove,
            receive(db, admin, part.id, tree["A-01-01"].id, "3").move.id,
            datetime(2024, 1, 5, tzinfo=UTC),
        )
    k = kpis.compute(db, months=1)
    assert (k.dead_parts, k.dead_value) == (1, 12)


def test_ira_from_approved_counts(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    a = make_part(db, admin, "A-1")
    b = make_part(db, admin, "B-1")
    receive(db, admin, a.id, tree["A-01-01"].id, "10")
    receive(db, admin, b.id, tree["A-01-01"].id, "100")
    session = counts.start_session(db, admin, "Rack 1", [tree["R01"].id])
    counts.enter_count(db, admin, session, "A-01-01", "A-1", Decimal(10))  # exact
    counts.enter_count(db, admin, session, "A-01-01", "B-1", Decimal(60))  # far off (C: 5 %)
    counts.enter_count(db, admin, session, "A-01-01", "B-1", Decimal(60))  # recount agrees
    count_approval.approve(db, admin, session)
    k = kpis.compute(db, months=1)
    assert (k.counted, k.within, k.ira) == (2, 1, 50)


def test_short_issue_of_what_the_bin_holds(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    part = make_part(db, admin)
    receive(db, admin, part.id, tree["A-01-01"].id, "4")
    whole = issue_short(db, admin, part.id, tree["A-01-01"].id, Decimal(3))
    assert whole.short == 0 and whole.posted is not None  # enough there: a plain issue
    got = issue_short(db, admin, part.id, tree["A-01-01"].id, Decimal(5), reference="WO-1")
    assert (got.issued, got.short) == (1, 4)
    rows = db.read(lambda s: [(r.requested_qty, r.issued_qty, r.reference) for r in s.query(ShortIssue)])
    assert rows == [(5, 1, "WO-1")]
    with pytest.raises(UserError, match="more than zero"):
        issue_short(db, admin, part.id, tree["A-01-01"].id, Decimal(0))


def test_planning_settings_are_plant_wide_and_checked(db: Database, admin: Actor) -> None:
    assert planning(db) == Planning()
    saved = save_planning(db, admin, Planning(order_cost=Decimal(80), dead_days=180))
    assert saved.order_cost == 80 and saved.dead_days == 180 and saved.carrying_rate == Decimal("0.25")
    assert planning(db) == saved
    with pytest.raises(UserError, match="carrying rate"):
        save_planning(db, admin, Planning(carrying_rate=Decimal(0)))
    keeper = Actor(admin.user_id, "k", "Keeper", Role.KEEPER)
    with pytest.raises(PermissionDenied):
        save_planning(db, keeper, Planning())


def test_shelf_figures_summed_in_the_database_match_the_rule_part_by_part(db: Database, admin: Actor) -> None:
    """stock_figures sums in SQL what stock_figures_of (the reports' dead_and_excess) finds part by part."""
    tree = make_tree(db, admin)
    bin1, bin2 = tree["A-01-01"].id, tree["A-01-02"].id
    now = datetime.now(UTC)
    recent, old = now - timedelta(days=10), now - timedelta(days=400)

    def part(number: str, cost: str, **kw: Any) -> int:
        return make_part(db, admin, number, unit_cost=Decimal(cost), **kw).id

    def move(kind: MoveKind, part_id: int, qty: str, when: datetime, **ends: int | None) -> None:
        req = MoveRequest(
            kind, part_id, Decimal(qty), ends.get("from_location_id"), ends.get("to_location_id")
        )
        _at(db, StockMove, post_move(db, admin, req).move.id, when)

    used = part("USED-1", "1.1", unit="KG")  # no maximum, issued lately: excess above 180 days of its demand
    move(MoveKind.RECEIPT, used, "0.1", old, to_location_id=bin1)
    move(MoveKind.RECEIPT, used, "0.2", old, to_location_id=bin2)
    move(MoveKind.RECEIPT, used, "99.7", recent, to_location_id=bin1)
    move(MoveKind.ISSUE, used, "9", recent, from_location_id=bin1)
    over = part("MAX-1", "2.5", unit="M", max_qty=Decimal("3.25"))  # above its maximum
    move(MoveKind.RECEIPT, over, "7.5", recent, to_location_id=bin1)
    dead = part("DEAD-1", "4")
    move(MoveKind.RECEIPT, dead, "3", old, to_location_id=bin1)
    spare = part("SPARE-1", "900", criticality="HIGH")  # insurance, not dead; no demand, no excess
    move(MoveKind.RECEIPT, spare, "1", old, to_location_id=bin1)
    gone = part("GONE-1", "3")  # issued to nothing: out of stock now
    move(MoveKind.RECEIPT, gone, "2", recent, to_location_id=bin1)
    move(MoveKind.ISSUE, gone, "2", recent, from_location_id=bin1)
    part("MIN-1", "5", min_qty=Decimal(2))  # never held, but has a minimum: out of stock now
    part("IDLE-1", "6")  # never held, never wanted
    asked = part("ASKED-1", "7")  # found short at the counter: demand, out of stock now
    issue_short(db, admin, asked, bin1, Decimal(4))
    _at(
        db,
        ShortIssue,
        db.read(lambda s: s.query(ShortIssue.id).filter_by(part_id=asked).scalar()),
        recent,
    )

    settings = planning(db)
    fast = db.read(lambda s: stock_figures.stock_figures(s, settings, now))
    rule = db.read(lambda s: stock_figures.stock_figures_of(s, stock_figures.part_stock(s), settings, now))
    assert fast == rule
    # the valuation walks back from that value now just as from its own sum of the balances
    start = now.date().replace(day=1)
    walked = db.read(lambda s: valuation(s, start, now, value_now=fast.value))
    summed = db.read(lambda s: valuation(s, start, now))
    assert (walked.month_end, walked.day_value_sum) == (summed.month_end, summed.day_value_sum)
    assert (fast.dead_parts, fast.dead_value) == (1, 12)
    assert fast.out_now == 3
    assert fast.value == Decimal("91") * Decimal("1.1") + Decimal("7.5") * Decimal("2.5") + 12 + 900
    # MAX-1: 4.25 above 3.25 at 2.5; USED-1: 91 on hand against 180 x 9 / 90 days = 18
    assert fast.excess_parts == 2
    assert fast.excess_value == Decimal("4.25") * Decimal("2.5") + (91 - Decimal(9) / 90 * 180) * Decimal(
        "1.1"
    )


def test_shelf_figures_past_64_bit_units_are_still_exact(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A million at 100,000 is 10^19 units of 10^-8: past SQLite's integers, so the part-by-part rule
    gives the figures there. SQLite only: PostgreSQL sums numeric, and its daily sums (kpi_day, 64-bit
    units) refuse such a move in the first place."""
    db = sqlite_db
    admin = ensure_user(db, "admin", role=Role.ADMIN)
    tree = make_tree(db, admin)
    big = make_part(db, admin, "BIG-1", unit_cost=Decimal(100_000), max_qty=Decimal(10))  # summed in SQL
    receive(db, admin, big.id, tree["A-01-01"].id, "1000000")
    settings = planning(db)
    now = datetime.now(UTC)
    rule = db.read(lambda s: stock_figures.stock_figures_of(s, stock_figures.part_stock(s), settings, now))
    asked: list[int] = []

    def spy(*args: object) -> stock_figures.StockFigures:
        asked.append(1)
        return rule

    monkeypatch.setattr(stock_figures, "stock_figures_of", spy)
    assert db.read(lambda s: stock_figures.stock_figures(s, settings, now)) == rule
    assert asked and rule.value == 10**11
