"""The list views' and the to-order list's exports carry no live formula, whatever the texts hold."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from desktop.services.catalogue.parts import PartInput, create_part
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.io.tabular import FORMULA_START, read_table
from desktop.ui.context import AppContext
from desktop.ui.insight.reports_page import ReportsPage
from desktop.ui.main_window import MainWindow

EVIL = '=HYPERLINK("http://evil.example","WO")'


def _live_csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    return [c for c in cells if c[:1] in FORMULA_START and not c.lstrip("+-").replace(".", "", 1).isdigit()]


def _formula_cells(path: Path) -> list[str]:
    sheet = load_workbook(path).worksheets[0]
    return [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_list_view_and_to_order_exports_are_inert(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    for n, desc in enumerate((EVIL, "-5V regulator", "@cmd", "+41 sensor")):
        create_part(
            ctx.db,
            ctx.actor,
            PartInput(
                f"EV-{n}",
                desc,
                unit="EA",
                unit_cost=Decimal("2.50"),
                min_qty=Decimal(5),
                suppliers=(PartSupplierInput("=Evil Supplies", f"-SP{n}", Decimal(2)),),
            ),
        )
    page = window.parts_page
    page.refresh()
    for suffix in (".csv", ".xlsx"):
        page.export_button.export_to(tmp_path / f"parts{suffix}")
    assert _live_csv_cells(tmp_path / "parts.csv") == []
    assert _formula_cells(tmp_path / "parts.xlsx") == []
    for suffix in (".csv", ".xlsx"):  # and they read back as shown
        descriptions = {r[1] for r in read_table(tmp_path / f"parts{suffix}").rows}
        assert {EVIL, "-5V regulator", "@cmd", "+41 sensor"} <= descriptions

    window.go_to("Reports")
    reports = window.pages["Reports"]
    assert isinstance(reports, ReportsPage)
    reports.tabs.setCurrentWidget(reports.replenishment)
    reports.replenishment.refresh()
    assert len(reports.replenishment.items) == 4
    for suffix in (".csv", ".xlsx"):
        reports.replenishment.export_to(tmp_path / f"to-order{suffix}")
    assert _live_csv_cells(tmp_path / "to-order.csv") == []
    assert _formula_cells(tmp_path / "to-order.xlsx") == []
    values = {
        c.value for row in load_workbook(tmp_path / "to-order.xlsx").worksheets[0].iter_rows() for c in row
    }
    assert EVIL in values and "=Evil Supplies" in values
