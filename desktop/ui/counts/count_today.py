"""Today's count list: the plan's share for today, the plan's overdue lines (days that passed without
their count, in red) and the event lines (bin left empty, short issue), in walk order with the reason for
each, and one button to start counting the lines not yet in a count."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.services.actor import Permission
from desktop.services.counts import plan as count_plan
from desktop.services.counts import today_list
from desktop.services.counts.plan import PlanSummary
from desktop.services.counts.today_list import TodayList
from desktop.services.topics import Topic
from desktop.ui.common import fill_table, permitted, read_only_table, show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change


class TodayPanel(QWidget):
    """Signals:
    started(int): a count session of today's list was started (its id).
    """

    started = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.summary = QLabel("")
        self.plan_label = QLabel("")
        self.banner = FeedbackBanner()
        self.blind = QCheckBox("Blind")
        self.blind.setChecked(True)
        self.start_button = QPushButton("Start counting today's list")
        can_start = ctx.actor.can(Permission.COUNT) or ctx.actor.can(Permission.PLAN_COUNTS)
        permitted(self.start_button, can_start)
        permitted(self.blind, can_start)
        self.table = read_only_table(["Bin", "Part", "Description", "Class", "Why", "Status"], stretch=4)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.blind)
        top.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plan_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        self.start_button.clicked.connect(self.start)

    def refresh(self) -> None:
        self.ctx.runner.run(lambda: today_list.todays_list(self.ctx.db), self._show, self._failed)
        year = date.today().year
        self.ctx.runner.run(lambda: count_plan.plan_summary(self.ctx.db, year), self._show_plan, self._failed)

    def _show(self, today: TodayList) -> None:
        self.today = today
        left = len(today.to_count)
        self.summary.setText(
            f"{today.day:%A %d %B %Y}: {today.planned} line(s) from the plan, "
            + (f"{today.overdue} overdue from days gone by, " if today.overdue else "")
            + f"{today.events} from events"
            + ("" if today.working_day else " (not a working day: events only)")
            + f" — {left} to count"
        )
        self.start_button.setEnabled(left > 0)
        fill_table(
            self.table,
            [(x.location_code, x.part_number, x.description, x.abc, x.why, x.status) for x in today.lines],
            keys=[(x.part_id, x.location_id) for x in today.lines],
        )
        late = QColor("#B3261E")
        for row, x in enumerate(today.lines):
            cell = self.table.item(row, 5)
            if cell is not None and x.overdue_since is not None and x.session_id is None:
                cell.setForeground(late)  # carried forward from a day gone by: red, as a warning

    def _show_plan(self, p: PlanSummary) -> None:
        spread = f"{p.per_day_min}" if p.per_day_min == p.per_day_max else f"{p.per_day_min}–{p.per_day_max}"
        freq = ", ".join(f"{n} line(s) {f}" for f, n in p.by_class.items())
        self.plan_label.setText(
            f"Plan {p.year}: {p.lines:,} line(s), {p.counts:,} count(s) over {p.working_days} working days "
            f"= {spread} a day" + (f" ({freq})" if freq else "")
        )

    @Slot()
    def start(self) -> None:
        blind = self.blind.isChecked()
        change(
            self.ctx,
            lambda: today_list.start_today(self.ctx.db, self.ctx.actor, blind=blind),
            self._started,
            topics=(Topic.COUNTS,),
            failed=self._failed,
        )

    def _started(self, session_id: int) -> None:
        self.banner.ok(f"Count #{session_id} started with today's list.")
        self.refresh()
        self.started.emit(session_id)

    def _failed(self, exc: BaseException) -> None:
        show_failure(self, self.banner, {}, exc)
