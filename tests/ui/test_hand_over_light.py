"""A hand-over builds only what the next person sees first; work that outlives its window is dropped."""

from __future__ import annotations

import shiboken6
from desktop.services.topics import Topic
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.models.enums import MoveKind
from desktop.tasks import TaskRunner
from desktop.ui.catalogue.locations_page import LocationsPage
from desktop.ui.context import AppContext
from desktop.ui.kanban.kanban_page import KanbanPage
from desktop.ui.main_window import MainWindow
from desktop.ui.stock.stock_page import StockPage
from tests.factories import make_tree
from tests.ui.keys import focus


def test_a_new_window_builds_the_scan_pages_and_the_others_when_first_shown(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    assert [type(p).__name__ for p in window.pages.built()] == ["PartsPage", "PartPage", "LocationPage"]
    assert "Kanban" in window.pages and len(window.pages.built()) == 3  # asking does not build it
    window.nav.setCurrentRow(3)  # Kanban, as a click in the sidebar
    page = window.pages.built_page("Kanban")
    assert isinstance(page, KanbanPage) and window.stack.currentWidget() is page
    # a page built later is wired to the window like the others were
    stock = window.stock_page
    assert isinstance(stock, StockPage)
    stock.move_requested.emit(MoveKind.RECEIPT)
    assert window.move_dialog is not None and window.move_dialog.isVisible()
    window.move_dialog.close()
    # and hears about changes once it exists
    locations = window.locations_page
    assert isinstance(locations, LocationsPage) and not locations.rows
    tree = make_tree(ctx.db, ctx.actor)
    ctx.events.changed(Topic.LOCATIONS)
    assert {r.code for r in locations.rows.values()} >= {t.code for t in tree.values()}


def test_building_a_page_leaves_the_cursor_in_the_scan_box(qtbot: QtBot, window: MainWindow) -> None:
    """A page built while the keeper scans must not open anything of its own that takes the keyboard
    (a button shown before it had a parent did: the scan box lost its focus)."""
    focus(qtbot, window.scan_box)
    for name in window.pages.waiting():
        _ = window.pages[name]
        qtbot.wait(5)
        assert QApplication.focusWidget() is window.scan_box, name
        assert QApplication.activeWindow() is window, name


class _Screen(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.shown: list[int] = []

    @Slot(object)
    def show(self, value: int) -> None:
        self.shown.append(value)


def test_a_result_for_a_window_closed_meanwhile_is_dropped(qtbot: QtBot) -> None:
    errors: list[BaseException] = []
    runner = TaskRunner(errors.append)
    alive, gone = _Screen(), _Screen()
    runner.run(lambda: 1, alive.show)
    runner.run(lambda: 2, gone.show)
    shiboken6.delete(gone)  # its window was handed over while the work ran
    qtbot.waitUntil(lambda: runner._pending == 0)
    runner.shutdown()
    assert alive.shown == [1] and errors == []
