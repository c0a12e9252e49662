"""Plant-wide purchasing settings (app_setting "purchasing.*")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.services.actor import Actor, Permission
from desktop.services.plant_settings import read_numbers, save_numbers


@dataclass(frozen=True)
class PurchasingSettings:
    # A line may be received up to this share above its ordered quantity (suppliers ship full cartons);
    # beyond it a supervisor or administrator confirms.
    over_receipt_pct: Decimal = Decimal(10)

    def check(self) -> None:
        if not 0 <= self.over_receipt_pct <= 100:
            raise UserError("The over-receipt tolerance is 0 % to 100 %.", field="over_receipt_pct")


_KEY = "purchasing."


def read_purchasing(s: Session) -> PurchasingSettings:
    return read_numbers(s, _KEY, PurchasingSettings())


def purchasing_settings(db: Database) -> PurchasingSettings:
    return db.read(read_purchasing)


def save_purchasing(db: Database, actor: Actor, value: PurchasingSettings) -> PurchasingSettings:
    actor.require(Permission.SET_PLANNING)
    value.check()

    def op(s: Session) -> PurchasingSettings:
        save_numbers(s, actor, _KEY, value, "settings.purchasing")
        return read_purchasing(s)

    return db.write(op)
