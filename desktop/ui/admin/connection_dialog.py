"""Connect this PC to the plant's shared PostgreSQL server: address, account, TLS; tested before saving."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import URL

from desktop import config
from desktop import db as dbmod
from desktop.errors import UserError
from desktop.tasks import Runner
from desktop.ui.common import show_failure, wait_for_work
from desktop.ui.feedback import FeedbackBanner

SSL_MODES = [
    ("prefer", "Use TLS if the server offers it"),
    ("require", "Require TLS"),
    ("verify-ca", "Require TLS and check the server's certificate authority"),
    ("verify-full", "Require TLS and check the server's certificate and name"),
    ("disable", "No TLS (trusted network only)"),
]


class ConnectionDialog(QDialog):
    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.setWindowTitle("Shared PostgreSQL server")
        self.setMinimumWidth(560)
        self.url: str | None = None
        self.banner = FeedbackBanner()
        self.host = QLineEdit()
        self.host.setPlaceholderText("server name or address")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit("storeroom")
        self.user = QLineEdit("storeroom")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sslmode = QComboBox()
        for mode, text in SSL_MODES:
            self.sslmode.addItem(text, mode)
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText("CA certificate file (for the two 'check' options)")
        self.test_button = QPushButton("Test connection")
        form = QFormLayout()
        form.addRow("Server", self.host)
        form.addRow("Port", self.port)
        form.addRow("Database", self.database)
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        form.addRow("Encryption", self.sslmode)
        form.addRow("", self.ca_file)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The password is kept in this computer's keyring, not in a file."))
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.test_button.clicked.connect(self.test)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

    def build_url(self) -> str:
        if not self.host.text().strip():
            raise UserError("Enter the server's name or address.")
        query = {"sslmode": str(self.sslmode.currentData())}
        if self.ca_file.text().strip():
            query["sslrootcert"] = self.ca_file.text().strip()
        url = URL.create(
            "postgresql+psycopg",
            username=self.user.text().strip() or None,
            password=self.password.text() or None,
            host=self.host.text().strip(),
            port=self.port.value(),
            database=self.database.text().strip() or None,
            query=query,
        )
        return url.render_as_string(hide_password=False)

    def _try(self, then: Callable[[str], None]) -> None:
        """Open the server and bring its schema up to date in the background; `then(description)`
        on success. The fields wait meanwhile: a server that does not answer takes seconds."""
        try:
            url = self.build_url()
        except UserError as exc:
            self.banner.error(exc.message)
            return
        fields = [child for child in self.findChildren(QWidget) if child is not self.banner]
        resume = wait_for_work(self.banner, fields, "Connecting to the server…")

        def opened(description: str) -> None:
            resume()
            self.url = url
            then(description)

        def failed(exc: BaseException) -> None:
            resume()
            show_failure(self, self.banner, {}, exc)

        self.runner.run(lambda: dbmod.try_database(url), opened, failed)

    @Slot()
    def test(self) -> None:
        self._try(lambda description: self.banner.ok(f"Connected: {description}."))

    @Slot()
    def save(self) -> None:
        self._try(self._save)

    def _save(self, _description: str) -> None:
        assert self.url is not None
        if not config.save_database_url(self.url):
            self.banner.warn(
                "Saved, but this computer has no keyring: the password will be asked at each start."
            )
        self.accept()
