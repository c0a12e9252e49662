"""search_part_page: the first page of search_part_ids in the same order, with the count."""

from __future__ import annotations

import pytest

from desktop.db import Database
from desktop.services.catalogue import parts_list
from tests.ui.test_parts_and_locations import bulk_parts


@pytest.mark.parametrize(
    ("text", "sort", "descending"),
    [
        ("si", "part_number", False),
        ("si", "part_number", True),
        ("e", "description", False),
        ("9", "unit_cost", True),  # no index walks in this order: the full list, cut to a page
        ("bearing", "part_number", False),  # a trigram word: the index narrows it, counted exactly
        ("zq", "part_number", False),
        ("9 va", "part_number", False),  # two short words
        ("9 valve", "part_number", False),  # a trigram word with a short one: the full list, exact
        ("", "part_number", False),  # the list opened with no search: its head and the exact count
        ("", "on_hand", True),
        ("", "on_order", False),
        ("", "unit_cost", True),
    ],
)
def test_the_page_is_the_head_of_the_full_list(
    db: Database, monkeypatch: pytest.MonkeyPatch, text: str, sort: str, descending: bool
) -> None:
    monkeypatch.setattr(parts_list, "_WALK", 100)  # the walk stops inside the 600 parts
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
