"""The app's figures against published worked examples, fed through the real services (parts with costs,
moves posted through the stock service, the planning, ABC, KPI and count services), compared with the
book's answers at the book's rounding.

Heizer & Render, Operations Management, chapter "Inventory Management":
- ABC analysis of Silicon Chips, Inc.: 10 items, A = 2 items with 72 % of the annual dollar volume,
  B = 3 items with 23 %, C = 5 items with 5 %;
- EOQ, Sharp, Inc.: D = 1,000 needles a year, S = $10 an order, H = $0.50 a unit a year -> Q* = 200;
- reorder point, Electronic Assembler, Inc.: d = 8,000 / 250 days = 32 a day, L = 3 days -> ROP = 96;
- safety stock under probabilistic demand, Circuit Town: d = 15 a day, sigma_d = 5, L = 2 days, 90 %
  service (Z = 1.28): safety stock = 1.28 x 5 x sqrt(2) = 9.05 (about 9), ROP = 30 + 9.05 (about 39).
Turnover and days of supply, and the IRA, are checked on worked examples written out in each test (the
definitions of the module docstrings of desktop/services/insight/kpis.py and count_ira.py).

Moves are placed in the past with `place_at` (test arrangement only: the app posts at server time)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from desktop.db import Database
from desktop.models import StockMove
from desktop.models.enums import MoveKind
from desktop.services.actor import Actor
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.counts import abc as count_abc
from desktop.services.counts import approval as count_approval
from desktop.services.counts import ira as count_ira
from desktop.services.counts import sessions as counts
from desktop.services.insight import kpis
from desktop.services.insight import replenishment as r
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import local, make_part, make_tree, place_at, receive, utc

DAY = date(2026, 3, 18)  # "today" of the planning examples (a Wednesday)


def _issue(db: Database, admin: Actor, part_id: int, bin_id: int, qty: Decimal) -> int:
    return post_move(db, admin, MoveRequest(MoveKind.ISSUE, part_id, qty, from_location_id=bin_id)).move.id


def _history(db: Database, admin: Actor, part_id: int, bin_id: int, used: dict[date, Decimal]) -> None:
    """Stock received 400 days before DAY (the plant has run longer than any window here), then `used`
    issued at 10:00 on each of the given days: the bin ends empty."""
    placed = {
        receive(db, admin, part_id, bin_id, str(sum(used.values()))).move.id: local(
            DAY - timedelta(days=400), 8
        )
    }
    for day, qty in used.items():
        placed[_issue(db, admin, part_id, bin_id, qty)] = local(day, 10)
    place_at(db, StockMove, placed)


# --- ABC: Silicon Chips, Inc. -------------------------------------------------------------------------------

SILICON_CHIPS = [  # item stock number, annual volume (units), unit cost ($)
    ("10286", 1000, "90.00"),
    ("11526", 500, "154.00"),
    ("12760", 1550, "17.00"),
    ("10867", 350, "42.86"),
    ("10500", 1000, "12.50"),
    ("12572", 600, "14.17"),
    ("14075", 2000, "0.60"),
    ("01036", 100, "8.50"),
    ("01307", 1200, "0.42"),
    ("10572", 250, "0.60"),
]


def test_abc_of_silicon_chips(db: Database, admin: Actor) -> None:
    """A year's volume of each item received and issued at its cost; the plant's cut lines set to the
    book's bands (A up to 70 % of the value, the item that crosses the line still A; B the next 25 %)."""
    bin_id = make_tree(db, admin)["A-01-01"].id
    for number, volume, cost in SILICON_CHIPS:
        part = make_part(db, admin, number, unit_cost=Decimal(cost))
        receive(db, admin, part.id, bin_id, str(volume))
        _issue(db, admin, part.id, bin_id, Decimal(volume))
    rows = count_abc.classify(db, admin, a_pct=Decimal(70), b_pct=Decimal(25))
    assert [row.part_number for row in rows] == [number for number, _v, _c in SILICON_CHIPS]
    assert "".join(row.abc for row in rows) == "AABBBCCCCC"
    total = sum((row.usage_value for row in rows), Decimal(0))
    assert total == 232057  # the book's total annual dollar volume
    share = {
        cls: sum((row.usage_value for row in rows if row.abc == cls), Decimal(0)) * 100 / total
        for cls in "ABC"
    }
    assert {cls: round(pct) for cls, pct in share.items()} == {"A": 72, "B": 23, "C": 5}
    assert rows[1].cumulative_pct == Decimal("71.97")  # 167,000 / 232,057: the book's 72 %


# --- EOQ: Sharp, Inc. ---------------------------------------------------------------------------------------


def test_eoq_of_sharp_inc(db: Database, admin: Actor) -> None:
    """1,000 needles used in the year before DAY: by one part on 50 Mondays (measured over working days),
    by another on 50 Saturdays (measured over calendar days). Cost $1 and a carrying rate of 50 % make
    H = $0.50; S = $10. Both get Q* = sqrt(2 x 1,000 x 10 / 0.50) = 200, so N = 5 orders a year.
    (The annual demand of a working-day part was once its working-day mean divided by the share of working
    days instead of multiplied: 1,000 x (365 / 261)^2 = 1,956 a year and Q* = 280.)"""
    bin_id = make_tree(db, admin)["A-01-01"].id
    first = DAY - timedelta(days=365)
    mondays = [d for d in (first + timedelta(days=i) for i in range(365)) if d.isoweekday() == 1][:50]
    saturdays = [d for d in (first + timedelta(days=i) for i in range(365)) if d.isoweekday() == 6][:50]
    for number, days in (("NEEDLE-WD", mondays), ("NEEDLE-CD", saturdays)):
        part = make_part(
            db,
            admin,
            number,
            unit_cost=Decimal(1),
            suppliers=(PartSupplierInput("Acme", None, None, None, 7),),
        )
        _history(db, admin, part.id, bin_id, dict.fromkeys(days, Decimal(20)))
    policy = r.Policy(window_days=365, order_cost=Decimal(10), carrying_rate=Decimal("0.5"))
    got = {s.part_number: s for s in r.suggestions(db, admin, policy, now=local(DAY, 12))}
    assert got["NEEDLE-WD"].demand_days == "working" and got["NEEDLE-CD"].demand_days == "calendar"
    assert {number: s.eoq for number, s in got.items()} == {"NEEDLE-WD": 200, "NEEDLE-CD": 200}
    assert 1000 / got["NEEDLE-CD"].eoq == 5  # expected number of orders a year


# --- reorder point: Electronic Assembler, Inc. --------------------------------------------------------------


def test_reorder_point_of_electronic_assembler(db: Database, admin: Actor) -> None:
    """32 used every day of the 30 days before DAY, delivery in 3 days: ROP = d x L = 96 (steady demand,
    so no safety stock)."""
    bin_id = make_tree(db, admin)["A-01-01"].id
    part = make_part(db, admin, "IPOD-1", suppliers=(PartSupplierInput("Acme", None, None, None, 3),))
    _history(db, admin, part.id, bin_id, {DAY - timedelta(days=i): Decimal(32) for i in range(1, 31)})
    (s,) = r.suggestions(db, admin, r.Policy(window_days=30), now=local(DAY, 12))
    assert (s.daily_demand, s.sigma, s.lead_days, s.safety_stock) == (32, 0, 3, 0)
    assert s.reorder_point == 96


# --- safety stock: Circuit Town -----------------------------------------------------------------------------


def test_safety_stock_of_circuit_town(db: Database, admin: Actor) -> None:
    """Nine days of demand 10, 20, 10, 20, 10, 20, 10, 20, 15 (mean 15, sample sigma exactly 5), lead time
    2 days, 90 % service. The book's Z is 1.28 from its table (the app takes the exact 1.2816): safety
    stock 9.05 -> 9.06, about 9 either way; ROP 39.05 -> 39.06, about 39."""
    bin_id = make_tree(db, admin)["A-01-01"].id
    part = make_part(db, admin, "IPOD-2", suppliers=(PartSupplierInput("Acme", None, None, None, 2),))
    series = [10, 20, 10, 20, 10, 20, 10, 20, 15]
    _history(
        db,
        admin,
        part.id,
        bin_id,
        {DAY - timedelta(days=9 - i): Decimal(qty) for i, qty in enumerate(series)},
    )
    (s,) = r.suggestions(db, admin, r.Policy(window_days=9, service_level=0.90), now=local(DAY, 12))
    assert (s.daily_demand, s.sigma, s.lead_days, s.demand_days) == (15, 5, 2, "calendar")
    assert abs(s.safety_stock - Decimal("9.05")) < Decimal("0.02")  # Z 1.2816 against the book's 1.28
    assert round(s.safety_stock) == 9 and round(s.reorder_point) == 39


# --- turnover and days of supply ----------------------------------------------------------------------------


def test_turnover_and_days_of_supply(db: Database, admin: Actor) -> None:
    """365 units at $1 on the shelf every night of 2026; 1,460 used in the year (received and used on
    15 June, so the shelf is back at 365 that night). Average inventory $365, consumption $1,460:
    4 turns a year, 365 / 4 = 91.25 days of supply, and 25 % carrying = $91.25 a year."""
    bin_id = make_tree(db, admin)["A-01-01"].id
    part = make_part(db, admin, "STEADY-1", unit_cost=Decimal(1))
    place_at(
        db,
        StockMove,
        {
            receive(db, admin, part.id, bin_id, "365").move.id: utc(2025, 12, 15, 9),
            receive(db, admin, part.id, bin_id, "1460").move.id: utc(2026, 6, 15, 8),
            _issue(db, admin, part.id, bin_id, Decimal(1460)): utc(2026, 6, 15, 10),
        },
    )
    k = kpis.compute(db, months=12, now=utc(2026, 12, 31, 12))
    assert (k.period_days, k.average_value, k.consumption) == (365, 365, 1460)
    assert k.turnover == 4
    assert k.days_of_supply == Decimal("91.25")
    assert k.carrying_cost == Decimal("91.25")


# --- inventory record accuracy ------------------------------------------------------------------------------


def test_inventory_record_accuracy(db: Database, admin: Actor) -> None:
    """Eight lines counted with the class tolerances A 0 %, B 2 %, C 5 % (the settings' defaults):
    A 100 -> 100 within, A 100 -> 99 out (1 %), B 100 -> 98 within (2 %), B 100 -> 97 out (3 %),
    C 200 -> 190 within (5 %), C 200 -> 215 out (7.5 %), C 40 -> 40 and 40 -> 41 within (2.5 %).
    IRA = 5 / 8 = 62.5 %; by class A 1 / 2, B 1 / 2, C 3 / 4. An out-of-tolerance line is recounted to the
    same figure and approved as counted."""
    tree = make_tree(db, admin)
    bin_id = tree["A-01-01"].id
    lines = [
        ("A-1", "A", 100, 100),
        ("A-2", "A", 100, 99),
        ("B-1", "B", 100, 98),
        ("B-2", "B", 100, 97),
        ("C-1", "C", 200, 190),
        ("C-2", "C", 200, 215),
        ("C-3", "C", 40, 40),
        ("C-4", "C", 40, 41),
    ]
    for number, cls, book, _counted in lines:
        part = make_part(db, admin, number, unit_cost=Decimal("0.10"))
        receive(db, admin, part.id, bin_id, str(book))
        count_abc.set_override(db, admin, number, cls)
    session = counts.start_session(db, admin, "Rack 1", [tree["R01"].id])
    for number, _cls, _book, counted in lines:
        line = counts.enter_count(db, admin, session, "A-01-01", number, Decimal(counted))
        if line.status == "RECOUNT":
            counts.enter_count(db, admin, session, "A-01-01", number, Decimal(counted))
    count_approval.approve(db, admin, session)
    k = kpis.compute(db, months=1)
    assert (k.counted, k.within, k.ira) == (8, 5, Decimal("62.5"))
    by_class = count_ira.ira(db, by="class")
    assert {cls: (g.counted, g.within) for cls, g in by_class.items()} == {
        "A": (2, 1),
        "B": (2, 1),
        "C": (4, 3),
    }
    assert count_ira.total(by_class).ira_pct == Decimal("62.5")
