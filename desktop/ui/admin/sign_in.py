"""Signing in at a shared PC: name + PIN, or a scan of the badge; and creating the first administrator."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.db import Database
from desktop.errors import UserError
from desktop.services.actor import Actor
from desktop.services.admin import users
from desktop.services.admin.users import BADGE_PREFIX
from desktop.tasks import Runner
from desktop.ui.common import big_field, show_error, show_failure, wait_for_work
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.scanner import ScanRouter


class SignInDialog(QDialog):
    """Signals:
    signed_in(Actor)
    """

    signed_in = Signal(object)

    def __init__(
        self, db: Database, runner: Runner, parent: QWidget | None = None, *, message: str = ""
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.actor: Actor | None = None
        self.message = message
        self.setWindowTitle("Storeroom — sign in")
        self.setMinimumWidth(460)
        self.banner = FeedbackBanner()
        self.user_name = big_field()
        self.user_name.setPlaceholderText("user name, or scan your badge")
        self.secret = big_field()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("PIN or password")
        form = QFormLayout()
        form.addRow("User", self.user_name)
        form.addRow("PIN", self.secret)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setAutoDefault(False)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<h2>Sign in</h2>{message}"))
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(buttons)
        ScanRouter.install()
        self.user_name.returnPressed.connect(self._user_entered)
        self.secret.returnPressed.connect(self.sign_in)
        buttons.accepted.connect(self.sign_in)
        buttons.rejected.connect(self.reject)
        self.user_name.setFocus()

    def handle_scan(self, code: str) -> bool:
        """A badge scanned wherever the cursor is signs in; any other label is not a way in."""
        if code.startswith(BADGE_PREFIX):
            self.user_name.setText(code)
            self.secret.clear()
            self.sign_in()
        else:
            self.banner.error(f"{code} is not a badge. Scan your badge (U-…) or type your user name.")
            self.user_name.setFocus()
            self.user_name.selectAll()
        return True

    @Slot()
    def _user_entered(self) -> None:
        if self.user_name.text().strip().upper().startswith(BADGE_PREFIX):
            self.sign_in()  # a badge scan is a complete sign-in
        else:
            self.secret.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter belongs to the fields: after the user name it moves to the PIN. Passed on to the
        # dialog it would press "Sign in" with an empty PIN, a failed sign-in in the audit trail.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)

    @Slot()
    def sign_in(self) -> None:
        typed = self.user_name.text().strip()
        if not self.secret.text() and not typed.upper().startswith(BADGE_PREFIX):
            # Enter reaches both the field and the dialog's default button: no PIN is no try (each
            # counted try brings the wrong-PIN lock-out nearer)
            (self.secret if typed else self.user_name).setFocus()
            return
        badge = typed.upper().startswith(BADGE_PREFIX)
        secret = self.secret.text()
        # checking a PIN takes a moment (a deliberately slow hash, the database)
        resume = wait_for_work(self.banner, (self.user_name, self.secret, self.buttons), "Checking…")

        def refused(exc: BaseException) -> None:
            resume()
            if not isinstance(exc, UserError):  # a bug: the crash dialog, not a silent failure
                show_error(self, exc)
                return
            self.banner.error(exc.message)
            self.secret.clear()
            (self.user_name if badge or not typed else self.secret).setFocus()
            self.user_name.selectAll()

        def authenticated(actor: Actor) -> None:
            resume()
            self.actor = actor
            # Out of the key handler first: whoever listens closes this dialog and builds a window, and
            # a line edit deleted inside its own keyPressEvent crashes the app (the hand-over segfault).
            QTimer.singleShot(0, self, self._signed_in)

        self.runner.run(
            lambda: (
                users.authenticate_badge(self.db, typed)
                if badge
                else users.authenticate(self.db, typed, secret)
            ),
            authenticated,
            refused,
        )

    @Slot()
    def _signed_in(self) -> None:
        assert self.actor is not None
        self.signed_in.emit(self.actor)  # the next window is up before this one goes (or the app quits)
        self.accept()


class FirstAdminDialog(QDialog):
    """No account can sign in yet: create the administrator who will add everyone else.

    Signals:
    created(Actor): the administrator exists and is signed in (emitted before the dialog closes)
    """

    created = Signal(object)

    def __init__(
        self, db: Database, runner: Runner, default_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.actor: Actor | None = None
        self.setWindowTitle("Storeroom — first administrator")
        self.banner = FeedbackBanner()
        self.user_name = QLineEdit(default_name)
        self.display_name = QLineEdit()
        self.secret = QLineEdit()
        self.repeat = QLineEdit()
        for edit in (self.secret, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("User name", self.user_name)
        form.addRow("Full name", self.display_name)
        form.addRow("PIN or password", self.secret)
        form.addRow("Repeat it", self.repeat)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(
                "<h2>Create the administrator</h2>This account adds the other users and "
                "gives them their roles. Keep the PIN safe."
            )
        )
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.buttons = buttons
        buttons.accepted.connect(self.create_admin)
        buttons.rejected.connect(self.reject)

    @Slot()
    def create_admin(self) -> None:
        if self.secret.text() != self.repeat.text():
            self.banner.error("The two PINs differ. Type them again.")
            self.secret.clear()
            self.repeat.clear()
            self.secret.setFocus()
            return
        user_name, display_name, secret = self.user_name.text(), self.display_name.text(), self.secret.text()
        resume = wait_for_work(
            self.banner,
            (self.user_name, self.display_name, self.secret, self.repeat, self.buttons),
            "Creating the administrator…",
        )

        def created(actor: Actor) -> None:
            resume()
            self.actor = actor
            QTimer.singleShot(0, self, self._created)  # out of the key handler first, as sign-in

        def refused(exc: BaseException) -> None:
            resume()
            fields = {"user_name": self.user_name, "display_name": self.display_name, "secret": self.secret}
            show_failure(self, self.banner, fields, exc)

        self.runner.run(
            lambda: users.create_first_admin(self.db, user_name, display_name, secret), created, refused
        )

    @Slot()
    def _created(self) -> None:
        assert self.actor is not None
        self.created.emit(self.actor)  # the main window is up before this one goes (or the app quits)
        self.accept()
