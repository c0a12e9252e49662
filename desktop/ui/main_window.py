"""The main window: scan box always one key away (F2), navigation, pages, status bar."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import UserError
from desktop.models.enums import MoveKind
from desktop.quantities import format_qty
from desktop.services.actor import Permission
from desktop.services.catalogue import locations, scan
from desktop.services.catalogue.locations import LocationDetail, LocationDTO
from desktop.services.catalogue.parts import PartDTO
from desktop.services.catalogue.scan import ScanResult
from desktop.services.mro import AssetSpares
from desktop.services.stock.moves import PostResult
from desktop.services.topics import Topic
from desktop.ui import ui_scale
from desktop.ui.busy_indicator import BusyIndicator
from desktop.ui.catalogue.location_dialog import LocationDialog
from desktop.ui.catalogue.location_page import LocationPage
from desktop.ui.catalogue.locations_page import LocationsPage
from desktop.ui.catalogue.part_dialog import PartDialog
from desktop.ui.catalogue.part_page import PartExtras, PartPage, part_extras, part_with_extras
from desktop.ui.catalogue.parts_page import PartsPage
from desktop.ui.context import AppContext, ShowsData
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.lazy_pages import LazyPages
from desktop.ui.navigation import LAZY_PAGES, NAV, build_page
from desktop.ui.scanner import ScanRouter, resolve_then
from desktop.ui.stock.move_dialog import MoveDialog
from desktop.ui.stock.stock_page import MOVE_BUTTONS, StockPage
from desktop.ui.ui_scale import larger

if TYPE_CHECKING:
    from desktop.ui.admin.settings_page import SettingsPage
    from desktop.ui.catalogue.labels_dialog import LabelsDialog
    from desktop.ui.counts.counts_page import CountsPage
    from desktop.ui.insight.reports_page import ReportsPage
    from desktop.ui.kanban.kanban_page import KanbanPage
    from desktop.ui.mro.mro_page import MroPage
    from desktop.ui.purchasing.purchasing_page import PurchasingPage


class MainWindow(QMainWindow):
    """Signals:
    scan_handled(ScanResult): a scan was resolved and shown (tests and the benchmark wait on it).
    switch_user_requested(): the person at the PC wants to hand over (Ctrl+U).
    """

    scan_handled = Signal(object)
    switch_user_requested = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.move_dialog: MoveDialog | None = None
        self.setWindowTitle(f"Storeroom — {ctx.db.description}")
        self.resize(1280, 720)
        ScanRouter.install()  # scanner bursts reach handle_scan() wherever the focus is
        self._build()
        self._connect_signals()
        self.go_to("Parts")
        self.parts_page.refresh()
        self.scan_box.setFocus()

    # -- building -------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.scan_box = QLineEdit()
        self.scan_box.setObjectName("scanBox")
        self.scan_box.setPlaceholderText("Scan or type any code: bin, part, manufacturer number   (F2)")
        larger(self.scan_box, 7)
        self.banner = FeedbackBanner()
        self.nav = QListWidget()
        self.nav.setFixedWidth(170)
        self.nav.setIconSize(QSize(0, 0))
        larger(self.nav, 3)
        for name, coming, permission in NAV:
            item = QListWidgetItem(name)
            item.setSizeHint(QSize(160, 40))
            if coming:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
                item.setToolTip(f"Arrives with the {coming} module")
            self.nav.addItem(item)
            item.setHidden(permission is not None and not self.ctx.actor.can(permission))

        self.stack = QStackedWidget()
        self.pages = LazyPages(self._page_built)
        # The pages a scan opens exist from the start; the others are built when first shown.
        self.parts_page = PartsPage(self.ctx)
        self.part_page = PartPage(self.ctx)
        self.location_page = LocationPage(self.ctx)
        ctx = self.ctx
        self.pages.put("Parts", self.parts_page)
        self.pages.put("part", self.part_page)
        self.pages.put("location", self.location_page)
        self.pages.add("Locations", lambda: LocationsPage(ctx))
        self.pages.add("Stock", lambda: StockPage(ctx))
        # The other pages' modules (Qt Charts for the dashboard, among others) are imported when first
        # shown too: the start-up and the next person's window do without them.
        for name, module, cls, permission in LAZY_PAGES:
            if permission is None or ctx.actor.can(permission):
                self.pages.add(name, partial(build_page, module, cls, ctx))

        # A page taller or wider than the screen scrolls: the window always fits 1280 x 720.
        pages = QScrollArea()
        pages.setWidget(self.stack)
        pages.setWidgetResizable(True)
        pages.setFrameShape(QFrame.Shape.NoFrame)
        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(pages, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(self.scan_box)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)

        self.db_label = QLabel(f"Database: {self.ctx.db.description}")
        self.user_label = QLabel(
            f"Signed in: {self.ctx.actor.display_name} ({self.ctx.actor.role.value.lower()})"
        )
        self.busy_label = BusyIndicator()
        self.switch_button = QPushButton("Switch user (Ctrl+U)")
        self.switch_button.setFlat(True)
        status = self.statusBar()
        status.addWidget(self.db_label, 1)
        status.addPermanentWidget(self.busy_label)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.switch_button)

    def _connect_signals(self) -> None:
        def everywhere(keys: QKeySequence | str, slot: Callable[[], object]) -> None:
            """A shortcut that works in this window and its dialogs."""
            QShortcut(QKeySequence(keys), self, slot, context=Qt.ShortcutContext.ApplicationShortcut)

        everywhere(QKeySequence(Qt.Key.Key_F2), self.focus_scan)
        everywhere("Ctrl+L", self.focus_scan)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_part)
        for keys, direction in (("Ctrl++", 1), ("Ctrl+=", 1), ("Ctrl+-", -1), ("Ctrl+0", 0)):
            everywhere(keys, partial(self.zoom, direction))
        # Ctrl+U comes through the scan router (it works even in a line edit): request_hand_over()
        self.switch_button.clicked.connect(self.request_hand_over)
        if self.ctx.actor.can(Permission.MOVE_STOCK):
            for kind, _label, key in MOVE_BUTTONS:
                if key:
                    everywhere(key, partial(self.open_move, kind))
        self.scan_box.returnPressed.connect(self.scan_entered)
        self.nav.currentRowChanged.connect(self._nav_changed)
        self.ctx.events.data_changed.connect(self._data_changed)
        busy = getattr(self.ctx.runner, "busy_changed", None)
        if busy is not None:
            busy.connect(self.busy_label.busy)

    def _page_built(self, name: str, page: QWidget) -> None:
        """A page was just built: onto the stack, and its signals to this window."""
        self.stack.addWidget(page)
        if isinstance(page, PartsPage):
            page.open_part.connect(self.open_part)
            page.new_part.connect(self.new_part)
        elif isinstance(page, PartPage):
            page.edit_part.connect(self.edit_part)
            page.move_requested.connect(self._move_for_part)
            page.open_location.connect(self.open_location)
        elif isinstance(page, LocationsPage):
            page.open_location.connect(self.open_location)
            page.new_location.connect(self.new_location)
            page.edit_location.connect(self.edit_location)
        elif isinstance(page, LocationPage):
            page.move_requested.connect(self._move_for_location)
            page.open_part.connect(self.open_part)
            page.edit_location.connect(self.edit_location)
        elif isinstance(page, StockPage):
            page.move_requested.connect(self.open_move)
            page.reversed.connect(self._posted)
        elif name == "Settings":
            cast("SettingsPage", page).restored.connect(self.switch_user_requested)  # sign in again on it
        elif name == "Kanban":
            kanban = cast("KanbanPage", page)
            kanban.print_labels.connect(self.open_labels)
            kanban.open_report.connect(self.open_report)
        elif name == "MRO spares":
            cast("MroPage", page).spares_tab.print_labels.connect(self.open_labels)
        if isinstance(page, PartsPage | PartPage | LocationsPage | LocationPage):
            page.print_labels.connect(self.open_labels)

    @property
    def locations_page(self) -> LocationsPage:
        return cast(LocationsPage, self.pages["Locations"])

    @property
    def stock_page(self) -> StockPage:
        return cast(StockPage, self.pages["Stock"])

    @property
    def settings_page(self) -> SettingsPage:
        return cast("SettingsPage", self.pages["Settings"])

    @property
    def mro_page(self) -> MroPage:
        return cast("MroPage", self.pages["MRO spares"])

    # -- navigation -----------------------------------------------------------------------------------
    @Slot(str)
    def open_report(self, key: str) -> None:
        """Run a report on the Reports page, where it prints and saves as PDF, XLSX or CSV."""
        self.go_to("Reports")
        page = cast("ReportsPage", self.pages["Reports"])
        page.tabs.setCurrentWidget(page.reports)
        page.reports.choose(key)
        page.reports.run()

    def go_to(self, name: str) -> None:
        page = self.pages[name]
        if self.stack.currentWidget() is not page:
            self.banner.clear()  # what the last page said does not belong above this one
        self.stack.setCurrentWidget(page)
        row = next((i for i, (n, _c, _p) in enumerate(NAV) if n == name), -1)
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(row)
        self.nav.blockSignals(False)
        refresh = getattr(page, "refresh", None)
        if refresh is not None and name not in ("Parts", "part", "location"):
            refresh()

    @Slot(int)
    def _nav_changed(self, row: int) -> None:
        if 0 <= row < len(NAV) and NAV[row][0] in self.pages:
            self.go_to(NAV[row][0])

    def zoom(self, direction: int) -> None:
        """Ctrl+Plus / Ctrl+Minus / Ctrl+0: everything larger, smaller, or back; kept on this PC."""
        try:
            scale = ui_scale.step(direction)
        except UserError as exc:  # the settings file could not be written
            self.banner.error(exc.message)
            return
        self.banner.ok(f"Text size {scale} % (Ctrl+Plus larger, Ctrl+Minus smaller, Ctrl+0 normal).")

    @Slot()
    def focus_scan(self) -> None:
        self.activateWindow()
        self.scan_box.setFocus()
        self.scan_box.selectAll()

    # -- the scan box ---------------------------------------------------------------------------------
    def handle_scan(self, code: str) -> bool:
        """A scanner burst anywhere in this window that no page or dialog took: the scan box's."""
        self.scan_box.setText(code)
        self.scan_entered()
        return True

    def open_count(self, session_id: int) -> None:
        """A count sheet's barcode (CS-12): its count, ready to enter lines."""
        page = cast("CountsPage", self.pages["Cycle counts"])
        self.go_to("Cycle counts")
        page.choose_session(session_id)

    def request_hand_over(self) -> None:
        """Ctrl+U (from any field) or the status-bar button: the next person signs in."""
        self.switch_user_requested.emit()

    @Slot()
    def scan_entered(self) -> None:
        text = self.scan_box.text()
        if not text.strip():
            return
        sheet = text.strip().upper()
        if sheet.startswith("CS-") and sheet[3:].isdigit():
            self.scan_box.selectAll()
            self.open_count(int(sheet[3:]))
            return
        db = self.ctx.db

        def resolve() -> tuple[ScanResult, PartExtras | None]:
            found = scan.resolve(db, text)  # a part: its page's other tabs in the same job (one paint)
            return found, part_extras(db, found.part) if found.part is not None else None

        # the next label scanned at once (a delivery's first part after its PO) waits for this screen
        resolve_then(self.ctx.runner, resolve, self._show_resolved)

    def _show_resolved(self, got: tuple[ScanResult, PartExtras | None]) -> None:
        self.show_scan(*got)

    def show_scan(self, result: ScanResult, extras: PartExtras | None = None) -> None:
        if result.asset is not None:
            self.show_asset(result.asset)
        elif result.part is not None:
            self.show_part(result.part, extras)
            p = result.part
            self.banner.ok(
                result.message
                or f"{p.part_number} — {p.description}: {format_qty(p.on_hand)} {p.unit} on hand "
                f"in {len(p.stock)} location(s)"
            )
        elif result.location is not None:
            self.show_location(result.location)
            loc = result.location.location
            self.banner.ok(f"{loc.code} — {loc.name}: {len(result.location.contents)} line(s)")
        elif result.order is not None:  # the order opens for receiving: the next scan is its first part
            self.go_to("Purchasing")
            page = cast("PurchasingPage", self.pages["Purchasing"])
            self.banner.ok(result.message)
            page.show_order(result.order.id)
            self.scan_handled.emit(result)
            return
        elif result.candidates:
            self.parts_page.search.setText(result.code)
            self.go_to("Parts")
            self.banner.warn(result.message)
        else:
            self.banner.error(result.message)  # nothing else changes: the page stays as it was
        self.scan_box.selectAll()  # the next scan replaces this one
        self.scan_box.setFocus()
        self.scan_handled.emit(result)

    # -- pages ----------------------------------------------------------------------------------------
    @Slot(int)
    def open_part(self, part_id: int) -> None:
        self.ctx.runner.run(lambda: part_with_extras(self.ctx.db, part_id), lambda got: self.show_part(*got))

    def show_part(self, part: PartDTO, extras: PartExtras | None = None) -> None:
        self.part_page.show_part(part, extras)
        self._show_page(self.part_page)

    @Slot(int)
    def open_location(self, location_id: int) -> None:
        self.ctx.runner.run(lambda: locations.get_location(self.ctx.db, location_id), self.show_location)

    def show_location(self, detail: LocationDetail) -> None:
        self.location_page.show_location(detail)
        self._show_page(self.location_page)

    def _show_page(self, page: QWidget) -> None:
        """A page reached from a scan or a link rather than the sidebar."""
        if self.stack.currentWidget() is not page:
            self.banner.clear()
        self.stack.setCurrentWidget(page)
        self.nav.setCurrentRow(-1)

    def show_asset(self, view: AssetSpares) -> None:
        """An asset tag was scanned: its spares, with what is free now, and a red banner when short."""
        self.go_to("MRO spares")
        self.mro_page.show_spares(view)
        a, short = view.asset, view.flagged
        if short:  # the scan worked: amber and a word for what is short, no error beep
            self.banner.warn(
                f"{a.code} — {a.name}: critical spare(s) short: "
                + ", ".join(f"{x.part_number} ({x.flag})" for x in short)
            )
        else:
            self.banner.ok(f"{a.code} — {a.name}: {len(view.spares)} spare part(s)")

    # -- dialogs --------------------------------------------------------------------------------------
    @Slot()
    def new_part(self) -> None:
        if self.ctx.actor.can(Permission.EDIT_PARTS):
            self._part_dialog(None)

    def edit_part(self, part: PartDTO) -> None:
        self._part_dialog(part)

    def _part_dialog(self, part: PartDTO | None) -> PartDialog:
        dialog = PartDialog(self.ctx, part, self)
        dialog.saved.connect(self._part_saved)
        dialog.open()
        self.part_dialog = dialog
        return dialog

    def _part_saved(self, part: PartDTO) -> None:
        self.banner.ok(f"Saved part {part.part_number}.")
        self.show_part(part)

    def new_location(self, inside: LocationDTO | None) -> None:
        self._location_dialog(None, inside)

    def edit_location(self, location: LocationDTO) -> None:
        self._location_dialog(location, None)

    def _location_dialog(self, location: LocationDTO | None, inside: LocationDTO | None) -> LocationDialog:
        codes = [r.code for r in self.locations_page.rows.values() if r.level != "BIN"]
        dialog = LocationDialog(
            self.ctx, location=location, parent_location=inside, parent_codes=codes, parent=self
        )
        dialog.saved.connect(self._location_saved)
        dialog.open()
        self.location_dialog = dialog
        return dialog

    def _location_saved(self, location: LocationDTO) -> None:
        self.banner.ok(f"Saved location {location.code}.")

    def open_labels(self, kind: str, ids: list[int]) -> LabelsDialog | None:
        if not ids:
            self.banner.error(f"Select the {'locations' if kind == 'bin' else 'parts'} to label first.")
            return None
        from desktop.ui.catalogue.labels_dialog import LabelsDialog  # with reportlab: when first printing

        noun = {"asset": "asset tag", "card": "kanban card"}.get(kind, kind)
        dialog = LabelsDialog(
            self.ctx, kind, ids, title=f"Print {noun} labels ({len(ids)} selected)", parent=self
        )
        if kind == "bin":  # a rack or area selected means its bins, which is what a clerk labels
            listed = self.pages.built_page("Locations")
            known = dict(listed.rows) if isinstance(listed, LocationsPage) else {}
            if self.location_page.detail is not None:
                known[self.location_page.detail.location.id] = self.location_page.detail.location
            levels = [r.level for i in ids if (r := known.get(i)) is not None]
            dialog.subtree.setChecked(any(level != "BIN" for level in levels))
        dialog.show()
        self.labels_dialog = dialog
        return dialog

    def open_move(self, kind: MoveKind) -> MoveDialog:
        if self.move_dialog is not None:
            self.move_dialog.close()
        dialog = MoveDialog(self.ctx, kind, self)
        dialog.posted.connect(self._posted)
        dialog.finished.connect(self.focus_scan)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.move_dialog = dialog
        return dialog

    def _move_for_part(self, kind: MoveKind, part: PartDTO) -> None:
        self.open_move(kind).preset_part(part)

    def _move_for_location(self, kind: MoveKind, detail: LocationDetail) -> None:
        loc = detail.location
        self.open_move(kind).preset_location(loc.id, loc.code)

    def _posted(self, result: PostResult) -> None:
        self.banner.ok(
            result.move.summary() + f" — {format_qty(result.part_on_hand)} {result.move.unit} on hand"
        )

    # -- app-wide changes -----------------------------------------------------------------------------
    @Slot(object)
    def _data_changed(self, what: frozenset[Topic]) -> None:
        for page in self.pages.built():  # a page not built yet loads fresh when it is
            if isinstance(page, ShowsData):
                page.data_changed(what)

    def release(self) -> None:
        """Close this user's open dialogs before the window goes (a user switch or idle sign-out)."""
        for dialog in (
            self.move_dialog,
            getattr(self, "labels_dialog", None),
            getattr(self, "part_dialog", None),
            getattr(self, "location_dialog", None),
        ):
            if dialog is not None:
                dialog.close()
        self.move_dialog = None
        busy = getattr(self.ctx.runner, "busy_changed", None)
        if busy is not None:
            busy.disconnect(self.busy_label.busy)
        self.busy_label.stop()  # never leave the next person a busy cursor
        self.ctx.events.data_changed.disconnect(self._data_changed)
