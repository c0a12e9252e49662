"""The KPIs an inventory controller would sign (issue 17, defects 4-5 and the KPI definitions): one
consumption for ABC and turnover, out of stock and fill rate from every request, time-weighted average
inventory, past months at the cost in force then, days of supply consistent with turnover, money to the
cent with columns that add up."""

from __future__ import annotations

from decimal import Decimal

from desktop.db import Database
from desktop.models.enums import MoveKind
from desktop.services import kpis
from desktop.services import report_data as rd
from desktop.services.actor import Actor
from desktop.services.count_abc import abc_rows
from desktop.services.stock import MoveRequest, issue_short, post_move, reverse_move
from tests.factories import make_part, make_tree, receive


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
