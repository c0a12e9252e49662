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
