"""Kanban cards on every card format: both barcodes decode, every field prints, the band shows the kind."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from desktop.reports.kanban_cards import KanbanCardLabel, layout_kanban_card, render_kanban_cards
from desktop.reports.label_formats import FORMATS, LabelError
from tests.reports.helpers import decode, open_pdf, render_pages


def _card(kind: str, serial: int = 2, code: str = "K-000123") -> KanbanCardLabel:
    return KanbanCardLabel(
        code=code,
        kind=kind,
        part_number="BLT-528229-G",
        description="Hex bolt M10x20 8.8 DIN 933 zinc plated, box of 100",
        container="5 BOX",
        source="Würth GmbH, supplier part no. 0057 10 20",
        destination="A10-20-A02",
        serial=serial,
        of=3,
        version=2,
        printed="2026-11-25",
    )


@pytest.mark.parametrize("key", ["card-a6", "thermal-4x6in", "cards-2-a4", "cards-2-letter"])
def test_every_card_format_prints_every_field_and_both_barcodes(key: str) -> None:
    cards = [_card("PURCHASE", 1, "K-000101"), _card("TRANSFER", 2, "K-000102")]
    pdf = render_kanban_cards(cards, FORMATS[key])
    pages = render_pages(pdf, dpi=200)
    found = set().union(*(decode(p) for p in pages))
    for code in ("K-000101", "K-000102"):
        assert ("Code128", code) in found and ("QRCode", code) in found, found
    with open_pdf(pdf) as doc:
        text = " ".join(" ".join((p.extract_text() or "").split()) for p in doc.pages)
    for expected in (
        "PURCHASE · card 1 of 3",
        "INTERNAL TRANSFER · card 2 of 3",
        "BLT-528229-G",
        "Hex bolt M10x20",
        "5 BOX per container",
        "From: Würth GmbH, supplier part no. 0057 10 20",
        "To: A10-20-A02",
        "K-000101 · version 2 · printed 2026-11-25",
    ):
        assert expected in text, (expected, text)


def test_the_band_is_coloured_by_loop_kind() -> None:
    colours = {}
    for kind in ("PURCHASE", "TRANSFER", "PRODUCTION"):
        page = pdfium.PdfDocument(render_kanban_cards([_card(kind)], FORMATS["card-a6"]))[0]
        image = page.render(scale=1).to_pil().convert("RGB")
        colours[kind] = image.getpixel((2, 2))  # the band's top-left corner
    r, g, b = colours["PURCHASE"]
    assert b > 150 and r < 60  # blue
    r, g, b = colours["TRANSFER"]
    assert g > 100 and r < 80 and b < 80  # green
    r, g, b = colours["PRODUCTION"]
    assert r > 180 and b < 40  # orange
    assert len(set(colours.values())) == 3


def test_a_label_too_small_for_a_card_is_refused_with_the_formats_to_use() -> None:
    with pytest.raises(LabelError, match="too small for a kanban card"):
        layout_kanban_card(_card("PURCHASE"), FORMATS["avery-5160"])
