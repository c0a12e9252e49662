"""A keeper at the kanban scan station: scan a card, see its new state on the board."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.models import StockMove
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.kanban import loops as kb
from desktop.services.kanban.loops import CardStatus, LoopInput, LoopKind
from desktop.services.stock import moves as stock
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree, place_at


def _scan(qtbot: QtBot, box, code: str) -> None:  # type: ignore[no-untyped-def]
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, code)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_scan_station_and_board(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "SCREW-M6", suppliers=(PartSupplierInput("Fastenal"),))
    loop = kb.create_loop(
        ctx.db, ctx.actor, LoopInput(part.id, LoopKind.PURCHASE, tree["A-01-02"].id, Decimal(100), 2)
    )
    card = kb.cards(ctx.db, loop.id)[0]
    window.go_to("Kanban")
    page = window.pages["Kanban"]
    station = page.station  # type: ignore[attr-defined]
    _scan(qtbot, station.scan_box, card.code)
    assert station.banner.kind == "ok" and "empty: replenishment requested" in station.banner.text()
    board = page.board_table  # type: ignore[attr-defined]
    assert board.item(0, 1).text() == "SCREW-M6"
    assert (board.item(0, 5).text(), board.item(0, 7).text()) == ("1", "1")  # 1 full, 1 empty
    _scan(qtbot, station.scan_box, card.code)  # the same card again at the line
    assert station.banner.kind == "error" and "already empty" in station.banner.text()
    page.print_list.click()  # type: ignore[attr-defined]  # the replenishment list, to print or save
    reports = window.pages["Reports"].reports  # type: ignore[attr-defined]
    assert window.stack.currentWidget() is window.pages["Reports"]
    shown = reports.view.table
    assert shown.title == "Kanban: to order and to pick"
    assert [r[:5] for r in shown.rows] == [("Fastenal", "SCREW-M6", part.description, 1, Decimal(100))]
    assert shown.rows[0][7] == card.code
    window.go_to("Kanban")
    marked: list[int] = []
    page.mark_group("Fastenal", CardStatus.ORDERED, marked.append)  # type: ignore[attr-defined]
    assert marked == [1]
    station.receiving.setChecked(True)
    _scan(qtbot, station.scan_box, card.code)
    assert "Receipt 100 EA of SCREW-M6 to A-01-02" in station.banner.text()
    assert stock.balance(ctx.db, part.id, tree["A-01-02"].id) == 100
    assert board.item(0, 5).text() == "2"  # both full again

    window.scan_box.setText(card.code)  # the general scan box only looks
    window.scan_entered()
    assert "is full" in window.banner.text() and window.stack.currentWidget() is window.part_page


def test_print_the_cards_of_a_loop(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    from tests.reports.helpers import decode, open_pdf, render_pages

    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(
        ctx.db,
        ctx.actor,
        "SCREW-M6",
        description="Hex screw M6x20",
        suppliers=(PartSupplierInput("Fastenal"),),
    )
    loop = kb.create_loop(
        ctx.db, ctx.actor, LoopInput(part.id, LoopKind.PURCHASE, tree["A-01-02"].id, Decimal(100), 2)
    )
    window.go_to("Kanban")
    page = window.pages["Kanban"]
    page.board_table.selectRow(0)  # type: ignore[attr-defined]
    page.print_cards.click()  # type: ignore[attr-defined]
    dialog = window.labels_dialog
    dialog.format.setCurrentIndex(dialog.format.findData("thermal-4x6in"))
    with qtbot.waitSignal(dialog.rendered):
        dialog.render_labels()
    pages = render_pages(dialog.pdf)  # type: ignore[arg-type]
    codes = [{t for _f, t in decode(p)} for p in pages]
    assert codes == [{c.code} for c in kb.cards(ctx.db, loop.id)]
    with open_pdf(dialog.pdf) as doc:  # type: ignore[arg-type]
        text = doc.pages[1].extract_text()
    assert "SCREW-M6" in text and "card 2 of 2" in text and "100 EA" in text and "Fastenal" in text


def test_edit_hold_and_resize_a_loop_from_the_board_and_the_sizing_tab(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    from desktop.models.enums import MoveKind
    from desktop.services.stock.moves import MoveRequest
    from desktop.ui.kanban.kanban_page import KanbanPage

    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "SCREW-M6", suppliers=(PartSupplierInput("Fastenal"),))
    loop = kb.create_loop(
        ctx.db,
        ctx.actor,
        LoopInput(part.id, LoopKind.PURCHASE, tree["A-01-02"].id, Decimal(10), 1, lead_time_days=Decimal(3)),
    )
    window.go_to("Kanban")
    page = window.pages["Kanban"]
    assert isinstance(page, KanbanPage)
    page.tabs.setCurrentIndex(1)
    page.board_table.selectRow(0)
    dialog = page.open_edit_dialog()
    assert dialog is not None
    dialog.cards.setValue(3)
    dialog.lead.setText("2")
    dialog.save_button.click()
    loops = kb.list_loops(ctx.db)
    assert (loops[0].card_count, loops[0].lead_time_days) == (3, 2)
    new_cards = [c.id for c in kb.cards(ctx.db, loop.id) if c.serial > 1]
    assert window.labels_dialog.kind == "card" and list(window.labels_dialog.ids) == new_cards
    window.labels_dialog.close()
    page.reprint(loop.id, 2)  # a lost card: only that one goes to the printer, with its own code
    assert list(window.labels_dialog.ids) == [new_cards[0]]
    window.labels_dialog.close()
    page.reprint(loop.id, 9)
    assert "no live card number 9" in page.board_banner.text()  # on the board, where the keeper is

    page.board_table.clearSelection()
    page.hold_loop.click()
    assert page.board_banner.kind == "error" and "Select a loop" in page.board_banner.text()
    page.board_table.selectRow(0)
    page.hold_loop.click()
    assert kb.list_loops(ctx.db)[0].status == "HOLD"
    qtbot.waitUntil(lambda: "is on hold" in page.board_banner.text())
    assert page.board_table.item(0, page.board_table.columnCount() - 1).text() == "hold"
    page.board_table.selectRow(0)
    page.hold_loop.click()
    assert kb.list_loops(ctx.db)[0].status == "ACTIVE"

    # 900 used at the loop's line over the last 30 complete days: 30 a day x 2 days lead time x 1.1 / 10
    # per container = 7 cards
    stocked = stock.post_move(
        ctx.db,
        ctx.actor,
        MoveRequest(MoveKind.RECEIPT, part.id, Decimal(900), to_location_id=tree["A-01-02"].id),
    )
    used = stock.post_move(
        ctx.db,
        ctx.actor,
        MoveRequest(MoveKind.ISSUE, part.id, Decimal(900), from_location_id=tree["A-01-02"].id),
    )
    yesterday = datetime.now(UTC).astimezone() - timedelta(days=1)
    # stocked 60 days ago (the plant has run longer than the window), used yesterday
    place_at(ctx.db, StockMove, {stocked.move.id: yesterday - timedelta(days=59), used.move.id: yesterday})
    page.tabs.setCurrentWidget(page.sizing)
    page.sizing.demand_window.setCurrentIndex(0)  # 30 days
    page.sizing.refresh()
    table = page.sizing.table
    assert table.rowCount() == 1
    assert [table.item(0, c).text() for c in (3, 4, 5, 6)] == ["3", "7", "+4", "30"]
    table.selectRow(0)
    page.sizing.accept_button.click()
    assert kb.list_loops(ctx.db)[0].card_count == 7
    assert len(window.labels_dialog.ids) == 4  # the four new cards go to the printer
    assert page.sizing.table.rowCount() == 0
