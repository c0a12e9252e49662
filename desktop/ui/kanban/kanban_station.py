"""Kanban: the scan station tab, where a line empties a container or receiving posts a full one by
scanning its card (and names the lot of a tracked part's container when asked).

One tab per module, as the Cycle counts page (`ui/counts`); the page itself is `kanban_page`.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import QButtonGroup, QFormLayout, QLabel, QRadioButton, QVBoxLayout, QWidget

from desktop.errors import UserError
from desktop.services import lots
from desktop.services.kanban import scanning
from desktop.services.kanban.loops import StationMode
from desktop.services.kanban.scanning import ScanOutcome
from desktop.services.topics import Topic
from desktop.ui.common import big_field, heading, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change
from desktop.ui.scanner import router


class ScanStation(QWidget):
    """Signals:
    scanned(ScanOutcome): a card changed state.

    A receiving scan of a tracked part's card is refused by the service until it names the container's
    lot; the station then asks for it below the scan box (a lot label `LT-…`, the supplier's GS1-128 label,
    or the lot typed; the expiry when the label has none) and posts the card with it. Esc or another
    card's scan drops the question. An untracked card never sees it.
    """

    scanned = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.line = QRadioButton("Line: containers emptied (F, I → Empty)")
        self.receiving = QRadioButton("Receiving: full containers arrived (posts them into stock)")
        self.line.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.line)
        group.addButton(self.receiving)
        self.scan_box = big_field("scan a kanban card (K-…)")
        self.banner = FeedbackBanner()
        self.last = QLabel("")
        self.lot_box = QWidget()  # shown only while a tracked card waits for its lot
        self.lot_edit = big_field("scan the lot label (LT-…) or the supplier's label, or type the lot")
        self.expiry_edit = big_field("expiry YYYY-MM-DD, if the label has none (else the shelf life)")
        lot_form = QFormLayout(self.lot_box)
        lot_form.addRow("Lot", self.lot_edit)
        lot_form.addRow("Expiry", self.expiry_edit)
        self.lot_box.hide()
        self.waiting: str | None = None  # the card whose lot is asked for
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Kanban scan station"))
        layout.addWidget(self.line)
        layout.addWidget(self.receiving)
        layout.addWidget(self.scan_box)
        layout.addWidget(self.lot_box)
        layout.addWidget(self.banner)
        layout.addWidget(self.last)
        layout.addStretch(1)
        self.scan_box.returnPressed.connect(self.scan)
        self.lot_edit.returnPressed.connect(self.lot_entered)
        self.expiry_edit.returnPressed.connect(self.lot_entered)
        self.receiving.toggled.connect(lambda _on: self._forget_lot())

    def mode(self) -> StationMode:
        return StationMode.RECEIVING if self.receiving.isChecked() else StationMode.LINE

    def handle_scan(self, code: str) -> bool:
        """Every scan at the station is meant for it: a card moves on, a lot label answers the lot asked
        for, any other label is refused here instead of taking the keeper away from the station."""
        if not self.isVisible():
            return False
        if code.startswith("K-"):
            self.scan_box.setText(code)
            self.scan()
        elif self.waiting is not None and code.startswith(lots.LOT_PREFIX):
            self.lot_edit.setText(code)
            self.lot_entered()
        elif self.waiting is not None:
            self._refused(UserError(f"{code} is not a lot label: scan the lot of card {self.waiting}."))
        else:
            self.scan_box.setText(code)
            self._refused(UserError(f"{code} is not a kanban card: scan the card (K-…)."))
        return True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.scan_box.setFocus()  # the station is for scanning: the cursor waits in its field
        self.scan_box.selectAll()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.waiting is not None:
            self._forget_lot()
            self.banner.warn("Lot not given: the card was not received.")
            return
        super().keyPressEvent(event)

    @Slot()
    def scan(self) -> None:
        code = self.scan_box.text()
        if not code.strip():
            return
        self._forget_lot()  # a card scanned while a lot was asked for another one: that one waits no more
        self._post(code, None, None)

    @Slot()
    def lot_entered(self) -> None:
        """Enter in Lot or Expiry (or a lot label scanned): the waiting card with this lot."""
        card, lot = self.waiting, self.lot_edit.text().strip()
        if card is None:
            return
        if not lot:
            self.lot_edit.setFocus()
            return
        text = self.expiry_edit.text().strip()
        try:
            expiry = date.fromisoformat(text) if text else None
        except ValueError:
            self._refused(UserError(f"Write the expiry as YYYY-MM-DD ({text}).", field="expires_on"))
            return
        self._post(card, lot, expiry)

    def _post(self, code: str, lot: str | None, expiry: date | None) -> None:
        mode = self.mode()
        # The next scan waits for this card's answer: a lot label scanned right after a card that
        # needs one reaches the lot question instead of being refused as "not a kanban card".
        hold = router().hold()

        def refused(exc: BaseException) -> None:
            if not isinstance(exc, UserError):  # the crash dialog takes the keyboard: nothing typed ahead
                hold.release(keep_keys=False)
            self._refused(exc, code if lot is None else None)

        change(
            self.ctx,
            lambda: scanning.scan(self.ctx.db, self.ctx.actor, code, mode, lot=lot, expires_on=expiry),
            hold.then(self._done),
            topics=(Topic.STOCK, Topic.KANBAN),
            failed=hold.then(refused),
        )

    def _done(self, outcome: ScanOutcome) -> None:
        self._forget_lot()
        self.banner.ok(outcome.message)
        self.last.setText(
            f"{outcome.loop.part_number} — {outcome.loop.description}: "
            f"{outcome.before.lower()} → {outcome.after.lower()}"
        )
        self.scan_box.setFocus()
        self.scan_box.selectAll()
        self.scanned.emit(outcome)

    def _refused(self, exc: BaseException, asked: str | None = None) -> None:
        """`asked`: the card scanned without a lot; the service's wish for one (field "lot") opens the
        question instead of an error."""
        if not isinstance(exc, UserError):
            show_error(self, exc)
        elif asked is not None and exc.field == "lot" and self.mode() is StationMode.RECEIVING:
            self._ask_lot(asked.strip().upper(), exc.message)
            return
        else:
            self.banner.error(exc.message)
        field = (
            self.expiry_edit if isinstance(exc, UserError) and exc.field == "expires_on" else self.lot_edit
        )
        target = field if self.waiting is not None else self.scan_box
        target.setFocus()
        target.selectAll()

    def _ask_lot(self, card: str, message: str) -> None:
        self.waiting = card
        self.lot_edit.clear()
        self.expiry_edit.clear()
        self.lot_box.show()
        self.banner.warn(
            f"{message} Card {card} waits for its lot: scan or type it, then Enter (Esc: cancel)."
        )
        self.lot_edit.setFocus()

    def _forget_lot(self) -> None:
        if self.waiting is None:
            return
        self.waiting = None
        self.lot_box.hide()
        self.scan_box.setFocus()
        self.scan_box.selectAll()
