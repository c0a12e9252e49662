"""Search as you type over many parts: a short search lists its first page and the count at once,
and scrolling to the end of the list brings every other match."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.services.catalogue import parts_list
from desktop.services.topics import Topic
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from tests.ui.keys import focus, press, type_in
from tests.ui.test_parts_and_locations import bulk_parts


def _search(qtbot: QtBot, window: MainWindow, ctx: AppContext, text: str) -> None:
    bulk_parts(ctx.db, 600)  # every description has "size"; part numbers PN-000000 ... PN-000599
    ctx.events.changed(Topic.PARTS)
    page = window.parts_page
    qtbot.waitUntil(lambda: page.count_label.text() != "")
    type_in(qtbot, page.search, text)
    qtbot.waitUntil(lambda: page.model.text == text, timeout=2000)


def test_a_short_search_lists_one_page_and_scrolling_reaches_every_match(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    _search(qtbot, window, ctx, "si")
    page = window.parts_page
    assert page.model.rowCount() == parts_list.SEARCH_PAGE
    assert page.count_label.text() == "600 parts"  # the sample covered every id: an exact count
    assert page.model.data(page.model.index(0, 0)) == "PN-000000"
    focus(qtbot, page.table)
    press(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)  # to the end of the first page
    qtbot.waitUntil(lambda: page.model.rowCount() == 600, timeout=2000)
    press(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)  # and on to the last match
    assert page.table.currentIndex().row() == 599
    assert page.model.data(page.table.currentIndex().siblingAtColumn(0)) == "PN-000599"
    assert page.count_label.text() == "600 parts"


def test_the_count_of_a_sampled_search_says_about(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parts_list, "_SAMPLE_IDS", 40)  # the windows cover 160 of the 600 ids
    _search(qtbot, window, ctx, "si")
    page = window.parts_page
    assert page.model.rowCount() == parts_list.SEARCH_PAGE
    assert page.count_label.text() == "about 600 parts"
    focus(qtbot, page.table)
    press(qtbot, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.model.rowCount() == 600, timeout=2000)
    assert page.count_label.text() == "600 parts"  # every id is listed now: the count is exact


def test_a_rare_short_search_is_counted_exactly(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    _search(qtbot, window, ctx, "9 valve")  # valves whose number or size has a 9
    page = window.parts_page
    expected = parts_list.search_part_ids(ctx.db, "9 valve")
    assert 0 < len(expected) < parts_list.SEARCH_PAGE
    assert page.model.rowCount() == len(expected)
    assert page.count_label.text() == f"{len(expected)} parts"
    assert not page.model.canFetchMore()


def test_export_after_a_short_search_holds_every_match(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, tmp_path: Path
) -> None:
    _search(qtbot, window, ctx, "si")
    page = window.parts_page
    assert page.model.rowCount() == parts_list.SEARCH_PAGE
    out = tmp_path / "parts.csv"
    page.export_button.export_to(out)
    qtbot.waitUntil(out.exists, timeout=5000)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + 600 and lines[-1].startswith("PN-000599")


def test_an_estimate_is_rounded_to_two_significant_digits() -> None:
    """ "about 28,000 parts" for an estimate of 27,625, not "about 30,000" (it rounded to one digit)."""
    from desktop.ui.catalogue.parts_page import _about

    assert [_about(n) for n in (27_625, 36_137, 346, 100, 99, 7)] == [28_000, 36_000, 350, 100, 99, 7]
