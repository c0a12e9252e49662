"""Managing kanban loops: edit one (size, container, lead time, safety), and the sizing
recommendations with their evidence, accepted with one key press."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import UserError
from desktop.quantities import format_qty, parse_decimal
from desktop.services.actor import Permission
from desktop.services.kanban import loops as kb
from desktop.services.kanban import sizing
from desktop.services.topics import Topic
from desktop.ui.common import action_row, fill_table, permitted, read_only_table, selected_key, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.flow_layout import FlowLayout
from desktop.ui.operation import change


def loop_figures(
    container: QLineEdit, lead: QLineEdit, safety: QLineEdit
) -> tuple[Decimal, Decimal, Decimal]:
    """A loop's container quantity, lead time (days) and safety factor as typed; UserError if not."""
    return (
        parse_decimal(container.text(), what="container quantity"),
        parse_decimal(lead.text(), what="lead time"),
        parse_decimal(safety.text(), what="safety factor", allow_zero=True),
    )


class LoopEditDialog(QDialog):
    """Signals:
    saved(LoopEdit): the loop changed; `to_print` holds the cards to print.
    """

    saved = Signal(object)

    def __init__(self, ctx: AppContext, loop: kb.LoopDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.loop = ctx, loop
        self.setWindowTitle(f"Kanban loop #{loop.id}: {loop.part_number}")
        self.banner = FeedbackBanner()
        self.container = QLineEdit(format_qty(loop.container_qty))
        self.cards = QSpinBox()
        self.cards.setRange(1, 200)
        self.cards.setValue(loop.card_count)
        self.lead = QLineEdit(format_qty(loop.lead_time_days))
        self.safety = QLineEdit(format_qty(loop.safety_factor))
        form = QFormLayout()
        form.addRow("Part", QLabel(f"{loop.part_number} — {loop.description}"))
        form.addRow("From → to", QLabel(f"{loop.supply} → {loop.consumption_code}"))
        form.addRow(f"Container quantity ({loop.unit})", self.container)
        form.addRow("Cards", self.cards)
        form.addRow("Lead time (days)", self.lead)
        form.addRow("Safety factor", self.safety)
        note = QLabel(
            "A new container quantity makes every card of the loop a new version: the old cards are "
            "refused at the scanner, and the new ones are printed when you save."
        )
        note.setWordWrap(True)
        buttons, self.save_button, self.close_button = action_row("Save")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addLayout(buttons)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)

    @Slot()
    def save(self) -> None:
        try:
            container, lead, safety = loop_figures(self.container, self.lead, self.safety)
        except UserError as exc:
            self.banner.error(exc.message)
            return
        cards, loop_id = self.cards.value(), self.loop.id
        change(
            self.ctx,
            lambda: kb.edit_loop(
                self.ctx.db,
                self.ctx.actor,
                loop_id,
                card_count=cards,
                container_qty=container,
                lead_time_days=lead,
                safety_factor=safety,
            ),
            self._saved,
            topics=(Topic.KANBAN,),
            failed=self._failed,
        )

    def _saved(self, edit: kb.LoopEdit) -> None:
        self.saved.emit(edit)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.banner.error(exc.message)
        else:
            show_error(self, exc)


class Recommendations(QWidget):
    """Loops whose card count differs from ceil(D x L x (1 + safety) / container).

    Signals:
    accepted(LoopEdit): a recommendation was applied; print `to_print`.
    """

    accepted = Signal(object)
    HEADERS = (
        "Loop",
        "Part",
        "Description",
        "Cards now",
        "Recommended",
        "Change",
        "Demand / day",
        "Lead time (d)",
        "Lead time from",
        "Container",
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[sizing.Recommendation] = []
        self.banner = FeedbackBanner()
        self.demand_window = QComboBox()
        for days in (30, 60, 90, 180, 365):
            self.demand_window.addItem(f"demand over the last {days} days", days)
        self.demand_window.setCurrentIndex(2)
        self.refresh_button = QPushButton("Refresh")
        self.accept_button = QPushButton("Accept selected and print new cards")
        permitted(self.accept_button, ctx.actor.can(Permission.MANAGE_KANBAN))
        self.table = read_only_table(list(self.HEADERS), numeric=(3, 4, 5, 6, 7, 9), stretch=2)
        top = FlowLayout()
        top.addWidget(QLabel("Cards = ⌈daily demand × lead time × (1 + safety) / container⌉, from"))
        top.addWidget(self.demand_window)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.accept_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self.refresh_button.clicked.connect(self.refresh)
        self.demand_window.currentIndexChanged.connect(self.refresh)
        self.accept_button.clicked.connect(self.accept_selected)
        self.table.doubleClicked.connect(self.accept_selected)

    @Slot()
    def refresh(self) -> None:
        days = int(self.demand_window.currentData())
        self.banner.warn("Computing from the ledger and the card events…")
        self.ctx.runner.run(
            lambda: sizing.recommendations(self.ctx.db, self.ctx.actor, window_days=days),
            self._loaded,
            lambda exc: show_error(self, exc),
        )

    def _loaded(self, rows: list[sizing.Recommendation]) -> None:
        self.rows = rows
        fill_table(
            self.table,
            [
                (
                    r.loop.id,
                    r.loop.part_number,
                    r.loop.description,
                    r.loop.card_count,
                    r.recommended,
                    f"{r.change:+d}",
                    format_qty(r.daily_demand),
                    format_qty(r.lead_days),
                    r.lead_source,
                    f"{format_qty(r.loop.container_qty)} {r.loop.unit}",
                )
                for r in rows
            ],
            keys=list(range(len(rows))),
        )
        self.banner.ok(
            f"{len(rows)} loop(s) to resize." if rows else "Every active loop has the cards it needs."
        )

    @Slot()
    def accept_selected(self) -> None:
        key = selected_key(self.table)
        if key is None or not self.ctx.actor.can(Permission.MANAGE_KANBAN):
            self.banner.error("Select a recommendation first.")
            return
        rec = self.rows[int(key)]  # type: ignore[call-overload]
        change(
            self.ctx,
            lambda: kb.edit_loop(self.ctx.db, self.ctx.actor, rec.loop.id, card_count=rec.recommended),
            self._done,
            topics=(Topic.KANBAN,),
            failed=lambda exc: (
                self.banner.error(exc.message) if isinstance(exc, UserError) else show_error(self, exc)
            ),
        )

    def _done(self, edit: kb.LoopEdit) -> None:
        self.banner.ok(f"Loop #{edit.loop.id} now has {edit.loop.card_count} cards.")
        self.accepted.emit(edit)
        self.refresh()
