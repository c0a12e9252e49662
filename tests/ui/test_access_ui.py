"""Access in the app: an administrator unlocks a locked account from the Users page; a restore from
Settings is audited; a database from a newer Storeroom gets a message box, not the crash dialog."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import make_url, select, text

from desktop import app
from desktop import db as dbmod
from desktop.db import Database
from desktop.models import AuditEvent
from desktop.models.enums import Role
from desktop.services.admin import users
from desktop.services.admin.access_settings import access_settings
from desktop.tasks import WorkerSyncRunner
from desktop.ui.admin.settings_page import SettingsPage
from desktop.ui.admin.sign_in import SignInDialog
from desktop.ui.admin.users_page import UserDialog, UsersPage
from desktop.ui.context import AppContext, AppEvents
from tests.services.test_server_roles_pg import shared  # noqa: F401 - the fixture
from tests.ui.keys import focus, type_text


def _raise(exc: BaseException) -> None:
    raise exc


def test_an_admin_unlocks_a_locked_account_on_the_users_page(
    qtbot: QtBot, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = users.create_first_admin(sqlite_db, "ada", "Ada", "9876")
    users.save_user(
        sqlite_db, ada, user_id=None, user_name="kim", display_name="Kim", role=Role.KEEPER, secret="1111"
    )
    for n in range(5):
        with sqlite_db.engine.begin() as conn:
            conn.execute(text("UPDATE sign_in_guard SET last_failure_at = '2000-01-01 00:00:00'"))
        with pytest.raises(users.PermissionDenied):
            users.authenticate(sqlite_db, "kim", f"000{n}", pc="PC-1")
    page = UsersPage(AppContext(sqlite_db, ada, WorkerSyncRunner(_raise), AppEvents()))
    qtbot.addWidget(page)
    page.show()
    offered: list[list[str]] = []

    def pick(_parent: object, _title: str, _label: str, items: list[str], *_args: object) -> tuple[str, bool]:
        offered.append(items)
        return items[0], True

    monkeypatch.setattr(QInputDialog, "getItem", pick)
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    assert len(offered[0]) == 1 and offered[0][0].startswith("Account kim — locked")
    assert "kim is unlocked" in page.banner.text()
    assert users.authenticate(sqlite_db, "kim", "1111", pc="PC-1").user_name == "kim"
    qtbot.mouseClick(page.unlock_button, Qt.MouseButton.LeftButton)
    assert "No account or PC is locked" in page.banner.text()


def test_a_restore_from_settings_is_audited_and_refused_to_others(
    qtbot: QtBot, sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOREROOM_HOME", str(tmp_path))
    ada = users.create_first_admin(sqlite_db, "ada", "Ada", "9876")
    saved = dbmod.backup_sqlite(sqlite_db, target=tmp_path / "saved.sqlite3")
    keeper = users.ensure_user(sqlite_db, "kim", role=Role.KEEPER)
    errors: list[BaseException] = []
    page = SettingsPage(AppContext(sqlite_db, keeper, WorkerSyncRunner(errors.append), AppEvents()))
    qtbot.addWidget(page)
    assert not page.restore_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, message: errors.append(RuntimeError(message)))
    page.restore(saved)  # even if a keeper reached it, the service says no
    assert "may not administer" in str(errors[-1])
    page = SettingsPage(AppContext(sqlite_db, ada, WorkerSyncRunner(_raise), AppEvents()))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.restored):
        page.restore(saved)
    actions = sqlite_db.read(
        lambda s: list(s.scalars(select(AuditEvent.summary).where(AuditEvent.action == "database.restore")))
    )
    assert len(actions) == 1 and actions[0].startswith("ada restored the database from saved.sqlite3")


def test_a_newer_schema_gets_a_clear_message_at_start_not_the_crash_dialog(
    qapp: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOREROOM_HOME", str(tmp_path))
    path = tmp_path / "plant.sqlite3"
    dbmod.open_database(str(path)).dispose()
    database = Database(str(path))
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0042_from_the_future'"))
    database.dispose()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, message: shown.append(message))
    crashes: list[BaseException] = []
    monkeypatch.setattr(app, "show_error", lambda _p, exc: crashes.append(exc))
    for _ in range(2):
        assert app.main(["--db", str(path)]) == 1
    assert crashes == [] and len(shown) == 2
    assert "upgraded by a newer Storeroom" in shown[0] and "0042_from_the_future" in shown[0]
    assert list((tmp_path / "backups").glob("*")) == []  # no copy per try


@pytest.mark.postgres
def test_on_a_shared_server_saving_an_account_asks_for_the_owners_login(
    qtbot: QtBot,
    shared: tuple[Database, Database, str],  # noqa: F811 - pytest's fixture, imported above
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner, runtime, _role = shared
    ada = users.create_first_admin(owner, "ada", "Ada", "9876")
    users.save_user(
        owner, ada, user_id=None, user_name="kim", display_name="Kim", role=Role.KEEPER, secret="1111"
    )
    ctx = AppContext(
        runtime, users.authenticate(runtime, "ada", "9876"), WorkerSyncRunner(_raise), AppEvents()
    )
    kim = next(u for u in users.list_users(runtime, ctx.actor) if u.user_name == "kim")
    asked: list[str] = []
    answers = iter([("", False), (str(make_url(owner.url).password), True)])

    def get_text(_parent: object, _title: str, label: str, *_args: object) -> tuple[str, bool]:
        asked.append(label)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", get_text)
    dialog = UserDialog(ctx, kim)
    qtbot.addWidget(dialog)
    dialog.role.setCurrentIndex(dialog.role.findData(Role.ADMIN.value))
    dialog.save()  # cancelled at the password: nothing saved, the reason stays on screen
    assert "only the database owner's login" in dialog.banner.text() and "storeroom" in asked[0]
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    assert next(u for u in users.list_users(runtime, ctx.actor) if u.user_name == "kim").role is Role.ADMIN


def test_the_sign_in_dialog_shows_the_wait_and_the_lock(qtbot: QtBot, sqlite_db: Database) -> None:
    ada = users.create_first_admin(sqlite_db, "ada", "Ada", "9876")
    users.save_user(
        sqlite_db, ada, user_id=None, user_name="kim", display_name="Kim", role=Role.KEEPER, secret="1111"
    )
    dialog = SignInDialog(sqlite_db, WorkerSyncRunner(_raise))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.user_name, "kim")
    qtbot.keyClick(dialog.user_name, Qt.Key.Key_Return)
    texts = []
    for pin in ("0000", "0001", "0002", "1111"):  # typed like a person, Enter after each
        qtbot.keyClicks(dialog.secret, pin)
        qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
        texts.append(dialog.banner.text())
    assert "Wrong user name or PIN." in texts[0] and "Wait" not in texts[1]
    assert "Wait 2 s before the next try" in texts[2]
    assert "Too many wrong PINs: wait" in texts[3] and dialog.actor is None
    for _ in range(2):
        with sqlite_db.engine.begin() as conn:
            conn.execute(text("UPDATE sign_in_guard SET last_failure_at = '2000-01-01 00:00:00'"))
        qtbot.keyClicks(dialog.secret, "9999")
        qtbot.keyClick(dialog.secret, Qt.Key.Key_Return)
    assert "locked after 5 wrong PINs; an administrator can unlock it" in dialog.banner.text()


def test_an_admin_sets_the_access_limits_on_the_users_page(qtbot: QtBot, sqlite_db: Database) -> None:
    ada = users.ensure_user(sqlite_db, "ada", role=Role.ADMIN)
    page = UsersPage(AppContext(sqlite_db, ada, WorkerSyncRunner(_raise), AppEvents()))
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    form = page.limits
    assert (
        form.adjust_limit.value() == 250 and form.pin_failures.value() == 5 and form.pc_failures.value() == 20
    )
    focus(qtbot, form.adjust_limit)
    form.adjust_limit.selectAll()
    type_text(qtbot, "99.5")
    form.pin_failures.setValue(4)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert "Saved" in form.banner.text()
    saved = access_settings(sqlite_db)
    assert saved.adjust_value_limit == Decimal("99.5") and saved.pin_failures == 4
