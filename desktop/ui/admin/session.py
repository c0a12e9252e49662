"""Who is signed in at this PC: sign-in, quick user switch, and sign-out after idle time.

The main window is built for one user (what their role may do decides what it shows), so a switch
closes it and builds a new one for the next person; nothing of the previous user's screen remains.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

from desktop.db import Database
from desktop.services.actor import Actor
from desktop.services.admin import users
from desktop.tasks import Runner
from desktop.ui.admin.sign_in import FirstAdminDialog, SignInDialog
from desktop.ui.common import show_error
from desktop.ui.context import AppContext, AppEvents
from desktop.ui.garbage import return_freed_memory
from desktop.ui.main_window import MainWindow

log = logging.getLogger("storeroom.session")
_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class UserSession(QObject):
    """Signals:
    window_changed(MainWindow | None): a new main window is shown (or none: signed out).
    ended(): nobody signed in and the sign-in was cancelled: the app should quit.
    """

    window_changed = Signal(object)
    ended = Signal()

    def __init__(
        self, db: Database, runner: Runner, events: AppEvents, *, idle_minutes: float, os_user: str = ""
    ) -> None:
        super().__init__()
        self.db = db
        self.runner = runner
        self.events = events
        self.os_user = os_user
        self.actor: Actor | None = None
        self.window: MainWindow | None = None
        self.dialog: SignInDialog | None = None
        self.first_dialog: FirstAdminDialog | None = None
        # Windows and dialogs just closed stay referenced until the event loop is back: deleting one
        # from inside its own key or timer handler is what crashed the hand-over.
        self._retired: list[QObject] = []
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(max(1, int(idle_minutes * 60_000)))
        self.idle.timeout.connect(self.sign_out_idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def start(self) -> None:
        """Ask for the first administrator or a sign-in, whichever the database needs (asked on the
        worker: the event loop is running when the answer comes). `ended` if the first administrator is
        not given, or the database cannot answer."""
        self.runner.run(lambda: users.needs_first_admin(self.db), self._first_screen, self._unanswered)

    def _first_screen(self, needs_admin: bool) -> None:
        if needs_admin:
            self.ask_first_admin()
        else:
            self.ask()

    def _unanswered(self, exc: BaseException) -> None:
        show_error(None, exc)  # the database went away after it opened, or a bug: said, then the app ends
        self.ended.emit()

    def ask_first_admin(self) -> FirstAdminDialog:
        """No account can sign in yet: the first administrator (non-blocking); cancelling ends the app."""
        first = FirstAdminDialog(self.db, self.runner, self.os_user)
        first.created.connect(self.begin)
        first.rejected.connect(self._first_admin_cancelled)
        self.first_dialog = first
        first.show()
        first.raise_()
        first.activateWindow()
        return first

    @Slot()
    def _first_admin_cancelled(self) -> None:
        if self.first_dialog is not None:
            self._retire(self.first_dialog)
        self.first_dialog = None
        if self.actor is None:
            self.ended.emit()

    def ask(self, message: str = "") -> SignInDialog:
        """Show the sign-in dialog (non-blocking); cancelling it with no one signed in ends the app."""
        if self.dialog is not None:  # Ctrl+U twice: one sign-in dialog is enough
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        self.dialog = SignInDialog(self.db, self.runner, message=message)
        self.dialog.signed_in.connect(self.begin)
        self.dialog.rejected.connect(self._cancelled)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    @Slot()
    def _cancelled(self) -> None:
        if self.dialog is not None:
            self._retire(self.dialog)
        self.dialog = None
        if self.actor is None:
            self.ended.emit()

    @Slot(object)
    def begin(self, actor: Actor) -> None:
        """`actor` is signed in: build their main window."""
        self.actor = actor
        for dialog in (self.dialog, self.first_dialog):
            if dialog is not None:
                self._retire(dialog)
        self.dialog, self.first_dialog = None, None
        window = MainWindow(AppContext(self.db, actor, self.runner, self.events))
        window.switch_user_requested.connect(self.switch_user)
        self._replace_window(window)
        window.show()
        self.idle.start()
        log.info("%s signed in", actor.user_name)

    def _replace_window(self, window: MainWindow | None) -> None:
        old, self.window = self.window, window
        if old is not None:
            old.release()
            old.close()
            self._retire(old)
        self.window_changed.emit(window)

    def _retire(self, obj: QObject) -> None:
        """Delete `obj` once the event loop is back, whatever handler of it is running now."""
        self._retired.append(obj)
        obj.deleteLater()
        QTimer.singleShot(0, self, self._drop_retired)

    @Slot()
    def _drop_retired(self) -> None:
        self._retired.clear()
        return_freed_memory()

    @Slot()
    def switch_user(self) -> None:
        self._sign_out(idle=False, message="Next person: sign in.")

    @Slot()
    def sign_out_idle(self) -> None:
        if self.actor is not None:
            self._sign_out(idle=True, message="Signed out after a period without use.")

    def _sign_out(self, *, idle: bool, message: str) -> None:
        if self.actor is not None:
            actor = self.actor
            self.runner.run(
                lambda: users.sign_out(self.db, actor, idle=idle),
                lambda _none: None,
                # the audit line is not worth keeping a user signed in for, nor a dialog
                lambda exc: log.error("could not record the sign-out", exc_info=exc),
            )
        self.actor = None
        self.idle.stop()
        self.ask(message)  # before closing the window: closing the last window would quit the app
        self._replace_window(None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.actor is not None:
            self.idle.start()  # restart the countdown on any keyboard, mouse or scanner activity
        return False

    def set_idle_minutes(self, minutes: float) -> None:
        self.idle.setInterval(max(1, int(minutes * 60_000)))
