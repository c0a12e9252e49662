"""What changed since we last looked, so every PC's screens follow the others' work.

Every stock change appends a ledger row and every master-data or account change appends an audit row,
so the highest id of each append-only table is a cheap, portable change marker (one indexed lookup per
table, the same on SQLite and PostgreSQL). Modules register their own append-only tables.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from desktop.db import Database
from desktop.models import AuditEvent, StockMove

# marker -> (id column of an append-only table, what a change there means for the screens)
WATCHED: dict[str, tuple[InstrumentedAttribute[int], frozenset[str]]] = {
    "stock": (StockMove.id, frozenset({"stock"})),
    "audit": (AuditEvent.id, frozenset({"parts", "locations", "users"})),
}

Marks = dict[str, int]


def marks(db: Database) -> Marks:
    def op(s: Session) -> Marks:
        row = s.execute(
            select(
                *[
                    select(func.coalesce(func.max(col), 0)).scalar_subquery()
                    for col, _what in WATCHED.values()
                ]
            )
        ).one()
        return dict(zip(WATCHED, (int(v) for v in row), strict=True))

    return db.read(op)


def changed(before: Marks, after: Marks) -> set[str]:
    what: set[str] = set()
    for key, value in after.items():
        if before.get(key) != value:
            what |= WATCHED[key][1]
    return what
