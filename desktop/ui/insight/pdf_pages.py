"""Show and print the PDFs our renderers make.

Printing is light: a printer that CUPS manages gets the vector PDF itself (desktop/printing.py).
Any other printer (Windows, a PDF file) gets one page image at a time, rendered by PDFium at the
printer's resolution capped at 600 dpi (or the label printer's own 203/300 dpi), 1-bit for labels,
so memory stays flat however many pages the job has: a full-page bitmap at a driver's reported
1,200 dpi took 1.7 GB and 26 s for 5 pages. 1,000 labels (34 Letter pages at 600 dpi, 1-bit) take about
0.3 s a page: PDFium's render, Qt's threshold to 1 bit and Qt's own writing of the image, about a third
each (bench/bench_printing.py).

PySide6-Essentials has no QtPdf; pypdfium2 (PDFium, the engine of Chrome's viewer) is small and exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pypdfium2 as pdfium
from PySide6.QtCore import QMarginsF, QRect, QSizeF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from desktop import printing
from desktop.errors import UserError

MAX_RASTER_DPI = 600


@dataclass(frozen=True)
class Printed:
    pages: int
    job: str | None = None  # the CUPS job id when the PDF went to the queue as it is

    def describe(self, printer: QPrinter) -> str:
        name = printer.printerName() or "the printer"
        how = f" as PDF (job {self.job})" if self.job else ""
        return f"Sent {self.pages} page{'s' if self.pages != 1 else ''} to {name}{how}."


def page_count(pdf: bytes) -> int:
    return len(pdfium.PdfDocument(pdf))


def page_size_mm(pdf: bytes, index: int) -> tuple[float, float]:
    width, height = pdfium.PdfDocument(pdf)[index].get_size()
    return width * 25.4 / 72, height * 25.4 / 72


def _render(doc: pdfium.PdfDocument, index: int, dpi: float) -> QImage:
    """A page on white, in colour."""
    bitmap = doc[index].render(
        scale=dpi / 72,
        fill_color=(255, 255, 255, 255),
        no_smoothpath=dpi >= 200,
        rev_byteorder=True,
        prefer_bgrx=True,
    )
    image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGBX8888)
    return image.copy()  # detach from PDFium's buffer, which is freed with the bitmap


# Qt's PDF writer (a file, or the spool of a CUPS queue) keeps a 1-bit image as 1-bit only when its colour
# table is exactly (black, white); any other table, even (white, black), which is what Qt's own conversion
# to Format_Mono gives, goes through a 32-bit copy of the page (135 MB for Letter at 600 dpi) and is
# written as 8-bit grey with an 8-bit soft mask: 80 s and 325 MB for 34 Letter pages, against 1-bit
# image masks a tenth of the size.
_BLACK_WHITE = [0xFF000000, 0xFFFFFFFF]
# PDFium's 8-bit grey read as Indexed8 through this table: Qt thresholds Indexed8 to Format_Mono directly
# (by the table's grey), where Format_Grayscale8 goes through a 32-bit copy too (0.6 s a page, not 0.14).
# Dark is white here and light black, so the bit Qt sets for "black" is 1 for paper: read with
# _BLACK_WHITE, index 0 is ink and 1 is paper, without inverting the page.
_THRESHOLD_INVERTED = [0xFFFFFFFF if grey < 128 else 0xFF000000 for grey in range(256)]


def _render_mono(doc: pdfium.PdfDocument, index: int, dpi: float) -> QImage:
    """A page as 1-bit black on white (bars aliased: black stays black, no grey fringes), in the one
    form Qt's PDF writer stores as 1-bit: 4 MB for Letter at 600 dpi; the 8-bit grey render it is
    thresholded from (33 MB) is freed on return."""
    bitmap = doc[index].render(
        scale=dpi / 72, fill_color=(255, 255, 255, 255), no_smoothpath=dpi >= 200, grayscale=True
    )
    grey = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_Indexed8)
    grey.setColorTable(_THRESHOLD_INVERTED)
    mono = grey.convertToFormat(QImage.Format.Format_Mono, Qt.ImageConversionFlag.ThresholdDither)
    mono.setColorTable(_BLACK_WHITE)
    return mono  # its own pixels: PDFium's buffer is freed with the bitmap


def render_page(pdf: bytes, index: int, dpi: float) -> QImage:
    """One page as an opaque white-backed image (bars aliased, so they stay crisp at low dpi)."""
    return _render(pdfium.PdfDocument(pdf), index, dpi)


def _takes_pdf(printer: QPrinter) -> bool:
    return (
        printer.outputFormat() == QPrinter.OutputFormat.NativeFormat
        and bool(printer.printerName())
        and printer.printerName() in printing.cups_printers()
    )


def print_pdf(
    pdf: bytes,
    printer: QPrinter,
    progress: Callable[[int, int], bool] | None = None,
    *,
    title: str = "Storeroom",
    max_dpi: int = MAX_RASTER_DPI,
    mono: bool = False,
    as_pdf: bool | None = None,
) -> Printed:
    """Print every page at actual size. `as_pdf`: None = send the PDF itself where CUPS takes it,
    False = always page images (`max_dpi` at most; `mono` = 1-bit, for labels). `progress` False = stop.
    """
    total = page_count(pdf)
    width_mm, height_mm = page_size_mm(pdf, 0)
    if as_pdf is not False and _takes_pdf(printer):
        job = printing.send_pdf(
            pdf, printer.printerName(), title=title, page_mm=(width_mm, height_mm), copies=printer.copyCount()
        )
        if progress is not None:
            progress(total, total)
        return Printed(total, job)
    printer.setFullPage(True)  # our PDF already places everything; no driver margins on top
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QSizeF(width_mm, height_mm), QPageSize.Unit.Millimeter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    if mono:
        # A grey job for the driver; the page images themselves stay 1-bit whatever the colour mode
        # (_render_mono), and nothing else is drawn.
        printer.setColorMode(QPrinter.ColorMode.GrayScale)
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("The printer could not be started. Check that it is switched on and connected.")
    done = 0
    doc = pdfium.PdfDocument(pdf)
    try:
        dpi = min(printer.resolution(), max_dpi)
        rect: QRect = printer.pageLayout().fullRectPixels(printer.resolution())
        for index in range(total):
            if index:
                printer.newPage()
            image = _render_mono(doc, index, dpi) if mono else _render(doc, index, dpi)
            painter.drawImage(rect, image)
            del image  # one page in memory at a time
            done += 1
            if progress is not None and progress(done, total) is False:
                break
    finally:
        painter.end()
        doc.close()
    return Printed(done)
