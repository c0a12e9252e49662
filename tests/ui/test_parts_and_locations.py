"""Parts list (search as you type, SQL sort, 100,000 rows), part dialog, locations tree."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from desktop.db import Database
from desktop.models import Part
from desktop.services.catalogue import parts
from desktop.services.topics import Topic
from desktop.tasks import SyncRunner
from desktop.ui.catalogue.part_dialog import PartDialog
from desktop.ui.catalogue.parts_model import PartsTableModel
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree
from tests.ui.cells import top
from tests.ui.keys import type_in


def bulk_parts(db: Database, count: int) -> None:
    rows = [
        {
            "part_number": f"PN-{n:06d}",
            "number_key": f"PN-{n:06d}",
            "description": f"{['Bearing', 'Valve', 'Bolt', 'Filter'][n % 4]} size {n % 997}",
            "category": "RAW",
            "unit": "EA",
            "unit_cost": Decimal(n % 500) / 4,
            "active": True,
        }
        for n in range(count)
    ]
    db.write(lambda s: s.execute(insert(Part), rows))


def test_search_as_you_type(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    make_part(ctx.db, ctx.actor, "6205-2RS", description="Ball bearing")
    make_part(ctx.db, ctx.actor, "V-100", description="Valve")
    ctx.events.changed(Topic.PARTS)  # as another dialog or PC would announce it
    page = window.parts_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    type_in(qtbot, page.search, "bear")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=2000)
    assert page.model.data(page.model.index(0, 0)) == "6205-2RS"
    assert page.count_label.text() == "1 part"
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # Enter opens the first match
    assert window.stack.currentWidget() is window.part_page


def test_model_passes_qt_model_tester(
    qtmodeltester: ModelTester, sqlite_db: Database, ctx: AppContext
) -> None:
    bulk_parts(sqlite_db, 2_000)
    model = PartsTableModel(sqlite_db, ctx.runner)
    model.search("")
    assert (model.rowCount(), model.total, model.estimated) == (200, 2_000, False)  # the head, counted
    qtmodeltester.check(model)
    model.fetchMore()  # scrolled to the end: the rest of the list
    assert model.rowCount() == 2_000
    qtmodeltester.check(model)


def test_model_at_100000_parts_sorts_and_filters_in_sql(sqlite_db: Database, ctx: AppContext) -> None:
    bulk_parts(sqlite_db, 100_000)
    model = PartsTableModel(sqlite_db, ctx.runner)
    model.search("")
    assert model.rowCount() == 200 and model.total == 100_000 and model.canFetchMore()
    model.fetchMore()  # what the view asks for when scrolled to the end
    assert model.rowCount() == 100_000 and not model.canFetchMore()
    assert model.data(model.index(99_999, 0)) == "PN-099999"
    model.sort(6, Qt.SortOrder.DescendingOrder)  # unit cost, highest first
    assert model.data(model.index(0, 6)) == "124.75"
    model.fetchMore()
    assert model.data(model.index(99_999, 6)) == "0.00"
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.data(model.index(0, 1)) == "Bearing size 0"
    model.search("valve size 99")  # every word must match somewhere in the row
    assert model.rowCount() > 0
    for r in range(model.rowCount()):
        number, description = model.data(model.index(r, 0)), model.data(model.index(r, 1))
        assert description.startswith("Valve") and ("99" in description or "99" in number)


def test_part_dialog_refuses_duplicate_and_keeps_typing(qtbot: QtBot, ctx: AppContext) -> None:
    make_part(ctx.db, ctx.actor, "ab-100")
    dialog = PartDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    type_in(qtbot, dialog.number, "AB-100")
    type_in(qtbot, dialog.description, "Another bearing")
    type_in(qtbot, dialog.unit_cost, "12,50")
    dialog.save()
    assert dialog.banner.kind == "error" and "ab-100 already exists" in dialog.banner.text()
    assert dialog.focusWidget() is dialog.number and dialog.description.text() == "Another bearing"
    assert dialog.isVisible()
    dialog.number.setText("AB-101")
    dialog.min_qty.setText("5")
    dialog.max_qty.setText("2")
    dialog.save()
    assert "below minimum" in dialog.banner.text() and dialog.focusWidget() is dialog.max_qty
    dialog.max_qty.setText("20")
    dialog._add_supplier_row(("Acme Bearings", "AC-1", "11.9", "10", "5"))
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.save()
    part = saved.args[0]
    assert part.unit_cost == Decimal("12.5") and part.suppliers[0].supplier_name == "Acme Bearings"
    assert parts.get_part_id(ctx.db, "ab-101") == part.id


def test_new_part_from_the_window_then_edit(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    window.new_part()
    dialog = window.part_dialog
    dialog.number.setText("FLT-1")
    dialog.description.setText("Oil filter Ø12 mm µ-mesh")
    dialog.unit.setCurrentIndex(dialog.unit.findData("EA"))
    dialog.save()
    assert window.stack.currentWidget() is window.part_page
    assert window.part_page.subtitle.text() == "Oil filter Ø12 mm µ-mesh"
    window.part_page.edit_button.click()
    window.part_dialog.description.setText("Oil filter 12 mm")
    window.part_dialog.save()
    assert window.part_page.subtitle.text() == "Oil filter 12 mm"


def test_locations_tree_and_new_bin(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    make_tree(ctx.db, ctx.actor)
    window.go_to("Locations")
    tree = window.locations_page.tree
    assert tree.topLevelItemCount() == 1 and top(tree, 0).text(0) == "PLANT"
    rack = tree.findItems("R01", Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchExactly)[0]
    tree.setCurrentItem(rack)
    window.locations_page.new_button.click()
    dialog = window.location_dialog
    assert dialog.parent_code.currentText() == "R01" and dialog.level.currentText() == "BIN"
    dialog.code.setText("a-01-03")
    dialog.save()
    assert tree.findItems("A-01-03", Qt.MatchFlag.MatchRecursive | Qt.MatchFlag.MatchExactly)
    window.locations_page.filter.setText("a-01-03")
    assert tree.findItems("A-01-01", Qt.MatchFlag.MatchRecursive)[0].isHidden()
    assert not tree.findItems("A-01-03", Qt.MatchFlag.MatchRecursive)[0].isHidden()


def test_sync_runner_reports_errors_to_handler() -> None:
    seen: list[BaseException] = []
    runner = SyncRunner(seen.append)
    runner.run(lambda: 1 / 0, lambda _r: None)
    assert isinstance(seen[0], ZeroDivisionError)
