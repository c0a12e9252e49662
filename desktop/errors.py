"""Error classes shared by every layer.

`UserError` is an expected failure the user can act on (bad input, a locked database, a full disk):
the UI shows its message and keeps what was typed. Anything else is a bug: logged, crash dialog.
"""

from __future__ import annotations

from decimal import Decimal


class UserError(Exception):
    """An expected problem, with a message written for the person at the screen."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Name of the input the message is about, so a dialog can put the cursor there.
        self.field = field

    def __str__(self) -> str:
        return self.message


class NotFound(UserError):
    """A code, id or name that matches nothing."""


class Conflict(UserError):
    """The request clashes with existing data (duplicate number, not enough stock, stale state)."""


class InsufficientStock(Conflict):
    def __init__(self, message: str, *, available: object) -> None:
        super().__init__(message, field="qty")
        self.available = available


class ReservedStock(Conflict):
    """An issue would take stock reserved for work orders; the keeper confirms, or names the order.
    `want` is what the issue would hand over, for the caller's "issue N anyway" (each says how)."""

    def __init__(self, message: str, *, want: Decimal) -> None:
        super().__init__(message, field="qty")
        self.want = want


class PermissionDenied(UserError):
    """The signed-in user's role does not allow this action."""


class DatabaseUnavailable(UserError):
    """The database cannot be used right now (locked, read-only, disk full, connection lost)."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class OutcomeUnknown(DatabaseUnavailable):
    """The connection broke while a commit was under way: the change may or may not have been saved."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=True)
