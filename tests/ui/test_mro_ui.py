"""A technician at a broken press: scan its tag, see its spares and what is free, reserve for the work
order, issue against the reservation; repairable units and the reports, as the screens show them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.db import Database
from desktop.models.enums import AssetLevel
from desktop.services import mro
from desktop.services.actor import Actor
from desktop.services.mro import AssetInput
from desktop.services.stock import moves as stock
from desktop.ui.main_window import MainWindow
from desktop.ui.mro.spare_rows import export_csv
from desktop.ui.navigation import NAV
from tests.factories import make_part, make_tree, receive
from tests.reports.helpers import decode, render_pages
from tests.ui.cells import cell, child, current, row_texts, top
from tests.ui.keys import fill
from tests.ui.test_scan_and_moves import scan_into


@pytest.fixture
def press(sqlite_db: Database, actor: Actor) -> dict[str, int]:
    tree = make_tree(sqlite_db, actor)
    line = mro.create_asset(sqlite_db, actor, AssetInput("L1", "Line 1", AssetLevel.LINE.value))
    press = mro.create_asset(
        sqlite_db, actor, AssetInput("PRESS-01", "Press 1", AssetLevel.MACHINE.value, line.id, "HIGH")
    )
    bearing = make_part(sqlite_db, actor, min_qty=Decimal(2), max_qty=Decimal(6), lead_time_days=14)
    belt = make_part(sqlite_db, actor, "BELT-A42", description="V-belt A42")
    for part, n in ((bearing, 4), (belt, 1)):
        mro.set_spare(
            sqlite_db, actor, press.id, part.id, qty_installed=Decimal(n), recommended_qty=Decimal(1)
        )
    receive(sqlite_db, actor, bearing.id, tree["A-01-01"].id, "3")
    receive(sqlite_db, actor, bearing.id, tree["A-01-02"].id, "1")
    return {"press": press.id, "bearing": bearing.id, "belt": belt.id, "bin1": tree["A-01-01"].id}


def test_scan_asset_tag_reserve_and_issue(qtbot: QtBot, window: MainWindow, press: dict[str, int]) -> None:
    names = [n for n, *_rest in NAV]
    assert window.nav.item(names.index("MRO spares")).flags() & window.nav.item(0).flags()  # enabled
    scan_into(qtbot, window.scan_box, "A-PRESS-01")
    tab = window.mro_page.spares_tab
    assert window.stack.currentWidget() is window.mro_page and tab.title.text() == "PRESS-01 — Press 1"
    assert tab.path.text().startswith("L1 > PRESS-01") and current(tab.tree).text(0) == "PRESS-01"
    bearing = row_texts(tab.spares, 0)
    assert bearing[0] == "6205-2RS  ★" and bearing[5:11] == [
        "4",
        "0",
        "4",
        "2 / 6",
        "14 d",
        "A-01-01: 3, A-01-02: 1",
    ]
    assert row_texts(tab.spares, 1)[0] == "BELT-A42  ★" and row_texts(tab.spares, 1)[-1] == "NONE AVAILABLE"
    assert cell(tab.spares, 1, 0).background().color().name() == "#f6d5d3"
    assert window.banner.kind == "warn" and "BELT-A42 (none available)" in window.banner.text()

    tab.spares.selectRow(0)
    dialog = tab.open_reserve()
    assert dialog is not None and dialog.part_edit.text() == "6205-2RS"
    assert dialog.qty_edit is not None
    scan_into(qtbot, dialog.qty_edit, "5")
    fill(qtbot, dialog.wo_edit, "WO-1001")
    scan_into(qtbot, dialog.wo_edit, "")
    assert dialog.banner.kind == "error" and "Only 4 EA of 6205-2RS available" in dialog.banner.text()
    assert dialog.focusWidget() is dialog.qty_edit and dialog.qty_edit.text() == "5"  # kept for correction
    scan_into(qtbot, dialog.qty_edit, "3")
    assert dialog.banner.kind == "ok" and "Reserved 3 EA of 6205-2RS for WO-1001" in dialog.banner.text()
    dialog.close()
    assert row_texts(tab.spares, 0)[5:8] == ["4", "3", "1"]  # on hand, reserved, available: refreshed
    assert "below minimum" in tab.flags.text()
    assert row_texts(tab.reservations, 0)[1:4] == ["WO-1001", "6205-2RS", "3"]

    tab.reservations.selectRow(0)
    issue = tab.open_issue()
    assert issue is not None and issue.qty_edit is not None and issue.qty_edit.text() == "3"
    scan_into(qtbot, issue.bin_edit, "L-A-01-02")
    scan_into(qtbot, issue.qty_edit, "3")
    assert issue.banner.kind == "error" and "Only 1 EA of 6205-2RS left in A-01-02" in issue.banner.text()
    scan_into(qtbot, issue.bin_edit, "L-A-01-01")
    scan_into(qtbot, issue.qty_edit, "3")
    assert (
        issue.banner.kind == "ok" and "Issue 3 EA of 6205-2RS from A-01-01 for WO-1001" in issue.banner.text()
    )
    issue.close()
    assert stock.balance(window.ctx.db, press["bearing"], press["bin1"]) == 0
    assert tab.reservations.rowCount() == 0 and row_texts(tab.spares, 0)[5:8] == ["1", "0", "1"]


def test_serials_and_reports(qtbot: QtBot, window: MainWindow, press: dict[str, int], tmp_path: Path) -> None:
    window.go_to("MRO spares")
    assert child(top(window.mro_page.spares_tab.tree, 0), 0).text(0) == "PRESS-01"
    serials = window.mro_page.serials_tab
    scan_into(qtbot, serials.part_edit, "P-BELT-A42")
    scan_into(qtbot, serials.new_serial, "SN-9")
    assert serials.banner.kind == "ok" and row_texts(serials.units, 0)[:2] == ["SN-9", "AVAILABLE"]
    serials.units.selectRow(0)
    serials.state.setCurrentText("IN_REPAIR")
    serials.change_button.click()
    assert serials.banner.kind == "error" and "can go to AT_VENDOR, ISSUED, SCRAPPED" in serials.banner.text()
    serials.state.setCurrentText("ISSUED")
    fill(qtbot, serials.asset_edit, "A-PRESS-01")
    serials.change_button.click()
    assert row_texts(serials.units, 0)[:3] == ["SN-9", "ISSUED", "PRESS-01"]
    serials.units.selectRow(0)
    assert [row_texts(serials.history, r)[1:4] for r in range(2)] == [
        ["", "AVAILABLE", ""],
        ["AVAILABLE", "ISSUED", "PRESS-01"],
    ]

    reports = window.mro_page.reports_tab
    reports.kind.setCurrentIndex(0)
    reports.run_button.click()
    assert [row_texts(reports.table, r)[0] for r in range(reports.table.rowCount())] == ["BELT-A42"]
    path = tmp_path / "short.csv"
    assert export_csv(reports.table, path) == 1
    assert path.read_text(encoding="utf-8-sig").splitlines()[0].startswith("Part,Description,On hand")
    reports.kind.setCurrentIndex(2)
    reports.run_button.click()
    assert reports.table.rowCount() == 0


def test_print_tags_for_a_line_and_its_machines(
    qtbot: QtBot, window: MainWindow, press: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STOREROOM_HOME", str(tmp_path / "home"))
    window.go_to("MRO spares")
    tab = window.mro_page.spares_tab
    tab.tree.setCurrentItem(top(tab.tree, 0))  # line L1, with PRESS-01 inside
    assert tab.title.text() == "L1 — Line 1" and tab.spares.rowCount() == 0
    tab.tag_button.click()
    dialog = window.labels_dialog
    assert dialog.kind == "asset" and dialog.windowTitle() == "Print asset tag labels (2 selected)"
    with qtbot.waitSignal(dialog.rendered):
        dialog.render_labels()
    assert dialog.pdf is not None
    assert {t for _f, t in decode(render_pages(dialog.pdf)[0])} == {"A-L1", "A-PRESS-01"}
    dialog.close()


def test_where_used_cross_references_and_supersession(
    qtbot: QtBot, window: MainWindow, press: dict[str, int]
) -> None:
    make_part(window.ctx.db, window.ctx.actor, "6205-2RS-V2", description="Bearing, new design")
    window.go_to("MRO spares")
    part_tab = window.mro_page.part_tab
    scan_into(qtbot, part_tab.part_edit, "P-6205-2RS")
    assert row_texts(part_tab.where_used, 0)[:4] == ["PRESS-01", "Press 1", "HIGH", "4"]
    part_tab.xref_kind.setCurrentText("MANUFACTURER")
    fill(qtbot, part_tab.xref_maker, "SKF")
    fill(qtbot, part_tab.xref_value, "6205-2RSH/C3")
    part_tab.xref_button.click()
    part_tab.xref_kind.setCurrentText("SUPERSEDED_BY")
    fill(qtbot, part_tab.xref_value, "NO-SUCH-PART")
    part_tab.xref_button.click()
    assert part_tab.banner.kind == "error" and "Unknown code NO-SUCH-PART" in part_tab.banner.text()
    fill(qtbot, part_tab.xref_value, "P-6205-2RS-V2")
    part_tab.xref_button.click()
    assert [row_texts(part_tab.xrefs, r)[:3] for r in range(2)] == [
        ["manufacturer", "SKF", "6205-2RSH/C3"],
        ["superseded by", "", "6205-2RS-V2"],
    ]
    assert "use 6205-2RS-V2" in part_tab.superseded.text() and part_tab.newest_button.isVisibleTo(part_tab)
    part_tab.newest_button.click()
    assert part_tab.title.text() == "6205-2RS-V2" and part_tab.where_used.rowCount() == 0
    scan_into(qtbot, part_tab.part_edit, "6205-2RSH/C3")  # the manufacturer's number finds the old part
    assert part_tab.title.text() == "6205-2RS"
    part_tab.where_used.cellDoubleClicked.emit(0, 0)
    assert window.mro_page.spares_tab.title.text() == "PRESS-01 — Press 1"
    assert window.mro_page.tabs.currentWidget() is window.mro_page.spares_tab
    assert row_texts(window.mro_page.spares_tab.spares, 0)[-1] == "superseded by 6205-2RS-V2"


def test_new_asset_and_fitting_spares(qtbot: QtBot, window: MainWindow, press: dict[str, int]) -> None:
    window.go_to("MRO spares")
    tab = window.mro_page.spares_tab
    scan_into(qtbot, window.scan_box, "A-L1")
    dialog = tab.new_asset()
    assert dialog.level.currentText() == "MACHINE"  # one level below the line
    scan_into(qtbot, dialog.code_edit, "PRESS 2")
    assert dialog.banner.kind == "error" and "only letters" in dialog.banner.text()
    assert dialog.focusWidget() is dialog.code_edit and dialog.code_edit.text() == "PRESS 2"
    fill(qtbot, dialog.code_edit, "press-02")
    fill(qtbot, dialog.name_edit, "Press 2")
    dialog.criticality.setCurrentText("CRITICAL")
    fill(qtbot, dialog.location_edit, "L-A-01-01")
    dialog.action_button.click()
    assert not dialog.isVisible()
    line = top(tab.tree, 0)
    assert [child(line, n).text(0) for n in range(line.childCount())] == ["PRESS-01", "PRESS-02"]
    scan_into(qtbot, window.scan_box, "A-PRESS-02")
    assert tab.title.text() == "PRESS-02 — Press 2" and tab.spares.rowCount() == 0
    fill(qtbot, tab.spare_installed, "2")
    scan_into(qtbot, tab.spare_part, "NOPE")
    assert "Unknown code NOPE" in tab.flags.text() and tab.spare_part.text() == "NOPE"
    scan_into(qtbot, tab.spare_part, "P-BELT-A42")
    assert row_texts(tab.spares, 0)[:4] == ["BELT-A42  ★", "V-belt A42", "on failure", "2"]
    tab.spares.selectRow(0)
    tab.remove_spare_button.click()
    assert tab.spares.rowCount() == 0


def test_edit_move_and_retire_an_asset_from_the_tree(
    qtbot: QtBot, window: MainWindow, press: dict[str, int]
) -> None:
    window.go_to("MRO spares")
    tab = window.mro_page.spares_tab
    assert tab.edit_asset() is None and "Pick an asset" in tab.flags.text()
    line2 = mro.create_asset(
        window.ctx.db, window.ctx.actor, AssetInput("L2", "Line 2", AssetLevel.LINE.value)
    )
    scan_into(qtbot, window.scan_box, "A-PRESS-01")
    dialog = tab.edit_asset()
    assert dialog is not None and dialog.code_edit.isReadOnly() and dialog.parent_edit.text() == "L1"
    assert (dialog.name_edit.text(), dialog.criticality.currentText()) == ("Press 1", "HIGH")
    scan_into(qtbot, dialog.parent_edit, "A-NOPE")  # Enter saves: an unknown parent tag is refused
    assert dialog.banner.kind == "error" and "No asset has the tag A-NOPE" in dialog.banner.text()
    assert dialog.focusWidget() is dialog.parent_edit
    fill(qtbot, dialog.parent_edit, "A-L2")
    fill(qtbot, dialog.name_edit, "Press 1 (rebuilt)")
    dialog.action_button.click()
    assert not dialog.isVisible()
    lines = {top(tab.tree, n).text(0): top(tab.tree, n) for n in range(tab.tree.topLevelItemCount())}
    assert lines["L1"].childCount() == 0 and child(lines["L2"], 0).text(1) == "Press 1 (rebuilt)"
    assert mro.get_asset(window.ctx.db, "PRESS-01").parent_id == line2.id
    scan_into(qtbot, window.scan_box, "A-L2")
    dialog = tab.edit_asset()
    assert dialog is not None
    dialog.retire.setChecked(True)
    dialog.action_button.click()
    assert dialog.banner.kind == "error" and "still holds 1 active asset" in dialog.banner.text()
