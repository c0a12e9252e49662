"""`storeroom labels`: every code prints (and the clerk is told which used the short form), badges,
ZPL for Zebra printers, formats without loading the app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop.db import Database
from desktop.models.enums import Role
from desktop.services.admin import users
from desktop.services.catalogue import locations, scan
from desktop.services.catalogue.locations import LocationInput
from tests.cli_helpers import run_as
from tests.reports.helpers import decode, render_pages


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_as("admin", capsys, *args)


def test_a_subtree_with_long_codes_prints_every_label(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "demo", "--parts", "24")[0] == 0
    database = Database(f"sqlite:///{home / 'storeroom.sqlite3'}")
    try:  # a rack with the longest code the app allows, and a bin in it
        admin = users.ensure_user(database, "admin")
        for code, level, parent in (
            ("99-RK-01-SHELF-3-LEFT-BIN-0007", "RACK", "MAIN"),
            ("RK-01-SHELF-3", "BIN", "99-RK-01-SHELF-3-LEFT-BIN-0007"),
        ):
            locations.create_location(
                database, admin, LocationInput(code, f"Regal {code}", level, parent_code=parent)
            )
    finally:
        database.dispose()
    target = home / "plant.pdf"
    code, out, err = run(capsys, "labels", "bins", "PLANT1", "--subtree", "--out", str(target))
    assert code == 0, err  # Avery 5160, the default
    assert (
        "note: 1 of " in out and "use the short id form" in out and "(99-RK-01-SHELF-3-LEFT-BIN-0007)" in out
    )
    pages = render_pages(target.read_bytes(), dpi=300)
    found = set().union(*({text for _f, text in decode(page)} for page in pages))
    database = Database(f"sqlite:///{home / 'storeroom.sqlite3'}")
    try:
        resolved = {scan.resolve(database, text).location.location.code for text in found}  # type: ignore[union-attr]
        everything = {loc.code for loc in locations.list_locations(database)}
    finally:
        database.dispose()
    assert resolved == everything  # every location of the plant has a label that scans back to it
    assert "RK-01-SHELF-3" in resolved


def test_badges_print_on_a_cr80_card_and_as_zpl(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "init")[0] == 0
    database = Database(f"sqlite:///{home / 'storeroom.sqlite3'}")
    try:
        admin = users.ensure_user(database, "admin")
        users.save_user(
            database,
            admin,
            user_id=admin.user_id,
            user_name="admin",
            display_name="A",
            role=Role.ADMIN,
            secret="2468",
        )
        badge = users.save_user(
            database,
            admin,
            user_id=None,
            user_name="kim",
            display_name="Kim Ng",
            role=Role.KEEPER,
            secret="4711",
            badge_code="U-4F2A9C",
        )
    finally:
        database.dispose()
    monkeypatch.setenv("STOREROOM_PIN", "2468")  # accounts have PINs now: the admin's
    code, _out, err = run(capsys, "labels", "badges", "kim", "--out", str(home / "badge.pdf"))
    assert code == 0, err
    (page,) = render_pages((home / "badge.pdf").read_bytes())
    assert (
        decode(page) == {("Code128", "U-4F2A9C"), ("QRCode", "U-4F2A9C")} and badge.badge_code == "U-4F2A9C"
    )
    code, _out, err = run(
        capsys, "labels", "badges", "kim", "--format", "thermal-2x1in", "--zpl", "--out", str(home / "b.zpl")
    )
    assert code == 0 and "^FDU-4F2A9C^FS" in (home / "b.zpl").read_text()
    code, _, err = run(capsys, "labels", "badges", "admin", "--out", str(home / "x.pdf"))
    assert code == 2 and "admin has no badge code yet" in err
    code, _, err = run(
        capsys, "labels", "badges", "kim", "--format", "avery-5160", "--zpl", "--out", str(home / "x.zpl")
    )
    assert code == 2 and "ZPL is for thermal label printers" in err


def test_listing_formats_loads_neither_qt_nor_the_database() -> None:
    probe = (
        "import sys; from desktop.cli.main import main; main(['labels', 'formats']); "
        "print(sorted(m for m in ('PySide6', 'sqlalchemy', 'alembic', 'reportlab') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "card-cr80" in done.stdout and "thermal-2x1in" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"
