"""A clerk prints bin and part labels: preview, save, print through Qt, calibrate, cancel."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from desktop import config
from desktop.models.enums import Role
from desktop.services.admin import users
from desktop.services.catalogue import scan
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.kanban import loops as kb
from desktop.services.kanban.loops import LoopInput, LoopKind
from desktop.ui.admin.users_page import UsersPage
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree, receive
from tests.reports.helpers import decode, open_pdf, render_pages


@pytest.fixture(autouse=True)
def own_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOREROOM_HOME", str(tmp_path / "home"))


def test_bin_labels_for_a_rack_preview_save_and_print(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "6205-2RS", description="Rillenkugellager Ø25 mm")
    receive(ctx.db, ctx.actor, part.id, tree["A-01-01"].id, "3")
    window.go_to("Locations")
    dialog = window.open_labels("bin", [tree["R01"].id])
    assert dialog is not None and dialog.subtree.isChecked()  # a rack means its bins
    dialog.format.setCurrentIndex(dialog.format.findData("avery-l7160"))
    dialog.start_at.setValue(4)
    with qtbot.waitSignal(dialog.rendered):
        dialog.render_labels()
    assert dialog.pdf is not None and dialog.page_label.text() == "page 1 of 1"
    assert dialog.preview.pixmap() is not None and not dialog.preview.pixmap().isNull()
    with open_pdf(dialog.pdf) as doc:
        text = doc.pages[0].extract_text()
    assert "A-01-01" in text and "Rillenkugellager" in text and "Ø25 mm" in text  # wrapped to fit
    codes = {t for _f, t in decode(render_pages(dialog.pdf)[0])}
    assert {"L-R01", "L-A-01-01", "L-A-01-02"} <= codes

    target = tmp_path / "bins.pdf"
    dialog.save_to(target, dialog.pdf)
    assert target.read_bytes() == dialog.pdf and "Saved" in dialog.banner.text()

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    dialog.print_to(printer, dialog.pdf)
    printed = (tmp_path / "printed.pdf").read_bytes()
    assert {"L-R01", "L-A-01-01", "L-A-01-02"} <= {t for _f, t in decode(render_pages(printed)[0])}


def test_part_labels_on_thermal_and_calibration_is_remembered(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    p1 = make_part(ctx.db, ctx.actor, "6205-2RS")
    p2 = make_part(ctx.db, ctx.actor, "M8x25/A2", description="Hex screw")
    dialog = window.open_labels("part", [p1.id, p2.id])
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData("thermal-2x1in"))
    assert not dialog.start_at.isEnabled()  # one label per page on a roll
    dialog.offset_x.setValue(1.5)
    dialog.offset_y.setValue(-0.5)
    dialog.save_calibration()
    saved = config.AppConfig.current().labels
    assert saved.offsets_mm["thermal-2x1in"] == (1.5, -0.5) and saved.format_key == "thermal-2x1in"
    with qtbot.waitSignal(dialog.rendered):
        dialog.render_labels()
    pages = render_pages(dialog.pdf)  # type: ignore[arg-type]
    assert [{t for _f, t in decode(page)} for page in pages] == [{"P-6205-2RS"}, {f"P--{p2.id}"}]
    again = window.open_labels("part", [p1.id])
    assert again is not None and again.format_key() == "thermal-2x1in" and again.offset_x.value() == 1.5


def test_cancel_stops_rendering_and_empty_selection_is_refused(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    dialog = window.open_labels("bin", [tree["PLANT"].id])
    assert dialog is not None
    dialog.subtree.setChecked(True)
    dialog.copies.setValue(30)  # 7 locations x 30 copies: several pages
    # the clerk presses Cancel at the first page; direct, as the rendering runs on the runner's thread
    dialog.progress.connect(lambda done, total: dialog.cancel(), Qt.ConnectionType.DirectConnection)
    dialog.render_labels()
    assert dialog.pdf is None and "Cancelled" in dialog.banner.text()
    assert dialog.preview_button.isEnabled()
    assert window.open_labels("bin", []) is None
    assert "Select the locations" in window.banner.text()


def test_custom_grid_that_does_not_fit_is_explained(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    dialog = window.open_labels("bin", [tree["A-01-01"].id])
    assert dialog is not None
    dialog.format.setCurrentIndex(dialog.format.findData("custom"))  # starts from the L7160 geometry
    assert dialog.banner.kind == ""
    dialog.custom_fields["rows"].setValue(20)  # 20 rows of 38.1 mm do not fit on a 297 mm page
    assert dialog.banner.kind == "error" and "page" in dialog.banner.text().lower()
    dialog.custom_fields["rows"].setValue(7)
    dialog.custom_fields["pitch_y_mm"].setValue(30)  # closer than the labels are high
    assert dialog.banner.kind == "error" and "labels would overlap" in dialog.banner.text()
    dialog.custom_fields["pitch_y_mm"].setValue(38.1)
    dialog.custom_fields["label_width_mm"].setValue(25)
    dialog.custom_fields["pitch_x_mm"].setValue(30)
    with qtbot.waitSignal(dialog.rendered):  # no Code128 of L-A-01-01 fits 25 mm: it prints anyway
        dialog.render_labels()
    assert dialog.banner.kind == "warn" and "1 of 1 label use the short id form" in dialog.banner.text()
    assert "(A-01-01)" in dialog.banner.text()
    (found,) = {t for _f, t in decode(render_pages(dialog.pdf)[0])}  # type: ignore[arg-type]
    assert scan.resolve(ctx.db, found).location.location.id == tree["A-01-01"].id  # type: ignore[union-attr]
    dialog.custom_fields["label_width_mm"].setValue(63.5)
    dialog.custom_fields["pitch_x_mm"].setValue(66.04)
    with qtbot.waitSignal(dialog.rendered):
        dialog.render_labels()
    assert dialog.banner.kind == "ok"
    assert {"L-A-01-01"} == {t for _f, t in decode(render_pages(dialog.pdf)[0])}  # type: ignore[arg-type]


def test_kanban_cards_open_on_a_card_format(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    tree = make_tree(ctx.db, ctx.actor)
    part = make_part(ctx.db, ctx.actor, "SCREW-M6", suppliers=(PartSupplierInput("Fastenal"),))
    loop = kb.create_loop(
        ctx.db, ctx.actor, LoopInput(part.id, LoopKind.PURCHASE, tree["A-01-02"].id, Decimal(100), 2)
    )
    cards = kb.cards(ctx.db, loop.id)
    settings = config.AppConfig.current()
    settings.labels.format_key = "avery-5160"  # what the clerk printed bin labels on last
    settings.save()
    dialog = window.open_labels("card", [c.id for c in cards])
    assert dialog is not None and dialog.format_key() == "card-a6"
    offered = [dialog.format.itemData(i) for i in range(dialog.format.count())]
    assert "avery-5160" not in offered and offered[:4] == [
        "thermal-4x6in",
        "card-a6",
        "cards-2-a4",
        "cards-2-letter",
    ]
    with qtbot.waitSignal(dialog.rendered):
        dialog.render_labels()
    assert dialog.banner.kind == "ok"
    found = set().union(*(decode(p) for p in render_pages(dialog.pdf, dpi=200)))  # type: ignore[arg-type]
    assert {("Code128", c.code) for c in cards} <= found and {("QRCode", c.code) for c in cards} <= found
    dialog.save_calibration()  # offsets saved for the card format; bin labels still open on 5160
    assert config.AppConfig.current().labels.format_key == "avery-5160"
    again = window.open_labels("bin", [tree["A-01-01"].id])
    assert again is not None and again.format_key() == "avery-5160"


def test_a_badge_prints_from_users_on_a_cr80_card(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    user = users.save_user(
        ctx.db,
        ctx.actor,
        user_id=None,
        user_name="jmueller",
        display_name="Jörg Müller",
        role=Role.KEEPER,
        secret="4711",
        badge_code=users.new_badge_code(),
    )
    window.go_to("Users")
    page = window.pages["Users"]
    assert isinstance(page, UsersPage)
    page.refresh()
    row = next(r for r in range(page.table.rowCount()) if page.table.item(r, 0).text() == "jmueller")  # type: ignore[union-attr]
    page.table.selectRow(row)
    page.badge_button.click()
    dialog = page.labels_dialog
    assert dialog.kind == "badge" and dialog.format_key() == "card-cr80"
    with qtbot.waitSignal(dialog.rendered):
        dialog.render_labels()
    pdf = dialog.pdf
    assert pdf is not None
    (page_image,) = render_pages(pdf)
    assert decode(page_image) == {("Code128", user.badge_code), ("QRCode", user.badge_code)}
    with open_pdf(pdf) as doc:
        assert "Jörg Müller" in doc.pages[0].extract_text()
        assert (
            round(float(doc.pages[0].width) * 25.4 / 72, 1),
            round(float(doc.pages[0].height) * 25.4 / 72, 1),
        ) == (85.6, 54.0)
    assert (
        users.authenticate_badge(ctx.db, str(user.badge_code)).user_name == "jmueller"
    )  # the printed code signs in
