"""Label stock: sheet formats (N-up on Letter or A4), thermal formats (one label per page), slot
positions, printer calibration offsets and the calibration page.

All public sizes are millimetres, measured from the sheet's top-left corner the way a ruler reads.
Drawing code works in PDF points from the bottom-left corner; `slot_origin_pt` converts.
reportlab is imported by the functions that draw, so listing the formats starts fast.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from desktop.errors import UserError

MM: Final = 72.0 / 25.4  # points per millimetre
LETTER_MM: Final = (215.9, 279.4)
A4_MM: Final = (210.0, 297.0)

# Published sheet figures are rounded to 0.01 mm or 1/32 in; allow that much when checking a fit.
_FIT_TOLERANCE_MM = 0.05
# Paper feed and toner registration errors are a few mm; anything larger is a typing mistake.
MAX_OFFSET_MM: Final = 20.0


class LabelError(UserError, ValueError):
    """A label job that cannot be printed as asked; the message says why in the clerk's words."""


class LabelFormatError(LabelError):
    """A label format whose labels do not fit its page, or whose numbers make no sense."""


def _fmt_mm(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + " mm"


@dataclass(frozen=True)
class SheetFormat:
    """A sheet of `columns` x `rows` labels; slots are numbered 1.. row by row from the top left.

    `left_mm`/`top_mm` locate the top-left corner of label 1 from the sheet's top-left corner; the
    pitch is the distance from one label's left (top) edge to the next one's (label size + gap).
    `dpi` is the printer resolution barcode modules are snapped to (a whole number of dots per bar).
    """

    name: str
    page_width_mm: float
    page_height_mm: float
    columns: int
    rows: int
    label_width_mm: float
    label_height_mm: float
    left_mm: float
    top_mm: float
    pitch_x_mm: float
    pitch_y_mm: float
    dpi: int = 300

    def __post_init__(self) -> None:
        what = f"The label sheet '{self.name}'"
        if self.columns < 1 or self.rows < 1:
            raise LabelFormatError(f"{what} needs at least one row and one column of labels.")
        for label, value in (
            ("page width", self.page_width_mm),
            ("page height", self.page_height_mm),
            ("label width", self.label_width_mm),
            ("label height", self.label_height_mm),
        ):
            if not value > 0:
                raise LabelFormatError(f"{what} has a {label} of {_fmt_mm(value)}; it must be more than 0.")
        if self.left_mm < 0 or self.top_mm < 0:
            raise LabelFormatError(f"{what} has a negative margin; margins are measured into the page.")
        if self.columns > 1 and self.pitch_x_mm + _FIT_TOLERANCE_MM < self.label_width_mm:
            raise LabelFormatError(
                f"{what}: labels would overlap: they start every {_fmt_mm(self.pitch_x_mm)} across "
                f"but are {_fmt_mm(self.label_width_mm)} wide."
            )
        if self.rows > 1 and self.pitch_y_mm + _FIT_TOLERANCE_MM < self.label_height_mm:
            raise LabelFormatError(
                f"{what}: labels would overlap: they start every {_fmt_mm(self.pitch_y_mm)} down "
                f"but are {_fmt_mm(self.label_height_mm)} high."
            )
        right = self.left_mm + (self.columns - 1) * self.pitch_x_mm + self.label_width_mm
        if right > self.page_width_mm + _FIT_TOLERANCE_MM:
            raise LabelFormatError(
                f"{what} does not fit its page: {self.columns} labels across end "
                f"{_fmt_mm(right)} from the left edge, but the page is {_fmt_mm(self.page_width_mm)} wide."
            )
        bottom = self.top_mm + (self.rows - 1) * self.pitch_y_mm + self.label_height_mm
        if bottom > self.page_height_mm + _FIT_TOLERANCE_MM:
            raise LabelFormatError(
                f"{what} does not fit its page: {self.rows} rows of labels end "
                f"{_fmt_mm(bottom)} from the top edge, but the page is {_fmt_mm(self.page_height_mm)} high."
            )
        if self.dpi < 100:
            raise LabelFormatError(f"{what}: a printer resolution of {self.dpi} dpi is too low for barcodes.")

    @property
    def labels_per_page(self) -> int:
        return self.columns * self.rows

    @property
    def is_thermal(self) -> bool:
        return False

    def slot_origin_mm(self, slot: int) -> tuple[float, float]:
        """Top-left corner of label `slot` (1-based) as (mm from left edge, mm from top edge)."""
        if not 1 <= slot <= self.labels_per_page:
            raise IndexError(f"slot {slot} is not on a {self.labels_per_page}-label sheet")
        row, col = divmod(slot - 1, self.columns)
        return self.left_mm + col * self.pitch_x_mm, self.top_mm + row * self.pitch_y_mm


@dataclass(frozen=True)
class ThermalFormat:
    """One label per page, the page the size of the label (what label printer drivers expect).

    For continuous rolls the page length is the cut length; `continuous` only records that the
    length was chosen, not fixed by die-cut media.
    """

    name: str
    label_width_mm: float
    label_height_mm: float
    dpi: int = 203
    continuous: bool = False

    def __post_init__(self) -> None:
        if not (self.label_width_mm > 0 and self.label_height_mm > 0):
            raise LabelFormatError(
                f"The label format '{self.name}' has a size of {_fmt_mm(self.label_width_mm)} x "
                f"{_fmt_mm(self.label_height_mm)}; both must be more than 0."
            )
        if self.dpi < 100:
            raise LabelFormatError(
                f"The label format '{self.name}': a printer resolution of {self.dpi} dpi is too low."
            )

    @property
    def page_width_mm(self) -> float:
        return self.label_width_mm

    @property
    def page_height_mm(self) -> float:
        return self.label_height_mm

    @property
    def columns(self) -> int:
        return 1

    @property
    def rows(self) -> int:
        return 1

    @property
    def labels_per_page(self) -> int:
        return 1

    @property
    def is_thermal(self) -> bool:
        return True

    def slot_origin_mm(self, slot: int) -> tuple[float, float]:
        if slot != 1:
            raise IndexError(f"slot {slot} is not on a one-label page")
        return 0.0, 0.0


LabelFormat = SheetFormat | ThermalFormat

# Nominal geometry from the vendors' templates (inch values converted exactly); see
# shared/reference/printing.md section 3.1.  Published numbers differ by up to ~1.3 mm between
# sources, which the per-printer calibration offsets absorb.
AVERY_5160: Final = SheetFormat(
    "Avery 5160 / 8160 (30 per sheet, 2 5/8 x 1 in, Letter)",
    *LETTER_MM,
    columns=3,
    rows=10,
    label_width_mm=66.675,
    label_height_mm=25.4,
    left_mm=4.7625,
    top_mm=12.7,
    pitch_x_mm=69.85,
    pitch_y_mm=25.4,
)
AVERY_5163: Final = SheetFormat(
    "Avery 5163 / 8163 (10 per sheet, 4 x 2 in, Letter)",
    *LETTER_MM,
    columns=2,
    rows=5,
    label_width_mm=101.6,
    label_height_mm=50.8,
    left_mm=3.96875,
    top_mm=12.7,
    pitch_x_mm=106.3625,
    pitch_y_mm=50.8,
)
AVERY_L7160: Final = SheetFormat(
    "Avery L7160 (21 per sheet, 63.5 x 38.1 mm, A4)",
    *A4_MM,
    columns=3,
    rows=7,
    label_width_mm=63.5,
    label_height_mm=38.1,
    left_mm=7.21,
    top_mm=15.15,
    pitch_x_mm=66.04,
    pitch_y_mm=38.1,
)
AVERY_L7163: Final = SheetFormat(
    "Avery L7163 (14 per sheet, 99.1 x 38.1 mm, A4)",
    *A4_MM,
    columns=2,
    rows=7,
    label_width_mm=99.1,
    label_height_mm=38.1,
    left_mm=4.65,
    top_mm=15.15,
    pitch_x_mm=101.6,
    pitch_y_mm=38.1,
)
THERMAL_4X6: Final = ThermalFormat("Thermal 4 x 6 in", 101.6, 152.4)
THERMAL_2X1: Final = ThermalFormat("Thermal 2 x 1 in", 50.8, 25.4)
THERMAL_100X50: Final = ThermalFormat("Thermal 100 x 50 mm", 100.0, 50.0)
# 62 mm continuous roll (Brother QL, 300 dpi) cut every 29 mm: the size of Brother's 62 x 29 mm
# die-cut labels, so one layout serves both media, and about the height of an Avery 5160 label.
THERMAL_62MM: Final = ThermalFormat("62 mm roll, cut at 29 mm", 62.0, 29.0, dpi=300, continuous=True)

# Kanban cards: one A6 card per page, or two large cards per A4 / Letter sheet (cut in half).
CARD_A6: Final = ThermalFormat("Kanban card A6 (105 x 148 mm)", 105.0, 148.0, dpi=300)
CARDS_2_A4: Final = SheetFormat(
    "Kanban cards, 2 per A4 sheet",
    *A4_MM,
    columns=1,
    rows=2,
    label_width_mm=190.0,
    label_height_mm=138.5,
    left_mm=10.0,
    top_mm=10.0,
    pitch_x_mm=190.0,
    pitch_y_mm=138.5,
)
CARDS_2_LETTER: Final = SheetFormat(
    "Kanban cards, 2 per Letter sheet",
    *LETTER_MM,
    columns=1,
    rows=2,
    label_width_mm=195.9,
    label_height_mm=129.7,
    left_mm=10.0,
    top_mm=10.0,
    pitch_x_mm=195.9,
    pitch_y_mm=129.7,
)

# An ID-1 / CR80 plastic card (ISO/IEC 7810), as badge card printers take it; any label format works too.
CARD_CR80: Final = ThermalFormat("Badge card CR80 (85.6 x 54 mm)", 85.6, 54.0, dpi=300)

FORMATS: Final[dict[str, LabelFormat]] = {
    "avery-5160": AVERY_5160,
    "avery-5163": AVERY_5163,
    "avery-l7160": AVERY_L7160,
    "avery-l7163": AVERY_L7163,
    "thermal-4x6in": THERMAL_4X6,
    "thermal-2x1in": THERMAL_2X1,
    "thermal-100x50mm": THERMAL_100X50,
    "thermal-62mm": THERMAL_62MM,
    "card-a6": CARD_A6,
    "cards-2-a4": CARDS_2_A4,
    "cards-2-letter": CARDS_2_LETTER,
    "card-cr80": CARD_CR80,
}
# Formats a kanban card fits (the card needs 60 mm each way), the first one the default.
KANBAN_CARD_FORMATS: Final = ("card-a6", "cards-2-a4", "cards-2-letter", "thermal-4x6in")
BADGE_FORMAT: Final = "card-cr80"


def get_format(key: str) -> LabelFormat:
    try:
        return FORMATS[key]
    except KeyError:
        known = ", ".join(FORMATS)
        raise LabelFormatError(f"Unknown label format '{key}'. Known formats: {known}.") from None


def custom_sheet(
    *,
    rows: int,
    columns: int,
    label_width_mm: float,
    label_height_mm: float,
    left_mm: float,
    top_mm: float,
    pitch_x_mm: float | None = None,
    pitch_y_mm: float | None = None,
    page: str | tuple[float, float] = "A4",
    name: str = "Custom sheet",
) -> SheetFormat:
    """A sheet format from its measurements; pitch defaults to the label size (no gap).

    Raises LabelFormatError if the labels overlap or run off the page.
    """
    if isinstance(page, str):
        sizes = {"a4": A4_MM, "letter": LETTER_MM}
        try:
            page_w, page_h = sizes[page.lower()]
        except KeyError:
            raise LabelFormatError(
                f"Unknown paper size '{page}': use A4, Letter or a width and height."
            ) from None
    else:
        page_w, page_h = page
    return SheetFormat(
        name,
        page_w,
        page_h,
        columns=columns,
        rows=rows,
        label_width_mm=label_width_mm,
        label_height_mm=label_height_mm,
        left_mm=left_mm,
        top_mm=top_mm,
        pitch_x_mm=label_width_mm if pitch_x_mm is None else pitch_x_mm,
        pitch_y_mm=label_height_mm if pitch_y_mm is None else pitch_y_mm,
    )


def check_start_at(fmt: LabelFormat, start_at: int) -> None:
    per_page = fmt.labels_per_page
    if not 1 <= start_at <= per_page:
        if per_page == 1:
            raise LabelError(f"'{fmt.name}' prints one label per page, so printing must start at label 1.")
        raise LabelError(
            f"There is no label {start_at} on '{fmt.name}': choose a start position from 1 to {per_page}."
        )


def check_offsets(offset_x_mm: float, offset_y_mm: float) -> None:
    for axis, value in (("X", offset_x_mm), ("Y", offset_y_mm)):
        if not -MAX_OFFSET_MM <= value <= MAX_OFFSET_MM:
            raise LabelError(
                f"The printer's {axis} offset of {_fmt_mm(value)} is too large: calibration offsets must "
                f"be between -{MAX_OFFSET_MM:g} and {MAX_OFFSET_MM:g} mm."
            )


def label_slots(fmt: LabelFormat, count: int, start_at: int = 1) -> Iterator[tuple[int, int]]:
    """(page index from 0, slot from 1) for `count` labels; `start_at` skips used slots on page 0."""
    check_start_at(fmt, start_at)
    per_page = fmt.labels_per_page
    for i in range(count):
        page, index = divmod(start_at - 1 + i, per_page)
        yield page, index + 1


def slot_origin_pt(fmt: LabelFormat, slot: int) -> tuple[float, float]:
    """Bottom-left corner of label `slot` in PDF points (origin at the page's bottom-left)."""
    x_mm, top_mm = fmt.slot_origin_mm(slot)
    return x_mm * MM, (fmt.page_height_mm - top_mm - fmt.label_height_mm) * MM


def new_canvas(buffer: io.BytesIO, fmt: LabelFormat, *, title: str) -> Any:
    """A reportlab canvas for `fmt` with the embedded fonts and 'print at actual size' set."""
    from reportlab.pdfgen.canvas import Canvas

    from desktop.reports import fonts

    fonts.register_fonts()
    canvas = Canvas(
        buffer,
        pagesize=(fmt.page_width_mm * MM, fmt.page_height_mm * MM),
        pageCompression=1,
        invariant=1,  # same input, same bytes: no timestamps or random document ids
        initialFontName=fonts.SANS,
        initialFontSize=10,
    )
    canvas.setTitle(title)
    canvas.setCreator("Storeroom")
    # Viewers default to "fit to page", which shrinks the sheet and puts every label off its slot.
    canvas.setViewerPreference("PrintScaling", "None")
    return canvas


def apply_offsets(canvas: Any, offset_x_mm: float, offset_y_mm: float) -> None:
    """Shift everything drawn after this on the current page: +x right, +y DOWN (as a ruler reads)."""
    if offset_x_mm or offset_y_mm:
        canvas.translate(offset_x_mm * MM, -offset_y_mm * MM)


def render_calibration_page(fmt: LabelFormat, *, offset_x_mm: float = 0.0, offset_y_mm: float = 0.0) -> bytes:
    """One page with every label outline, a 50 mm scale bar and instructions (desktop.reports.calibration)."""
    from desktop.reports.calibration import calibration_page

    return calibration_page(fmt, offset_x_mm=offset_x_mm, offset_y_mm=offset_y_mm)
