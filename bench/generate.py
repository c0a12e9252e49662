"""A deterministic plant-scale Storeroom database, written by bulk inserts.

    python -m bench.generate bench/data/plant.sqlite3 [--scale 1.0] [--seed N] [--force]
    python -m bench.generate postgresql://user:pw@host/dbname [--scale 1.0]

At scale 1: 100,000 parts, 200 suppliers (about 150,000 part-supplier rows), a location tree of one site,
10 areas, 400 racks and 20,000 bins, 40 users, 2,000,000 stock moves over five years and the balances
they add up to, and about 60,000 purchase-order lines, 20,000 of them open, whose receipts are RECEIPT
moves of that ledger (bench/generate_purchasing.py). The schema is made by the app's own migrations
(`desktop.db.open_database`); the rows are then written with SQLite `executemany` or PostgreSQL `COPY`,
with the secondary indexes dropped during the load and re-created from their own definitions afterwards
(checked to be identical).

Stock moves are simulated in time order per (part, bin), so no balance is ever driven below zero, and
the balances written are the simulation's end state; `verify` checks in SQL that every balance equals
the sum of its moves (ledger - balance, GROUP BY part and location, must be zero everywhere) and that
no running balance ever went negative.

Values are stored exactly as the app stores them: on SQLite, Numeric columns as numbers (SQLAlchemy
binds Decimal as float there) and timestamps as 'YYYY-MM-DD HH:MM:SS' UTC text. Fractional
quantities (metres, kilograms, litres) are in steps of 0.1.
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import make_url

from bench.catalogue import ADJUSTMENT_REASONS, FAMILIES, person_names, supplier_names
from bench.generate_floor import (
    ASSET_COLUMNS,
    CARD_COLUMNS,
    EVENT_COLUMNS,
    LOOP_COLUMNS,
    SPARE_COLUMNS,
    build_floor,
)
from bench.generate_purchasing import LINE_COLUMNS, ORDER_COLUMNS, RECEIPT_COLUMNS, Orders
from desktop.db import normalize_url, open_database
from desktop.models.enums import LocationLevel, LocationType, MoveKind, PartCategory, Role
from desktop.services.admin.secrets import hash_secret
from desktop.services.catalogue.units import UNITS
from desktop.services.insight import kpi_days

DEFAULT_SEED = 20_261_125
BENCH_PIN = "2468"  # every generated account's PIN (scripts sign in with --user NAME + STOREROOM_PIN)
ADMIN_USER = "bench-admin"
END = datetime(2026, 11, 1)  # fixed, so a seed always gives the same database; naive = UTC
YEARS = 5
DAYS = YEARS * 365 + 1
START = END - timedelta(days=DAYS)
BINS_PER_RACK = 50  # shelves A-E x positions 01-10
RACKS_PER_AREA = 40

Row = tuple[Any, ...]
Say = Callable[[str], None]


@dataclass(frozen=True)
class Sizes:
    parts: int
    suppliers: int
    bins: int
    users: int
    moves: int
    loops: int
    cards: int
    assets: int
    po_lines: int  # purchase-order lines, a third of them open

    @classmethod
    def scaled(cls, scale: float) -> Sizes:
        if scale <= 0:
            raise ValueError("scale must be positive")
        return cls(
            parts=max(60, round(100_000 * scale)),
            suppliers=max(5, round(200 * scale)),
            bins=max(20, round(20_000 * scale)),
            users=max(12, round(40 * min(scale, 1.0))),
            moves=max(1_000, round(2_000_000 * scale)),
            loops=max(10, round(2_000 * scale)),
            cards=max(30, round(6_000 * scale)),
            assets=max(20, round(5_000 * scale)),
            po_lines=max(120, round(60_000 * scale)),
        )


@dataclass
class GenStats:
    url: str
    scale: float
    seed: int
    sizes: Sizes
    rows: dict[str, int] = field(default_factory=dict)
    kinds: dict[str, int] = field(default_factory=dict)
    po_states: dict[str, int] = field(default_factory=dict)  # purchase orders per state
    po_open_lines: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    verification: Verification | None = None

    @property
    def total_seconds(self) -> float:
        return sum(v for k, v in self.seconds.items() if k != "verify")


@dataclass(frozen=True)
class Verification:
    counts: dict[str, int]
    ledger_keys: int
    drift: int  # (part, location) keys whose balance differs from the sum of their moves
    receipt_drift: int  # order lines whose received quantity is not the sum of their receipts
    missing_balance_rows: int
    negative_balances: int
    negative_running: int | None  # moves after which a running balance was below zero (None: not checked)
    foreign_key_errors: int | None
    seconds: float

    @property
    def ok(self) -> bool:
        return (
            self.drift == 0
            and self.receipt_drift == 0
            and self.missing_balance_rows == 0
            and self.negative_balances == 0
            and not self.negative_running
            and not self.foreign_key_errors
        )


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


# --- master data ------------------------------------------------------------------------------------------


@dataclass
class Plant:
    users: list[Row]
    movers: list[int]  # ids of users who post stock moves (keepers, maintenance)
    suppliers: list[Row]
    locations: list[Row]
    storeroom_bins: list[int]
    crib_bins: list[int]
    line_bins: list[int]
    parts: list[Row]
    part_suppliers: list[Row]
    # per part (index = id - 1): its bins, first = home bin; stock simulation parameters
    part_bins: list[list[int]]
    step: list[int]  # smallest quantity in tenths: 10 for whole units, 1 for 0.1 steps
    lot: list[int]  # receipt lot, tenths
    issue_max: list[int]  # largest single issue, in steps
    reorder: list[int]  # reorder point, tenths
    cost: list[float]
    weight: list[float]  # how often the part moves


USER_COLUMNS = (
    "id",
    "user_name",
    "display_name",
    "role",
    "secret_hash",
    "badge_code",
    "active",
    "created_at",
    "updated_at",
)
SUPPLIER_COLUMNS = (
    "id",
    "name",
    "name_key",
    "contact",
    "email",
    "phone",
    "active",
    "created_at",
    "updated_at",
)
LOCATION_COLUMNS = (
    "id",
    "code",
    "name",
    "parent_id",
    "level",
    "type",
    "path",
    "walk_order",
    "allow_negative",
    "active",
    "notes",
    "created_at",
    "updated_at",
)
PART_COLUMNS = (
    "id",
    "part_number",
    "number_key",
    "description",
    "category",
    "unit",
    "unit_cost",
    "abc_class",
    "abc_override",
    "criticality",
    "min_qty",
    "max_qty",
    "reorder_point",
    "safety_stock",
    "lead_time_days",
    "default_supplier_id",
    "manufacturer",
    "manufacturer_part_number",
    "mpn_key",
    "active",
    "notes",
    "created_at",
    "updated_at",
)
PART_SUPPLIER_COLUMNS = (
    "id",
    "part_id",
    "supplier_id",
    "supplier_part_number",
    "sku_key",
    "price",
    "pack_qty",
    "lead_time_days",
    "created_at",
    "updated_at",
)
MOVE_COLUMNS = (
    "id",
    "part_id",
    "from_location_id",
    "to_location_id",
    "qty",
    "kind",
    "reason",
    "reference",
    "unit_cost",
    "user_id",
    "at",
    "reverses_move_id",
    "posting_key",
)
BALANCE_COLUMNS = ("part_id", "location_id", "qty", "updated_at")
# tables whose id sequence PostgreSQL must move past the loaded ids
SEQUENCED = (
    "app_user",
    "supplier",
    "location",
    "part",
    "part_supplier",
    "stock_move",
    "kanban_loop",
    "kanban_card",
    "kanban_card_event",
    "asset",
    "asset_spare",
    "purchase_order",
    "purchase_order_line",
    "purchase_receipt",
)


def _users(rng: random.Random, count: int) -> tuple[list[Row], list[int]]:
    keepers = max(8, round(count * 0.6))
    techs = max(1, round(count * 0.15))
    clerks = max(1, round(count * 0.1))
    supervisors = max(1, round(count * 0.05))
    viewers = max(0, count - 1 - keepers - techs - clerks - supervisors)
    plan = [(Role.ADMIN, ADMIN_USER)]
    for role, prefix, n in (
        (Role.SUPERVISOR, "supervisor", supervisors),
        (Role.KEEPER, "keeper", keepers),
        (Role.MAINTENANCE, "tech", techs),
        (Role.CLERK, "clerk", clerks),
        (Role.VIEWER, "viewer", viewers),
    ):
        plan += [(role, f"{prefix}{i:02d}") for i in range(1, n + 1)]
    names = person_names(rng, len(plan))
    created = _stamp(START - timedelta(days=30))
    rows: list[Row] = []
    movers: list[int] = []
    for user_id, ((role, user_name), display) in enumerate(zip(plan, names, strict=True), start=1):
        badge = f"U-{user_id:04d}{rng.randrange(16**6):06X}"
        # a real scrypt hash each (unique salt), as the app stores them
        rows.append(
            (user_id, user_name, display, role.value, hash_secret(BENCH_PIN), badge, True, created, created)
        )
        if role in (Role.KEEPER, Role.MAINTENANCE):
            movers.append(user_id)
    return rows, movers


def _suppliers(rng: random.Random, count: int) -> list[Row]:
    created = _stamp(START - timedelta(days=400))
    rows: list[Row] = []
    for supplier_id, name in enumerate(supplier_names(rng, count), start=1):
        key = " ".join(name.split()).upper()
        slug = "".join(ch for ch in name.split()[0].lower() if ch.isalnum())
        rows.append(
            (
                supplier_id,
                name,
                key,
                " ".join(person_names(rng, 1)),
                f"orders@{slug}{supplier_id}.example",
                f"+49 {rng.randrange(100, 999)} {rng.randrange(100000, 999999)}",
                rng.random() > 0.03,
                created,
                created,
            )
        )
    return rows


def _locations(sizes: Sizes) -> tuple[list[Row], list[int], list[int], list[int]]:
    """Site > areas > racks > bins, with `path` built as desktop/services/catalogue/locations.py builds it."""
    created = _stamp(START - timedelta(days=60))
    rows: list[Row] = []
    walk = 0

    def add(code: str, name: str, parent: tuple[int, str] | None, level: LocationLevel, kind: str) -> int:
        nonlocal walk
        walk += 10
        loc_id = len(rows) + 1
        path = f"{parent[1] if parent else ''}{code}/"
        parent_id = parent[0] if parent else None
        rows.append(
            (
                loc_id,
                code,
                name,
                parent_id,
                level.value,
                kind,
                path,
                walk,
                False,
                True,
                None,
                created,
                created,
            )
        )
        return loc_id

    site_code = "PLANT1"
    site = (add(site_code, "Plant 1", None, LocationLevel.SITE, LocationType.STOREROOM.value), "PLANT1/")
    racks = math.ceil(sizes.bins / BINS_PER_RACK)
    areas = math.ceil(racks / RACKS_PER_AREA)
    storeroom: list[int] = []
    crib: list[int] = []
    line: list[int] = []
    bins_left = sizes.bins
    for a in range(areas):
        kind = LocationType.STOREROOM
        if areas >= 3 and a == 1:
            kind = LocationType.MAINTENANCE_CRIB
        elif areas >= 4 and a == areas - 1:
            kind = LocationType.LINE_SIDE
        area_code = f"A{a + 1:02d}"
        label = {
            LocationType.STOREROOM: "Storeroom",
            LocationType.MAINTENANCE_CRIB: "Maintenance crib",
            LocationType.LINE_SIDE: "Line-side supermarket",
        }[kind]
        area_id = add(area_code, f"{label} {area_code}", site, LocationLevel.AREA, kind.value)
        area = (area_id, f"{site[1]}{area_code}/")
        for r in range(RACKS_PER_AREA):
            if bins_left <= 0:
                break
            rack_code = f"{area_code}-{r + 1:02d}"
            rack_id = add(rack_code, f"Rack {rack_code}", area, LocationLevel.RACK, kind.value)
            rack = (rack_id, f"{area[1]}{rack_code}/")
            for b in range(min(BINS_PER_RACK, bins_left)):
                shelf, pos = "ABCDE"[b // 10], b % 10 + 1
                bin_code = f"{rack_code}-{shelf}{pos:02d}"
                bin_id = add(bin_code, f"Bin {bin_code}", rack, LocationLevel.BIN, kind.value)
                {LocationType.STOREROOM: storeroom, LocationType.MAINTENANCE_CRIB: crib}.get(
                    kind, line
                ).append(bin_id)
            bins_left -= min(BINS_PER_RACK, bins_left)
    add("RCV", "Receiving dock", site, LocationLevel.AREA, LocationType.RECEIVING.value)
    add("QC", "Quarantine cage", site, LocationLevel.AREA, LocationType.QUARANTINE.value)
    return rows, storeroom, crib, line


def _parts(rng: random.Random, sizes: Sizes, plant: Plant) -> None:
    numbers = rng.sample(range(100_000, 1_000_000), sizes.parts)
    families = rng.choices(FAMILIES, weights=[f.weight for f in FAMILIES], k=sizes.parts)
    supplier_ids = [row[0] for row in plant.suppliers]
    supplier_tag = {
        row[0]: "".join(ch for ch in row[1].upper() if ch.isalpha())[:3] for row in plant.suppliers
    }
    stock_bins = plant.storeroom_bins
    mro_bins = plant.crib_bins or plant.storeroom_bins
    link_id = 0
    for index, (fam, n) in enumerate(zip(families, numbers, strict=True)):
        part_id = index + 1
        roll = rng.random()
        rev = "ABCDEFGH"[rng.randrange(8)]
        if roll < 0.03:
            number = f"{fam.prefix}{n}/{rev}"  # not scanner-safe: its label is P--<id>
        elif roll < 0.10:
            number = f"{fam.prefix}-{n}-{rev}"
        else:
            number = f"{fam.prefix}-{n}"
        description, mpn = fam.describe(rng)
        if rng.random() >= fam.mpn_share:
            mpn = None
        manufacturer = rng.choice(fam.manufacturers) if mpn or rng.random() < 0.4 else None
        unit = rng.choice(fam.units)
        whole = UNITS[unit][1]
        low, high = fam.cost
        cost = math.exp(rng.uniform(math.log(low), math.log(high)))
        if unit == "BOX":
            cost *= 100
        cost = round(max(cost, 0.01), 2)
        lot_units = max(1, min(5000, round(400 / cost**0.6)))
        step = 10 if whole else 1
        lot = lot_units * 10
        issue_max = max(1, lot_units // 2) * (1 if whole else 10)
        reorder = max(10, lot // 2 // step * step)
        planned = rng.random() < 0.7
        min_qty = reorder / 10 if planned else None
        max_qty = (reorder + 2 * lot) / 10 if planned else None
        category = fam.category
        criticality = (
            rng.choices(("HIGH", "MEDIUM", "LOW"), weights=(1, 3, 6))[0]
            if category is PartCategory.MRO
            else None
        )
        created = _stamp(START - timedelta(days=rng.randrange(0, 3 * 365), seconds=rng.randrange(86400)))
        links = rng.sample(
            supplier_ids, min(len(supplier_ids), rng.choices((1, 2, 3), weights=(55, 35, 10))[0])
        )
        plant.parts.append(
            (
                part_id,
                number,
                number.upper(),
                description,
                category.value,
                unit,
                cost,
                None,
                None,
                criticality,
                min_qty,
                max_qty,
                reorder / 10 if planned else None,
                reorder // 2 / 10 if planned else None,
                rng.randrange(2, 60) if planned else None,
                links[0],
                manufacturer,
                mpn,
                mpn.upper() if mpn else None,
                rng.random() > 0.03,
                None,
                created,
                created,
            )
        )
        for supplier_id in links:
            link_id += 1
            spn = f"{supplier_tag[supplier_id]}{rng.randrange(10**5, 10**7)}" if rng.random() < 0.85 else None
            plant.part_suppliers.append(
                (
                    link_id,
                    part_id,
                    supplier_id,
                    spn,
                    spn.upper() if spn else None,
                    round(cost * rng.uniform(0.9, 1.25), 2),
                    float(rng.choice((1, 1, 1, 5, 10, 50, 100))),
                    rng.randrange(2, 90),
                    created,
                    created,
                )
            )
        pool = mro_bins if category is PartCategory.MRO else stock_bins
        count = rng.choices((1, 2, 3), weights=(55, 35, 10))[0]
        bins = rng.sample(pool, min(count, len(pool)))
        if plant.line_bins and category in (PartCategory.RAW, PartCategory.WIP) and rng.random() < 0.4:
            bins.append(rng.choice(plant.line_bins))
        plant.part_bins.append(bins)
        plant.step.append(step)
        plant.lot.append(lot)
        plant.issue_max.append(issue_max)
        plant.reorder.append(reorder)
        plant.cost.append(cost)
        # Pareto-like activity: a fifth of the parts make most of the moves; inactive parts hardly move
        plant.weight.append(rng.lognormvariate(0.0, 1.5) * (1.0 if plant.parts[-1][19] else 0.05))


def build_plant(rng: random.Random, sizes: Sizes) -> Plant:
    users, movers = _users(rng, sizes.users)
    locations, storeroom, crib, line = _locations(sizes)
    plant = Plant(
        users=users,
        movers=movers,
        suppliers=_suppliers(rng, sizes.suppliers),
        locations=locations,
        storeroom_bins=storeroom,
        crib_bins=crib,
        line_bins=line,
        parts=[],
        part_suppliers=[],
        part_bins=[],
        step=[],
        lot=[],
        issue_max=[],
        reorder=[],
        cost=[],
        weight=[],
    )
    _parts(rng, sizes, plant)
    return plant


# --- the ledger -------------------------------------------------------------------------------------------


def _moves_per_day(total: int) -> list[int]:
    """Fewer moves at weekends, a slowly growing plant; exactly `total` moves in all."""
    weights = []
    for day in range(DAYS):
        weekday = (START + timedelta(days=day)).weekday()
        weights.append((0.25 if weekday == 5 else 0.05 if weekday == 6 else 1.0) * (0.8 + 0.4 * day / DAYS))
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    short = total - sum(counts)
    for day in sorted(range(DAYS), key=lambda d: (counts[d] - exact[d], d))[:short]:
        counts[day] += 1
    return counts


class Ledger:
    """Simulates the stock moves in time order; `balances` is the end state once `moves()` is consumed."""

    def __init__(self, rng: random.Random, plant: Plant, total: int) -> None:
        self.rng = rng
        self.plant = plant
        self.total = total
        self.balance: list[list[int]] = [[0] * len(bins) for bins in plant.part_bins]  # tenths
        self.last_at: list[list[str | None]] = [[None] * len(bins) for bins in plant.part_bins]
        self.kinds: dict[str, int] = {k.value: 0 for k in MoveKind}

    def moves(self) -> Iterator[Row]:
        rng = self.rng
        rand, randint, choice = rng.random, rng.randint, rng.choice
        plant = self.plant
        part_bins, step_of, lot_of, imax_of = plant.part_bins, plant.step, plant.lot, plant.issue_max
        reorder_of, cost_of, movers = plant.reorder, plant.cost, plant.movers
        balance, last_at, kinds = self.balance, self.last_at, self.kinds
        receipt, issue, transfer, adjust = (
            MoveKind.RECEIPT.value,
            MoveKind.ISSUE.value,
            MoveKind.TRANSFER.value,
            MoveKind.ADJUSTMENT.value,
        )
        population = range(len(part_bins))
        cum: list[float] = []
        acc = 0.0
        for w in plant.weight:
            acc += w
            cum.append(acc)
        clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]
        move_id = 0
        dn = 450_000
        for day, count in enumerate(_moves_per_day(self.total)):
            if not count:
                continue
            date = (START + timedelta(days=day)).strftime("%Y-%m-%d ")
            seconds = sorted(rng.randrange(5 * 3600, 23 * 3600) for _ in range(count))
            picks = rng.choices(population, cum_weights=cum, k=count)
            for second, p in zip(seconds, picks, strict=True):
                at = date + clock[second]
                bal = balance[p]
                nbins = len(bal)
                step = step_of[p]
                total = sum(bal)
                src: int | None = None
                dst: int | None = None
                reason: str | None = None
                reference: str | None = None
                roll = rand()
                if total <= reorder_of[p] and (total == 0 or roll < 0.85):
                    kind = receipt
                else:
                    kind = (
                        issue
                        if roll < 0.68
                        else transfer
                        if roll < 0.88
                        else adjust
                        if roll < 0.95
                        else receipt
                    )
                if kind == receipt:
                    dst = 0 if nbins == 1 or rand() < 0.9 else randint(0, nbins - 1)
                    qty = lot_of[p] * randint(1, 2)
                    # a supplier's delivery note; generate_purchasing puts part of these on orders
                    dn += 1 if rand() < 0.3 else 0
                    reference = f"DN-{dn:06d}"
                else:
                    stocked = [i for i in range(nbins) if bal[i] > 0]
                    if kind == transfer and (nbins < 2 or not stocked):
                        kind = issue
                    if kind == issue:
                        src = choice(stocked)
                        qty = min(randint(1, imax_of[p]) * step, bal[src])
                        reference = f"WO-{rng.randrange(100_000, 1_000_000)}" if rand() < 0.7 else None
                    elif kind == transfer:
                        src = choice(stocked)
                        dst = choice([i for i in range(nbins) if i != src])
                        qty = min(randint(1, imax_of[p] * 2) * step, bal[src])
                    else:  # adjustment: one location, in or out
                        reason = ADJUSTMENT_REASONS[randint(0, len(ADJUSTMENT_REASONS) - 1)]
                        small = randint(1, max(1, imax_of[p] // 3)) * step
                        if stocked and rand() < 0.55:
                            src = choice(stocked)
                            qty = min(small, bal[src])
                        else:
                            dst = randint(0, nbins - 1)
                            qty = small
                bins = part_bins[p]
                from_id = to_id = None
                if src is not None:
                    bal[src] -= qty
                    last_at[p][src] = at
                    from_id = bins[src]
                if dst is not None:
                    bal[dst] += qty
                    last_at[p][dst] = at
                    to_id = bins[dst]
                move_id += 1
                kinds[kind] += 1
                yield (
                    move_id,
                    p + 1,
                    from_id,
                    to_id,
                    qty / 10,
                    kind,
                    reason,
                    reference,
                    cost_of[p],
                    choice(movers),
                    at,
                    None,
                    None,
                )

    def balance_rows(self) -> Iterator[Row]:
        for p, bins in enumerate(self.plant.part_bins):
            for i, loc_id in enumerate(bins):
                at = self.last_at[p][i]
                if at is not None:
                    yield (p + 1, loc_id, self.balance[p][i] / 10, at)


# --- writing ---------------------------------------------------------------------------------------------


class Sink(Protocol):
    def prepare(self) -> None: ...
    def load(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> int: ...
    def finish(self) -> None: ...
    def close(self) -> None: ...


class _Counter:
    def __init__(self, rows: Iterable[Row]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Row]:
        for row in self.rows:
            self.count += 1
            yield row


class SqliteSink:
    """executemany on one connection, journal off during the load, indexes built after the rows."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self._schema_before: list[tuple[str, str, str]] = []
        self._indexes: list[str] = []
        self._triggers: list[str] = []

    def _schema(self) -> list[tuple[str, str, str]]:
        return sorted(self.conn.execute("SELECT type, name, coalesce(sql, '') FROM sqlite_master").fetchall())

    def prepare(self) -> None:
        c = self.conn
        self._schema_before = self._schema()
        c.execute("PRAGMA journal_mode = OFF")
        c.execute("PRAGMA synchronous = OFF")
        c.execute("PRAGMA foreign_keys = OFF")
        c.execute("PRAGMA cache_size = -524288")  # 512 MB, for building the indexes
        c.execute("PRAGMA temp_store = MEMORY")
        rows = c.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall()
        self._indexes = [sql for _name, sql in rows]
        for name, _sql in rows:
            c.execute(f'DROP INDEX "{name}"')
        # Triggers (the part search index's) would fire per row: dropped, made again, index rebuilt once.
        triggers = c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
        self._triggers = [sql for _name, sql in triggers]
        for name, _sql in triggers:
            c.execute(f'DROP TRIGGER "{name}"')

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> int:
        counted = _Counter(rows)
        marks = ", ".join("?" * len(columns))
        self.conn.execute("BEGIN")
        self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", counted)
        self.conn.execute("COMMIT")
        return counted.count

    def finish(self) -> None:
        c = self.conn
        for sql in self._indexes:
            c.execute(sql)
        for sql in self._triggers:
            c.execute(sql)
        if c.execute("SELECT 1 FROM sqlite_master WHERE name = 'part_search'").fetchone():
            c.execute("INSERT INTO part_search(part_search) VALUES ('rebuild')")
            c.commit()
        c.execute("PRAGMA journal_mode = WAL")  # what the app uses; it sets it on every connection anyway
        if self._schema() != self._schema_before:
            raise RuntimeError("the schema after the bulk load differs from the one the migrations made")

    def close(self) -> None:
        self.conn.close()


class PgSink:
    """COPY FROM STDIN per table (psycopg 3), indexes that back no constraint built after the rows."""

    def __init__(self, url: str) -> None:
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn = psycopg.connect(conninfo)
        self.conn.execute("SET TimeZone = 'UTC'")  # the generated timestamps are UTC
        self._indexes: list[tuple[str, str]] = []
        self._before: list[tuple[str, str]] = []

    def _index_defs(self) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1"
        ).fetchall()
        return [(str(a), str(b)) for a, b in rows]

    def prepare(self) -> None:
        self._before = self._index_defs()
        rows = self.conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        ).fetchall()
        self._indexes = [(str(a), str(b)) for a, b in rows]
        for name, _sql in self._indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        # the ledger's daily sums (kpi_day) are filled once after the load, not by a trigger per row
        self.conn.execute("ALTER TABLE stock_move DISABLE TRIGGER USER")
        self.conn.commit()

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> int:
        count = 0
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        self.conn.commit()
        return count

    def finish(self) -> None:
        for _name, sql in self._indexes:
            self.conn.execute(sql)
        self.conn.execute("ALTER TABLE stock_move ENABLE TRIGGER USER")
        for table in SEQUENCED:
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        self.conn.commit()
        self.conn.autocommit = True
        self.conn.execute("ANALYZE")  # autovacuum would soon do the same on a server
        if self._index_defs() != self._before:
            raise RuntimeError("the indexes after the bulk load differ from the ones the migrations made")

    def close(self) -> None:
        self.conn.close()


# --- the whole run ---------------------------------------------------------------------------------------


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def generate(
    url: str, *, scale: float = 1.0, seed: int = DEFAULT_SEED, force: bool = False, say: Say = print
) -> GenStats:
    """Create the schema with the app's migrations and fill it; `url` must be a new file or empty database."""
    sizes = Sizes.scaled(scale)
    stats = GenStats(url=url, scale=scale, seed=seed, sizes=sizes)
    path = sqlite_file(url)
    if path is not None and path.exists():
        if not force:
            raise SystemExit(f"{path} exists; give --force to replace it")
        remove_sqlite(path)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)

    t = time.perf_counter()
    database = open_database(url)  # Alembic migrations to head: the app's own schema
    try:
        with database.engine.connect() as conn:
            used = conn.exec_driver_sql(
                "SELECT (SELECT count(*) FROM part) + (SELECT count(*) FROM app_user)"
            )
            if used.scalar():
                raise SystemExit(f"{database.description} already holds data; use a new database")
    finally:
        database.dispose()
    stats.seconds["migrate"] = time.perf_counter() - t
    say(f"schema by migrations: {stats.seconds['migrate']:.1f} s")

    t = time.perf_counter()
    rng = random.Random(seed)
    plant = build_plant(rng, sizes)
    stats.seconds["master data"] = time.perf_counter() - t
    say(f"master data built: {len(plant.parts):,} parts, {len(plant.locations):,} locations")

    sink: Sink = SqliteSink(path) if path is not None else PgSink(normalize_url(url))
    try:
        t = time.perf_counter()
        sink.prepare()
        for table, columns, rows in (
            ("app_user", USER_COLUMNS, plant.users),
            ("supplier", SUPPLIER_COLUMNS, plant.suppliers),
            ("location", LOCATION_COLUMNS, plant.locations),
            ("part", PART_COLUMNS, plant.parts),
            ("part_supplier", PART_SUPPLIER_COLUMNS, plant.part_suppliers),
        ):
            stats.rows[table] = sink.load(table, columns, rows)
        stats.seconds["load master data"] = time.perf_counter() - t

        t = time.perf_counter()
        ledger = Ledger(rng, plant, sizes.moves)
        orders = Orders(seed, plant, lines=sizes.po_lines, start=START, days=DAYS)
        stats.rows["stock_move"] = sink.load("stock_move", MOVE_COLUMNS, orders.tag(ledger.moves()))
        stats.rows["stock_balance"] = sink.load("stock_balance", BALANCE_COLUMNS, ledger.balance_rows())
        stats.kinds = dict(ledger.kinds)
        stats.seconds["simulate + load moves"] = time.perf_counter() - t
        say(f"{stats.rows['stock_move']:,} moves loaded in {stats.seconds['simulate + load moves']:.1f} s")

        t = time.perf_counter()
        floor = build_floor(
            seed,
            parts=plant.parts,
            part_bins=plant.part_bins,
            line_bins=plant.line_bins
            or plant.storeroom_bins[-BINS_PER_RACK:],  # small plants: no line-side area
            movers=plant.movers,
            loops=sizes.loops,
            cards=sizes.cards,
            assets=sizes.assets,
            now=END,
        )
        floor_tables: list[tuple[str, Sequence[str], list[Row]]] = [
            ("kanban_loop", LOOP_COLUMNS, floor.loops),
            ("kanban_card", CARD_COLUMNS, floor.cards),
            ("kanban_card_event", EVENT_COLUMNS, floor.events),
            ("asset", ASSET_COLUMNS, floor.assets),
            ("asset_spare", SPARE_COLUMNS, floor.spares),
        ]
        for name, cols, data in floor_tables:
            stats.rows[name] = sink.load(name, cols, data)
        stats.seconds["kanban + assets"] = time.perf_counter() - t
        say(f"{len(floor.loops):,} kanban loops, {len(floor.cards):,} cards, {len(floor.assets):,} assets")

        t = time.perf_counter()
        bought = orders.finish(floor.loops, floor.cards)  # after the cards: open lines carry some
        for name, cols, data in (
            ("purchase_order", ORDER_COLUMNS, bought.orders),
            ("purchase_order_line", LINE_COLUMNS, bought.lines),
            ("purchase_receipt", RECEIPT_COLUMNS, bought.receipts),
        ):
            stats.rows[name] = sink.load(name, cols, data)
        stats.po_states, stats.po_open_lines = bought.states, bought.open_lines
        stats.seconds["purchase orders"] = time.perf_counter() - t
        say(
            f"{len(bought.orders):,} purchase orders, {len(bought.lines):,} lines, {bought.open_lines:,} open"
        )

        t = time.perf_counter()
        sink.finish()
        stats.seconds["build indexes"] = time.perf_counter() - t
        say(f"indexes built: {stats.seconds['build indexes']:.1f} s")
    finally:
        sink.close()
    t = time.perf_counter()
    database = open_database(url)
    try:
        database.write(kpi_days.refill)  # the load bypassed the triggers that keep it
    finally:
        database.dispose()
    stats.seconds["ledger daily sums"] = time.perf_counter() - t

    stats.verification = verify(url, running=True)
    stats.seconds["verify"] = stats.verification.seconds
    return stats


_INVARIANT_SQL = """
SELECT count(*) AS keys,
       coalesce(sum(CASE WHEN round(diff, 4) <> 0 THEN 1 ELSE 0 END), 0) AS drift,
       coalesce(sum(CASE WHEN n_balance = 0 THEN 1 ELSE 0 END), 0) AS missing
FROM (
    SELECT part_id, location_id, sum(qty) AS diff, sum(is_balance) AS n_balance
    FROM (
        SELECT part_id, to_location_id AS location_id, qty, 0 AS is_balance
          FROM stock_move WHERE to_location_id IS NOT NULL
        UNION ALL
        SELECT part_id, from_location_id, -qty, 0 FROM stock_move WHERE from_location_id IS NOT NULL
        UNION ALL
        SELECT part_id, location_id, -qty, 1 FROM stock_balance
    ) AS lines
    GROUP BY part_id, location_id
) AS per_key
"""

_RUNNING_SQL = """
SELECT count(*) FROM (
    SELECT sum(qty) OVER (
        PARTITION BY part_id, location_id ORDER BY move_id ROWS UNBOUNDED PRECEDING
    ) AS running
    FROM (
        SELECT id AS move_id, part_id, to_location_id AS location_id, qty
          FROM stock_move WHERE to_location_id IS NOT NULL
        UNION ALL
        SELECT id, part_id, from_location_id, -qty FROM stock_move WHERE from_location_id IS NOT NULL
    ) AS lines
) AS runs
WHERE round(running, 4) < 0
"""

_NEGATIVE_SQL = (
    "SELECT count(*) FROM stock_balance b JOIN location l ON l.id = b.location_id "
    "WHERE b.qty < 0 AND NOT l.allow_negative"
)

TABLES = (
    "app_user",
    "supplier",
    "location",
    "part",
    "part_supplier",
    "stock_move",
    "stock_balance",
    "purchase_order",
    "purchase_order_line",
    "purchase_receipt",
)

# Order lines whose received quantity is not what their receipts add up to (less what was reversed, as
# the app counts a reversed receipt back out), or with a receipt that is no RECEIPT of the line's part.
_RECEIPT_DRIFT_SQL = """
SELECT count(*) FROM (
    SELECT l.id
    FROM purchase_order_line l
    LEFT JOIN purchase_receipt r ON r.line_id = l.id
    LEFT JOIN stock_move m ON m.id = r.move_id AND m.kind = 'RECEIPT' AND m.part_id = l.part_id
    LEFT JOIN stock_move back ON back.reverses_move_id = m.id
    GROUP BY l.id, l.received_qty
    HAVING round(l.received_qty - coalesce(sum(m.qty), 0) + coalesce(sum(back.qty), 0), 4) <> 0
        OR count(r.id) <> count(m.id)
) AS off
"""


def verify(url: str, *, running: bool = False) -> Verification:
    """The ledger invariant in SQL: per (part, location), sum of moves - balance = 0; nothing negative."""
    from desktop.db import Database

    t = time.perf_counter()
    database = Database(url)
    try:
        with database.engine.connect() as conn:
            counts = {
                t_: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t_}").scalar() or 0) for t_ in TABLES
            }
            keys, drift, missing = conn.exec_driver_sql(_INVARIANT_SQL).one()
            receipt_drift = int(conn.exec_driver_sql(_RECEIPT_DRIFT_SQL).scalar() or 0)
            negative = int(conn.exec_driver_sql(_NEGATIVE_SQL).scalar() or 0)
            negative_running = int(conn.exec_driver_sql(_RUNNING_SQL).scalar() or 0) if running else None
            fk_errors = None
            if database.is_sqlite:
                fk_errors = len(conn.exec_driver_sql("PRAGMA foreign_key_check").all())
    finally:
        database.dispose()
    return Verification(
        counts=counts,
        ledger_keys=int(keys),
        drift=int(drift),
        receipt_drift=receipt_drift,
        missing_balance_rows=int(missing),
        negative_balances=negative,
        negative_running=negative_running,
        foreign_key_errors=fk_errors,
        seconds=time.perf_counter() - t,
    )


def describe(stats: GenStats) -> str:
    v = stats.verification
    lines = [
        f"scale {stats.scale:g}, seed {stats.seed}: "
        + ", ".join(f"{table} {count:,}" for table, count in stats.rows.items()),
        "move kinds: " + ", ".join(f"{k} {n:,}" for k, n in stats.kinds.items() if n),
        f"purchase orders: {sum(stats.po_states.values()):,} ("
        + ", ".join(f"{k} {n:,}" for k, n in stats.po_states.items() if n)
        + f"), {stats.rows.get('purchase_order_line', 0):,} lines of which {stats.po_open_lines:,} open, "
        f"{stats.rows.get('purchase_receipt', 0):,} of the RECEIPT moves received against them",
        "seconds: " + ", ".join(f"{k} {s:.1f}" for k, s in stats.seconds.items()),
        f"generation total {stats.total_seconds:.1f} s (without verification)",
    ]
    if v is not None:
        lines.append(
            f"invariant: {v.ledger_keys:,} (part, location) keys, drift {v.drift}, order lines off their "
            f"receipts {v.receipt_drift}, missing balance rows "
            f"{v.missing_balance_rows}, negative balances {v.negative_balances}, negative running balances "
            f"{v.negative_running}, foreign-key errors {v.foreign_key_errors} -> {'OK' if v.ok else 'FAILED'}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("target", help="SQLite file path or PostgreSQL URL (an empty database)")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000 parts, 2,000,000 moves")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--force", action="store_true", help="replace an existing SQLite file")
    args = parser.parse_args(argv)
    stats = generate(args.target, scale=args.scale, seed=args.seed, force=args.force)
    print(describe(stats))
    return 0 if stats.verification is not None and stats.verification.ok else 1


if __name__ == "__main__":
    sys.exit(main())
