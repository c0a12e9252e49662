"""Kanban loops with their cards and events, and the MRO asset tree with its spares, for the generated
plant (bench/generate.py). A separate random stream, so adding these left the parts and the ledger of a
given seed exactly as they were.

Loops feed the line-side bins from a supplier (purchase) or from the part's storeroom bin (transfer);
every card has a short history of full cycles (FULL -> EMPTY -> ORDERED/IN_TRANSIT -> FULL) before its
current state, so measured lead times and card ages are realistic. Assets are site > lines > machines >
components, each machine and component with a few MRO spares (where-used).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from desktop.models.enums import PartCategory
from desktop.services.catalogue.units import UNITS

Row = tuple[Any, ...]

LOOP_COLUMNS = (
    "id",
    "part_id",
    "kind",
    "consumption_location_id",
    "supply_location_id",
    "supplier_id",
    "container_qty",
    "card_count",
    "lead_time_days",
    "safety_factor",
    "status",
    "version",
    "created_at",
    "updated_at",
)
CARD_COLUMNS = (
    "id",
    "loop_id",
    "serial",
    "code",
    "version",
    "status",
    "status_since",
    "created_at",
    "updated_at",
)
EVENT_COLUMNS = ("id", "card_id", "from_status", "to_status", "user_id", "at", "move_id", "note")
ASSET_COLUMNS = (
    "id",
    "code",
    "name",
    "parent_id",
    "level",
    "criticality",
    "location_id",
    "notes",
    "active",
    "created_at",
    "updated_at",
)
SPARE_COLUMNS = (
    "id",
    "asset_id",
    "part_id",
    "qty_installed",
    "recommended_qty",
    "usage",
    "created_at",
    "updated_at",
)
# The states a card rests in today, with their share of the cards (most containers are at the line).
_NOW_STATES = (("FULL", 45), ("IN_USE", 25), ("EMPTY", 12), ("ORDERED", 12), ("IN_TRANSIT", 6))
_MACHINES = ("Press", "Lathe", "Mill", "Conveyor", "Robot cell", "Packer", "Compressor", "Pump", "Oven")
_COMPONENTS = ("Gearbox", "Main motor", "Spindle", "Hydraulic unit", "Drive belt", "Control cabinet")


@dataclass
class Floor:
    loops: list[Row] = field(default_factory=list)
    cards: list[Row] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    assets: list[Row] = field(default_factory=list)
    spares: list[Row] = field(default_factory=list)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def build_floor(
    seed: int,
    *,
    parts: list[Row],
    part_bins: list[list[int]],
    line_bins: list[int],
    movers: list[int],
    loops: int,
    cards: int,
    assets: int,
    now: datetime,
) -> Floor:
    rng = random.Random(seed + 1)
    floor = Floor()
    _kanban(rng, floor, parts, part_bins, line_bins, movers, loops, cards, now)
    _assets(rng, floor, parts, assets, now)
    return floor


def _kanban(
    rng: random.Random,
    floor: Floor,
    parts: list[Row],
    part_bins: list[list[int]],
    line_bins: list[int],
    movers: list[int],
    loops: int,
    cards: int,
    now: datetime,
) -> None:
    # a part row: id, number, key, description, category, unit, ...; default supplier at 15, active at 19
    fed = [p for p in parts if p[4] in (PartCategory.RAW.value, PartCategory.WIP.value) and p[19]]
    if not fed or not line_bins:
        return
    chosen = rng.sample(fed, min(loops, len(fed)))
    counts = [cards // len(chosen)] * len(chosen)
    for i in range(cards - sum(counts)):
        counts[i] += 1
    for i in range(0, len(counts) - 1, 2):  # 2-4 cards a loop, same total
        shift = rng.choice((-1, 0, 1)) if counts[i] > 1 and counts[i + 1] > 1 else 0
        counts[i] -= shift
        counts[i + 1] += shift
    card_id = event_id = 0
    for loop_id, (part, count) in enumerate(zip(chosen, counts, strict=True), start=1):
        part_id, unit = part[0], part[5]
        purchase = rng.random() < 0.7
        home = part_bins[part_id - 1][0]
        lead = rng.choice((1, 2, 3, 5, 7, 10, 14)) if purchase else rng.choice((0.5, 1, 1, 2))
        whole = UNITS[unit][1]
        container = float(rng.choice((5, 10, 20, 25, 50, 100))) if whole else round(rng.uniform(2, 40), 1)
        created = now - timedelta(days=rng.randrange(60, 700))
        status = "HOLD" if rng.random() < 0.02 else "ACTIVE"
        floor.loops.append(
            (
                loop_id,
                part_id,
                "PURCHASE" if purchase else "TRANSFER",
                rng.choice(line_bins),
                None if purchase else home,
                part[15] if purchase else None,
                container,
                count,
                lead,
                rng.choice((0.1, 0.2, 0.25, 0.3)),
                status,
                1,
                _stamp(created),
                _stamp(created),
            )
        )
        for serial in range(1, count + 1):
            card_id += 1
            state = rng.choices([s for s, _ in _NOW_STATES], weights=[w for _, w in _NOW_STATES])[0]
            # walk back from today: the current state, then two earlier full cycles
            since = now - timedelta(hours=rng.uniform(1, 24 * lead * 1.6 + 24))
            history = _cycle(rng, since, lead, state)
            floor.cards.append(
                (
                    card_id,
                    loop_id,
                    serial,
                    f"K-{card_id:06d}",
                    1,
                    state,
                    _stamp(since),
                    _stamp(created),
                    _stamp(since),
                )
            )
            previous = None
            for to_status, at in history:
                event_id += 1
                floor.events.append(
                    (event_id, card_id, previous, to_status, rng.choice(movers), _stamp(at), None, None)
                )
                previous = to_status


def _cycle(rng: random.Random, since: datetime, lead: float, state: str) -> list[tuple[str, datetime]]:
    """Events ending in `state` at `since`, preceded by two full replenishment cycles, oldest first."""
    order = ("FULL", "IN_USE", "EMPTY", "ORDERED", "IN_TRANSIT")
    steps = [*order * 2, *order[: order.index(state) + 1]]
    at = since
    events: list[tuple[str, datetime]] = []
    for status in reversed(steps):
        events.append((status, at))
        # time spent in the state before this one: the supply leg takes about the lead time
        at -= timedelta(
            hours=rng.uniform(0.5, 1.5) * (24 * lead / 2 if status in ("IN_TRANSIT", "FULL") else 20)
        )
    return list(reversed(events))


def _assets(rng: random.Random, floor: Floor, parts: list[Row], total: int, now: datetime) -> None:
    spares = [p[0] for p in parts if p[4] == PartCategory.MRO.value and p[19]]
    if total <= 0:
        return
    created = _stamp(now - timedelta(days=800))
    lines = max(1, total // 125)
    machines_per_line = max(1, math.ceil((total - 1 - lines) / (lines * 6)))  # a machine + 5 components
    rows = floor.assets
    rows.append((1, "PLANT1", "Plant 1", None, "SITE", None, None, None, True, created, created))
    spare_id = 0

    def add(code: str, name: str, parent: int, level: str, criticality: str | None) -> int:
        nonlocal spare_id
        asset_id = len(rows) + 1
        rows.append((asset_id, code, name, parent, level, criticality, None, None, True, created, created))
        if level in ("MACHINE", "COMPONENT") and spares:
            for part_id in rng.sample(spares, rng.randint(1, 4)):
                spare_id += 1
                installed = rng.choice((1, 1, 2, 4))
                floor.spares.append(
                    (
                        spare_id,
                        asset_id,
                        part_id,
                        installed,
                        rng.choice((0, 1, 1, 2)),
                        rng.choice(("PREVENTIVE", "ON_FAILURE", "BOTH")),
                        created,
                        created,
                    )
                )
        return asset_id

    for ln in range(1, lines + 1):
        if len(rows) >= total:
            break
        line = add(f"L{ln:02d}", f"Line {ln:02d}", 1, "LINE", None)
        for m in range(1, machines_per_line + 1):
            if len(rows) >= total:
                break
            kind = rng.choice(_MACHINES)
            code = f"L{ln:02d}-M{m:02d}"
            crit = rng.choices(("CRITICAL", "HIGH", "MEDIUM", "LOW"), weights=(1, 2, 4, 3))[0]
            machine = add(code, f"{kind} {code}", line, "MACHINE", crit)
            for c, comp in enumerate(rng.sample(_COMPONENTS, 5), start=1):
                if len(rows) >= total:
                    break
                add(f"{code}-C{c}", f"{comp} of {kind.lower()} {code}", machine, "COMPONENT", crit)
