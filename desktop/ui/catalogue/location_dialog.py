"""Create or edit a location in the tree."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import LocationLevel, LocationType
from desktop.services.catalogue import locations
from desktop.services.catalogue.locations import LocationDTO, LocationInput
from desktop.ui.common import show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner

_NEXT_LEVEL = {"SITE": "AREA", "AREA": "RACK", "RACK": "BIN", "BIN": "BIN"}


class LocationDialog(QDialog):
    """Signals:
    saved(LocationDTO)
    """

    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        *,
        location: LocationDTO | None = None,
        parent_location: LocationDTO | None = None,
        parent_codes: list[str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.location = location
        self.setWindowTitle(f"Edit location {location.code}" if location else "New location")
        self.banner = FeedbackBanner()
        self.code = QLineEdit()
        self.code.setPlaceholderText("A-Z, 0-9 and '-', e.g. A-01-03")
        self.name = QLineEdit()
        self.level = QComboBox()
        self.level.addItems([x.value for x in LocationLevel])
        self.type = QComboBox()
        for t in LocationType:
            self.type.addItem(t.value.replace("_", " ").capitalize(), t.value)
        self.parent_code = QComboBox()
        self.parent_code.setEditable(True)
        self.parent_code.addItem("")
        self.parent_code.addItems(parent_codes or [])
        self.walk = QSpinBox()
        self.walk.setRange(0, 10_000_000)
        self.walk.setSingleStep(10)
        self.allow_negative = QCheckBox("Allow negative stock here (e.g. a line-side backflush location)")
        self.active = QCheckBox("Active")
        self.active.setChecked(True)
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(50)
        self.fields: dict[str, QWidget] = {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "type": self.type,
            "parent": self.parent_code,
            "walk_order": self.walk,
            "active": self.active,
        }
        form = QFormLayout()
        form.addRow("Code *", self.code)
        form.addRow("Name", self.name)
        form.addRow("Inside", self.parent_code)
        form.addRow("Level", self.level)
        form.addRow("Type", self.type)
        form.addRow("Walk order", self.walk)
        form.addRow("", self.allow_negative)
        form.addRow("", self.active)
        form.addRow("Notes", self.notes)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        if location is not None:
            self._load(location, parent_codes or [])
        elif parent_location is not None:
            self.parent_code.setCurrentText(parent_location.code)
            self.level.setCurrentText(_NEXT_LEVEL[parent_location.level])
            self.type.setCurrentIndex(self.type.findData(parent_location.type))
        else:
            self.level.setCurrentText("SITE")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

    def _load(self, loc: LocationDTO, parent_codes: list[str]) -> None:
        self.code.setText(loc.code)
        self.name.setText(loc.name)
        parent_path = loc.path.strip("/").split("/")
        self.parent_code.setCurrentText(parent_path[-2] if len(parent_path) > 1 else "")
        self.level.setCurrentText(loc.level)
        self.type.setCurrentIndex(self.type.findData(loc.type))
        self.walk.setValue(loc.walk_order)
        self.allow_negative.setChecked(loc.allow_negative)
        self.active.setChecked(loc.active)
        self.notes.setPlainText(loc.notes or "")

    def form_input(self) -> LocationInput:
        return LocationInput(
            self.code.text(),
            self.name.text(),
            self.level.currentText(),
            str(self.type.currentData()),
            self.parent_code.currentText() or None,
            self.walk.value(),
            self.allow_negative.isChecked(),
            self.notes.toPlainText(),
            self.active.isChecked(),
        )

    @Slot()
    def save(self) -> None:
        data = self.form_input()
        if self.location is None:
            self.ctx.runner.run(
                lambda: locations.create_location(self.ctx.db, self.ctx.actor, data),
                self._saved,
                self._failed,
            )
        else:
            loc_id = self.location.id
            self.ctx.runner.run(
                lambda: locations.update_location(self.ctx.db, self.ctx.actor, loc_id, data),
                self._saved,
                self._failed,
            )

    def _saved(self, loc: LocationDTO) -> None:
        self.location = loc
        self.saved.emit(loc)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        show_failure(self, self.banner, self.fields, exc)
