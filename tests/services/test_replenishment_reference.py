"""What to order against a straightforward reference on a generated plant.

suggestions() skips parts that cannot be listed before it works out their demand, reads plain rows and
reads what a listed part is and costs only for the listed parts; DemandHistory.observed and std_dev run
without Python generators. The reference below is the algorithm as first written: every active part as an
ORM object, the demand of each over its days picked one by one, the supplier's terms as an order takes
them. Both must give the same list, figure for figure."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import KanbanLoop, Part, ShortIssue, StockMove, Supplier
from desktop.models.enums import LocationLevel, LocationType, MoveKind
from desktop.services.actor import Actor
from desktop.services.catalogue.locations import LocationInput, create_location
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.insight import replenishment as r
from desktop.services.insight.consumption import DemandHistory, window
from desktop.services.kanban import loops as kb
from desktop.services.purchasing.lead_times import lead_times_in, planning_days
from desktop.services.purchasing.orders import supplier_terms
from desktop.services.stock.issue import issue_short
from desktop.services.stock.moves import MoveRequest, post_move
from desktop.services.stock.position import INBOUND_LOOPS, Position, positions
from tests.factories import local, make_part, make_tree, place_at, receive

DAY = date(2026, 3, 18)  # a Wednesday
WINDOW = 28


def naive_observed(history: DemandHistory, key: int) -> tuple[list[float], bool]:
    daily = history.of(key)
    only_working = any(history.working) and all(
        w or x == 0 for x, w in zip(daily, history.working, strict=True)
    )
    if not only_working:
        return daily, False
    return [x for x, w in zip(daily, history.working, strict=True) if w], True


def naive_std_dev(daily: list[float]) -> float:
    if len(daily) < 2:
        return 0.0
    mean = sum(daily) / len(daily)
    return math.sqrt(sum((x - mean) ** 2 for x in daily) / (len(daily) - 1))


def reference(db: Database, pol: r.Policy, now: object) -> list[r.Suggestion]:
    z = r.z_value(pol.service_level)

    def op(s: Session) -> list[r.Suggestion]:
        history = r.usage_history(s, pol.window_days, now=now)  # type: ignore[arg-type]
        stock = positions(s)
        on_kanban = set(
            s.scalars(
                select(KanbanLoop.part_id).where(
                    KanbanLoop.kind.in_(INBOUND_LOOPS), KanbanLoop.status.in_(("ACTIVE", "HOLD"))
                )
            )
        )
        measured = lead_times_in(s)
        out = []
        for part in s.scalars(select(Part).where(Part.active)):
            if part.id in on_kanban:
                continue
            observed, working_only = naive_observed(history, part.id)
            mean = (
                r.moving_average(observed)
                if pol.method == "moving_average"
                else r.smoothed(observed, pol.alpha)
            )
            sigma = naive_std_dev(observed)
            factor = history.working_share if working_only else 1.0
            name, pn, pack, sup_lead = r.NO_SUPPLIER, None, None, None
            if part.default_supplier_id is not None:
                name = s.get_one(Supplier, part.default_supplier_id).name
                terms = supplier_terms(s, part.id, part.default_supplier_id)
                pn, pack, sup_lead = terms.supplier_part_number, terms.pack_size, terms.lead_time_days
            lead_days = sup_lead if sup_lead is not None else (part.lead_time_days or pol.default_lead_days)
            timed = measured.get((part.default_supplier_id or 0, part.id))
            lead_days = planning_days(timed) or lead_days
            lead = lead_days * factor
            ss = r.safety_stock(z, sigma, lead)
            rop = (
                float(part.reorder_point)
                if part.reorder_point is not None
                else (float(part.min_qty) if part.min_qty is not None else r.reorder_point(mean, lead, ss))
            )
            pos = stock.get(part.id, Position())
            if mean <= 0 and part.reorder_point is None and part.min_qty is None:
                continue
            if float(pos.position) > rop:
                continue
            economic = r.eoq(
                mean * factor * 365, float(pol.order_cost), float(part.unit_cost * pol.carrying_rate)
            )
            wanted = r.order_quantity(pos.position, rop, economic, mean, lead, part.max_qty)
            whole = part.unit in ("EA", "PC", "PR", "SET", "BOX", "PK", "ROLL", "DRUM")
            qty = r.round_up(Decimal(str(max(wanted, 1e-9))), pack, whole)
            reason = (
                "below reorder point"
                if part.reorder_point is not None
                else ("below minimum" if part.min_qty is not None else "below computed reorder point")
            )
            if timed is not None and timed.enough:
                reason += f"; lead time {timed.source}"
            out.append(
                r.Suggestion(
                    part.id,
                    part.part_number,
                    part.description,
                    part.unit,
                    name,
                    pn,
                    pos.on_hand,
                    pos.on_order,
                    pos.reserved,
                    r._dec(mean),
                    r._dec(sigma),
                    int(lead_days),
                    "working" if working_only else "calendar",
                    r._dec(ss),
                    r._dec(rop),
                    r._dec(economic),
                    qty,
                    part.unit_cost,
                    reason,
                )
            )
        out.sort(key=lambda x: (x.supplier.upper(), x.part_number.upper()))
        return out

    return db.read(op)


def generate(db: Database, admin: Actor, rng: random.Random, count: int) -> None:
    """`count` parts with mixed set points, suppliers and demand: none, working days only, any day, days
    netted to zero by a return, more returned than issued, lost demand, a kanban part, an inactive one."""
    tree = make_tree(db, admin)
    bin_id = tree["A-01-01"].id
    line = create_location(
        db,
        admin,
        LocationInput("L1-01", "Line 1", LocationLevel.BIN.value, LocationType.LINE_SIDE.value, "PLANT", 90),
    ).id
    now = local(DAY, 12)
    long_ago = now - timedelta(days=60)  # the plant has run longer than the window
    moves: dict[int, object] = {}
    shorts: dict[int, object] = {}
    for n in range(count):
        set_point = rng.choice(["none", "none", "min", "rop", "both"])
        unit = rng.choice(["EA", "EA", "KG"])  # KG: quantities in quarters, order quantities in cents
        level = Decimal(rng.randint(5, 60))
        suppliers = rng.choice(
            [
                (),
                (
                    PartSupplierInput(
                        "Acme", f"AC-{n}", Decimal(3), Decimal(rng.choice([5, 12])), rng.choice([None, 7])
                    ),
                ),
                (  # two rows at the default supplier: an order takes the first
                    PartSupplierInput("Acme", f"AC-{n}-A", None, Decimal(5), 9),
                    PartSupplierInput("Acme", f"AC-{n}-B", None, Decimal(12), 4),
                ),
                (PartSupplierInput("Bolt"),),
            ]
        )
        part = make_part(
            db,
            admin,
            f"GEN-{n:03d}",
            unit=unit,
            unit_cost=Decimal(rng.randint(1, 4000)) / 100,
            min_qty=level if set_point in ("min", "both") else None,
            reorder_point=level + 5 if set_point in ("rop", "both") else None,
            max_qty=level * 3 if rng.random() < 0.3 else None,
            lead_time_days=rng.choice([None, 3, 21]),
            suppliers=suppliers,
            active=n % 17 != 16,
        )
        if not part.active:
            continue  # no stock, below any set point: listed were it active
        pattern = rng.choice(["none", "working", "any", "at_point", "netted", "returned", "lost", "kanban"])
        days = rng.sample(range(1, WINDOW + 1), rng.randint(1, 6))
        issues = [
            (d, Decimal(rng.randint(1, 40)) / (rng.choice([1, 4]) if unit == "KG" else 1)) for d in days
        ]
        if pattern == "working":
            issues = [(d, q) for d, q in issues if (DAY - timedelta(days=d)).isoweekday() <= 5] or [
                (1, Decimal(7))
            ]
        point = part.reorder_point if part.reorder_point is not None else part.min_qty
        # at_point: left exactly at its set point (listed: "at or below")
        left = point if pattern == "at_point" and point is not None else rng.randint(0, 80)
        stock = sum((q for _d, q in issues), Decimal(0)) + left
        if stock:
            moves[receive(db, admin, part.id, bin_id, str(stock)).move.id] = long_ago
        if pattern in ("none", "lost"):
            issues = []
        for back, qty in issues:
            out = post_move(db, admin, MoveRequest(MoveKind.ISSUE, part.id, qty, from_location_id=bin_id))
            moves[out.move.id] = local(DAY - timedelta(days=back), 10)
        if pattern in ("netted", "returned") and issues:
            back, qty = issues[0]
            extra = qty if pattern == "netted" else qty * 5
            ret = post_move(db, admin, MoveRequest(MoveKind.RETURN, part.id, extra, to_location_id=bin_id))
            moves[ret.move.id] = local(DAY - timedelta(days=back), 11)
        if pattern == "lost":
            for back in days:
                assert issue_short(db, admin, part.id, line, Decimal(rng.randint(1, 9))).posted is None
                shorts[db.read(lambda s: max(x.id for x in s.query(ShortIssue)))] = local(
                    DAY - timedelta(days=back), 9
                )
        if pattern == "kanban":
            kb.create_loop(db, admin, kb.LoopInput(part.id, kb.LoopKind.PRODUCTION, line, Decimal(10), 2))
    place_at(db, StockMove, moves)  # type: ignore[arg-type]
    place_at(db, ShortIssue, shorts)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["moving_average", "smoothing"])
def test_suggestions_match_the_reference(db: Database, admin: Actor, method: str) -> None:
    generate(db, admin, random.Random(21), 60)
    now = local(DAY, 12)
    pol = r.Policy(window_days=WINDOW, method=method, alpha=0.3)
    got = r.suggestions(db, admin, pol, now=now)
    assert got == reference(db, pol, now)
    # the generated plant exercises what the fast path skips or reads apart
    assert {s.demand_days for s in got} == {"working", "calendar"}
    assert {s.reason for s in got} >= {"below reorder point", "below minimum", "below computed reorder point"}
    assert any(s.supplier_part_number and s.supplier_part_number.endswith("-A") for s in got)
    assert any(s.supplier == r.NO_SUPPLIER for s in got)


def test_observed_days_and_sigma_match_their_definitions() -> None:
    """Bit for bit, on random series with working days, days off, returns and zeros."""
    rng = random.Random(7)
    for _ in range(2000):
        n = rng.randint(1, 60)
        working = tuple(rng.random() < 0.7 for _ in range(n)) if rng.random() < 0.9 else (False,) * n
        daily = [0.0] * n
        for _ in range(rng.randint(0, n)):
            i = rng.randrange(n)
            if working[i] or rng.random() < 0.2:
                daily[i] += rng.choice([rng.randint(-20, 300), round(rng.uniform(0, 50), 3)])
        days = {i: x for i, x in enumerate(daily) if x or rng.random() < 0.1}  # a day may net to 0
        history = DemandHistory(window(local(DAY, 12), n), {1: days}, working)
        assert history.of(1) == daily
        observed, only = history.observed(1)
        assert (observed, only) == naive_observed(history, 1)
        assert r.std_dev(observed) == naive_std_dev(observed)
        # From the days with demand alone: the same figures (the sum in another order, so to 1e-9)
        mean, sigma, moments_only = history.moments(1)
        assert moments_only == only
        assert mean == sum(observed) / len(observed)
        assert sigma == pytest.approx(naive_std_dev(observed), rel=1e-9, abs=1e-12)
        assert history.working_share == (sum(working) / n)
