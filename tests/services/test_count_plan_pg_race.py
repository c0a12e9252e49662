"""Several PCs open today's count list at the same moment on one PostgreSQL server: the plan is dealt
once (each line its own days, no duplicate, no refused transaction)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import select

from desktop.db import Database
from desktop.models import CountPlanSlot
from desktop.services.admin.users import ensure_user
from desktop.services.counts import today_list
from desktop.services.counts.abc import set_override
from tests.factories import make_part, make_tree, receive

pytestmark = pytest.mark.postgres


def test_four_pcs_deal_the_plan_at_once(pg_db: Database) -> None:
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    for n in range(40):
        part = make_part(pg_db, admin, f"R{n:02d}")
        if n < 5:
            set_override(pg_db, admin, part.part_number, "A")
        receive(pg_db, admin, part.id, tree["A-01-01"].id, "2")
    day = date(2027, 3, 1)

    def open_list(_n: int) -> int:
        clone = Database(pg_db.url)  # another PC: its own connections
        try:
            return len(today_list.todays_list(clone, day).lines)
        finally:
            clone.dispose()

    for _round in range(2):  # the year's first deal, then new lines arriving between two rounds
        with ThreadPoolExecutor(4) as pool:
            listed = list(pool.map(open_list, range(4)))
        assert len(set(listed)) == 1  # every PC sees the same list
        for n in range(40, 45):
            part = make_part(pg_db, admin, f"R{n:02d}-{_round}")
            receive(pg_db, admin, part.id, tree["A-01-02"].id, "1")
        day = date(2027, 3, 2)
    slots = pg_db.read(
        lambda s: Counter(
            (p, loc)
            for p, loc in s.execute(select(CountPlanSlot.part_id, CountPlanSlot.location_id)).tuples()
        )
    )
    per_line = sorted(slots.values())
    assert len(slots) == 45 and per_line.count(12) == 5  # the A lines: 12 days each, dealt once
    assert per_line.count(1) == 40  # 35 C lines of the first deal + 5 new lines, one day each
