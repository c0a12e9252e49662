"""Print bin or part labels: choose a format, start position and calibration, preview, print or save.

Rendering runs in the background with a progress bar and Cancel; printing goes through Qt's print
dialog, so any printer the operating system knows works (sheet lasers and thermal printers alike).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop import config
from desktop.errors import UserError
from desktop.reports.kanban_cards import layout_kanban_card
from desktop.reports.label_formats import (
    BADGE_FORMAT,
    FORMATS,
    KANBAN_CARD_FORMATS,
    LabelFormat,
    custom_sheet,
)
from desktop.reports.labels import (
    BinLabel,
    LabelJob,
    LabelLayout,
    RenderCancelled,
    layout_bin_label,
    layout_part_label,
    render_calibration_page,
    render_job,
)
from desktop.services import mro
from desktop.services.admin import badges
from desktop.services.catalogue import labels as label_data
from desktop.services.kanban.card_labels import card_labels
from desktop.ui.common import cancellable_progress, permitted, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.insight.pdf_pages import MAX_RASTER_DPI, page_count, print_pdf, render_page

CUSTOM = "custom"
# label kinds printed in the bin-label layout, and where their labels come from
BIN_LAYOUT: dict[str, Callable[[AppContext, list[int]], list[BinLabel]]] = {
    "asset": lambda ctx, ids: mro.asset_labels(ctx.db, ids),
    "badge": lambda ctx, ids: badges.badge_labels(ctx.db, ctx.actor, ids),
}
# Kinds with their own stock: a kanban card needs a card format, a badge opens on a CR80 card.
OWN_FORMATS: dict[str, tuple[str, ...]] = {"card": KANBAN_CARD_FORMATS, "badge": (BADGE_FORMAT,)}
_CUSTOM_FIELDS = (
    ("rows", "Rows", 1, 40, 0),
    ("columns", "Columns", 1, 12, 0),
    ("label_width_mm", "Label width (mm)", 5, 300, 2),
    ("label_height_mm", "Label height (mm)", 5, 300, 2),
    ("left_mm", "Left margin (mm)", 0, 100, 2),
    ("top_mm", "Top margin (mm)", 0, 100, 2),
    ("pitch_x_mm", "Across pitch (mm)", 0, 300, 2),
    ("pitch_y_mm", "Down pitch (mm)", 0, 300, 2),
)

# A new custom grid starts from Avery L7160's geometry: the most common A4 sheet, edited from there.
_CUSTOM_DEFAULTS = {
    "rows": 7,
    "columns": 3,
    "label_width_mm": 63.5,
    "label_height_mm": 38.1,
    "left_mm": 7.21,
    "top_mm": 15.15,
    "pitch_x_mm": 66.04,
    "pitch_y_mm": 38.1,
}


class LabelsDialog(QDialog):
    """Signals:
    progress(int, int): pages rendered so far, of total (emitted from the rendering thread).
    rendered(bytes): a PDF is ready (preview shown); `notes` says which labels printed a short form.
    """

    progress = Signal(int, int)
    rendered = Signal(bytes)

    def __init__(
        self, ctx: AppContext, kind: str, ids: list[int], *, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if kind not in ("bin", "part", "card", *BIN_LAYOUT):
            raise ValueError(kind)
        self.ctx = ctx
        self.kind = kind
        self.ids = ids
        self.pdf: bytes | None = None
        self.notes = ""  # which labels of the last job used the short id form or a 2-D code only
        self.page = 0
        self._cancel = threading.Event()
        self.settings = config.AppConfig.current()
        self.setWindowTitle(title)
        self.resize(980, 720)
        self._build()
        self._connect_signals()
        self._format_changed()

    # -- building -------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.banner = FeedbackBanner()
        self.format = QComboBox()
        for key, fmt in FORMATS.items():
            if self.kind != "card" or key in KANBAN_CARD_FORMATS:  # the other formats are too small
                self.format.addItem(fmt.name, key)
        self.format.addItem("Custom grid…", CUSTOM)
        saved = self.settings.labels.format_key
        own = OWN_FORMATS.get(self.kind)
        if own is not None and (self.kind == "badge" or saved not in own):
            saved = own[0]
        self.format.setCurrentIndex(max(0, self.format.findData(saved)))
        self.subtree = QCheckBox("Include every location inside the selected ones")
        self.with_part = QCheckBox("Print the part stored in each bin")
        self.with_part.setChecked(True)
        for check in (self.subtree, self.with_part):
            permitted(check, self.kind == "bin")
        self.start_at = QSpinBox()
        self.start_at.setRange(1, 1)
        self.copies = QSpinBox()
        self.copies.setRange(1, 100)
        self.offset_x = QDoubleSpinBox()
        self.offset_y = QDoubleSpinBox()
        for offset in (self.offset_x, self.offset_y):
            offset.setRange(-20, 20)
            offset.setDecimals(1)
            offset.setSingleStep(0.5)
            offset.setSuffix(" mm")
        self.save_offsets = QPushButton("Save as this printer's calibration")
        self.calibration = QPushButton("Calibration page")
        self.custom = QWidget()
        custom_form = QGridLayout(self.custom)
        custom_form.setContentsMargins(0, 0, 0, 0)
        self.custom_fields: dict[str, QDoubleSpinBox] = {}
        saved_custom = self.settings.labels.custom_sheet or {}
        for n, (key, label, low, high, decimals) in enumerate(_CUSTOM_FIELDS):
            box = QDoubleSpinBox()
            box.setRange(low, high)
            box.setDecimals(decimals)
            box.setValue(float(saved_custom.get(key, _CUSTOM_DEFAULTS[key])))
            self.custom_fields[key] = box
            custom_form.addWidget(QLabel(label), n // 2, (n % 2) * 2)
            custom_form.addWidget(box, n // 2, (n % 2) * 2 + 1)
        self.custom_page = QComboBox()
        self.custom_page.addItems(["A4", "Letter"])
        custom_form.addWidget(QLabel("Page"), 4, 0)
        custom_form.addWidget(self.custom_page, 4, 1)

        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("", self.custom)
        counts = QHBoxLayout()
        counts.addWidget(self.start_at)
        counts.addWidget(QLabel("copies of each"))
        counts.addWidget(self.copies)
        counts.addStretch(1)
        form.addRow("Start at label", counts)
        offsets = QHBoxLayout()
        offsets.addWidget(QLabel("right"))
        offsets.addWidget(self.offset_x)
        offsets.addWidget(QLabel("down"))
        offsets.addWidget(self.offset_y)
        offsets.addWidget(self.save_offsets)
        offsets.addWidget(self.calibration)
        offsets.addStretch(1)
        form.addRow("Printer offset", offsets)
        form.addRow("", self.subtree)
        form.addRow("", self.with_part)

        self.preview = QLabel("Press Preview to see the labels.")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background:#888;")
        scroll = QScrollArea()
        scroll.setWidget(self.preview)
        scroll.setWidgetResizable(True)
        self.page_label = QLabel("")
        self.prev_page = QPushButton("◀")
        self.next_page = QPushButton("▶")
        for button in (self.prev_page, self.next_page):
            button.setFixedWidth(40)
        for spin in (self.start_at, self.copies):
            spin.setFixedWidth(80)
        for offset in (self.offset_x, self.offset_y):
            offset.setFixedWidth(100)
        self.save_offsets.setAutoDefault(False)
        self.progress_bar = QProgressBar()
        self.progress_bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.preview_button = QPushButton("Preview")
        self.print_button = QPushButton("Print…")
        self.save_button = QPushButton("Save PDF…")
        self.close_button = QPushButton("Close")
        bottom = QHBoxLayout()
        for w in (self.prev_page, self.page_label, self.next_page):
            bottom.addWidget(w)
        bottom.addWidget(self.progress_bar, 1)
        bottom.addWidget(self.cancel_button)
        for w in (self.preview_button, self.print_button, self.save_button, self.close_button):
            bottom.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

    def _connect_signals(self) -> None:
        self.format.currentIndexChanged.connect(self._format_changed)
        for spin in (self.start_at, self.copies):
            spin.valueChanged.connect(self._invalidate)
        for number in (self.offset_x, self.offset_y, *self.custom_fields.values()):
            number.valueChanged.connect(self._invalidate)
        self.custom_page.currentIndexChanged.connect(self._invalidate)
        self.subtree.toggled.connect(self._invalidate)
        self.with_part.toggled.connect(self._invalidate)
        self.save_offsets.clicked.connect(self.save_calibration)
        self.calibration.clicked.connect(self.show_calibration_page)
        self.preview_button.clicked.connect(lambda: self.render_labels())
        self.print_button.clicked.connect(self.print_labels)
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button.clicked.connect(self.reject)
        self.cancel_button.clicked.connect(self.cancel)
        self.prev_page.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_page.clicked.connect(lambda: self.show_page(self.page + 1))
        self.progress.connect(self._progress)

    # -- the chosen format ----------------------------------------------------------------------------
    def format_key(self) -> str:
        return str(self.format.currentData())

    def label_format(self) -> LabelFormat:
        if self.format_key() != CUSTOM:
            return FORMATS[self.format_key()]
        v = {k: box.value() for k, box in self.custom_fields.items()}
        return custom_sheet(
            rows=int(v["rows"]),
            columns=int(v["columns"]),
            label_width_mm=v["label_width_mm"],
            label_height_mm=v["label_height_mm"],
            left_mm=v["left_mm"],
            top_mm=v["top_mm"],
            pitch_x_mm=v["pitch_x_mm"] or None,
            pitch_y_mm=v["pitch_y_mm"] or None,
            page=self.custom_page.currentText(),
        )

    @Slot()
    def _format_changed(self) -> None:
        key = self.format_key()
        self.custom.setVisible(key == CUSTOM)
        dx, dy = self.settings.labels.offsets_mm.get(key, (0.0, 0.0))
        self.offset_x.setValue(dx)
        self.offset_y.setValue(dy)
        self._invalidate()

    @Slot()
    def _invalidate(self) -> None:
        """Any change makes the preview stale; the start position follows the sheet size."""
        self.pdf = None
        self.page_label.setText("")
        try:
            fmt = self.label_format()
        except UserError as exc:
            self.banner.error(exc.message)
            return
        self.banner.clear()
        sheet = not fmt.is_thermal
        self.start_at.setEnabled(sheet)
        self.start_at.setMaximum(fmt.labels_per_page if sheet else 1)

    # -- calibration ----------------------------------------------------------------------------------
    @Slot()
    def save_calibration(self) -> None:
        labels = self.settings.labels
        if self.kind not in OWN_FORMATS:  # bin and part labels open on the format calibrated last
            labels.format_key = self.format_key()
        labels.offsets_mm[self.format_key()] = (self.offset_x.value(), self.offset_y.value())
        if self.format_key() == CUSTOM:
            labels.custom_sheet = {k: box.value() for k, box in self.custom_fields.items()}
        try:
            self.settings.save()
        except UserError as exc:
            self.banner.error(exc.message)
            return
        self.banner.ok(f"Offsets saved for {self.format.currentText()} on this PC.")

    @Slot()
    def show_calibration_page(self) -> None:
        try:
            self.pdf = render_calibration_page(
                self.label_format(), offset_x_mm=self.offset_x.value(), offset_y_mm=self.offset_y.value()
            )
        except UserError as exc:
            self.banner.error(exc.message)
            return
        self.banner.ok(
            "Calibration page: print it on plain paper, hold it against a label sheet, and "
            "enter how far the outlines must move."
        )
        self.show_page(0)

    # -- rendering ------------------------------------------------------------------------------------
    def _job(self) -> Callable[[], LabelJob]:
        """The background work: read label data, then render with progress and cancel."""
        fmt = self.label_format()
        start_at, copies = self.start_at.value(), self.copies.value()
        dx, dy = self.offset_x.value(), self.offset_y.value()
        ids, ctx, kind, subtree, with_part = (
            list(self.ids),
            self.ctx,
            self.kind,
            self.subtree.isChecked(),
            self.with_part.isChecked(),
        )
        report = cancellable_progress(self.progress, self._cancel)

        def run(
            items: Sequence[Any], layout: Callable[[Any, LabelFormat], LabelLayout], what: str
        ) -> LabelJob:
            return render_job(
                items,
                layout,
                fmt,
                what=what,
                start_at=start_at,
                copies=copies,
                offset_x_mm=dx,
                offset_y_mm=dy,
                progress=report,
            )

        def job() -> LabelJob:
            if kind == "card":
                return run(card_labels(ctx.db, ids), layout_kanban_card, "kanban card")
            if kind in BIN_LAYOUT:  # asset tags, badges: the bin-label layout with their own payload
                return run(BIN_LAYOUT[kind](ctx, ids), layout_bin_label, kind)
            if kind == "bin":
                bins = label_data.bin_labels(ctx.db, ids, subtree=subtree, with_part=with_part)
                return run(bins, layout_bin_label, "bin")
            return run(label_data.part_labels(ctx.db, ids), layout_part_label, "part")

        return job

    def render_labels(self, then: Callable[[bytes], None] | None = None) -> None:
        if self.pdf is not None:
            if then is not None:
                then(self.pdf)
            return
        try:
            job = self._job()
        except UserError as exc:
            self.banner.error(exc.message)
            return
        self._busy(True)
        self.ctx.runner.run(job, lambda done: self._rendered(done, then), self._failed)

    def _busy(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.progress_bar.setValue(0)
        for button in (self.preview_button, self.print_button, self.save_button):
            button.setEnabled(not busy)

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        self.progress_bar.setMaximum(total)
        self.progress_bar.setValue(done)
        self.progress_bar.setFormat(f"page {done} of {total}")

    @Slot()
    def cancel(self) -> None:
        self._cancel.set()

    def _rendered(self, job: LabelJob, then: Callable[[bytes], None] | None) -> None:
        self._busy(False)
        self.pdf = pdf = job.pdf
        self.notes = job.summary()
        pages = page_count(pdf)
        ready = f"{pages} page{'s' if pages != 1 else ''} ready."
        if self.notes:
            self.banner.warn(f"{ready} {self.notes}")
        else:
            self.banner.ok(ready)
        self.show_page(0)
        self.rendered.emit(pdf)
        if then is not None:
            then(pdf)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, RenderCancelled):
            self.banner.warn("Cancelled: nothing was printed.")
        elif isinstance(exc, UserError):
            self.banner.error(exc.message)
        else:
            show_error(self, exc)

    def show_page(self, index: int) -> None:
        if self.pdf is None:
            return
        total = page_count(self.pdf)
        self.page = max(0, min(index, total - 1))
        image = render_page(self.pdf, self.page, 96 * self.devicePixelRatioF())
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(self.devicePixelRatioF())
        self.preview.setPixmap(pixmap)
        self.page_label.setText(f"page {self.page + 1} of {total}")
        self.prev_page.setEnabled(self.page > 0)
        self.next_page.setEnabled(self.page < total - 1)

    # -- output ---------------------------------------------------------------------------------------
    @Slot()
    def print_labels(self) -> None:
        self.render_labels(self._print)

    def _print(self, pdf: bytes) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer, pdf)

    def print_to(self, printer: QPrinter, pdf: bytes, *, as_pdf: bool | None = None) -> None:
        """The PDF itself to a CUPS queue; else page images at the label printer's own resolution
        (600 dpi at most), 1-bit."""
        try:
            fmt = self.label_format()
            dpi = fmt.dpi if fmt.is_thermal else MAX_RASTER_DPI
            done = print_pdf(pdf, printer, title=self.windowTitle(), max_dpi=dpi, mono=True, as_pdf=as_pdf)
        except UserError as exc:
            self.banner.error(exc.message)
            return
        self.banner.ok(done.describe(printer))

    @Slot()
    def save_pdf(self) -> None:
        self.render_labels(self._ask_and_save)

    def _ask_and_save(self, pdf: bytes) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save labels", f"{self.kind}-labels.pdf", "PDF (*.pdf)")
        if name:
            self.save_to(Path(name), pdf)

    def save_to(self, path: Path, pdf: bytes) -> None:
        tmp = path.with_suffix(path.suffix + ".partial")
        try:
            tmp.write_bytes(pdf)
            tmp.replace(path)  # a full disk leaves no half-written PDF behind
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            self.banner.error(f"The PDF could not be saved to {path}: {exc.strerror or exc}")
            return
        self.banner.ok(f"Saved {path}.")
