"""Plant-wide access settings (app_setting "access.*"): the adjustment value a keeper may post without
a supervisor, and how many wrong PINs lock an account or a PC."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import PermissionDenied, UserError
from desktop.models import Part
from desktop.models.enums import MoveKind
from desktop.services.actor import Actor, Permission
from desktop.services.admin.plant_settings import NumberSettings


@dataclass(frozen=True)
class AccessSettings:
    # An ADJUSTMENT (or COUNT correction) worth more than this (|qty| x unit cost) needs a supervisor:
    # above it, a found or lost quantity goes through a count and its approval. 0: every one does
    # (a part without a cost is worth 0 here, so 0 is also the setting for plants without costs).
    adjust_value_limit: Decimal = Decimal(250)
    pin_failures: int = 5  # wrong PINs in a row that lock an account until an administrator unlocks it
    pc_failures: int = 20  # failed sign-ins in a row (any name or badge) that lock one PC

    def check(self) -> None:
        if self.adjust_value_limit < 0:
            raise UserError("The adjustment value limit cannot be negative.", field="adjust_value_limit")
        if not 3 <= self.pin_failures <= 20:
            raise UserError("An account locks after 3 to 20 wrong PINs.", field="pin_failures")
        if not self.pin_failures <= self.pc_failures <= 200:
            raise UserError(
                "A PC locks after as many failed sign-ins as an account, or more (at most 200).",
                field="pc_failures",
            )


_KEY = "access."


_ACCESS = NumberSettings(_KEY, AccessSettings(), Permission.ADMIN, "settings.access")
read_access = _ACCESS.read  # inside the caller's transaction


def access_settings(db: Database) -> AccessSettings:
    return _ACCESS.get(db)


def save_access(db: Database, actor: Actor, value: AccessSettings) -> AccessSettings:
    return _ACCESS.save(db, actor, value)


_LIMITED = (MoveKind.ADJUSTMENT, MoveKind.COUNT)


def check_adjustment(s: Session, actor: Actor, kind: MoveKind, qty: Decimal, part: Part) -> None:
    """A keeper's adjustment above the value limit is refused: found or lost stock of that value goes
    through a count and a supervisor's approval. Called by every posting path (stock, stock_batch)."""
    if kind not in _LIMITED or actor.can(Permission.ADJUST_ABOVE_LIMIT):
        return
    if _CACHED not in s.info:  # once per transaction: a batch of adjustments reads it once
        s.info[_CACHED] = read_access(s)
    limit: Decimal = s.info[_CACHED].adjust_value_limit
    who = f"{actor.display_name} ({actor.role.value.lower()})"
    value = abs(qty) * Decimal(part.unit_cost)
    if limit == 0:
        raise PermissionDenied(
            f"Every adjustment needs a supervisor here (the adjustment limit is 0), so {who} cannot post "
            "it: ask a supervisor, or count the bin and have the count approved.",
            field="qty",
        )
    if value > limit:
        raise PermissionDenied(
            f"This adjustment is worth {money(value)}, above the {money(limit)} limit {who} may post "
            "alone: a supervisor must post it, or count the bin and have the count approved.",
            field="qty",
        )


_CACHED = "storeroom.access_settings"


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
