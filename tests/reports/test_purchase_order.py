"""The purchase-order PDF read back: text with pdfplumber, the PO number's Code128 decoded with zxing-cpp,
amounts that add up; and the document a real order makes, with the plant's name from Settings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from desktop.db import Database
from desktop.reports.purchase_order import PoDocLine, PoDocument, render_purchase_order
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.admin.plant_settings import PlantIdentity, plant_identity, save_identity
from desktop.services.catalogue.suppliers import PartSupplierInput, get_supplier_id
from desktop.services.purchasing.document import po_document
from tests.factories import make_part
from tests.reports.helpers import decode, open_pdf, render_pages


def _doc(lines: int, state: str = "SENT") -> PoDocument:
    return PoDocument(
        "PO-000042",
        state,
        date(2026, 12, 6),
        "Acme Works GmbH",
        "Industriestraße 7\n70565 Stuttgart",
        "Goods receiving, gate 3",
        "Nordic Fasteners",
        "Box 12, Malmö",
        "Sven / sven@nordic.example",
        "EUR",
        date(2026, 12, 20),
        "Deliver mornings only.",
        "clara",
        tuple(
            PoDocLine(
                n,
                f"BOLT-{n:03d}",
                f"NF-{n}",
                "Sechskantschraube Ø8 / Болт / 螺栓" if n == 1 else f"Hex bolt {n}",
                "EA",
                Decimal(3),
                Decimal(100),
                Decimal("12.345"),  # 3 x 12.345 = 37.035 -> 37.04 printed
                date(2026, 12, 20),
            )
            for n in range(1, lines + 1)
        ),
    )


def test_the_document_has_plant_supplier_lines_and_a_total_that_adds_up() -> None:
    pdf = render_purchase_order(_doc(3))
    with open_pdf(pdf) as doc:
        (page,) = [p.extract_text() for p in doc.pages]
    for text in (
        "Acme Works GmbH",
        "Industriestraße 7",
        "PURCHASE ORDER",
        "PO-000042",
        "Nordic Fasteners",
        "Goods receiving, gate 3",
        "Needed by: 2026-12-20",
        "Currency: EUR",
        "Deliver mornings only.",
        "Болт",
        "螺栓",
        "page 1 of 1",
    ):
        assert text in page, text
    assert "BOLT-002 NF-2 Hex bolt 2 2026-12-20 3 100 EA 12.345 37.04" in page  # amount to the cent
    assert "Total EUR 111.12" in page  # 3 x 37.04, not 3 x 37.035 rounded
    (image,) = render_pages(pdf, dpi=300)
    assert ("Code128", "PO-000042") in decode(image)


def test_a_long_order_repeats_the_table_head_and_says_draft() -> None:
    pdf = render_purchase_order(_doc(60, state="DRAFT"))
    with open_pdf(pdf) as doc:
        pages = [p.extract_text() for p in doc.pages]
    assert len(pages) >= 2 and "PURCHASE ORDER (DRAFT)" in pages[0]
    for n, text in enumerate(pages, start=1):
        assert "Part Your part no. Description" in text and f"page {n} of {len(pages)}" in text
    assert "Total EUR 2,222.40" in pages[-1]


def test_a_real_order_prints_with_the_plant_from_settings(db: Database, admin: Actor) -> None:
    save_identity(db, admin, PlantIdentity("Acme Works", "Main street 1\nSpringfield", ""))
    assert plant_identity(db).address == "Main street 1\nSpringfield"
    part = make_part(
        db, admin, "BOLT-M8", suppliers=(PartSupplierInput("Fastenal", "FA-8", Decimal(9), Decimal(50)),)
    )
    order = po.create_order(db, admin, get_supplier_id(db, "fastenal"), [po.LineInput(part.id, Decimal(4))])
    pdf = render_purchase_order(po_document(db, order.id, today=date(2026, 12, 6)))
    with open_pdf(pdf) as doc:
        text = doc.pages[0].extract_text()
    assert "Acme Works" in text and "Springfield" in text and "Fastenal" in text and "Date 2026-12-06" in text
    assert "BOLT-M8 FA-8" in text and "4 50 EA 9.00 36.00" in text and "Total 36.00" in text
    (image,) = render_pages(pdf, dpi=300)
    assert ("Code128", order.number) in decode(image)
