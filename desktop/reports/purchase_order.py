"""The purchase-order document: A4 portrait, the plant's name and address, the PO number in large print
and as a Code128 (scanned at receiving), the supplier, where to deliver, the lines with their packs and
prices, and the total. Pure: a `PoDocument` in, PDF bytes out (no database, no Qt).

Amounts are rounded to the cent line by line and the total is the sum of the printed lines, so the
printed column adds up to its total."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop.quantities import format_money, format_qty, money
from desktop.reports.barcode_draw import code128_total_modules, draw_code128
from desktop.reports.count_sheet import NumberedCanvas, _markup
from desktop.reports.fonts import SANS, SANS_BOLD, register_fonts

MODULE = 0.3 * mm  # wide enough for any handheld scanner off a laser print
BAR_HEIGHT = 12 * mm
WIDTH = 180 * mm  # A4 less 15 mm margins


@dataclass(frozen=True)
class PoDocLine:
    line_no: int
    part_number: str
    supplier_part_number: str | None
    description: str
    unit: str
    packs: Decimal
    pack_size: Decimal
    unit_price: Decimal | None  # per pack
    needed_by: date | None

    @property
    def amount(self) -> Decimal:
        return money(self.packs * (self.unit_price or Decimal(0)))


@dataclass(frozen=True)
class PoDocument:
    number: str  # also the barcode payload
    state: str
    issued: date
    plant_name: str
    plant_address: str  # lines separated by newlines
    deliver_to: str  # where the goods go (gate, receiving area), lines separated by newlines
    supplier_name: str
    supplier_address: str | None
    supplier_contact: str | None
    currency: str | None
    needed_by: date | None
    notes: str | None
    buyer: str
    lines: tuple[PoDocLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


class _Code128(Flowable):
    """The PO number's bars with quiet zones, right-aligned in its cell."""

    def __init__(self, data: str) -> None:
        super().__init__()
        self.data = data
        self.width = (code128_total_modules(data) + 20) * MODULE
        self.height = BAR_HEIGHT

    def draw(self) -> None:
        draw_code128(self.canv, self.data, 10 * MODULE, 0, MODULE, BAR_HEIGHT)


def _para(text: str, style: ParagraphStyle, *, bold: bool = False) -> Paragraph:
    """A paragraph with its line breaks kept and every run in a font that has its glyphs."""
    return Paragraph("<br/>".join(_markup(part, bold) for part in text.split("\n")), style)


def _price(value: Decimal) -> str:
    """A price as agreed: to the cent, or to its own places when it has more (12.345 stays 12.345, so
    quantity x price gives the printed amount)."""
    return format_money(value) if money(value) == value else f"{value.normalize():,f}"


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "plant": ParagraphStyle("plant", fontName=SANS_BOLD, fontSize=14, leading=17),
        "body": ParagraphStyle("body", fontName=SANS, fontSize=9, leading=11.5),
        "small": ParagraphStyle("small", fontName=SANS, fontSize=8, leading=9.5),
        "title": ParagraphStyle("title", fontName=SANS_BOLD, fontSize=16, leading=19, alignment=2),
        "right": ParagraphStyle("right", fontName=SANS, fontSize=9, leading=11.5, alignment=2),
        "head": ParagraphStyle("head", fontName=SANS_BOLD, fontSize=8, leading=9.5),
        "num": ParagraphStyle("num", fontName=SANS, fontSize=8, leading=9.5, alignment=2),
        "numhead": ParagraphStyle("numhead", fontName=SANS_BOLD, fontSize=8, leading=9.5, alignment=2),
    }


def _header(doc: PoDocument, st: dict[str, ParagraphStyle]) -> Table:
    left = [
        _para(doc.plant_name or "(plant name: Settings)", st["plant"]),
        _para(doc.plant_address, st["body"]),
    ]
    title = "PURCHASE ORDER" if doc.state != "DRAFT" else "PURCHASE ORDER (DRAFT)"
    right: list[Any] = [
        _para(title, st["title"]),
        _para(doc.number, st["title"], bold=True),
        Spacer(1, 2 * mm),
        _Code128(doc.number),
        Spacer(1, 1 * mm),
        _para(f"Date {doc.issued.isoformat()}", st["right"]),
    ]
    table = Table([[left, right]], colWidths=[WIDTH - 85 * mm, 85 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _parties(doc: PoDocument, st: dict[str, ParagraphStyle]) -> Table:
    supplier = "\n".join(x for x in (doc.supplier_name, doc.supplier_address, doc.supplier_contact) if x)
    deliver = "\n".join(x for x in (doc.plant_name, doc.deliver_to or doc.plant_address) if x)
    terms = [f"Buyer: {doc.buyer}"]
    if doc.needed_by:
        terms.append(f"Needed by: {doc.needed_by.isoformat()}")
    if doc.currency:
        terms.append(f"Currency: {doc.currency}")
    table = Table(
        [
            [_para("Supplier", st["head"]), _para("Deliver to", st["head"]), _para("Terms", st["head"])],
            [_para(supplier, st["body"]), _para(deliver, st["body"]), _para("\n".join(terms), st["body"])],
        ],
        colWidths=[70 * mm, 60 * mm, 50 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                ("BOX", (0, 0), (-1, -1), 0.4, colors.grey),
                ("INNERGRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ]
        )
    )
    return table


def _lines(doc: PoDocument, st: dict[str, ParagraphStyle]) -> Table:
    head = ["#", "Part", "Your part no.", "Description", "Needed by", "Qty", "Pack", "Price / pack", "Amount"]
    numeric = {0, 5, 6, 7, 8}
    rows: list[list[Any]] = [
        [_para(h, st["numhead"] if i in numeric else st["head"]) for i, h in enumerate(head)]
    ]
    for line in doc.lines:
        price = _price(line.unit_price) if line.unit_price is not None else ""
        rows.append(
            [
                _para(str(line.line_no), st["num"]),
                _para(line.part_number, st["small"], bold=True),
                _para(line.supplier_part_number or "", st["small"]),
                _para(line.description, st["small"]),
                _para(line.needed_by.isoformat() if line.needed_by else "", st["small"]),
                _para(format_qty(line.packs), st["num"]),
                _para(f"{format_qty(line.pack_size)} {line.unit}", st["num"]),
                _para(price, st["num"]),
                _para(format_money(line.amount), st["num"]),
            ]
        )
    total = f"Total{' ' + doc.currency if doc.currency else ''}"
    label = _para(total, st["numhead"])
    rows.append([label, "", "", "", "", "", "", "", _para(format_money(doc.total), st["numhead"])])
    widths = [8 * mm, 28 * mm, 24 * mm, 40 * mm, 21 * mm, 12 * mm, 14 * mm, 17 * mm, 16 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -2), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDDDDD")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("SPAN", (0, -1), (7, -1)),  # the total's label, right-aligned up to its amount
                ("LINEABOVE", (7, -1), (-1, -1), 1.0, colors.black),
            ]
        )
    )
    return table


def render_purchase_order(doc: PoDocument) -> bytes:
    register_fonts()
    st = _styles()
    story: list[Flowable] = [_header(doc, st), Spacer(1, 6 * mm), _parties(doc, st), Spacer(1, 6 * mm)]
    story.append(_lines(doc, st))
    if doc.notes:
        story += [Spacer(1, 5 * mm), _para("Notes", st["head"]), _para(doc.notes, st["body"])]
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Purchase order {doc.number}",
        author=doc.plant_name,
    )
    template.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
