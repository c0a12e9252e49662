"""UI fixtures: a real database, a task runner that works off the GUI thread yet delivers at once, the
real main window, and the guard that fails a test whose UI code touched the database on the GUI thread."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import TypeVar

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, event

from desktop.db import Database
from desktop.models.enums import Role
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.tasks import WorkerSyncRunner
from desktop.ui import app_style, ui_scale
from desktop.ui.context import AppContext, AppEvents
from desktop.ui.main_window import MainWindow
from tests.ui.gui_thread_guard import GuiThreadGuard, WriteGuard

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True, scope="session")
def _app_style(qapp: QApplication) -> None:
    """The style the app installs at start (desktop/ui/app_style.py), so its drawing runs in every test."""
    app_style.install(qapp)


@pytest.fixture(autouse=True)
def _collect_between_tests() -> Iterator[None]:
    """As in the app (desktop/ui/garbage.py): no automatic collection while Qt delivers events, where
    freeing an earlier test's dialog from a reference cycle crashed the suite; collected after each test."""
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()


@pytest.fixture(autouse=True)
def _text_size() -> Iterator[None]:
    """Every UI test sees the default text size a new PC gets, whatever a test before it chose."""
    ui_scale.apply(ui_scale.DEFAULT)
    yield
    ui_scale.apply(ui_scale.DEFAULT)


G = TypeVar("G", GuiThreadGuard, WriteGuard)


def _guarding(guard: G, failure: str) -> Iterator[G]:
    """Listens with `guard` on every engine for the test, then fails it with what the guard noted."""
    event.listen(Engine, "before_cursor_execute", guard)
    yield guard
    event.remove(Engine, "before_cursor_execute", guard)
    if guard.offences:
        pytest.fail(f"{failure}:\n{guard.report()}", pytrace=False)


@pytest.fixture(autouse=True)
def _no_database_on_gui_thread() -> Iterator[GuiThreadGuard]:
    """Fails a test in which UI code ran SQL on the GUI thread instead of through the runner."""
    yield from _guarding(GuiThreadGuard(), "database work on the GUI thread (use ctx.runner)")


@pytest.fixture(autouse=True)
def _writes_through_operation_change() -> Iterator[WriteGuard]:
    """Fails a test in which UI code wrote through `ctx.runner.run` rather than `operation.change`."""
    yield from _guarding(WriteGuard(), "a write outside operation.change (its topics go unannounced)")


def _raise(exc: BaseException) -> None:
    raise exc  # an error nobody handled is a test failure


@pytest.fixture
def actor(sqlite_db: Database) -> Actor:
    return ensure_user(sqlite_db, "admin", role=Role.ADMIN)


@pytest.fixture
def ctx(sqlite_db: Database, actor: Actor) -> AppContext:
    return AppContext(sqlite_db, actor, WorkerSyncRunner(_raise), AppEvents())


def shown_window(qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    """The real main window on `ctx`, on screen; its move dialog closed after the test."""
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    if win.move_dialog is not None:
        win.move_dialog.close()


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    yield from shown_window(qtbot, ctx)
