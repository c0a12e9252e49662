"""Plant-wide cycle-count settings in the database (app_setting), so every PC classifies, plans and
judges tolerance alike: ABC thresholds, counts per year per class, tolerance per class plus an absolute
value limit, and the working-day calendar the plan is levelled over."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import AppSetting
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.admin.plant_settings import store_setting, stored_settings

CRITICAL = ("HIGH", "CRITICAL")  # part criticalities whose counts may be raised above their class
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class CountSettings:
    a_pct: Decimal = Decimal(80)  # share of the usage value in class A; C takes what A and B leave
    b_pct: Decimal = Decimal(15)
    per_year_a: int = 12
    per_year_b: int = 4
    per_year_c: int = 1
    per_year_critical: int = 4  # HIGH / CRITICAL parts at least this often whatever their class; 0 = off
    tolerance_a: Decimal = Decimal(0)  # % of the expected quantity
    tolerance_b: Decimal = Decimal(2)
    tolerance_c: Decimal = Decimal(5)
    value_limit: Decimal = Decimal(50)  # a variance worth more is out of tolerance in any class; 0 = off
    workdays: tuple[int, ...] = (1, 2, 3, 4, 5)  # ISO weekdays (1 = Monday)
    holidays: tuple[date, ...] = ()
    event_days: int = 30  # how far back the event rules (bin left empty, short issue) look

    @property
    def c_pct(self) -> Decimal:
        return 100 - self.a_pct - self.b_pct

    def per_year(self, abc: str, criticality: str | None) -> int:
        base = {"A": self.per_year_a, "B": self.per_year_b}.get(abc, self.per_year_c)
        return max(base, self.per_year_critical) if criticality in CRITICAL else base

    def tolerance_pct(self, abc: str) -> Decimal:
        return {"A": self.tolerance_a, "B": self.tolerance_b}.get(abc, self.tolerance_c)

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() in self.workdays and day not in self.holidays

    def check(self) -> None:
        if not (0 < self.a_pct < 100 and self.b_pct >= 0 and self.a_pct + self.b_pct <= 100):
            raise UserError("ABC thresholds: A between 0 and 100 %, and A + B at most 100 %.", field="a_pct")
        for name in ("per_year_a", "per_year_b", "per_year_c"):
            if not 1 <= getattr(self, name) <= 260:
                raise UserError("Counts per year are 1 to 260 for each class.", field=name)
        if not 0 <= self.per_year_critical <= 260:
            raise UserError(
                "Counts per year for critical parts are 0 (off) to 260.", field="per_year_critical"
            )
        for name in ("tolerance_a", "tolerance_b", "tolerance_c"):
            if not 0 <= getattr(self, name) <= 100:
                raise UserError("A tolerance is 0 to 100 % of the expected quantity.", field=name)
        if self.value_limit < 0:
            raise UserError("The value limit cannot be negative (0 means no limit).", field="value_limit")
        if not self.workdays or not set(self.workdays) <= set(range(1, 8)):
            raise UserError("Choose at least one working weekday.", field="workdays")
        if not 1 <= self.event_days <= 365:
            raise UserError("The event rules look back 1 to 365 days.", field="event_days")


def parse_holidays(text: str) -> tuple[date, ...]:
    """Dates as YYYY-MM-DD, separated by commas, spaces or new lines; sorted, without repeats."""
    out: set[date] = set()
    for token in text.replace(",", " ").replace(";", " ").split():
        try:
            out.add(date.fromisoformat(token))
        except ValueError:
            raise UserError(
                f"'{token}' is not a date: write holidays as YYYY-MM-DD.", field="holidays"
            ) from None
    return tuple(sorted(out))


_KEY = "counts."
_HOLIDAYS = _KEY + "holidays."  # one key per year: "counts.holidays.2025" = "01-01,12-25" (fits 200)


def _parse(name: str, text: str) -> object:
    if name == "workdays":
        return tuple(sorted({int(x) for x in text.split(",") if x}))
    default = getattr(CountSettings(), name)
    return int(text) if isinstance(default, int) else Decimal(text)


def _read(s: Session) -> CountSettings:
    stored = stored_settings(s, _KEY)
    values: dict[str, object] = {}
    holidays: list[date] = []
    for key, text in stored.items():
        try:  # a value another version wrote that this one cannot read falls back to the default
            if key.startswith(_HOLIDAYS):
                year = int(key.removeprefix(_HOLIDAYS))
                holidays += [date(year, int(md[:2]), int(md[3:])) for md in text.split(",") if md]
            elif key.removeprefix(_KEY) in CountSettings.__dataclass_fields__:
                values[key.removeprefix(_KEY)] = _parse(key.removeprefix(_KEY), text)
        except (ValueError, InvalidOperation):
            continue
    return replace(CountSettings(), holidays=tuple(sorted(holidays)), **values)  # type: ignore[arg-type]


def _stored(value: CountSettings) -> dict[str, str]:
    out = {
        _KEY + k: (",".join(map(str, v)) if k == "workdays" else str(v))
        for k, v in asdict(value).items()
        if k != "holidays"
    }
    for day in value.holidays:
        key = f"{_HOLIDAYS}{day.year}"
        out[key] = ",".join(filter(None, [out.get(key, ""), day.strftime("%m-%d")]))
    return out


def read_count_settings(s: Session) -> CountSettings:
    """The settings inside the caller's transaction."""
    return _read(s)


def count_settings(db: Database) -> CountSettings:
    return db.read(_read)


def _describe(value: CountSettings) -> dict[str, str]:
    shown = {k: str(v) for k, v in asdict(value).items() if k not in ("workdays", "holidays")}
    shown["workdays"] = " ".join(WEEKDAYS[d - 1] for d in value.workdays)
    shown["holidays"] = ", ".join(d.isoformat() for d in value.holidays) or "none"
    return shown


def save_count_settings(db: Database, actor: Actor, value: CountSettings) -> CountSettings:
    """Supervisors and administrators, as for the planning figures; every change is audited."""
    actor.require(Permission.SET_PLANNING)
    value = replace(
        value, workdays=tuple(sorted(set(value.workdays))), holidays=tuple(sorted(set(value.holidays)))
    )
    value.check()

    def op(s: Session) -> CountSettings:
        before = _describe(_read(s))
        wanted = _stored(value)
        s.execute(
            delete(AppSetting).where(
                AppSetting.key.like(f"{_HOLIDAYS}%"), AppSetting.key.not_in(list(wanted))
            )
        )
        for key, text in wanted.items():
            store_setting(s, key, text)
        after = _describe(value)
        changed = [f"{k}: {before[k]} -> {v}" for k, v in after.items() if before[k] != v]
        if changed:
            record(s, actor.user_id, "settings.counts", "setting", None, "; ".join(changed))
        s.flush()
        return _read(s)

    return db.write(op)
