"""Issue 24 through the clerk's hands: the import dialog's 'blank clears' box, the list of what will
change, a default location for stock without one; the Parts page filtered by a category subtree; the
part card's category and several supplier part numbers."""

from __future__ import annotations

from pathlib import Path

from desktop.services.topics import Topic
from pytestqt.qtbot import QtBot

from desktop.services.catalogue import parts
from desktop.ui.catalogue.part_dialog import PartDialog
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from tests.ui.keys import fill, type_in


def _dialog(qtbot: QtBot, window: MainWindow, kind: str = "parts"):  # type: ignore[no-untyped-def]
    window.go_to("Settings")
    dialog = window.settings_page.open_data_dialog()
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
    return dialog


def _import(qtbot: QtBot, dialog, path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog.load(path)
    dialog.check()
    assert dialog.import_button.isEnabled(), [
        dialog.problems.item(r, 2).text() for r in range(dialog.problems.rowCount())
    ]
    with qtbot.waitSignal(dialog.imported):
        dialog.import_button.click()


def test_blank_clears_box_and_the_list_of_changes(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    full = tmp_path / "parts.csv"
    full.write_text(
        "Part number,Description,Inventory type,Minimum,Notes,Category\n"
        "P-1,Pump,WIP,5,Spare for line 2,Hydraulics > Pumps\n"
        "P-2,Bolt M8,RAW,100,,Fasteners > Bolts > Hex\n",
        encoding="utf-8",
    )
    dialog = _dialog(qtbot, window)
    _import(qtbot, dialog, full)
    partial = tmp_path / "partial.csv"
    partial.write_text("Part number,Minimum,Notes\nP-1,6,\n", encoding="utf-8")
    dialog.load(partial)
    dialog.check()
    changes = [[dialog.changes.item(r, c).text() for c in range(5)] for r in range(dialog.changes.rowCount())]
    assert changes == [["2", "P-1", "Minimum", "5", "6"]]  # the empty Notes cell keeps the note
    assert dialog.results.currentIndex() == 1 and "1 fields" in dialog.results.tabText(1)
    assert not dialog.blank_clears.isChecked()  # off by default
    dialog.blank_clears.setChecked(True)
    assert not dialog.import_button.isEnabled()  # a changed option must be checked again
    dialog.check()
    changes = [[dialog.changes.item(r, c).text() for c in range(5)] for r in range(dialog.changes.rowCount())]
    assert changes == [
        ["2", "P-1", "Minimum", "5", "6"],
        ["2", "P-1", "Notes", "Spare for line 2", "(empty)"],
    ]
    with qtbot.waitSignal(dialog.imported):
        dialog.import_button.click()
    pump = parts.get_part(ctx.db, parts.get_part_id(ctx.db, "P-1"))
    assert (pump.min_qty, pump.notes, pump.category) == (6, None, "WIP")

    # the Parts page: a category shows its parts and those below it
    window.go_to("Parts")
    page = window.parts_page
    page.data_changed(frozenset({Topic.PARTS}))
    items = [page.group.itemText(i).strip() for i in range(page.group.count())]
    assert items == ["All categories", "Fasteners", "Bolts", "Hex", "Hydraulics", "Pumps"]
    page.group.setCurrentIndex(items.index("Fasteners"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.data(page.model.index(0, 0)) == "P-2"
    page.group.setCurrentIndex(0)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)


def test_stock_without_a_location_goes_to_the_default_typed(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    locations = tmp_path / "locations.csv"
    locations.write_text(
        "Path,Location type\nPlant/Receiving,Receiving\nPlant/Store/Bin 1,\n", encoding="utf-8"
    )
    dialog = _dialog(qtbot, window, "locations")
    _import(qtbot, dialog, locations)
    dialog.kind.setCurrentIndex(dialog.kind.findData("parts"))
    catalogue = tmp_path / "parts.csv"
    catalogue.write_text("IPN,Description,Units\nOIL,Gear oil,litres\n", encoding="utf-8")
    _import(qtbot, dialog, catalogue)
    dialog.kind.setCurrentIndex(dialog.kind.findData("stock"))
    assert dialog.default_location.isVisible()
    stock_file = tmp_path / "stock.csv"
    stock_file.write_text(
        "IPN,Location,Quantity\nOIL,Plant/Store/Bin 1,20\nOIL,,5\nOIL,Plant/Store/Bin 1,2.5\n",
        encoding="utf-8",
    )
    dialog.load(stock_file)
    dialog.check()
    assert not dialog.import_button.isEnabled() and "such as RECEIVING (receiving)" in dialog.summary.text()
    assert dialog.default_location.text() == "RECEIVING"  # offered, filled in
    assert "Check again to use it" in dialog.banner.text()
    dialog.check()
    assert "1 row(s) repeat a part and location" in dialog.summary.text()
    with qtbot.waitSignal(dialog.imported):
        dialog.import_button.click()
    oil = parts.get_part(ctx.db, parts.get_part_id(ctx.db, "OIL"))
    assert sorted((b.location_code, str(b.qty)) for b in oil.stock) == [
        ("BIN-1", "22.5000"),
        ("RECEIVING", "5.0000"),
    ]


def test_part_card_category_and_several_supplier_numbers(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = PartDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog.number, "P-7")
    fill(qtbot, dialog.description, "Filter cartridge")
    dialog.group.setEditText("Filters / Hydraulic")
    dialog._add_supplier_row(("Acme", "F-7", "3.10", "1", ""))
    dialog._add_supplier_row(("Acme", "F-7-BOX", "28", "10", ""))
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    saved = parts.get_part(ctx.db, parts.get_part_id(ctx.db, "P-7"))
    assert saved.category_path == "Filters > Hydraulic"
    assert [(x.supplier_part_number, x.pack_qty) for x in saved.suppliers] == [("F-7", 1), ("F-7-BOX", 10)]
    again = PartDialog(ctx, saved)
    qtbot.addWidget(again)
    assert again.group.currentText() == "Filters > Hydraulic" and again.suppliers.rowCount() == 2


def test_an_admin_adds_a_unit_in_settings(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    window.go_to("Settings")
    dialog = window.settings_page.open_units_dialog()
    qtbot.addWidget(dialog)
    codes = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert "L" in codes and "BAG" not in codes
    litre = codes.index("L")
    assert "litres" in dialog.table.item(litre, 3).text()
    dialog.show()
    for edit, text in ((dialog.code, "bag"), (dialog.name, "bag"), (dialog.aliases, "sack, sacks")):
        type_in(qtbot, edit, text)
    dialog.add_button.click()
    assert "Unit BAG added" in dialog.banner.text()
    assert "BAG" in [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    type_in(qtbot, dialog.code, "LTR")
    type_in(qtbot, dialog.name, "litre")
    dialog.add_button.click()
    assert "already means L" in dialog.banner.text()
