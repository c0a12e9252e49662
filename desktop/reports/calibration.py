"""The calibration page: every label outline with its slot number and a centre crosshair, a 50 mm
scale bar and the instructions, on every format.

Print it on plain paper at actual size and lay it on a label sheet (or print it on the label stock):
if label 1's outline lands 1 mm right of the real label, enter an X offset of -1 mm; if it lands 1 mm
low, a Y offset of -1 mm.  The scale bar shows whether the printer really printed at 100 %.

On a sheet the instructions and the bar go in the top margin (else the bottom one, else a white box in
the middle of the page); on a one-label page they go inside the label, the bar along its bottom, or
corner to corner on a label narrower than 54 mm (2 x 1 in).
"""

from __future__ import annotations

import io
import math
from typing import Any

from desktop.reports import fonts
from desktop.reports.label_formats import (
    MM,
    LabelFormat,
    apply_offsets,
    check_offsets,
    new_canvas,
    slot_origin_pt,
)
from desktop.reports.label_text import fit_text
from desktop.reports.label_types import LINE, MIN_TEXT_PT

BAR_MM = 50.0
_NOTE_PT = 7.0


def _instructions(fmt: LabelFormat, offset_x_mm: float, offset_y_mm: float) -> list[str]:
    return [
        f"{fmt.name}: calibration page. Offsets X {offset_x_mm:+.1f} mm, Y {offset_y_mm:+.1f} mm.",
        "Print at actual size (100 %, not 'fit to page'): the scale bar must measure 50 mm.",
        "Lay the page on a label sheet. Outlines right of the labels: make X smaller; "
        "outlines below the labels: make Y smaller. Save the offsets for this printer.",
    ]


def _tiny_instructions(offset_x_mm: float, offset_y_mm: float) -> list[str]:
    """For a small label: the offsets, the bar's length, which way to correct."""
    return [
        f"X {offset_x_mm:+.1f}, Y {offset_y_mm:+.1f} mm. 100 %: bar = 50 mm. "
        "Outline too far right: X smaller; too low: Y smaller."
    ]


def _scale_bar(canvas: Any, x: float, y: float, angle: float = 0.0, label_at: float = 0.5) -> None:
    """A 50 mm bar with a tick every 10 mm, starting at (x, y), "50 mm" written above it (centred at
    `label_at` of its length)."""
    canvas.saveState()
    canvas.translate(x, y)
    canvas.rotate(math.degrees(angle))
    canvas.setLineWidth(0.6)
    canvas.line(0, 0, BAR_MM * MM, 0)
    for tick in range(6):
        height = (2.5 if tick in (0, 5) else 1.5) * MM
        canvas.line(tick * 10 * MM, 0, tick * 10 * MM, height)
    label = "50 mm"
    label_x = BAR_MM * MM * label_at - fonts.text_width(label, MIN_TEXT_PT) / 2
    fonts.draw_text(canvas, label_x, 0.8 * MM, label, MIN_TEXT_PT)
    canvas.restoreState()


def _draw_lines(canvas: Any, lines: tuple[str, ...], x: float, top: float, size: float) -> None:
    baseline = top - size * fonts.ASCENT
    for line in lines:
        fonts.draw_text(canvas, x, baseline, line, size)
        baseline -= size * LINE


def _note_block(texts: list[str], width: float, height: float) -> tuple[float, tuple[str, ...]] | None:
    """The instructions wrapped into a box at one size (>= 6 pt), or None if they do not fit."""
    text = " ".join(texts)
    max_lines = int(height / (MIN_TEXT_PT * LINE))
    if max_lines < 1:
        return None
    size, lines = fit_text(text, width, height, max_size=_NOTE_PT, max_lines=max_lines)
    if not lines or lines[-1].endswith("…"):
        return None
    return size, lines


def _sheet_notes(canvas: Any, fmt: LabelFormat, texts: list[str]) -> None:
    page_w, page_h = fmt.page_width_mm * MM, fmt.page_height_mm * MM
    x1, y1 = slot_origin_pt(fmt, 1)
    h = fmt.label_height_mm * MM
    bottom_y = slot_origin_pt(fmt, fmt.labels_per_page)[1]
    left, right = max(6 * MM, x1), page_w - 6 * MM
    bar_x = right - BAR_MM * MM
    text_w = bar_x - 6 * MM - left
    # The free bands above the first row and below the last one, 1 mm clear of both: the text across
    # the top band and the bar in the bottom one, else both side by side in one band.
    top_band = (y1 + h + 1 * MM, page_h - 5 * MM)
    bottom_band = (5 * MM, bottom_y - 1 * MM)
    full = _note_block(texts, right - left, top_band[1] - top_band[0])
    if full is not None and bottom_band[1] - bottom_band[0] >= 4 * MM:
        _draw_lines(canvas, full[1], left, top_band[1], full[0])
        _scale_bar(canvas, bar_x, bottom_band[1] - 4 * MM)
        return
    for low, high in (top_band, bottom_band):
        block = _note_block(texts, text_w, high - low)
        if block is not None and high - low >= 4 * MM:
            _draw_lines(canvas, block[1], left, high, block[0])
            _scale_bar(canvas, bar_x, low + 0.5 * MM)
            return
    # No margin to speak of: a white box in the middle of the page, over the outlines.
    box_w, box_h = min(page_w - 20 * MM, 150 * MM), 30 * MM
    bx, by = (page_w - box_w) / 2, (page_h - box_h) / 2
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(bx, by, box_w, box_h, stroke=1, fill=1)
    canvas.restoreState()
    block = _note_block(texts, box_w - 6 * MM, box_h - 12 * MM)
    if block is not None:
        _draw_lines(canvas, block[1], bx + 3 * MM, by + box_h - 3 * MM, block[0])
    _scale_bar(canvas, bx + (box_w - BAR_MM * MM) / 2, by + 3 * MM)


def _label_notes(
    canvas: Any, fmt: LabelFormat, texts: list[str], tiny: list[str], left: float, bottom: float
) -> None:
    """One label per page: the bar along the bottom (or corner to corner); the notes in the box from
    `left` (right of the slot number) to the label's right edge, from its top down to `bottom`."""
    w, h = fmt.label_width_mm * MM, fmt.label_height_mm * MM
    edge = 2 * MM
    top = h - edge
    if w - 2 * edge >= BAR_MM * MM:
        _scale_bar(canvas, (w - BAR_MM * MM) / 2, edge)
        short = [texts[0].split(": ", 1)[1], *texts[1:]]  # the format's name is on the screen already
        for candidate in (texts, short, tiny):
            block = _note_block(candidate, w - edge - left, top - bottom)
            if block is not None:
                _draw_lines(canvas, block[1], left, top, block[0])
                return
        return
    # Too narrow for a level bar (2 x 1 in): corner to corner under the small crosshair, the notes in
    # the two free corners.
    inner_w, inner_h = w - 2 * edge, h - 2 * edge
    angle = math.atan2(inner_h, inner_w)
    start = (math.hypot(inner_w, inner_h) - BAR_MM * MM) / 2
    _scale_bar(canvas, edge + start * math.cos(angle), edge + start * math.sin(angle), angle, label_at=0.2)
    size = MIN_TEXT_PT
    for n, note in enumerate(("100 %: bar = 50 mm", "Too low: Y smaller", "Too far right: X smaller")):
        y = edge + n * size * LINE
        fonts.draw_text(canvas, w - edge - fonts.text_width(note, size), y, note, size)
    offsets = tiny[0].split(" mm.", 1)[0] + " mm"
    fonts.draw_text(canvas, left, top - size * fonts.ASCENT, offsets, size)


def calibration_page(fmt: LabelFormat, *, offset_x_mm: float = 0.0, offset_y_mm: float = 0.0) -> bytes:
    check_offsets(offset_x_mm, offset_y_mm)
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, fmt, title=f"Calibration page - {fmt.name}")
    apply_offsets(canvas, offset_x_mm, offset_y_mm)
    w, h = fmt.label_width_mm * MM, fmt.label_height_mm * MM
    one = fmt.labels_per_page == 1
    # On a one-label page the crosshair leaves room for the notes; a 2 x 1 in label needs a small one.
    arm = min(w, h) * (0.3 if not one else 0.12 if w < 54 * MM + 4 * MM else 0.18)
    number_size = max(MIN_TEXT_PT, min(h * 0.3, 28.0))
    canvas.setLineWidth(0.5)
    for slot in range(1, fmt.labels_per_page + 1):
        x, y = slot_origin_pt(fmt, slot)
        cx, cy = x + w / 2, y + h / 2
        canvas.rect(x, y, w, h, stroke=1, fill=0)
        canvas.line(cx - arm, cy, cx + arm, cy)
        canvas.line(cx, cy - arm, cx, cy + arm)
        canvas.circle(cx, cy, arm / 3, stroke=1, fill=0)
        number_x = x + w * 0.04
        fonts.draw_text(
            canvas, number_x, y + h - number_size * fonts.ASCENT - h * 0.04, str(slot), number_size, bold=True
        )
    texts = _instructions(fmt, offset_x_mm, offset_y_mm)
    if one:
        beside = w * 0.04 + fonts.text_width("1", number_size, bold=True) + 3 * MM
        tiny = _tiny_instructions(offset_x_mm, offset_y_mm)
        _label_notes(canvas, fmt, texts, tiny, beside, h / 2 + arm + 0.5 * MM)
    else:
        _sheet_notes(canvas, fmt, texts)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
