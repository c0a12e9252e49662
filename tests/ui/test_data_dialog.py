"""A clerk imports the plant's spreadsheets: check first, fix the file, import, export again."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop.services import parts
from desktop.services.tabular import read_table
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow


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
    assert dialog.problems.rowCount() == 1 and dialog.problems.item(0, 0).text() == "3"
    assert "KISTE" in dialog.problems.item(0, 2).text()
    bad.write_text(header + "P-1;Pumpe Ø12;EA;12,5\nP-2;Ventil;BOX;3\n", encoding="cp1252")
    mapping = {k: c.currentText() for k, c in dialog.combos.items()}
    dialog.load(bad)
    for key, text in mapping.items():
        dialog.combos[key].setCurrentText(text)
    dialog.check()
    assert dialog.import_button.isEnabled() and dialog.problems.rowCount() == 0
    with qtbot.waitSignal(dialog.imported):
        dialog.import_button.click()
    assert parts.get_part(ctx.db, parts.part_id_for_number(ctx.db, "P-1")).unit_cost == 12.5
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
    dialog.progress.connect(lambda _d, _t: dialog._cancel.set())  # the clerk presses Cancel
    dialog.run_import()
    assert "cancelled" in dialog.banner.text().lower()
    assert parts.search_part_ids(ctx.db, "N-") == []


def test_reports_page_lists_what_to_order_and_exports(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    from decimal import Decimal

    from desktop.models.enums import MoveKind
    from desktop.services.stock import MoveRequest, post_move
    from tests.factories import make_part, make_tree, receive

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
