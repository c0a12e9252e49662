"""Who did what: master-data edits, accounts, sign-ins and every stock move, filterable and exportable."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.admin import audit
from desktop.services.admin.audit import AuditRow
from desktop.services.topics import Topic
from desktop.ui.common import fill_table, read_only_table, show_error
from desktop.ui.context import AppContext
from desktop.ui.io.table_export import TableExport


class AuditPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[AuditRow] = []
        self.user = QLineEdit()
        self.user.setPlaceholderText("user name")
        self.text = QLineEdit()
        self.text.setPlaceholderText("contains… (part, bin, action)")
        self.since = QDateEdit(QDate.currentDate().addDays(-30))
        self.until = QDateEdit(QDate.currentDate())
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
        self.stock = QCheckBox("Stock moves")
        self.stock.setChecked(True)
        self.apply = QPushButton("Show")
        self.count = QLabel("")
        self.table = read_only_table(["When", "User", "Action", "Summary"], stretch=3)
        self.export = TableExport(ctx, self.table, "audit trail")
        top = QHBoxLayout()
        for w in (
            self.user,
            self.text,
            QLabel("from"),
            self.since,
            QLabel("to"),
            self.until,
            self.stock,
            self.apply,
            self.export,
            self.count,
        ):
            top.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.apply.clicked.connect(self.refresh)
        self.text.returnPressed.connect(self.refresh)
        self.user.returnPressed.connect(self.refresh)
        self.export.exported.connect(self.count.setText)

    @Slot()
    def refresh(self) -> None:
        since = datetime.combine(self.since.date().toPython(), time.min, tzinfo=UTC)  # type: ignore[arg-type]
        until = datetime.combine(self.until.date().toPython(), time.min, tzinfo=UTC) + timedelta(days=1)  # type: ignore[arg-type]
        user, text, stock = self.user.text().strip() or None, self.text.text(), self.stock.isChecked()
        self.ctx.runner.run(
            lambda: audit.audit_trail(
                self.ctx.db,
                self.ctx.actor,
                user_name=user,
                text=text,
                since=since,
                until=until,
                include_stock=stock,
            ),
            self._loaded,
            lambda exc: show_error(self, exc),
        )

    def _loaded(self, rows: list[AuditRow]) -> None:
        self.rows = rows
        self.count.setText(f"{len(rows):,} line(s)")
        fill_table(
            self.table,
            [
                (r.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), r.user_name, r.action, r.summary)
                for r in rows
            ],
        )

    def data_changed(self, what: frozenset[Topic]) -> None:
        return None  # the audit trail is looked at on demand, not live
