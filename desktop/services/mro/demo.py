"""The demo plant's machines: an asset tree with spares fitted, one reservation and a few repairables."""

from __future__ import annotations

import random
from decimal import Decimal

from desktop.db import Database
from desktop.models.enums import AssetLevel, SpareUsage
from desktop.services import mro
from desktop.services.actor import Actor
from desktop.services.mro import AssetInput, ReservationInput
from desktop.services.stock.moves import on_hand

_ASSETS = [  # code, name, level, parent, criticality
    ("PLANT1", "Main plant", AssetLevel.SITE, None, None),
    ("LINE1", "Stamping line", AssetLevel.LINE, "PLANT1", "HIGH"),
    ("PRESS-01", "Press 250 t", AssetLevel.MACHINE, "LINE1", "CRITICAL"),
    ("PRESS-01-HYD", "Press 250 t hydraulic unit", AssetLevel.COMPONENT, "PRESS-01", "CRITICAL"),
    ("CONV-01", "Infeed conveyor", AssetLevel.MACHINE, "LINE1", "MEDIUM"),
    ("LINE2", "Assembly line", AssetLevel.LINE, "PLANT1", None),
    ("ROBOT-01", "Welding robot", AssetLevel.MACHINE, "LINE2", "HIGH"),
    ("PUMP-01", "Coolant pump", AssetLevel.MACHINE, "LINE2", "LOW"),
]


def load_demo_assets(db: Database, actor: Actor, mro_part_ids: list[int], *, seed: int = 7) -> None:
    if not mro_part_ids:
        return
    rng = random.Random(seed)
    ids: dict[str, int] = {}
    fitted: dict[str, list[int]] = {}
    for code, name, level, parent, crit in _ASSETS:
        ids[code] = mro.create_asset(
            db, actor, AssetInput(code, name, level.value, ids.get(parent or ""), crit)
        ).id
    for code, asset_id in ids.items():
        if code in ("PLANT1", "LINE1", "LINE2"):
            continue
        fitted[code] = rng.sample(mro_part_ids, min(len(mro_part_ids), rng.randint(4, 8)))
        for part_id in fitted[code]:
            mro.set_spare(
                db,
                actor,
                asset_id,
                part_id,
                qty_installed=Decimal(rng.choice([1, 1, 2, 4])),
                recommended_qty=Decimal(rng.choice([1, 2])),
                usage=rng.choice(list(SpareUsage)).value,
            )
    first = fitted["PRESS-01"][0]
    # a spare of the press held for its next repair: one in stock (a small demo's first may have none)
    stocked = db.read(lambda s: [p for p in fitted["PRESS-01"] if on_hand(s, p) >= 1])
    held = stocked[0] if stocked else None
    if held is not None:
        mro.reserve(db, actor, ReservationInput(held, Decimal(1), "WO-8001", ids["PRESS-01"]))
    for n, state in enumerate(("AVAILABLE", "IN_REPAIR", "AT_VENDOR")):
        unit = mro.add_serial(db, actor, first, f"SN-{24001 + n}")
        if state != "AVAILABLE":
            mro.change_serial(db, actor, unit.id, "ISSUED", asset_id=ids["PRESS-01"], reference="WO-7990")
            mro.change_serial(db, actor, unit.id, "IN_REPAIR", note="leaking seal")
        if state == "AT_VENDOR":
            mro.change_serial(db, actor, unit.id, "AT_VENDOR", reference="RO-311")
