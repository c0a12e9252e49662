"""What a label job is made of: the label data (bin, part), the job, the measured layout a renderer
draws, and the limits every label keeps (smallest bar and QR module, smallest text).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

from desktop.reports import fonts
from desktop.reports.barcode_draw import (
    QrMatrix,
    code128_pattern,
)
from desktop.reports.label_formats import (
    LabelError,
)

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


class NoRoom(LabelError):
    """This arrangement does not fit the label; the layout tries the next one (never reaches a user
    unless no arrangement fits at all)."""


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
class LabelJob:
    """A rendered job: the PDF and which labels printed a fallback (short id form, 2-D code only)."""

    pdf: bytes
    labels: int
    fallbacks: tuple[tuple[str, str], ...] = ()  # (label's name, how it was printed)

    def summary(self, limit: int = 8) -> str:
        """One sentence for the clerk, or "" when every label carries its full code."""
        return fallback_summary(self.fallbacks, self.labels, limit)


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
