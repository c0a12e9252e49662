"""Show and print the PDFs our renderers make: pages rasterised by PDFium at screen or printer resolution.

PySide6-Essentials has no QtPdf; pypdfium2 (PDFium, the engine of Chrome's viewer) is small and exact.
Each page is painted at the printer's own resolution, so bars land on whole printer dots.
"""

from __future__ import annotations

from collections.abc import Callable

import pypdfium2 as pdfium
from PySide6.QtCore import QMarginsF, QRect, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from desktop.errors import UserError


def page_count(pdf: bytes) -> int:
    return len(pdfium.PdfDocument(pdf))


def page_size_mm(pdf: bytes, index: int) -> tuple[float, float]:
    width, height = pdfium.PdfDocument(pdf)[index].get_size()
    return width * 25.4 / 72, height * 25.4 / 72


def render_page(pdf: bytes, index: int, dpi: float) -> QImage:
    """One page as an opaque white-backed image (bars aliased, so they stay crisp at low dpi)."""
    doc = pdfium.PdfDocument(pdf)
    bitmap = doc[index].render(
        scale=dpi / 72,
        fill_color=(255, 255, 255, 255),
        rev_byteorder=True,
        prefer_bgrx=True,
        no_smoothpath=dpi >= 200,
    )
    image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGBX8888)
    return image.copy()  # detach from PDFium's buffer, which is freed with the bitmap


def print_pdf(pdf: bytes, printer: QPrinter, progress: Callable[[int, int], bool] | None = None) -> int:
    """Print every page at the printer's resolution; returns pages printed. `progress` False = stop."""
    total = page_count(pdf)
    width_mm, height_mm = page_size_mm(pdf, 0)
    printer.setFullPage(True)  # our PDF already places everything; no driver margins on top
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QSizeF(width_mm, height_mm), QPageSize.Unit.Millimeter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("The printer could not be started. Check that it is switched on and connected.")
    done = 0
    try:
        dpi = printer.resolution()
        for index in range(total):
            if index:
                printer.newPage()
            image = render_page(pdf, index, dpi)
            rect: QRect = printer.pageLayout().fullRectPixels(dpi)
            painter.drawImage(rect, image)
            done += 1
            if progress is not None and progress(done, total) is False:
                break
    finally:
        painter.end()
    return done
