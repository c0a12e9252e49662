"""The Repairables tab: units by serial number, their state and history."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import NotFound, UserError
from desktop.models.enums import SerialState
from desktop.services import mro
from desktop.services.actor import Permission
from desktop.services.catalogue import scan
from desktop.services.mro import (
    SerialDTO,
    SerialEventDTO,
)
from desktop.services.topics import Topic
from desktop.ui.common import big_field, fill_table, read_only_table, selected_key
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change
from desktop.ui.scanner import takes_scans


class SerialsTab(QWidget):
    """Repairable units of one part: their state, where they are, and each unit's history."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.part_id: int | None = None
        self.banner = FeedbackBanner()
        self.part_edit = big_field("scan the part label (P-…) or type the part number, Enter")
        self.units = read_only_table(["Serial", "State", "Asset", "Bin", "Reference"])
        self.history = read_only_table(["When", "From", "To", "Asset", "Bin", "Reference", "Note", "By"])
        self.new_serial = QLineEdit()
        self.new_serial.setPlaceholderText("new serial number, Enter")
        self.state = QComboBox()
        self.state.addItems([s.value for s in SerialState])
        self.asset_edit = QLineEdit()
        self.asset_edit.setPlaceholderText("asset tag (for ISSUED)")
        self.bin_edit = QLineEdit()
        self.bin_edit.setPlaceholderText("bin (for AVAILABLE)")
        self.ref_edit = QLineEdit()
        self.ref_edit.setPlaceholderText("work order / repair order")
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("note (required to scrap)")
        self.change_button = QPushButton("Change state")
        can = ctx.actor.can(Permission.MOVE_STOCK)
        self.change_button.setEnabled(can)
        self.new_serial.setEnabled(can)
        form = QFormLayout()
        form.addRow("Register serial", self.new_serial)
        change = QHBoxLayout()
        for w in (
            self.state,
            self.asset_edit,
            self.bin_edit,
            self.ref_edit,
            self.note_edit,
            self.change_button,
        ):
            change.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.part_edit)
        layout.addWidget(self.units, 2)
        layout.addLayout(form)
        layout.addLayout(change)
        layout.addWidget(QLabel("History of the selected unit"))
        layout.addWidget(self.history, 1)
        self.part_edit.returnPressed.connect(self.load_part)
        self.new_serial.returnPressed.connect(self.add_serial)
        takes_scans(self.part_edit, self.new_serial, self.asset_edit, self.bin_edit)
        self.change_button.clicked.connect(self.change_state)
        self.units.itemSelectionChanged.connect(self._unit_selected)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.banner.error(exc.message)
        else:
            raise exc

    @Slot()
    def load_part(self) -> None:
        code, db = self.part_edit.text(), self.ctx.db

        def work() -> tuple[int, list[SerialDTO]]:
            found = scan.resolve(db, code)
            if found.part is None:
                raise NotFound(found.message or f"{found.code} is not a part.")
            return found.part.id, mro.serials(db, part_id=found.part.id)

        self.ctx.runner.run(work, self._loaded, self._failed)

    def _loaded(self, result: tuple[int, list[SerialDTO]]) -> None:
        self.part_id, rows = result
        self.units.clearSelection()  # the rows are new: a pick must be made (and its history shown) again
        fill_table(
            self.units,
            [(u.serial, u.state, u.asset_code or "", u.location_code or "", u.reference or "") for u in rows],
            keys=[u.id for u in rows],
        )
        self.history.setRowCount(0)

    def _reload(self, message: str) -> None:
        self.banner.ok(message)
        self.reload()

    def reload(self) -> None:
        part_id, db = self.part_id, self.ctx.db
        if part_id is not None:
            self.ctx.runner.run(lambda: (part_id, mro.serials(db, part_id=part_id)), self._loaded)

    @Slot()
    def add_serial(self) -> None:
        if self.part_id is None:
            self.banner.error("Scan the part first.")
            return
        part_id, serial = self.part_id, self.new_serial.text()
        change(
            self.ctx,
            lambda: mro.add_serial(self.ctx.db, self.ctx.actor, part_id, serial),
            self._added,
            topics=(Topic.MRO,),
            failed=self._failed,
        )

    def _added(self, unit: SerialDTO) -> None:
        self.new_serial.clear()
        self._reload(f"Registered serial {unit.serial}.")

    @Slot()
    def change_state(self) -> None:
        key = selected_key(self.units)
        if key is None:
            self.banner.error("Pick a unit first.")
            return
        unit_id, state = int(key), self.state.currentText()  # type: ignore[call-overload]
        asset_code, bin_code = self.asset_edit.text().strip(), self.bin_edit.text().strip()
        ref, note = self.ref_edit.text(), self.note_edit.text()
        db, actor = self.ctx.db, self.ctx.actor

        def work() -> SerialDTO:
            asset_id = mro.get_asset(db, asset_code).id if asset_code else None
            location_id = None
            if bin_code:
                found = scan.resolve(db, bin_code)
                if found.location is None:
                    raise NotFound(found.message or f"{found.code} is not a location.")
                location_id = found.location.location.id
            return mro.change_serial(
                db,
                actor,
                unit_id,
                state,
                asset_id=asset_id,
                location_id=location_id,
                reference=ref,
                note=note,
            )

        change(
            self.ctx,
            work,
            lambda u: self._reload(f"Serial {u.serial} is now {u.state}."),
            topics=(Topic.MRO,),
            failed=self._failed,
        )

    @Slot()
    def _unit_selected(self) -> None:
        key = selected_key(self.units)
        if key is not None:
            unit_id = int(key)  # type: ignore[call-overload]
            self.ctx.runner.run(lambda: mro.serial_history(self.ctx.db, unit_id), self._history_loaded)

    def _history_loaded(self, events: list[SerialEventDTO]) -> None:
        fill_table(
            self.history,
            [
                (
                    e.at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    e.from_state or "",
                    e.to_state,
                    e.asset_code or "",
                    e.location_code or "",
                    e.reference or "",
                    e.note or "",
                    e.user_name,
                )
                for e in events
            ],
        )
