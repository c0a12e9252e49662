"""Stock: the move buttons, the latest moves in the whole storeroom, and corrections by reversal."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.models.enums import MoveKind
from desktop.services.actor import Permission
from desktop.services.stock import history as stock_history
from desktop.services.stock.moves import MoveDTO, PostResult
from desktop.services.topics import Topic
from desktop.ui.common import permitted, show_error
from desktop.ui.context import AppContext
from desktop.ui.io.table_export import TableExport
from desktop.ui.operation import change
from desktop.ui.stock.history_table import history_table, selected_move_id, show_moves
from desktop.ui.stock.reverse_dialog import ReverseDialog

MOVE_BUTTONS = (
    (MoveKind.RECEIPT, "Receive", "F5"),
    (MoveKind.ISSUE, "Issue", "F6"),
    (MoveKind.TRANSFER, "Transfer", "F7"),
    (MoveKind.ADJUSTMENT, "Adjust", "F8"),
    (MoveKind.RETURN, "Return", "F9"),
    (MoveKind.SCRAP, "Scrap", ""),
)


class StockPage(QWidget):
    """Signals:
    move_requested(MoveKind): open a move dialog.
    reversed(PostResult): a correction was posted.
    """

    move_requested = Signal(object)
    reversed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.moves: dict[int, MoveDTO] = {}
        can_move = ctx.actor.can(Permission.MOVE_STOCK)
        buttons = QHBoxLayout()
        self.buttons: dict[MoveKind, QPushButton] = {}
        for kind, label, key in MOVE_BUTTONS:
            button = QPushButton(f"{label}\n{key}" if key else label)
            button.setMinimumHeight(56)
            button.setMinimumWidth(110)
            permitted(button, can_move)
            self.buttons[kind] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.reverse_button = QPushButton("Reverse selected move…")
        permitted(self.reverse_button, can_move)
        self.table = history_table()
        self.export_button = TableExport(ctx, self.table, "moves")
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Latest moves</b> (newest first; corrections are new moves, never edits)"), 1)
        top.addWidget(self.reverse_button)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._connect_signals()

    def _connect_signals(self) -> None:
        for kind, button in self.buttons.items():
            button.clicked.connect(lambda _c=False, k=kind: self.move_requested.emit(k))
        self.reverse_button.clicked.connect(self.reverse_selected)

    @Slot()
    def refresh(self) -> None:
        self.ctx.runner.run(lambda: stock_history.history(self.ctx.db, limit=500), self._loaded)

    def _loaded(self, moves: list[MoveDTO]) -> None:
        self.moves = {m.id: m for m in moves}
        show_moves(self.table, moves)

    @Slot()
    def reverse_selected(self) -> ReverseDialog | None:
        move_id = selected_move_id(self.table)
        move = self.moves.get(move_id) if move_id is not None else None
        if move is None:
            show_error(self, _nothing_selected())
            return None
        dialog = ReverseDialog(move, self)
        dialog.accepted.connect(lambda: self.reverse(move.id, dialog.reason.text()))
        dialog.open()
        self.reverse_dialog = dialog
        return dialog

    def reverse(self, move_id: int, reason: str) -> None:
        change(
            self.ctx,
            lambda: stock_history.reverse_move(self.ctx.db, self.ctx.actor, move_id, reason),
            self._reversed,
            topics=(Topic.STOCK,),
            failed=lambda exc: show_error(self, exc),
        )

    def _reversed(self, result: PostResult) -> None:
        self.reversed.emit(result)

    def data_changed(self, what: frozenset[Topic]) -> None:
        if Topic.STOCK in what:
            self.refresh()


def _nothing_selected() -> Exception:
    from desktop.errors import UserError

    return UserError("Select the move to reverse in the list first.")
