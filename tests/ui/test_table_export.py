"""'Export CSV / XLSX…' on the list views: the file holds what the view shows, every row of it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.services import mro
from desktop.services.io.tabular import read_table
from desktop.services.mro import AssetInput
from desktop.ui.context import AppContext
from desktop.ui.io.table_export import view_table
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree, receive
from tests.ui.keys import fill
from tests.ui.test_parts_and_locations import bulk_parts


def test_parts_list_exports_every_row_in_view_order(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    bulk_parts(ctx.db, 1_234)  # several blocks of 200: most rows were never on screen
    page = window.parts_page
    page.refresh()
    page.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)  # unit cost, highest first (SQL sort)
    page.table.setColumnHidden(7, True)  # a hidden column is not in the file
    page.table.horizontalHeader().moveSection(1, 0)  # description dragged to the front
    assert page.model.rowCount() == 200 and page.model.total == 1_234  # the head; the rest on scrolling
    page.export_button.export_to(tmp_path / "parts.csv")
    page.export_button.export_to(tmp_path / "parts.xlsx")
    csv = read_table(tmp_path / "parts.csv")
    assert csv.headers == ("Description", "Part number", "Type", "Unit", "On hand", "On order", "Unit cost")
    assert len(csv.rows) == 1_234
    assert csv.rows[0][6] == "124.75" and csv.rows[-1][6] == "0.00"
    assert [r[1] for r in csv.rows] == [page.model.data(page.model.index(n, 0)) for n in range(1_234)]
    xlsx = read_table(tmp_path / "parts.xlsx")
    assert xlsx.headers == csv.headers and len(xlsx.rows) == 1_234
    assert xlsx.rows[0][6] == "124.75" and xlsx.rows[0][4] == "0"  # numbers stay numbers in a workbook

    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "parts.xlsx").worksheets[0]
    assert sheet.title == "Parts" and isinstance(sheet["G2"].value, float)
    assert isinstance(sheet["B2"].value, str)  # a part number is text even when it looks like a number
    assert "Exported 1,234 rows to parts.xlsx" in window.statusBar().currentMessage()


def test_locations_tree_exports_collapsed_branches_but_not_filtered_rows(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    make_tree(ctx.db, ctx.actor)
    window.go_to("Locations")
    page = window.locations_page
    headers, rows = view_table(page.tree)
    assert headers == ["Code", "Name", "Level", "Type", "Walk"]
    assert [r[0] for r in rows] == [
        "PLANT",
        "STORES",
        "R01",
        "A-01-01",
        "A-01-02",
        "QA",
        "Q-01",
    ]  # racks closed
    fill(qtbot, page.filter, "A-01")  # the user narrowed the tree: the file follows
    page.export_button.export_to(tmp_path / "bins.csv")
    assert [r[0] for r in read_table(tmp_path / "bins.csv").rows] == [
        "PLANT",
        "STORES",
        "R01",
        "A-01-01",
        "A-01-02",
    ]


def test_stock_audit_and_mro_lists_export(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "OIL-5", unit="L", min_qty=Decimal(5), criticality="HIGH")
    receive(ctx.db, ctx.actor, part.id, tree["A-01-01"].id, "2.5")
    window.go_to("Stock")
    window.stock_page.export_button.export_to(tmp_path / "moves.xlsx")
    moves = read_table(tmp_path / "moves.xlsx")
    assert moves.headers[:5] == ("#", "When", "Kind", "Part", "Qty") and moves.rows[0][2:5] == (
        "RECEIPT",
        "OIL-5",
        "2.5",
    )
    window.go_to("Audit")
    audit = window.pages["Audit"]
    audit.refresh()  # type: ignore[attr-defined]
    audit.export.export_to(tmp_path / "audit.csv")  # type: ignore[attr-defined]
    trail = read_table(tmp_path / "audit.csv")
    assert trail.headers == ("When", "User", "Action", "Summary") and len(trail.rows) >= 2
    assert "Exported" in audit.count.text()  # type: ignore[attr-defined]
    press = mro.create_asset(ctx.db, ctx.actor, AssetInput("PRESS-01", "Press 1"))
    mro.set_spare(ctx.db, ctx.actor, press.id, part.id, qty_installed=Decimal(2), recommended_qty=Decimal(1))
    window.go_to("MRO spares")
    window.mro_page.show_spares(mro.asset_spares(ctx.db, press.id))
    tab = window.mro_page.spares_tab
    tab.spares_export.export_to(tmp_path / "spares.csv")
    spares = read_table(tmp_path / "spares.csv")
    assert spares.headers[:4] == ("Part", "Description", "Used", "Installed") and spares.rows[0][3] == "2"
    tab.tree_export.export_to(tmp_path / "assets.csv")
    assert read_table(tmp_path / "assets.csv").rows == (("PRESS-01", "Press 1", ""),)


def test_a_file_that_cannot_be_written_leaves_nothing(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_part(ctx.db, ctx.actor, "P-1")
    window.parts_page.refresh()
    out = tmp_path / "out"
    out.mkdir()
    (out / "parts.csv").write_text("yesterday's export")
    shown: list[str] = []
    monkeypatch.setattr("desktop.ui.io.table_export.show_error", lambda _w, exc: shown.append(str(exc)))

    def disk_full(tmp: Path, *_args: object) -> None:
        tmp.write_text("half a fi")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("desktop.services.io.tabular._csv_to", disk_full)
    window.parts_page.export_button.export_to(out / "parts.pdf")
    window.parts_page.export_button.export_to(out / "parts.csv")
    assert shown == [
        "Export to a .csv or .xlsx file.",
        f"{out / 'parts.csv'} could not be written: No space left on device",
    ]
    assert [p.name for p in out.iterdir()] == ["parts.csv"]  # no half file beside it
    assert (out / "parts.csv").read_text() == "yesterday's export"


@pytest.mark.slow
def test_exporting_100000_parts_shows_progress_and_cancels(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QProgressDialog

    from desktop.ui.catalogue.parts_page import PartsPage

    bulk_parts(ctx.db, 100_000)
    page = PartsPage(ctx)
    qtbot.addWidget(page)
    page.refresh()
    messages: list[str] = []
    page.export_button.exported.connect(messages.append)
    steps: list[int] = []

    def cancel_at_fourth_step(dialog: QProgressDialog) -> bool:
        steps.append(dialog.value())
        return len(steps) > 3

    monkeypatch.setattr(QProgressDialog, "wasCanceled", cancel_at_fourth_step)
    page.export_button.export_to(tmp_path / "all.csv")  # the clerk presses Cancel at the fourth step
    assert steps == [2_000, 4_000, 6_000, 8_000]
    assert messages == ["Export cancelled: no file was written."] and not (tmp_path / "all.csv").exists()
    monkeypatch.undo()
    page.export_button.export_to(tmp_path / "all.csv")  # how long it takes is bench/'s business
    assert len(read_table(tmp_path / "all.csv").rows) == 100_000
