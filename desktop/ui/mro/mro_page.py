"""MRO spares: the asset tree and, for the chosen asset, each spare with stock per bin, reserved,
available, min/max, lead time and a red flag on critical spares that are short; reservations for work
orders; repairable units by serial number; and the maintenance reports."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import NotFound, UserError
from desktop.models.enums import SerialState, SpareUsage
from desktop.quantities import format_qty, parse_decimal
from desktop.services import mro
from desktop.services.actor import Permission
from desktop.services.catalogue import scan
from desktop.services.mro import AssetDTO, AssetSpares, ReservationDTO, SerialDTO, SerialEventDTO, SpareLine
from desktop.services.topics import Topic
from desktop.ui.common import big_field, fill_table, heading, permitted, read_only_table, selected_key
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.flow_layout import FlowLayout
from desktop.ui.io.table_export import TableExport, write_view
from desktop.ui.mro.mro_dialogs import AssetDialog, IssueReservedDialog, ReserveDialog
from desktop.ui.scanner import takes_scans

_RED = QBrush(QColor("#f6d5d3"))
SPARE_HEADERS = [
    "Part",
    "Description",
    "Used",
    "Installed",
    "Rec. spares",
    "On hand",
    "Reserved",
    "Available",
    "Min / max",
    "Lead time",
    "Bins",
    "Flag",
]


def _qty(value: object) -> str:
    return "–" if value is None else format_qty(value)  # type: ignore[arg-type]


def spare_row(x: SpareLine) -> list[str]:
    bins = ", ".join(f"{b.location_code}: {format_qty(b.qty)}" for b in x.bins) or "–"
    flag = x.flag.upper() if x.flag else ""
    if x.superseded_by:
        flag = (flag + "  " if flag else "") + f"superseded by {x.superseded_by}"
    if x.coming:  # a critical spare short now: when more arrives
        flag = (flag + "  " if flag else "") + x.coming
    return [
        x.part_number + ("  ★" if x.critical else ""),
        x.description,
        x.usage.replace("_", " ").lower(),
        format_qty(x.qty_installed),
        format_qty(x.recommended_qty),
        format_qty(x.on_hand),
        format_qty(x.reserved),
        format_qty(x.available),
        f"{_qty(x.min_qty)} / {_qty(x.max_qty)}",
        "–" if x.lead_time_days is None else f"{x.lead_time_days} d",
        bins,
        flag,
    ]


def paint_rows(table: QTableWidget, red_rows: list[int]) -> None:
    for r in red_rows:
        for c in range(table.columnCount()):
            item = table.item(r, c)
            if item is not None:
                item.setBackground(_RED)


def export_csv(table: QTableWidget, path: Path) -> int:
    """Write what the table shows (headers and rows) as UTF-8 CSV with a BOM for spreadsheets."""
    return write_view(table, path)


class SparesTab(QWidget):
    """Asset tree on the left; the chosen asset's spares and open reservations on the right.

    Signals:
    print_labels(str, list[int]): print tag labels ("asset", [ids]).
    """

    print_labels = Signal(str, object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: AssetSpares | None = None
        self.dialog: QWidget | None = None  # the last dialog opened (tests drive it)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Asset", "Name", "Criticality"])
        self.assets: dict[int, AssetDTO] = {}
        self.new_asset_button = QPushButton("New asset…")
        self.edit_asset_button = QPushButton("Edit asset…")
        self.spare_part = QLineEdit()
        self.spare_part.setPlaceholderText("scan or type a part to fit")
        self.spare_installed = QLineEdit("1")
        self.spare_recommended = QLineEdit("1")
        for e, tip in ((self.spare_installed, "installed"), (self.spare_recommended, "recommended spares")):
            e.setToolTip(tip)
            e.setMaximumWidth(60)
        self.spare_usage = QComboBox()
        self.spare_usage.addItems([u.value for u in SpareUsage])
        self.spare_usage.setCurrentText(SpareUsage.ON_FAILURE.value)
        self.add_spare_button = QPushButton("Fit part")
        self.remove_spare_button = QPushButton("Remove spare")
        self.edit_row = QWidget()
        for w in (self.new_asset_button, self.edit_asset_button, self.edit_row):
            permitted(w, ctx.actor.can(Permission.MANAGE_ASSETS))
        self.title = heading("Scan an asset tag (A-…) or pick an asset")
        self.path = QLabel("")
        self.flags = QLabel("")
        self.flags.setWordWrap(True)
        self.spares = read_only_table(SPARE_HEADERS, numeric=(3, 4, 5, 6, 7), stretch=1)
        self.reserve_button = QPushButton("Reserve…")
        self.issue_button = QPushButton("Issue reserved…")
        self.release_button = QPushButton("Release")
        self.tag_button = QPushButton("Print tag label…")
        self.spares_export = TableExport(ctx, self.spares, "spares")
        self.tree_export = TableExport(ctx, self.tree, "assets")
        can = ctx.actor.can(Permission.RESERVE)
        for b in (self.reserve_button, self.issue_button, self.release_button):
            permitted(b, can)
        self.reservations = read_only_table(
            ["#", "Work order", "Part", "Open", "Issued", "Released", "Needed by", "By"], numeric=(3, 4, 5)
        )
        actions = FlowLayout()
        for b in (self.reserve_button, self.issue_button, self.release_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.spares_export)
        actions.addWidget(self.tag_button)
        edits = FlowLayout(self.edit_row)
        for w in (
            self.spare_part,
            QLabel("installed"),
            self.spare_installed,
            QLabel("keep"),
            self.spare_recommended,
            self.spare_usage,
            self.add_spare_button,
            self.remove_spare_button,
        ):
            edits.addWidget(w)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.title)
        rl.addWidget(self.path)
        rl.addWidget(self.flags)
        rl.addWidget(self.spares, 3)
        rl.addLayout(actions)
        rl.addWidget(self.edit_row)
        rl.addWidget(QLabel("Open reservations for this asset"))
        rl.addWidget(self.reservations, 1)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.tree, 1)
        buttons = FlowLayout()
        buttons.addWidget(self.new_asset_button)
        buttons.addWidget(self.edit_asset_button)
        buttons.addWidget(self.tree_export)
        ll.addLayout(buttons)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.tree.currentItemChanged.connect(self._tree_moved)
        self.reserve_button.clicked.connect(self.open_reserve)
        self.issue_button.clicked.connect(self.open_issue)
        self.release_button.clicked.connect(self.release_selected)
        self.tag_button.clicked.connect(self._print_tags)
        self.new_asset_button.clicked.connect(self.new_asset)
        self.edit_asset_button.clicked.connect(self.edit_asset)
        self.add_spare_button.clicked.connect(self.fit_part)
        self.spare_part.returnPressed.connect(self.fit_part)
        takes_scans(self.spare_part)
        self.remove_spare_button.clicked.connect(self.remove_spare)

    @Slot()
    def new_asset(self) -> AssetDialog:
        """A new asset inside the one shown (or at the top when none is)."""
        inside = self.assets.get(self.view.asset.id) if self.view is not None else None
        dialog = AssetDialog(self.ctx, inside, self)
        dialog.saved.connect(lambda _a: self.refresh())
        dialog.show()
        self.dialog = dialog
        return dialog

    @Slot()
    def edit_asset(self) -> AssetDialog | None:
        """Correct, move or retire the asset shown."""
        if self.view is None:
            self.flags.setText("<b>Pick an asset in the tree, or scan its tag, first.</b>")
            return None
        asset = self.view.asset
        parent_code = self.view.path[-2] if len(self.view.path) > 1 else ""
        dialog = AssetDialog(self.ctx, None, self, editing=asset, inside_code=parent_code)
        dialog.saved.connect(lambda _a: self.refresh())
        dialog.show()
        self.dialog = dialog
        return dialog

    def _spare_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, UserError):
            raise exc
        self.flags.setText(f"<span style='color:#b3261e; font-weight:bold'>{exc.message}</span>")
        self.spare_part.setFocus()
        self.spare_part.selectAll()

    @Slot()
    def fit_part(self) -> None:
        """Make the scanned part a spare of this asset (or change its quantities)."""
        if self.view is None:
            return
        try:
            installed = parse_decimal(self.spare_installed.text(), allow_zero=True)
            keep = parse_decimal(self.spare_recommended.text(), allow_zero=True)
        except UserError as exc:
            self._spare_failed(exc)
            return
        asset_id, code, usage = self.view.asset.id, self.spare_part.text(), self.spare_usage.currentText()
        db, actor = self.ctx.db, self.ctx.actor

        def work() -> AssetSpares:
            found = scan.resolve(db, code)
            if found.part is None:
                raise NotFound(found.message or f"{found.code} is not a part.")
            mro.set_spare(
                db, actor, asset_id, found.part.id, qty_installed=installed, recommended_qty=keep, usage=usage
            )
            return mro.asset_spares(db, asset_id)

        self.ctx.runner.run(work, self._fitted, self._spare_failed)

    def _fitted(self, view: AssetSpares) -> None:
        self.spare_part.clear()
        self.show_spares(view)

    @Slot()
    def remove_spare(self) -> None:
        key = selected_key(self.spares)
        if self.view is None or key is None:
            return
        asset_id, part_id, db, actor = self.view.asset.id, int(key), self.ctx.db, self.ctx.actor  # type: ignore[call-overload]

        def work() -> AssetSpares:
            mro.remove_spare(db, actor, asset_id, part_id)
            return mro.asset_spares(db, asset_id)

        self.ctx.runner.run(work, self.show_spares, self._spare_failed)

    @Slot()
    def _print_tags(self) -> None:
        """The picked asset and everything under it in the tree (labelling a line labels its machines)."""
        item = self.tree.currentItem()
        if item is None:
            return
        ids, stack = [], [item]
        while stack:
            node = stack.pop()
            ids.append(int(node.data(0, Qt.ItemDataRole.UserRole)))
            stack.extend(c for n in range(node.childCount()) if (c := node.child(n)) is not None)
        self.print_labels.emit("asset", ids)

    def refresh(self) -> None:
        self.ctx.runner.run(lambda: mro.asset_tree(self.ctx.db), self._tree_loaded)

    def _tree_loaded(self, assets: list[AssetDTO]) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        self.assets = {a.id: a for a in assets}
        for a in assets:
            item = QTreeWidgetItem([a.code, a.name, a.criticality or ""])
            item.setData(0, Qt.ItemDataRole.UserRole, a.id)
            parent = items.get(a.parent_id) if a.parent_id is not None else None
            (parent.addChild(item) if parent is not None else self.tree.addTopLevelItem(item))
            items[a.id] = item
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.blockSignals(False)
        if self.view is not None:
            self._mark_in_tree(self.view.asset.id)

    def _mark_in_tree(self, asset_id: int) -> None:
        """Select the shown asset in the tree (a scanned tag may name any of them) without reloading."""
        found = [
            item
            for item in self.tree.findItems("*", Qt.MatchFlag.MatchWildcard | Qt.MatchFlag.MatchRecursive)
            if item.data(0, Qt.ItemDataRole.UserRole) == asset_id
        ]
        if found:
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(found[0])
            self.tree.blockSignals(False)

    @Slot(object, object)
    def _tree_moved(self, item: QTreeWidgetItem | None, _old: object) -> None:
        if item is not None:
            asset_id = int(item.data(0, Qt.ItemDataRole.UserRole))
            self.ctx.runner.run(lambda: mro.asset_spares(self.ctx.db, asset_id), self.show_spares)

    def show_spares(self, view: AssetSpares) -> None:
        self.view = view
        a = view.asset
        self._mark_in_tree(a.id)
        crit = f"  ·  criticality {a.criticality}" if a.criticality else ""
        self.title.setText(f"{a.code} — {a.name}")
        self.path.setText(" > ".join(view.path) + f"  ·  tag {a.barcode}{crit}")
        flagged = view.flagged
        self.flags.setText(
            "<span style='color:#b3261e; font-weight:bold'>"
            + "; ".join(f"{x.part_number}: {x.flag}" for x in flagged)
            + "</span>"
            if flagged
            else ""
        )
        fill_table(self.spares, [spare_row(x) for x in view.spares], keys=[x.part_id for x in view.spares])
        paint_rows(self.spares, [n for n, x in enumerate(view.spares) if x.flag])
        asset_id = a.id
        self.ctx.runner.run(
            lambda: mro.reservations(self.ctx.db, asset_id=asset_id), self._reservations_loaded
        )

    def _reservations_loaded(self, rows: list[ReservationDTO]) -> None:
        self.reservation_rows = rows
        fill_table(
            self.reservations,
            [
                (
                    r.id,
                    r.work_order,
                    r.part_number,
                    format_qty(r.open_qty),
                    format_qty(r.issued_qty),
                    format_qty(r.released_qty),
                    r.needed_by.isoformat() if r.needed_by else "",
                    r.user_name,
                )
                for r in rows
            ],
            keys=[r.id for r in rows],
        )

    def _selected_reservation(self) -> ReservationDTO | None:
        key = selected_key(self.reservations)
        return next((r for r in getattr(self, "reservation_rows", []) if r.id == key), None)

    @Slot()
    def open_reserve(self) -> ReserveDialog | None:
        if self.view is None:
            return None
        key = selected_key(self.spares)
        number = next((x.part_number for x in self.view.spares if x.part_id == key), "")
        dialog = ReserveDialog(self.ctx, self.view.asset, number, self)
        dialog.show()
        self.dialog = dialog
        return dialog

    @Slot()
    def open_issue(self) -> IssueReservedDialog | None:
        r = self._selected_reservation()
        if r is None:
            return None
        dialog = IssueReservedDialog(self.ctx, r, self)
        dialog.show()
        self.dialog = dialog
        return dialog

    @Slot()
    def release_selected(self) -> None:
        r = self._selected_reservation()
        if r is not None:
            self.ctx.runner.run(
                lambda: mro.release(self.ctx.db, self.ctx.actor, r.id),
                lambda _r: self.ctx.events.changed(Topic.STOCK, Topic.MRO),
            )

    def reload(self) -> None:
        if self.view is not None:
            asset_id = self.view.asset.id
            self.ctx.runner.run(lambda: mro.asset_spares(self.ctx.db, asset_id), self.show_spares)


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
        self.ctx.runner.run(
            lambda: mro.add_serial(self.ctx.db, self.ctx.actor, part_id, serial), self._added, self._failed
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

        self.ctx.runner.run(
            work, lambda u: self._reload(f"Serial {u.serial} is now {u.state}."), self._failed
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

        self.ctx.runner.run(work, done, self._failed)

    @Slot(int, int)
    def _asset_activated(self, row: int, _col: int) -> None:
        if self.refs is not None and row < len(self.refs.where_used):
            self.open_asset.emit(self.refs.where_used[row].asset_id)


REPORTS = ["Critical spares short", "Spares with no movement", "Usage per asset"]


class ReportsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = QComboBox()
        self.kind.addItems(REPORTS)
        self.months = QSpinBox()
        self.months.setRange(1, 120)
        self.months.setValue(12)
        self.months.setSuffix(" months")
        today = QDate.currentDate()
        self.since = QDateEdit(today.addMonths(-1))
        self.until = QDateEdit(today)
        for d in (self.since, self.until):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.run_button = QPushButton("Run")
        self.table = read_only_table(["—"])
        self.export_button = TableExport(ctx, self.table, "mro report")
        bar = FlowLayout()
        for w in (
            self.kind,
            QLabel("idle for"),
            self.months,
            QLabel("from"),
            self.since,
            QLabel("to"),
            self.until,
        ):
            bar.addWidget(w)
        bar.addWidget(self.run_button)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.run_button.clicked.connect(self.run)

    @Slot()
    def run(self) -> None:
        db, kind = self.ctx.db, self.kind.currentIndex()
        if kind == 0:
            self.ctx.runner.run(lambda: mro.critical_short(db), self._show_short)
        elif kind == 1:
            months = self.months.value()
            self.ctx.runner.run(lambda: mro.idle_spares(db, months), self._show_idle)
        else:
            since = datetime.combine(self.since.date().toPython(), time(), tzinfo=UTC)  # type: ignore[arg-type]
            until = datetime.combine(self.until.date().toPython(), time(), tzinfo=UTC) + timedelta(days=1)  # type: ignore[arg-type]
            self.ctx.runner.run(lambda: mro.usage_per_asset(db, since, until), self._show_usage)

    def _set(self, headers: list[str], rows: list[list[str]], numeric: tuple[int, ...]) -> None:
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setProperty("numeric_columns", list(numeric))
        fill_table(self.table, rows)

    def _show_short(self, rows: list[mro.CriticalShortRow]) -> None:
        self._set(
            [
                "Part",
                "Description",
                "On hand",
                "Reserved",
                "Available",
                "Min",
                "Lead time",
                "Spare of",
                "Flag",
            ],
            [
                [
                    r.part_number,
                    r.description,
                    format_qty(r.on_hand),
                    format_qty(r.reserved),
                    format_qty(r.available),
                    _qty(r.min_qty),
                    "–" if r.lead_time_days is None else f"{r.lead_time_days} d",
                    r.assets,
                    r.flag.upper(),
                ]
                for r in rows
            ],
            (2, 3, 4, 5),
        )
        paint_rows(self.table, list(range(len(rows))))

    def _show_idle(self, rows: list[mro.IdleSpareRow]) -> None:
        self._set(
            ["Part", "Description", "On hand", "Value", "Last move"],
            [
                [
                    r.part_number,
                    r.description,
                    f"{format_qty(r.on_hand)} {r.unit}",
                    f"{r.value:.2f}",
                    r.last_move_at.astimezone().strftime("%Y-%m-%d") if r.last_move_at else "never",
                ]
                for r in rows
            ],
            (2, 3),
        )

    def _show_usage(self, rows: list[mro.AssetUsageRow]) -> None:
        self._set(
            ["Asset", "Name", "Part", "Description", "Qty", "Value"],
            [
                [
                    r.asset_code,
                    r.asset_name,
                    r.part_number,
                    r.description,
                    f"{format_qty(r.qty)} {r.unit}",
                    f"{r.value:.2f}",
                ]
                for r in rows
            ],
            (4, 5),
        )


class MroPage(QWidget):
    """Signals: none; the main window calls show_spares() for a scanned asset tag."""

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.spares_tab = SparesTab(ctx)
        self.part_tab = PartTab(ctx)
        self.serials_tab = SerialsTab(ctx)
        self.reports_tab = ReportsTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.spares_tab, "Spares by asset")
        self.tabs.addTab(self.part_tab, "Where used")
        self.tabs.addTab(self.serials_tab, "Repairables (serials)")
        self.tabs.addTab(self.reports_tab, "Reports")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.part_tab.open_asset.connect(self._open_asset)

    @Slot(int)
    def _open_asset(self, asset_id: int) -> None:
        self.ctx.runner.run(lambda: mro.asset_spares(self.ctx.db, asset_id), self.show_spares)

    def refresh(self) -> None:
        self.spares_tab.refresh()

    def show_spares(self, view: AssetSpares) -> None:
        self.tabs.setCurrentWidget(self.spares_tab)
        self.spares_tab.show_spares(view)

    def data_changed(self, what: frozenset[Topic]) -> None:
        if what & {Topic.STOCK, Topic.PARTS, Topic.MRO} and self.isVisible():
            self.spares_tab.reload()
            current = self.tabs.currentWidget()
            if current is self.part_tab or current is self.serials_tab:  # reservations, xrefs, units
                current.reload()
