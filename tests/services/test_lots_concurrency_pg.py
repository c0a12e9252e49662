"""Keepers at several PCs taking the last units of one lot at the same moment, on a real PostgreSQL server:
issues that name the lot, issues that take the proposed lot, and transfers out of it. Exactly the lot's
units go, every other keeper hears "only 0 ... left" for that lot, and the other lot in the same bin, the
bin's balance and the ledger all still agree."""

from __future__ import annotations

import multiprocessing as mp
from datetime import date, timedelta
from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import InsufficientStock
from desktop.models.enums import MoveKind, Role
from desktop.services import lots
from desktop.services.admin.users import ensure_user
from desktop.services.lots import LotReceipt, TrackingInput
from desktop.services.stock import balance_check
from desktop.services.stock import issue as stock_issue
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest
from tests.factories import make_part, make_tree
from tests.processes import run_at_once, wait_for

pytestmark = pytest.mark.postgres


def _worker(
    url: str,
    user: str,
    part_id: int,
    bin_id: int,
    other_bin: int,
    lot_id: int | None,  # None: take the lot the service proposes
    does: str,  # "issue" or "transfer"
    tries: int,
    start: float,
    out: mp.Queue[tuple[str, int, int, list[str]]],
) -> None:
    database = Database(url)
    actor = ensure_user(database, user, role=Role.KEEPER)
    ok = refused = 0
    messages: set[str] = set()
    wait_for(start)
    for _ in range(tries):
        try:
            if does == "transfer":
                req = MoveRequest(MoveKind.TRANSFER, part_id, Decimal(1), bin_id, other_bin, lot_id=lot_id)
                stock.post_move(database, actor, req)
            else:
                req = MoveRequest(
                    MoveKind.ISSUE, part_id, Decimal(1), bin_id, reference=f"WO-{user}", lot_id=lot_id
                )
                stock_issue.issue(database, actor, req)
            ok += 1
        except InsufficientStock as exc:
            refused += 1
            messages.add(str(exc).split(":")[0])
    database.dispose()
    out.put((does, ok, refused, sorted(messages)))


@pytest.mark.parametrize(
    ("named", "kinds", "tries"),
    [
        (True, ["issue", "issue"], 1),
        (True, ["issue", "transfer", "issue", "transfer"], 3),
        (False, ["issue", "issue", "issue"], 2),
    ],
)
def test_one_lot_s_last_units_go_once(pg_db: Database, named: bool, kinds: list[str], tries: int) -> None:
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin, "GREASE-EP2")
    lots.set_tracking(pg_db, admin, part.id, TrackingInput("LOT"))
    bin_id, other = tree["A-01-01"].id, tree["A-01-02"].id
    units = 1 if len(kinds) == 2 else 3
    soon = date.today() + timedelta(days=5)
    last = lots.receive(pg_db, admin, LotReceipt(part.id, bin_id, Decimal(units), "LAST-UNITS", soon)).lots[0]
    later = lots.receive(
        pg_db, admin, LotReceipt(part.id, bin_id, Decimal(50), "PLENTY", soon + timedelta(300))
    ).lots[0]
    results = run_at_once(
        _worker,
        [
            (pg_db.url, f"pc{n}", part.id, bin_id, other, last.id if named else None, does, tries)
            for n, does in enumerate(kinds)
        ],
    )
    done = sum(r[1] for r in results)
    assert balance_check.check_balances(pg_db, admin) == []
    in_lot = [x.qty for x in lots.propose(pg_db, part.id, bin_id) if x.lot.id == last.id]
    if named:
        assert done == units and in_lot == []  # exactly the lot's units went, once each
        assert {m for r in results for m in r[3]} == {
            "Only 0 EA of GREASE-EP2 lot LAST-UNITS left in A-01-01"
        }
        assert [x.qty for x in lots.propose(pg_db, part.id, bin_id) if x.lot.id == later.id] == [50]
    else:  # nobody is refused: after the last unit of the first lot the next lot is proposed
        assert done == len(kinds) * tries and in_lot == []
        assert [x.qty for x in lots.propose(pg_db, part.id, bin_id)] == [50 - (done - units)]
