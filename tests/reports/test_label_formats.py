"""Sheet and thermal formats: geometry checks, slots, calibration page."""

from __future__ import annotations

import math

import pytest

from desktop.reports.label_formats import (
    A4_MM,
    AVERY_5160,
    AVERY_L7163,
    FORMATS,
    LETTER_MM,
    THERMAL_2X1,
    THERMAL_62MM,
    LabelError,
    LabelFormatError,
    SheetFormat,
    ThermalFormat,
    custom_sheet,
    get_format,
    label_slots,
    render_calibration_page,
    slot_origin_pt,
)
from tests.reports.helpers import MM_PT, open_pdf, page_count


@pytest.mark.parametrize("key", list(FORMATS))
def test_every_built_in_format_fits_its_page(key: str) -> None:
    fmt = FORMATS[key]
    last_left, last_top = fmt.slot_origin_mm(fmt.labels_per_page)
    assert last_left + fmt.label_width_mm <= fmt.page_width_mm + 0.05
    assert last_top + fmt.label_height_mm <= fmt.page_height_mm + 0.05


def test_sheets_are_on_their_paper_and_thermal_pages_are_the_label() -> None:
    assert (FORMATS["avery-5160"].page_width_mm, FORMATS["avery-5160"].page_height_mm) == LETTER_MM
    assert (FORMATS["avery-l7160"].page_width_mm, FORMATS["avery-l7160"].page_height_mm) == A4_MM
    assert (THERMAL_62MM.page_width_mm, THERMAL_62MM.page_height_mm) == (62.0, 29.0)
    assert THERMAL_2X1.labels_per_page == 1 and THERMAL_2X1.slot_origin_mm(1) == (0.0, 0.0)
    assert get_format("avery-l7163") is AVERY_L7163


def test_slot_origin_in_points_counts_from_the_bottom_left() -> None:
    x, y = slot_origin_pt(AVERY_5160, 30)  # bottom-right label
    assert x / MM_PT == pytest.approx(4.7625 + 2 * 69.85)
    assert y / MM_PT == pytest.approx(279.4 - 12.7 - 10 * 25.4)


def test_custom_grid_with_gaps() -> None:
    fmt = custom_sheet(
        rows=4,
        columns=2,
        label_width_mm=90,
        label_height_mm=60,
        left_mm=10,
        top_mm=20,
        pitch_x_mm=100,
        pitch_y_mm=65,
    )
    assert fmt.labels_per_page == 8
    assert fmt.slot_origin_mm(4) == (110, 85)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"columns": 3, "label_width_mm": 70, "left_mm": 5},
            "does not fit its page: 3 labels across end 215 mm",
        ),
        ({"rows": 8, "label_height_mm": 38.1, "top_mm": 15}, "does not fit its page: 8 rows"),
        ({"columns": 2, "label_width_mm": 60, "pitch_x_mm": 50}, "labels would overlap"),
        ({"label_width_mm": 0}, "label width of 0 mm"),
        ({"rows": 0}, "at least one row"),
        ({"left_mm": -1}, "negative margin"),
    ],
)
def test_a_custom_format_that_does_not_fit_is_refused(kwargs: dict[str, float], message: str) -> None:
    args: dict[str, float] = {
        "rows": 1,
        "columns": 1,
        "label_width_mm": 50,
        "label_height_mm": 30,
        "left_mm": 10,
        "top_mm": 10,
    }
    args.update(kwargs)
    with pytest.raises(LabelFormatError, match=message):
        custom_sheet(**args)  # type: ignore[arg-type]


def test_format_errors_are_label_errors_and_value_errors() -> None:
    with pytest.raises(LabelError):
        ThermalFormat("Broken", 0, 10)
    with pytest.raises(ValueError, match="Unknown label format 'avery-9999'"):
        get_format("avery-9999")
    with pytest.raises(LabelFormatError, match="Unknown paper size 'A3'"):
        custom_sheet(rows=1, columns=1, label_width_mm=10, label_height_mm=10, left_mm=0, top_mm=0, page="A3")


def test_label_slots_start_at_n_then_fill_following_sheets() -> None:
    slots = list(label_slots(AVERY_5160, 4, start_at=28))
    assert slots == [(0, 28), (0, 29), (0, 30), (1, 1)]
    assert list(label_slots(THERMAL_2X1, 2)) == [(0, 1), (1, 1)]


def test_calibration_page_outlines_every_label_at_its_slot() -> None:
    pdf = render_calibration_page(AVERY_5160)
    assert page_count(pdf) == 1
    with open_pdf(pdf) as doc:
        page = doc.pages[0]
        outlines = sorted(
            (round(r["x0"] / MM_PT, 2), round(r["top"] / MM_PT, 2))
            for r in page.rects
            if abs(r["width"] / MM_PT - 66.675) < 0.1 and abs(r["height"] / MM_PT - 25.4) < 0.1
        )
        words = {w["text"] for w in page.extract_words()}
    expected = sorted(
        (round(4.7625 + c * 69.85, 2), round(12.7 + r * 25.4, 2)) for r in range(10) for c in range(3)
    )
    assert len(outlines) == 30
    for got, want in zip(outlines, expected, strict=True):
        assert got == pytest.approx(want, abs=0.05)
    assert {str(n) for n in range(1, 31)} <= words


@pytest.mark.parametrize("fmt", [AVERY_5160, THERMAL_62MM])
def test_calibration_page_moves_by_the_offsets(fmt: SheetFormat | ThermalFormat) -> None:
    def number_one(pdf: bytes) -> tuple[float, float]:
        with open_pdf(pdf) as doc:
            char = next(c for c in doc.pages[0].chars if c["text"] == "1" and c["size"] > 10)
        return char["x0"] / MM_PT, char["top"] / MM_PT

    x0, y0 = number_one(render_calibration_page(fmt))
    x1, y1 = number_one(render_calibration_page(fmt, offset_x_mm=-1.2, offset_y_mm=2.0))
    assert x1 - x0 == pytest.approx(-1.2, abs=0.01)
    assert y1 - y0 == pytest.approx(2.0, abs=0.01)  # + moves down the sheet


def test_calibration_page_refuses_absurd_offsets() -> None:
    with pytest.raises(LabelError, match="between -20 and 20 mm"):
        render_calibration_page(AVERY_5160, offset_x_mm=25)


@pytest.mark.parametrize("key", list(FORMATS))
def test_every_calibration_page_has_a_50_mm_scale_bar_and_instructions(key: str) -> None:
    pdf = render_calibration_page(FORMATS[key], offset_x_mm=1.5)
    with open_pdf(pdf) as doc:
        page = doc.pages[0]
        lengths = [
            math.hypot(float(ln["x1"] - ln["x0"]), float(ln["bottom"] - ln["top"])) / MM_PT
            for ln in page.lines
        ]
        text = " ".join((page.extract_text() or "").split())
        chars = page.chars
        width, height = float(page.width), float(page.height)
    bars = [length for length in lengths if abs(length - 50.0) < 0.05]
    assert bars, f"{key}: no 50 mm line among {sorted(round(x, 1) for x in lengths)}"
    assert "50 mm" in text and "100 %" in text and "X +1.5" in text, text
    assert "smaller" in text  # which way to correct
    assert min(c["size"] for c in chars) >= 6.0 - 0.01
    for c in chars:  # every instruction on the page (a thermal printer prints nothing beyond the label)
        assert c["x0"] >= 0 and c["x1"] <= width and c["top"] >= 0 and c["bottom"] <= height, c["text"]
