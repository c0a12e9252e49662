"""ZPL II for Zebra-compatible thermal printers: the same layouts as the PDF labels, as printer
commands (the printer draws the barcodes itself, at its own dots, and a job of 1,000 labels is a few
hundred kB of text).  One label format per job, thermal formats only.

Per label: ^XA, UTF-8 (^CI28), print width and length (^PW, ^LL), the calibration offset as label
shift (^LS, ^LT), then Code128 (^BY module, ^BC with the printer's automatic subset mode), QR (^BQ, error
correction M) or DataMatrix (^BX), and each line of text in the printer's scalable font (^A0), all
placed with ^FO in printer dots from the top-left corner; ^PQ for copies; ^XZ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from desktop.reports.fonts import ASCENT
from desktop.reports.label_formats import LabelError, LabelFormat, check_offsets
from desktop.reports.labels import MAX_COPIES, LabelLayout, TextPlacement, label_name


def _field_text(text: str) -> str:
    """Field data with ZPL's control characters (^ and ~) escaped as hex (^FH)."""
    return text.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def _label(layout: LabelLayout, fmt: LabelFormat, copies: int, shift: tuple[int, int]) -> str:
    dots = fmt.dpi / 72.0  # printer dots per point

    def x(pt: float) -> int:
        return round(pt * dots)

    def top(pt_from_bottom: float) -> int:
        return round((layout.height - pt_from_bottom) * dots)

    # The calibration offset: ^LS shifts every field left by its value, ^LT moves the label down.
    out = [
        "^XA",
        "^CI28",
        f"^PW{x(layout.width)}",
        f"^LL{x(layout.height)}",
        f"^LS{-shift[0]}",
        f"^LT{shift[1]}",
    ]
    bars = layout.code128
    if bars is not None:
        out.append(
            f"^FO{x(bars.x)},{top(bars.y + bars.height)}^BY{x(bars.module)},3,{x(bars.height)}"
            f"^BCN,{x(bars.height)},N,N,N,A^FH^FD{_field_text(bars.data)}^FS"
        )
    matrix = layout.qr
    if matrix is not None:
        module = x(matrix.module)
        origin = f"^FO{x(matrix.x)},{top(matrix.y + matrix.size)}"
        if matrix.symbology == "QRCode":
            out.append(f"{origin}^BQN,2,{module}^FH^FDMA,{_field_text(matrix.data)}^FS")
        else:
            out.append(f"{origin}^BXN,{module},200^FH^FD{_field_text(matrix.data)}^FS")
    for text in layout.texts:
        out.extend(_text_fields(text, x, top))
    if copies > 1:
        out.append(f"^PQ{copies}")
    out.append("^XZ")
    return "\n".join(out)


def _text_fields(text: TextPlacement, x: Callable[[float], int], top: Callable[[float], int]) -> list[str]:
    fields = []
    line_top = text.top
    height = x(text.size)
    for line in text.lines:
        width = text.width if text.centered else 0.0
        block = f"^FB{x(width)},1,0,C,0" if text.centered else ""
        fields.append(
            f"^FO{x(text.x)},{top(line_top)}^A0N,{height},{height}{block}^FH^FD{_field_text(line)}^FS"
        )
        line_top -= text.size * (ASCENT + 0.25)
    return fields


def render_zpl(
    items: Sequence[Any],
    layout_fn: Callable[[Any, LabelFormat], LabelLayout],
    fmt: LabelFormat,
    *,
    copies: int = 1,
    offset_x_mm: float = 0.0,
    offset_y_mm: float = 0.0,
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """ZPL for every label (each printed `copies` times), and which labels printed a fallback form
    (as LabelJob.fallbacks); thermal formats only."""
    if not fmt.is_thermal:
        raise LabelError(
            f"ZPL is for thermal label printers: '{fmt.name}' is a sheet for office printers. "
            "Choose a thermal format (see `storeroom labels formats`)."
        )
    if not items:
        raise LabelError("Nothing to print: select at least one label.")
    if not 1 <= copies <= MAX_COPIES:
        raise LabelError(f"The number of copies must be between 1 and {MAX_COPIES}, not {copies}.")
    check_offsets(offset_x_mm, offset_y_mm)
    dots = fmt.dpi / 25.4
    shift = (round(offset_x_mm * dots), round(offset_y_mm * dots))
    if abs(shift[1]) > 120:  # ^LT's range
        raise LabelError(
            f"A ZPL printer moves a label up or down by at most 120 dots "
            f"({120 / dots:.0f} mm at {fmt.dpi} dpi)."
        )
    layouts = [layout_fn(item, fmt) for item in items]
    labels = [_label(layout, fmt, copies, shift) for layout in layouts]
    fallbacks = tuple(
        (label_name(item), layout.fallback)
        for item, layout in zip(items, layouts, strict=True)
        if layout.fallback
    )
    return "\n".join(labels) + "\n", fallbacks
