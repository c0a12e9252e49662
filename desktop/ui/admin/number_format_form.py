"""Settings > Numbers on this PC: the decimal mark typed quantities and costs use. By default the PC's
locale's (Windows regional settings); a PC set up in one language for a plant in another can override it.
Saved in this PC's settings file, effective at once."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QWidget

from desktop import config
from desktop.errors import UserError
from desktop.quantities import decimal_mark, set_decimal_mark
from desktop.ui.common import show_error
from desktop.ui.feedback import FeedbackBanner


class NumberFormatForm(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Numbers typed on this PC", parent)
        self.mark = QComboBox()
        set_decimal_mark(None)
        self.mark.addItem(f"as this PC's language and region ('{decimal_mark()}')", None)
        self.mark.addItem("point: 2.125 is two and an eighth", ".")
        self.mark.addItem("comma: 2,125 is two and an eighth", ",")
        self.banner = FeedbackBanner()
        chosen = config.AppConfig.current().decimal_mark
        set_decimal_mark(chosen)
        self.mark.setCurrentIndex(self.mark.findData(chosen) if chosen else 0)
        form = QFormLayout(self)
        form.addRow("Decimal mark", self.mark)
        form.addRow(self.banner)
        self.mark.currentIndexChanged.connect(self.save)

    @Slot()
    def save(self) -> None:
        chosen = self.mark.currentData()
        try:
            cfg = config.AppConfig.current()
            cfg.decimal_mark = chosen
            cfg.save()
        except UserError as exc:
            show_error(self, exc)
            return
        set_decimal_mark(chosen)
        self.banner.ok(f"Quantities and costs typed on this PC use '{decimal_mark()}' as the decimal mark.")
