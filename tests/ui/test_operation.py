"""The one way a screen changes data (`desktop/ui/operation.change`): the screen's follow-up, then the
topics; a window closed meanwhile misses its follow-up but the other pages still hear of the change; a
failure announces nothing."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop.errors import UserError
from desktop.services.topics import Topic
from desktop.ui.context import AppContext
from desktop.ui.operation import change


def test_the_follow_up_runs_before_the_pages_hear_of_the_change(qtbot: QtBot, ctx: AppContext) -> None:
    said: list[object] = []
    ctx.events.data_changed.connect(lambda what: said.append(what))
    change(ctx, lambda: 7, lambda n: said.append(n), topics=(Topic.STOCK, Topic.KANBAN))
    assert said == [7, frozenset({Topic.STOCK, Topic.KANBAN})]


def test_a_closed_window_misses_its_follow_up_but_the_change_is_still_announced(
    qtbot: QtBot, ctx: AppContext
) -> None:
    label = QLabel()
    follow_up = label.setText  # the dialog's own method
    shiboken6.delete(label)  # its window closed before the work came back
    heard: list[object] = []
    ctx.events.data_changed.connect(heard.append)
    change(ctx, lambda: "saved", follow_up, topics=(Topic.PARTS,))  # a dead widget's call would raise
    assert heard == [frozenset({Topic.PARTS})]


def test_a_failure_goes_to_its_handler_and_announces_nothing(qtbot: QtBot, ctx: AppContext) -> None:
    heard: list[object] = []
    failed: list[BaseException] = []
    ctx.events.data_changed.connect(heard.append)

    def work() -> None:
        raise UserError("Only 2 EA free.")

    change(ctx, work, topics=(Topic.STOCK,), failed=failed.append)
    assert [str(e) for e in failed] == ["Only 2 EA free."] and heard == []


def test_topics_from_the_result_say_nothing_when_the_write_found_nothing_to_do(
    qtbot: QtBot, ctx: AppContext
) -> None:
    heard: list[object] = []
    ctx.events.data_changed.connect(heard.append)

    def said(moved: list[str]) -> tuple[Topic, ...]:
        return (Topic.STOCK,) if moved else ()

    change(ctx, list[str], topics=said)  # nothing moved
    change(ctx, lambda: ["lot"], topics=said)
    assert heard == [frozenset({Topic.STOCK})]
