"""The UI suite's proof that no database work runs on the GUI thread: the runner it uses, and the guard."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from desktop.services.io.tabular import read_table
from desktop.tasks import SyncRunner, TaskRunner, WorkerSyncRunner
from desktop.ui import operation
from desktop.ui.catalogue.parts_model import PartsTableModel
from desktop.ui.context import AppContext
from desktop.ui.io.table_export import TableExport
from tests.factories import make_part
from tests.ui.gui_thread_guard import UI_DIR, GuiThreadGuard, WriteGuard


def _raise(exc: BaseException) -> None:
    raise exc


def test_worker_sync_runner_works_elsewhere_and_delivers_before_returning() -> None:
    threads: list[threading.Thread] = []
    got: list[object] = []
    runner = WorkerSyncRunner(got.append)

    def work() -> int:
        threads.append(threading.current_thread())
        runner.run(lambda: threads.append(threading.current_thread()), lambda _r: None)  # work queues work
        return 42

    runner.run(work, lambda result: got.append((result, threading.current_thread())))
    assert got == [(42, threading.main_thread())]  # delivered on the caller's thread, already
    assert threads[0] is not threading.main_thread() and threads[1] is threads[0]
    runner.run(lambda: 1 / 0, got.append)
    assert isinstance(got[-1], ZeroDivisionError)  # errors reach the handler the same way


def _parts_view(qtbot: QtBot, model: PartsTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    qtbot.addWidget(view)
    view.show()
    return view


def test_the_guard_catches_ui_code_that_reads_on_the_gui_thread(
    qtbot: QtBot, ctx: AppContext, _no_database_on_gui_thread: GuiThreadGuard
) -> None:
    guard = _no_database_on_gui_thread
    make_part(ctx.db, ctx.actor, "P-1")  # a test body writing directly is not UI code
    model = PartsTableModel(ctx.db, WorkerSyncRunner(_raise))
    view = _parts_view(qtbot, model)  # a window is up
    model.search("")
    assert model.data(model.index(0, 0)) == "P-1" and not guard.offences
    # the same list on a runner that works on the calling thread: the row fetch is caught
    model = PartsTableModel(ctx.db, SyncRunner(_raise))
    view.setModel(model)
    model.search("")
    assert model.data(model.index(0, 0)) == "P-1"
    assert any(caller.startswith("parts_model.py") for caller in guard.offences)
    guard.offences.clear()  # caught, as it should be: this test passes


def test_the_write_guard_catches_a_screen_writing_past_operation_change(
    ctx: AppContext, _writes_through_operation_change: WriteGuard
) -> None:
    guard = _writes_through_operation_change
    # a function whose code lives under desktop/ui, as a page's would
    scope: dict[str, object] = {"make_part": make_part}
    exec(compile("def save(db, actor, n): make_part(db, actor, n)", f"{UI_DIR}/some_page.py", "exec"), scope)
    save = scope["save"]
    assert callable(save)
    operation.change(ctx, lambda: save(ctx.db, ctx.actor, "P-1"), topics=())
    assert not guard.offences  # through the helper: fine
    ctx.runner.run(lambda: save(ctx.db, ctx.actor, "P-2"), lambda _r: None)
    assert [c.split(":")[0] for c in guard.offences] == ["some_page.py"]
    assert all(sql.startswith("INSERT") for sql in guard.offences.values())
    guard.offences.clear()  # caught, as it should be: this test passes


def test_parts_rows_arrive_from_the_background_and_all_of_them_are_exported(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    for n in range(450):  # three blocks of 200
        make_part(ctx.db, ctx.actor, f"P-{n:03}")
    runner = TaskRunner(_raise)
    try:
        model = PartsTableModel(ctx.db, runner)
        view = _parts_view(qtbot, model)
        with qtbot.waitSignal(model.loaded):
            model.search("")
        assert model.data(model.index(0, 0)) is None  # not fetched yet: blank, not a frozen window
        with qtbot.waitSignal(model.dataChanged):
            pass
        assert model.data(model.index(0, 0)) == "P-000"
        export = TableExport(ctx, view, "parts")
        with qtbot.waitSignal(export.exported, timeout=20_000):
            export.export_to(tmp_path / "parts.csv")
        assert [r[0] for r in read_table(tmp_path / "parts.csv").rows] == [f"P-{n:03}" for n in range(450)]
    finally:
        runner.shutdown()
