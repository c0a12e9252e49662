"""Settings: which database this PC uses, backups, and who is signed in."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop import config, paths, schema
from desktop import db as dbmod
from desktop.backups import restore_sqlite
from desktop.services.actor import Permission
from desktop.ui import operation
from desktop.ui.admin.connection_dialog import ConnectionDialog
from desktop.ui.admin.number_format_form import NumberFormatForm
from desktop.ui.catalogue.units_dialog import UnitsDialog
from desktop.ui.common import heading, show_error
from desktop.ui.context import AppContext
from desktop.ui.counts.count_settings_form import CountSettingsForm
from desktop.ui.flow_layout import FlowLayout
from desktop.ui.insight.planning_form import PlanningForm
from desktop.ui.io.data_dialog import DataDialog
from desktop.ui.lots.expiry_form import ExpiryForm
from desktop.ui.purchasing.purchasing_form import PurchasingForm


class SettingsPage(QWidget):
    """Signals:
    restored(): the database was replaced by a backup; the app must restart.
    """

    restored = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.database = QLabel(ctx.db.description)
        self.database.setWordWrap(True)
        self.schema = QLabel("")
        self.user = QLabel(f"{ctx.actor.display_name} ({ctx.actor.role.value.lower()})")
        self.backup_button = QPushButton("Back up now")
        self.backup_button.setEnabled(ctx.db.is_sqlite)
        self.backup_button.setToolTip(
            "Online copy of the SQLite file into the backups folder"
            if ctx.db.is_sqlite
            else "Back up PostgreSQL with pg_dump on the server"
        )
        self.connect_button = QPushButton("Use a shared PostgreSQL server…")
        self.local_button = QPushButton("Use the local SQLite database")
        self.restore_button = QPushButton("Restore from a backup…")
        self.data_button = QPushButton("Import / export…")
        self.restore_button.setEnabled(
            admin_can_restore := ctx.db.is_sqlite and ctx.actor.can(Permission.ADMIN)
        )
        self.restore_button.setToolTip("" if admin_can_restore else "Administrators, on a SQLite database")
        admin = ctx.actor.can(Permission.ADMIN)
        self.connect_button.setEnabled(admin)
        self.local_button.setEnabled(admin and not ctx.db.is_sqlite)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Database", self.database)
        form.addRow("Schema revision", self.schema)
        form.addRow("Data folder", QLabel(str(paths.data_dir())))
        form.addRow("Signed in as", self.user)
        self.units_button = QPushButton("Units of measure…")  # admins add the units their files use
        self.units_button.setEnabled(admin)
        form.addRow("Units", self.units_button)
        buttons = FlowLayout()
        for b in (
            self.data_button,
            self.backup_button,
            self.restore_button,
            self.connect_button,
            self.local_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Settings"))
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.planning = PlanningForm(ctx)
        self.count_settings = CountSettingsForm(ctx)
        forms = FlowLayout()  # side by side on a wide screen, one under the other on a narrow one
        forms.addWidget(self.planning)
        forms.addWidget(self.count_settings)
        self.purchasing = PurchasingForm(ctx)
        forms.addWidget(self.purchasing)
        self.expiry = ExpiryForm(ctx)
        forms.addWidget(self.expiry)
        layout.addLayout(forms)
        self.number_format = NumberFormatForm()
        layout.addWidget(self.number_format)
        layout.addStretch(1)
        self.backup_button.clicked.connect(self.backup)
        self.connect_button.clicked.connect(self.choose_postgres)
        self.local_button.clicked.connect(self.choose_local)
        self.restore_button.clicked.connect(self.choose_backup)
        self.data_button.clicked.connect(self.open_data_dialog)
        self.units_button.clicked.connect(self.open_units_dialog)

    def refresh(self) -> None:
        self.ctx.runner.run(lambda: schema.current_revision(self.ctx.db) or "none", self.schema.setText)
        self.planning.refresh()
        self.count_settings.refresh()
        self.purchasing.refresh()
        self.expiry.refresh()

    @Slot()
    def backup(self) -> None:
        self.ctx.runner.run(
            lambda: dbmod.backup_sqlite(self.ctx.db), self._backed_up, lambda exc: show_error(self, exc)
        )

    def _backed_up(self, path: Path) -> None:
        self.status.setText(f"Backup written to {path}")

    @Slot()
    def open_data_dialog(self) -> DataDialog:
        dialog = DataDialog(self.ctx, self)
        dialog.show()
        self.data_dialog = dialog
        return dialog

    @Slot()
    def open_units_dialog(self) -> UnitsDialog:
        dialog = UnitsDialog(self.ctx, self)
        dialog.show()
        return dialog

    @Slot()
    def choose_backup(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Restore from a backup", str(paths.backups_dir()), "SQLite backups (*.sqlite3)"
        )
        if not name:
            return
        answer = QMessageBox.question(
            self,
            "Storeroom",
            f"Replace the current database with {Path(name).name}?\n"
            "A copy of the current database is kept in the backups folder.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore(Path(name))

    def restore(self, source: Path) -> None:
        def done(safety: Path) -> None:
            self.status.setText(
                f"Restored {source.name}. The previous database is kept as {safety.name}. "
                "Restart Storeroom now."
            )
            self.restored.emit()

        # nothing to announce: the restored file replaces everything and Storeroom asks for a restart
        operation.change(
            self.ctx,
            lambda: restore_sqlite(self.ctx.db, source, self.ctx.actor),
            done,
            topics=(),
            failed=lambda exc: show_error(self, exc),
        )

    @Slot()
    def choose_postgres(self) -> None:
        dialog = ConnectionDialog(self.ctx.runner, self)
        if dialog.exec():
            self.status.setText("Saved the shared server. Restart Storeroom to use it.")

    @Slot()
    def choose_local(self) -> None:
        self.switch_to(str(paths.default_sqlite_path()))

    def switch_to(self, url: str) -> None:
        """Open and upgrade the chosen database first; only a database that works is saved."""

        def saved(description: str) -> None:
            config.save_database_url(url)
            self.status.setText(f"Saved: {description}. Restart Storeroom to use it.")
            QMessageBox.information(
                self, "Storeroom", f"{description} is ready. Restart Storeroom to use it."
            )

        self.ctx.runner.run(lambda: dbmod.try_database(url), saved, lambda exc: show_error(self, exc))
