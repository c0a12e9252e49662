"""Issue 17 on screen: today's count list shows the plan's overdue lines as overdue (in red)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pytestqt.qtbot import QtBot

from desktop.services.counts import today_list
from desktop.services.counts.abc import set_override
from desktop.ui.context import AppContext
from desktop.ui.counts.counts_page import CountsPage
from desktop.ui.insight.reports_page import ReportsPage
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree, receive
from tests.ui.cells import cell, cell_text, header_texts, row_texts


def test_todays_list_shows_overdue_lines(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "FAST")
    set_override(ctx.db, ctx.actor, "FAST", "A")
    receive(ctx.db, ctx.actor, part.id, tree["A-01-01"].id, "4")
    last_year = date.today().year - 1
    today_list.todays_list(ctx.db, date(last_year, 1, 1))  # dealt a year ago, never counted since
    first = min(d for d in (date(last_year, 1, n) for n in range(1, 32)) if today_list.due_on(ctx.db, d))
    window.go_to("Cycle counts")
    page = window.pages["Cycle counts"]
    assert isinstance(page, CountsPage)
    page.tabs.setCurrentWidget(page.today)
    page.today.refresh()
    table = page.today.table
    assert table.rowCount() == 1
    assert cell_text(table, 0, 5) == f"overdue since {first.isoformat()}"
    assert cell_text(table, 0, 4).startswith(f"overdue: planned {first.isoformat()}")
    assert cell(table, 0, 5).foreground().color().name() == "#b3261e"
    assert "overdue from days gone by" in page.today.summary.text()


def test_alpha_is_a_planning_figure_and_what_to_order_shows_the_position(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    from desktop.services import mro
    from desktop.services.admin.plant_settings import planning
    from desktop.services.catalogue.suppliers import PartSupplierInput

    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "HELD-1", min_qty=Decimal(50), suppliers=(PartSupplierInput("Acme"),))
    receive(ctx.db, ctx.actor, part.id, tree["A-01-01"].id, "55")
    mro.reserve(ctx.db, ctx.actor, mro.ReservationInput(part.id, Decimal(10), "WO-9"))
    window.go_to("Settings")
    form = window.settings_page.planning
    form.alpha.setValue(0.35)
    form.save_button.click()
    assert planning(ctx.db).smoothing_alpha == Decimal("0.35")
    window.go_to("Reports")
    page = window.pages["Reports"]
    assert isinstance(page, ReportsPage)
    page.tabs.setCurrentWidget(page.replenishment)
    page.replenishment.refresh()
    tab = page.replenishment
    assert tab.alpha.value() == 0.35
    row = dict(zip(header_texts(tab.table), row_texts(tab.table, 0), strict=True))
    assert (row["Part number"], row["On hand"], row["Reserved"], row["Position"]) == (
        "HELD-1",
        "55",
        "10",
        "45",
    )
