"""Changing a line of a draft purchase order: packs, price per pack and needed-by date. Enter in any
field saves; the dialog stays open on a refusal with the field at fault selected."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.errors import UserError
from desktop.quantities import format_qty, parse_decimal
from desktop.services.purchasing import LineChange, LineDTO
from desktop.ui.common import action_row
from desktop.ui.feedback import FeedbackBanner


def _day(text: str) -> date | None:
    if not text.strip():
        return None  # no needed-by date
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"'{text.strip()}' is not a date: write it as 2027-01-31.", field="needed_by"
        ) from None


class LineEditDialog(QDialog):
    """Signals:
    submitted(object): the LineChange typed (the page saves it and closes the dialog, or calls `failed`).
    """

    submitted = Signal(object)

    def __init__(self, number: str, line: LineDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = line
        self.setWindowTitle(f"{number} line {line.line_no}")
        self.banner = FeedbackBanner()
        pack = f"packs of {format_qty(line.pack_size)} {line.unit}" if line.pack_size != 1 else line.unit
        what = QLabel(f"<b>{line.part_number}</b> {line.description} — in {pack}")
        what.setTextFormat(Qt.TextFormat.RichText)
        what.setWordWrap(True)
        self.packs = QLineEdit(format_qty(line.packs))
        self.price = QLineEdit("" if line.unit_price is None else f"{line.unit_price:.2f}")
        self.needed_by = QLineEdit(line.needed_by.isoformat() if line.needed_by else "")
        self.needed_by.setPlaceholderText("YYYY-MM-DD (empty: none)")
        form = QFormLayout()
        form.addRow("Packs", self.packs)
        form.addRow("Price / pack", self.price)
        form.addRow("Needed by", self.needed_by)
        buttons, self.save_button, close = action_row("Save line")
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        for field in (self.packs, self.price, self.needed_by):
            field.returnPressed.connect(self.submit)
        self.save_button.clicked.connect(self.submit)
        close.clicked.connect(self.reject)
        self.packs.setFocus()
        self.packs.selectAll()  # typing replaces the quantity

    @Slot()
    def submit(self) -> None:
        try:
            change = LineChange(
                parse_decimal(self.packs.text(), what="quantity"),
                parse_decimal(self.price.text() or "0", what="price", allow_zero=True),
                _day(self.needed_by.text()),
            )
        except UserError as exc:
            self.failed(exc)
            return
        self.submitted.emit(change)

    def failed(self, exc: UserError) -> None:
        self.banner.error(exc.message)
        field = {"qty": self.packs, "quantity": self.packs, "price": self.price, "needed_by": self.needed_by}
        widget = field.get(exc.field or "", self.packs)
        widget.setFocus()
        widget.selectAll()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return  # Enter belongs to the fields (each saves)
        super().keyPressEvent(event)
