"""A clerk imports the plant's spreadsheets: check first, fix the file, import, export again."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.services import mro
from desktop.services.catalogue import parts, parts_list
from desktop.services.io.tabular import read_table, write_xlsx
from desktop.services.kanban import loops as kanban
from desktop.services.topics import Topic
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree
from tests.ui.cells import cell_text, child, top


def test_check_fix_import_and_export(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    window.go_to("Settings")
    dialog = window.settings_page.open_data_dialog()
    qtbot.addWidget(dialog)
    bad = tmp_path / "parts.csv"
    header = "Artikel;Bezeichnung;ME;Preis\n"
    bad.write_text(header + "P-1;Pumpe Ø12;EA;12,5\nP-2;Ventil;KISTE;3\n", encoding="cp1252")
    dialog.load(bad)
    assert "cp1252" in dialog.banner.text() and "decimal comma" in dialog.banner.text()
    # German headers are not known: the required columns are unmapped; map them by hand
    dialog.combos["part_number"].setCurrentText("Artikel")
    dialog.combos["description"].setCurrentText("Bezeichnung")
    dialog.combos["unit"].setCurrentText("ME")
    dialog.combos["unit_cost"].setCurrentText("Preis")
    dialog.check()
    assert not dialog.import_button.isEnabled()
    assert dialog.problems.rowCount() == 1 and cell_text(dialog.problems, 0, 0) == "3"
    assert "KISTE" in cell_text(dialog.problems, 0, 2)
    bad.write_text(header + "P-1;Pumpe Ø12;EA;12,5\nP-2;Ventil;BOX;3\n", encoding="cp1252")
    mapping = {k: c.currentText() for k, c in dialog.combos.items()}
    dialog.load(bad)
    for key, text in mapping.items():
        dialog.combos[key].setCurrentText(text)
    dialog.check()
    assert dialog.import_button.isEnabled() and dialog.problems.rowCount() == 0
    with qtbot.waitSignal(dialog.imported):
        dialog.import_button.click()
    assert parts.get_part(ctx.db, parts.get_part_id(ctx.db, "P-1")).unit_cost == 12.5
    assert window.parts_page.model.rowCount() == 2  # the list followed the import
    out = tmp_path / "export.xlsx"
    dialog.export_to("parts", out)
    assert read_table(out).rows[0][:2] == ("P-1", "Pumpe Ø12")


def test_cancelled_import_saves_nothing(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    dialog = window.settings_page.open_data_dialog()
    qtbot.addWidget(dialog)
    path = tmp_path / "many.csv"
    path.write_text("Part number,Description\n" + "".join(f"N-{n},Part {n}\n" for n in range(5000)))
    dialog.load(path)
    dialog.check()
    # the clerk presses Cancel at the first progress; direct, as the work runs on the runner's thread
    dialog.progress.connect(lambda _d, _t: dialog._cancel.set(), Qt.ConnectionType.DirectConnection)
    dialog.run_import()
    assert "cancelled" in dialog.banner.text().lower()
    assert parts_list.search_part_ids(ctx.db, "N-") == []


def test_reports_page_lists_what_to_order_and_exports(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    from desktop.models.enums import MoveKind
    from desktop.services.stock.moves import MoveRequest, post_move
    from tests.factories import receive

    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "LOW-9", min_qty=Decimal(5), unit_cost=Decimal(3))
    receive(ctx.db, ctx.actor, part.id, tree["A-01-01"].id, "6")
    post_move(
        ctx.db,
        ctx.actor,
        MoveRequest(MoveKind.ISSUE, part.id, Decimal(4), from_location_id=tree["A-01-01"].id),
    )
    window.go_to("Reports")  # opening the page computes the list
    tab = window.pages["Reports"].replenishment  # type: ignore[attr-defined]
    assert tab.table.rowCount() == 1 and tab.table.item(0, 2).text() == "LOW-9"
    assert "1 part(s) to order from 1 supplier(s)" in tab.summary.text()
    tab.export_to(tmp_path / "order.xlsx")
    assert read_table(tmp_path / "order.xlsx").rows[0][2] == "LOW-9"


def test_assets_file_through_the_dialog_then_where_used_and_loops(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    make_part(ctx.db, ctx.actor, "6205-2RS")
    pin = make_part(ctx.db, ctx.actor, "PIN-1")
    dialog = window.settings_page.open_data_dialog()
    qtbot.addWidget(dialog)
    kinds = [dialog.kind.itemData(i) for i in range(dialog.kind.count())]
    assert kinds[kinds.index("assets") :][:3] == ["assets", "where-used", "kanban"]
    dialog.kind.setCurrentIndex(dialog.kind.findData("assets"))
    path = tmp_path / "assets.xlsx"
    write_xlsx(
        path,
        ["Equipment", "Description", "Level", "Part of", "Criticality"],
        [["PRESS-01", "Press 1", "MACHINE", "LINE-1", "HIGH"], ["LINE-1", "Stamping", "LINE", "", ""]],
        title="Plant",
    )
    dialog.load(path)
    assert dialog.combos["code"].currentText() == "Equipment"  # matched on the header's name
    assert dialog.combos["parent"].currentText() == "Part of"
    dialog.check()
    assert dialog.import_button.isEnabled() and "2 new" in dialog.summary.text()
    changes: list[frozenset[Topic]] = []
    ctx.events.data_changed.connect(changes.append)
    with qtbot.waitSignal(dialog.imported):
        dialog.import_button.click()
    assert any(Topic.MRO in c for c in changes)  # the MRO page reloads
    assert [(a.code, a.parent_id is not None) for a in mro.asset_tree(ctx.db)] == [
        ("LINE-1", False),
        ("PRESS-01", True),
    ]
    window.go_to("MRO spares")
    assert child(top(window.mro_page.spares_tab.tree, 0), 0).text(0) == "PRESS-01"
    # a problem in a where-used file is shown by row and column, nothing is saved
    spares = tmp_path / "spares.csv"
    spares.write_text("Asset tag,Part number,Qty installed\nPRESS-01,6205-2RS,2\nPRESS-02,6205-2RS,1\n")
    dialog.kind.setCurrentIndex(dialog.kind.findData("where-used"))
    dialog.load(spares)
    dialog.check()
    assert not dialog.import_button.isEnabled()
    assert [cell_text(dialog.problems, 0, c) for c in range(2)] == ["3", "Asset tag"]
    # kanban loops exported from the dialog come back unchanged
    kanban.create_loop(
        ctx.db,
        ctx.actor,
        kanban.LoopInput(
            pin.id,
            kanban.LoopKind.TRANSFER,
            tree["A-01-02"].id,
            Decimal(5),
            2,
            supply_location_id=tree["A-01-01"].id,
        ),
    )
    out = tmp_path / "loops.csv"
    dialog.export_to("kanban", out)
    assert "Exported 1 rows" in dialog.banner.text()
    dialog.kind.setCurrentIndex(dialog.kind.findData("kanban"))
    dialog.load(out)
    dialog.check()
    assert dialog.summary.text().startswith("1 rows: 0 new, 0 changed, 1 unchanged")


def test_an_odoo_product_export_through_the_dialog(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    """Odoo's product list, as exported: every column matched on its header, checked and imported."""
    fixtures = Path(__file__).parent.parent / "fixtures" / "odoo"
    dialog = window.settings_page.open_data_dialog()
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("parts"))
    dialog.load(fixtures / "product_template.csv")
    assert {
        k: dialog.combos[k].currentText() for k in ("part_number", "unit", "category_path", "supplier")
    } == {
        "part_number": "Internal Reference",
        "unit": "Unit of Measure",
        "category_path": "Product Category",
        "supplier": "Vendors/Vendor",
    }
    dialog.check()
    assert dialog.import_button.isEnabled() and dialog.problems.rowCount() == 0
    assert dialog.summary.text().startswith("9 rows: 9 new, 0 changed, 0 unchanged")
    with qtbot.waitSignal(dialog.imported):
        dialog.import_button.click()
    oil = parts.get_part(ctx.db, parts.get_part_id(ctx.db, "OIL-HLP46"))
    assert (oil.unit, oil.unit_cost, oil.category_path) == ("L", Decimal("3.95"), "All > MRO > Lubricants")
    assert window.parts_page.model.rowCount() == 9
    dialog.load(fixtures / "product_template.csv")  # the same export again changes nothing
    dialog.check()
    assert dialog.summary.text().startswith("9 rows: 0 new, 0 changed, 9 unchanged")
