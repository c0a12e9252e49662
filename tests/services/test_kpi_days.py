"""The ledger's daily sums (kpi_day) the KPIs read: kept by triggers with every posting, equal to the
ledger, and giving exactly the figures the KPIs computed from the ledger before (issue 22)."""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.orm import Session

from desktop import schema
from desktop.db import Database
from desktop.errors import UserError
from desktop.models import KpiDay, Part, ShortIssue, StockMove
from desktop.models.enums import MoveKind, Role
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue.locations import get_location_id
from desktop.services.common import db_time
from desktop.services.insight import kpi_days, kpis
from desktop.services.insight import valuation as valuation_mod
from desktop.services.insight.consumption import consumed_value, is_consumption, local_day
from desktop.services.stock.batch import post_many
from desktop.services.stock.history import reverse_move
from desktop.services.stock.issue import issue_short
from desktop.services.stock.ledger_sql import net_stock_change
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, place_at

NOW = datetime(2026, 6, 20, 15, 0, tzinfo=UTC)


def _ledger_path(s: Session, first_day: date) -> dict[date, kpi_days.DayTotals]:
    """The KPIs' sums as they were computed before kpi_day, straight from the ledger: value change at
    each part's cost now, consumption at the cost on each move, requests filled in full."""
    day = local_day(s, StockMove.at, 0)
    since = db_time(s, datetime.combine(first_day, datetime.min.time(), UTC))
    where = (StockMove.at >= since,)
    value = dict(
        s.execute(
            select(day, func.sum(net_stock_change() * Part.unit_cost))
            .join(Part, Part.id == StockMove.part_id)
            .where(*where)
            .group_by(day)
        )
        .tuples()
        .all()
    )
    used = dict(
        s.execute(
            select(day, func.sum(consumed_value()))
            .join(Part, Part.id == StockMove.part_id)
            .where(*where, is_consumption())
            .group_by(day)
        )
        .tuples()
        .all()
    )
    full = dict(
        s.execute(select(day, func.count()).where(*where, kpi_days.filled_in_full()).group_by(day))
        .tuples()
        .all()
    )
    q = Decimal("0.00000001")
    return {
        date.fromisoformat(str(d)[:10]): kpi_days.DayTotals(
            Decimal(str(value.get(d) or 0)).quantize(q),
            Decimal(str(used.get(d) or 0)).quantize(q),
            full.get(d, 0),
        )
        for d in value.keys() | used.keys() | full.keys()
    }


def _random_ledger(db: Database, admin: Actor, seed: int) -> None:
    """Receipts, issues (some short), scrap, returns, transfers, batches, reversals and a cost change,
    spread over the last five months."""
    rng = random.Random(seed)
    tree = make_tree(db, admin)
    bins = [tree["A-01-01"].id, tree["A-01-02"].id]
    parts = [
        make_part(db, admin, f"K-{seed}-{i}", unit_cost=Decimal(rng.randint(1, 5000)) / 100).id
        for i in range(3)
    ]
    moves: list[int] = []
    for n in range(70):
        part, where = rng.choice(parts), rng.choice(bins)
        qty = Decimal(rng.randint(1, 12))
        roll = rng.random()
        try:
            if roll < 0.3:
                req = MoveRequest(MoveKind.RECEIPT, part, qty * 3, to_location_id=where)
                moves.append(post_move(db, admin, req).move.id)
            elif roll < 0.5:
                got = issue_short(db, admin, part, where, qty)
                if got.posted is not None:
                    moves.append(got.posted.move.id)
            elif roll < 0.6:
                kind = rng.choice([MoveKind.SCRAP, MoveKind.RETURN])
                back = kind is MoveKind.RETURN
                req = MoveRequest(
                    kind,
                    part,
                    qty,
                    from_location_id=None if back else where,
                    to_location_id=where if back else None,
                    reason="scrapped: damaged" if kind is MoveKind.SCRAP else None,
                )
                moves.append(post_move(db, admin, req).move.id)
            elif roll < 0.7:
                other = bins[1] if where == bins[0] else bins[0]
                req = MoveRequest(MoveKind.TRANSFER, part, qty, from_location_id=where, to_location_id=other)
                moves.append(post_move(db, admin, req).move.id)
            elif roll < 0.8:
                reqs = [MoveRequest(MoveKind.ISSUE, p, Decimal(1), from_location_id=where) for p in parts]
                moves.extend(post_many(db, admin, reqs).move_ids)
            elif roll < 0.95 and moves:
                moves.append(reverse_move(db, admin, rng.choice(moves), "posted in error").move.id)
            elif n == 40:
                _reprice(db, admin, part, Decimal(rng.randint(1, 5000)) / 100)
        except UserError:
            pass  # not enough in the bin, or already reversed: nothing was written
    shorts = db.read(lambda s: list(s.scalars(select(ShortIssue.id))))
    when = {m: NOW - timedelta(days=rng.randint(0, 150), minutes=rng.randint(0, 1440)) for m in moves}
    place_at(db, StockMove, when)
    place_at(db, ShortIssue, {i: NOW - timedelta(days=rng.randint(0, 150)) for i in shorts})


def _reprice(db: Database, admin: Actor, part_id: int, cost: Decimal) -> None:
    db.write(lambda s: s.execute(update(Part).where(Part.id == part_id).values(unit_cost=cost)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kpis_from_the_daily_sums_equal_the_ledger_path(
    db: Database, admin: Actor, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    _random_ledger(db, admin, seed)
    assert kpi_days.check(db, admin) == []  # the triggers followed every post and the back-dating
    now = kpis.compute(db, months=6, now=NOW)
    monkeypatch.setattr(kpi_days, "totals", _ledger_path)
    monkeypatch.setattr(valuation_mod, "_to_cost_now", lambda *_a: {})
    before = kpis.compute(db, months=6, now=NOW)
    assert now == before
    assert now.consumption > 0 and now.filled > 0 and now.average_value > 0


def test_a_drift_is_found_and_repaired(db: Database, admin: Actor) -> None:
    _random_ledger(db, admin, 7)
    db.write(lambda s: s.execute(update(KpiDay).values(issues=KpiDay.issues + 1)))
    drifts = kpi_days.check(db, admin)
    # every kept day is one request off (a day emptied by the back-dating has no moves left)
    assert drifts
    assert all(d.kept and d.kept.issues == (d.ledger.issues if d.ledger else 0) + 1 for d in drifts)
    assert kpi_days.check(db, admin, repair=True) == drifts
    assert kpi_days.check(db, admin) == []


@pytest.mark.postgres
def test_postings_of_the_same_part_on_the_same_day_lose_no_update(pg_db: Database) -> None:
    """Writers on their own connections post the same part at once; every move is in the day's sums."""
    admin = ensure_user(pg_db, "admin", role=Role.ADMIN)
    tree = make_tree(pg_db, admin)
    bin_id = tree["A-01-01"].id
    part = make_part(pg_db, admin, "RACE-1", unit_cost=Decimal("2.5")).id
    writers, each = 6, 15
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def work() -> None:
        own = Database(pg_db.url)
        try:
            barrier.wait()
            for _ in range(each):
                post_move(own, admin, MoveRequest(MoveKind.RECEIPT, part, Decimal(2), to_location_id=bin_id))
        except BaseException as e:  # reported below
            errors.append(e)
        finally:
            own.dispose()

    threads = [threading.Thread(target=work) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    sums = pg_db.read(lambda s: kpi_days.totals(s, date(2000, 1, 1)))
    assert sum(t.value_change for t in sums.values()) == Decimal(writers * each * 2) * Decimal("2.5")
    assert kpi_days.check(pg_db, admin) == []


def test_the_migration_fills_the_sums_from_the_moves_already_posted(db: Database, admin: Actor) -> None:
    _random_ledger(db, admin, 11)
    expected = db.read(lambda s: kpi_days.totals(s, date(2000, 1, 1)))
    schema.downgrade(db, "0014_catalogue")
    assert "kpi_day" not in inspect(db.engine).get_table_names()
    part_id = db.read(lambda s: s.scalar(select(func.min(Part.id))))
    assert part_id is not None
    # a receipt written at that schema, with its columns only (today's services write later columns too);
    # no trigger below 0018
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stock_move (part_id, to_location_id, qty, kind, unit_cost, user_id) "
                "VALUES (:p, :l, 1, 'RECEIPT', 2, :u)"
            ),
            {"p": part_id, "l": get_location_id(db, "A-01-01"), "u": admin.user_id},
        )
    schema.upgrade(db, backup=False)
    assert kpi_days.check(db, admin) == []
    after = db.read(lambda s: kpi_days.totals(s, date(2000, 1, 1)))
    assert sum(t.value_change for t in after.values()) > sum(t.value_change for t in expected.values())
