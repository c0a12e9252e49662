"""`storeroom po ...`: an order typed by hand, sent, received in part, refused beyond the tolerance, closed;
orders from What to order and from empty kanban cards; a keeper may receive but not order."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.db import Database
from desktop.models.enums import Role
from desktop.services.admin.users import ensure_user
from tests.cli_helpers import run_as
from tests.reports.helpers import decode, open_pdf, render_pages


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_as("clerk", capsys, *args)  # the first user: an administrator


@pytest.fixture
def demo(home: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The demo plant in this test's data folder."""
    assert run(capsys, "init")[0] == 0
    assert run(capsys, "demo", "--parts", "24")[0] == 0
    return home


def test_po_commands(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "po",
        "new",
        "--supplier",
        "acme  BEARINGS",
        "--line",
        "BRG-1000=5",
        "--line",
        "BRG-1000=2@3.50",
        "--notes",
        "urgent",
        "--needed-by",
        "2026-12-24",
    )
    assert code == 0 and out.startswith(
        "PO-000001  Acme Bearings            draft            2 line(s), 2 open"
    )
    assert "notes: urgent" in out and "2 EA" in out and "@      3.50" in out and "needed by 2026-12-24" in out
    code, _, err = run(capsys, "po", "receive", "PO-000001", "--part", "BRG-1000", "--qty", "1")
    assert code == 2 and "PO-000001 is draft: send it first" in err
    code, out, _ = run(capsys, "po", "send", "po-1")
    assert code == 0 and "sent" in out
    code, out, _ = run(capsys, "po", "receive", "1", "--part", "BRG-1000", "--qty", "3", "--bin", "A-01-01")
    assert code == 0 and "PO-000001 line 1: Receipt 3 EA of BRG-1000 to A-01-01; 2 EA still open" in out
    code, out, _ = run(capsys, "po", "receive", "1", "--part", "BRG-1000", "--qty", "2")  # its usual bin now
    assert code == 0 and "Receipt 2 EA of BRG-1000 to A-01-01; line complete (partly received)" in out
    code, _, err = run(capsys, "po", "receive", "1", "--part", "BRG-1000", "--qty", "9")
    assert code == 2 and "line 2: ordered 2 EA, received 0, 2 left" in err and "cannot receive 9" in err
    code, out, _ = run(capsys, "history", "--part", "BRG-1000", "--limit", "2")
    assert out.count("[PO-000001/1]") == 2
    code, out, _ = run(capsys, "po", "show", "PO-000001")
    assert "received 5" in out and "received 0" in out and "sent 20" in out
    code, out, _ = run(capsys, "po", "close", "PO-000001", "--reason", "rest not needed")
    assert code == 0 and "closed" in out and "0 open" in out
    code, out, _ = run(capsys, "po", "list", "--state", "closed")
    assert out.splitlines() == [out.splitlines()[0]] and out.startswith("PO-000001")
    code, out, _ = run(capsys, "po", "from-reorder")
    assert code == 0 and "PO-000002" in out and "draft" in out
    code, out, _ = run(capsys, "po", "from-reorder")
    assert code == 0 and "nothing to order" in out  # what is on a draft is on order
    code, out, _ = run(capsys, "po", "list", "--open")
    assert "PO-000001" not in out and "PO-000002" in out
    code, out, _ = run(capsys, "po", "from-cards")
    assert code == 0 and "card K-" in out
    assert run(capsys, "po", "from-cards")[1] == "no empty purchase-kanban cards\n"
    database = Database(str(demo / "storeroom.sqlite3"))
    ensure_user(database, "kim", role=Role.KEEPER)
    database.dispose()
    code, _, err = run_as("kim", capsys, "po", "new", "--supplier", "Acme Bearings", "--line", "BRG-1000=1")
    assert code == 2 and "may not create, send and cancel purchase orders" in err
    code, _, err = run(capsys, "po", "new", "--supplier", "nobody", "--line", "BRG-1000=1")
    assert code == 2 and "No supplier named 'nobody'" in err
    code, _, err = run(capsys, "po", "new", "--supplier", "Acme Bearings", "--line", "BRG-1000")
    assert code == 2 and "write a line as PART=PACKS" in err
    code, _, err = run(capsys, "po", "cancel", "PO-000001")
    assert code == 2 and "is closed: it cannot be cancelled" in err


def test_po_settings_and_print(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "po",
        "settings",
        "--tolerance",
        "0",
        "--plant-name",
        "Acme Works",
        "--plant-address",
        "Main st 1\\nSpringfield",
    )
    assert code == 0 and "over-receipt tolerance: 0 %" in out and "address: Main st 1 / Springfield" in out
    assert run(capsys, "po", "new", "--supplier", "Acme Bearings", "--line", "BRG-1000=5")[0] == 0
    assert run(capsys, "po", "send", "1")[0] == 0
    code, _, err = run(capsys, "po", "receive", "1", "--part", "BRG-1000", "--qty", "6", "--bin", "A-01-01")
    assert code == 2 and "(up to 5 with the 0 % tolerance)" in err
    code, out, _ = run(
        capsys, "po", "receive", "1", "--part", "BRG-1000", "--qty", "6", "--confirm-over", "--bin", "A-01-01"
    )
    assert code == 0 and "line complete (received)" in out  # the first user is an administrator
    target = tmp_path / "po.pdf"
    code, out, _ = run(capsys, "po", "print", "PO-000001", "--out", str(target))
    assert code == 0 and out == f"PO-000001 (1 line(s)) written to {target}\n"
    with open_pdf(target.read_bytes()) as doc:
        text = doc.pages[0].extract_text()
    assert "Acme Works" in text and "Springfield" in text and "Acme Bearings" in text and "BRG-1000" in text
    assert ("Code128", "PO-000001") in decode(render_pages(target.read_bytes())[0])
    code, out, _ = run(capsys, "report", "suppliers", "--out", str(tmp_path / "suppliers.pdf"))
    assert code == 0 and out.startswith("Supplier performance: 1 rows")
    with open_pdf((tmp_path / "suppliers.pdf").read_bytes()) as doc:
        assert "Acme Bearings 1 1 100.0 % 0.00 0 0" in doc.pages[0].extract_text()
    assert run(capsys, "report", "open-po-lines", "--out", str(tmp_path / "open.csv"))[0] == 0
    code, out, _ = run(capsys, "po", "lead-times")
    assert code == 0 and out.startswith(
        "Acme Bearings            BRG-1000         median 0.0 d, spread 0.0 d over 1 receipt(s)"
    )
    assert "not used yet (fewer than 3 receipts)" in out
