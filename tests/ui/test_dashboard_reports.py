"""The dashboard's tiles show the KPIs and open the rows behind them; the Reports tab runs a report and
saves it as PDF, Excel and CSV."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.models.enums import MoveKind
from desktop.services.io.tabular import read_table
from desktop.services.stock.issue import issue_short
from desktop.services.stock.moves import MoveRequest, post_move
from desktop.ui.context import AppContext
from desktop.ui.insight.dashboard_page import DashboardPage, change_text
from desktop.ui.insight.reports_page import ReportsPage
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree, receive
from tests.reports.helpers import open_pdf


def _plant(ctx: AppContext) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    bolt = make_part(ctx.db, ctx.actor, "BOLT-1", unit_cost=Decimal(2), min_qty=Decimal(20))
    receive(ctx.db, ctx.actor, bolt.id, tree["A-01-01"].id, "30")
    post_move(ctx.db, ctx.actor, MoveRequest(MoveKind.ISSUE, bolt.id, Decimal(10), tree["A-01-01"].id))
    post_move(ctx.db, ctx.actor, MoveRequest(MoveKind.ISSUE, bolt.id, Decimal(5), tree["A-01-01"].id))
    issue_short(ctx.db, ctx.actor, bolt.id, tree["A-01-01"].id, Decimal(40), reference="WO-9")


def test_trend_arrows() -> None:
    assert change_text([None, 100.0, 110.0], up_is_good=True) == ("▲ 10.0 % vs last month", "#1B7F3B")
    assert change_text([100.0, 90.0], up_is_good=True)[1] == "#B3261E"
    assert change_text([100.0, 90.0], up_is_good=False)[1] == "#1B7F3B"
    assert change_text([5.0], up_is_good=True) == ("", "#555555")


def test_tiles_show_the_kpis_and_open_the_rows_behind_them(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    _plant(ctx)
    window.go_to("Dashboard")
    page = window.pages["Dashboard"]
    assert isinstance(page, DashboardPage)
    assert (
        page.tiles["value"].value.text() == "0.00"
    )  # to the cent; 30 - 10 - 5 - 15 handed over short: nothing left
    assert page.tiles["fill"].value.text() == "66.7 %"  # 2 of 3 requests in full
    assert page.tiles["stockouts"].value.text() == "1"
    assert "2 of 3 issue requests" in page.tiles["fill"].detail.text()
    assert page.rows.title.text() == "Stock valuation"  # the first tile is selected
    qtbot.mouseClick(page.tiles["fill"], Qt.MouseButton.LeftButton)
    assert page.rows.title.text().startswith("Short issues")
    model = page.rows.view.model()
    assert model.rowCount() == 1 and model.index(0, 1).data() == "BOLT-1" and model.index(0, 6).data() == "25"
    assert "Fill rate" in page.chart_title.text() and page.chart.chart().series()
    page.tiles["out"].setFocus()
    qtbot.keyClick(page.tiles["out"], Qt.Key.Key_Return)  # keyboard alone
    assert page.rows.title.text() == "Out of stock now" and page.rows.view.model().rowCount() == 1


def test_run_a_report_sort_it_and_save_it(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    _plant(ctx)
    window.go_to("Reports")
    page = window.pages["Reports"]
    assert isinstance(page, ReportsPage)
    runner = page.reports
    runner.choose("history")
    assert runner.rows["part"][1].isVisibleTo(runner) and not runner.rows["months"][1].isVisibleTo(runner)
    runner.part.setText("BOLT-1")
    qtbot.keyClick(runner.part, Qt.Key.Key_Return)
    view = runner.view
    assert view.title.text() == "Movement history" and view.view.model().rowCount() == 4
    view.view.horizontalHeader().sectionClicked.emit(5)  # by quantity, as numbers: 5 < 10
    assert [view.view.model().index(r, 5).data() for r in range(4)] == ["5", "10", "15", "30"]
    view.view.horizontalHeader().sectionClicked.emit(5)  # again: the other way round
    assert [view.view.model().index(r, 5).data() for r in range(4)] == ["30", "15", "10", "5"]
    runner.choose("valuation")
    runner.run_button.click()
    assert view.title.text() == "Stock valuation"
    runner.choose("history")
    runner.part.setText("NOPE")
    runner.run_button.click()
    assert view.banner.kind == "error" and "No part with number NOPE" in view.banner.text()
    runner.choose("below-minimum")
    runner.run_button.click()
    for suffix in (".pdf", ".xlsx", ".csv"):
        view.save_to(tmp_path / f"low{suffix}")
        assert view.banner.kind == "ok" and f"Saved low{suffix}" in view.banner.text()
    with open_pdf((tmp_path / "low.pdf").read_bytes()) as doc:
        text = doc.pages[0].extract_text()
    assert "Below minimum" in text and "BOLT-1" in text
    assert read_table(tmp_path / "low.xlsx").rows[0][1] == "BOLT-1"
    assert read_table(tmp_path / "low.csv").rows[0][1] == "BOLT-1"


def test_planning_figures_are_set_in_settings_and_used_by_what_to_order(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    window.go_to("Settings")
    form = window.settings_page.planning
    assert form.carrying.value() == 25 and form.save_button.isVisible()
    form.carrying.setValue(30)
    form.order_cost.setValue(80)
    form.save_button.click()
    assert form.banner.kind == "ok"
    window.go_to("Reports")
    page = window.pages["Reports"]
    assert isinstance(page, ReportsPage)
    page.tabs.setCurrentWidget(page.replenishment)
    page.replenishment.refresh()
    assert page.replenishment.carrying.value() == 30 and page.replenishment.order_cost.value() == 80
