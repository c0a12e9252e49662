"""Units of measure: the built-in ones with the names files use for them, and a form for an admin to add
a unit (its code, its name, other names) so imports and the part card accept it."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialog, QFormLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.services.catalogue import units
from desktop.ui.common import fill_table, read_only_table, show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change


class UnitsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Units of measure")
        self.resize(640, 520)
        self.banner = FeedbackBanner()
        self.table = read_only_table(["Code", "Name", "Whole numbers", "Also read from files as"], stretch=3)
        self.code = QLineEdit()
        self.code.setMaxLength(8)
        self.code.setPlaceholderText("e.g. BAG")
        self.name = QLineEdit()
        self.name.setMaxLength(40)
        self.aliases = QLineEdit()
        self.aliases.setMaxLength(200)
        self.aliases.setPlaceholderText("other names, comma separated: sack, sacks")
        self.add_button = QPushButton("Add unit")
        form = QFormLayout()
        form.addRow("Code", self.code)
        form.addRow("Name", self.name)
        form.addRow("Other names", self.aliases)
        form.addRow("", self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        self.add_button.clicked.connect(self.add)
        self.refresh()

    def refresh(self) -> None:
        self.ctx.runner.run(lambda: units.list_units(self.ctx.db), self._loaded)

    def _loaded(self, known: units.Units) -> None:
        names: dict[str, list[str]] = {}
        for name, code in known.names.items():
            if name != code:
                names.setdefault(code, []).append(name.lower())
        fill_table(
            self.table,
            [
                (code, name, "yes" if whole else "no", ", ".join(sorted(names.get(code, []))))
                for code, (name, whole) in known.units.items()
            ],
        )

    @Slot()
    def add(self) -> None:
        code, name, aliases = self.code.text(), self.name.text(), self.aliases.text()
        change(
            self.ctx,
            lambda: units.add_unit(self.ctx.db, self.ctx.actor, code, name, aliases),
            self._added,
            topics=(),  # no page lists units: the part card and imports read them when they open
            failed=self._failed,
        )

    def _added(self, code: str) -> None:
        self.banner.ok(f"Unit {code} added: imports and the part card accept it now.")
        for edit in (self.code, self.name, self.aliases):
            edit.clear()
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        show_failure(self, self.banner, {"code": self.code, "name": self.name, "aliases": self.aliases}, exc)
