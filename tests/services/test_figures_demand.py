"""Demand as an inventory controller measures it (issue 17, defects 1-3 and the demand definitions): windows
of complete days, a loop's demand at its own line, What to order without kanban parts, working days, lost
demand, smoothing from the first observation, the inventory position and the order-quantity rule.

Moves are placed in the past with `place_at` (test arrangement only: the app posts at server time)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import ShortIssue, StockMove
from desktop.models.enums import LocationLevel, LocationType, MoveKind
from desktop.services.actor import Actor
from desktop.services.catalogue.locations import LocationInput, create_location
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.insight import replenishment as r
from desktop.services.insight import stock_figures
from desktop.services.insight.consumption import demand_window
from desktop.services.kanban import loops as kb
from desktop.services.kanban import scanning, sizing
from desktop.services.kanban.loops import LoopInput, LoopKind
from desktop.services.stock.issue import issue_short
from desktop.services.stock.moves import MoveRequest, post_move
from tests.cli_helpers import run_as
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
    stocked_at: datetime | None = None,
) -> None:
    """`per_day` consumed at `loc_id` on each of the last `days` days (on the given ISO weekdays), in four
    equal issues through the day; today only the issues before `now`. Stock arrives `stocked_at`, by
    default 60 days before (the plant has run longer than the window)."""
    moments = [
        local(now.date() - timedelta(days=back), hour)
        for back in range(days, -1, -1)
        for hour in HOURS
        if (now.date() - timedelta(days=back)).isoweekday() in weekdays
    ]
    moments = [m for m in moments if m < now]
    each = Decimal(per_day) / len(HOURS)
    placed = {
        receive(db, admin, part_id, loc_id, str(each * len(moments))).move.id: stocked_at
        or local(now.date(), 0) - timedelta(days=60)
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
    (rec,) = sizing.recommendations(db, admin, window_days=30, now=now)
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


# --- a plant younger than the window: demand over the days it has run -------------------------------------


@pytest.mark.parametrize("clock", [(0, 30), (12, 0), (23, 59)])
def test_a_plant_younger_than_the_window(db: Database, admin: Actor, clock: tuple[int, int]) -> None:
    """The plant's first posting was a receipt at 05:00 ten days ago; since then its line has used 20 a day
    and the storeroom 40 a day. At any hour of today that is 20 and 40 a day over the 10 complete days it
    has run, not 200 / 30 = 6.67 (3 kanban cards instead of 8) or 400 / 90 = 4.44 with a sigma of 13 for
    What to order, as if there had been no demand in the 80 days before the plant existed."""
    tree = make_tree(db, admin)
    line = line_location(db, admin, "L1-01")
    bolt = make_part(db, admin, "BOLT-20", suppliers=(PartSupplierInput("Acme"),))
    oil = make_part(
        db,
        admin,
        "OIL-40",
        unit_cost=Decimal(2),
        suppliers=(PartSupplierInput("Acme", "AC-40", None, None, 7),),
    )
    loop_20_a_day(db, admin, bolt.id, line)
    now = local(DAY, *clock)
    opened = local(DAY - timedelta(days=10), 5)
    steady(db, admin, bolt.id, line, 20, now, days=10, stocked_at=opened)
    steady(db, admin, oil.id, tree["A-01-01"].id, 40, now, days=10, stocked_at=opened)
    (rec,) = sizing.recommendations(db, admin, window_days=30, now=now)
    assert (rec.daily_demand, rec.recommended) == (20, 8)
    (s,) = r.suggestions(db, admin, r.Policy(window_days=90), now=now)
    assert (s.part_number, s.daily_demand, s.sigma, s.safety_stock, s.reorder_point) == (
        "OIL-40",
        40,
        0,
        0,
        280,
    )
    per_day = db.read(lambda s: stock_figures.demand_per_day(s, now, 90))  # excess stock and out of stock
    assert per_day == {bolt.id: 20, oil.id: 40}
    win = db.read(lambda s: demand_window(s, now, 90))
    assert win.days == tuple(DAY - timedelta(days=back) for back in range(10, 0, -1))


def test_a_plant_that_opened_today_has_one_day(db: Database, admin: Actor) -> None:
    """Opened at 00:10 today: no complete day yet. The window is yesterday (one day, nothing consumed), not
    an empty window to divide by."""
    tree = make_tree(db, admin)
    part = make_part(db, admin, "NEW-1", min_qty=Decimal(5), suppliers=(PartSupplierInput("Acme"),))
    now = local(DAY, 12)
    got = receive(db, admin, part.id, tree["A-01-01"].id, "3")
    place_at(db, StockMove, {got.move.id: local(DAY, 0, 10)})
    assert db.read(lambda s: demand_window(s, now, 90)).days == (DAY - timedelta(days=1),)
    (s,) = r.suggestions(db, admin, r.Policy(window_days=90), now=now)
    assert (s.daily_demand, s.sigma, s.reason) == (0, 0, "below minimum")


@pytest.mark.parametrize("days", [0, -30, 3651, 10**9])
def test_the_kanban_sizing_window_is_checked(db: Database, admin: Actor, days: int) -> None:
    """0 days used to size every loop on an empty window (or overflow the date arithmetic)."""
    make_tree(db, admin)
    line = line_location(db, admin, "L1-01")
    part = make_part(db, admin, "BOLT-20", suppliers=(PartSupplierInput("Acme"),))
    loop_20_a_day(db, admin, part.id, line)
    with pytest.raises(UserError, match=r"The demand window is 1 to 3,650 days"):
        sizing.recommendations(db, admin, window_days=days)
    assert sizing.recommendations(db, admin, window_days=1) == []  # one day is a window (1 card: no change)


def test_the_kanban_board_command_checks_its_window(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_as("clerk", capsys, "init")[0] == 0
    code, _, err = run_as("clerk", capsys, "kanban", "board", "--window", "0")
    assert code == 2 and "The demand window is 1 to 3,650 days, not 0." in err


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
        for rec in sizing.recommendations(db, admin, window_days=30)
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


# --- the demand definitions -------------------------------------------------------------------------------


def test_a_part_used_on_working_days_is_measured_over_working_days(db: Database, admin: Actor) -> None:
    """20 a working day, Monday to Friday (the default calendar). The 30 days before 18 March 2026 hold 22
    working days: the mean is 20 a working day with no spread (over every calendar day it would read 14.7
    with a sigma of 9.5), and the supplier's 7 days are 7 x 22 / 30 = 5.13 working days."""
    tree = make_tree(db, admin)
    part = make_part(
        db, admin, "SHIFT-1", suppliers=(PartSupplierInput("Acme", "AC-1", Decimal(1), None, 7),)
    )
    now = local(DAY, 12)
    steady(db, admin, part.id, tree["A-01-01"].id, 20, now, weekdays=(1, 2, 3, 4, 5))
    (s,) = r.suggestions(db, admin, r.Policy(window_days=30), now=now)
    assert (s.daily_demand, s.sigma, s.demand_days, s.safety_stock) == (20, 0, "working", 0)
    assert s.reorder_point == Decimal(str(round(20 * 7 * 22 / 30, 4)))
    r.Policy(window_days=30).check()


def test_lost_demand_is_demand(db: Database, admin: Actor) -> None:
    """Every day for 30 days the line asked for 8 and found its bin empty: 8 a day of demand at that line.
    A storeroom part asked for 6 a day and never there: 6 a day in What to order."""
    tree = make_tree(db, admin)
    line = line_location(db, admin, "L1-01")
    scarce = make_part(db, admin, "SCARCE", suppliers=(PartSupplierInput("Acme"),))
    loop = loop_20_a_day(db, admin, scarce.id, line)
    missing = make_part(db, admin, "MISSING", suppliers=(PartSupplierInput("Acme"),))
    now = datetime.now(UTC).astimezone()

    def ask(part_id: int, where: int, qty: int, back: int) -> tuple[int, datetime]:
        assert issue_short(db, admin, part_id, where, Decimal(qty)).posted is None
        row = db.read(lambda s: max(r.id for r in s.query(ShortIssue)))
        return row, local(now.date() - timedelta(days=back), 10)

    placed = dict(ask(scarce.id, line, 8, back) for back in range(1, 31))
    placed.update(ask(missing.id, tree["A-01-01"].id, 6, back) for back in range(1, 31))
    placed.update([ask(scarce.id, tree["A-01-01"].id, 50, 1)])  # asked at the storeroom: not the line's
    place_at(db, ShortIssue, placed)
    (rec,) = sizing.recommendations(db, admin, window_days=30)
    assert rec.loop.id == loop.id and rec.daily_demand == 8
    (s,) = r.suggestions(db, admin, r.Policy(window_days=30))  # SCARCE is on kanban: not listed
    assert s.part_number == "MISSING" and s.daily_demand == 6


def test_inventory_position_and_the_order_quantity_rule(db: Database, admin: Actor) -> None:
    from desktop.services import mro
    from desktop.services.stock.position import positions

    tree = make_tree(db, admin)
    line = line_location(db, admin, "L1-01")
    held = make_part(
        db,
        admin,
        "HELD-1",
        unit_cost=Decimal(4),
        min_qty=Decimal(50),
        suppliers=(PartSupplierInput("Acme", None, None, None, 10),),
    )
    receive(db, admin, held.id, tree["A-01-01"].id, "55")
    mro.reserve(db, admin, mro.ReservationInput(held.id, Decimal(10), "WO-9"))
    now = local(DAY, 12)
    (s,) = r.suggestions(db, admin, r.Policy(window_days=30), now=now)
    # 55 on hand is above the minimum, but 10 are promised to WO-9: the position, 45, is not
    assert (s.on_hand, s.on_order, s.reserved, s.position) == (55, 0, 10, 45)
    # no demand, no maximum: EOQ is 0, so reorder point - position + D x L = 50 - 45 + 0 = 5
    assert s.order_qty == 5
    bought = make_part(db, admin, "CARDS-1", suppliers=(PartSupplierInput("Acme"),))
    loop = kb.create_loop(db, admin, LoopInput(bought.id, LoopKind.PURCHASE, line, Decimal(10), 3))
    cards = kb.cards(db, loop.id)
    for card in cards[:2]:
        scanning.scan(db, admin, card.code, kb.StationMode.LINE)
    scanning.mark(db, admin, [cards[0].id], kb.CardStatus.ORDERED)
    scanning.mark(db, admin, [cards[1].id], kb.CardStatus.ORDERED)
    scanning.mark(db, admin, [cards[1].id], kb.CardStatus.IN_TRANSIT)
    pos = db.read(positions)[bought.id]
    assert (pos.on_hand, pos.on_order, pos.reserved, pos.position) == (0, 20, 0, 20)
    # the rule on worked numbers: with a maximum, up to it; without, max(EOQ, ROP - position + D x L)
    assert r.order_quantity(Decimal(45), 50, 0, 0, 10, Decimal(80)) == 35
    assert r.order_quantity(Decimal(45), 50, 120.5, 2, 10, None) == 120.5
    assert r.order_quantity(Decimal(-5), 50, 20, 2, 10, None) == 75  # 50 + 5 + 20


def test_smoothing_alpha_comes_from_the_planning_figures(db: Database, admin: Actor) -> None:
    from desktop.services.admin.plant_settings import Planning, planning, save_planning

    tree = make_tree(db, admin)
    part = make_part(db, admin, "LATE-1", min_qty=Decimal(1000))
    now = local(DAY, 12)
    stocked = receive(db, admin, part.id, tree["A-01-01"].id, "40")
    used = post_move(
        db, admin, MoveRequest(MoveKind.ISSUE, part.id, Decimal(40), from_location_id=tree["A-01-01"].id)
    )
    # stocked 60 days ago, nothing used until yesterday's 40 (0 a day, then 40)
    place_at(
        db,
        StockMove,
        {
            stocked.move.id: local(DAY - timedelta(days=60), 10),
            used.move.id: local(DAY - timedelta(days=1), 10),
        },
    )
    save_planning(db, admin, Planning(smoothing_alpha=Decimal("0.5")))
    policy = r.Policy.of_plant(planning(db), window_days=30, method="smoothing")
    assert policy.alpha == 0.5
    (s,) = r.suggestions(db, admin, policy, now=now)
    assert s.daily_demand == 20  # level 0 from the first day, then half way to yesterday's 40
    with pytest.raises(UserError, match="alpha"):
        save_planning(db, admin, Planning(smoothing_alpha=Decimal(0)))
