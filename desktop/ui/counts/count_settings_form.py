"""Settings > Cycle counts: ABC thresholds, counts a year per class (and for critical spares), tolerance
per class plus a value limit, the working days and holidays the count plan is levelled over. Everyone
sees them; supervisors and administrators change them (as the planning figures)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop.errors import UserError
from desktop.services.actor import Permission
from desktop.services.counts.settings import (
    WEEKDAYS,
    CountSettings,
    count_settings,
    parse_holidays,
    save_count_settings,
)
from desktop.services.topics import Topic
from desktop.ui.common import permitted, show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.insight.planning_form import _spin
from desktop.ui.operation import change


def _per_year() -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, 260)
    box.setSuffix(" a year")
    return box


def _row(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        row.addWidget(w)
    row.addStretch(1)
    return holder


class CountSettingsForm(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Cycle counts (ABC classes, count plan, tolerance)", parent)
        self.ctx = ctx
        self.a_pct, self.b_pct = _spin(1, 99, " %", 1), _spin(0, 99, " %", 1)
        self.c_pct = QLabel("")
        self.per_year = {c: _per_year() for c in "ABC"}
        self.critical = _per_year()
        self.critical.setRange(0, 260)
        self.critical.setSpecialValueText("not raised")
        self.tolerance = {c: _spin(0, 100, " %", 1) for c in "ABC"}
        self.value_limit = _spin(0, 1_000_000, "", 2)
        self.value_limit.setSpecialValueText("no limit")
        self.workdays = [QCheckBox(name) for name in WEEKDAYS]
        self.holidays = QPlainTextEdit()
        self.holidays.setPlaceholderText("one date a line, YYYY-MM-DD")
        self.holidays.setFixedHeight(90)
        self.event_days = QSpinBox()
        self.event_days.setRange(1, 365)
        self.event_days.setSuffix(" days")
        self.save_button = QPushButton("Save count settings")
        self.banner = FeedbackBanner()
        editable = ctx.actor.can(Permission.SET_PLANNING)
        form = QFormLayout(self)
        rows: list[tuple[str, QWidget]] = [
            ("ABC: share of usage value", _row(QLabel("A"), self.a_pct, QLabel("B"), self.b_pct, self.c_pct)),
            ("Counts a year", _row(*[w for c in "ABC" for w in (QLabel(c), self.per_year[c])])),
            ("Critical spares (HIGH, CRITICAL) at least", self.critical),
            ("Tolerance (% of expected)", _row(*[w for c in "ABC" for w in (QLabel(c), self.tolerance[c])])),
            ("Out of tolerance above a value of", self.value_limit),
            ("Working days", _row(*self.workdays)),
            ("Holidays", self.holidays),
            ("Event rules look back", self.event_days),
        ]
        for label, widget in rows:
            widget.setEnabled(editable)
            form.addRow(label, widget)
        self.fields: dict[str, QWidget] = {
            "a_pct": self.a_pct,
            "per_year_a": self.per_year["A"],
            "per_year_b": self.per_year["B"],
            "per_year_c": self.per_year["C"],
            "per_year_critical": self.critical,
            "tolerance_a": self.tolerance["A"],
            "tolerance_b": self.tolerance["B"],
            "tolerance_c": self.tolerance["C"],
            "holidays": self.holidays,
            "workdays": self.workdays[0],
        }
        permitted(self.save_button, editable)
        form.addRow("", self.save_button)
        form.addRow(self.banner)
        self.a_pct.valueChanged.connect(self._show_c)
        self.b_pct.valueChanged.connect(self._show_c)
        self.save_button.clicked.connect(self.save)

    @Slot()
    def _show_c(self) -> None:
        self.c_pct.setText(f"C {100 - self.a_pct.value() - self.b_pct.value():.1f} % (the rest)")

    def refresh(self) -> None:
        self.ctx.runner.run(lambda: count_settings(self.ctx.db), self._show)

    def _show(self, value: CountSettings) -> None:
        self.a_pct.setValue(float(value.a_pct))
        self.b_pct.setValue(float(value.b_pct))
        for c in "ABC":
            self.per_year[c].setValue(value.per_year(c, None))
            self.tolerance[c].setValue(float(value.tolerance_pct(c)))
        self.critical.setValue(value.per_year_critical)
        self.value_limit.setValue(float(value.value_limit))
        for n, box in enumerate(self.workdays, start=1):
            box.setChecked(n in value.workdays)
        self.holidays.setPlainText("\n".join(d.isoformat() for d in value.holidays))
        self.event_days.setValue(value.event_days)

    def value(self) -> CountSettings:
        def dec(box: object) -> Decimal:
            return Decimal(str(box.value()))  # type: ignore[attr-defined]

        return CountSettings(
            a_pct=dec(self.a_pct),
            b_pct=dec(self.b_pct),
            per_year_a=self.per_year["A"].value(),
            per_year_b=self.per_year["B"].value(),
            per_year_c=self.per_year["C"].value(),
            per_year_critical=self.critical.value(),
            tolerance_a=dec(self.tolerance["A"]),
            tolerance_b=dec(self.tolerance["B"]),
            tolerance_c=dec(self.tolerance["C"]),
            value_limit=dec(self.value_limit),
            workdays=tuple(n for n, box in enumerate(self.workdays, start=1) if box.isChecked()),
            holidays=parse_holidays(self.holidays.toPlainText()),
            event_days=self.event_days.value(),
        )

    @Slot()
    def save(self) -> None:
        try:
            wanted = self.value()
        except UserError as exc:
            self._failed(exc)
            return
        change(
            self.ctx,
            lambda: save_count_settings(self.ctx.db, self.ctx.actor, wanted),
            self._saved,
            topics=(Topic.COUNTS,),  # classes, frequencies and working days make today's list
            failed=self._failed,
        )

    def _saved(self, value: CountSettings) -> None:
        self._show(value)
        self.banner.ok(
            "Saved: ABC and tolerance follow these settings on every PC; the count plan keeps the days "
            "already dealt and moves only the days ahead (a new frequency, a day that no longer works)."
        )

    def _failed(self, exc: BaseException) -> None:
        show_failure(self, self.banner, self.fields, exc)
