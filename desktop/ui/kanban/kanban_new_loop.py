"""Kanban: the New kanban loop dialog (part, kind, line and supply locations, containers, cards, lead
time and safety factor); the codes are looked up with the save, on the worker.

Apart from the page (`kanban_page`); editing a loop and its sizing are in `kanban_loops`.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from desktop.errors import UserError
from desktop.services.catalogue import locations, parts
from desktop.services.kanban import loops as kb
from desktop.services.kanban.loops import LoopInput, LoopKind
from desktop.services.topics import Topic
from desktop.ui.common import action_row, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.kanban.kanban_loops import loop_figures
from desktop.ui.operation import change


class LoopDialog(QDialog):
    """Signals:
    saved(LoopDTO)
    """

    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("New kanban loop")
        self.banner = FeedbackBanner()
        self.part = QLineEdit()
        self.part.setPlaceholderText("part number")
        self.kind = QComboBox()
        for kind, text in (
            (LoopKind.PURCHASE, "Purchase (from the part's supplier)"),
            (LoopKind.TRANSFER, "Internal (from a storeroom location)"),
            (LoopKind.PRODUCTION, "Production"),
        ):
            self.kind.addItem(text, kind.value)
        self.consumption = QLineEdit()
        self.consumption.setPlaceholderText("line-side location code")
        self.supply = QLineEdit()
        self.supply.setPlaceholderText("storeroom location code (internal loops)")
        self.container = QLineEdit()
        self.cards = QSpinBox()
        self.cards.setRange(1, 200)
        self.cards.setValue(2)
        self.lead = QLineEdit("1")
        self.safety = QLineEdit("0.1")
        form = QFormLayout()
        for label, widget in (
            ("Part", self.part),
            ("Kind", self.kind),
            ("Consumption location", self.consumption),
            ("Supply location", self.supply),
            ("Container quantity", self.container),
            ("Cards", self.cards),
            ("Lead time (days)", self.lead),
            ("Safety factor", self.safety),
        ):
            form.addRow(label, widget)
        buttons, self.create_button, self.close_button = action_row("Create")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.create_button.clicked.connect(self.create_loop)
        self.close_button.clicked.connect(self.reject)

    @Slot()
    def create_loop(self) -> None:
        try:
            kind = LoopKind(self.kind.currentData())
            container, lead, safety = loop_figures(self.container, self.lead, self.safety)
        except UserError as exc:
            self.banner.error(exc.message)
            return
        part_number, consumption_code = self.part.text(), self.consumption.text()
        supply_code, card_count = self.supply.text(), self.cards.value()

        def create() -> kb.LoopDTO:  # the codes are looked up with the save, off the GUI thread
            db = self.ctx.db
            supply = locations.get_location_id(db, supply_code) if supply_code.strip() else None
            data = LoopInput(
                parts.get_part_id(db, part_number),
                kind,
                locations.get_location_id(db, consumption_code),
                container,
                card_count,
                lead,
                safety,
                supply_location_id=supply,
            )
            return kb.create_loop(db, self.ctx.actor, data)

        change(
            self.ctx,
            create,
            self._saved,
            topics=(Topic.KANBAN,),
            failed=lambda exc: (
                self.banner.error(exc.message) if isinstance(exc, UserError) else show_error(self, exc)
            ),
        )

    def _saved(self, loop: kb.LoopDTO) -> None:
        self.saved.emit(loop)
        self.accept()
