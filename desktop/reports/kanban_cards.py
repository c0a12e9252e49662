"""Kanban cards: a colour band with the loop kind and "card x of n", the part number large, the
container quantity, where the container comes from and goes to, Code128 and QR of the card code, and
the card's version and print date (a card printed before the container quantity changed is refused on
scan, and the version printed on it tells the keeper which one to throw away).

Portrait formats (A6, 4 x 6 in) stack everything; the half-sheet landscape cards put the QR beside the
text. The band's text names the kind, so a card printed in black and white reads the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop.reports.barcode_draw import QR_QUIET_MODULES, qr_matrix
from desktop.reports.label_formats import MM, LabelError, LabelFormat
from desktop.reports.label_layout import check_payload, dot_mm, full_width_code128, label_margin
from desktop.reports.label_text import fit_text, stack_texts
from desktop.reports.label_types import (
    ONLY_2D,
    Band,
    Code128Placement,
    LabelLayout,
    NoRoom,
    ProgressCallback,
    QrPlacement,
    TextPlacement,
)
from desktop.reports.labels import render_job

# Loop kind -> (band colour, band text). Colours readable with white text and distinct in grey.
KIND_BANDS: dict[str, tuple[tuple[float, float, float], str]] = {
    "PURCHASE": ((0.08, 0.40, 0.75), "PURCHASE"),
    "TRANSFER": ((0.18, 0.49, 0.20), "INTERNAL TRANSFER"),
    "PRODUCTION": ((0.80, 0.33, 0.00), "PRODUCTION"),
}


@dataclass(frozen=True)
class KanbanCardLabel:
    code: str  # the scan payload, e.g. "K-000123"
    kind: str  # PURCHASE | TRANSFER | PRODUCTION
    part_number: str
    description: str
    container: str  # formatted by the caller: "50 EA"
    source: str  # supplier name (and part number) or supply location
    destination: str  # the line-side location
    serial: int
    of: int
    version: int
    printed: str  # print date, already formatted


def layout_kanban_card(card: KanbanCardLabel, fmt: LabelFormat) -> LabelLayout:
    check_payload(card.code)
    w, h = fmt.label_width_mm * MM, fmt.label_height_mm * MM
    if min(w, h) < 60 * MM:
        raise LabelError(
            f"A {fmt.label_width_mm:g} x {fmt.label_height_mm:g} mm label is too small for a kanban card: "
            "choose the A6 card, 4 x 6 in, or two cards per A4 / Letter sheet."
        )
    margin = label_margin(fmt)
    rgb, kind_text = KIND_BANDS.get(card.kind, ((0.3, 0.3, 0.3), card.kind))
    band_h = max(9 * MM, 0.09 * h)
    band_y = h - band_h
    size, lines = fit_text(
        f"{kind_text}   ·   card {card.serial} of {card.of}",
        w - 2 * margin,
        band_h * 0.8,
        max_size=band_h * 0.55,
        bold=True,
    )
    band = Band(
        rgb, band_y, band_h, TextPlacement(lines, margin, band_y + (band_h + size) / 2, w, size, True)
    )
    try:
        bars: Code128Placement | None = full_width_code128(card.code, fmt, margin, 0.12, 18.0)
    except NoRoom:  # a card code too long for a Code128 across the card: the QR carries it
        bars = None
    bars_top = margin if bars is None else bars.y + bars.height
    portrait = h > 1.2 * w
    matrix = qr_matrix(card.code)
    dot = dot_mm(fmt)
    qr_side = (0.38 if portrait else 0.26) * min(w, h)
    module = max(dot, int(qr_side / len(matrix) / dot) * dot)
    qr_size = len(matrix) * module
    quiet = QR_QUIET_MODULES * module
    top = band_y - margin
    footer = f"{card.code} · version {card.version} · printed {card.printed}"
    if portrait:  # QR centred under the texts, above the Code128
        qr = QrPlacement(matrix, (w - qr_size) / 2, bars_top + quiet + 2 * MM, module, data=card.code)
        column_w, bottom = w - 2 * margin, qr.y + qr_size + quiet
    else:  # QR at the right, beside the texts
        qr = QrPlacement(matrix, w - margin - qr_size, top - qr_size, module, data=card.code)
        column_w, bottom = w - 3 * margin - qr_size - quiet, bars_top + 2 * MM
    items = [
        (card.part_number, 0.22, 1, True, min(64.0, h * 0.12)),
        (card.description, 0.20, 3, False, 16.0),
        (f"{card.container} per container", 0.18, 1, True, 30.0),
        (f"From: {card.source}", 0.14, 2, False, 14.0),
        (f"To: {card.destination}", 0.12, 1, True, 14.0),
        (footer, 0.08, 1, False, 10.0),
    ]
    texts = stack_texts(items, margin, top, column_w, top - bottom)
    if len(texts) < len(items):
        raise LabelError(f"There is no room for every line of card {card.code} on this format.")
    return LabelLayout("card", w, h, bars, qr, texts, band, fallback="" if bars else ONLY_2D)


def render_kanban_cards(
    cards: Sequence[KanbanCardLabel],
    fmt: LabelFormat,
    *,
    start_at: int = 1,
    copies: int = 1,
    offset_x_mm: float = 0.0,
    offset_y_mm: float = 0.0,
    progress: ProgressCallback | None = None,
) -> bytes:
    """PDF of kanban cards; options as for `render_bin_labels`."""
    return render_job(
        cards,
        layout_kanban_card,
        fmt,
        what="kanban card",
        start_at=start_at,
        copies=copies,
        offset_x_mm=offset_x_mm,
        offset_y_mm=offset_y_mm,
        progress=progress,
    ).pdf
