"""Plant-wide purchasing settings (app_setting "purchasing.*")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from desktop.db import Database
from desktop.errors import UserError
from desktop.services.actor import Actor, Permission
from desktop.services.admin.plant_settings import NumberSettings


@dataclass(frozen=True)
class PurchasingSettings:
    # A line may be received up to this share above its ordered quantity (suppliers ship full cartons);
    # beyond it a supervisor or administrator confirms.
    over_receipt_pct: Decimal = Decimal(10)

    def check(self) -> None:
        if not 0 <= self.over_receipt_pct <= 100:
            raise UserError("The over-receipt tolerance is 0 % to 100 %.", field="over_receipt_pct")


_KEY = "purchasing."


_PURCHASING = NumberSettings(_KEY, PurchasingSettings(), Permission.SET_PLANNING, "settings.purchasing")
read_purchasing = _PURCHASING.read  # inside the caller's transaction


def purchasing_settings(db: Database) -> PurchasingSettings:
    return _PURCHASING.get(db)


def save_purchasing(db: Database, actor: Actor, value: PurchasingSettings) -> PurchasingSettings:
    return _PURCHASING.save(db, actor, value)
