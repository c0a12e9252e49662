"""Bin labels and part labels: label data + format + options in, PDF bytes out.

Pure functions (no database, no Qt): the labels service builds the DTOs, the UI runs the render in a
background task and shows `LabelError` messages to the clerk.

Layout adapts to the label size.  Every label keeps a safety margin from its edges, keeps each
barcode's quiet zone clear (10 modules for Code128, 4 for QR) and shrinks, wraps or, as a last
resort, shortens text with "…" so nothing is ever drawn outside the label.  A bin label prefers, in
order: the QR on the left at full height with text and Code128 beside it; a smaller QR beside the text
with the Code128 across the full width below; no QR (when even a small one would be unreadable).
A tall label (4 x 6 in) stacks text, QR and Code128.  A barcode that does not fit at the smallest
scannable bar width is an error, never a squeezed symbol.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from desktop.reports import fonts
from desktop.reports.barcode_draw import (
    CODE128_QUIET_MODULES,
    QR_QUIET_MODULES,
    BarcodeError,
    QrMatrix,
    check_code128_text,
    code128_pattern,
    draw_code128,
    draw_qr,
    qr_matrix,
)
from desktop.reports.label_formats import (
    FORMATS,
    MM,
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

__all__ = [
    "FORMATS",
    "BinLabel",
    "LabelError",
    "LabelFormat",
    "LabelFormatError",
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
    "render_part_labels",
]

# Smallest Code128 bar (X dimension) that hand scanners read reliably; the largest worth using.
MIN_MODULE_MM: Final = 0.25
MAX_MODULE_MM: Final = 0.5
# A QR module under 0.5 mm is fewer than 4 dots at 203 dpi, below what printer makers recommend.
MIN_QR_MODULE_MM: Final = 0.5
MAX_QR_MODULE_MM: Final = 1.0
MAX_QR_MODULE_TALL_MM: Final = 2.0
MIN_BAR_HEIGHT_MM: Final = 5.0
MAX_COPIES: Final = 100
MAX_LABELS: Final = 100_000

ELLIPSIS = "…"
LINE = fonts.ASCENT + fonts.DESCENT  # height of one line box per point of font size
MIN_TEXT_PT = 5.0

ProgressCallback = Callable[[int, int], bool | None]


class RenderCancelled(Exception):
    """The progress callback returned False: the user cancelled the print job."""


@dataclass(frozen=True)
class BinLabel:
    """A location's label.  `barcode` is the exact scan payload (e.g. "L-A-01-02"), `code` the
    human text printed large (e.g. "A-01-02"), `path` the area/rack it is in."""

    code: str
    barcode: str
    path: str
    part_number: str | None = None
    part_description: str | None = None


@dataclass(frozen=True)
class PartLabel:
    """A part's label.  `barcode` is the exact scan payload (e.g. "P-6205-2RS"); quantities are
    already formatted text (Decimal is formatted by the caller, in the user's locale)."""

    part_number: str
    barcode: str
    description: str
    unit: str
    min_qty: str | None = None
    max_qty: str | None = None


# --------------------------------------------------------------------------- layout types


@dataclass(frozen=True)
class TextPlacement:
    """Lines of text; `top` is the top of the first line box, label-local points."""

    lines: tuple[str, ...]
    x: float
    top: float
    width: float
    size: float
    bold: bool = False
    centered: bool = False

    @property
    def height(self) -> float:
        return len(self.lines) * self.size * LINE


@dataclass(frozen=True)
class Code128Placement:
    data: str
    x: float  # left edge of the first bar (the quiet zone lies outside)
    y: float
    module: float
    height: float

    @property
    def width(self) -> float:
        return len(code128_pattern(self.data)) * self.module


@dataclass(frozen=True)
class QrPlacement:
    matrix: QrMatrix
    x: float  # bottom-left corner of the symbol (the quiet zone lies outside)
    y: float
    module: float

    @property
    def size(self) -> float:
        return len(self.matrix) * self.module


@dataclass(frozen=True)
class Band:
    """A filled strip with one line of white text in it, label-local points."""

    rgb: tuple[float, float, float]
    y: float
    height: float
    text: TextPlacement


@dataclass(frozen=True)
class LabelLayout:
    """Where everything goes on one label, in points from the label's bottom-left corner."""

    style: str  # "side", "banner", "plain", "tall"
    width: float
    height: float
    code128: Code128Placement
    qr: QrPlacement | None
    texts: tuple[TextPlacement, ...]
    band: Band | None = None  # a coloured strip across the top (kanban cards: the loop kind)


# --------------------------------------------------------------------------- text fitting

# CJK ideographs, kana, Hangul and full-width forms: a line may break between any two of them.
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
_TOKEN = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+")


def _wrap(text: str, width: float, size: float, bold: bool) -> list[str]:
    """Greedy word wrap; CJK may break between any two characters, an over-long word anywhere."""
    lines: list[str] = []
    line = ""
    pending_space = False
    for token in _TOKEN.findall(text):
        if token.isspace():
            pending_space = bool(line)
            continue
        candidate = f"{line} {token}" if pending_space else line + token
        pending_space = False
        if fonts.text_width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
            line = ""
        if fonts.text_width(token, size, bold) <= width:
            line = token
            continue
        for ch in token:  # a part number longer than the line: break it where it must
            if line and fonts.text_width(line + ch, size, bold) > width:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return lines


def _ellipsize(line: str, width: float, size: float, bold: bool) -> str:
    while line and fonts.text_width(line.rstrip() + ELLIPSIS, size, bold) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def fit_text(
    text: str,
    width: float,
    height: float,
    *,
    max_size: float,
    min_size: float = MIN_TEXT_PT,
    max_lines: int = 1,
    bold: bool = False,
) -> tuple[float, tuple[str, ...]]:
    """Largest font size <= max_size at which `text` fits the box in at most `max_lines` lines.

    Below `min_size` the text is cut short with "…" instead.  Returns (size, lines); no lines when
    the box cannot hold even one line of tiny text.
    """
    text = " ".join(text.split())
    if not text or width <= 0 or height <= 0:
        return 0.0, ()
    max_size = min(max_size, height / LINE)
    if max_size < 3.0:  # not even 3 pt fits: leave the box empty rather than print a smear
        return 0.0, ()
    min_size = min(min_size, max_size)
    one_line = fonts.text_width(text, 1.0, bold)
    single = min(max_size, width / one_line) if one_line else max_size
    if single >= max_size or (single >= min_size and max_lines == 1):
        return single, (text,)
    if max_lines > 1:
        # Wrapping may allow a bigger size than one shrunk line: try sizes from the largest down in
        # 6 % steps until one fits, stopping at the one-line size (or min_size).
        floor = max(single, min_size)
        size = max_size
        while size > floor:
            lines = _wrap(text, width, size, bold)
            if _fits(lines, width, height, size, max_lines, bold):
                return size, tuple(lines)
            size *= 0.94
        if single >= min_size:
            return single, (text,)
        lines = _wrap(text, width, min_size, bold)
        if _fits(lines, width, height, min_size, max_lines, bold):
            return min_size, tuple(lines)
    size = min_size
    room = max(1, min(max_lines, int(height / (size * LINE) + 1e-9)))
    lines = _wrap(text, width, size, bold)
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = _ellipsize(lines[-1], width, size, bold)
    # A box narrower than one character (or than "…") even at min_size: shrink below it, or give up.
    widest = max(fonts.text_width(line, 1.0, bold) for line in lines)
    if widest * size > width:
        size = width / widest
        if size < 3.0:
            return 0.0, ()
    return size, tuple(lines)


def _fits(lines: Sequence[str], width: float, height: float, size: float, max_lines: int, bold: bool) -> bool:
    return (
        len(lines) <= max_lines
        and len(lines) * size * LINE <= height + 1e-6
        and all(fonts.text_width(line, size, bold) <= width + 1e-6 for line in lines)
    )


def _stack_texts(
    items: Sequence[tuple[str, float, int, bool, float]],
    x: float,
    top: float,
    width: float,
    height: float,
    *,
    centered: bool = False,
) -> tuple[TextPlacement, ...]:
    """Fit texts one under another in a column.

    items: (text, share of the column height, max lines, bold, max size).  Each text gets at most its
    share; height a text does not use passes to the ones below.
    """
    gap = min(1.0 * MM, height * 0.04)
    # An empty text keeps its share, so the code prints the same size on every label of a sheet
    # whether or not the bin has a part assigned.
    total_share = sum(item[1] for item in items) or 1.0
    placements: list[TextPlacement] = []
    remaining = height - gap * max(0, len(items) - 1)
    remaining_share = total_share
    y = top
    for text, share, max_lines, bold, max_size in items:
        box_h = remaining * share / remaining_share
        remaining_share -= share
        if not text.strip():
            continue
        if placements:
            # Keep the hierarchy (nothing much larger than the code or part number) without letting
            # one absurdly long headline shrink every other line to nothing.
            max_size = min(max_size, max(placements[0].size, max_size * 0.5))
        size, lines = fit_text(text, width, box_h, max_size=max_size, max_lines=max_lines, bold=bold)
        if not lines:
            continue
        placement = TextPlacement(lines, x, y, width, size, bold, centered)
        placements.append(placement)
        used = placement.height
        remaining -= used
        y -= used + gap
    return tuple(placements)


# --------------------------------------------------------------------------- barcode sizing


def _dot(fmt: LabelFormat) -> float:
    return 72.0 / fmt.dpi


def _module_choices(fmt: LabelFormat, low_mm: float, high_mm: float) -> Iterator[float]:
    """Module sizes in points, whole printer dots each, from the largest <= high to the smallest >= low.

    A whole number of dots per module keeps every bar the same width on a thermal printer.
    """
    dot = _dot(fmt)
    k_low = math.ceil(low_mm * MM / dot - 1e-9)  # the low bound is a hard minimum
    k_high = math.floor(high_mm * MM / dot * 1.02)  # the high one may round up: 4 dots at 203 dpi = 0.5005 mm
    for k in range(k_high, k_low - 1, -1):
        yield k * dot


def _largest_module(
    fmt: LabelFormat, low_mm: float, high_mm: float, fits: Callable[[float], bool]
) -> float | None:
    return next((m for m in _module_choices(fmt, low_mm, high_mm) if fits(m)), None)


def _too_long(data: str, fmt: LabelFormat, margin: float) -> LabelError:
    module = min(_module_choices(fmt, MIN_MODULE_MM, MAX_MODULE_MM))
    need_mm = (len(code128_pattern(data)) * module + 2 * max(margin, CODE128_QUIET_MODULES * module)) / MM
    return LabelError(
        f"The barcode '{data}' is too long for a {fmt.label_width_mm:g} x {fmt.label_height_mm:g} mm "
        f"label: at the smallest bar width scanners read it needs {need_mm:.1f} mm across, and the label "
        f"is {fmt.label_width_mm:g} mm wide. Use a shorter code or a wider label."
    )


def _bar_height(label_h: float, margin: float, bar_len: float, fraction: float, cap_mm: float) -> float:
    # ISO/IEC 15417 guidance: at least 5 mm or 15 % of the symbol length, whichever is more.
    inner = label_h - 2 * margin
    wanted = max(MIN_BAR_HEIGHT_MM * MM, 0.15 * bar_len, fraction * inner)
    return min(wanted, cap_mm * MM, 0.55 * inner)


def _margin(fmt: LabelFormat) -> float:
    # Keep ink clear of die-cut edges and rounded corners; more room on bigger labels.
    return min(max(min(fmt.label_width_mm, fmt.label_height_mm) * 0.05, 1.5), 4.0) * MM


def _check_payload(data: str) -> None:
    try:
        check_code128_text(data)
    except BarcodeError as exc:
        raise LabelError(exc.message) from exc


def _full_width_code128(
    data: str, fmt: LabelFormat, margin: float, height_frac: float, cap_mm: float
) -> Code128Placement:
    """Code128 centred across the label's bottom; its quiet zones may use the margin, not the edge."""
    w, h = fmt.label_width_mm * MM, fmt.label_height_mm * MM
    n = len(code128_pattern(data))
    module = _largest_module(
        fmt, MIN_MODULE_MM, MAX_MODULE_MM, lambda m: n * m <= w - 2 * max(margin, CODE128_QUIET_MODULES * m)
    )
    if module is None:
        raise _too_long(data, fmt, margin)
    bar_w = n * module
    bar_h = _bar_height(h, margin, bar_w, height_frac, cap_mm)
    if bar_h < MIN_BAR_HEIGHT_MM * MM - 1e-6:
        raise LabelError(
            f"A {fmt.label_width_mm:g} x {fmt.label_height_mm:g} mm label is too small: a barcode needs "
            f"bars at least {MIN_BAR_HEIGHT_MM:g} mm high and some room for text. Choose a larger label."
        )
    return Code128Placement(data, (w - bar_w) / 2, margin, module, bar_h)


# --------------------------------------------------------------------------- bin label layout


def _bin_texts(label: BinLabel) -> tuple[str, str, str]:
    part = " · ".join(t for t in (label.part_number or "", label.part_description or "") if t.strip())
    return label.code, label.path, part


def layout_bin_label(label: BinLabel, fmt: LabelFormat) -> LabelLayout:
    """Decide where the barcodes and text of one bin label go (see the module docstring)."""
    _check_payload(label.barcode)
    if not label.code.strip():
        raise LabelError(f"The bin with barcode '{label.barcode}' has no code to print on its label.")
    w, h = fmt.label_width_mm * MM, fmt.label_height_mm * MM
    margin = _margin(fmt)
    code, path, part = _bin_texts(label)
    matrix = qr_matrix(label.barcode)
    n_qr = len(matrix)
    n_bars = len(code128_pattern(label.barcode))
    max_code_pt = min(72.0, h * 0.3)
    small_pt = max(6.0, min(h * 0.09, 20.0))

    def texts(
        x: float, top: float, width: float, height: float, centered: bool = False
    ) -> tuple[TextPlacement, ...]:
        lines = 3 if h > 60 * MM else 2
        items = [
            (code, 0.5, 1, True, max_code_pt),
            (path, 0.25, lines, False, small_pt),
            (part, 0.25, lines, False, small_pt),
        ]
        return _stack_texts(items, x, top, width, height, centered=centered)

    if h > 1.3 * w:
        # Tall label: code and text on top, a big QR in the middle, Code128 across the bottom.
        bars = _full_width_code128(label.barcode, fmt, margin, 0.15, 25.0)
        placed = texts(
            margin, h - margin, w - 2 * margin, (h - 2 * margin - bars.height) * 0.32, centered=True
        )
        text_bottom = h - margin - sum(t.height for t in placed) - 1 * MM
        room = min(w, text_bottom - (bars.y + bars.height))
        module = _largest_module(
            fmt, MIN_QR_MODULE_MM, MAX_QR_MODULE_TALL_MM, lambda m: (n_qr + 2 * QR_QUIET_MODULES) * m <= room
        )
        qr = None
        if module is not None:
            size = n_qr * module
            qr = QrPlacement(matrix, (w - size) / 2, (bars.y + bars.height + text_bottom - size) / 2, module)
        return LabelLayout("tall", w, h, bars, qr, placed)

    # "side": QR at the left, as tall as the label allows; text and Code128 to its right.
    qr_module = _largest_module(
        fmt,
        MIN_QR_MODULE_MM,
        MAX_QR_MODULE_MM,
        lambda m: (n_qr + 2 * QR_QUIET_MODULES) * m <= h and n_qr * m <= min(h - 2 * margin, 0.32 * w),
    )
    if qr_module is not None:
        size = n_qr * qr_module
        qr_quiet = QR_QUIET_MODULES * qr_module
        qr_x = max(margin, qr_quiet)
        qr_right = qr_x + size
        col_x = qr_right + qr_quiet

        # The two symbols' quiet zones may overlap (both are white) but not run off the label.
        def bars_span(m: float) -> tuple[float, float]:
            quiet = CODE128_QUIET_MODULES * m
            return qr_right + max(qr_quiet, quiet), w - max(margin, quiet)

        def bars_fit(m: float) -> bool:
            start, end = bars_span(m)
            return n_bars * m <= end - start + 1e-6

        bar_module = _largest_module(fmt, MIN_MODULE_MM, MAX_MODULE_MM, bars_fit)
        if bar_module is not None and w - margin - col_x >= 22 * MM:
            start, end = bars_span(bar_module)
            bar_w = n_bars * bar_module
            bar_h = _bar_height(h, margin, bar_w, 0.36, 15.0)
            bars = Code128Placement(label.barcode, (start + end - bar_w) / 2, margin, bar_module, bar_h)
            text_top = h - margin
            placed = texts(col_x, text_top, w - margin - col_x, text_top - (margin + bar_h + 1 * MM))
            if placed and placed[0].size >= 7.0:
                qr = QrPlacement(matrix, qr_x, (h - size) / 2, qr_module)
                return LabelLayout("side", w, h, bars, qr, placed)

    # "banner": Code128 across the bottom; a smaller QR top-left with the text beside it.
    bars = _full_width_code128(label.barcode, fmt, margin, 0.3, 15.0)
    band_bottom = bars.y + bars.height  # the QR's quiet zone must stay clear of the bars

    def banner_fits(m: float) -> bool:
        size, quiet = n_qr * m, QR_QUIET_MODULES * m
        col_x = max(margin, quiet) + size + quiet
        return (
            max(margin, quiet) + size + quiet <= h - band_bottom + 1e-6
            and size <= 0.4 * w
            and w - margin - col_x >= 15 * MM
        )

    qr_module = _largest_module(fmt, MIN_QR_MODULE_MM, MAX_QR_MODULE_MM, banner_fits)
    text_top = h - margin
    if qr_module is not None:
        size, quiet = n_qr * qr_module, QR_QUIET_MODULES * qr_module
        qr_x = max(margin, quiet)
        col_x = qr_x + size + quiet
        placed = texts(col_x, text_top, w - margin - col_x, text_top - band_bottom - 1 * MM)
        qr = QrPlacement(matrix, qr_x, h - max(margin, quiet) - size, qr_module)
        return LabelLayout("banner", w, h, bars, qr, placed)

    # "plain": no room for a readable QR; the Code128 carries the same payload.
    placed = texts(margin, text_top, w - 2 * margin, text_top - band_bottom - 1 * MM)
    if not placed:
        raise LabelError(
            f"A {fmt.label_width_mm:g} x {fmt.label_height_mm:g} mm label is too small for a bin label: "
            "there is no room for the code above the barcode. Choose a larger label."
        )
    return LabelLayout("plain", w, h, bars, None, placed)


# --------------------------------------------------------------------------- part label layout


def _part_info(label: PartLabel) -> str:
    parts = [f"Unit: {label.unit}"] if label.unit.strip() else []
    if label.min_qty:
        parts.append(f"Min: {label.min_qty}")
    if label.max_qty:
        parts.append(f"Max: {label.max_qty}")
    return " · ".join(parts)


def layout_part_label(label: PartLabel, fmt: LabelFormat) -> LabelLayout:
    """Part number large, description (wrapped, shrunk), unit and min/max, Code128 across the bottom."""
    _check_payload(label.barcode)
    w, h = fmt.label_width_mm * MM, fmt.label_height_mm * MM
    margin = _margin(fmt)
    tall = h > 1.3 * w
    bars = _full_width_code128(label.barcode, fmt, margin, 0.15 if tall else 0.3, 25.0 if tall else 15.0)
    text_top = h - margin
    text_h = text_top - (bars.y + bars.height) - 1 * MM
    small_pt = max(6.0, min(h * 0.09, 24.0))
    desc_lines = max(2, min(8, int(h / (12 * MM))))
    items = [
        (label.part_number, 0.4, 1, True, min(72.0, h * 0.25)),
        (label.description, 0.4, desc_lines, False, small_pt),
        (_part_info(label), 0.2, 1, False, small_pt),
    ]
    placed = _stack_texts(items, margin, text_top, w - 2 * margin, text_h, centered=tall)
    if not placed:
        raise LabelError(
            f"A {fmt.label_width_mm:g} x {fmt.label_height_mm:g} mm label is too small for a part label: "
            "there is no room for the part number above the barcode. Choose a larger label."
        )
    return LabelLayout("tall" if tall else "plain", w, h, bars, None, placed)


# --------------------------------------------------------------------------- drawing


def _draw_layout(canvas: Any, layout: LabelLayout) -> None:
    if layout.band is not None:
        canvas.saveState()
        canvas.setFillColorRGB(*layout.band.rgb)
        canvas.rect(0, layout.band.y, layout.width, layout.band.height, stroke=0, fill=1)
        canvas.setFillColorRGB(1, 1, 1)
        _draw_texts(canvas, (layout.band.text,))
        canvas.restoreState()
    bars = layout.code128
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


def _render(
    items: Sequence[Any],
    layout_fn: Callable[[Any, LabelFormat], LabelLayout],
    fmt: LabelFormat,
    *,
    what: str,
    start_at: int,
    copies: int,
    offset_x_mm: float,
    offset_y_mm: float,
    progress: ProgressCallback | None,
) -> bytes:
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
    # Lay out everything first: a label that cannot be printed fails the job before any paper is used.
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
    return buffer.getvalue()


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
    """PDF of bin labels, each repeated `copies` times in a row.

    start_at: first free slot (1-based) on a partly used first sheet.  offset_x_mm/offset_y_mm: the
    printer's calibration, + moves the print right/down.  progress(done, total) is called after each
    page; returning False cancels (RenderCancelled).  Raises LabelError for anything a clerk can fix.
    """
    return _render(
        labels,
        layout_bin_label,
        fmt,
        what="bin",
        start_at=start_at,
        copies=copies,
        offset_x_mm=offset_x_mm,
        offset_y_mm=offset_y_mm,
        progress=progress,
    )


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
    """PDF of part labels; options as for `render_bin_labels`."""
    return _render(
        labels,
        layout_part_label,
        fmt,
        what="part",
        start_at=start_at,
        copies=copies,
        offset_x_mm=offset_x_mm,
        offset_y_mm=offset_y_mm,
        progress=progress,
    )
