"""`storeroom import` for scripts: the dry run lists what will change, --blank-clears and
--default-location, the new kinds; `storeroom report by-category`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import run_as

FIXTURES = Path(__file__).parent / "fixtures" / "inventree"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_as("clerk", capsys, *args)


def test_import_lists_changes_and_takes_the_options(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init")[0] == 0
    for kind, name in (
        ("locations", "locations.csv"),
        ("categories", "categories.csv"),
        ("parts", "parts.csv"),
    ):
        code, out, err = run(capsys, "import", kind, str(FIXTURES / name))
        assert code == 0 and out.rstrip().endswith("imported"), (kind, out, err)
    code, out, _ = run(capsys, "import", "stock", str(FIXTURES / "stock_items.csv"), "--dry-run")
    assert code == 1 and "row 12, Location: no location" in out and "such as RECEIVING (receiving)" in out
    assert "row 2, Lot: R-0603-10K is not tracked by lot: leave Lot empty" in out  # a batch needs tracking
    for part in ("R-0603-10K", "C-0603-100N", "OIL-ISO220"):  # the parts whose items carry batches
        assert run(capsys, "lots", "tracking", part, "--tracking", "lot")[0] == 0
    code, out, _ = run(
        capsys, "import", "stock", str(FIXTURES / "stock_items.csv"), "--default-location", "RECEIVING"
    )
    assert code == 0 and "2 row(s) without a location go to RECEIVING" in out
    assert "repeat a part" not in out  # each batch is its own lot in its bin
    edit = home / "notes.csv"
    edit.write_text("IPN,Notes,Minimum Stock\nC-0603-100N,,800\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", "parts", str(edit), "--dry-run")
    assert code == 0 and "row 2, C-0603-100N: Minimum 1000 -> 800" in out and "Notes" not in out
    code, out, _ = run(capsys, "import", "parts", str(edit), "--blank-clears")
    assert code == 0 and "row 2, C-0603-100N: Notes Keep a reel in Room 101 -> (empty)" in out
    code, out, _ = run(
        capsys, "report", "by-category", "--category", "Electronics/Passives", "--out", str(home / "p.csv")
    )
    assert code == 0 and "Stock by category: 3 rows" in out
    lines = (home / "p.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith("Electronics > Passives > Capacitors,C-0603-100N,")


def test_units_listed_and_added_from_the_command_line(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init")[0] == 0
    code, out, _ = run(capsys, "units")
    litre = next(line for line in out.splitlines() if line.startswith("L "))
    assert "litres" in litre and "decimal" in litre
    code, out, _ = run(capsys, "units", "--add", "bag", "--aliases", "sack, sacks")
    assert code == 0 and "added unit BAG" in out and any(line.startswith("BAG ") for line in out.splitlines())
    code, _out, err = run(capsys, "units", "--add", "LI", "--name", "litre")
    assert code == 2 and "'litre' already means L (litre)" in err
