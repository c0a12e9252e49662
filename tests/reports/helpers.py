"""Shared helpers for the label tests: rasterise PDF pages, crop label slots, decode barcodes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import zxingcpp
from PIL import Image

MM_PT = 72.0 / 25.4


def render_pages(pdf: bytes, dpi: int = 300) -> list[Image.Image]:
    """Every page as a greyscale image, white background."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L") for page in doc]
    finally:
        doc.close()


def page_count(pdf: bytes) -> int:
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def crop_mm(
    image: Image.Image, dpi: int, left: float, top: float, width: float, height: float
) -> Image.Image:
    """A region given in mm from the page's top-left corner."""
    px = dpi / 25.4
    return image.crop(
        (round(left * px), round(top * px), round((left + width) * px), round((top + height) * px))
    )


def decode(image: Image.Image) -> set[tuple[str, str]]:
    """(format name, text) of every barcode zxing-cpp finds."""
    return {(r.format.name, r.text) for r in zxingcpp.read_barcodes(image)}


def is_blank(image: Image.Image, threshold: int = 250) -> bool:
    """No pixel darker than `threshold` in a greyscale image."""
    darkest = image.getextrema()[0]
    if isinstance(darkest, tuple):
        raise TypeError("expected a greyscale image")
    return darkest >= threshold


@contextmanager
def open_pdf(pdf: bytes) -> Iterator[Any]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        yield doc


def ink_outside(image: Image.Image, dpi: int, allowed_mm: list[tuple[float, float, float, float]]) -> bool:
    """True if any non-white pixel lies outside every allowed (left, top, width, height) mm rectangle."""
    probe = image.copy()
    px = dpi / 25.4
    for left, top, width, height in allowed_mm:
        box = (round(left * px), round(top * px), round((left + width) * px), round((top + height) * px))
        probe.paste(255, box)
    return not is_blank(probe, threshold=200)
