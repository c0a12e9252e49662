"""People share PCs: sign in by PIN or badge, switch user, idle sign-out, only their role's tools shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from desktop.db import Database
from desktop.models.enums import Role
from desktop.services.admin import audit, users
from desktop.tasks import WorkerSyncRunner
from desktop.ui.admin.session import UserSession
from desktop.ui.admin.sign_in import FirstAdminDialog, SignInDialog
from desktop.ui.context import AppContext, AppEvents
from desktop.ui.main_window import MainWindow
from tests.factories import make_keeper
from tests.ui.keys import focus, press, scan, type_text


def _raise(exc: BaseException) -> None:
    raise exc


def _people(db: Database) -> None:
    admin = users.create_first_admin(db, "ada", "Ada Admin", "9876")
    make_keeper(db, admin)
    users.save_user(
        db, admin, user_id=None, user_name="vic", display_name="Vic Viewer", role=Role.VIEWER, secret="2222"
    )


def test_first_admin_dialog_checks_the_repeat(qtbot: QtBot, sqlite_db: Database) -> None:
    dialog = FirstAdminDialog(sqlite_db, WorkerSyncRunner(_raise), "ada")
    qtbot.addWidget(dialog)
    dialog.secret.setText("1234")
    dialog.repeat.setText("1243")
    dialog.create_admin()
    refused = dialog.actor  # a local: asserting on `dialog.actor` would narrow it for mypy for good
    assert refused is None and "differ" in dialog.banner.text()
    dialog.secret.setText("1234")
    dialog.repeat.setText("1234")
    dialog.create_admin()
    assert dialog.actor is not None and dialog.actor.role is Role.ADMIN
    assert not users.needs_first_admin(sqlite_db)


def _new_session(qtbot: QtBot, db: Database) -> tuple[UserSession, list[bool]]:
    session = UserSession(db, WorkerSyncRunner(_raise), AppEvents(), idle_minutes=10)
    ended: list[bool] = []
    session.ended.connect(lambda: ended.append(True))
    on_screen = QLabel("another window")  # a window up: the guard fails SQL run on the GUI thread
    qtbot.addWidget(on_screen)
    on_screen.show()
    session.start()  # asks the database on the worker whether an administrator exists
    return session, ended


def test_an_empty_database_asks_for_the_first_administrator_then_opens_the_window(
    qtbot: QtBot, sqlite_db: Database
) -> None:
    session, ended = _new_session(qtbot, sqlite_db)
    first = session.first_dialog
    assert first is not None and first.isVisible() and session.dialog is None
    focus(qtbot, first.user_name)
    first.user_name.selectAll()
    type_text(qtbot, "ada")
    for field, text in ((first.display_name, "Ada Admin"), (first.secret, "1234")):
        focus(qtbot, field)
        type_text(qtbot, text)
    focus(qtbot, first.repeat)
    type_text(qtbot, "1234", enter=True)
    qtbot.waitUntil(lambda: session.window is not None)
    window = session.window
    assert window is not None and "Ada Admin" in window.user_label.text()
    qtbot.addWidget(window)
    assert session.first_dialog is None and ended == []


def test_cancelling_the_first_administrator_ends_the_app(qtbot: QtBot, sqlite_db: Database) -> None:
    session, ended = _new_session(qtbot, sqlite_db)
    first = session.first_dialog
    assert first is not None
    focus(qtbot, first.user_name)
    press(qtbot, Qt.Key.Key_Escape)
    assert ended == [True] and session.window is None and session.actor is None
    assert users.needs_first_admin(sqlite_db)


def test_with_an_administrator_the_sign_in_comes_first(qtbot: QtBot, sqlite_db: Database) -> None:
    _people(sqlite_db)
    session, _ended = _new_session(qtbot, sqlite_db)
    assert session.dialog is not None and session.dialog.isVisible() and session.first_dialog is None
    session.dialog.close()


def test_sign_in_with_pin_then_badge(qtbot: QtBot, sqlite_db: Database) -> None:
    _people(sqlite_db)
    dialog = SignInDialog(sqlite_db, WorkerSyncRunner(_raise))
    qtbot.addWidget(dialog)
    dialog.show()
    focus(qtbot, dialog.user_name)
    type_text(qtbot, "kim", enter=True)
    assert dialog.focusWidget() is dialog.secret
    type_text(qtbot, "0000", enter=True)
    assert dialog.actor is None and "Wrong user name or PIN" in dialog.banner.text()
    assert dialog.user_name.text() == "kim" and dialog.secret.text() == ""
    assert dialog.secret.echoMode() is QLineEdit.EchoMode.Password  # the PIN is never shown
    with qtbot.waitSignal(dialog.signed_in) as signed:
        type_text(qtbot, "1111", enter=True)
    assert signed.args[0].user_name == "kim"

    badge = SignInDialog(sqlite_db, WorkerSyncRunner(_raise))
    qtbot.addWidget(badge)
    badge.show()
    focus(qtbot, badge.user_name)
    with qtbot.waitSignal(badge.signed_in) as signed:
        scan(qtbot, "U-KIM1")  # the badge scanner types the code and Enter
    assert signed.args[0].role is Role.KEEPER


def test_switch_user_and_idle_sign_out(qtbot: QtBot, sqlite_db: Database) -> None:
    _people(sqlite_db)
    session = UserSession(sqlite_db, WorkerSyncRunner(_raise), AppEvents(), idle_minutes=10)
    session.start()
    assert session.dialog is not None
    focus(qtbot, session.dialog.user_name)
    type_text(qtbot, "kim", enter=True)
    type_text(qtbot, "1111", enter=True)
    qtbot.waitUntil(lambda: session.window is not None)
    window, kim = session.window, session.actor
    assert window is not None and kim is not None and kim.user_name == "kim"
    qtbot.addWidget(window)
    assert "Kim Keeper" in window.user_label.text()
    # what a keeper may not do is not shown
    assert not window.parts_page.new_button.isVisibleTo(window)
    assert "Users" not in window.pages and "Audit" not in window.pages
    window.switch_button.click()  # hand the PC over
    qtbot.waitUntil(lambda: session.window is None)
    assert session.actor is None and session.dialog is not None
    focus(qtbot, session.dialog.user_name)
    type_text(qtbot, "ada", enter=True)
    type_text(qtbot, "9876", enter=True)
    qtbot.waitUntil(lambda: session.window is not None)
    window = session.window
    assert window is not None and "Users" in window.pages
    qtbot.addWidget(window)
    session.set_idle_minutes(0.001)  # 60 ms
    session.idle.start()
    qtbot.waitUntil(lambda: session.actor is None, timeout=3000)  # nobody touched the PC: signed out
    assert session.window is None and session.dialog is not None and "without use" in session.dialog.message
    trail = audit.audit_trail(sqlite_db, users.authenticate(sqlite_db, "ada", "9876"))
    outs = [r.summary for r in trail if r.action == "user.sign_out"]
    assert sorted(outs) == ["ada signed out (idle)", "kim signed out"]


def test_viewer_sees_no_move_buttons(qtbot: QtBot, sqlite_db: Database) -> None:
    _people(sqlite_db)
    viewer = users.authenticate(sqlite_db, "vic", "2222")
    window = MainWindow(AppContext(sqlite_db, viewer, WorkerSyncRunner(_raise), AppEvents()))
    qtbot.addWidget(window)
    assert not any(b.isVisibleTo(window) for b in window.stock_page.buttons.values())
    keys = {shortcut.key().toString() for shortcut in window.findChildren(QShortcut)}
    assert "F2" in keys and not keys & {"F5", "F6", "F7", "F8", "F9"}  # no move shortcuts for a viewer
