"""The SQL side of the big parts list: the ids of matching parts in display order (search, sort, filter in
SQL; a first page found fast while typing, with an estimated count), then the rows for a block of ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, column, func, literal_column, or_, select, table
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import Part, StockBalance
from desktop.services.catalogue import categories
from desktop.services.common import first_column, like_pattern
from desktop.services.stock.position import on_order, on_order_sums


@dataclass(frozen=True)
class PartRow:
    """One line of the parts list."""

    id: int
    part_number: str
    description: str
    category: str
    unit: str
    unit_cost: Decimal
    manufacturer_part_number: str | None
    on_hand: Decimal
    min_qty: Decimal | None
    active: bool
    on_order: Decimal = Decimal(0)  # open order lines and ordered kanban cards (inventory_position.py)


# --- the big list: ordered ids, then rows by block ----------------------------------------------------

SORT_COLUMNS = (
    "part_number",
    "description",
    "category",
    "unit",
    "unit_cost",
    "manufacturer_part_number",
    "on_hand",
    "on_order",
)


_SORT_KEYS: dict[str, ColumnElement[Any]] = {
    "part_number": Part.number_key,  # type: ignore[dict-item]
    "description": Part.description,  # type: ignore[dict-item]
    "category": Part.category,  # type: ignore[dict-item]
    "unit": Part.unit,  # type: ignore[dict-item]
    "unit_cost": Part.unit_cost,  # type: ignore[dict-item]
    "manufacturer_part_number": Part.mpn_key,  # type: ignore[dict-item]
}


# The trigram index the migration 0009_part_search keeps beside `part` on SQLite (FTS5, by triggers).
_PART_SEARCH = table("part_search", column("rowid", Integer))
_TRIGRAM = 3  # a trigram index can answer words of at least three characters


def _trigram_matches(text: str) -> Select[tuple[int]] | None:
    """Ids of the parts carrying every word of 3 or more characters of `text` (SQLite's trigram index),
    or None when it has no such word."""
    indexed = [w for w in text.split() if len(w) >= _TRIGRAM]
    if not indexed:
        return None
    query = " AND ".join('"' + w.replace('"', '""') + '"' for w in indexed)  # each a quoted substring
    return select(_PART_SEARCH.c.rowid).where(literal_column("part_search").op("MATCH")(query))


def _search_filter(stmt: Select[tuple[int]], text: str, *, sqlite: bool, walk: bool) -> Select[tuple[int]]:
    """Every word must match part number, description or manufacturer's number as a substring, ignoring
    case: "bearing 6205" narrows as you type. `walk`: the rows are tested one by one in the sort order."""
    words = text.split()
    if sqlite:
        # A walk tests each entry it reads, so an ASCII word is tested with LIKE there: going through the
        # trigram index would first list all its matches (5 ms for "DIN"). LIKE ignores case in ASCII
        # only, so other words keep the index, whose case folding is Unicode's.
        indexed = [w for w in words if len(w) >= _TRIGRAM and not (walk and w.isascii())]
        matches = _trigram_matches(" ".join(indexed))
        if matches is not None:
            # `id + 0` hides the primary key from the planner, which would otherwise read the matches
            # by id and sort them all instead of walking the sort order.
            stmt = stmt.where((Part.id + 0 if walk else Part.id).in_(matches))
        words = [w for w in words if len(w) < _TRIGRAM or (walk and w.isascii())]
    for word in words:
        upper = like_pattern(word.upper())
        stmt = stmt.where(
            or_(
                Part.number_key.like(upper, escape="\\"),
                # SQLite's LIKE already ignores ASCII case; on PostgreSQL ILIKE uses the pg_trgm index
                Part.description.like(like_pattern(word), escape="\\")
                if sqlite
                else Part.description.ilike(like_pattern(word), escape="\\"),
                Part.mpn_key.like(upper, escape="\\"),
            )
        )
    return stmt


def search_part_ids(
    db: Database,
    text: str = "",
    *,
    sort: str = "part_number",
    descending: bool = False,
    category: str | None = None,
    include_inactive: bool = False,
    group: int | None = None,
) -> list[int]:
    """Ids of matching parts in display order; sorting and filtering happen in SQL. `category` is the
    inventory type (RAW, WIP…); `group` a category of the tree: parts in it or anywhere below it."""

    def op(s: Session) -> list[int]:
        return first_column(
            s, _filtered(s, db, text, descending, category, include_inactive, group)(sort=sort)
        )

    return db.read(op)


# Search as you type: a short word matches a third of a big catalogue, and listing every match means
# reading and sorting every part. The first page is found by walking the sort order and stopping at a
# page of matches; the count is then estimated from a sample of id ranges. On SQLite a covering index
# holds each walkable order with the searched columns (0009, 0024), so a walk reads no table row: a
# search of short words walks to the end if it must (13-20 ms on 100,000 parts for a rare one, less
# than scanning and sorting the table). Words of 3 or more characters have the trigram index: the
# parts it finds are read by id when they are few, else the walk is tried first, cut short (ASCII
# words tested with LIKE as it goes, see _search_filter).
SEARCH_PAGE = 200  # ids in the first page: a few screens of rows (one block of the parts list)
_WALKABLE = ("part_number", "description")  # indexed, never NULL: a bound on them is a prefix
_READ_BY_ID = 5_000  # trigram matches read by id, sorted and counted (about 1 µs each) without a walk
_WALK = 5_000  # index entries a cut-short walk reads (on PostgreSQL with their rows)
_SAMPLE_WINDOWS = 4
_SAMPLE_IDS = 1_000  # ids in each window, spread over the id range


@dataclass(frozen=True)
class PartIdPage:
    """The first ids of a search in display order, and how many parts match in all."""

    ids: list[int]
    total: int
    exact: bool  # False: `total` is an estimate; either way `ids` may be only the head of the list


def search_part_page(
    db: Database,
    text: str = "",
    *,
    limit: int = SEARCH_PAGE,
    sort: str = "part_number",
    descending: bool = False,
    category: str | None = None,
    include_inactive: bool = False,
    group: int | None = None,
) -> PartIdPage:
    """The first `limit` ids that search_part_ids() would return, and the number of matches: estimated
    when a search has more than `limit` found by walking the sort order, where counting them would mean
    reading every match."""
    if limit < 1:
        raise ValueError("a page holds at least one id")
    words = text.split()
    short = bool(words) and all(len(w) < _TRIGRAM for w in words)
    if not words or sort not in _WALKABLE or not (short or db.is_sqlite):
        # no search, no index walks this sort, or PostgreSQL's trigram index narrows it
        return db.read(
            lambda s: _head_and_count(s, db, text, limit, sort, descending, category, include_inactive, group)
        )

    def op(s: Session) -> PartIdPage:
        key = _SORT_KEYS[sort]
        statement = partial(_filtered(s, db, text, descending, category, include_inactive, group), sort=sort)
        walk = statement(walk=True)
        head, bound, most = walk, None, None
        matches = _trigram_matches(text) if db.is_sqlite else None
        if matches is not None:
            most = _count(s, matches)  # parts carrying the long words: no more can match
            if most <= _READ_BY_ID:
                return _head_and_count(
                    s, db, text, limit, sort, descending, category, include_inactive, group
                )
        if not (short and db.is_sqlite):  # a walk with nothing cheaper behind it is never cut short
            order = key.desc() if descending else key.asc()
            bound = s.scalar(select(key).order_by(order).offset(_WALK).limit(1))
            if bound is not None:
                head = walk.where(key >= bound if descending else key <= bound)
        ids = first_column(s, head.limit(limit + 1))
        if len(ids) <= limit and bound is not None:  # too few in the walk: the top of every match
            ids = first_column(s, statement().limit(limit + 1))
        if len(ids) <= limit:
            return PartIdPage(ids, len(ids), True)
        total, exact = _estimate(s, walk)  # id ranges sampled with the walk's own tests
        return PartIdPage(ids[:limit], max(limit + 1, min(total, most) if most is not None else total), exact)

    return db.read(op)


def _head_and_count(
    s: Session,
    db: Database,
    text: str,
    limit: int,
    sort: str,
    descending: bool,
    category: str | None,
    include_inactive: bool,
    group: int | None,
) -> PartIdPage:
    """The first `limit` ids in the sort order and the exact count of the matches. Listing every id
    (100,000 for the list opened with no search) was most of the time: ids read, sent and kept in
    Python. The head under LIMIT walks the sort column's index or keeps only the top of a sort; the
    rest of the ids comes when the list is scrolled to its end."""
    statement = _filtered(s, db, text, descending, category, include_inactive, group)
    if text.strip():  # the matches are all read to be sorted: counted in the same pass
        rows = s.execute(statement(sort=sort).add_columns(func.count().over()).limit(limit + 1)).all()
        return PartIdPage([r[0] for r in rows[:limit]], rows[0][1] if rows else 0, True)
    # The whole list: its head walks an index and stops, so the parts are counted apart, without
    # the sort's join (how many parts there are does not depend on their balances).
    ids = first_column(s, statement(sort=sort).limit(limit + 1))
    if len(ids) <= limit:
        return PartIdPage(ids, len(ids), True)
    return PartIdPage(ids[:limit], _count(s, statement(sort="part_number")), True)


def _count(s: Session, stmt: Select[tuple[int]]) -> int:
    return s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _estimate(s: Session, stmt: Select[tuple[int]]) -> tuple[int, bool]:
    """Matches of `stmt` in a few windows of the id range, scaled up to the whole range; exact (True)
    when the windows cover every id."""
    top = s.scalar(select(func.max(Part.id))) or 0
    step = max(-(-top // _SAMPLE_WINDOWS), 1)
    windows = [(low, min(low + min(_SAMPLE_IDS, step) - 1, top)) for low in range(1, top + 1, step)]
    span = sum(high - low + 1 for low, high in windows)
    in_windows = or_(*[Part.id.between(low, high) for low, high in windows])
    hits = _count(s, stmt.where(in_windows))
    return (round(hits * top / span), span >= top) if span else (0, True)


def _filtered(
    s: Session,
    db: Database,
    text: str,
    descending: bool,
    category: str | None,
    include_inactive: bool,
    group: int | None,
) -> Callable[..., Select[tuple[int]]]:
    """search_statement() with a search's filters bound; the caller names the sort (and the walk)."""
    group_key = categories.path_key_of(s, group) if group is not None else None
    return partial(
        search_statement,
        text,
        sqlite=db.is_sqlite,
        descending=descending,
        category=category,
        include_inactive=include_inactive,
        group_key=group_key,
    )


def search_statement(
    text: str,
    *,
    sqlite: bool,
    sort: str = "part_number",
    descending: bool = False,
    category: str | None = None,
    include_inactive: bool = False,
    group_key: str | None = None,
    walk: bool = False,
) -> Select[tuple[int]]:
    """The query behind search_part_ids() (the benchmark runs it in plain SQL as its baseline).
    `walk`: for a first page under LIMIT, keep the sort column's index usable (SQLite)."""
    if sort not in SORT_COLUMNS:
        raise ValueError(f"cannot sort parts by {sort!r}")
    stmt = select(Part.id)
    key: ColumnElement[Any]
    if sort == "on_hand":
        # The balances joined and summed in one grouped pass: a correlated sum per part cost 97,087
        # index look-ups before the sort (214 ms on the plant).
        stmt = stmt.outerjoin(StockBalance, StockBalance.part_id == Part.id).group_by(Part.id)
        key = func.coalesce(func.sum(StockBalance.qty), 0)
    elif sort == "on_order":
        coming = on_order_sums().subquery()  # one grouped pass, joined: at most one row per part
        stmt = stmt.outerjoin(coming, coming.c.part_id == Part.id)
        key = func.coalesce(coming.c.qty, 0)
    else:
        key = _SORT_KEYS[sort]
    order = key.desc() if descending else key.asc()
    if text.strip():
        stmt = _search_filter(stmt, text, sqlite=sqlite, walk=walk)
    if category:
        stmt = stmt.where(Part.category == category)
    if group_key is not None:
        stmt = stmt.where(Part.id.in_(categories.subtree_part_ids(group_key)))
    if not include_inactive:
        stmt = stmt.where(Part.active)
    if text.strip() and sqlite and not walk:
        # With a filter, scanning the table and sorting the matches beats walking the sort column's
        # index and fetching every row in that order (112 -> 26 ms on 100,000 parts): coalesce(k, k)
        # keeps the order but hides the index from the planner.
        order = func.coalesce(key, key).desc() if descending else func.coalesce(key, key).asc()
    # Ties in display order: a part number is unique, so it needs none (and so the walk reads 0009's
    # covering index in order); a description's ties go by part number, as 0024's index holds them.
    if sort == "part_number":
        return stmt.order_by(order)
    tie = Part.number_key if sort == "description" else Part.id
    return stmt.order_by(order, tie.desc() if descending else tie)


def part_rows(db: Database, ids: list[int]) -> list[PartRow]:
    """Rows for `ids`, in the same order (missing ids, e.g. deleted meanwhile, are left out)."""
    if not ids:
        return []

    def op(s: Session) -> list[PartRow]:
        on_hand = dict(
            s.execute(
                select(StockBalance.part_id, func.sum(StockBalance.qty))
                .where(StockBalance.part_id.in_(ids))
                .group_by(StockBalance.part_id)
            )
            .tuples()
            .all()
        )
        parts = {p.id: p for p in s.scalars(select(Part).where(Part.id.in_(ids)))}
        coming = on_order(s, ids)
        return [
            PartRow(
                p.id,
                p.part_number,
                p.description,
                p.category,
                p.unit,
                p.unit_cost,
                p.manufacturer_part_number,
                Decimal(on_hand.get(p.id) or 0),
                p.min_qty,
                p.active,
                coming.get(p.id, Decimal(0)),
            )
            for i in ids
            if (p := parts.get(i)) is not None
        ]

    return db.read(op)
