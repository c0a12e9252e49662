"""Tabular report PDFs read back: titles, repeated headers, right-aligned numbers, totals, page numbers,
charts, cancelling; and the same report as XLSX / CSV with numbers kept as numbers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from desktop.errors import UserError
from desktop.reports.labels import RenderCancelled
from desktop.reports.table_report import Chart, ReportTable, cell_text, render_table_pdf
from desktop.services.insight.report_data import export
from desktop.services.io.tabular import read_table
from tests.reports.helpers import is_blank, open_pdf, render_pages


def _table(rows: int) -> ReportTable:
    body = [
        (
            f"P-{n:05d}",
            "Lager 轴承 Ø25 Kugellager mit einer sehr langen Beschreibung" if n == 1 else f"Part {n}",
            Decimal(n),
            Decimal("1.5"),
            Decimal(n) * Decimal("1.5"),
        )
        for n in range(1, rows + 1)
    ]
    total = sum((r[4] for r in body), Decimal(0))
    return ReportTable(
        "Stock valuation",
        f"{rows} parts",
        ("Part number", "Description", "On hand", "Unit cost", "Value"),
        ("text", "text", "qty", "money", "money"),
        body,
        ("Total", "", None, None, total),
    )


def test_cells_are_formatted_for_reading() -> None:
    assert cell_text(Decimal("1234.5"), "money") == "1,234.50"
    assert cell_text(Decimal("2.5000"), "qty") == "2.5"
    assert cell_text(Decimal("94.44"), "pct") == "94.4 %"
    assert cell_text(None, "money") == "" and cell_text("Total", "int") == "Total"


def test_a_long_report_repeats_its_header_and_ends_with_the_total() -> None:
    pdf = render_table_pdf(_table(300), generated="2026-11-25 08:00")
    with open_pdf(pdf) as doc:
        pages = doc.pages
        assert len(pages) >= 8
        texts = [p.extract_text() for p in pages]
        for n, text in enumerate(texts, start=1):
            assert "Stock valuation" in text and "Part number" in text and "Unit cost" in text
            assert f"page {n} of {len(pages)}" in text
        assert "P-00001" in texts[0] and "P-00300" in texts[-1]
        assert "Total" in texts[-1] and "67,725.00" in texts[-1]  # 1.5 x (1 + ... + 300)
        assert "轴承" in texts[0]
        # numbers are right-aligned: the Value of row 1 (1.50) ends where the Value of row 10 (15.00) ends
        words = pages[0].extract_words()
        row1 = max((w for w in words if w["text"] == "1.50"), key=lambda w: w["x1"])
        row10 = next(w for w in words if w["text"] == "15.00")
        assert round(row1["x1"]) == round(row10["x1"]) and row1["x0"] > row10["x0"]


def test_charts_are_drawn_on_the_first_page() -> None:
    months = tuple(f"2026-{m:02d}" for m in range(1, 13))
    chart = Chart("Stock value at month end", months, tuple(float(m * 100) for m in range(12)))
    table = ReportTable(
        "KPI summary", "x", ("KPI", "Value"), ("text", "text"), [("Fill rate", "94.0 %")], charts=(chart,)
    )
    pdf = render_table_pdf(table, generated="now")
    with open_pdf(pdf) as doc:
        text = doc.pages[0].extract_text()
    assert "Stock value at month end" in text and "26-12" in text and "Fill rate" in text
    page = render_pages(pdf, dpi=60)[0]
    assert not is_blank(page.crop((30, 80, 300, 230)))  # the bars


def test_cancel_stops_rendering() -> None:
    with pytest.raises(RenderCancelled):
        render_table_pdf(_table(5000), generated="now", progress=lambda done, total: False)


def test_spreadsheets_keep_numbers_and_refuse_unknown_types(tmp_path: Path) -> None:
    table = _table(3)
    export(table, tmp_path / "v.xlsx", generated="now")
    export(table, tmp_path / "v.csv", generated="now")
    for name in ("v.xlsx", "v.csv"):
        back = read_table(tmp_path / name)
        assert back.headers == table.headers
        assert back.rows[1][:3] == ("P-00002", "Part 2", "2") and back.rows[-1][0] == "Total"
    with pytest.raises(UserError, match=r"\.pdf, \.xlsx or \.csv"):
        export(table, tmp_path / "v.txt", generated="now")
    with pytest.raises(RenderCancelled):
        export(_table(5000), tmp_path / "big.pdf", generated="now", progress=lambda d, t: False)
    assert not (tmp_path / "big.pdf").exists() and not list(tmp_path.glob("*.partial"))
