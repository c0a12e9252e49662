"""Pointing a PC at the shared server: tested before saving, password in the keyring, not in the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from pytestqt.qtbot import QtBot
from sqlalchemy import make_url

from desktop import config, credentials, paths
from desktop.tasks import WorkerSyncRunner
from desktop.ui.admin.connection_dialog import ConnectionDialog
from tests.conftest import create_pg_database, drop_pg_database


def _raise(exc: BaseException) -> None:
    raise exc


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring  # type: ignore[misc]
    keyring.set_keyring(previous)


@pytest.mark.postgres
def test_connect_save_and_reopen_with_keyring(
    qtbot: QtBot, home: Path, memory_keyring: MemoryKeyring
) -> None:
    url = make_url(create_pg_database("storeroom_conn"))
    try:
        dialog = ConnectionDialog(WorkerSyncRunner(_raise))
        qtbot.addWidget(dialog)
        dialog.host.setText(url.host or "127.0.0.1")
        dialog.port.setValue(url.port or 5432)
        dialog.database.setText(url.database or "")
        dialog.user.setText(url.username or "")
        dialog.password.setText("wrong-password")
        dialog.sslmode.setCurrentIndex(dialog.sslmode.findData("disable"))
        dialog.test()
        assert dialog.banner.kind == "error" and "connection" in dialog.banner.text().lower()
        dialog.password.setText(str(url.password))
        dialog.test()
        assert dialog.banner.kind == "ok" and f"PostgreSQL {url.username}@" in dialog.banner.text()
        dialog.save()
        assert dialog.result() == ConnectionDialog.DialogCode.Accepted
        saved = json.loads(paths.config_path().read_text())["database_url"]
        assert make_url(saved).password is None and "sslmode=disable" in saved
        assert memory_keyring.store[("Storeroom", credentials.account(saved))] == url.password
        reopened = make_url(config.database_url())
        assert reopened.password == url.password and reopened.database == url.database
    finally:
        drop_pg_database(url.render_as_string(hide_password=False))


def test_without_a_keyring_the_password_is_not_written(home: Path) -> None:
    class Broken(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.NoKeyringError("no backend")

    previous = keyring.get_keyring()
    keyring.set_keyring(Broken())
    try:
        kept = config.save_database_url("postgresql://ops:s3cret@db.plant:5432/storeroom")
    finally:
        keyring.set_keyring(previous)
    assert kept is False
    text = paths.config_path().read_text()
    assert "s3cret" not in text and credentials.needs_password(json.loads(text)["database_url"])
    assert not os.environ.get("STOREROOM_DB_URL")


def test_a_saved_sqlite_path_opens_as_it_is(home: Path) -> None:
    path = str(home / "plant.sqlite3")
    assert config.save_database_url(path) is True
    assert config.database_url() == path
