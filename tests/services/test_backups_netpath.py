"""SQLite safety: never on a network share, daily backups kept two weeks, restore that loses nothing."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from desktop import backups
from desktop import db as dbmod
from desktop.db import Database
from desktop.errors import UserError
from desktop.netpath import network_filesystem
from desktop.services.admin.users import ensure_user
from desktop.services.stock import moves as stock
from tests.factories import make_part, make_tree, receive

MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
//files.plant.local/stores /mnt/stores cifs rw,vers=3.0 0 0
nas:/export/home /home/shared nfs4 rw 0 0
tmpfs /tmp tmpfs rw 0 0
"""


def test_network_filesystems_are_recognised() -> None:
    assert network_filesystem(Path("/mnt/stores/storeroom.sqlite3"), MOUNTS) == "cifs"
    assert network_filesystem(Path("/home/shared/x/db.sqlite3"), MOUNTS) == "nfs4"
    assert network_filesystem(Path("/tmp/db.sqlite3"), MOUNTS) is None
    assert network_filesystem(Path("/mnt/storesX/db.sqlite3"), MOUNTS) is None  # a prefix is not a mount


def test_sqlite_on_a_network_share_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(dbmod, "network_filesystem", lambda folder: "cifs")
    with pytest.raises(UserError, match=r"network share \(cifs\).*PostgreSQL"):
        Database(str(tmp_path / "storeroom.sqlite3"))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STOREROOM_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_scheduled_backups_are_daily_and_pruned(sqlite_db: Database, home: Path) -> None:
    first = backups.backup_if_due(sqlite_db)
    assert first is not None and first.exists()
    assert backups.backup_if_due(sqlite_db) is None  # not due again within the day
    for n in range(20):  # pretend many days went by
        old = first.with_name(f"storeroom-2026010{n:02d}-000000-scheduled.sqlite3")
        old.write_bytes(first.read_bytes())
        os.utime(old, (time.time() - (n + 2) * 86400,) * 2)
    os.utime(first, (time.time() - 2 * 86400,) * 2)
    made = backups.backup_if_due(sqlite_db, keep=14)
    assert made is not None
    kept = sorted((home / "backups").glob("*-scheduled.sqlite3"))
    assert len(kept) == 14 and made in kept


def test_restore_brings_back_the_backup_and_keeps_the_current(sqlite_db: Database, home: Path) -> None:
    admin = ensure_user(sqlite_db, "root")
    tree = make_tree(sqlite_db, admin)
    part = make_part(sqlite_db, admin)
    receive(sqlite_db, admin, part.id, tree["A-01-01"].id, "5")
    saved = dbmod.backup_sqlite(sqlite_db, reason="test")
    receive(sqlite_db, admin, part.id, tree["A-01-01"].id, "7")  # after the backup: undone by the restore
    assert stock.balance(sqlite_db, part.id, tree["A-01-01"].id) == 12
    safety = backups.restore_sqlite(sqlite_db, saved, admin)
    assert stock.balance(sqlite_db, part.id, tree["A-01-01"].id) == 5
    with sqlite3.connect(safety) as conn:  # what was there before is kept
        assert conn.execute("SELECT count(*) FROM stock_move").fetchone()[0] == 2


def test_restore_refuses_files_that_are_not_good_backups(
    sqlite_db: Database, home: Path, tmp_path: Path
) -> None:
    admin = ensure_user(sqlite_db, "root")
    junk = tmp_path / "notes.sqlite3"
    with sqlite3.connect(junk) as conn:
        conn.execute("CREATE TABLE notes (x)")
    with pytest.raises(UserError, match="not a Storeroom database"):
        backups.restore_sqlite(sqlite_db, junk, admin)
    text = tmp_path / "text.sqlite3"
    text.write_text("hello")
    with pytest.raises(UserError, match="not a Storeroom database"):
        backups.check_backup(text)
    future = tmp_path / "future.sqlite3"
    future.write_bytes(Path(str(sqlite_db.sqlite_path)).read_bytes())
    with sqlite3.connect(future) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(UserError, match="newer Storeroom"):
        backups.check_backup(future)
    with pytest.raises(UserError, match="database in use"):
        backups.restore_sqlite(sqlite_db, Path(str(sqlite_db.sqlite_path)), admin)
