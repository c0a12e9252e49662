"""Embedded fonts ship with the app and cover Latin, Cyrillic and CJK text."""

from __future__ import annotations

from desktop.reports import fonts


def test_font_files_and_licences_ship_in_resources() -> None:
    folder = fonts.fonts_dir()
    ttfs = sorted(p.name for p in folder.glob("*.ttf"))
    assert ttfs == ["DejaVuSansCondensed-Bold.ttf", "DejaVuSansCondensed.ttf", "DroidSansFallback.ttf"]
    assert sum(p.stat().st_size for p in folder.glob("*.ttf")) < 6 * 1024 * 1024
    for name in ("README.md", "LICENSE-DejaVu.txt", "LICENSE-Apache-2.0.txt"):
        assert (folder / name).is_file(), name


def test_text_is_split_into_runs_by_font() -> None:
    assert fonts.split_runs("Ø12 mm µ-switch 轴承 6205") == (
        (fonts.SANS, "Ø12 mm µ-switch "),
        (fonts.CJK, "轴承 "),
        (fonts.SANS, "6205"),
    )
    assert fonts.split_runs("Подшипник", bold=True) == ((fonts.SANS_BOLD, "Подшипник"),)
    assert fonts.split_runs("a\tb\nc") == ((fonts.SANS, "a b c"),)


def test_missing_glyphs_reports_only_what_no_font_has() -> None:
    assert fonts.missing_glyphs("Ø µ Ж 轴承 볼트 ねじ") == ""
    assert fonts.missing_glyphs("bearing 🔩") == "🔩"


def test_text_width_scales_with_size() -> None:
    assert fonts.text_width("6205-2RS", 20) == 2 * fonts.text_width("6205-2RS", 10) > 0
    assert fonts.text_width("AB", 10, bold=True) > fonts.text_width("AB", 10)


def test_drawn_text_reads_back_in_every_pdf_and_font() -> None:
    # draw_text keeps each text's glyph codes per PDF: a second PDF that meets its characters in
    # another order must not reuse the first one's codes.
    import io

    from reportlab.pdfgen.canvas import Canvas

    from tests.reports.helpers import open_pdf

    texts = [("Жук 6205", False), ("EA", False), ("Ø25 µm", False), ("轴承 Ø", True), ("EA", False)]
    for order in (texts, texts[::-1]):
        buffer = io.BytesIO()
        canvas = Canvas(buffer)
        for n, (text, bold) in enumerate(order):
            fonts.draw_text(canvas, 50, 700 - 20 * n, text, 10, bold=bold)
        canvas.save()
        with open_pdf(buffer.getvalue()) as doc:
            lines = doc.pages[0].extract_text().splitlines()
        assert lines == [text for text, _bold in order]
