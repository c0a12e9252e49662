"""Labels through the app's own print path: the PDF itself to a CUPS queue (CUPS-PDF here, so the
printed file can be read back and decoded), or page images at a capped resolution, 1-bit."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from bench.cups_queue import QUEUE, CupsUnavailable, ensure_queue, newest_job, wait_for_output
from desktop.reports.label_formats import AVERY_5160, THERMAL_2X1
from desktop.ui.catalogue.labels_dialog import LabelsDialog
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree, receive
from tests.reports.helpers import crop_mm, decode, open_pdf, render_pages


@pytest.fixture(autouse=True)
def own_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STOREROOM_HOME", str(tmp_path / "home"))


def _cups_pdf() -> Path:
    try:
        return ensure_queue()
    except CupsUnavailable as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must print through CUPS-PDF (.ci/run installs it as root): {exc}")
        pytest.skip(f"no CUPS-PDF queue here: {exc}")


def _slot_codes(pdf: bytes, count: int) -> list[set[str]]:
    (page,) = render_pages(pdf, dpi=300)
    found = []
    for slot in range(1, count + 1):
        left, top = AVERY_5160.slot_origin_mm(slot)
        crop = crop_mm(page, 300, left, top, AVERY_5160.label_width_mm, AVERY_5160.label_height_mm)
        found.append({text for _f, text in decode(crop)})
    return found


def _bin_dialog(
    window: MainWindow, ctx: AppContext, qtbot: QtBot, key: str = "avery-5160"
) -> tuple[LabelsDialog, bytes]:
    """The labels dialog with the PDF it rendered."""
    tree = make_tree(ctx.db, ctx.actor)
    receive(ctx.db, ctx.actor, make_part(ctx.db, ctx.actor, "6205-2RS").id, tree["A-01-01"].id, "3")
    dialog = window.open_labels("bin", [tree["PLANT"].id])
    assert dialog is not None
    dialog.subtree.setChecked(True)
    dialog.format.setCurrentIndex(dialog.format.findData(key))
    with qtbot.waitSignal(dialog.rendered):
        dialog.render_labels()
    assert dialog.pdf is not None
    return dialog, dialog.pdf


def test_labels_go_to_cups_as_pdf_and_print_on_their_slots(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    out = _cups_pdf()
    dialog, pdf = _bin_dialog(window, ctx, qtbot)
    wanted = _slot_codes(pdf, 7)  # PLANT, STORES, R01, two bins, QA, Q-01
    assert all(wanted)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPrinterName(QUEUE)
    since = time.time()
    dialog.print_to(printer, pdf)
    found = re.search(r"as PDF \(job (\S+)\)", dialog.banner.text())
    assert dialog.banner.kind == "ok" and found, dialog.banner.text()
    printed = wait_for_output(out, found.group(1), since).read_bytes()
    with open_pdf(printed) as doc:  # Letter, at actual size
        assert len(doc.pages) == 1
        assert (round(float(doc.pages[0].width)), round(float(doc.pages[0].height))) == (612, 792)
    assert _slot_codes(printed, 7) == wanted  # every code decodes, in its own slot


def test_other_printers_get_one_bit_pages_at_600_dpi_at_most(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    dialog, pdf = _bin_dialog(window, ctx, qtbot)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)  # reports 1,200 dpi
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    dialog.print_to(printer, pdf)
    assert dialog.banner.kind == "ok" and "as PDF" not in dialog.banner.text()
    printed = (tmp_path / "printed.pdf").read_bytes()
    with open_pdf(printed) as doc:
        (image,) = doc.pages[0].images
    # 8.5 x 11 in at 600 dpi, not the 1,200 the printer reports; 1 bit a pixel, as it was drawn (Qt's PDF
    # writer keeps a 1-bit image 1-bit only when its colour table is black, white: anything else turns
    # into 8-bit grey with a soft mask, from a 32-bit copy of the page; desktop/ui/insight/pdf_pages.py)
    width, height = image["srcsize"]
    assert abs(width - 5100) <= 1 and abs(height - 6600) <= 1
    assert image["bits"] == 1 and "DeviceGray" in str(image["colorspace"])
    histogram = render_pages(printed, dpi=600)[0].histogram()
    assert sum(histogram[1:255]) == 0 and histogram[0] > 0  # black and white, nothing between
    assert _slot_codes(printed, 7) == _slot_codes(pdf, 7)


def test_page_images_go_through_a_cups_queue_and_still_decode(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    """The raster path as a printer CUPS does not manage gets it, through a real spooler: Qt submits the
    page images itself, and CUPS-PDF's file is what reached the printer."""
    out = _cups_pdf()
    dialog, pdf = _bin_dialog(window, ctx, qtbot)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPrinterName(QUEUE)
    printer.setDocName("raster-test")
    since = time.time()
    dialog.print_to(printer, pdf, as_pdf=False)
    assert dialog.banner.kind == "ok" and "as PDF" not in dialog.banner.text(), dialog.banner.text()
    printed = wait_for_output(out, newest_job(QUEUE), since).read_bytes()
    with open_pdf(printed) as doc:
        assert len(doc.pages) == 1
        assert (round(float(doc.pages[0].width)), round(float(doc.pages[0].height))) == (612, 792)
        assert doc.pages[0].images  # a page image, not the vector PDF
    assert _slot_codes(printed, 7) == _slot_codes(pdf, 7)


def test_a_thermal_label_is_rastered_at_the_printers_203_dpi(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    dialog, pdf = _bin_dialog(window, ctx, qtbot, "thermal-2x1in")
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "thermal.pdf"))
    dialog.print_to(printer, pdf)
    printed = (tmp_path / "thermal.pdf").read_bytes()
    with open_pdf(printed) as doc:
        assert len(doc.pages) == 7
        sizes = {image["srcsize"] for page in doc.pages for image in page.images}
    assert sizes == {(round(50.8 / 25.4 * THERMAL_2X1.dpi), round(25.4 / 25.4 * THERMAL_2X1.dpi))}
    for original, page in zip(render_pages(pdf, dpi=203), render_pages(printed, dpi=203), strict=True):
        assert decode(page) == decode(original) != set()
