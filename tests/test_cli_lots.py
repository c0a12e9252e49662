"""Lots from the command line: a grease received with its GS1 label's lot and expiry, issued first expired
first out against a work order, traced both ways; serials; the expiry report; bad input posts nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from desktop.db import Database
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue.suppliers import create_supplier
from desktop.services.io.tabular import read_table
from tests.cli_helpers import run_as
from tests.factories import make_part, make_tree
from tests.reports.helpers import open_pdf


def soon() -> date:
    """Read at each use, not at import: a run that crosses midnight must not compare yesterday with today."""
    return date.today() + timedelta(days=10)


LATER = date.today() + timedelta(days=400)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_as("clerk", capsys, *args)  # the first user: an administrator


@pytest.fixture
def plant(home: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    assert run(capsys, "init")[0] == 0
    database = Database(f"sqlite:///{home / 'storeroom.sqlite3'}")
    admin = ensure_user(database, "clerk")
    make_tree(database, admin)
    make_part(database, admin, "GREASE-EP2", description="Grease EP2")
    make_part(database, admin, "PUMP-7", description="Dosing pump")
    make_part(database, admin)
    create_supplier(database, admin, "Lubes & Co")
    database.dispose()
    return home


def test_receive_issue_trace_and_report_lots(plant: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "receive", "--part", "6205-2RS", "--to", "A-01-01", "--qty", "1", "--lot", "X")
    assert code == 2 and "6205-2RS is not tracked by lot: receive it without a lot" in err
    code, out, _ = run(
        capsys, "lots", "tracking", "GREASE-EP2", "--tracking", "lot", "--shelf-life", "365", "--warn", "30"
    )
    assert code == 0 and out.strip() == "GREASE-EP2: tracking LOT, shelf life 365 days, warned 30 days ahead"
    code, _, err = run(capsys, "receive", "--part", "GREASE-EP2", "--to", "A-01-01", "--qty", "4")
    assert code == 2 and "GREASE-EP2 is tracked by lot: scan or type the lot" in err
    label = f"(01)04012345678901(17){soon():%y%m%d}(10)HEAT-1"
    code, out, _ = run(
        capsys, "receive", "--part", "GREASE-EP2", "--to", "A-01-01", "--qty", "4", "--lot", label,
        "--supplier", "lubes & co", "--reference", "DN-1",
    )  # fmt: skip
    assert (
        code == 0 and "Receipt 4 EA of GREASE-EP2 lot HEAT-1 to A-01-01 (LT-1, expires " + str(soon()) in out
    )
    code, out, _ = run(
        capsys, "receive", "--part", "GREASE-EP2", "--to", "A-01-01", "--qty", "6", "--lot", "HEAT-2",
        "--expires", str(LATER),
    )  # fmt: skip
    assert code == 0 and "(LT-2, expires " + str(LATER) in out
    code, out, _ = run(capsys, "lots", "in", "GREASE-EP2", "--bin", "A-01-01")
    assert out.splitlines()[0].startswith("-> lot HEAT-1 (expires") and "HEAT-2" in out.splitlines()[1]
    code, out, _ = run(
        capsys, "issue", "--part", "GREASE-EP2", "--from", "A-01-01", "--qty", "3", "--reference", "WO-88"
    )
    assert code == 0 and "Issue 3 EA of GREASE-EP2 lot HEAT-1 from A-01-01" in out
    code, out, _ = run(
        capsys, "issue", "--part", "GREASE-EP2", "--from", "A-01-01", "--qty", "1", "--lot", "heat-2",
        "--reference", "WO-88",
    )  # fmt: skip
    assert code == 0 and "lot HEAT-2" in out
    code, _, err = run(
        capsys, "issue", "--part", "GREASE-EP2", "--from", "A-01-01", "--qty", "1", "--lot", "NOPE"
    )
    assert code == 2 and "Unknown lot NOPE of GREASE-EP2" in err
    code, out, _ = run(capsys, "trace", "HEAT-1")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("LT-1  lot HEAT-1 of GREASE-EP2 (expires")
    assert "received 4 EA from Lubes & Co" in lines[1]
    assert "RECEIPT" in lines[2] and "A-01-01" in lines[2] and "DN-1" in lines[2]
    assert "ISSUE" in lines[3] and "WO-88" in lines[3]
    assert lines[-1] == "  now: A-01-01 1"
    code, out, _ = run(capsys, "trace", "--reference", "wo-88")
    assert code == 0 and out.startswith("2 move(s)") and "HEAT-1" in out and "HEAT-2" in out
    code, out, _ = run(capsys, "trace", "--reference", "WO-88", "--out", str(plant / "wo-88.csv"))
    assert code == 0 and out.startswith("Lots under WO-88: 2 move(s) to")
    saved = read_table(plant / "wo-88.csv")
    assert [(r[4], r[9]) for r in saved.rows] == [("HEAT-1", "WO-88"), ("HEAT-2", "WO-88")]
    code, out, _ = run(capsys, "trace", "HEAT-1", "--out", str(plant / "heat-1.pdf"))
    with open_pdf((plant / "heat-1.pdf").read_bytes()) as doc:
        text = doc.pages[0].extract_text()
    assert code == 0 and "Trace of lot HEAT-1" in text and "from Lubes & Co" in text
    code, out, _ = run(capsys, "report", "expiring", "--days", "15")
    rows = out.splitlines()
    assert code == 0 and rows[1].split("\t")[:4] == ["Expires", "Days left", "Part number", "Lot"]
    assert [r.split("\t")[3] for r in rows[2:]] == ["HEAT-1"]
    code, out, _ = run(capsys, "stock", "LT-2")
    assert code == 0 and out.startswith("LT-2: lot HEAT-2 of GREASE-EP2")
    assert out.splitlines()[-1].strip().startswith("A-01-01") and "lot HEAT-2" in out.splitlines()[-1]
    code, out, _ = run(capsys, "check-balances")
    assert code == 0 and "0 balance(s) differ" in out


def test_serials_on_the_command_line(plant: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "lots", "tracking", "PUMP-7", "--tracking", "serial")[0] == 0
    args = ("receive", "--part", "PUMP-7", "--to", "A-01-01", "--qty", "2")
    code, out, _ = run(capsys, *args, "--serial", "SN-1", "--serial", "SN-2")
    assert code == 0 and "lot SN-1" in out and "lot SN-2" in out
    code, _, err = run(capsys, *args, "--serial", "SN-2", "--serial", "SN-3")
    assert code == 2 and "Serial SN-2 of PUMP-7 was received already" in err
    code, _, err = run(capsys, "lots", "tracking", "PUMP-7", "--tracking", "none")
    assert code == 2 and "only when its stock is zero" in err


def test_lot_labels_print_and_scan_back_to_their_lot(plant: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.services.catalogue import scan
    from tests.reports.helpers import decode, render_pages

    assert run(capsys, "lots", "tracking", "GREASE-EP2", "--tracking", "lot", "--shelf-life", "90")[0] == 0
    longest = "H" * 38 + "-1"  # a lot number at its maximum, 40 characters
    for lot in (longest, "HEAT-2"):
        assert (
            run(capsys, "receive", "--part", "GREASE-EP2", "--to", "A-01-01", "--qty", "1", "--lot", lot)[0]
            == 0
        )
    target = plant / "lots.pdf"
    code, _, err = run(
        capsys, "labels", "lots", longest, "LT-2", "--format", "thermal-100x50mm", "--out", str(target)
    )
    assert code == 0, err
    read = [sorted(decode(page)) for page in render_pages(target.read_bytes(), dpi=300)]
    assert read == [[("Code128", "LT-1"), ("QRCode", "LT-1")], [("Code128", "LT-2"), ("QRCode", "LT-2")]]
    found = {text for page in read for _f, text in page}  # Code128 and QR of each carry the lot's code
    database = Database(f"sqlite:///{plant / 'storeroom.sqlite3'}")
    try:
        lots_found = {scan.resolve(database, text).lot.lot.lot_number for text in found}  # type: ignore[union-attr]
    finally:
        database.dispose()
    assert lots_found == {longest, "HEAT-2"}
    code, _, err = run(capsys, "labels", "lots", "NOPE", "--out", str(target))
    assert code == 2 and "Unknown lot NOPE" in err


def test_the_quarantine_location_is_chosen_once(plant: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "lots", "quarantine-location")[1].strip() == "none: expired stock is moved by hand"
    code, _, err = run(capsys, "lots", "quarantine-expired")
    assert code == 2 and "Name the quarantine location with --to" in err
    code, _, err = run(capsys, "lots", "quarantine-location", "A-01-01")
    assert code == 2 and "A-01-01 is not a quarantine location" in err
    code, out, _ = run(capsys, "lots", "quarantine-location", "q-01")
    assert code == 0 and out.strip() == "expired stock moves to Q-01 every hour"
    run(capsys, "lots", "tracking", "GREASE-EP2", "--tracking", "lot")
    gone = str(date.today() - timedelta(days=2))
    run(
        capsys,
        "receive",
        "--part",
        "GREASE-EP2",
        "--to",
        "A-01-01",
        "--qty",
        "2",
        "--lot",
        "OLD",
        "--expires",
        gone,
    )
    code, out, _ = run(capsys, "lots", "quarantine-expired")  # to the chosen location
    assert code == 0 and out.splitlines()[-1] == "1 expired lot(s) moved to Q-01"
    code, out, _ = run(capsys, "lots", "quarantine-location", "")
    assert code == 0 and out.strip() == "expired stock is moved by hand"


def test_mro_issues_take_the_lot_named(plant: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "lots", "tracking", "GREASE-EP2", "--tracking", "lot")
    for lot, days in (("FIRST", 10), ("LAST", 300)):
        when = str(date.today() + timedelta(days=days))
        run(
            capsys,
            "receive",
            "--part",
            "GREASE-EP2",
            "--to",
            "A-01-01",
            "--qty",
            "3",
            "--lot",
            lot,
            "--expires",
            when,
        )
    assert run(capsys, "mro", "asset", "PRESS-01", "Press 1")[0] == 0
    code, out, err = run(
        capsys, "mro", "issue-to", "--part", "GREASE-EP2", "--from", "A-01-01", "--qty", "1", "--wo", "WO-3",
        "--asset", "PRESS-01", "--lot", "last",
    )  # fmt: skip
    assert code == 0 and "lot LAST" in out, err
    code, out, _ = run(capsys, "mro", "reserve", "--part", "GREASE-EP2", "--qty", "2", "--wo", "WO-4")
    assert code == 0
    code, _, err = run(capsys, "mro", "issue", "1", "--from", "A-01-01", "--lot", "NOPE")
    assert code == 2 and "Unknown lot NOPE of GREASE-EP2" in err
    code, out, _ = run(capsys, "mro", "issue", "1", "--from", "A-01-01")  # none named: the first to expire
    assert code == 0 and "Issue 2 EA of GREASE-EP2 lot FIRST from A-01-01" in out
    code, out, _ = run(capsys, "trace", "--asset", "PRESS-01")
    assert code == 0 and "LAST" in out and "WO-3" in out


def test_count_a_tracked_part_per_lot(plant: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "lots", "tracking", "GREASE-EP2", "--tracking", "lot")
    run(capsys, "receive", "--part", "GREASE-EP2", "--to", "A-01-01", "--qty", "4", "--lot", "H-1")
    code, out, _ = run(capsys, "counts", "start", "A-01-01")
    assert code == 0 and "count session #1: 1 line(s)" in out
    code, _, err = run(capsys, "counts", "enter", "1", "A-01-01", "GREASE-EP2", "4")
    assert code == 2 and "GREASE-EP2 is tracked by lot: scan or type the lot" in err
    code, out, _ = run(capsys, "counts", "enter", "1", "A-01-01", "GREASE-EP2", "4", "--lot", "LT-1")
    assert code == 0 and out.strip() == "GREASE-EP2 H-1 in A-01-01: counted (variance 0)"
    code, _, err = run(capsys, "counts", "enter", "1", "A-01-01", "GREASE-EP2", "1", "--lot", "H-2")
    assert code == 2 and "Lot H-2 of GREASE-EP2 is not on record" in err
    code, out, _ = run(
        capsys, "counts", "enter", "1", "A-01-01", "GREASE-EP2", "1", "--lot", "H-2", "--new-lot"
    )
    assert code == 0 and out.strip() == "GREASE-EP2 H-2 in A-01-01: recount (variance 1)"
