"""Demand as an inventory controller measures it (issue 17, defects 1-3 and the demand definitions): windows
of complete days, a loop's demand at its own line, What to order without kanban parts, working days, lost
demand, smoothing from the first observation, the inventory position and the order-quantity rule.

Moves are placed in the past with `place_at` (test arrangement only: the app posts at server time)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.models import StockMove
from desktop.models.enums import LocationLevel, LocationType, MoveKind
from desktop.services import kanban as kb
from desktop.services import replenishment as r
from desktop.services.actor import Actor
from desktop.services.kanban import LoopInput, LoopKind
from desktop.services.locations import LocationInput, create_location
from desktop.services.stock import MoveRequest, post_move
from desktop.services.suppliers import PartSupplierInput
from tests.factories import local, make_part, make_tree, place_at, receive

DAY = date(2026, 3, 18)  # a Wednesday
HOURS = (6, 10, 14, 18)  # four issues a day, as a line takes them


def steady(
    db: Database,
    admin: Actor,
    part_id: int,
    loc_id: int,
    per_day: int,
    now: datetime,
    *,
    days: int = 40,
    weekdays: Sequence[int] = (1, 2, 3, 4, 5, 6, 7),
) -> None:
    """`per_day` consumed at `loc_id` on each of the last `days` days (on the given ISO weekdays), in four
    equal issues through the day; today only the issues before `now`. Stock arrives 60 days before."""
    moments = [
        local(now.date() - timedelta(days=back), hour)
        for back in range(days, -1, -1)
        for hour in HOURS
        if (now.date() - timedelta(days=back)).isoweekday() in weekdays
    ]
    moments = [m for m in moments if m < now]
    each = Decimal(per_day) / len(HOURS)
    placed = {
        receive(db, admin, part_id, loc_id, str(each * len(moments))).move.id: local(now.date(), 0)
        - timedelta(days=60)
    }
    for at in moments:
        move = post_move(db, admin, MoveRequest(MoveKind.ISSUE, part_id, each, from_location_id=loc_id)).move
        placed[move.id] = at
    place_at(db, StockMove, placed)


def line_location(db: Database, admin: Actor, code: str) -> int:
    return create_location(
        db,
        admin,
        LocationInput(
            code, f"Line {code}", LocationLevel.BIN.value, LocationType.LINE_SIDE.value, "PLANT", 90
        ),
    ).id


def loop_20_a_day(db: Database, admin: Actor, part_id: int, line: int) -> kb.LoopDTO:
    """The reference's worked example: L = 3 days, safety 20 %, container 10 (8 cards at 20 a day)."""
    return kb.create_loop(
        db,
        admin,
        LoopInput(
            part_id,
            LoopKind.PURCHASE,
            line,
            Decimal(10),
            1,
            lead_time_days=Decimal(3),
            safety_factor=Decimal("0.2"),
        ),
    )


# --- defect 1: today's unfinished day is not a day of demand ---------------------------------------------


@pytest.mark.parametrize("clock", [(0, 30), (12, 0), (23, 59)])
def test_kanban_sizing_ignores_the_running_day(db: Database, admin: Actor, clock: tuple[int, int]) -> None:
    tree = make_tree(db, admin)
    line = line_location(db, admin, "L1-01")
    part = make_part(db, admin, "BOLT-20", suppliers=(PartSupplierInput("Acme"),))
    loop = loop_20_a_day(db, admin, part.id, line)
    now = local(DAY, *clock)
    steady(db, admin, part.id, line, 20, now)
    assert tree  # the storeroom exists beside the line
    (rec,) = kb.recommendations(db, admin, window_days=30, now=now)
    assert rec.loop.id == loop.id
    assert rec.daily_demand == 20  # today's 0, 10 or 20 so far is not a day
    assert rec.recommended == 8  # ceil(20 x 3 x 1.2 / 10) = ceil(7.2)


@pytest.mark.parametrize("clock", [(0, 30), (12, 0), (23, 59)])
def test_what_to_order_on_steady_demand(db: Database, admin: Actor, clock: tuple[int, int]) -> None:
    tree = make_tree(db, admin)
    part = make_part(
        db,
        admin,
        "OIL-40",
        unit_cost=Decimal(2),
        suppliers=(PartSupplierInput("Acme", "AC-40", Decimal(2), None, 7),),
    )
    now = local(DAY, *clock)
    steady(db, admin, part.id, tree["A-01-01"].id, 40, now)
    receive(db, admin, part.id, tree["A-01-01"].id, "10")  # what is left on the shelf
    for method in ("moving_average", "smoothing"):
        (s,) = r.suggestions(db, admin, r.Policy(window_days=30, method=method, alpha=0.3), now=now)
        assert s.daily_demand == 40, method  # smoothing a steady 40 gives 40, not 32
        assert s.sigma == 0 and s.safety_stock == 0  # steady demand needs no safety stock
        assert s.reorder_point == 280  # 40 x 7


# --- defect 2: a loop's demand is what is consumed at its line ----------------------------------------------


def test_two_lines_of_one_part_are_sized_apart(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    line1, line2 = line_location(db, admin, "L1-01"), line_location(db, admin, "L2-01")
    part = make_part(db, admin, "BOLT-20", suppliers=(PartSupplierInput("Acme"),))
    loops = [loop_20_a_day(db, admin, part.id, line) for line in (line1, line2)]
    now = datetime.now(UTC).astimezone()  # sized as the Kanban page does, at the real clock
    for where in (line1, line2):
        steady(db, admin, part.id, where, 20, now)
    steady(db, admin, part.id, tree["A-01-01"].id, 32, now)  # maintenance issues from the storeroom
    got = {
        rec.loop.id: (rec.daily_demand, rec.recommended)
        for rec in kb.recommendations(db, admin, window_days=30)
    }
    assert got == {loops[0].id: (20, 8), loops[1].id: (20, 8)}  # not 16 + 16 on 72 a day


# --- defect 3: What to order is for parts their kanban cards do not replenish -----------------------------


def test_what_to_order_leaves_kanban_parts_out(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    line = line_location(db, admin, "L1-01")
    now = local(DAY, 12)
    parts = {}
    for number in ("ON-PURCHASE", "ON-HOLD", "ON-TRANSFER", "RETIRED-LOOP", "NO-LOOP"):
        parts[number] = make_part(
            db, admin, number, min_qty=Decimal(50), suppliers=(PartSupplierInput("Acme"),)
        )
        receive(db, admin, parts[number].id, tree["A-01-01"].id, "5")

    def loop(number: str, kind: LoopKind) -> kb.LoopDTO:
        return kb.create_loop(
            db,
            admin,
            LoopInput(
                parts[number].id,
                kind,
                line,
                Decimal(10),
                2,
                supply_location_id=tree["A-01-01"].id if kind is LoopKind.TRANSFER else None,
            ),
        )

    loop("ON-PURCHASE", LoopKind.PURCHASE)
    kb.set_loop_status(db, admin, loop("ON-HOLD", LoopKind.PURCHASE).id, "HOLD")
    loop("ON-TRANSFER", LoopKind.TRANSFER)
    kb.set_loop_status(db, admin, loop("RETIRED-LOOP", LoopKind.PURCHASE).id, "RETIRED")
    listed = [s.part_number for s in r.suggestions(db, admin, now=now)]
    # the storeroom behind an internal loop is still bought; a retired loop replenishes nothing
    assert listed == ["NO-LOOP", "ON-TRANSFER", "RETIRED-LOOP"]
