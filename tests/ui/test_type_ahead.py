"""Type-ahead: the keeper scans, then types the quantity at once, while the database is slow to answer.

Here the work runs on the app's real background runner and every code lookup takes 300 ms (a busy
PostgreSQL server across the plant's network), so the keys arrive before the answer that moves the
cursor. They must wait and go where the cursor goes: the quantity into Quantity, the lot label to the
lot question. A wrong scan drops what was typed after it, so no quantity lands in Part as a code.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import cast

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.db import Database
from desktop.models import CountLine, StockMove
from desktop.models.enums import MoveKind
from desktop.services import lots
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.catalogue import scan as scan_service
from desktop.services.catalogue.suppliers import PartSupplierInput, get_supplier_id
from desktop.services.counts import sessions as counts
from desktop.services.kanban import loops as kb
from desktop.services.kanban import scanning
from desktop.services.kanban.loops import CardStatus, LoopInput, LoopKind, StationMode
from desktop.services.lots import TrackingInput
from desktop.services.stock import moves as stock
from desktop.tasks import TaskRunner
from desktop.ui.context import AppContext, AppEvents
from desktop.ui.counts.counts_page import CountsPage
from desktop.ui.main_window import MainWindow
from desktop.ui.purchasing.purchasing_page import PurchasingPage
from desktop.ui.scanner import MAX_HOLD_MS, router
from tests.factories import make_part, make_tree, receive
from tests.ui.conftest import shown_window
from tests.ui.keys import focused, scan, type_text

SLOW_S = 0.3


def _raise(exc: BaseException) -> None:
    raise exc


@pytest.fixture
def slow_lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every code lookup takes SLOW_S on the worker; the codes looked up, in order."""
    asked: list[str] = []
    real = scan_service.resolve

    def slow(db: Database, raw: str) -> scan_service.ScanResult:
        asked.append(raw)
        time.sleep(SLOW_S)
        return real(db, raw)

    monkeypatch.setattr(scan_service, "resolve", slow)
    return asked


@pytest.fixture
def async_window(qtbot: QtBot, sqlite_db: Database, actor: Actor) -> Iterator[MainWindow]:
    runner = TaskRunner(_raise)
    yield from shown_window(qtbot, AppContext(sqlite_db, actor, runner, AppEvents()))
    runner.shutdown()


def _idle(qtbot: QtBot, window: MainWindow) -> None:
    runner = window.ctx.runner
    assert isinstance(runner, TaskRunner)
    qtbot.waitUntil(lambda: runner._pending == 0, timeout=10_000)


def _counted(db: Database, session_id: int) -> list[Decimal]:
    """The quantities counted so far in the session, smallest first."""
    rows = db.read(
        lambda s: list(s.scalars(select(CountLine.counted_qty).where(CountLine.session_id == session_id)))
    )
    return sorted(q for q in rows if q is not None)


def test_a_quantity_typed_right_after_the_part_scan_is_counted(
    qtbot: QtBot, async_window: MainWindow, actor: Actor, slow_lookups: list[str]
) -> None:
    db = async_window.ctx.db
    tree = make_tree(db, actor)
    part = make_part(db, actor, "BOLT")
    receive(db, actor, part.id, tree["A-01-01"].id, "105")
    nut = make_part(db, actor, "NUT")
    receive(db, actor, nut.id, tree["A-01-01"].id, "345")
    sid = counts.start_session(db, actor, "Count A-01-01", [tree["A-01-01"].id], blind=True)
    async_window.scan_box.setFocus()
    qtbot.waitUntil(lambda: focused() is async_window.scan_box)
    scan(qtbot, f"CS-{sid}")
    page = cast(CountsPage, async_window.pages["Cycle counts"])
    qtbot.waitUntil(lambda: focused() is page.bin_edit)
    _idle(qtbot, async_window)

    scan(qtbot, "L-A-01-01")  # the scanner, and at once the next label and the count, before any answer
    scan(qtbot, "P-BOLT")
    type_text(qtbot, "105", enter=True)
    assert page.qty_edit.text() == ""  # still waiting: nothing was typed anywhere yet
    qtbot.waitUntil(lambda: "BOLT in A-01-01: 105 EA counted" in page.banner.text(), timeout=10_000)
    _idle(qtbot, async_window)
    assert _counted(db, sid) == [Decimal(105)]
    assert slow_lookups == ["L-A-01-01", "P-BOLT"]
    assert focused() is page.part_edit  # the same bin, next part

    # the answer comes between the digits: two waited, the last is live; all of them count
    scan(qtbot, "P-NUT")
    for digit in "34":
        type_text(qtbot, digit)
    qtbot.waitUntil(lambda: page.qty_edit.text() == "34", timeout=10_000)
    type_text(qtbot, "5", enter=True)
    qtbot.waitUntil(lambda: "NUT in A-01-01: 345 EA counted" in page.banner.text(), timeout=10_000)
    _idle(qtbot, async_window)
    assert _counted(db, sid) == [Decimal(105), Decimal(345)]

    # a wrong label, and the quantity typed at once: refused, and the quantity lands nowhere
    scan(qtbot, "P-NO-SUCH-PART")
    type_text(qtbot, "79", enter=True)
    qtbot.waitUntil(lambda: page.banner.kind == "error", timeout=10_000)
    _idle(qtbot, async_window)
    qtbot.wait(100)
    assert "P-NO-SUCH-PART" in page.banner.text()
    assert page.part_edit.text() == ""  # no "79" in Part
    assert focused() is page.part_edit
    assert page.qty_edit.text() == ""
    assert slow_lookups == ["L-A-01-01", "P-BOLT", "P-NUT", "P-NO-SUCH-PART"]  # "79" was not looked up
    assert _counted(db, sid) == [Decimal(105), Decimal(345)]
    scan(qtbot, "P-NO-SUCH-PART")  # again, and two digits with no Enter: neither lands anywhere
    for digit in "98":
        type_text(qtbot, digit)
    qtbot.waitUntil(lambda: slow_lookups[-1] == "P-NO-SUCH-PART" and len(slow_lookups) == 5, timeout=10_000)
    _idle(qtbot, async_window)
    qtbot.wait(200)
    assert (page.part_edit.text(), page.qty_edit.text()) == ("", "")

    # a wrong label, "9" typed, then at once the right label and its count: the "9" is dropped, the
    # right label and what follows it count (the keeper saw the red banner and scanned again)
    scan(qtbot, "P-NO-SUCH-PART")
    type_text(qtbot, "9")
    scan(qtbot, "P-BOLT")
    type_text(qtbot, "104", enter=True)
    qtbot.waitUntil(lambda: "BOLT in A-01-01: 104 EA" in page.banner.text(), timeout=10_000)
    _idle(qtbot, async_window)
    assert slow_lookups[-2:] == ["P-NO-SUCH-PART", "P-BOLT"]


def test_a_receipt_typed_ahead_of_the_lookups_posts_its_quantity(
    qtbot: QtBot, async_window: MainWindow, actor: Actor, slow_lookups: list[str]
) -> None:
    db = async_window.ctx.db
    tree = make_tree(db, actor)
    part = make_part(db, actor, "BOLT")
    dialog = async_window.open_move(MoveKind.RECEIPT)
    qtbot.waitUntil(lambda: focused().window() is dialog)
    scan(qtbot, "L-A-01-02")
    scan(qtbot, "P-BOLT")
    type_text(qtbot, "12", enter=True)
    qtbot.waitUntil(lambda: stock.balance(db, part.id, tree["A-01-02"].id) == 12, timeout=10_000)
    assert slow_lookups == ["L-A-01-02", "P-BOLT"]
    moves = db.read(lambda s: s.scalar(select(func.count()).select_from(StockMove)))
    assert moves == 1


def test_a_lot_label_scanned_right_after_its_card_answers_the_lot_question(
    qtbot: QtBot, async_window: MainWindow, actor: Actor
) -> None:
    db = async_window.ctx.db
    tree = make_tree(db, actor)
    grease = make_part(db, actor, "GREASE-EP2", suppliers=(PartSupplierInput("Lubes & Co"),))
    lots.set_tracking(db, actor, grease.id, TrackingInput("LOT", 365))
    loop = kb.create_loop(
        db, actor, LoopInput(grease.id, LoopKind.PURCHASE, tree["A-01-02"].id, Decimal(12), 1)
    )
    card = kb.cards(db, loop.id)[0]
    scanning.scan(db, actor, card.code, StationMode.LINE)
    scanning.mark(db, actor, [card.id], CardStatus.ORDERED)
    real = scanning.scan

    def slow(*args: object, **kwargs: object) -> object:
        time.sleep(SLOW_S)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    async_window.go_to("Kanban")
    station = async_window.pages["Kanban"].station  # type: ignore[attr-defined]
    station.receiving.setChecked(True)
    station.scan_box.setFocus()
    qtbot.waitUntil(lambda: focused() is station.scan_box)
    _idle(qtbot, async_window)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scanning, "scan", slow)
        scan(qtbot, card.code)  # the card, then at once the supplier's GS1-128 label of its lot
        scan(qtbot, "(01)04012345678901(17)270331(10)HEAT-4711")
        qtbot.waitUntil(lambda: station.banner.kind == "ok", timeout=10_000)
        _idle(qtbot, async_window)
    assert "lot HEAT-4711" in station.banner.text() and "full" in station.banner.text()
    assert lots.trace(db, "HEAT-4711").lot.part_id == grease.id
    assert not station.lot_box.isVisible() and focused() is station.scan_box


def test_keys_never_wait_longer_than_the_longest_hold(qtbot: QtBot) -> None:
    """A lookup whose answer never comes (its window closed meanwhile) cannot swallow the keyboard."""
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    edit.setFocus()
    qtbot.waitUntil(lambda: focused() is edit)
    router().hold()  # never released
    type_text(qtbot, "42")
    assert edit.text() == ""
    qtbot.waitUntil(lambda: edit.text() == "42", timeout=MAX_HOLD_MS + 2000)
    type_text(qtbot, "7")  # and the keyboard is live again
    assert edit.text() == "427"


def test_a_deliverys_first_label_scanned_right_after_its_order_is_received_on_it(
    qtbot: QtBot, async_window: MainWindow, actor: Actor, slow_lookups: list[str]
) -> None:
    db = async_window.ctx.db
    tree = make_tree(db, actor)
    part = make_part(db, actor, suppliers=(PartSupplierInput("SKF", "SKF-6205"),))
    receive(db, actor, part.id, tree["A-01-02"].id, "1")  # its usual bin
    skf = get_supplier_id(db, "SKF")
    order = po.send_order(db, actor, po.create_order(db, actor, skf, [po.LineInput(part.id, Decimal(5))]).id)
    async_window.scan_box.setFocus()
    qtbot.waitUntil(lambda: focused() is async_window.scan_box)
    scan(qtbot, order.number)  # the order's barcode, then at once the supplier's label and the quantity
    scan(qtbot, "SKF-6205")
    type_text(qtbot, "3", enter=True)
    page = cast(PurchasingPage, async_window.pages["Purchasing"])
    qtbot.waitUntil(lambda: "Receipt 3 EA of 6205-2RS" in page.banner.text(), timeout=10_000)
    _idle(qtbot, async_window)
    assert slow_lookups == [order.number]  # the label went to the order's Part field, not the scan box
    assert stock.balance(db, part.id, tree["A-01-02"].id) == 4
    assert async_window.stack.currentWidget() is page
