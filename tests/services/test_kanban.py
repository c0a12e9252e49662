"""Kanban on SQLite and PostgreSQL: every transition, refused scans, receipt postings, resize, sizing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import Conflict, NotFound, PermissionDenied, UserError
from desktop.models.enums import Role
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.insight import kpis
from desktop.services.kanban import board, scanning, sizing
from desktop.services.kanban import loops as kb
from desktop.services.kanban.loops import CardStatus, LoopInput, LoopKind, StationMode
from desktop.services.stock import moves as stock
from tests.factories import make_part, make_tree, receive


@pytest.fixture
def setup(db: Database, admin: Actor) -> dict[str, int]:
    tree = make_tree(db, admin)
    part = make_part(db, admin, "SCREW-M6", suppliers=(PartSupplierInput("Fastenal"),))
    return {"part": part.id, "line": tree["A-01-02"].id, "stores": tree["A-01-01"].id}


def _purchase(db: Database, admin: Actor, s: dict[str, int], cards: int = 3) -> kb.LoopDTO:
    return kb.create_loop(
        db,
        admin,
        LoopInput(s["part"], LoopKind.PURCHASE, s["line"], Decimal(100), cards, lead_time_days=Decimal(2)),
    )


def test_purchase_card_cycle_posts_a_receipt(db: Database, admin: Actor, setup: dict[str, int]) -> None:
    loop = _purchase(db, admin, setup)
    assert loop.supply == "Fastenal" and loop.card_count == 3
    card = kb.cards(db, loop.id)[0]
    assert card.code == f"K-{card.id:06d}" and card.status == "FULL" and (card.serial, card.of) == (1, 3)
    out = scanning.scan(db, admin, card.code, StationMode.LINE)
    assert (out.before, out.after, out.move_id) == ("FULL", "EMPTY", None)
    with pytest.raises(Conflict, match=r"already empty: last scanned .* by admin \(empty\)"):
        scanning.scan(db, admin, card.code, StationMode.LINE)  # the duplicate scan changes nothing
    assert [line.card_ids for line in board.replenishment_list(db)] == [(card.id,)]
    assert scanning.mark(db, admin, [card.id], CardStatus.ORDERED) == 1
    assert scanning.mark(db, admin, [card.id], CardStatus.ORDERED) == 0  # only EMPTY cards are ordered
    assert scanning.mark(db, admin, [card.id], CardStatus.IN_TRANSIT) == 1
    got = scanning.scan(db, admin, card.code.lower(), StationMode.RECEIVING)
    assert (
        got.after == "FULL"
        and got.move_id is not None
        and "Receipt 100 EA of SCREW-M6 to A-01-02" in got.message
    )
    assert stock.balance(db, setup["part"], setup["line"]) == 100
    with pytest.raises(Conflict, match="nothing to receive"):
        scanning.scan(db, admin, card.code, StationMode.RECEIVING)
    assert stock.balance(db, setup["part"], setup["line"]) == 100


def test_transfer_loop_moves_stock_from_the_storeroom(
    db: Database, admin: Actor, setup: dict[str, int]
) -> None:
    loop = kb.create_loop(
        db,
        admin,
        LoopInput(
            setup["part"],
            LoopKind.TRANSFER,
            setup["line"],
            Decimal(50),
            2,
            supply_location_id=setup["stores"],
        ),
    )
    card = kb.cards(db, loop.id)[0]
    scanning.scan(db, admin, card.code, StationMode.LINE)
    with pytest.raises(UserError, match="Only 0 EA"):  # nothing in the storeroom: refused, card stays EMPTY
        scanning.scan(db, admin, card.code, StationMode.RECEIVING)
    assert kb.cards(db, loop.id)[0].status == "EMPTY"
    receive(db, admin, setup["part"], setup["stores"], "80")
    scanning.scan(db, admin, card.code, StationMode.RECEIVING)
    assert stock.balance(db, setup["part"], setup["stores"]) == 30
    assert stock.balance(db, setup["part"], setup["line"]) == 50
    assert [line.group for line in board.replenishment_list(db)] == []


def test_resized_container_needs_reprinted_cards(db: Database, admin: Actor, setup: dict[str, int]) -> None:
    loop = _purchase(db, admin, setup)
    old = kb.cards(db, loop.id)[0]
    loop = kb.edit_loop(db, admin, loop.id, container_qty=Decimal(120), card_count=5).loop
    assert loop.version == 2 and loop.card_count == 5
    with pytest.raises(Conflict, match="reprint this card"):
        scanning.scan(db, admin, old.code, StationMode.LINE)
    fresh = [c for c in kb.cards(db, loop.id) if not c.outdated]
    assert [c.serial for c in fresh] == [4, 5]
    scanning.scan(db, admin, fresh[0].code, StationMode.LINE)
    loop = kb.edit_loop(db, admin, loop.id, card_count=2).loop
    assert len(kb.cards(db, loop.id)) == 2
    with pytest.raises(UserError, match="1 to 200"):
        kb.edit_loop(db, admin, loop.id, card_count=0)


def test_hold_retire_and_unknown_cards(db: Database, admin: Actor, setup: dict[str, int]) -> None:
    loop = _purchase(db, admin, setup)
    card = kb.cards(db, loop.id)[0]
    kb.set_loop_status(db, admin, loop.id, "HOLD")
    with pytest.raises(Conflict, match="loop hold"):
        scanning.scan(db, admin, card.code, StationMode.LINE)
    kb.set_loop_status(db, admin, loop.id, "RETIRED")
    assert kb.cards(db, loop.id) == []
    with pytest.raises(Conflict, match="stays retired"):
        kb.set_loop_status(db, admin, loop.id, "ACTIVE")
    with pytest.raises(NotFound, match="Unknown kanban card K-999999"):
        scanning.scan(db, admin, "K-999999", StationMode.LINE)


def test_loop_validation_and_permissions(db: Database, admin: Actor, setup: dict[str, int]) -> None:
    with pytest.raises(UserError, match="storeroom location it is filled from"):
        kb.create_loop(db, admin, LoopInput(setup["part"], LoopKind.TRANSFER, setup["line"], Decimal(1), 2))
    with pytest.raises(UserError, match="whole numbers"):
        kb.create_loop(
            db, admin, LoopInput(setup["part"], LoopKind.PURCHASE, setup["line"], Decimal("1.5"), 2)
        )
    keeper = ensure_user(db, "kim", role=Role.KEEPER)
    viewer = ensure_user(db, "vic", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        _purchase(db, keeper, setup)
    loop = _purchase(db, admin, setup)
    card = kb.cards(db, loop.id)[0]
    scanning.scan(db, keeper, card.code, StationMode.LINE)  # keepers scan cards
    with pytest.raises(PermissionDenied):
        scanning.scan(db, viewer, card.code, StationMode.RECEIVING)


def test_board_flags_late_cards_and_stockouts(db: Database, admin: Actor, setup: dict[str, int]) -> None:
    loop = _purchase(db, admin, setup, cards=2)
    for card in kb.cards(db, loop.id):
        scanning.scan(db, admin, card.code, StationMode.LINE)
    row = board.board(db)[0]
    assert row.counts == {"EMPTY": 2} and row.stockout and row.late == 0
    later = board.board(db, now=datetime.now(UTC) + timedelta(days=3))[0]  # lead time is 2 days
    assert later.late == 2
    # the dashboard sums the same board
    health = kpis.kanban_health(db, datetime.now(UTC) + timedelta(days=3))
    assert (health.loops, health.on_hold, health.cards) == (1, 0, {"EMPTY": 2})
    assert (health.late_cards, health.stockout_loops, health.troubled, health.healthy_pct) == (2, 1, 1, 0)
    kb.set_loop_status(db, admin, loop.id, "HOLD")
    assert kpis.kanban_health(db, datetime.now(UTC)).on_hold == 1


def test_sizing_on_worked_examples(db: Database, admin: Actor, setup: dict[str, int]) -> None:
    # 120 a day, 2 days lead time, 10 % safety, containers of 100: 120 * 2 * 1.1 / 100 = 2.64 -> 3 cards
    assert sizing.recommended_cards(120, 2, 0.1, 100) == 3
    assert sizing.recommended_cards(50, 2, 0, 100) == 1  # exactly one container's worth
    assert sizing.recommended_cards(0, 5, 0.5, 10) == 1  # a loop always keeps one card
    loop = _purchase(db, admin, setup)
    assert sizing.measured_lead_days(db, loop.id) is None
    card = kb.cards(db, loop.id)[0]
    scanning.scan(db, admin, card.code, StationMode.LINE)
    scanning.scan(db, admin, card.code, StationMode.RECEIVING)
    measured = sizing.measured_lead_days(db, loop.id)
    assert measured is not None and 0 <= measured < 0.01  # emptied and refilled within the test


def test_recommendations_use_ledger_demand(db: Database, admin: Actor, setup: dict[str, int]) -> None:
    from desktop.models.enums import MoveKind
    from desktop.services.stock.moves import MoveRequest, post_move

    loop = kb.create_loop(
        db,
        admin,
        LoopInput(
            setup["part"],
            LoopKind.PURCHASE,
            setup["line"],
            Decimal(10),
            1,
            lead_time_days=Decimal(3),
            safety_factor=Decimal(0),
        ),
    )
    stocked = receive(db, admin, setup["part"], setup["line"], "900")
    from desktop.models import StockMove
    from tests.factories import place_at

    used = post_move(
        db, admin, MoveRequest(MoveKind.ISSUE, setup["part"], Decimal(900), from_location_id=setup["line"])
    )
    yesterday = datetime.now(UTC).astimezone() - timedelta(days=1)
    # stocked 60 days ago: the plant has run longer than the window
    place_at(db, StockMove, {stocked.move.id: yesterday - timedelta(days=59), used.move.id: yesterday})
    rec = sizing.recommendations(db, admin, window_days=30)  # 900 over 30 complete days = 30 a day
    assert len(rec) == 1 and rec[0].loop.id == loop.id
    assert rec[0].daily_demand == 30 and rec[0].lead_source == "planned"
    assert rec[0].recommended == 9 and rec[0].change == 8  # ceil(30 * 3 * 1.0 / 10)


def test_edit_loop_changes_planning_figures_and_says_which_cards_to_print(
    db: Database, admin: Actor, setup: dict[str, int]
) -> None:
    loop = _purchase(db, admin, setup)  # 3 cards of 100
    first = [c.id for c in kb.cards(db, loop.id)]
    edit = kb.edit_loop(db, admin, loop.id, lead_time_days=Decimal(4), safety_factor=Decimal("0.3"))
    assert (edit.loop.lead_time_days, edit.loop.safety_factor, edit.loop.version) == (4, Decimal("0.3"), 1)
    assert edit.to_print == ()  # nothing on the cards changed
    grown = kb.edit_loop(db, admin, loop.id, card_count=5)
    assert len(grown.to_print) == 2 and not set(grown.to_print) & set(first)
    assert [c.serial for c in kb.cards(db, loop.id) if c.id in grown.to_print] == [4, 5]
    bigger = kb.edit_loop(db, admin, loop.id, container_qty=Decimal(150))
    assert bigger.loop.version == 2
    assert sorted(bigger.to_print) == sorted(c.id for c in kb.cards(db, loop.id))  # every card reprinted
    for bad, message in (
        ({"lead_time_days": Decimal(0)}, "lead time"),
        ({"safety_factor": Decimal(-1)}, "safety factor"),
        ({"container_qty": Decimal("2.5")}, "whole"),
    ):
        with pytest.raises(UserError, match=message):
            kb.edit_loop(db, admin, loop.id, **bad)  # type: ignore[arg-type]
    assert kb.list_loops(db)[0].lead_time_days == 4  # refused edits changed nothing
    keeper = ensure_user(db, "kim", role=Role.KEEPER)
    with pytest.raises(PermissionDenied):
        kb.edit_loop(db, keeper, loop.id, card_count=2)
    kb.set_loop_status(db, admin, loop.id, "RETIRED")
    with pytest.raises(Conflict, match="retired loop cannot be changed"):
        kb.edit_loop(db, admin, loop.id, card_count=2)
