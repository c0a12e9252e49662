"""The Spares tab: scan or type an asset, see every spare that fits it, where it is and how many are free;
reserve, issue and return from here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import NotFound, UserError
from desktop.models.enums import SpareUsage
from desktop.quantities import format_qty, parse_decimal
from desktop.services import mro
from desktop.services.actor import Permission
from desktop.services.catalogue import scan
from desktop.services.mro import (
    AssetDTO,
    AssetSpares,
    ReservationDTO,
)
from desktop.services.topics import Topic
from desktop.ui.common import fill_table, heading, permitted, read_only_table, selected_key
from desktop.ui.context import AppContext
from desktop.ui.flow_layout import FlowLayout
from desktop.ui.io.table_export import TableExport
from desktop.ui.mro.mro_dialogs import AssetDialog, IssueReservedDialog, ReserveDialog
from desktop.ui.mro.spare_rows import SPARE_HEADERS, paint_rows, spare_row
from desktop.ui.operation import change
from desktop.ui.scanner import takes_scans


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

        change(self.ctx, work, self._fitted, topics=(Topic.MRO,), failed=self._spare_failed)

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

        change(self.ctx, work, self.show_spares, topics=(Topic.MRO,), failed=self._spare_failed)

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
            change(
                self.ctx,
                lambda: mro.release(self.ctx.db, self.ctx.actor, r.id),
                topics=(Topic.STOCK, Topic.MRO),
            )

    def reload(self) -> None:
        if self.view is not None:
            asset_id = self.view.asset.id
            self.ctx.runner.run(lambda: mro.asset_spares(self.ctx.db, asset_id), self.show_spares)
