"""The KPIs an inventory controller would sign (issue 17, defects 4-5 and the KPI definitions): one
consumption for ABC and turnover, out of stock and fill rate from every request, time-weighted average
inventory, past months at the cost in force then, days of supply consistent with turnover, money to the
cent with columns that add up."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import Part, PartCost, StockMove
from desktop.models.enums import MoveKind
from desktop.reports.table_report import cell_text
from desktop.services.actor import Actor
from desktop.services.counts.abc import abc_rows
from desktop.services.insight import kpis
from desktop.services.insight import report_data as rd
from desktop.services.insight.valuation import valuation
from desktop.services.stock.history import reverse_move
from desktop.services.stock.issue import issue_short
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, place_at, receive, utc


def _move(db: Database, admin: Actor, kind: MoveKind, part_id: int, qty: int, bin_id: int) -> int:
    into = kind in (MoveKind.RECEIPT, MoveKind.RETURN)
    req = MoveRequest(
        kind,
        part_id,
        Decimal(qty),
        from_location_id=None if into else bin_id,
        to_location_id=bin_id if into else None,
        reason="scrapped: damaged" if kind is MoveKind.SCRAP else None,
    )
    return post_move(db, admin, req).move.id


# --- defect 4: ABC, turnover and demand share one consumption -----------------------------------------------


def test_abc_nets_returns_and_counts_scrap_like_turnover(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    bin_id = tree["A-01-01"].id
    x = make_part(db, admin, "X-1", unit_cost=Decimal(2))
    y = make_part(db, admin, "Y-1", unit_cost=Decimal(2))
    receive(db, admin, x.id, bin_id, "2000")
    receive(db, admin, y.id, bin_id, "2000")
    _move(db, admin, MoveKind.ISSUE, x.id, 1000, bin_id)
    _move(db, admin, MoveKind.RETURN, x.id, 600, bin_id)  # 600 came back unused
    _move(db, admin, MoveKind.SCRAP, x.id, 100, bin_id)  # 100 scrapped: used up all the same
    _move(db, admin, MoveKind.ISSUE, y.id, 700, bin_id)
    usage = {r.part_number: r.usage_value for r in db.read(lambda s: abc_rows(s))}
    assert usage == {"Y-1": 1400, "X-1": 1000}  # X: (1000 - 600 + 100) x 2, not 1000 issued x 2
    turnover = {row[0]: row[2] for row in rd.part_turnover(db).rows}
    assert turnover == usage
    assert kpis.compute(db, months=1).consumption == 2400


# --- defect 5: every request counts, once ----------------------------------------------------------------


def test_out_of_stock_counts_parts_whose_requests_found_an_empty_bin(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    bin_id = tree["A-01-01"].id
    for n in range(3):  # used up
        part = make_part(db, admin, f"USED-{n}")
        receive(db, admin, part.id, bin_id, "4")
        _move(db, admin, MoveKind.ISSUE, part.id, 4, bin_id)
    for n in range(2):  # never in stock: every request found the bin empty
        part = make_part(db, admin, f"ASKED-{n}")
        assert issue_short(db, admin, part.id, bin_id, Decimal(2)).posted is None
    make_part(db, admin, "IDLE-1")  # no demand, no minimum: not out of stock, just not stocked
    assert kpis.compute(db, months=1).out_of_stock_now == 5
    assert sorted(row[0] for row in rd.out_of_stock(db).rows) == [
        "ASKED-0",
        "ASKED-1",
        "USED-0",
        "USED-1",
        "USED-2",
    ]


def test_fill_rate_after_reversing_a_partial_short(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    bin_id = tree["A-01-01"].id
    part = make_part(db, admin, "F-1")
    receive(db, admin, part.id, bin_id, "9")
    for _ in range(9):
        _move(db, admin, MoveKind.ISSUE, part.id, 1, bin_id)  # 9 requests filled in full
    partial_moves = []
    for _ in range(3):  # 3 requests for 5 that found 2
        receive(db, admin, part.id, bin_id, "2")
        got = issue_short(db, admin, part.id, bin_id, Decimal(5))
        assert got.posted is not None
        partial_moves.append(got.posted.move.id)
    for _ in range(2):  # 2 requests that found the bin empty
        assert issue_short(db, admin, part.id, bin_id, Decimal(1)).posted is None
    reverse_move(db, admin, partial_moves[0], "issued to the wrong work order")
    k = kpis.compute(db, months=1)
    # the reversed hand-over withdraws its request: 9 full + 2 partial + 2 empty = 13 requests
    assert (k.requests, k.filled, k.stockouts) == (13, 9, 4)


# --- definitions: time-weighted average, cost in force, days of supply ------------------------------------


def _reprice(db: Database, admin: Actor, number: str, cost: str) -> None:
    """Change a part's cost through the part form's service (the database keeps the history)."""
    from dataclasses import asdict

    from desktop.services.catalogue.parts import PartInput, get_part, get_part_id, update_part

    part_id = get_part_id(db, number)
    dto = asdict(get_part(db, part_id))
    fields = {k: dto[k] for k in PartInput.__dataclass_fields__ if k in dto and k != "suppliers"}
    update_part(db, admin, part_id, PartInput(**{**fields, "unit_cost": Decimal(cost)}))


def _cost_rows_at(db: Database, part_id: int, moments: list[datetime]) -> None:
    """Test arrangement: date the part's cost history (oldest row first) at the given moments."""
    rows = db.read(
        lambda s: [r.id for r in s.query(PartCost).filter(PartCost.part_id == part_id).order_by(PartCost.id)]
    )
    assert len(rows) == len(moments)
    sqlite = db.engine.dialect.name == "sqlite"

    def op(s: Session) -> None:
        for row_id, at in zip(rows, moments, strict=True):
            value = at.replace(tzinfo=None) if sqlite else at
            s.execute(update(PartCost).where(PartCost.id == row_id).values(effective_from=value))

    db.write(op)


def test_average_inventory_is_time_weighted_at_the_cost_in_force(db: Database, admin: Actor) -> None:
    """Worked example, March and April 2026, cost 10 a unit:
    X: 300 received 1 April, 150 issued 16 April, 150 issued 30 April (each day's closing: 300 x 15 days,
       150 x 14 days, 0 x 1 day = 6,600 unit-days = 66,000 in April).
    Y: 50 held since February; its cost went from 10 to 20 on 10 April (March 31 x 500 = 15,500; April
       9 x 500 + 21 x 1,000 = 25,500).
    Average over the 61 days: (15,500 + 66,000 + 25,500) / 61 = 1,754.10; consumption 3,000;
    turnover 3,000 x 365 / 61 / 1,754.10 = 10.23 a year; days of supply 1,754.10 / (3,000 / 61) = 35.67
    = 365 / 10.23. Month-end points would say 0 for X at both ends and value March at today's 20."""
    tree = make_tree(db, admin)
    bin_id = tree["A-01-01"].id
    x = make_part(db, admin, "X-1", unit_cost=Decimal(10))
    y = make_part(db, admin, "Y-1", unit_cost=Decimal(10))
    place_at(
        db,
        StockMove,
        {
            receive(db, admin, y.id, bin_id, "50").move.id: utc(2026, 2, 20, 9),
            receive(db, admin, x.id, bin_id, "300").move.id: utc(2026, 4, 1, 10),
            _move(db, admin, MoveKind.ISSUE, x.id, 150, bin_id): utc(2026, 4, 16, 10),
            _move(db, admin, MoveKind.ISSUE, x.id, 150, bin_id): utc(2026, 4, 30, 9),
        },
    )
    _reprice(db, admin, "Y-1", "20")
    _cost_rows_at(db, x.id, [utc(2026, 1, 1)])
    _cost_rows_at(db, y.id, [utc(2026, 1, 1), utc(2026, 4, 10, 8)])
    k = kpis.compute(db, months=2, now=utc(2026, 4, 30, 12))
    assert [m.month for m in k.months] == ["2026-03", "2026-04"]
    assert [m.value_end for m in k.months] == [500, 1000]  # March at March's cost
    assert [m.average_value for m in k.months] == [500, Decimal(91500) / 30]
    assert k.period_days == 61 and k.stock_value == 1000
    assert k.average_value == Decimal(107000) / 61
    assert k.consumption == 3000
    assert k.turnover == Decimal(3000) * 365 / 107000  # one division of the sums: 365 x 3,000 / 107,000
    assert round(k.turnover, 2) == Decimal("10.23")
    assert k.days_of_supply == Decimal(107000) / 3000  # one division: 107,000 value-days / 3,000
    assert round(k.days_of_supply * k.turnover) == 365  # consistent: days of supply = 365 / turnover
    assert k.carrying_cost == k.average_value * Decimal("0.25")
    assert k.months[1].days_of_supply == Decimal("30.5")  # April: 91,500 value-days / 3,000
    per_part = db.read(lambda s: valuation(s, date(2026, 3, 1), utc(2026, 4, 30, 12), per_part=True))
    assert per_part.part_average(x.id) == Decimal(66000) / 61  # the turnover-by-part report's average
    assert per_part.part_average(y.id) == Decimal(15500 + 25500) / 61


def test_a_plant_younger_than_the_period_is_averaged_over_the_days_it_has_run(
    db: Database, admin: Actor
) -> None:
    """The plant opened on 20 April 2026 with 100 units at 10; 50 were issued on the 25th. On 30 April the
    12-month figures cover its 11 days: 100 x 10 for 5 days and 50 x 10 for 6 (8,000 value-days), an
    average of 727.27 and a carrying cost of 181.82 a year, not 8,000 / 365 = 21.92 (and 5.48) as if
    the shelf had stood empty for the 354 days before the plant existed. Turnover and days of supply do not
    depend on the length: 500 x 365 / 8,000 = 22.8 turns, 8,000 / 500 = 16 days."""
    tree = make_tree(db, admin)
    bin_id = tree["A-01-01"].id
    part = make_part(db, admin, "NEW-1", unit_cost=Decimal(10))
    place_at(
        db,
        StockMove,
        {
            receive(db, admin, part.id, bin_id, "100").move.id: utc(2026, 4, 20, 9),
            _move(db, admin, MoveKind.ISSUE, part.id, 50, bin_id): utc(2026, 4, 25, 10),
        },
    )
    k = kpis.compute(db, months=12, now=utc(2026, 4, 30, 12))
    assert k.period_days == 11
    assert k.average_value == Decimal(8000) / 11
    assert round(k.carrying_cost, 2) == Decimal("181.82")
    assert k.turnover == Decimal("22.8125") and k.days_of_supply == 16
    assert [m.days for m in k.months[-2:]] == [0, 11]  # March: before the plant, no days, no figures
    assert (k.months[-2].average_value, k.months[-2].turnover, k.months[-2].days_of_supply) == (0, None, None)
    assert k.months[-1].average_value == Decimal(8000) / 11


# --- money: half-up to the cent, columns that add up, files with fixed decimals ----------------------


def test_money_is_shown_half_up_and_a_column_adds_up(db: Database, admin: Actor, tmp_path: Path) -> None:
    tree = make_tree(db, admin)
    bin_id = tree["A-01-01"].id
    for n in range(3):  # three lines worth 0.125 each: 0.13 shown (half-up), 0.39 the column
        part = make_part(db, admin, f"WASHER-{n}", unit_cost=Decimal("0.125"))
        receive(db, admin, part.id, bin_id, "1")
    table = rd.build(db, admin, "valuation", rd.ReportParams())
    assert [row[5] for row in table.rows] == [Decimal("0.13")] * 3
    assert table.totals is not None and table.totals[5] == Decimal("0.39")  # not 0.38 (0.375 rounded)
    assert cell_text(table.totals[5], "money") == "0.39"
    churn = make_part(db, admin, "CHURN", unit_cost=Decimal("1.1"))  # issued and all returned: 0 used
    receive(db, admin, churn.id, bin_id, "5")
    _move(db, admin, MoveKind.ISSUE, churn.id, 5, bin_id)
    _move(db, admin, MoveKind.RETURN, churn.id, 5, bin_id)
    for key in ("turnover", "abc", "kpi-trend", "valuation"):
        out = tmp_path / f"{key}.csv"
        rd.export(rd.build(db, admin, key, rd.ReportParams(months=3)), out, generated="test")
        with out.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        cells = [c for row in rows[1:] for c in row]
        assert not [c for c in cells if "E-" in c or "E+" in c], key  # no 0E-8
        numbers = [c for c in cells if c.replace(".", "").replace("-", "").isdigit() and "." in c]
        assert numbers and all(len(c.split(".")[1]) <= 4 for c in numbers), key  # no 28-digit quotient
    shares = [row[4] for row in rd.build(db, admin, "abc", rd.ReportParams()).rows]
    assert all(x == x.quantize(Decimal("0.01")) for x in shares)  # 33.33, not 33.3333333333333333333333333


def test_every_cost_change_is_kept_with_its_date(db: Database, admin: Actor) -> None:
    """The form, an import (bulk SQL) and a re-import with the same cost: two changes, two history rows."""
    from desktop.services.io import imports
    from desktop.services.io.tabular import parse_csv

    part = make_part(db, admin, "COST-1", unit_cost=Decimal("1.50"))
    _reprice(db, admin, "COST-1", "1.75")
    _reprice(db, admin, "COST-1", "1.7500")  # the same cost typed again: no new row
    table = parse_csv(b"part_number,description,unit,unit_cost\nCOST-1,Imported,EA,2.25\nNEW-1,New,EA,3\n")
    for _ in range(2):  # the same file twice: one change
        imports.run(db, admin, "parts", table, imports.auto_map("parts", table.headers))
    history = db.read(
        lambda s: [
            (r.part_id, r.unit_cost)
            for r in s.query(PartCost).order_by(PartCost.part_id, PartCost.effective_from, PartCost.id)
        ]
    )
    new_id = db.read(lambda s: s.query(Part).filter(Part.number_key == "NEW-1").one().id)
    assert history == [
        (part.id, Decimal("1.5")),
        (part.id, Decimal("1.75")),
        (part.id, Decimal("2.25")),
        (new_id, Decimal(3)),
    ]
