"""Plant-wide planning figures, kept in the database so every PC plans and reports alike."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Generic, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import AppSetting
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.text_rules import clean_notes


@dataclass(frozen=True)
class Planning:
    order_cost: Decimal = Decimal(50)  # S in EOQ: the cost of placing one order
    carrying_rate: Decimal = Decimal("0.25")  # a year's carrying cost as a share of stock value
    service_level: Decimal = Decimal("0.95")  # for safety stock
    demand_window_days: int = 90  # demand history the suggestions look at
    dead_days: int = 365  # stock not issued nor received for this long is dead
    excess_days: int = 180  # stock beyond this many days of demand (or above the maximum) is excess
    smoothing_alpha: Decimal = Decimal("0.2")  # exponential smoothing: how far each day moves the level

    def check(self) -> None:
        if self.order_cost < 0:
            raise UserError("The cost per order cannot be negative.", field="order_cost")
        if not 0 < self.carrying_rate <= 2:
            raise UserError("The carrying rate is above 0 % and at most 200 % a year.", field="carrying_rate")
        if not Decimal("0.5") <= self.service_level < 1:
            raise UserError("The service level is between 50 % and 99.9 %.", field="service_level")
        if not 7 <= self.demand_window_days <= 3650:
            raise UserError("The demand window is 7 to 3650 days.", field="demand_window_days")
        if not 30 <= self.dead_days <= 3650:
            raise UserError("Dead stock is 30 to 3650 days without movement.", field="dead_days")
        if not 7 <= self.excess_days <= 3650:
            raise UserError("Excess is beyond 7 to 3650 days of demand.", field="excess_days")
        if not 0 < self.smoothing_alpha <= 1:
            raise UserError("The smoothing factor alpha is above 0 and at most 1.", field="smoothing_alpha")


_KEY = "planning."
S = TypeVar("S")  # a frozen dataclass of settings


def stored_settings(s: Session, prefix: str) -> dict[str, str]:
    """Every stored setting whose key starts with `prefix` (e.g. "planning."), key -> text."""
    return dict(
        s.execute(select(AppSetting.key, AppSetting.value).where(AppSetting.key.like(f"{prefix}%")))
        .tuples()
        .all()
    )


def store_setting(s: Session, key: str, text: str) -> None:
    """Insert or update one setting inside the caller's transaction."""
    row = s.get(AppSetting, key)
    if row is None:
        s.add(AppSetting(key=key, value=text))
    elif row.value != text:
        row.value = text


def read_numbers(s: Session, prefix: str, default: S) -> S:
    """A frozen dataclass of int/Decimal fields from the settings under `prefix`, over `default`."""
    stored = stored_settings(s, prefix)
    values: dict[str, object] = {}
    for f in fields(default):  # type: ignore[arg-type]
        text = stored.get(prefix + f.name)
        if text is None:
            continue
        try:  # a value another version wrote that this one cannot read falls back to the default
            values[f.name] = int(text) if f.type == "int" else Decimal(text)
        except (ValueError, InvalidOperation):
            continue
    return replace(default, **values)  # type: ignore[type-var]


def save_numbers(s: Session, actor: Actor, prefix: str, value: S, action: str) -> None:
    """Store every field of `value` under `prefix`; the changed ones are audited as `action`."""
    before = asdict(read_numbers(s, prefix, type(value)()))  # type: ignore[call-overload]
    after = asdict(value)  # type: ignore[call-overload]
    for name, new in after.items():
        store_setting(s, prefix + name, str(new))
    changed = [f"{k}: {before[k]} -> {v}" for k, v in after.items() if before[k] != v]
    if changed:
        record(s, actor.user_id, action, "setting", None, "; ".join(changed))


class Checked(Protocol):
    def check(self) -> None: ...


C = TypeVar("C", bound=Checked)


class NumberSettings(Generic[C]):
    """One group of number settings (planning, access, purchasing): read inside a transaction or on its
    own, and saved, checked and audited, by those allowed to."""

    def __init__(self, prefix: str, default: C, permission: Permission, action: str) -> None:
        self.prefix, self.default, self.permission, self.action = prefix, default, permission, action

    def read(self, s: Session) -> C:
        """Inside the caller's transaction; an unreadable stored value falls back to the default."""
        return read_numbers(s, self.prefix, self.default)

    def get(self, db: Database) -> C:
        return db.read(self.read)

    def save(self, db: Database, actor: Actor, value: C) -> C:
        actor.require(self.permission)
        value.check()

        def op(s: Session) -> C:
            save_numbers(s, actor, self.prefix, value, self.action)
            return self.read(s)

        return db.write(op)


PLANNING = NumberSettings(_KEY, Planning(), Permission.SET_PLANNING, "settings.planning")
_read = PLANNING.read


def planning(db: Database) -> Planning:
    return PLANNING.get(db)


def save_planning(db: Database, actor: Actor, value: Planning) -> Planning:
    return PLANNING.save(db, actor, value)


@dataclass(frozen=True)
class PlantIdentity:
    """Who the plant is on the documents it sends (purchase orders)."""

    name: str = ""
    address: str = ""  # lines separated by newlines
    deliver_to: str = ""  # where deliveries go (gate, goods receiving); empty: the address


_IDENTITY = "plant."
_IDENTITY_LABELS = {"name": "Plant name", "address": "Plant address", "deliver_to": "Delivery address"}


def read_identity(s: Session) -> PlantIdentity:
    stored = stored_settings(s, _IDENTITY)
    return PlantIdentity(**{f: stored.get(_IDENTITY + f, "") for f in _IDENTITY_LABELS})


def plant_identity(db: Database) -> PlantIdentity:
    return db.read(read_identity)


def save_identity(db: Database, actor: Actor, value: PlantIdentity) -> PlantIdentity:
    """An administrator sets the plant's name and addresses; each text at most 200 characters."""
    actor.require(Permission.ADMIN)
    clean: dict[str, str] = {}
    for f, label in _IDENTITY_LABELS.items():
        text = clean_notes(getattr(value, f), field=f, label=label) or ""
        if len(text) > 200:
            raise UserError(f"{label} is too long ({len(text)} characters, at most 200).", field=f)
        clean[f] = text

    def op(s: Session) -> PlantIdentity:
        before = read_identity(s)
        for f, text in clean.items():
            store_setting(s, _IDENTITY + f, text)
        changed = [label for f, label in _IDENTITY_LABELS.items() if getattr(before, f) != clean[f]]
        if changed:
            record(s, actor.user_id, "settings.plant", "setting", None, "changed " + ", ".join(changed))
        return read_identity(s)

    return db.write(op)
