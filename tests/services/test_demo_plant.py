"""The demo plant a first start offers: every page has something real to show, and the ledger holds."""

from __future__ import annotations

from collections import Counter

from desktop.db import Database
from desktop.services import mro
from desktop.services.actor import Actor
from desktop.services.demo import load_demo
from desktop.services.kanban import board
from desktop.services.kanban import loops as kanban
from desktop.services.kanban.demo import DEMO_LOOPS
from desktop.services.stock import balance_check


def test_the_demo_plant_has_kanban_loops_in_every_state(db: Database, admin: Actor) -> None:
    assert load_demo(db, admin, parts=24) == 24
    rows = board.board(db)
    assert len(rows) == DEMO_LOOPS  # 24 parts: 10 raw and 2 WIP get a loop
    kinds = Counter(r.loop.kind for r in rows)
    assert kinds["PURCHASE"] >= 6 and kinds["TRANSFER"] >= 2
    assert all(r.loop.consumption_code.startswith("L1-") for r in rows)
    states = Counter(c.status for c in kanban.cards(db))
    assert {"FULL", "EMPTY", "ORDERED", "IN_TRANSIT"} <= set(states)
    assert sum(r.stockout for r in rows) == 1  # one line has run dry: the red row
    waiting = board.replenishment_list(db)
    assert waiting and sum(len(x.card_ids) for x in waiting) == states["EMPTY"]
    assert mro.asset_tree(db)  # the machines are there too
    assert balance_check.check_balances(db, admin) == []
