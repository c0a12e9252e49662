"""A demo plant: a few hundred parts, a location tree, suppliers, stock and a year of history.

Everything goes through the real services, so the demo's ledger and balances obey every rule.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TypeVar, cast

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Part, ShortIssue, StockMove
from desktop.models.enums import LocationLevel, LocationType, MoveKind, PartCategory
from desktop.services.actor import Actor
from desktop.services.catalogue.locations import LocationInput, create_location
from desktop.services.catalogue.parts import PartInput, create_part
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.kanban.demo import load_demo_loops
from desktop.services.mro.demo import load_demo_assets
from desktop.services.stock.issue import issue_in, short_in
from desktop.services.stock.moves import MoveRequest, post_in

T = TypeVar("T")

SUPPLIERS = [
    "Acme Bearings",
    "Nordic Fasteners",
    "Hydraulix GmbH",
    "Sparkline Electric",
    "FilterPro",
    "Steelhouse Metals",
    "PackRight Packaging",
    "Motion Industries",
]

# (prefix, description template, category, unit, cost range, supplier index, manufacturer)
FAMILIES: list[tuple[str, str, PartCategory, str, tuple[int, int], int, str]] = [
    ("BRG", "Ball bearing {a}x{b}x{c} 2RS", PartCategory.MRO, "EA", (4, 60), 0, "SKF"),
    ("BLT", "Hex bolt M{a}x{b} 8.8 zinc", PartCategory.RAW, "EA", (1, 3), 1, "Würth"),
    ("NUT", "Hex nut M{a} 8 zinc", PartCategory.RAW, "EA", (1, 2), 1, "Würth"),
    ("HYD", "Hydraulic hose {a}/{b} in, {c} cm", PartCategory.MRO, "EA", (20, 140), 2, "Parker"),
    ("SEN", "Inductive sensor M{a} PNP {b} mm", PartCategory.MRO, "EA", (30, 180), 3, "ifm"),
    ("CBL", "Control cable {a}G{b} mm² Ölflex", PartCategory.RAW, "M", (2, 9), 3, "Lapp"),
    ("FLT", "Hydraulic filter element {a} µm", PartCategory.MRO, "EA", (15, 90), 4, "Hydac"),
    ("STL", "Steel sheet S235 {a} mm", PartCategory.RAW, "KG", (1, 4), 5, "Steelhouse"),
    ("BOX", "Carton {a}x{b}x{c} mm", PartCategory.RAW, "EA", (1, 3), 6, "PackRight"),
    ("BELT", "V-belt SPZ {a}{b}", PartCategory.MRO, "EA", (8, 40), 7, "Gates"),
    ("ASM", "Pump housing sub-assembly rev {a}", PartCategory.WIP, "EA", (60, 300), 5, "own"),
    ("FG", "Gear pump GP-{a}{b} finished", PartCategory.FINISHED, "EA", (250, 900), 5, "own"),
]


def _tree(db: Database, actor: Actor) -> dict[str, list[int]]:
    """Returns location ids by role: storeroom bins, line-side, receiving, quarantine, crib."""
    out: dict[str, list[int]] = {"bins": [], "line": [], "receiving": [], "quarantine": [], "crib": []}

    def add(
        code: str, name: str, level: LocationLevel, kind: LocationType, parent: str | None, walk: int = 0
    ) -> int:
        return create_location(db, actor, LocationInput(code, name, level.value, kind.value, parent, walk)).id

    add("PLANT1", "Plant 1", LocationLevel.SITE, LocationType.STOREROOM, None)
    add("MAIN", "Main storeroom", LocationLevel.AREA, LocationType.STOREROOM, "PLANT1", 10)
    walk = 0
    for aisle in "ABCD":
        for rack in range(1, 4):
            rack_code = f"{aisle}{rack:02d}"
            add(
                rack_code,
                f"Aisle {aisle} rack {rack}",
                LocationLevel.RACK,
                LocationType.STOREROOM,
                "MAIN",
                walk,
            )
            for level in range(1, 6):
                walk += 10
                out["bins"].append(
                    add(
                        f"{aisle}-{rack:02d}-{level:02d}",
                        f"Bin {aisle}-{rack:02d}-{level:02d}",
                        LocationLevel.BIN,
                        LocationType.STOREROOM,
                        rack_code,
                        walk,
                    )
                )
    out["receiving"].append(
        add("RECV", "Receiving dock", LocationLevel.AREA, LocationType.RECEIVING, "PLANT1", 20)
    )
    add("QUAR", "Quarantine cage", LocationLevel.AREA, LocationType.QUARANTINE, "PLANT1", 30)
    out["quarantine"].append(
        add("Q-01", "Quarantine shelf 1", LocationLevel.BIN, LocationType.QUARANTINE, "QUAR", 10)
    )
    add("LINE1", "Assembly line 1", LocationLevel.AREA, LocationType.LINE_SIDE, "PLANT1", 40)
    for n in range(1, 7):
        out["line"].append(
            add(
                f"L1-{n:02d}",
                f"Line 1 station {n}",
                LocationLevel.BIN,
                LocationType.LINE_SIDE,
                "LINE1",
                n * 10,
            )
        )
    add("WIP", "WIP staging", LocationLevel.AREA, LocationType.WIP_STAGING, "PLANT1", 50)
    add("CRIB", "Maintenance crib", LocationLevel.AREA, LocationType.MAINTENANCE_CRIB, "PLANT1", 60)
    for n in range(1, 11):
        out["crib"].append(
            add(
                f"MC-{n:02d}",
                f"Crib shelf {n}",
                LocationLevel.BIN,
                LocationType.MAINTENANCE_CRIB,
                "CRIB",
                n * 10,
            )
        )
    return out


def _year_of_history(
    s: Session,
    *,
    actor: Actor,
    rng: random.Random,
    part_id: int,
    home: int,
    line: int | None,
    min_qty: Decimal,
    n: int,
) -> list[tuple[int, float]]:
    """A part's last year: an opening receipt, issues every few days to a couple of weeks at its own
    rate (some parts sit idle: dead stock), a reorder when a request finds too little (sometimes
    the request is short first), and for line parts a transfer to the line. Returns (move id, days ago)."""
    out: list[tuple[int, float]] = []
    on_hand = Decimal(rng.randint(5, 120))
    post = post_in(
        s,
        actor,
        MoveRequest(MoveKind.RECEIPT, part_id, on_hand, to_location_id=home, reference=f"PO-{4500 + n // 5}"),
    )
    out.append((post.move.id, 365 + rng.random() * 20))
    rate = rng.choice([0.0, 0.0, 0.05, 0.2, 0.5, 1.0, 2.0])  # units a day
    day = 365.0
    orders = 0
    while rate:
        day -= rng.uniform(3, 21)
        if day <= 1:
            break
        want = Decimal(max(1, round(rate * rng.uniform(3, 21))))
        if want > on_hand:
            if on_hand > 0 and rng.random() < 0.3:
                short = short_in(s, actor, part_id, home, want, reference=f"WO-{7000 + n}-{orders}")
                if short.posted is not None:
                    out.append((short.posted.move.id, day))
                on_hand -= short.issued
                day -= rng.uniform(0.5, 3)
            refill = max(want * 4, min_qty * 4, Decimal(10))
            orders += 1
            post = post_in(
                s,
                actor,
                MoveRequest(
                    MoveKind.RECEIPT,
                    part_id,
                    refill,
                    to_location_id=home,
                    reference=f"PO-{5000 + n}-{orders}",
                ),
            )
            out.append((post.move.id, day))
            on_hand += refill
            day -= rng.uniform(0.1, 0.5)
            if want > on_hand:
                continue
        issued = issue_in(
            s,
            actor,
            MoveRequest(MoveKind.ISSUE, part_id, want, from_location_id=home, reference=f"WO-{7000 + n}"),
        )
        out.append((issued.posted.move.id, day))
        on_hand -= want
    if line is not None and on_hand >= 4:
        qty = Decimal(rng.randint(1, 4))
        post = post_in(
            s, actor, MoveRequest(MoveKind.TRANSFER, part_id, qty, from_location_id=home, to_location_id=line)
        )
        out.append((post.move.id, rng.uniform(0.1, 1)))
    return out


def _spread_over_the_year(db: Database, dated: list[tuple[int, float]], rng: random.Random) -> None:
    """Give the demo's moves (and their short issues) the dates they describe. The app itself never
    back-dates; this is a made-up plant whose history has to look like a year's work."""
    now = datetime.now(UTC)

    def op(s: Session) -> None:
        naive = s.get_bind().dialect.name == "sqlite"
        rows = []
        for move_id, days_ago in dated:
            at = now - timedelta(days=days_ago)
            rows.append({"id": move_id, "at": at.replace(tzinfo=None) if naive else at})
        s.execute(update(StockMove), rows)  # bulk UPDATE by primary key
        s.execute(
            update(ShortIssue)
            .where(ShortIssue.move_id.is_not(None))
            .values(at=select(StockMove.at).where(StockMove.id == ShortIssue.move_id).scalar_subquery())
            .execution_options(synchronize_session=False)
        )

    db.write(op)


class _OneTransaction:
    """What the services need of a Database (read, write, is_sqlite), running every call in one
    session: the whole demo is one transaction, so a demo that fails half-way leaves the database
    empty and can simply be loaded again (it used to stay half-loaded and refuse a second run)."""

    def __init__(self, db: Database, session: Session) -> None:
        self.is_sqlite = db.is_sqlite
        self._session = session

    def read(self, fn: Callable[[Session], T]) -> T:
        return fn(self._session)

    def write(self, fn: Callable[[Session], T]) -> T:
        result = fn(self._session)
        self._session.flush()
        return result


def load_demo(
    db: Database,
    actor: Actor,
    *,
    parts: int = 300,
    seed: int = 7,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Fill an empty database with a demo plant, all or nothing; returns the number of parts made."""
    if parts < 1:
        raise UserError("The demo plant needs at least one part.", field="parts")
    if db.read(lambda s: s.scalar(select(func.count()).select_from(Part))):
        raise UserError("The demo plant can only be loaded into an empty database.")
    return db.write(lambda s: _load(cast(Database, _OneTransaction(db, s)), actor, parts, seed, progress))


def _load(
    db: Database, actor: Actor, parts: int, seed: int, progress: Callable[[int, int], None] | None
) -> int:
    rng = random.Random(seed)
    where = _tree(db, actor)
    made: list[tuple[int, str]] = []
    for n in range(parts):
        prefix, template, category, unit, (lo, hi), sup, maker = FAMILIES[n % len(FAMILIES)]
        number = f"{prefix}-{1000 + n:04d}"
        a, b, c = rng.choice([6, 8, 10, 12, 16]), rng.choice([20, 25, 30, 40, 50]), rng.choice([7, 9, 11, 15])
        cost = Decimal(rng.randint(lo * 100, hi * 100)) / 100
        min_qty = Decimal(rng.choice([0, 2, 5, 10, 20]))
        part = create_part(
            db,
            actor,
            PartInput(
                part_number=number,
                description=template.format(a=a, b=b, c=c),
                category=category.value,
                unit=unit,
                unit_cost=cost,
                min_qty=min_qty or None,
                max_qty=(min_qty * 4) or None,
                lead_time_days=rng.choice([3, 5, 10, 20]),
                manufacturer=maker,
                manufacturer_part_number=f"{maker[:3].upper()}-{rng.randint(10000, 99999)}",
                criticality=rng.choice([None, None, "HIGH"]) if category is PartCategory.MRO else None,
                suppliers=(
                    PartSupplierInput(
                        SUPPLIERS[sup],
                        f"{SUPPLIERS[sup][:2].upper()}{rng.randint(1000, 9999)}",
                        cost * Decimal("0.95"),
                        None,
                        rng.choice([5, 10, 15]),
                    ),
                ),
            ),
        )
        made.append((part.id, category.value))
        if progress:
            progress(n + 1, parts * 2)
    dated: list[tuple[int, float]] = []  # (move id, days ago)
    mins = dict(db.read(lambda s: s.execute(select(Part.id, Part.min_qty)).tuples().all()))
    for n, (part_id, kind) in enumerate(made):
        home = rng.choice(where["crib"] if kind == "MRO" and rng.random() < 0.5 else where["bins"])
        line = rng.choice(where["line"]) if kind in ("RAW", "WIP") and rng.random() < 0.4 else None
        history = partial(_year_of_history, actor=actor, rng=rng, part_id=part_id, home=home, line=line)
        dated += db.write(partial(history, min_qty=Decimal(mins.get(part_id) or 0), n=n))
        if progress:
            progress(parts + n + 1, parts * 2)
    _spread_over_the_year(db, dated, rng)
    load_demo_assets(db, actor, [p for p, kind in made if kind == "MRO"], seed=seed)
    load_demo_loops(db, actor, [p for p, kind in made if kind in ("RAW", "WIP")], where["line"], seed=seed)
    return len(made)
