"""Users and the settings forms write through `operation.change`: other pages hear of the change (new
planning figures reach an open What to order, a new user is announced), and a refused save goes to the
form's banner with the cursor in the field at fault."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.services.admin.plant_settings import plant_identity
from desktop.services.topics import Topic
from desktop.ui.admin.users_page import UsersPage
from desktop.ui.context import AppContext
from desktop.ui.insight.reports_page import ReportsPage
from desktop.ui.main_window import MainWindow
from tests.ui.cells import cell_text
from tests.ui.keys import focus, press, type_in, type_text


def _heard(ctx: AppContext) -> list[frozenset[Topic]]:
    heard: list[frozenset[Topic]] = []
    ctx.events.data_changed.connect(heard.append)
    return heard


def test_new_planning_figures_reach_what_to_order_already_open(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    window.go_to("Reports")
    reports = window.pages["Reports"]
    assert isinstance(reports, ReportsPage)
    reports.tabs.setCurrentWidget(reports.replenishment)
    assert reports.replenishment.alpha.value() != 0.35
    heard = _heard(ctx)
    window.go_to("Settings")
    form = window.settings_page.planning
    focus(qtbot, form.alpha)
    form.alpha.selectAll()
    type_text(qtbot, "0.35")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.banner.kind == "ok" and heard == [frozenset({Topic.PLANNING})]
    window.go_to("Reports")  # the run-only figures started from the old ones: they start again
    assert reports.replenishment.alpha.value() == 0.35


def test_a_new_user_is_announced_and_listed(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    window.go_to("Users")
    page = window.pages["Users"]
    assert isinstance(page, UsersPage)
    heard = _heard(ctx)
    dialog = page.open_dialog(None)
    type_in(qtbot, dialog.user_name, "kim")
    type_in(qtbot, dialog.display_name, "Kim Keeper")
    type_in(qtbot, dialog.secret, "1234")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert heard == [frozenset({Topic.USERS})]
    assert "kim" in [cell_text(page.table, r, 0) for r in range(page.table.rowCount())]


def test_a_refused_user_stays_in_the_dialog_with_the_cursor_on_the_field(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    window.go_to("Users")
    page = window.pages["Users"]
    assert isinstance(page, UsersPage)
    heard = _heard(ctx)
    dialog = page.open_dialog(None)
    type_in(qtbot, dialog.user_name, "kim")
    type_in(qtbot, dialog.display_name, "Kim Keeper")
    type_in(qtbot, dialog.secret, "12")  # a PIN is at least 4 characters
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.banner.kind == "error"
    assert dialog.secret.hasFocus() and heard == []


def test_a_refused_plant_name_goes_to_the_banner_and_the_field(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    window.go_to("Settings")
    form = window.settings_page.purchasing
    type_in(qtbot, form.plant_name, "P" * 201)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.banner.kind == "error" and "Plant name is too long" in form.banner.text()
    assert form.plant_name.hasFocus() and plant_identity(ctx.db).name == ""


def test_count_settings_are_announced_to_the_counts_page(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    heard = _heard(ctx)
    window.go_to("Settings")
    form = window.settings_page.count_settings
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.banner.kind == "ok" and heard == [frozenset({Topic.COUNTS})]
