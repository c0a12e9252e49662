"""People share PCs: sign in by PIN or badge, switch user, idle sign-out, only their role's tools shown."""

from __future__ import annotations

from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QLineEdit
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
from tests.ui.keys import focus, scan, type_text


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
    assert dialog.actor is None and "differ" in dialog.banner.text()
    dialog.secret.setText("1234")
    dialog.repeat.setText("1234")
    dialog.create_admin()
    assert dialog.actor is not None and dialog.actor.role is Role.ADMIN
    assert not users.needs_first_admin(sqlite_db)


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
    assert session.start()
    assert session.dialog is not None
    focus(qtbot, session.dialog.user_name)
    type_text(qtbot, "kim", enter=True)
    type_text(qtbot, "1111", enter=True)
    qtbot.waitUntil(lambda: session.window is not None)
    window = session.window
    assert window is not None and session.actor is not None and session.actor.user_name == "kim"
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
    assert session.window is not None and "Users" in session.window.pages
    qtbot.addWidget(session.window)
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
