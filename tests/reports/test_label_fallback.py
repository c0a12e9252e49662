"""Every code prints: part numbers and location codes at their maximum lengths, on every format, each
decoded by zxing-cpp back to a code the scan box resolves to the same part or location."""

from __future__ import annotations

import pytest

from desktop.db import Database
from desktop.models.enums import LocationLevel, Role
from desktop.reports.label_formats import FORMATS, THERMAL_2X1, LabelFormat, custom_sheet
from desktop.reports.labels import (
    MIN_MODULE_MM,
    MIN_TEXT_PT,
    ONLY_2D,
    SHORT_ID,
    BinLabel,
    LabelError,
    PartLabel,
    layout_bin_label,
    layout_part_label,
    render_job,
)
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue import labels as label_data
from desktop.services.catalogue import locations, scan
from desktop.services.catalogue.locations import LocationInput
from tests.factories import make_part
from tests.reports.helpers import MM_PT, crop_mm, decode, open_pdf, render_pages

# 40 characters (the longest part number the app accepts): a leading "99" (python-barcode 0.16.1
# drops it, #251), '/', lower case and umlauts (no barcode-safe code form: printed as P--<id>).
PART_NUMBERS = [
    "99ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789X",
    "99/größe-ventil-übergangsstück-dn25/äöü",
    "9912345678901234567890123456789012345678",
    "6205-2RS",
]
# 30 characters (the longest location code); typed in lower case, stored upper case.
LOCATION_CODES = [
    "99-rk-01-shelf-3-left-bin-0007",
    "99ABCDEFGHIJKLMNOPQRSTUVWXYZ01",
    "A-01-02",
]


def _slots(fmt: LabelFormat, count: int) -> list[tuple[int, int]]:
    """(page index, slot) of label i."""
    per = fmt.labels_per_page
    return [divmod(i, per) if per > 1 else (i, 0) for i in range(count)]


def _decoded_per_label(
    pdf: bytes, fmt: LabelFormat, count: int, dpi: int = 300
) -> list[set[tuple[str, str]]]:
    pages = render_pages(pdf, dpi=dpi)
    found = []
    for page, index in _slots(fmt, count):
        left, top = fmt.slot_origin_mm(index + 1)
        found.append(decode(crop_mm(pages[page], dpi, left, top, fmt.label_width_mm, fmt.label_height_mm)))
    return found


@pytest.fixture
def plant(sqlite_db: Database) -> tuple[Database, list[int], list[int]]:
    admin = ensure_user(sqlite_db, "admin", role=Role.ADMIN)
    locations.create_location(sqlite_db, admin, LocationInput("PLANT", "Werk 1", LocationLevel.SITE.value))
    area = locations.create_location(
        sqlite_db,
        admin,
        LocationInput("STORES", "Hauptlager Süd", LocationLevel.AREA.value, parent_code="PLANT"),
    )
    loc_ids = [
        locations.create_location(
            sqlite_db,
            admin,
            LocationInput(code, f"Fach {code}", LocationLevel.BIN.value, parent_code="STORES"),
        ).id
        for code in LOCATION_CODES
    ]
    part_ids = [
        make_part(sqlite_db, admin, number, description=f"Ventil Größe {n} Ø25 mm").id
        for n, number in enumerate(PART_NUMBERS)
    ]
    assert area.id not in loc_ids
    return sqlite_db, loc_ids, part_ids


@pytest.mark.parametrize("key", list(FORMATS))
def test_every_code_prints_and_scans_back_to_its_record(
    key: str, plant: tuple[Database, list[int], list[int]]
) -> None:
    db, loc_ids, part_ids = plant
    fmt = FORMATS[key]
    bins = label_data.bin_labels(db, loc_ids)
    parts = label_data.part_labels(db, part_ids)
    for items, layout, ids, kind in (
        (bins, layout_bin_label, loc_ids, "location"),
        (parts, layout_part_label, part_ids, "part"),
    ):
        job = render_job(items, layout, fmt, what=kind)  # never refused because of one label
        decoded = _decoded_per_label(job.pdf, fmt, len(items))
        for item, record_id, found in zip(items, ids, decoded, strict=True):
            printed = layout(item, fmt)
            assert found, f"{key}: nothing decodes on the label of {item}"
            texts = {text for _symbology, text in found}
            assert texts == {printed.payload}, (key, item, found)
            symbologies = {symbology for symbology, _text in found}
            if printed.code128 is not None:
                assert "Code128" in symbologies
                assert printed.code128.module >= MIN_MODULE_MM * MM_PT - 1e-9
            for text in texts:
                result = scan.resolve(db, text)
                got = (
                    result.location.location.id
                    if result.location
                    else result.part.id
                    if result.part
                    else None
                )
                assert got == record_id and (result.location is not None) == (kind == "location"), text
            for placed in printed.texts:
                assert placed.size >= MIN_TEXT_PT - 1e-9
        # The job names exactly the labels that did not print their full code.
        named = {name for name, _how in job.fallbacks}
        assert named == {
            getattr(item, "code", None) or item.part_number
            for item in items
            if layout(item, fmt).payload != item.barcode
        }


def test_the_clerk_is_told_which_labels_use_the_short_form(
    plant: tuple[Database, list[int], list[int]],
) -> None:
    db, loc_ids, _part_ids = plant
    job = render_job(label_data.bin_labels(db, loc_ids), layout_bin_label, THERMAL_2X1, what="bin")
    assert [name for name, _how in job.fallbacks] == [
        "99-RK-01-SHELF-3-LEFT-BIN-0007",
        "99ABCDEFGHIJKLMNOPQRSTUVWXYZ01",
    ]
    assert all(how == SHORT_ID for _name, how in job.fallbacks)
    summary = job.summary()
    assert summary.startswith("2 of 3 labels use the short id form")
    assert "99-RK-01-SHELF-3-LEFT-BIN-0007" in summary and "A-01-02" not in summary
    with open_pdf(job.pdf) as doc:  # the human-readable code is printed in full, at least 6 pt
        text = " ".join((page.extract_text() or "").replace("\n", "") for page in doc.pages)
        sizes = [c["size"] for page in doc.pages for c in page.chars]
    assert "99-RK-01-SHELF-3-LEFT-BIN-0007" in text and min(sizes) >= MIN_TEXT_PT - 0.01


def test_the_demo_asset_tag_prints_on_2x1_in() -> None:
    tag = BinLabel("A-PRESS-01-HYD", "A-A-PRESS-01-HYD", "PLANT > L1 > PRESS-01", None, "Hydraulik", "A--17")
    layout = layout_bin_label(tag, THERMAL_2X1)
    (found,) = _decoded_per_label(
        render_job([tag], layout_bin_label, THERMAL_2X1, what="asset").pdf, THERMAL_2X1, 1
    )
    assert {text for _s, text in found} == {layout.payload} and layout.payload in {tag.barcode, "A--17"}


def test_without_a_short_form_a_2d_code_carries_the_full_code() -> None:
    # A badge code has no short id form; on a small label it prints as a 2-D code alone.
    badge = BinLabel("Jörg Müller-Lüdenscheidt", "U-" + "7" * 38, "Storeroom badge", None, None)
    fmt = THERMAL_2X1
    layout = layout_bin_label(badge, fmt)
    assert layout.code128 is None and layout.qr is not None and layout.fallback == ONLY_2D
    job = render_job([badge], layout_bin_label, fmt, what="badge")
    (found,) = _decoded_per_label(job.pdf, fmt, 1)
    assert {text for _s, text in found} == {badge.barcode}
    assert "a 2-D code only" in job.summary()


def test_a_tiny_label_falls_back_to_a_datamatrix() -> None:
    # 30 x 12 mm: no Code128 of L--1234 and no QR fits; a square DataMatrix does.
    tiny = custom_sheet(
        rows=10, columns=5, label_width_mm=30, label_height_mm=12, left_mm=10, top_mm=10, pitch_x_mm=38
    )
    label = BinLabel(
        "99-RK-01-SHELF-3-LEFT-BIN-0007", "L-99-RK-01-SHELF-3-LEFT-BIN-0007", "STORES", None, None, "L--1234"
    )
    layout = layout_bin_label(label, tiny)
    assert layout.qr is not None and layout.qr.symbology == "DataMatrix" and layout.payload == "L--1234"
    (found,) = _decoded_per_label(
        render_job([label], layout_bin_label, tiny, what="bin").pdf, tiny, 1, dpi=600
    )
    assert found == {("DataMatrix", "L--1234")}


def test_a_label_too_small_for_any_barcode_is_a_clear_error() -> None:
    stamp = custom_sheet(rows=1, columns=1, label_width_mm=20, label_height_mm=5, left_mm=10, top_mm=10)
    with pytest.raises(LabelError, match="too small for any barcode"):
        layout_part_label(PartLabel("6205", "P-6205", "Bearing", "EA", compact="P--1"), stamp)


def test_a_broken_full_code_uses_the_short_form_instead() -> None:
    label = PartLabel("Ø12", "P-Ø12", "Shaft", "EA", compact="P--12")
    assert layout_part_label(label, FORMATS["avery-5160"]).payload == "P--12"


def test_short_id_forms_resolve_on_both_databases(db: Database) -> None:
    admin = ensure_user(db, "admin", role=Role.ADMIN)
    locations.create_location(db, admin, LocationInput("PLANT", "Werk 1", LocationLevel.SITE.value))
    loc = locations.create_location(
        db, admin, LocationInput("99-A-01", "Fach", LocationLevel.BIN.value, parent_code="PLANT")
    )
    part = make_part(db, admin, "99/größe")
    found = scan.resolve(db, f"l--{loc.id}")  # as a scanner with caps lock off types it
    assert found.location is not None and found.location.location.id == loc.id
    assert scan.resolve(db, f"P--{part.id}").part.id == part.id  # type: ignore[union-attr]
    assert locations.get_location_id(db, f"L--{loc.id}") == loc.id
    unknown = scan.resolve(db, "L--999999")
    assert not unknown.found and "Unknown code L--999999" in unknown.message
