"""The count sheet read back: text with pdfplumber, every barcode decoded with zxing-cpp."""

from __future__ import annotations

from desktop.db import Database
from desktop.reports.count_sheet import SheetHeader, SheetLine, render_count_sheet
from desktop.services.actor import Actor
from desktop.services.counts import sessions as counts
from tests.factories import make_part, make_tree, receive
from tests.reports.helpers import decode, open_pdf, render_pages


def _lines(n: int) -> list[SheetLine]:
    return [
        SheetLine(
            f"AREA{i // 40}",
            f"B-{i:04d}",
            f"L-B-{i:04d}",
            f"P{i:05d}",
            f"P-P{i:05d}",
            "Rillenkugellager Ø25 mm / Подшипник / 轴承" if i % 7 == 0 else f"Part {i}",
            "EA",
            str(i),
        )
        for i in range(n)
    ]


def test_sheet_has_everything_a_counter_needs() -> None:
    pdf = render_count_sheet(
        SheetHeader("Cycle count: Rack 1", "CS-7", "2026-11-25 08:00", "Kim", blind=True), _lines(60)
    )
    with open_pdf(pdf) as doc:
        pages = [p.extract_text() for p in doc.pages]
    assert len(pages) >= 2
    for n, text in enumerate(pages, start=1):
        assert "Bin Part Description Unit Count 1 Count 2 Initials Notes" in text  # header on every page
        assert f"page {n} of {len(pages)}" in text
        assert "Counted by:" in text and "Cycle count: Rack 1" in text
    everything = "\n".join(pages)
    assert "Area AREA0" in everything and "Area AREA1" in everything
    assert "Подшипник" in everything and "轴承" in everything and "Ø25" in everything
    assert "Book" not in pages[0]  # blind: no book column
    images = render_pages(pdf)
    found = set().union(*({t for _f, t in decode(img)} for img in images))
    expected = {"CS-7"} | {f"L-B-{i:04d}" for i in range(60)} | {f"P-P{i:05d}" for i in range(60)}
    assert expected <= found


def test_why_a_line_is_counted_is_printed_in_its_notes() -> None:
    from dataclasses import replace

    lines = _lines(3)
    lines[1] = replace(lines[1], reason="plan: 12 a year; left empty by issue 2026-11-24")
    lines[2] = replace(lines[2], reason="short issue WO-1: asked 8, got 5 (2026-11-24); left empty by issue")
    pdf = render_count_sheet(SheetHeader("Today 2026-11-25", "CS-8", "2026-11-25 07:00", "Kim", True), lines)
    with open_pdf(pdf) as doc:
        page = doc.pages[0]
        notes = page.crop((page.width * 0.82, 0, page.width, page.height)).extract_text()
    flowing = " ".join(notes.split())  # wrapped inside the Notes cell
    assert "plan: 12 a year; left empty by issue 2026-11-24" in flowing
    assert "short issue WO-1: asked 8, got 5 (2026-11-24); left empty by issue" in flowing


def test_open_count_shows_book_and_the_service_builds_the_sheet(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    bolt = make_part(db, admin, "BOLT")
    receive(db, admin, bolt.id, tree["A-01-02"].id, "12")
    receive(db, admin, make_part(db, admin, "NUT").id, tree["A-01-01"].id, "5")
    sid = counts.start_session(db, admin, "Rack 1", [tree["R01"].id], blind=False)
    header, lines = counts.sheet(db, sid, counter="Kim")
    assert header.barcode == f"CS-{sid}" and not header.blind
    assert [(x.bin_code, x.part_number, x.book_qty) for x in lines] == [
        ("A-01-01", "NUT", "5"),
        ("A-01-02", "BOLT", "12"),
    ]
    pdf = render_count_sheet(header, lines)
    with open_pdf(pdf) as doc:
        text = doc.pages[0].extract_text()
    assert "Book" in text and "Area STORES" in text


def test_long_codes_descriptions_and_cjk_all_print() -> None:
    # 30-character bin codes and 40-character part numbers (the longest allowed), long descriptions,
    # a Chinese count name and counter, three areas over several pages.
    lines = [
        SheetLine(
            f"ZONE-{i // 25}",
            f"99-RK-{i:02d}-SHELF-3-LEFT-BIN-{i:04d}",
            f"L-99-RK-{i:02d}-SHELF-3-LEFT-BIN-{i:04d}",
            f"99SKF-6205-2RSH-C3-GJN-{i:04d}-ABCDEFGHIJKL",
            f"P-99SKF-6205-2RSH-C3-GJN-{i:04d}-ABCDEFGHIJKL",
            ("Deep groove ball bearing, sealed both sides, C3 clearance, high-temperature grease " * 3)[:200]
            if i % 3 == 0
            else f"RK-01-SHELF-3 / SKF-6205-2RSH {i}",
            "EA",
            str(i),
        )
        for i in range(60)
    ]
    lines.append(
        SheetLine("ZONE-9", "RK-01-SHELF-3", "L-RK-01-SHELF-3", "SKF-6205-2RSH", "P-SKF-6205-2RSH", "x", "EA")
    )
    header = SheetHeader("盘点: 一号仓库 Regal 3", "CS-42", "2026-12-06 08:00", "王小明", blind=False)
    pdf = render_count_sheet(header, lines)
    expected = {"CS-42"} | {x.bin_barcode for x in lines} | {x.part_barcode for x in lines}
    found: set[str] = set()
    for image in render_pages(pdf, dpi=300):
        found |= {t for _f, t in decode(image)}
    assert expected <= found, sorted(expected - found)[:5]
    with open_pdf(pdf) as doc:
        assert len(doc.pages) >= 3
        for page in doc.pages:
            text = page.extract_text() or ""
            assert "盘点: 一号仓库 Regal 3" in text and "counter: 王小明" in text  # not empty boxes
            first_row = text.split("Initials Notes", 1)[1].strip().splitlines()[0]
            assert first_row.startswith("Area ZONE-"), first_row  # every page says which area
            fonts = {c["fontname"].split("+")[-1] for c in page.chars if c["text"] in "盘点王"}
            assert fonts == {"DroidSansFallback"}
            # No description runs across a row's rule: rows grow to hold it.
            left, right = 125 * 72 / 25.4, 177 * 72 / 25.4  # the description column
            rules = {
                round(float(e["top"]), 1)
                for e in page.edges
                if e["orientation"] == "h" and float(e["x0"]) <= left and float(e["x1"]) >= right
            }
            assert len(rules) > 5
            for c in page.chars:
                if not left <= float(c["x0"]) <= right:
                    continue
                assert not any(float(c["top"]) + 0.5 < rule < float(c["bottom"]) - 0.5 for rule in rules), c


def test_a_short_note_leaves_the_next_codes_black() -> None:
    # A reason short enough for one line prints grey as a plain string; the codes of the lines under
    # it (drawn straight on the canvas) must still print black.
    from dataclasses import replace

    lines = _lines(3)
    lines[0] = replace(lines[0], reason="plan")
    pdf = render_count_sheet(SheetHeader("Today", "CS-9", "2026-11-25 07:00", "Kim", True), lines)
    with open_pdf(pdf) as doc:
        chars = doc.pages[0].chars
    codes = [c for c in chars if c["text"] in "BP0123456789-" and float(c["x0"]) < 125 * 72 / 25.4]
    assert codes and all(tuple(c["non_stroking_color"]) in ((0,), (0, 0, 0)) for c in codes)
    notes = [c for c in chars if c["text"] in "plan" and float(c["x0"]) > 250 * 72 / 25.4]
    assert notes and all(tuple(c["non_stroking_color"]) != (0, 0, 0) for c in notes)
