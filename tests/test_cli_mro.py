"""`storeroom mro ...`: set up a machine and its spares, look at them by tag, reserve, issue, report."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.cli_helpers import run_as
from tests.reports.helpers import decode, render_pages
from tests.test_cli import run


def test_mro_commands(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init")[0] == 0
    assert run(capsys, "demo", "--parts", "24")[0] == 0
    code, out, _ = run(capsys, "receive", "--part", "BRG-1000", "--to", "A-01-01", "--qty", "3")
    assert code == 0
    code, out, _ = run(capsys, "mro", "asset", "LINE-1", "Line 1", "--level", "LINE")
    assert code == 0 and "tag A-LINE-1" in out
    code, out, _ = run(
        capsys, "mro", "asset", "press-09", "Press 9", "--parent", "A-LINE-1", "--criticality", "high"
    )
    assert code == 0 and "asset PRESS-09 (machine), tag A-PRESS-09" in out
    assert run(capsys, "mro", "spare", "A-PRESS-09", "BRG-1000", "--installed", "2")[0] == 0
    code, out, _ = run(capsys, "mro", "spares", "A-PRESS-09")
    assert "LINE-1 > PRESS-09" in out and "BRG-1000" in out and "A-01-01:" in out
    code, out, err = run(capsys, "mro", "reserve", "--part", "BRG-1000", "--qty", "999", "--wo", "WO-1")
    assert code == 2 and "EA of BRG-1000 available" in err
    code, out, _ = run(
        capsys, "mro", "reserve", "--part", "BRG-1000", "--qty", "2", "--wo", "WO-1", "--asset", "A-PRESS-09"
    )
    assert code == 0 and out.startswith("reservation #2: 2 EA of BRG-1000 for WO-1")  # the demo made #1
    code, out, _ = run(capsys, "mro", "reservations", "--asset", "PRESS-09")
    assert "WO-1" in out and "open        2 EA" in out
    code, out, _ = run(capsys, "mro", "issue", "2", "--from", "L-A-01-01", "--qty", "1")
    assert code == 0 and "Issue 1 EA of BRG-1000 from A-01-01; 1 still reserved" in out
    code, out, _ = run(capsys, "mro", "release", "2")
    assert code == 0 and "now CLOSED" in out
    code, out, _ = run(capsys, "mro", "return", "2", "--to", "A-01-02", "--qty", "1")
    assert code == 0 and "Return 1 EA of BRG-1000 to A-01-02" in out
    code, out, _ = run(
        capsys,
        "mro",
        "issue-to",
        "--part",
        "BRG-1000",
        "--from",
        "A-01-02",
        "--qty",
        "1",
        "--wo",
        "WO-2",
        "--asset",
        "PRESS-09",
    )
    assert code == 0 and "Issue 1 EA of BRG-1000 from A-01-02 for WO-2" in out
    code, out, _ = run(capsys, "mro", "report", "usage")
    assert out.split()[:3] == ["PRESS-09", "BRG-1000", "1"]  # issued 1 + 1, returned 1
    code, out, _ = run(capsys, "mro", "spares", "A-PRESS-01")  # the demo's press, with its spares
    assert "PLANT1 > LINE1 > PRESS-01" in out and len(out.splitlines()) >= 6
    assert run(capsys, "mro", "report", "critical")[0] == 0
    assert run(capsys, "mro", "report", "idle", "--months", "3")[0] == 0
    code, out, _ = run(capsys, "mro", "xref", "BRG-1000", "superseded-by", "BELT-1009")
    assert code == 0 and "use BELT-1009 (BRG-1000 -> BELT-1009)" in out
    assert run(capsys, "mro", "xref", "BRG-1000", "manufacturer", "6205-2RSH", "--maker", "SKF")[0] == 0
    code, out, _ = run(capsys, "mro", "where-used", "BRG-1000")
    assert "superseded: use BELT-1009" in out and "SKF" in out and "fits PRESS-09" in out
    out_pdf = home / "tags.pdf"
    code, out, _ = run(capsys, "mro", "tags", "A-LINE-1", "PRESS-09", "--out", str(out_pdf))
    assert code == 0 and "2 asset tag(s)" in out
    assert {t for _f, t in decode(render_pages(out_pdf.read_bytes())[0])} == {"A-LINE-1", "A-PRESS-09"}
    code, _, err = run(capsys, "mro", "spares", "A-NOPE")
    assert code == 2 and "No asset has the tag A-NOPE" in err


def test_storeroom_issue_respects_reservations(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """3 bearings on hand, all reserved for WO-OTHER: `storeroom issue` refuses them unless told."""
    from desktop import config
    from desktop.db import Database
    from desktop.models.enums import Role
    from desktop.services import mro
    from desktop.services.admin.users import ensure_user
    from desktop.services.mro import ReservationInput
    from desktop.services.stock import moves as stock
    from tests.factories import make_part, make_tree, receive

    assert run_as("admin", capsys, "init")[0] == 0
    database = Database(config.database_url())
    admin = ensure_user(database, "admin")
    ensure_user(database, "keeper", role=Role.KEEPER)
    bin_id = make_tree(database, admin)["A-01-01"].id
    part = make_part(database, admin)
    receive(database, admin, part.id, bin_id, "3")
    held = mro.reserve(database, admin, ReservationInput(part.id, Decimal(3), "WO-OTHER"))

    def issue(*args: str) -> tuple[int, str, str]:
        return run_as("keeper", capsys, "issue", "--part", "6205-2RS", "--from", "A-01-01", *args)

    code, out, err = issue("--qty", "2")
    assert code == 2 and out == ""
    assert "Only 0 EA of 6205-2RS are free: the rest is reserved (WO-OTHER 3)" in err
    assert "Add --take-reserved to issue 2 anyway." in err
    code, _, err = issue("--qty", "5", "--allow-short")  # the short issue too: the bin's 3 are WO-OTHER's
    assert code == 2 and "(WO-OTHER 3)" in err and "Add --take-reserved to issue 3 anyway." in err
    assert stock.balance(database, part.id, bin_id) == 3
    code, out, _ = issue("--qty", "1", "--reference", "wo-other")  # the work order named: its own stock
    assert code == 0 and "Issue 1 EA of 6205-2RS from A-01-01" in out
    assert f"against WO-OTHER's reservation #{held.id}: 2 EA still reserved" in out
    code, out, _ = issue("--qty", "5", "--allow-short", "--take-reserved")
    assert code == 0 and "Issue 2 EA of 6205-2RS from A-01-01" in out and "short: 3 of 5 requested" in out
    assert [(r.work_order, r.open_qty) for r in mro.reservations(database)] == [("WO-OTHER", 2)]
    with pytest.raises(SystemExit):
        run_as("keeper", capsys, "issue", "--help")
    out = " ".join(capsys.readouterr().out.split())
    assert "--take-reserved also take stock reserved for other work orders (refused without it" in out
    database.dispose()
