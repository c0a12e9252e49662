"""A keeper counts a rack by scanning; the supervisor approves; the stock follows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.services import stock
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree, receive


def _type(qtbot: QtBot, box, text: str) -> None:  # type: ignore[no-untyped-def]
    box.setFocus()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_count_by_scanning_then_approve(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "BOLT")
    receive(ctx.db, ctx.actor, part.id, tree["A-01-01"].id, "10")
    window.go_to("Cycle counts")
    page = window.pages["Cycle counts"]
    page.where.setText("R01")  # type: ignore[attr-defined]
    page.start_button.click()  # type: ignore[attr-defined]
    assert page.lines.rowCount() == 1  # type: ignore[attr-defined]
    _type(qtbot, page.bin_edit, "L-A-01-01")  # type: ignore[attr-defined]
    _type(qtbot, page.part_edit, "P-BOLT")  # type: ignore[attr-defined]
    _type(qtbot, page.qty_edit, "7")  # type: ignore[attr-defined]
    assert page.banner.kind == "warn" and "count it again" in page.banner.text()  # type: ignore[attr-defined]
    _type(qtbot, page.part_edit, "P-BOLT")  # type: ignore[attr-defined]
    _type(qtbot, page.qty_edit, "7")  # type: ignore[attr-defined]
    assert page.lines.item(0, 7).text() == "counted"  # type: ignore[attr-defined]
    page.approve_button.click()  # type: ignore[attr-defined]
    assert "1 count adjustment" in page.banner.text()  # type: ignore[attr-defined]
    assert stock.balance(ctx.db, part.id, tree["A-01-01"].id) == 7
    # the recount confirmed 7 against a book of 10: approved, but not within tolerance (IRA 0 %)
    assert page.ira_label.text() == "IRA: C 0.0 % of 1 line(s), adjusted 0.00"  # type: ignore[attr-defined]


def test_save_the_count_sheet(qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.reports.helpers import decode, render_pages

    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "BOLT")
    receive(ctx.db, ctx.actor, part.id, tree["A-01-01"].id, "10")
    window.go_to("Cycle counts")
    page = window.pages["Cycle counts"]
    page.where.setText("A-01-01")  # type: ignore[attr-defined]
    page.start_button.click()  # type: ignore[attr-defined]
    page.save_sheet(tmp_path / "sheet.pdf")  # type: ignore[attr-defined]
    codes = {t for _f, t in decode(render_pages((tmp_path / "sheet.pdf").read_bytes())[0])}
    assert {"L-A-01-01", "P-BOLT"} <= codes
