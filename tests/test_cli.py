"""The `storeroom` command line does what the app does, for scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import run_as
from tests.reports.helpers import decode, open_pdf, render_pages


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_as("clerk", capsys, *args)


def test_init_demo_moves_history_backup_and_labels(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init")
    assert code == 0 and "is ready" in out and (home / "storeroom.sqlite3").exists()
    assert run(capsys, "demo", "--parts", "24")[0] == 0
    code, out, _ = run(
        capsys, "receive", "--part", "BRG-1000", "--to", "A-01-01", "--qty", "5", "--key", "k1"
    )
    assert code == 0 and "Receipt 5 EA of BRG-1000 to A-01-01" in out
    code, out, _ = run(
        capsys, "receive", "--part", "BRG-1000", "--to", "A-01-01", "--qty", "5", "--key", "k1"
    )
    assert "already posted earlier" in out
    code, out, _ = run(capsys, "issue", "--part", "brg-1000", "--from", "L-A-01-01", "--qty", "2")
    assert code == 0 and "Issue 2 EA" in out
    code, _, err = run(capsys, "issue", "--part", "BRG-1000", "--from", "A-01-01", "--qty", "99")
    assert code == 2 and "Only 3 EA of BRG-1000 left in A-01-01" in err
    code, _, err = run(capsys, "issue", "--part", "BRG-1000", "--from", "A-01-01", "--qty", "1,500")
    assert code == 2 and "ambiguous" in err
    code, out, _ = run(
        capsys, "adjust", "--part", "BRG-1000", "--location", "A-01-01", "--qty", "-1", "--reason", "damaged"
    )
    assert code == 0 and "from A-01-01" in out
    code, out, _ = run(capsys, "stock", "A-01-01")
    assert code == 0 and "BRG-1000" in out
    code, out, _ = run(capsys, "history", "--part", "BRG-1000", "--limit", "3")
    assert out.count("\n") == 3 and "damaged" in out
    assert run(capsys, "check-balances")[0] == 0
    code, out, _ = run(capsys, "backup", "--to", str(home / "copy.sqlite3"))
    assert code == 0 and (home / "copy.sqlite3").stat().st_size > 0
    run(capsys, "receive", "--part", "BRG-1000", "--to", "A-01-01", "--qty", "100")  # after the backup
    code, _, err = run(capsys, "restore", str(home / "copy.sqlite3"))
    assert code == 2 and "Add --yes" in err
    code, out, _ = run(capsys, "restore", str(home / "copy.sqlite3"), "--yes")
    assert code == 0 and "restored" in out
    code, out, _ = run(capsys, "stock", "A-01-01")
    assert "BRG-1000" in out and "102" not in out  # the receipt after the backup is gone
    target = home / "bins.pdf"
    code, out, _ = run(
        capsys, "labels", "bins", "A01", "--subtree", "--format", "avery-5163", "--out", str(target)
    )
    assert code == 0
    codes = {t for page in render_pages(target.read_bytes()) for _f, t in decode(page)}
    assert {"L-A01", "L-A-01-01", "L-A-01-05"} <= codes
    code, _, err = run(capsys, "labels", "parts", "NOPE-1", "--out", str(home / "x.pdf"))
    assert code == 2 and "No part with number NOPE-1" in err and not (home / "x.pdf").exists()
    # after the restore A-01-01 holds 2: asking for 5 hands over the 2 and records 3 short
    code, out, _ = run(
        capsys, "issue", "--part", "BRG-1000", "--from", "A-01-01", "--qty", "5", "--allow-short"
    )
    assert code == 0 and "Issue 2 EA of BRG-1000" in out and "short: 3 of 5 requested" in out
    code, out, _ = run(capsys, "report", "kpi-summary", "--out", str(home / "kpi.pdf"), "--months", "6")
    assert code == 0 and "KPI summary: 12 rows" in out
    with open_pdf((home / "kpi.pdf").read_bytes()) as doc:
        assert "Fill rate" in doc.pages[0].extract_text()
    code, out, _ = run(capsys, "report", "history", "--part", "BRG-1000", "--out", str(home / "h.csv"))
    assert (
        code == 0
        and "Movement history" in out
        and (home / "h.csv").read_text("utf-8-sig").count("BRG-1000") >= 3
    )
    code, _, err = run(capsys, "report", "history", "--from", "25.11.2026", "--out", str(home / "h.csv"))
    assert code == 2 and "YYYY-MM-DD" in err


def test_unknown_code_and_bad_format_are_clear(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    code, _, err = run(capsys, "stock", "ZZZ")
    assert code == 2 and "Unknown code ZZZ" in err
    code, _, err = run(capsys, "labels", "calibration", "--format", "avery-9999")
    assert code == 2 and "Unknown label format 'avery-9999'" in err


def test_import_dry_run_import_and_export(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    bad = home / "parts.csv"
    bad.write_text("Part number,Description,Unit\nX-1,Good,EA\nX-2,Bad unit,BUCKET\n")
    code, out, _ = run(capsys, "import", "parts", str(bad))
    assert code == 1 and "row 3, Unit: 'BUCKET' is not a known unit" in out
    bad.write_text("Part number,Description,Unit\nX-1,Good,EA\nX-2,Fixed,BOX\n")
    code, out, _ = run(capsys, "import", "parts", str(bad), "--dry-run")
    assert code == 0 and "2 new" in out and "nothing saved" in out
    code, out, _ = run(capsys, "import", "parts", str(bad))
    assert code == 0 and "imported" in out
    code, out, _ = run(capsys, "export", "parts", str(home / "parts.xlsx"))
    assert code == 0 and "exported 2 parts rows" in out
    code, out, _ = run(capsys, "import", "parts", str(home / "parts.xlsx"), "--dry-run")
    assert "0 new, 0 changed, 2 unchanged" in out


def test_kanban_from_the_command_line(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "demo", "--parts", "12")
    code, out, _ = run(
        capsys,
        "kanban",
        "loop",
        "--part",
        "BLT-1001",
        "--line",
        "L1-01",
        "--kind",
        "transfer",
        "--supply",
        "A-01-01",
        "--container",
        "10",
        "--cards",
        "2",
    )
    assert code == 0 and "2 cards x 10 EA of BLT-1001" in out
    card = out.split()[out.split().index("card") - 1]
    code, out, _ = run(capsys, "kanban", "scan", card)
    assert code == 0 and "empty" in out
    code, _, err = run(capsys, "kanban", "scan", card)
    assert code == 2 and "already empty" in err
    code, out, _ = run(capsys, "kanban", "list")
    assert "from A-01-01" in out and "BLT-1001" in out
    code, out, _ = run(capsys, "kanban", "board")
    assert "empty 1" in out and "full 1" in out
    code, out, _ = run(capsys, "kanban", "print", "1", "--out", str(home / "cards.pdf"))
    assert code == 0 and (home / "cards.pdf").stat().st_size > 1000


def test_counts_from_the_command_line(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.reports.helpers import decode, render_pages

    run(capsys, "demo", "--parts", "12")
    code, out, _ = run(capsys, "counts", "classify")
    assert code == 0 and out.startswith("A: ")
    code, out, _ = run(capsys, "counts", "start", "MAIN")
    assert code == 0 and "count session #1" in out and " 0 line(s)" not in out
    code, out, _ = run(capsys, "counts", "sheet", "1", "--out", str(home / "sheet.pdf"))
    assert code == 0
    found = {t for page in render_pages((home / "sheet.pdf").read_bytes()) for _f, t in decode(page)}
    assert (
        "CS-1" in found and any(t.startswith("L-") for t in found) and any(t.startswith("P-") for t in found)
    )
    code, out, _ = run(capsys, "counts", "approve", "1")  # nothing counted: every line counts as zero
    assert code == 0 and "session closed" in out
    code, out, _ = run(capsys, "stock", "MAIN")
    assert out.count("\n") == 1  # the main storeroom is empty on the book now
    code, out, _ = run(capsys, "counts", "ira")
    assert "IRA 0.0 %" in out
