"""Rendered bin and part labels: every barcode decodes, positions match the sheet, text fits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.errors import UserError
from desktop.reports import fonts
from desktop.reports.label_formats import (
    AVERY_5160,
    AVERY_L7160,
    FORMATS,
    THERMAL_2X1,
    THERMAL_4X6,
    THERMAL_62MM,
    THERMAL_100X50,
    LabelFormat,
    custom_sheet,
)
from desktop.reports.label_text import fit_text
from desktop.reports.label_types import MIN_MODULE_MM
from desktop.reports.labels import (
    BinLabel,
    LabelError,
    PartLabel,
    RenderCancelled,
    layout_bin_label,
    layout_part_label,
    render_bin_labels,
    render_part_labels,
)
from tests.reports.helpers import (
    MM_PT,
    crop_mm,
    decode,
    ink_outside,
    is_blank,
    open_pdf,
    page_count,
    render_pages,
)

# Payloads chosen to hit encoder corners: python-barcode 0.16.1 drops a leading "99" (#251), odd and
# even digit runs switch Code128 code sets, lowercase forces QR byte mode.
PAYLOADS = [
    "L-A-01-02",
    "999999",
    "99ABC",
    "P-6205-2RS",
    "L-000123",
    "K-00004201",
    "12A",
    "L-MAIN-A-01",
    "l-lower-7",
]
UNICODE_PATH = "Склад › Подшипник"
UNICODE_PART = "轴承 Ø12 mm µ-switch"


def bin_labels(n: int) -> list[BinLabel]:
    return [
        BinLabel(
            code=f"S{i + 1:02d}",
            barcode=PAYLOADS[i % len(PAYLOADS)],
            path=f"Main store › Aisle {i % 5} › Rack {i:02d}",
            part_number="6205-2RS" if i % 2 else None,
            part_description="Deep groove ball bearing" if i % 2 else None,
        )
        for i in range(n)
    ]


def part_labels(n: int) -> list[PartLabel]:
    return [
        PartLabel(
            part_number=f"PN-{i:03d}",
            barcode=PAYLOADS[i % len(PAYLOADS)],
            description="Hex socket cap screw M8 × 30, stainless steel A2-70",
            unit="EA",
            min_qty="4" if i % 2 else None,
            max_qty="12",
        )
        for i in range(n)
    ]


def slot_rect_mm(fmt: LabelFormat, slot: int) -> tuple[float, float, float, float]:
    left, top = fmt.slot_origin_mm(slot)
    return left, top, fmt.label_width_mm, fmt.label_height_mm


def expected_codes(payload: str, has_qr: bool) -> set[tuple[str, str]]:
    return {("Code128", payload)} | ({("QRCode", payload)} if has_qr else set())


# --------------------------------------------------------------------------- decoding


@pytest.mark.parametrize("key", list(FORMATS))
def test_every_bin_label_barcode_decodes_to_its_payload(key: str) -> None:
    fmt = FORMATS[key]
    count = fmt.labels_per_page if fmt.labels_per_page > 1 else 3
    labels = bin_labels(count)
    pdf = render_bin_labels(labels, fmt)
    pages = render_pages(pdf, dpi=300)
    assert len(pages) == (1 if fmt.labels_per_page > 1 else count)
    for i, label in enumerate(labels):
        page = pages[0] if fmt.labels_per_page > 1 else pages[i]
        slot = i + 1 if fmt.labels_per_page > 1 else 1
        layout = layout_bin_label(label, fmt)
        found = decode(crop_mm(page, 300, *slot_rect_mm(fmt, slot)))
        assert found == expected_codes(label.barcode, layout.qr is not None), f"slot {slot}"


@pytest.mark.parametrize("key", list(FORMATS))
def test_every_part_label_barcode_decodes_to_its_payload(key: str) -> None:
    fmt = FORMATS[key]
    count = fmt.labels_per_page if fmt.labels_per_page > 1 else 3
    labels = part_labels(count)
    pages = render_pages(render_part_labels(labels, fmt), dpi=300)
    for i, label in enumerate(labels):
        page = pages[0] if fmt.labels_per_page > 1 else pages[i]
        slot = i + 1 if fmt.labels_per_page > 1 else 1
        assert decode(crop_mm(page, 300, *slot_rect_mm(fmt, slot))) == {("Code128", label.barcode)}


@pytest.mark.parametrize("fmt", [THERMAL_2X1, THERMAL_100X50, THERMAL_4X6])
def test_thermal_labels_decode_at_the_printers_203_dpi(fmt: LabelFormat) -> None:
    label = bin_labels(1)[0]
    (page,) = render_pages(render_bin_labels([label], fmt), dpi=203)
    assert decode(page) == expected_codes(label.barcode, layout_bin_label(label, fmt).qr is not None)


def test_small_labels_drop_or_shrink_the_qr_but_every_code_decodes() -> None:
    # Avery 5167-size return-address labels (44.45 x 12.7 mm): no room for a readable QR.
    tiny = custom_sheet(
        rows=20,
        columns=4,
        label_width_mm=44.45,
        label_height_mm=12.7,
        left_mm=7.14,
        top_mm=12.7,
        pitch_x_mm=52.39,
        page="Letter",
    )
    label = BinLabel("A-01-02", "L-A-01-02", "Main store › Aisle A", None, None)
    assert layout_bin_label(label, tiny).style == "plain"
    assert layout_bin_label(label, THERMAL_2X1).style == "banner"
    assert layout_bin_label(label, AVERY_5160).style == "side"
    assert layout_bin_label(label, THERMAL_4X6).style == "tall"
    (page,) = render_pages(render_bin_labels([label], tiny), dpi=300)
    assert decode(crop_mm(page, 300, *slot_rect_mm(tiny, 1))) == {("Code128", "L-A-01-02")}


@pytest.mark.parametrize("key", list(FORMATS))
def test_bars_are_never_narrower_than_the_scannable_minimum(key: str) -> None:
    fmt = FORMATS[key]
    for label in bin_labels(len(PAYLOADS)):
        layout = layout_bin_label(label, fmt)
        bars = layout.code128
        assert bars is not None, label
        assert bars.module >= MIN_MODULE_MM * MM_PT - 1e-9
        # Quiet zones inside the label: 10 modules of white either side of the bars.
        assert bars.x >= 10 * bars.module - 1e-6
        assert bars.x + bars.width <= layout.width - 10 * bars.module + 1e-6


# --------------------------------------------------------------------------- geometry


# Vendor template figures (Avery US in inches, A4 sheets in mm), typed in independently of the table
# in label_formats.py: (columns, rows, label w, label h, left, top, pitch x, pitch y) in mm.
INCH = 25.4
PUBLISHED = {
    "avery-5160": (3, 10, 2.625 * INCH, 1 * INCH, 0.1875 * INCH, 0.5 * INCH, 2.75 * INCH, 1 * INCH),
    "avery-5163": (2, 5, 4 * INCH, 2 * INCH, 0.15625 * INCH, 0.5 * INCH, 4.1875 * INCH, 2 * INCH),
    "avery-l7160": (3, 7, 63.5, 38.1, 7.21, 15.15, 66.04, 38.1),
    "avery-l7163": (2, 7, 99.1, 38.1, 4.65, 15.15, 101.6, 38.1),
}


@pytest.mark.parametrize("key", list(PUBLISHED))
def test_printed_labels_sit_on_the_published_sheet_geometry(key: str) -> None:
    fmt = FORMATS[key]
    cols, rows, _w, h, left, top, pitch_x, pitch_y = PUBLISHED[key]
    assert (fmt.columns, fmt.rows) == (cols, rows)
    labels = bin_labels(fmt.labels_per_page)
    pdf = render_bin_labels(labels, fmt)
    with open_pdf(pdf) as doc:
        page = doc.pages[0]
        chars = page.chars
        page_h = float(page.height)
    for i, label in enumerate(labels):
        row, col = divmod(i, cols)
        slot_left, slot_top = left + col * pitch_x, top + row * pitch_y
        # Where the layout puts the code text inside a label, plus where the sheet puts the label.
        text = layout_bin_label(label, fmt).texts[0]
        want_x = slot_left + text.x / MM_PT
        want_baseline = slot_top + h - (text.top - text.size * fonts.ASCENT) / MM_PT
        first = next(c for c in chars if c["text"] == label.code[0] and _word_at(chars, c) == label.code)
        got_x = first["matrix"][4] / MM_PT
        got_baseline = (page_h - first["matrix"][5]) / MM_PT
        assert abs(got_x - want_x) < 0.5, f"{key} slot {i + 1}: x {got_x:.2f} mm, expected {want_x:.2f}"
        assert abs(got_baseline - want_baseline) < 0.5, f"{key} slot {i + 1}: baseline {got_baseline:.2f} mm"


def _word_at(chars: list[dict[str, object]], first: dict[str, object]) -> str:
    """The run of characters on the same baseline starting at `first`."""
    start = chars.index(first)
    word = []
    for c in chars[start:]:
        if c["top"] != first["top"] or c["text"] == " ":
            break
        word.append(str(c["text"]))
    return "".join(word)


@pytest.mark.parametrize("key", list(FORMATS))
def test_long_text_never_leaves_the_label(key: str) -> None:
    fmt = FORMATS[key]
    long_words = "Hexagon socket head cap screw stainless steel A2-70 DIN912 ISO4762 fully threaded " * 3
    labels = [
        BinLabel(
            code="MAINTENANCE-CRIB-CABINET-3-DRAWER-12-LEFT",
            barcode="L-000123",
            path="Plant 2 › Maintenance crib › Cabinet 3 › Drawer 12 › Left compartment › Box " * 2,
            part_number="M8X30-A2-70-DIN912-STAINLESS-FULLY-THREADED",
            part_description=long_words + "轴承 深沟球 " * 10,
        )
    ]
    parts = [
        PartLabel(
            "M8X30-A2-70-DIN912-STAINLESS-FULLY-THREADED-" * 2,
            "P-M8X30",
            long_words * 3 + "Подшипник шариковый " * 20,
            "BOX OF 100 PIECES",
            "1000000",
            "99999999",
        )
    ]
    dpi = 100
    for pdf in (render_bin_labels(labels, fmt), render_part_labels(parts, fmt)):
        (page,) = render_pages(pdf, dpi=dpi)
        left, top, w, h = slot_rect_mm(fmt, 1)
        # Ink only inside the label, and 1 mm clear of its edges (the layout keeps >= 1.5 mm).
        assert not ink_outside(page, dpi, [(left + 1, top + 1, w - 2, h - 2)])
        with open_pdf(pdf) as doc:
            chars = doc.pages[0].chars
        assert chars, "the label has text"
        for c in chars:
            assert left * MM_PT <= c["x0"] and c["x1"] <= (left + w) * MM_PT, c["text"]
            assert top * MM_PT <= c["top"] and c["bottom"] <= (top + h) * MM_PT, c["text"]
        if w * h < 10_000:  # a kanban card (190 x 138 mm) has room for all of it; smaller labels do not
            assert any(c["text"] == "…" for c in chars), "over-long text is cut short with an ellipsis"


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("AZaz09-_ .,/ØµЖжПодш轴承深沟球")) | st.characters(codec="ascii"),
        min_size=1,
        max_size=120,
    ),
    width=st.floats(min_value=5, max_value=300),
    height=st.floats(min_value=1, max_value=120),
    max_lines=st.integers(min_value=1, max_value=5),
    bold=st.booleans(),
)
def test_fit_text_always_fits_its_box(
    text: str, width: float, height: float, max_lines: int, bold: bool
) -> None:
    size, lines = fit_text(text, width, height, max_size=40, max_lines=max_lines, bold=bold)
    assert len(lines) <= max_lines
    assert not lines or size >= 6.0  # human-readable text is never printed below 6 pt
    assert len(lines) * size * (fonts.ASCENT + fonts.DESCENT) <= height + 1e-6
    for line in lines:
        assert fonts.text_width(line, size, bold) <= width + 1e-6


# --------------------------------------------------------------------------- text


def test_unicode_text_prints_with_embedded_fonts() -> None:
    label = BinLabel("A-01", "L-A-01", UNICODE_PATH, "6205", UNICODE_PART)
    part = PartLabel("6205-2RS", "P-6205-2RS", "Подшипник 轴承 Ø12 mm µ-switch", "шт", "2", "10")
    for pdf in (render_bin_labels([label], AVERY_5160), render_part_labels([part], THERMAL_62MM)):
        with open_pdf(pdf) as doc:
            page = doc.pages[0]
            text = page.extract_text()
            font_names = {c["fontname"].split("+")[-1] for c in page.chars}
        for expected in ("Ø12 mm µ-switch", "Подшипник", "轴承"):
            assert expected in text
        assert {"DejaVuSansCondensed", "DroidSansFallback"} <= {n.removesuffix("-Bold") for n in font_names}
        # Nothing relies on the PDF viewer's standard fonts, which have no Cyrillic or CJK glyphs.
        assert b"Helvetica" not in pdf


# --------------------------------------------------------------------------- job options


def test_start_at_skips_the_used_slots_of_the_first_sheet() -> None:
    labels = bin_labels(3)
    pdf = render_bin_labels(labels, AVERY_5160, start_at=5)
    (page,) = render_pages(pdf, dpi=300)
    for slot in (1, 2, 3, 4, 8, 30):
        assert is_blank(crop_mm(page, 300, *slot_rect_mm(AVERY_5160, slot))), f"slot {slot} is used"
    for slot, label in zip((5, 6, 7), labels, strict=True):
        assert decode(crop_mm(page, 300, *slot_rect_mm(AVERY_5160, slot))) == expected_codes(
            label.barcode, True
        )


def test_start_at_near_the_end_continues_on_a_new_sheet() -> None:
    labels = bin_labels(3)
    pdf = render_bin_labels(labels, AVERY_5160, start_at=29)
    first, second = render_pages(pdf, dpi=150)
    assert is_blank(crop_mm(first, 150, *slot_rect_mm(AVERY_5160, 28)))
    assert not is_blank(crop_mm(first, 150, *slot_rect_mm(AVERY_5160, 30)))
    assert not is_blank(crop_mm(second, 150, *slot_rect_mm(AVERY_5160, 1)))
    assert is_blank(crop_mm(second, 150, *slot_rect_mm(AVERY_5160, 2)))


def test_copies_repeat_each_label_in_a_row() -> None:
    labels = bin_labels(2)
    (page,) = render_pages(render_bin_labels(labels, AVERY_L7160, copies=2), dpi=300)
    wanted = [labels[0], labels[0], labels[1], labels[1]]
    for slot, label in enumerate(wanted, start=1):
        assert decode(crop_mm(page, 300, *slot_rect_mm(AVERY_L7160, slot))) == expected_codes(
            label.barcode, True
        )
    assert is_blank(crop_mm(page, 300, *slot_rect_mm(AVERY_L7160, 5)))


@pytest.mark.parametrize("fmt", [AVERY_5160, THERMAL_2X1])
def test_calibration_offsets_move_everything_by_the_given_mm(fmt: LabelFormat) -> None:
    labels = bin_labels(2)

    def positions(pdf: bytes) -> list[tuple[float, float]]:
        with open_pdf(pdf) as doc:
            return [(c["x0"], c["top"]) for c in doc.pages[0].chars]

    plain = positions(render_bin_labels(labels, fmt))
    moved = positions(render_bin_labels(labels, fmt, offset_x_mm=1.5, offset_y_mm=-0.8))
    assert len(plain) == len(moved) > 0
    for (x0, top0), (x1, top1) in zip(plain, moved, strict=True):
        assert (x1 - x0) / MM_PT == pytest.approx(1.5, abs=0.01)  # + is to the right
        assert (top1 - top0) / MM_PT == pytest.approx(-0.8, abs=0.01)  # - is up the sheet


def test_offsets_apply_on_every_page() -> None:
    labels = bin_labels(31)  # two pages of Avery 5160
    pdf = render_bin_labels(labels, AVERY_5160, offset_x_mm=2.0)
    with open_pdf(pdf) as doc:
        firsts = [min(c["x0"] for c in page.chars) for page in doc.pages]
    plain = render_bin_labels(labels, AVERY_5160)
    with open_pdf(plain) as doc:
        plain_firsts = [min(c["x0"] for c in page.chars) for page in doc.pages]
    assert [(a - b) / MM_PT for a, b in zip(firsts, plain_firsts, strict=True)] == pytest.approx([2.0, 2.0])


def test_progress_reports_every_page_and_can_cancel() -> None:
    labels = bin_labels(65)  # 3 pages of 30
    calls: list[tuple[int, int]] = []

    def record(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    render_bin_labels(labels, AVERY_5160, progress=record)
    assert calls == [(30, 65), (60, 65), (65, 65)]

    def cancel(done: int, total: int) -> bool:
        return False

    with pytest.raises(RenderCancelled):
        render_part_labels(part_labels(65), AVERY_5160, progress=cancel)


def test_same_input_gives_the_same_pdf_bytes() -> None:
    labels = bin_labels(4)
    assert render_bin_labels(labels, AVERY_5160) == render_bin_labels(labels, AVERY_5160)


# --------------------------------------------------------------------------- bad input


def test_empty_selection_is_a_clear_error() -> None:
    with pytest.raises(LabelError, match="Nothing to print"):
        render_bin_labels([], AVERY_5160)
    with pytest.raises(LabelError, match="Nothing to print"):
        render_part_labels([], THERMAL_2X1)


def test_a_code_too_long_for_the_label_width_prints_as_a_2d_code() -> None:
    # No short id form given: the label carries the full code as a 2-D code (it used to be refused).
    label = BinLabel("X", "L-MAIN-AISLE-A-01-02", "Main", None, None)
    layout = layout_bin_label(label, THERMAL_2X1)
    assert layout.code128 is None and layout.qr is not None
    found = decode(render_pages(render_bin_labels([label], THERMAL_2X1), dpi=300)[0])
    assert {text for _f, text in found} == {label.barcode}
    # The same code fits a wider label as a Code128, where every bar is still at least 0.25 mm.
    assert decode(render_pages(render_bin_labels([label], THERMAL_4X6), dpi=300)[0]) >= {
        ("Code128", label.barcode)
    }


def test_characters_a_barcode_cannot_carry_are_refused() -> None:
    with pytest.raises(LabelError, match="'Ø', which a barcode cannot carry"):
        render_part_labels([PartLabel("Ø12", "P-Ø12", "Shaft", "EA", None, None)], AVERY_5160)
    with pytest.raises(LabelError, match="empty"):
        render_bin_labels([BinLabel("A", "", "Main", None, None)], AVERY_5160)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start_at": 31}, "There is no label 31 .* from 1 to 30"),
        ({"start_at": 0}, "There is no label 0"),
        ({"copies": 0}, "copies must be between 1 and"),
        ({"offset_x_mm": 35.0}, "X offset of 35 mm is too large"),
        ({"offset_y_mm": -21.0}, "Y offset of -21 mm is too large"),
    ],
)
def test_bad_job_options_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(LabelError, match=message):
        render_bin_labels(bin_labels(1), AVERY_5160, **kwargs)  # type: ignore[arg-type]


def test_thermal_labels_cannot_start_at_a_later_slot() -> None:
    with pytest.raises(LabelError, match="one label per page"):
        render_bin_labels(bin_labels(1), THERMAL_62MM, start_at=2)


def test_a_label_too_small_for_any_text_is_refused() -> None:
    stamp = custom_sheet(rows=1, columns=1, label_width_mm=60, label_height_mm=7, left_mm=10, top_mm=10)
    with pytest.raises(LabelError, match="too small"):
        render_part_labels(part_labels(1), stamp)


def test_label_errors_are_value_errors_and_user_errors() -> None:
    # The UI shows UserError messages as they are; other callers may simply catch ValueError.
    with pytest.raises(ValueError) as info:
        render_bin_labels([], AVERY_5160)
    assert isinstance(info.value, UserError)


def test_layouts_use_the_part_line_only_when_a_part_is_stored() -> None:
    with_part = layout_bin_label(BinLabel("A-1", "L-1", "Main", "6205", "Bearing"), AVERY_5160)
    without = layout_bin_label(BinLabel("A-1", "L-1", "Main", None, None), AVERY_5160)
    assert [t.lines for t in with_part.texts][-1] == ("6205 · Bearing",)
    assert len(without.texts) == len(with_part.texts) - 1
    # The code prints the same size either way, so a sheet looks even.
    assert without.texts[0].size == pytest.approx(with_part.texts[0].size)
    part = layout_part_label(PartLabel("6205", "P-6205", "Bearing", "EA", "2", "8"), AVERY_5160)
    assert part.texts[-1].lines == ("Unit: EA · Min: 2 · Max: 8",)
    assert page_count(render_part_labels(part_labels(31), AVERY_5160)) == 2
