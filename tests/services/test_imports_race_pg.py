"""Opening stock imported while keepers issue from the same bin, on PostgreSQL: the import sets the bin to
the file's quantity at the moment it commits, whatever was issued while it was checked and planned."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.db import Database
from desktop.errors import InsufficientStock
from desktop.models import StockMove
from desktop.models.enums import MoveKind
from desktop.services.admin.users import ensure_user
from desktop.services.io import imports
from desktop.services.io.tabular import parse_csv
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, receive

pytestmark = pytest.mark.postgres


def test_opening_stock_import_races_with_issues(pg_db: Database) -> None:
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin, "P-RACE")
    bin_id = tree["A-01-01"].id
    receive(pg_db, admin, part.id, bin_id, "500")
    stop = threading.Event()
    issued: list[int] = []

    def keeper(n: int) -> None:
        database = Database(pg_db.url)
        actor = ensure_user(database, f"keeper{n}")
        while not stop.is_set():
            try:
                post_move(
                    database, actor, MoveRequest(MoveKind.ISSUE, part.id, Decimal(1), from_location_id=bin_id)
                )
                issued.append(1)
            except InsufficientStock:
                time.sleep(0.01)
        database.dispose()

    workers = [threading.Thread(target=keeper, args=(n,)) for n in range(4)]
    for w in workers:
        w.start()
    table = parse_csv(b"Part number,Location,Quantity\nP-RACE,A-01-01,200\n")
    mapping = imports.auto_map("stock", table.headers)
    try:
        while len(issued) < 20:  # the keepers are busy
            time.sleep(0.01)
        for _ in range(3):
            assert imports.check(pg_db, admin, "stock", table, mapping).ok  # the dry run under load
        imports.run(pg_db, admin, "stock", table, mapping, source="opening.csv")
        time.sleep(0.3)  # a few more issues after the import
    finally:
        stop.set()
        for w in workers:
            w.join()
    moves = pg_db.read(
        lambda s: list(
            s.execute(select(StockMove.id, StockMove.kind, StockMove.qty, StockMove.reference)).tuples()
        )
    )
    (import_move,) = [m for m in moves if m[3] == "opening.csv"]
    after = sum(q for i, kind, q, _ref in moves if kind == MoveKind.ISSUE.value and i > import_move[0])
    assert len(issued) > 20 and after > 0
    assert (
        stock.balance(pg_db, part.id, bin_id) == Decimal(200) - after
    )  # the file's 200, less what came after
    assert balance_check.check_balances(pg_db, admin) == []
