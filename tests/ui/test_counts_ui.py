"""A keeper counts a rack by scanning; the supervisor approves; the stock follows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.models.enums import MoveKind, Role
from desktop.services.admin.users import ensure_user
from desktop.services.counts import sessions as counts
from desktop.services.counts.settings import count_settings
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest, post_move
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree, receive
from tests.ui.keys import fill, type_in


def _type(qtbot: QtBot, box: QWidget, text: str) -> None:
    box.setFocus()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def test_count_by_scanning_then_approve(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "BOLT")
    receive(ctx.db, ctx.actor, part.id, tree["A-01-01"].id, "10")
    window.go_to("Cycle counts")
    page = window.pages["Cycle counts"]
    type_in(qtbot, page.where, "R01", enter=True)  # type: ignore[attr-defined]
    assert page.lines.rowCount() == 1  # type: ignore[attr-defined]
    _type(qtbot, page.bin_edit, "L-A-01-01")  # type: ignore[attr-defined]
    _type(qtbot, page.part_edit, "P-BOLT")  # type: ignore[attr-defined]
    _type(qtbot, page.qty_edit, "7")  # type: ignore[attr-defined]
    assert page.banner.kind == "warn" and "count it again" in page.banner.text()  # type: ignore[attr-defined]
    _type(qtbot, page.part_edit, "P-BOLT")  # type: ignore[attr-defined]
    _type(qtbot, page.qty_edit, "7")  # type: ignore[attr-defined]
    assert page.lines.item(0, 8).text() == "counted"  # type: ignore[attr-defined]
    assert page.lines.item(0, 10).text() == "admin (same counter)"  # type: ignore[attr-defined]
    page.approve_button.click()  # type: ignore[attr-defined]
    dialog = page.approve_dialog  # type: ignore[attr-defined]
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 9).text() == "admin (same counter)"
    assert dialog.table.item(0, 4).text() == "7"  # count 1 is kept beside the recount
    dialog.approve_button.click()
    assert "1 count adjustment" in page.banner.text()  # type: ignore[attr-defined]
    assert stock.balance(ctx.db, part.id, tree["A-01-01"].id) == 7
    # the recount confirmed 7 against a book of 10: approved, but not within tolerance (IRA 0 %)
    assert page.ira_label.text() == "IRA: C 0.0 % of 1 line(s), adjusted 0.00"  # type: ignore[attr-defined]


def test_save_the_count_sheet(qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path) -> None:
    from tests.reports.helpers import decode, render_pages

    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "BOLT")
    receive(ctx.db, ctx.actor, part.id, tree["A-01-01"].id, "10")
    window.go_to("Cycle counts")
    page = window.pages["Cycle counts"]
    type_in(qtbot, page.where, "A-01-01", enter=True)  # type: ignore[attr-defined]
    page.save_sheet(tmp_path / "sheet.pdf")  # type: ignore[attr-defined]
    codes = {t for _f, t in decode(render_pages((tmp_path / "sheet.pdf").read_bytes())[0])}
    assert {"L-A-01-01", "P-BOLT"} <= codes


def _page(window: MainWindow) -> Any:
    window.go_to("Cycle counts")
    return window.pages["Cycle counts"]


def test_todays_list_then_start_the_count(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "BOLT")
    a = tree["A-01-01"].id
    receive(ctx.db, ctx.actor, part.id, a, "4")
    post_move(ctx.db, ctx.actor, MoveRequest(MoveKind.ISSUE, part.id, Decimal(4), from_location_id=a))
    page = _page(window)
    page.tabs.setCurrentWidget(page.today)
    table = page.today.table
    rows = {table.item(r, 1).text(): r for r in range(table.rowCount())}
    assert "BOLT" in rows
    assert table.item(rows["BOLT"], 4).text().startswith("left empty by issue")
    assert table.item(rows["BOLT"], 5).text() == "to count"
    page.today.start_button.click()
    assert page.tabs.currentIndex() == 0 and page.session_id is not None
    assert page.sessions.currentText().startswith(f"#{page.session_id} Today")
    assert [page.lines.item(r, 1).text() for r in range(page.lines.rowCount())] == sorted(rows)
    bolt = [page.lines.item(r, 1).text() for r in range(page.lines.rowCount())].index("BOLT")
    why = page.lines.item(bolt, page.lines.columnCount() - 1).text()
    assert why == table.item(rows["BOLT"], 4).text()  # the reason goes with the line into the count
    page.tabs.setCurrentWidget(page.today)
    assert table.item(rows["BOLT"], 5).text() == f"in count #{page.session_id}"
    assert not page.today.start_button.isEnabled()


def test_reject_a_line_with_a_reason(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    bolt, nut = make_part(ctx.db, ctx.actor, "BOLT"), make_part(ctx.db, ctx.actor, "NUT")
    a = tree["A-01-01"].id
    receive(ctx.db, ctx.actor, bolt.id, a, "10")
    receive(ctx.db, ctx.actor, nut.id, a, "10")
    page = _page(window)
    type_in(qtbot, page.where, "A-01-01", enter=True)
    _type(qtbot, page.bin_edit, "A-01-01")  # the bin stays for the next part
    for part, qty in (("BOLT", "10"), ("NUT", "2")):
        _type(qtbot, page.part_edit, part)
        _type(qtbot, page.qty_edit, qty)
    dialog = page.open_approve()
    assert [dialog.table.item(r, 10).text() for r in range(2)] == ["counted", "waits for a recount"]
    dialog.ticks[1].setCheckState(Qt.CheckState.Checked)
    dialog.approve_button.click()  # no reason yet: refused, nothing posted
    assert dialog.banner.kind == "error" and "reason" in dialog.banner.text()
    assert dialog.isVisible() and stock.balance(ctx.db, nut.id, a) == 10
    dialog.set_rejected(1, "NUT labels on the BOLT bin")
    dialog.approve_button.click()
    assert not dialog.isVisible()
    assert "0 count adjustment" in page.banner.text()
    assert stock.balance(ctx.db, nut.id, a) == 10
    assert page.lines.item(1, 8).text() == "rejected"
    decided = counts.session(ctx.db, page.session_id, for_counter=False).lines
    assert decided[1].note == "NUT labels on the BOLT bin"


def test_recount_refused_to_the_first_counter(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "BOLT")
    receive(ctx.db, ctx.actor, part.id, tree["A-01-01"].id, "10")
    ensure_user(ctx.db, "kim", role=Role.KEEPER)  # another counter exists
    page = _page(window)
    type_in(qtbot, page.where, "A-01-01", enter=True)
    _type(qtbot, page.bin_edit, "A-01-01")
    for _ in range(2):
        _type(qtbot, page.part_edit, "BOLT")
        _type(qtbot, page.qty_edit, "3")
    assert page.banner.kind == "error" and "another counter (for example kim)" in page.banner.text()
    assert page.lines.item(0, 8).text() == "recount" and page.lines.item(0, 9).text() == "admin"


def test_pareto_chart_with_cut_lines(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    a = tree["A-01-01"].id
    for n, cost in enumerate((500, 300, 100, 60, 40)):
        part = make_part(ctx.db, ctx.actor, f"P{n}", unit_cost=Decimal(cost))
        receive(ctx.db, ctx.actor, part.id, a, "1")
        post_move(ctx.db, ctx.actor, MoveRequest(MoveKind.ISSUE, part.id, Decimal(1), from_location_id=a))
    page = _page(window)
    page.tabs.setCurrentIndex(2)
    page.abc.classify_button.click()
    assert page.abc.pareto.series_names() == [
        "Cumulative usage value",
        "A | B cut: 80 % of value, 40 % of parts",
        "B | C cut: 95 % of value, 80 % of parts",
    ]
    curve = page.abc.pareto.chart().series()[0]
    assert [round(p.y()) for p in curve.points()] == [0, 50, 80, 90, 96, 100]
    assert "2 A, 2 B, 1 C" in page.abc.pareto.chart().title()
    assert "2 A, 2 B, 1 C" in page.abc.abc_label.text()
    fill(qtbot, page.abc.override_part, "P-P4")
    page.abc.override_class.setCurrentIndex(1)  # always A
    page.abc.override_button.click()
    assert page.abc.abc_label.text() == "P-P4: class A (pinned)"
    fill(qtbot, page.abc.override_part, "NOPE")
    page.abc.override_button.click()
    assert page.abc.abc_label.text() == "No part NOPE."


def test_count_settings_in_settings_page(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    window.go_to("Settings")
    form = window.pages["Settings"].count_settings  # type: ignore[attr-defined]
    assert form.tolerance["B"].value() == 2 and form.workdays[5].isChecked() is False
    form.tolerance["B"].setValue(3)
    form.holidays.setPlainText("2025-12-25\nChristmas")
    form.save_button.click()
    assert form.banner.kind == "error" and "'Christmas' is not a date" in form.banner.text()
    form.holidays.setPlainText("2025-12-25")
    form.save_button.click()
    assert form.banner.kind == "ok"
    saved = count_settings(ctx.db)
    assert saved.tolerance_b == 3 and saved.holidays == (date(2025, 12, 25),)
