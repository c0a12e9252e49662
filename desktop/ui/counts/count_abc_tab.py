"""The ABC (Pareto) tab of Cycle counts: the Pareto chart of usage value, recomputing the classes, and
pinning a part's class by hand (or letting it follow its usage value again).

One tab per module, as the rest of `ui/counts`; the page is `counts_page`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.errors import UserError
from desktop.services.actor import Permission
from desktop.services.counts import abc as count_abc
from desktop.services.counts.abc import AbcRow
from desktop.services.topics import Topic
from desktop.ui.common import permitted
from desktop.ui.context import AppContext
from desktop.ui.counts.count_pareto import ParetoView
from desktop.ui.flow_layout import FlowLayout
from desktop.ui.operation import change


class AbcTab(QWidget):
    """The classes and their chart; `failed` shows what went wrong (the page's failure handling)."""

    def __init__(
        self, ctx: AppContext, failed: Callable[[BaseException], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._failed = failed
        can_plan = ctx.actor.can(Permission.PLAN_COUNTS)
        self.classify_button = QPushButton("Recompute ABC classes")
        permitted(self.classify_button, can_plan)
        self.pareto = ParetoView()
        self.abc_label = QLabel("")
        self.override_part = QLineEdit()
        self.override_part.setPlaceholderText("part number (P-…)")
        self.override_class = QComboBox()
        self.override_class.addItem("follow usage value", None)
        for cls in "ABC":
            self.override_class.addItem(f"always {cls}", cls)
        self.override_button = QPushButton("Set class")
        for override_tool in (self.override_part, self.override_class, self.override_button):
            permitted(override_tool, can_plan)
        top = FlowLayout().stretch_first()
        top.addWidget(self.abc_label)
        top.addWidget(self.override_part)
        top.addWidget(self.override_class)
        top.addWidget(self.override_button)
        top.addWidget(self.classify_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.pareto, 1)
        self.classify_button.clicked.connect(self.classify)
        self.override_button.clicked.connect(self.override)
        self.override_part.returnPressed.connect(self.override)

    @Slot()
    def classify(self) -> None:
        change(  # a part's class decides how often it is on today's list
            self.ctx,
            lambda: count_abc.classify(self.ctx.db, self.ctx.actor),
            self._classified,
            topics=(Topic.COUNTS,),
            failed=self._failed,
        )

    def _classified(self, rows: list[AbcRow]) -> None:
        self.abc_label.setText(
            f"Classes recomputed: {sum(1 for r in rows if r.abc == 'A')} A, "
            f"{sum(1 for r in rows if r.abc == 'B')} B, {sum(1 for r in rows if r.abc == 'C')} C parts "
            "(overrides kept)."
        )
        self.refresh()

    @Slot()
    def override(self) -> None:
        number, cls = self.override_part.text(), self.override_class.currentData()
        change(
            self.ctx,
            lambda: count_abc.set_override(self.ctx.db, self.ctx.actor, number, cls),
            lambda now: self.abc_label.setText(
                f"{number.strip().upper()}: class {now}" + (" (pinned)" if cls else " (from its usage value)")
            ),
            topics=(Topic.COUNTS,),
            failed=lambda exc: (
                self.abc_label.setText(exc.message) if isinstance(exc, UserError) else self._failed(exc)
            ),
        )

    def refresh(self) -> None:
        self.ctx.runner.run(lambda: count_abc.pareto(self.ctx.db), self.pareto.show_pareto, self._failed)
