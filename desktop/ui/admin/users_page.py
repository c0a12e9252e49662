"""Administrators add people, give them a role, a PIN and a badge, and disable them when they leave."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import Role
from desktop.services.actor import ROLE_PERMISSIONS
from desktop.services.admin import users
from desktop.services.admin.sign_in_guard import Lock
from desktop.services.admin.users import UserDTO
from desktop.services.topics import Topic
from desktop.ui.admin.access_settings_form import AccessSettingsForm
from desktop.ui.catalogue.labels_dialog import LabelsDialog
from desktop.ui.common import fill_table, heading, read_only_table, selected_key, show_error, show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change


class UserDialog(QDialog):
    """Signals:
    saved(UserDTO)
    """

    saved = Signal(object)

    def __init__(self, ctx: AppContext, user: UserDTO | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.user = user
        self.setWindowTitle(f"User {user.user_name}" if user else "New user")
        self.banner = FeedbackBanner()
        self.user_name = QLineEdit(user.user_name if user else "")
        self.display_name = QLineEdit(user.display_name if user else "")
        self.role = QComboBox()
        for role in Role:
            allowed = ", ".join(sorted(p.value for p in ROLE_PERMISSIONS[role]))
            self.role.addItem(role.value.capitalize(), role.value)
            self.role.setItemData(self.role.count() - 1, allowed, 3)  # tooltip: what the role may do
        self.role.setCurrentIndex(self.role.findData((user.role if user else Role.KEEPER).value))
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText(
            "leave empty to keep the current PIN" if user else "at least 4 characters"
        )
        self.badge = QLineEdit(user.badge_code or "" if user else "")
        self.badge.setPlaceholderText("scan the badge, or press New badge")
        self.new_badge = QPushButton("New badge")
        self.active = QCheckBox("Active (may sign in)")
        self.active.setChecked(user.active if user else True)
        badge_row = QHBoxLayout()
        badge_row.addWidget(self.badge, 1)
        badge_row.addWidget(self.new_badge)
        form = QFormLayout()
        form.addRow("User name", self.user_name)
        form.addRow("Full name", self.display_name)
        form.addRow("Role", self.role)
        form.addRow("PIN or password", self.secret)
        form.addRow("Badge", badge_row)
        form.addRow("", self.active)
        self.fields = {
            "user_name": self.user_name,
            "display_name": self.display_name,
            "secret": self.secret,
            "badge_code": self.badge,
        }
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.new_badge.clicked.connect(lambda: self.badge.setText(users.new_badge_code()))

    @Slot()
    def save(self, owner_password: str | None = None) -> None:
        user_id = self.user.id if self.user else None
        name, display, secret = self.user_name.text(), self.display_name.text(), self.secret.text() or None
        role, badge, active = (
            Role(self.role.currentData()),
            self.badge.text() or None,
            self.active.isChecked(),
        )
        change(
            self.ctx,
            lambda: users.save_user(
                self.ctx.db,
                self.ctx.actor,
                user_id=user_id,
                user_name=name,
                display_name=display,
                role=role,
                secret=secret,
                badge_code=badge,
                active=active,
                owner_password=owner_password,
            ),
            self._saved,
            topics=(Topic.USERS,),
            failed=self._failed,
        )

    def _saved(self, user: UserDTO) -> None:
        self.saved.emit(user)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, users.OwnerRequired):  # a shared server: accounts need the owner's login
            password, ok = QInputDialog.getText(self, "Storeroom", exc.message, QLineEdit.EchoMode.Password)
            if ok and password:
                self.save(password)
                return
        show_failure(self, self.banner, self.fields, exc)


class UsersPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[UserDTO] = []
        self.table = read_only_table(["User", "Name", "Role", "PIN set", "Badge", "Active"], stretch=1)
        self.new_button = QPushButton("New user…")
        self.edit_button = QPushButton("Edit…")
        self.unlock_button = QPushButton("Unlock…")
        self.unlock_button.setToolTip("Accounts and PCs locked by wrong PINs")
        self.badge_button = QPushButton("Print badge…")
        top = QHBoxLayout()
        top.addWidget(heading("Users"), 1)
        top.addWidget(self.new_button)
        top.addWidget(self.edit_button)
        top.addWidget(self.unlock_button)
        top.addWidget(self.badge_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        self.banner = FeedbackBanner()
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        self.limits = AccessSettingsForm(ctx)
        layout.addWidget(self.limits)
        self.new_button.clicked.connect(lambda: self.open_dialog(None))
        self.edit_button.clicked.connect(self._edit_selected)
        self.badge_button.clicked.connect(self.print_badge)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self._edit_selected())
        self.unlock_button.clicked.connect(self.choose_unlock)

    @Slot()
    def refresh(self) -> None:
        self.ctx.runner.run(lambda: users.list_users(self.ctx.db, self.ctx.actor), self._loaded)
        self.limits.refresh()

    def _loaded(self, rows: list[UserDTO]) -> None:
        self.rows = rows
        fill_table(
            self.table,
            [
                (
                    u.user_name,
                    u.display_name,
                    u.role.value.capitalize(),
                    "yes" if u.has_secret else "no",
                    u.badge_code or "",
                    "yes" if u.active else "no",
                )
                for u in rows
            ],
            keys=[u.id for u in rows],
        )

    @Slot()
    def _edit_selected(self) -> None:
        key = selected_key(self.table)
        user = next((u for u in self.rows if u.id == key), None)
        if user is not None:
            self.open_dialog(user)

    @Slot()
    def print_badge(self) -> LabelsDialog | None:
        """The selected user's badge, on a CR80 card or any label format."""
        key = selected_key(self.table)
        if key is None:
            return None
        self.labels_dialog = LabelsDialog(
            self.ctx, "badge", [int(str(key))], title="Print badge", parent=self
        )
        self.labels_dialog.show()
        return self.labels_dialog

    def open_dialog(self, user: UserDTO | None) -> UserDialog:
        dialog = UserDialog(self.ctx, user, self)
        dialog.saved.connect(lambda _u: self.refresh())
        dialog.open()
        self.dialog = dialog
        return dialog

    @Slot()
    def choose_unlock(self) -> None:
        self.ctx.runner.run(lambda: users.locked_out(self.ctx.db, self.ctx.actor), self._pick_lock)

    def _pick_lock(self, locks: list[Lock]) -> None:
        if not locks:
            self.banner.ok("No account or PC is locked.")
            return
        labels = [
            f"{'Account' if k.scope == 'user' else 'PC'} {k.key} — locked "
            f"{k.locked_at.astimezone():%d %b %H:%M} after {k.failures} failures"
            for k in locks
        ]
        label, ok = QInputDialog.getItem(self, "Unlock", "Unlock which account or PC?", labels, 0, False)
        if ok:
            self.unlock(locks[labels.index(label)])

    def unlock(self, lock: Lock) -> None:
        name, pc = (lock.key, None) if lock.scope == "user" else (None, lock.key)
        change(
            self.ctx,
            lambda: users.unlock(self.ctx.db, self.ctx.actor, user_name=name, pc=pc),
            lambda _none: self.banner.ok(f"{lock.key} is unlocked: it may sign in again."),
            topics=(Topic.USERS,),  # whether an account may sign in is part of the account
            failed=lambda exc: show_error(self, exc),
        )

    def data_changed(self, what: frozenset[Topic]) -> None:
        if Topic.USERS in what and self.isVisible():
            self.refresh()
