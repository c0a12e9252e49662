"""search_part_page: the first page of search_part_ids in the same order, with the count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from desktop.db import Database
from desktop.models import Part
from desktop.services.catalogue import parts_list
from tests.ui.test_parts_and_locations import bulk_parts


@pytest.mark.parametrize(
    ("text", "sort", "descending"),
    [
        ("si", "part_number", False),
        ("si", "part_number", True),
        ("e", "description", False),
        ("9", "unit_cost", True),  # no index walks in this order: the full list, cut to a page
        ("bearing", "part_number", False),  # a trigram word: read by id when few, else walked
        ("bearing", "description", True),
        ("valve 5", "description", False),
        ("zq", "part_number", False),
        ("9 va", "part_number", False),  # two short words
        ("9 valve", "part_number", False),  # a trigram word with a short one
        ("9 bolt", "part_number", True),
        ("", "part_number", False),  # the list opened with no search: its head and the exact count
        ("", "on_hand", True),
        ("", "on_order", False),
        ("", "unit_cost", True),
    ],
)
@pytest.mark.parametrize("read_by_id", [10, 5_000])  # trigram matches walked for / read by id
def test_the_page_is_the_head_of_the_full_list(
    db: Database, monkeypatch: pytest.MonkeyPatch, text: str, sort: str, descending: bool, read_by_id: int
) -> None:
    monkeypatch.setattr(parts_list, "_WALK", 100)  # a cut-short walk stops inside the 600 parts
    monkeypatch.setattr(parts_list, "_READ_BY_ID", read_by_id)
    monkeypatch.setattr(parts_list, "_SAMPLE_IDS", 40)
    bulk_parts(db, 600)
    full = parts_list.search_part_ids(db, text, sort=sort, descending=descending)
    page = parts_list.search_part_page(db, text, limit=50, sort=sort, descending=descending)
    assert page.ids == full[: len(page.ids)] and len(page.ids) >= min(50, len(full))
    if not text:  # the head only, and the exact count
        assert page.exact and len(page.ids) == 50
    if page.exact:
        assert page.total == len(full)
    else:  # every fourth of 160 sampled ids scaled to 600 (ids start at 1): near the real count
        assert len(full) > 50 and abs(page.total - len(full)) <= len(full) // 4


def test_a_page_holds_at_least_one_id(db: Database) -> None:
    with pytest.raises(ValueError):
        parts_list.search_part_page(db, "a", limit=0)


@pytest.mark.parametrize("descending", [False, True])
def test_parts_with_one_description_list_by_part_number(db: Database, descending: bool) -> None:
    """Sorted by description, ties go by part number, as migration 0024's index walks them, whether
    the page is walked (a short word) or read by id (a rare trigram word)."""
    bulk_parts(db, 40)
    twins = [("ZZ-3", "Gasket kit"), ("AA-1", "Gasket kit"), ("MM-2", "Gasket kit"), ("BB-0", "Gasket")]
    db.write(
        lambda s: s.execute(
            insert(Part),
            [
                {"part_number": n, "number_key": n, "description": d, "category": "RAW", "unit": "EA"}
                | {"unit_cost": Decimal(1), "active": True}
                for n, d in twins
            ],
        )
    )
    numbers = db.read(lambda s: dict(s.execute(select(Part.id, Part.part_number)).tuples().all()))
    expected = ["BB-0", "AA-1", "MM-2", "ZZ-3"]
    for text in ("sk", "gasket"):
        full = parts_list.search_part_ids(db, text, sort="description", descending=descending)
        page = parts_list.search_part_page(db, text, sort="description", descending=descending)
        assert [numbers[i] for i in full] == (expected[::-1] if descending else expected)
        assert page.ids == full and page.exact and page.total == 4


@pytest.mark.parametrize("sort", ["part_number", "description"])
@pytest.mark.parametrize("text", ["e", "9 va", "bearing 5"])
def test_the_walk_reads_a_covering_index_in_order(sqlite_db: Database, sort: str, text: str) -> None:
    """On SQLite the walk of search as you type reads one index in the sort order and no table row
    (0009, 0024): a rare short word walks to the end of it, which a walk of table rows made 121 ms.
    (PostgreSQL searches through pg_trgm.)"""
    db = sqlite_db
    for descending in (False, True):
        walk = parts_list.search_statement(text, sqlite=True, sort=sort, descending=descending, walk=True)
        compiled = walk.limit(201).compile(db.engine, compile_kwargs={"literal_binds": True})
        with db.engine.connect() as conn:
            plan = [row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]
        index = "ix_part_search_scan" if sort == "part_number" else "ix_part_search_by_description"
        assert f"SCAN part USING COVERING INDEX {index}" in plan
        assert not any("TEMP B-TREE" in step for step in plan), plan  # no sort: the walk stops early


@pytest.mark.parametrize("text", ["ölf", "ÖLF", "ölfilter 1", "filter ö"])
def test_a_non_ascii_word_finds_every_case_on_the_walk(
    db: Database, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    """The walk tests ASCII words with LIKE, which ignores case in ASCII only; a word with other letters
    keeps the trigram index (Unicode case folding on SQLite), so the page is still the list's head."""
    monkeypatch.setattr(parts_list, "_READ_BY_ID", 0)  # the walk, not the read by id
    monkeypatch.setattr(parts_list, "_WALK", 500)  # the walk reaches a page of matches
    bulk_parts(db, 300)
    rows = [
        {"part_number": f"OF-{n:03d}", "number_key": f"OF-{n:03d}", "description": f"{name} {n}"}
        | {"category": "RAW", "unit": "EA", "unit_cost": Decimal(1), "active": True}
        for n, name in enumerate(["Ölfilter", "ölfilter", "Oelfilter", "ÖLFILTER"] * 60)
    ]
    db.write(lambda s: s.execute(insert(Part), rows))
    full = parts_list.search_part_ids(db, text)
    page = parts_list.search_part_page(db, text, limit=50)
    assert len(full) > 50
    assert page.ids == full[:50]
