"""From the command line: a restore needs an administrator and is audited; `audit verify` names a
broken row; an administrator unlocks accounts and sets the access limits; a database from a newer
Storeroom is refused with a message, without a traceback and without another backup copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from desktop import db as dbmod
from desktop.cli.main import main
from desktop.db import Database
from desktop.models import AuditEvent
from desktop.models.enums import Role
from desktop.services.admin import users


@pytest.fixture
def plant(home: Path) -> Path:
    """A database whose accounts have PINs: ada (admin, 9876) and kim (keeper, 1111)."""
    path = home / "plant.sqlite3"
    database = dbmod.open_database(str(path))
    ada = users.create_first_admin(database, "ada", "Ada Admin", "9876")
    users.save_user(
        database, ada, user_id=None, user_name="kim", display_name="Kim", role=Role.KEEPER, secret="1111"
    )
    database.dispose()
    return path


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, pin: str | None, *args: str
) -> tuple[int, str, str]:
    if pin is None:
        monkeypatch.delenv("STOREROOM_PIN", raising=False)
    else:
        monkeypatch.setenv("STOREROOM_PIN", pin)
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _audit(path: Path) -> list[tuple[str, str]]:
    database = Database(str(path))
    rows = database.read(lambda s: list(s.execute(select(AuditEvent.action, AuditEvent.summary)).tuples()))
    database.dispose()
    return rows


def test_restore_needs_an_administrator_and_is_audited(
    plant: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(plant)
    backup = home / "saved.sqlite3"
    assert run(capsys, monkeypatch, None, "--db", db, "backup", "--to", str(backup))[0] == 0
    code, _, err = run(capsys, monkeypatch, None, "--db", db, "restore", str(backup), "--yes")
    assert code == 2 and "give --user NAME" in err  # no user: refused
    code, _, err = run(
        capsys, monkeypatch, "1111", "--db", db, "--user", "kim", "restore", str(backup), "--yes"
    )
    assert code == 2 and "may not administer users and the database" in err
    code, _, err = run(
        capsys, monkeypatch, "0000", "--db", db, "--user", "ada", "restore", str(backup), "--yes"
    )
    assert code == 2 and "Wrong user name or PIN" in err
    assert not any(action == "database.restore" for action, _ in _audit(plant))
    code, out, err = run(
        capsys, monkeypatch, "9876", "--db", db, "--user", "ada", "restore", str(backup), "--yes"
    )
    assert code == 0 and "restored" in out, err
    restored = [summary for action, summary in _audit(plant) if action == "database.restore"]
    assert len(restored) == 1 and restored[0].startswith("ada restored the database from saved.sqlite3")
    code, out, _ = run(capsys, monkeypatch, "9876", "--db", db, "--user", "ada", "audit", "verify")
    assert code == 0 and "audit trail intact" in out
    database = Database(db)
    head = database.read(
        lambda s: s.scalar(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))
    )
    database.dispose()
    assert f"last hash {head}" in out


def test_audit_verify_names_the_row_someone_edited(
    plant: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(plant)
    database = Database(db)
    with database.engine.begin() as conn:
        victim = conn.execute(text("SELECT min(id) FROM audit_event WHERE action = 'user.create'")).scalar()
        conn.execute(
            text("UPDATE audit_event SET summary = 'created kim as ADMIN' WHERE id = :i"), {"i": victim}
        )
    database.dispose()
    code, out, err = run(capsys, monkeypatch, "9876", "--db", db, "--user", "ada", "audit", "verify")
    assert code == 1 and f"BROKEN at row #{victim}: its content was changed" in out, err


def test_an_admin_unlocks_from_the_command_line_and_sets_the_limits(
    plant: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(plant)
    for pin in ("0", "00", "000", "0000", "00000"):
        database = Database(db)  # the clock moves on between tries
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE sign_in_guard SET last_failure_at = '2000-01-01 00:00:00'"))
        database.dispose()
        code, _, err = run(capsys, monkeypatch, pin + "0000", "--db", db, "--user", "kim", "stock", "X")
        assert code == 2 and "Wrong user name or PIN" in err
    assert "locked after 5 wrong PINs; an administrator can unlock it" in err
    code, _, err = run(capsys, monkeypatch, "1111", "--db", db, "--user", "kim", "stock", "X")
    assert code == 2 and "locked after 5 wrong PINs" in err and "Traceback" not in err
    code, out, _ = run(capsys, monkeypatch, "9876", "--db", db, "--user", "ada", "users", "unlock", "--list")
    assert code == 0 and "kim" in out and "1 locked" in out
    code, out, _ = run(capsys, monkeypatch, "9876", "--db", db, "--user", "ada", "users", "unlock", "kim")
    assert code == 0 and "unlocked account kim" in out
    code, _, err = run(capsys, monkeypatch, "1111", "--db", db, "--user", "kim", "users", "unlock", "kim")
    assert code == 2 and "may not administer" in err
    code, _, err = run(capsys, monkeypatch, "1111", "--db", db, "--user", "kim", "stock", "X")
    assert "locked" not in err  # signed in; the code is simply unknown
    code, out, _ = run(capsys, monkeypatch, "1111", "--db", db, "--user", "kim", "access-settings")
    assert code == 0 and "adjust-limit  250.00" in out
    code, _, err = run(
        capsys, monkeypatch, "1111", "--db", db, "--user", "kim", "access-settings", "--adjust-limit", "9"
    )
    assert code == 2 and "may not administer" in err
    args = ("--db", db, "--user", "ada", "access-settings", "--adjust-limit", "1000", "--pin-failures", "4")
    code, out, _ = run(capsys, monkeypatch, "9876", *args)
    assert code == 0 and "adjust-limit  1,000.00" in out and "pin-failures  4" in out


def test_a_database_from_a_newer_storeroom_is_refused_before_any_backup(
    plant: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(str(plant))
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0042_from_the_future'"))
        conn.execute(
            text("UPDATE app_setting SET value = 'Storeroom 3.1.0' WHERE key = 'schema.upgraded_by'")
        )
    database.dispose()
    backups = home / "backups"
    before = sorted(backups.glob("*")) if backups.exists() else []
    for command in (["init"], ["upgrade"], ["stock", "X"], ["--user", "ada", "audit", "verify"]):
        code, out, err = run(capsys, monkeypatch, "9876", "--db", str(plant), *command)
        assert code == 2 and "Traceback" not in err + out
        assert (
            "This database was upgraded by a newer Storeroom (Storeroom 3.1.0, schema revision "
            "0042_from_the_future). Install that version (or a newer one) on this PC" in err
        )
    assert (sorted(backups.glob("*")) if backups.exists() else []) == before  # no copy per try
