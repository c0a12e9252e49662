"""The Part tab: one part seen from maintenance (the assets it fits, cross-references, supersession,
open reservations)."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import NotFound, UserError
from desktop.quantities import format_qty
from desktop.services import mro
from desktop.services.actor import Permission
from desktop.services.catalogue import scan
from desktop.services.mro import (
    ReservationDTO,
)
from desktop.services.topics import Topic
from desktop.ui.common import big_field, fill_table, heading, permitted, read_only_table
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change
from desktop.ui.scanner import takes_scans


class PartTab(QWidget):
    """One part seen from maintenance: the assets it fits, its cross-references, what supersedes it
    (one click opens the newest part), and its open reservations.

    Signals:
    open_asset(int): a where-used row was double-clicked.
    """

    open_asset = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.refs: mro.PartRefs | None = None
        self.banner = FeedbackBanner()
        self.part_edit = big_field("scan the part label (P-…), part or manufacturer number, Enter")
        self.title = heading("")
        self.superseded = QLabel("")
        self.newest_button = QPushButton("Open the newest part")
        self.newest_button.setVisible(False)
        self.where_used = read_only_table(
            ["Asset", "Name", "Criticality", "Installed", "Rec. spares", "Used"], numeric=(3, 4), stretch=1
        )
        self.xrefs = read_only_table(["Kind", "Manufacturer", "Number / part", "Note"], stretch=3)
        self.reservations = read_only_table(["#", "Work order", "Asset", "Open", "Needed by"], numeric=(3,))
        self.xref_kind = QComboBox()
        self.xref_kind.addItems(["MANUFACTURER", "ALTERNATE", "SUPERSEDED_BY"])
        self.xref_maker = QLineEdit()
        self.xref_maker.setPlaceholderText("manufacturer")
        self.xref_value = QLineEdit()
        self.xref_value.setPlaceholderText("manufacturer number, or our part number of the other part")
        self.xref_button = QPushButton("Add cross-reference")
        can = ctx.actor.can(Permission.MANAGE_ASSETS)
        for w in (self.xref_kind, self.xref_maker, self.xref_value, self.xref_button):
            permitted(w, can)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.newest_button)
        add = QHBoxLayout()
        for w in (self.xref_kind, self.xref_maker, self.xref_value, self.xref_button):
            add.addWidget(w)
        tabs = QTabWidget()
        tabs.addTab(self.where_used, "Fits these assets")
        tabs.addTab(self.xrefs, "Cross-references")
        tabs.addTab(self.reservations, "Open reservations")
        self.tabs = tabs
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.part_edit)
        layout.addLayout(head)
        layout.addWidget(self.superseded)
        layout.addWidget(tabs, 1)
        layout.addLayout(add)
        self.part_edit.returnPressed.connect(self.load)
        takes_scans(self.part_edit, self.xref_value)
        self.newest_button.clicked.connect(self.open_newest)
        self.xref_button.clicked.connect(self.add_xref)
        self.where_used.cellDoubleClicked.connect(self._asset_activated)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.banner.error(exc.message)
            self.part_edit.setFocus()
            self.part_edit.selectAll()
        else:
            raise exc

    @Slot()
    def load(self) -> None:
        code, db = self.part_edit.text(), self.ctx.db

        def work() -> tuple[mro.PartRefs, list[ReservationDTO]]:
            found = scan.resolve(db, code)
            if found.part is None:
                raise NotFound(found.message or f"{found.code} is not a part.")
            return mro.part_refs(db, found.part.id), mro.reservations(db, part_id=found.part.id)

        self.ctx.runner.run(work, self.show_refs, self._failed)

    def show_part_id(self, part_id: int) -> None:
        db = self.ctx.db
        self.ctx.runner.run(
            lambda: (mro.part_refs(db, part_id), mro.reservations(db, part_id=part_id)), self.show_refs
        )

    def reload(self) -> None:
        if self.refs is not None:
            self.show_part_id(self.refs.part_id)

    def show_refs(self, result: tuple[mro.PartRefs, list[ReservationDTO]]) -> None:
        refs, held = result
        self.refs = refs
        self.banner.clear()
        self.title.setText(refs.part_number)
        chain = " → ".join(refs.superseded_by)
        self.superseded.setText(
            f"<span style='color:#b36b00; font-weight:bold'>Superseded: use {refs.superseded_by[-1]}"
            f" ({refs.part_number} → {chain})</span>"
            if chain
            else ""
        )
        self.newest_button.setVisible(bool(chain))
        fill_table(
            self.where_used,
            [
                (
                    u.asset_code,
                    u.asset_name,
                    u.criticality or "",
                    format_qty(u.qty_installed),
                    format_qty(u.recommended_qty),
                    u.usage.replace("_", " ").lower(),
                )
                for u in refs.where_used
            ],
            keys=[u.asset_id for u in refs.where_used],
        )
        fill_table(
            self.xrefs,
            [
                (
                    x.kind.replace("_", " ").lower(),
                    x.manufacturer or "",
                    x.value or x.other_part_number or "",
                    x.note or "",
                )
                for x in refs.xrefs
            ],
        )
        fill_table(
            self.reservations,
            [
                (r.id, r.work_order, r.asset_code or "", format_qty(r.open_qty), r.needed_by or "")
                for r in held
            ],
        )

    @Slot()
    def open_newest(self) -> None:
        """Following a supersession shows the part that replaced this one."""
        if self.refs is not None and self.refs.current_part_id != self.refs.part_id:
            self.show_part_id(self.refs.current_part_id)

    @Slot()
    def add_xref(self) -> None:
        if self.refs is None:
            self.banner.error("Scan the part first.")
            return
        part_id, kind = self.refs.part_id, self.xref_kind.currentText()
        maker, value = self.xref_maker.text(), self.xref_value.text()
        db, actor = self.ctx.db, self.ctx.actor

        def work() -> int:
            other = None
            if kind != "MANUFACTURER":
                found = scan.resolve(db, value)
                if found.part is None:
                    raise NotFound(found.message or f"{found.code} is not a part.")
                other = found.part.id
            mro.add_xref(
                db,
                actor,
                part_id,
                kind,
                value=value if other is None else None,
                manufacturer=maker,
                other_part_id=other,
            )
            return part_id

        def done(pid: int) -> None:
            self.xref_value.clear()
            self.xref_maker.clear()
            self.show_part_id(pid)

        change(self.ctx, work, done, topics=(Topic.MRO,), failed=self._failed)

    @Slot(int, int)
    def _asset_activated(self, row: int, _col: int) -> None:
        if self.refs is not None and row < len(self.refs.where_used):
            self.open_asset.emit(self.refs.where_used[row].asset_id)
