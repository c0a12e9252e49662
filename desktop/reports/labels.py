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
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, NamedTuple

from desktop.reports import fonts
from desktop.reports.barcode_draw import (
    CODE128_QUIET_MODULES,
    DATAMATRIX_QUIET_MODULES,
    QR_QUIET_MODULES,
    BarcodeError,
    QrMatrix,
    check_code128_text,
    code128_pattern,
    datamatrix_matrix,
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

# Smallest Code128 bar (X dimension) that hand scanners read (7.5 mil); the largest worth using.  Bars
# are whole printer dots, so the smallest used is 0.25 mm at 203 or 300 dpi and 0.21 mm at 600 dpi.
MIN_MODULE_MM: Final = 0.19
MAX_MODULE_MM: Final = 0.5
# A QR module under 0.5 mm is fewer than 4 dots at 203 dpi, below what printer makers recommend.
MIN_QR_MODULE_MM: Final = 0.5
MAX_QR_MODULE_MM: Final = 1.0
MAX_QR_MODULE_TALL_MM: Final = 2.0
# A label that carries only a 2-D code is read by an imager, which reads 0.33 mm (13 mil) modules
# easily; at least 3 printer dots each, so the modules stay square on a thermal head.
MIN_2D_MODULE_MM: Final = 0.33
MIN_2D_DOTS: Final = 3
MIN_BAR_HEIGHT_MM: Final = 5.0
MAX_COPIES: Final = 100
MAX_LABELS: Final = 100_000

ELLIPSIS = "…"
LINE = fonts.ASCENT + fonts.DESCENT  # height of one line box per point of font size
MIN_TEXT_PT: Final = 6.0  # the smallest human-readable text printed anywhere on a label
SHORT_ID = "short id"
ONLY_2D = "2-D code only"

ProgressCallback = Callable[[int, int], bool | None]


class RenderCancelled(Exception):
    """The progress callback returned False: the user cancelled the print job."""


class _NoRoom(LabelError):
    """This arrangement does not fit the label; the layout tries the next one (never reaches a user
    unless no arrangement fits at all)."""


@dataclass(frozen=True)
class LabelJob:
    """A rendered job: the PDF and which labels printed a fallback (short id form, 2-D code only)."""

    pdf: bytes
    labels: int
    fallbacks: tuple[tuple[str, str], ...] = ()  # (label's name, how it was printed)

    def summary(self, limit: int = 8) -> str:
        """One sentence for the clerk, or "" when every label carries its full code."""
        return fallback_summary(self.fallbacks, self.labels, limit)


def fallback_summary(fallbacks: Sequence[tuple[str, str]], labels: int, limit: int = 8) -> str:
    """Which labels printed the short id form or a 2-D code only, in one sentence ("" for none)."""
    if not fallbacks:
        return ""
    names = [name for name, _how in fallbacks]
    shown = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
    only_2d = sum(1 for _name, how in fallbacks if ONLY_2D in how)
    how = "the short id form" + (f" ({only_2d} as a 2-D code only)" if only_2d else "")
    if only_2d == len(names) and not any(SHORT_ID in h for _n, h in fallbacks):
        how = "a 2-D code only"
    plural = "s" if labels != 1 else ""
    return (
        f"{len(names)} of {labels} label{plural} use {how}: the code is too long to print as a "
        f"full barcode on this label; the scan box reads it all the same ({shown})."
    )


@dataclass(frozen=True)
class BinLabel:
    """A location's label.  `barcode` is the exact scan payload (e.g. "L-A-01-02"), `code` the
    human text printed large (e.g. "A-01-02"), `path` the area/rack it is in."""

    code: str
    barcode: str
    path: str
    part_number: str | None = None
    part_description: str | None = None
    compact: str | None = None  # the short id form (e.g. "L--42"), printed when `barcode` does not fit


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
    compact: str | None = None  # the short id form (e.g. "P--42"), printed when `barcode` does not fit


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
    """A 2-D symbol: a QR code, or a DataMatrix where a QR would not fit."""

    matrix: QrMatrix
    x: float  # bottom-left corner of the symbol (the quiet zone lies outside)
    y: float
    module: float
    symbology: str = "QRCode"  # or "DataMatrix"
    data: str = ""

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

    style: str  # "side", "banner", "plain", "tall", "matrix" (2-D only), "card"
    width: float
    height: float
    code128: Code128Placement | None
    qr: QrPlacement | None
    texts: tuple[TextPlacement, ...]
    band: Band | None = None  # a coloured strip across the top (kanban cards: the loop kind)
    fallback: str = ""  # "" | "short id" | "2-D code only" | "short id, 2-D code only"

    @property
    def payload(self) -> str:
        """What every code on this label scans as."""
        if self.code128 is not None:
            return self.code128.data
        return "" if self.qr is None else self.qr.data


class TextItem(NamedTuple):
    """One text of a label's column: its share of the column height, lines allowed, weight, size cap.

    `one_line_at`: keep the text on one line while it can be at least this size (a code broken over
    two lines is harder to read than a smaller one on one line)."""

    text: str
    share: float
    max_lines: int
    bold: bool
    max_size: float
    one_line_at: float | None = None


# --------------------------------------------------------------------------- text fitting

# CJK ideographs, kana, Hangul and full-width forms: a line may break between any two of them.
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"
# A word may break after a '-' or '/' (codes such as MAINTENANCE-CRIB-03 wrap at their dashes).
_TOKEN = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+?(?:[-/]+|(?=[\s{_CJK}])|$)")


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
    one_line_at: float | None = None,
) -> tuple[float, tuple[str, ...]]:
    """Largest font size <= max_size at which `text` fits the box in at most `max_lines` lines.

    Never smaller than MIN_TEXT_PT (6 pt): what does not fit at that size is cut short with "…".
    Returns (size, lines); no lines when the box cannot hold one line of 6 pt text.
    `one_line_at`: a single line at this size or more is preferred to wrapping at a larger size.
    """
    text = " ".join(text.split())
    min_size = max(min_size, MIN_TEXT_PT)
    if not text or width <= 0 or height <= 0:
        return 0.0, ()
    max_size = min(max_size, height / LINE)
    if max_size < min_size - 1e-9:  # not even one line of the smallest readable text fits
        return 0.0, ()
    one_line = fonts.text_width(text, 1.0, bold)
    single = min(max_size, width / one_line) if one_line else max_size
    if (
        single >= max_size
        or (single >= min_size and max_lines == 1)
        or (one_line_at is not None and single >= one_line_at)
    ):
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
    if any(fonts.text_width(line, size, bold) > width + 1e-6 for line in lines):
        return 0.0, ()  # a box narrower than one character (or than "…") at 6 pt: leave it empty
    return size, tuple(lines)


def _fits(lines: Sequence[str], width: float, height: float, size: float, max_lines: int, bold: bool) -> bool:
    return (
        len(lines) <= max_lines
        and len(lines) * size * LINE <= height + 1e-6
        and all(fonts.text_width(line, size, bold) <= width + 1e-6 for line in lines)
    )


def _stack_texts(
    items: Sequence[TextItem | tuple[str, float, int, bool, float]],
    x: float,
    top: float,
    width: float,
    height: float,
    *,
    centered: bool = False,
) -> tuple[TextPlacement, ...]:
    """Fit texts one under another in a column.

    Each text gets at most its share of the column height; height a text does not use passes to
    the ones below.
    """
    texts = [TextItem(*item) for item in items]
    gap = min(1.0 * MM, height * 0.04)
    # An empty text keeps its share, so the code prints the same size on every label of a sheet
    # whether or not the bin has a part assigned.
    total_share = sum(item.share for item in texts) or 1.0
    placements: list[TextPlacement] = []
    remaining = height - gap * max(0, len(texts) - 1)
    remaining_share = total_share
    y = top
    for item in texts:
        box_h = remaining * item.share / remaining_share
        remaining_share -= item.share
        if not item.text.strip():
            continue
        if not placements:  # the code or part number gets one readable line even from a small share
            box_h = max(box_h, min(remaining, MIN_TEXT_PT * LINE))
        max_size = item.max_size
        if placements:
            # Keep the hierarchy (nothing much larger than the code or part number) without letting
            # one absurdly long headline shrink every other line to nothing.
            max_size = min(max_size, max(placements[0].size, max_size * 0.5))
        size, lines = fit_text(
            item.text,
            width,
            box_h,
            max_size=max_size,
            max_lines=item.max_lines,
            bold=item.bold,
            one_line_at=item.one_line_at,
        )
        if not lines:
            continue
        placement = TextPlacement(lines, x, y, width, size, item.bold, centered)
        placements.append(placement)
        used = placement.height
        remaining -= used
        y -= used + gap
    return tuple(placements)


# --------------------------------------------------------------------------- barcode sizing


def _dot(fmt: LabelFormat) -> float:
    return 72.0 / fmt.dpi


def _module_choices(fmt: LabelFormat, low_mm: float, high_mm: float, min_dots: int = 1) -> Iterator[float]:
    """Module sizes in points, whole printer dots each, from the largest <= high to the smallest >= low.

    A whole number of dots per module keeps every bar the same width on a thermal printer.
    """
    dot = _dot(fmt)
    k_low = max(min_dots, math.ceil(low_mm * MM / dot - 1e-9))  # the low bound is a hard minimum
    k_high = math.floor(high_mm * MM / dot * 1.02)  # the high one may round up: 4 dots at 203 dpi = 0.5005 mm
    for k in range(k_high, k_low - 1, -1):
        yield k * dot


def _largest_module(
    fmt: LabelFormat, low_mm: float, high_mm: float, fits: Callable[[float], bool], min_dots: int = 1
) -> float | None:
    return next((m for m in _module_choices(fmt, low_mm, high_mm, min_dots) if fits(m)), None)


def _size_text(fmt: LabelFormat) -> str:
    return f"{fmt.label_width_mm:g} x {fmt.label_height_mm:g} mm"


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
        raise _NoRoom(f"The barcode '{data}' is too long for a {_size_text(fmt)} label.")
    bar_w = n * module
    bar_h = _bar_height(h, margin, bar_w, height_frac, cap_mm)
    if bar_h < MIN_BAR_HEIGHT_MM * MM - 1e-6:
        raise _NoRoom(f"A {_size_text(fmt)} label is too low for bars {MIN_BAR_HEIGHT_MM:g} mm high.")
    return Code128Placement(data, (w - bar_w) / 2, margin, module, bar_h)


def _symbols(data: str) -> list[tuple[str, QrMatrix, int]]:
    """The 2-D symbols that can carry `data`, QR first: (symbology, matrix, quiet zone in modules)."""
    return [
        ("QRCode", qr_matrix(data), QR_QUIET_MODULES),
        ("DataMatrix", datamatrix_matrix(data), DATAMATRIX_QUIET_MODULES),
    ]


def _with_fallback(
    full: str,
    compact: str | None,
    fmt: LabelFormat,
    code128_layout: Callable[[str], LabelLayout],
    items: Sequence[TextItem],
) -> LabelLayout:
    """The full payload as Code128 (+ QR); else the short id form; else a 2-D code alone."""
    payloads: list[str] = []
    problem: LabelError | None = None
    for data in dict.fromkeys(p for p in (full, compact) if p is not None):
        try:
            _check_payload(data)
        except LabelError as exc:
            problem = problem or exc
            continue
        payloads.append(data)
    if not payloads:
        raise problem or LabelError("The barcode text is empty.")
    for data in payloads:
        try:
            layout = code128_layout(data)
        except _NoRoom:
            continue
        return replace(layout, fallback=SHORT_ID if data != full else "")
    data = payloads[-1]
    layout = _matrix_layout(data, fmt, items)
    return replace(layout, fallback=f"{SHORT_ID}, {ONLY_2D}" if data != full else ONLY_2D)


def _matrix_layout(data: str, fmt: LabelFormat, items: Sequence[TextItem]) -> LabelLayout:
    """A 2-D code as large as the space allows, with the texts beside it (or above it when the label
    is not wide enough): for payloads too long for any Code128 on this label."""
    w, h = fmt.label_width_mm * MM, fmt.label_height_mm * MM
    margin = _margin(fmt)
    side = w >= 1.4 * h
    best: tuple[float, str, QrMatrix, int] | None = None
    for symbology, matrix, quiet_n in _symbols(data):
        n = len(matrix)
        if side:

            def fits(m: float, n: int = n, quiet_n: int = quiet_n) -> bool:
                return n * m <= min(h - 2 * margin, 0.45 * w) and (n + 2 * quiet_n) * m <= h
        else:

            def fits(m: float, n: int = n, quiet_n: int = quiet_n) -> bool:
                return n * m <= min(w - 2 * margin, 0.6 * (h - 2 * margin)) and (n + 2 * quiet_n) * m <= w

        high = MAX_QR_MODULE_TALL_MM if h > 1.3 * w else MAX_QR_MODULE_MM
        module = _largest_module(fmt, MIN_2D_MODULE_MM, high, fits, MIN_2D_DOTS)
        if module is not None and (best is None or module > best[0] + 1e-9):
            best = (module, symbology, matrix, quiet_n)
    if best is None:
        raise LabelError(
            f"A {_size_text(fmt)} label is too small for any barcode that scanners read. "
            "Choose a larger label."
        )
    module, symbology, matrix, quiet_n = best
    size, quiet = len(matrix) * module, quiet_n * module
    if side:
        x = max(margin, quiet)
        symbol = QrPlacement(matrix, x, (h - size) / 2, module, symbology, data)
        col_x = x + size + max(quiet, 1.5 * MM)
        texts = _stack_texts(items, col_x, h - margin, w - margin - col_x, h - 2 * margin)
    else:
        symbol = QrPlacement(matrix, (w - size) / 2, max(margin, quiet), module, symbology, data)
        top = symbol.y + size + max(quiet, 1 * MM)
        texts = _stack_texts(items, margin, h - margin, w - 2 * margin, h - margin - top, centered=True)
    if not texts:
        raise LabelError(
            f"A {_size_text(fmt)} label is too small: there is no room for 6 pt text beside its barcode. "
            "Choose a larger label."
        )
    return LabelLayout("matrix", w, h, None, symbol, texts)


# --------------------------------------------------------------------------- bin label layout


def _bin_items(label: BinLabel, h: float) -> list[TextItem]:
    part = " · ".join(t for t in (label.part_number or "", label.part_description or "") if t.strip())
    small_pt = max(MIN_TEXT_PT, min(h * 0.09, 20.0))
    lines = 3 if h > 60 * MM else 2
    return [
        TextItem(label.code, 0.5, 2, True, min(72.0, h * 0.3), one_line_at=9.0),
        TextItem(label.path, 0.25, lines, False, small_pt),
        TextItem(part, 0.25, lines, False, small_pt),
    ]


def layout_bin_label(label: BinLabel, fmt: LabelFormat) -> LabelLayout:
    """Decide where the barcodes and text of one bin label go (see the module docstring)."""
    if not label.code.strip():
        raise LabelError(f"The bin with barcode '{label.barcode}' has no code to print on its label.")
    items = _bin_items(label, fmt.label_height_mm * MM)
    return _with_fallback(
        label.barcode, label.compact, fmt, lambda data: _bin_code128_layout(data, items, fmt), items
    )


def _bin_code128_layout(data: str, items: Sequence[TextItem], fmt: LabelFormat) -> LabelLayout:
    w, h = fmt.label_width_mm * MM, fmt.label_height_mm * MM
    margin = _margin(fmt)
    matrix = qr_matrix(data)
    n_qr = len(matrix)
    n_bars = len(code128_pattern(data))

    def texts(
        x: float, top: float, width: float, height: float, centered: bool = False
    ) -> tuple[TextPlacement, ...]:
        return _stack_texts(items, x, top, width, height, centered=centered)

    if h > 1.3 * w:
        # Tall label: code and text on top, a big QR in the middle, Code128 across the bottom.
        bars = _full_width_code128(data, fmt, margin, 0.15, 25.0)
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
            y = (bars.y + bars.height + text_bottom - size) / 2
            qr = QrPlacement(matrix, (w - size) / 2, y, module, data=data)
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
            bars = Code128Placement(data, (start + end - bar_w) / 2, margin, bar_module, bar_h)
            text_top = h - margin
            placed = texts(col_x, text_top, w - margin - col_x, text_top - (margin + bar_h + 1 * MM))
            if placed and placed[0].size >= 7.0 and len(placed[0].lines) == 1:
                qr = QrPlacement(matrix, qr_x, (h - size) / 2, qr_module, data=data)
                return LabelLayout("side", w, h, bars, qr, placed)

    # "banner": Code128 across the bottom; a smaller QR top-left with the text beside it.
    bars = _full_width_code128(data, fmt, margin, 0.3, 15.0)
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
        if placed:
            qr = QrPlacement(matrix, qr_x, h - max(margin, quiet) - size, qr_module, data=data)
            return LabelLayout("banner", w, h, bars, qr, placed)

    # "plain": no room for a readable QR; the Code128 carries the same payload.
    placed = texts(margin, text_top, w - 2 * margin, text_top - band_bottom - 1 * MM)
    if not placed:
        raise _NoRoom(f"A {_size_text(fmt)} label has no room for the code above its barcode.")
    return LabelLayout("plain", w, h, bars, None, placed)


# --------------------------------------------------------------------------- part label layout


def _part_info(label: PartLabel) -> str:
    parts = [f"Unit: {label.unit}"] if label.unit.strip() else []
    if label.min_qty:
        parts.append(f"Min: {label.min_qty}")
    if label.max_qty:
        parts.append(f"Max: {label.max_qty}")
    return " · ".join(parts)


def _part_items(label: PartLabel, h: float) -> list[TextItem]:
    small_pt = max(MIN_TEXT_PT, min(h * 0.09, 24.0))
    desc_lines = max(2, min(8, int(h / (12 * MM))))
    return [
        TextItem(label.part_number, 0.4, 2, True, min(72.0, h * 0.25), one_line_at=9.0),
        TextItem(label.description, 0.4, desc_lines, False, small_pt),
        TextItem(_part_info(label), 0.2, 1, False, small_pt),
    ]


def layout_part_label(label: PartLabel, fmt: LabelFormat) -> LabelLayout:
    """Part number large, description (wrapped, shrunk), unit and min/max, Code128 across the bottom."""
    items = _part_items(label, fmt.label_height_mm * MM)
    return _with_fallback(
        label.barcode, label.compact, fmt, lambda data: _part_code128_layout(data, items, fmt), items
    )


def _part_code128_layout(data: str, items: Sequence[TextItem], fmt: LabelFormat) -> LabelLayout:
    w, h = fmt.label_width_mm * MM, fmt.label_height_mm * MM
    margin = _margin(fmt)
    tall = h > 1.3 * w
    bars = _full_width_code128(data, fmt, margin, 0.15 if tall else 0.3, 25.0 if tall else 15.0)
    text_top = h - margin
    text_h = text_top - (bars.y + bars.height) - 1 * MM
    placed = _stack_texts(items, margin, text_top, w - 2 * margin, text_h, centered=tall)
    if not placed:
        raise _NoRoom(f"A {_size_text(fmt)} label has no room for the part number above its barcode.")
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
