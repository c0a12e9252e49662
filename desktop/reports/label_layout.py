"""Laying out one label: barcode sizes in whole printer dots, the bin and part label layouts, and the
fallbacks when the Code128 does not fit (the short id form, then a 2-D code alone).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from desktop.reports.barcode_draw import (
    CODE128_QUIET_MODULES,
    DATAMATRIX_QUIET_MODULES,
    QR_QUIET_MODULES,
    BarcodeError,
    QrMatrix,
    check_code128_text,
    code128_pattern,
    datamatrix_matrix,
    qr_matrix,
)
from desktop.reports.label_formats import (
    MM,
    LabelError,
    LabelFormat,
)
from desktop.reports.label_text import stack_texts
from desktop.reports.label_types import (
    MAX_MODULE_MM,
    MAX_QR_MODULE_MM,
    MAX_QR_MODULE_TALL_MM,
    MIN_2D_DOTS,
    MIN_2D_MODULE_MM,
    MIN_BAR_HEIGHT_MM,
    MIN_MODULE_MM,
    MIN_QR_MODULE_MM,
    MIN_TEXT_PT,
    ONLY_2D,
    SHORT_ID,
    BinLabel,
    Code128Placement,
    LabelLayout,
    NoRoom,
    PartLabel,
    QrPlacement,
    TextItem,
    TextPlacement,
)


def dot_mm(fmt: LabelFormat) -> float:
    return 72.0 / fmt.dpi


def _module_choices(fmt: LabelFormat, low_mm: float, high_mm: float, min_dots: int = 1) -> Iterator[float]:
    """Module sizes in points, whole printer dots each, from the largest <= high to the smallest >= low.

    A whole number of dots per module keeps every bar the same width on a thermal printer.
    """
    dot = dot_mm(fmt)
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


def label_margin(fmt: LabelFormat) -> float:
    # Keep ink clear of die-cut edges and rounded corners; more room on bigger labels.
    return min(max(min(fmt.label_width_mm, fmt.label_height_mm) * 0.05, 1.5), 4.0) * MM


def check_payload(data: str) -> None:
    try:
        check_code128_text(data)
    except BarcodeError as exc:
        raise LabelError(exc.message) from exc


def full_width_code128(
    data: str, fmt: LabelFormat, margin: float, height_frac: float, cap_mm: float
) -> Code128Placement:
    """Code128 centred across the label's bottom; its quiet zones may use the margin, not the edge."""
    w, h = fmt.label_width_mm * MM, fmt.label_height_mm * MM
    n = len(code128_pattern(data))
    module = _largest_module(
        fmt, MIN_MODULE_MM, MAX_MODULE_MM, lambda m: n * m <= w - 2 * max(margin, CODE128_QUIET_MODULES * m)
    )
    if module is None:
        raise NoRoom(f"The barcode '{data}' is too long for a {_size_text(fmt)} label.")
    bar_w = n * module
    bar_h = _bar_height(h, margin, bar_w, height_frac, cap_mm)
    if bar_h < MIN_BAR_HEIGHT_MM * MM - 1e-6:
        raise NoRoom(f"A {_size_text(fmt)} label is too low for bars {MIN_BAR_HEIGHT_MM:g} mm high.")
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
            check_payload(data)
        except LabelError as exc:
            problem = problem or exc
            continue
        payloads.append(data)
    if not payloads:
        raise problem or LabelError("The barcode text is empty.")
    for data in payloads:
        try:
            layout = code128_layout(data)
        except NoRoom:
            continue
        return replace(layout, fallback=SHORT_ID if data != full else "")
    data = payloads[-1]
    layout = _matrix_layout(data, fmt, items)
    return replace(layout, fallback=f"{SHORT_ID}, {ONLY_2D}" if data != full else ONLY_2D)


def _matrix_layout(data: str, fmt: LabelFormat, items: Sequence[TextItem]) -> LabelLayout:
    """A 2-D code as large as the space allows, with the texts beside it (or above it when the label
    is not wide enough): for payloads too long for any Code128 on this label."""
    w, h = fmt.label_width_mm * MM, fmt.label_height_mm * MM
    margin = label_margin(fmt)
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
        texts = stack_texts(items, col_x, h - margin, w - margin - col_x, h - 2 * margin)
    else:
        symbol = QrPlacement(matrix, (w - size) / 2, max(margin, quiet), module, symbology, data)
        top = symbol.y + size + max(quiet, 1 * MM)
        texts = stack_texts(items, margin, h - margin, w - 2 * margin, h - margin - top, centered=True)
    if not texts:
        raise LabelError(
            f"A {_size_text(fmt)} label is too small: there is no room for 6 pt text beside its barcode. "
            "Choose a larger label."
        )
    return LabelLayout("matrix", w, h, None, symbol, texts)


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
    margin = label_margin(fmt)
    matrix = qr_matrix(data)
    n_qr = len(matrix)
    n_bars = len(code128_pattern(data))

    def texts(
        x: float, top: float, width: float, height: float, centered: bool = False
    ) -> tuple[TextPlacement, ...]:
        return stack_texts(items, x, top, width, height, centered=centered)

    if h > 1.3 * w:
        # Tall label: code and text on top, a big QR in the middle, Code128 across the bottom.
        bars = full_width_code128(data, fmt, margin, 0.15, 25.0)
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
    bars = full_width_code128(data, fmt, margin, 0.3, 15.0)
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
        raise NoRoom(f"A {_size_text(fmt)} label has no room for the code above its barcode.")
    return LabelLayout("plain", w, h, bars, None, placed)


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
    margin = label_margin(fmt)
    tall = h > 1.3 * w
    bars = full_width_code128(data, fmt, margin, 0.15 if tall else 0.3, 25.0 if tall else 15.0)
    text_top = h - margin
    text_h = text_top - (bars.y + bars.height) - 1 * MM
    placed = stack_texts(items, margin, text_top, w - 2 * margin, text_h, centered=tall)
    if not placed:
        raise NoRoom(f"A {_size_text(fmt)} label has no room for the part number above its barcode.")
    return LabelLayout("tall" if tall else "plain", w, h, bars, None, placed)
