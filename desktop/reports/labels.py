"""Bin labels and part labels: label data + format + options in, PDF bytes out.

Pure functions (no database, no Qt): the labels service builds the DTOs, the UI runs the render in a
background task and shows `LabelError` messages to the clerk.

Layout adapts to the label size.  Every label keeps a safety margin from its edges, keeps each
barcode's quiet zone clear (10 modules for Code128, 4 for QR, 2 for DataMatrix) and shrinks or wraps
text, never below 6 pt (as a last resort it is cut short with "…"), so nothing is drawn outside the
label.  A bin label prefers, in order: the QR on the left at full height with text and Code128 beside
it; a smaller QR beside the text with the Code128 across the full width below; no QR (when even a
small one would be unreadable).  A tall label (4 x 6 in) stacks text, QR and Code128.

Every code prints.  When the Code128 of a label's payload does not fit at the smallest bar a scanner
reads (0.19 mm, in whole printer dots), the label uses its short id form (`L--42`, `P--42`, `A--42`,
which the scan box resolves to the same record); when even that does not fit, it carries only a 2-D
code (QR, or the smaller square DataMatrix) sized to the space.  The job reports which labels did.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

from desktop.reports import fonts
from desktop.reports.barcode_draw import (
    draw_code128,
    draw_qr,
)
from desktop.reports.label_formats import (
    FORMATS,
    LabelError,
    LabelFormat,
    LabelFormatError,
    SheetFormat,
    ThermalFormat,
    apply_offsets,
    check_offsets,
    check_start_at,
    label_slots,
    new_canvas,
    render_calibration_page,
    slot_origin_pt,
)
from desktop.reports.label_layout import layout_bin_label, layout_part_label
from desktop.reports.label_types import (
    LINE,
    MAX_COPIES,
    MAX_LABELS,
    BinLabel,
    LabelJob,
    LabelLayout,
    PartLabel,
    ProgressCallback,
    RenderCancelled,
    TextPlacement,
)

__all__ = [
    "FORMATS",
    "BinLabel",
    "LabelError",
    "LabelFormat",
    "LabelFormatError",
    "LabelJob",
    "LabelLayout",
    "PartLabel",
    "ProgressCallback",
    "RenderCancelled",
    "SheetFormat",
    "ThermalFormat",
    "layout_bin_label",
    "layout_part_label",
    "render_bin_labels",
    "render_calibration_page",
    "render_job",
    "render_part_labels",
]


def _draw_layout(canvas: Any, layout: LabelLayout) -> None:
    if layout.band is not None:
        canvas.saveState()
        canvas.setFillColorRGB(*layout.band.rgb)
        canvas.rect(0, layout.band.y, layout.width, layout.band.height, stroke=0, fill=1)
        canvas.setFillColorRGB(1, 1, 1)
        _draw_texts(canvas, (layout.band.text,))
        canvas.restoreState()
    bars = layout.code128
    if bars is not None:
        draw_code128(canvas, bars.data, bars.x, bars.y, bars.module, bars.height)
    if layout.qr is not None:
        draw_qr(canvas, layout.qr.matrix, layout.qr.x, layout.qr.y, layout.qr.module)
    _draw_texts(canvas, layout.texts)


def _draw_texts(canvas: Any, texts: Sequence[TextPlacement]) -> None:
    for text in texts:
        baseline = text.top - text.size * fonts.ASCENT
        for line in text.lines:
            x = text.x
            if text.centered:
                x += (text.width - fonts.text_width(line, text.size, text.bold)) / 2
            fonts.draw_text(canvas, x, baseline, line, text.size, text.bold)
            baseline -= text.size * LINE


def label_name(item: Any) -> str:
    """How the clerk knows a label: a bin or asset code, a part number, a card code."""
    return str(getattr(item, "code", None) or getattr(item, "part_number", "") or "")


def render_job(
    items: Sequence[Any],
    layout_fn: Callable[[Any, LabelFormat], LabelLayout],
    fmt: LabelFormat,
    *,
    what: str,
    start_at: int = 1,
    copies: int = 1,
    offset_x_mm: float = 0.0,
    offset_y_mm: float = 0.0,
    progress: ProgressCallback | None = None,
) -> LabelJob:
    """Render labels with `layout_fn`; the job says which labels printed a fallback form.

    start_at: first free slot (1-based) on a partly used first sheet.  offset_x_mm/offset_y_mm: the
    printer's calibration, + moves the print right/down.  progress(done, total) is called after each
    page; returning False cancels (RenderCancelled).  Raises LabelError for anything a clerk can fix.
    """
    if not items:
        raise LabelError(f"Nothing to print: select at least one {what}.")
    if not 1 <= copies <= MAX_COPIES:
        raise LabelError(f"The number of copies must be between 1 and {MAX_COPIES}, not {copies}.")
    total = len(items) * copies
    if total > MAX_LABELS:
        raise LabelError(
            f"{total} labels is too many for one print job; print at most {MAX_LABELS} at a time."
        )
    check_start_at(fmt, start_at)
    check_offsets(offset_x_mm, offset_y_mm)
    # Lay out everything first: a format too small for any label fails before any paper is used.
    layouts = [layout_fn(item, fmt) for item in items]

    buffer = io.BytesIO()
    canvas = new_canvas(buffer, fmt, title=f"{what.capitalize()} labels - {fmt.name}")
    current_page = 0
    apply_offsets(canvas, offset_x_mm, offset_y_mm)
    sequence = (layout for layout in layouts for _ in range(copies))
    for done, ((page, slot), layout) in enumerate(
        zip(label_slots(fmt, total, start_at), sequence, strict=True)
    ):
        if page != current_page:
            canvas.showPage()
            current_page = page
            if progress is not None and progress(done, total) is False:
                raise RenderCancelled()
            apply_offsets(canvas, offset_x_mm, offset_y_mm)
        x, y = slot_origin_pt(fmt, slot)
        canvas.saveState()
        canvas.translate(x, y)
        _draw_layout(canvas, layout)
        canvas.restoreState()
    canvas.showPage()
    canvas.save()
    if progress is not None and progress(total, total) is False:
        raise RenderCancelled()
    fallbacks = tuple(
        (label_name(item), layout.fallback)
        for item, layout in zip(items, layouts, strict=True)
        if layout.fallback
    )
    return LabelJob(buffer.getvalue(), len(items), fallbacks)


def render_bin_labels(
    labels: Sequence[BinLabel],
    fmt: LabelFormat,
    *,
    start_at: int = 1,
    copies: int = 1,
    offset_x_mm: float = 0.0,
    offset_y_mm: float = 0.0,
    progress: ProgressCallback | None = None,
) -> bytes:
    """PDF of bin labels, each repeated `copies` times in a row; options as for `render_job`."""
    return render_job(
        labels,
        layout_bin_label,
        fmt,
        what="bin",
        start_at=start_at,
        copies=copies,
        offset_x_mm=offset_x_mm,
        offset_y_mm=offset_y_mm,
        progress=progress,
    ).pdf


def render_part_labels(
    labels: Sequence[PartLabel],
    fmt: LabelFormat,
    *,
    start_at: int = 1,
    copies: int = 1,
    offset_x_mm: float = 0.0,
    offset_y_mm: float = 0.0,
    progress: ProgressCallback | None = None,
) -> bytes:
    """PDF of part labels; options as for `render_job`."""
    return render_job(
        labels,
        layout_part_label,
        fmt,
        what="part",
        start_at=start_at,
        copies=copies,
        offset_x_mm=offset_x_mm,
        offset_y_mm=offset_y_mm,
        progress=progress,
    ).pdf
