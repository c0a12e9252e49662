"""In-process measurements of the services on a (plant-scale) SQLite database.

Each function returns `Result`s; where a target is missed it attaches evidence (EXPLAIN QUERY PLAN of
the SQL the service runs, a cProfile of the call) so RESULTS.md says why, not only that.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from bench.generate import ADMIN_USER, BENCH_PIN, verify
from bench.report import Result, code_block, explain, from_samples, median, p95, profile
from desktop.codes import part_payload
from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Part
from desktop.models.enums import MoveKind
from desktop.services.admin import users
from desktop.services.catalogue import locations, parts, parts_list, scan, suppliers
from desktop.services.stock import balance_check
from desktop.services.stock import batch as stock_batch
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest

Clock = Callable[[], float]
_now = time.perf_counter


def _ms(start: float) -> float:
    return (_now() - start) * 1000


def _raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


# --- scan -------------------------------------------------------------------------------------------------

_PART_BY_KEY = "SELECT id FROM part WHERE number_key = ?"
_PART_BY_ID = "SELECT id FROM part WHERE id = ?"
_LOCATION_BY_CODE = "SELECT id FROM location WHERE code = ?"


class _Plain:
    """One of resolve()'s own statements, compiled once to SQLite SQL and run on a plain sqlite3
    connection: the equal-work baseline follows whatever the service sends."""

    def __init__(self, stmt: Any) -> None:
        compiled = stmt.compile(dialect=sqlite_dialect.dialect())
        self.sql = str(compiled)
        self._order = list(compiled.positiontup or ())
        self._defaults = dict(compiled.params)

    def args(self, **given: object) -> tuple[object, ...]:
        return tuple(given.get(k, self._defaults.get(k)) for k in self._order)

    def rows(self, conn: sqlite3.Connection, **given: object) -> list[Any]:
        return conn.execute(self.sql, self.args(**given)).fetchall()


_PART_WITH_STOCK_BY_KEY = _Plain(parts._PART_BY_KEY)
_PART_WITH_STOCK_BY_ID = _Plain(parts._PART_BY_ID)
_PART_SUPPLIERS = _Plain(suppliers._PART_SUPPLIERS)
_LOCATION_WITH_CHILDREN = _Plain(locations._BY_CODE)
_CONTENTS_BIN = _Plain(locations._HELD_IN_BIN)
_CONTENTS_TREE = _Plain(locations._HELD_BELOW)
_SHOWN = locations.SHOWN_LINES + 1


def _bare_lookup(conn: sqlite3.Connection, label: str, part_id: int | None) -> None:
    if label.startswith("L-"):
        conn.execute(_LOCATION_BY_CODE, (label[2:],)).fetchone()
    elif label.startswith("P--"):
        conn.execute(_PART_BY_ID, (part_id,)).fetchone()
    else:
        conn.execute(_PART_BY_KEY, (label[2:],)).fetchone()


def _equal_work(conn: sqlite3.Connection, label: str, part_id: int | None) -> None:
    """The rows resolve() returns, fetched with the same statements in plain SQL, in one transaction."""
    conn.execute("BEGIN")
    try:
        if label.startswith("L-"):
            loc = _LOCATION_WITH_CHILDREN.rows(conn, code=label[2:])[0]
            if loc[-1]:  # children: the subtree's contents
                lo, hi = locations.subtree_bounds(loc[6])
                _CONTENTS_TREE.rows(conn, lo=lo, hi=hi, limit=_SHOWN)
            else:
                _CONTENTS_BIN.rows(conn, location_id=loc[0], limit=_SHOWN)
            return
        if label.startswith("P--"):
            found = _PART_WITH_STOCK_BY_ID.rows(conn, id=part_id)
        else:
            found = _PART_WITH_STOCK_BY_KEY.rows(conn, key=label[2:])
        _PART_SUPPLIERS.rows(conn, part_id=found[0][0])
    finally:
        conn.execute("COMMIT")


def _time_each(
    fn: Callable[[str, int | None], object], labels: Sequence[tuple[str, int | None]]
) -> list[float]:
    out = []
    for label, part_id in labels:
        t = _now()
        fn(label, part_id)
        out.append(_ms(t))
    return out


def _floor(db: Database, conn: sqlite3.Connection, number_key: str) -> str:
    """What any service call costs before it does any work: the session, the transaction, one ORM query."""

    def empty() -> None:
        db.read(lambda _s: None)

    def one_orm_query() -> None:
        db.read(lambda s: s.scalar(select(Part.id).where(Part.number_key == number_key)))

    def bare() -> None:
        conn.execute(_PART_BY_KEY, (number_key,)).fetchone()

    rows = []
    for name, fn in (
        ("an empty `db.read()` (session, BEGIN DEFERRED, ROLLBACK)", empty),
        ("`db.read()` running the one indexed lookup through the ORM", one_orm_query),
        ("the bare indexed lookup in plain sqlite3", bare),
    ):
        for _ in range(20):
            fn()
        samples = []
        for _ in range(500):
            t = _now()
            fn()
            samples.append(_ms(t))
        rows.append(f"{median(samples):8.3f} ms  {name}")
    return code_block("The floor under any service call (median of 500):", "\n".join(rows))


def measure_scan(db: Database, path: Path, rng: random.Random, n: int) -> list[Result]:
    with closing(_raw(path)) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM part")]
        chosen = rng.sample(ids, min(n, len(ids)))
        marks = ",".join("?" * len(chosen))
        numbers = dict(
            conn.execute(f"SELECT id, part_number FROM part WHERE id IN ({marks})", chosen).fetchall()
        )
        part_labels: list[tuple[str, int | None]] = [(part_payload(numbers[i], i), i) for i in chosen]
        locs = conn.execute("SELECT code, level FROM location WHERE active").fetchall()
        by_level: dict[str, list[str]] = {}
        for code, level in locs:
            by_level.setdefault(level, []).append(code)
        bins = by_level.get("BIN", [])
        bin_labels: list[tuple[str, int | None]] = [
            ("L-" + c, None) for c in rng.sample(bins, min(n, len(bins)))
        ]
        racks = by_level.get("RACK", [])
        rack_labels: list[tuple[str, int | None]] = [
            ("L-" + c, None) for c in rng.sample(racks, min(max(1, n // 5), len(racks)))
        ]
        upper_labels: list[tuple[str, int | None]] = [
            ("L-" + c, None) for level in ("AREA", "SITE") for c in by_level.get(level, [])
        ]

        def service(label: str, _part_id: int | None) -> None:
            result = scan.resolve(db, label)
            if not result.found:
                raise AssertionError(f"scan of {label} found nothing: {result.message}")

        def bare(label: str, part_id: int | None) -> None:
            _bare_lookup(conn, label, part_id)

        def same(label: str, part_id: int | None) -> None:
            _equal_work(conn, label, part_id)

        warm = part_labels[: min(20, len(part_labels))] + bin_labels[: min(20, len(bin_labels))]
        for fn in (service, bare, same):
            _time_each(fn, warm)

        results = []
        for key, name, labels in (
            ("scan.part", "Scan resolve: part label `P-…`", part_labels),
            ("scan.bin", "Scan resolve: bin label `L-…`", bin_labels),
            ("scan.rack", "Scan resolve: rack label `L-…` (50 bins below)", rack_labels),
            ("scan.upper", "Scan resolve: area and site labels `L-…`", upper_labels),
        ):
            if not labels:
                continue
            got = _time_each(service, labels)
            base = _time_each(bare, labels)
            equal = _time_each(same, labels)
            ratio = median(got) / median(equal)
            # Issue #22 retired "within 5x of the bare indexed lookup" (0.15 ms is invisible to anyone):
            # the service is held to the same statements in plain SQL; an area's label sums thousands of
            # bins and may take up to 50 ms, as on screen.
            limit = 50 if key == "scan.upper" else 10
            res = from_samples(
                key,
                name,
                got,
                baseline_ms=base,
                target=f"p95 < {limit} ms and median ≤ 10× the same statements in plain SQL",
                note=(
                    f"{ratio:,.1f}× the same statements in plain SQL (one transaction: median "
                    f"{median(equal):.3f} ms, p95 {p95(equal):.3f} ms); "
                    f"{median(got) / median(base):,.0f}× the bare indexed lookup (the baseline column)"
                ),
            )
            res.passed = (res.p95 or 0) < limit and ratio <= 10
            if not res.passed and key == "scan.part":
                safe_label = next((lb for lb, _i in labels if not lb.startswith("P--")), labels[0][0])
                res.evidence.append(_floor(db, conn, safe_label[2:]))
            if not res.passed:
                sample = labels[max(range(len(got)), key=got.__getitem__)][0]
                res.evidence.append(
                    code_block(
                        f"cProfile of `scan.resolve(db, {sample!r})` (the slowest label of the sample):",
                        profile(partial(scan.resolve, db, sample), repeat=1 if key == "scan.upper" else 20),
                    )
                )
                if key == "scan.bin":
                    res.evidence.append(
                        code_block(
                            "EXPLAIN QUERY PLAN of the contents query resolve() runs for a bin:",
                            f"{_CONTENTS_BIN.sql}\n"
                            + explain(
                                conn, _CONTENTS_BIN.sql, _CONTENTS_BIN.args(location_id=1, limit=_SHOWN)
                            ),
                        )
                    )
                elif sample.startswith("L-"):
                    res.evidence.append(
                        code_block(
                            "EXPLAIN QUERY PLAN of the contents query resolve() runs for a location "
                            "with children (subtree as a range on `path`):",
                            f"{_CONTENTS_TREE.sql}\n"
                            + explain(
                                conn, _CONTENTS_TREE.sql, _CONTENTS_TREE.args(lo="P/", hi="P0", limit=_SHOWN)
                            ),
                        )
                    )
                else:
                    res.evidence.append(
                        code_block(
                            "EXPLAIN QUERY PLAN of the queries resolve() runs for a part:",
                            "\n".join(
                                f"{q.sql}\n{explain(conn, q.sql, q.args(key='X', part_id=1))}"
                                for q in (_PART_WITH_STOCK_BY_KEY, _PART_SUPPLIERS)
                            ),
                        )
                    )
            results.append(res)
        return results


# --- search as you type -----------------------------------------------------------------------------------


def _search_sql(text: str) -> tuple[str, list[Any]]:
    """The statement search_part_ids() sends, rendered for plain sqlite3, for the raw baseline."""
    compiled = parts_list.search_statement(text, sqlite=True).compile(dialect=sqlite_dialect.dialect())
    params = compiled.construct_params()
    return str(compiled), [params[name] for name in compiled.positiontup or ()]


def search_texts(conn: sqlite3.Connection, rng: random.Random, n: int) -> list[str]:
    """Substrings (1-6 characters) of part numbers and descriptions, as someone types them."""
    ids = [r[0] for r in conn.execute("SELECT id FROM part")]
    texts: list[str] = []
    while len(texts) < n:
        number, description = conn.execute(
            "SELECT part_number, description FROM part WHERE id = ?", (rng.choice(ids),)
        ).fetchone()
        source = number if rng.random() < 0.5 else description
        length = rng.randint(1, 6)
        start = rng.randrange(max(1, len(source) - length + 1))
        text = source[start : start + length].strip()
        if not text:
            continue
        texts.append(text.lower() if rng.random() < 0.5 else text)
    return texts


def measure_search(db: Database, path: Path, rng: random.Random, n: int) -> list[Result]:
    with closing(_raw(path)) as conn:
        texts = search_texts(conn, rng, n)
        for text in texts[:5]:  # warm-up
            parts_list.search_part_page(db, text)
        got, base, hits = [], [], []
        for text in texts:
            t = _now()
            page = parts_list.search_part_page(db, text)  # what the parts list asks as you type
            got.append(_ms(t))
            hits.append(page.total)
            sql, params = _search_sql(text)
            t = _now()
            raw_ids = [r[0] for r in conn.execute(sql, params).fetchall()]
            base.append(_ms(t))
            if raw_ids[: len(page.ids)] != page.ids or (page.exact and len(raw_ids) != page.total):
                raise AssertionError(f"raw baseline for {text!r} found {len(raw_ids)}, service {page.total}")
        overall = from_samples(
            "search",
            "Part search-as-you-type `search_part_page(text)`: the first page and the count, 1-6 characters",
            got,
            baseline_ms=base,
            target="p95 < 25 ms",
            limit_p95=25,
            note=f"median {median(hits):,.0f} matches (estimated above a page), p95 {p95(hits):,.0f}; "
            "baseline: every matching id in plain SQL",
        )
        results = [overall]
        for low, high in ((1, 2), (3, 4), (5, 6)):
            picked = [i for i, t in enumerate(texts) if low <= len(t) <= high]
            if not picked:
                continue
            results.append(
                from_samples(
                    f"search.{low}-{high}",
                    f"… of which {low}-{high} characters",
                    [got[i] for i in picked],
                    baseline_ms=[base[i] for i in picked],
                    note=f"median {median([hits[i] for i in picked]):,.0f} matches",
                )
            )
        if not overall.passed:
            slow = max(range(len(texts)), key=lambda i: got[i])
            short = min(texts, key=len)
            sql, params = _search_sql(texts[slow])
            overall.evidence.append(
                code_block(
                    f"EXPLAIN QUERY PLAN of the search for {texts[slow]!r} (the slowest of the sample, "
                    f"{hits[slow]:,} ids):",
                    f"{sql}\n{explain(conn, sql, params)}",
                )
            )
            overall.evidence.append(
                code_block(
                    f"cProfile of `search_part_page(db, {short!r})`:",
                    profile(lambda: parts_list.search_part_page(db, short), repeat=5),
                )
            )
        return results


# --- the big list: open and sort ------------------------------------------------------------------------

_SORT_SQL = {
    "part_number": "part.number_key",
    "description": "part.description",
    "category": "part.category",
    "unit": "part.unit",
    "unit_cost": "part.unit_cost",
    "manufacturer_part_number": "part.mpn_key",
    "on_hand": "coalesce(sum(stock_balance.qty), 0)",
}
BLOCK = 200  # rows fetched per block by desktop/ui/catalogue/parts_model.py


def _on_order_sql() -> str:
    """The parts list's own grouped on-order statement, compiled to plain SQLite SQL."""
    from sqlalchemy.dialects import sqlite

    from desktop.services.stock.position import on_order_sums

    return str(on_order_sums().compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def _raw_sort_sql(column: str, direction: str) -> str:
    if column == "on_order":  # what is coming in, joined as one grouped pass, as search_statement() does
        return (
            f"SELECT part.id FROM part LEFT JOIN ({_on_order_sql()}) AS coming ON coming.part_id = part.id "
            f"WHERE part.active = 1 ORDER BY coalesce(coming.qty, 0) {direction}, part.id {direction}"
        )
    # on hand: the balances joined and grouped, as search_statement() does
    join = " LEFT JOIN stock_balance ON stock_balance.part_id = part.id" if column == "on_hand" else ""
    group = " GROUP BY part.id" if column == "on_hand" else ""
    return (
        f"SELECT part.id FROM part{join} WHERE part.active = 1{group} "
        f"ORDER BY {_SORT_SQL[column]} {direction}, part.id {direction}"
    )


def _raw_sort(conn: sqlite3.Connection, column: str, descending: bool) -> None:
    """The same statements in plain SQL: the head of the sorted list, the count, the first block's rows."""
    head = f"{_raw_sort_sql(column, 'DESC' if descending else 'ASC')} LIMIT {BLOCK + 1}"
    block = [r[0] for r in conn.execute(head)][:BLOCK]
    conn.execute("SELECT count(*) FROM part WHERE part.active = 1").fetchone()
    marks = ",".join("?" * len(block))
    conn.execute(
        f"SELECT part_id, sum(qty) FROM stock_balance WHERE part_id IN ({marks}) GROUP BY part_id", block
    ).fetchall()
    conn.execute(f"SELECT * FROM part WHERE id IN ({marks})", block).fetchall()


def _open_list(db: Database, column: str, descending: bool = False) -> tuple[parts_list.PartIdPage, int]:
    """What the parts list does when opened with no search: the head of the list and its count, then
    the first block's rows."""
    page = parts_list.search_part_page(db, "", limit=BLOCK, sort=column, descending=descending)
    return page, len(parts_list.part_rows(db, page.ids))


def measure_sort(db: Database, path: Path, repeat: int) -> list[Result]:
    results = []
    with closing(_raw(path)) as conn:
        for column in parts_list.SORT_COLUMNS:
            got, base = [], []
            for _ in range(repeat):
                for descending in (False, True):
                    t = _now()
                    page, rows = _open_list(db, column, descending)
                    got.append(_ms(t))
                    if rows != len(page.ids) or not page.exact:
                        raise AssertionError("part_rows lost rows")
                    t = _now()
                    _raw_sort(conn, column, descending)
                    base.append(_ms(t))
            limit = 150 if column == "on_hand" else 300  # on hand: issue #22
            res = from_samples(
                f"sort.{column}",
                f"Open the parts list sorted by `{column}` (the first {BLOCK} ids, the count, their rows)",
                got,
                baseline_ms=base,
                target=f"< {limit} ms",
                limit_p95=limit,
                note=f"{page.total:,} parts; ascending and descending; the rest of the ids come on scrolling",
            )
            if not res.passed:
                sql = f"{_raw_sort_sql(column, 'ASC')} LIMIT {BLOCK + 1}"
                res.evidence.append(code_block("EXPLAIN QUERY PLAN:", f"{sql}\n{explain(conn, sql)}"))
                res.evidence.append(
                    code_block(
                        f"cProfile of `search_part_page(db, '', sort={column!r})` + `part_rows` of its ids:",
                        profile(
                            partial(_open_list, db, column),
                            repeat=2,
                        ),
                    )
                )
            results.append(res)
    return results


# --- posting moves ----------------------------------------------------------------------------------------


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (write benchmarks never touch the source)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _stocked_pairs(conn: sqlite3.Connection, rng: random.Random, count: int) -> list[tuple[int, int]]:
    rows = conn.execute(
        "SELECT b.part_id, b.location_id FROM stock_balance b JOIN part p ON p.id = b.part_id "
        "JOIN location l ON l.id = b.location_id "
        "WHERE b.qty >= 20 AND p.active = 1 AND l.active = 1 AND l.type <> 'QUARANTINE' "
        "AND p.unit IN ('EA', 'PC', 'BOX', 'PK') ORDER BY b.part_id, b.location_id"
    ).fetchall()
    return [(int(a), int(b)) for a, b in rng.sample(rows, min(count, len(rows)))]


def _request(pair: tuple[int, int], issue: bool) -> MoveRequest:
    part_id, loc_id = pair
    if issue:
        return MoveRequest(MoveKind.ISSUE, part_id, Decimal(1), from_location_id=loc_id, reference="BENCH")
    return MoveRequest(MoveKind.RECEIPT, part_id, Decimal(1), to_location_id=loc_id, reference="BENCH")


_RAW_TAKE = (
    "UPDATE stock_balance SET qty = qty - ?, updated_at = CURRENT_TIMESTAMP "
    "WHERE part_id = ? AND location_id = ? AND qty >= ?"
)
_RAW_PUT = (
    "INSERT INTO stock_balance (part_id, location_id, qty) VALUES (?, ?, ?) "
    "ON CONFLICT (part_id, location_id) DO UPDATE SET qty = stock_balance.qty + excluded.qty, "
    "updated_at = CURRENT_TIMESTAMP"
)
_RAW_MOVE = (
    "INSERT INTO stock_move (part_id, from_location_id, to_location_id, qty, kind, reference, unit_cost, "
    "user_id) VALUES (?, ?, ?, ?, ?, 'BENCH', (SELECT unit_cost FROM part WHERE id = ?), ?)"
)


def _raw_post(conn: sqlite3.Connection, pair: tuple[int, int], issue: bool, user_id: int) -> None:
    """The same posting in plain SQL: one transaction, balance update + ledger row."""
    conn.execute("BEGIN IMMEDIATE")
    _raw_move(conn, pair, issue, user_id)
    conn.execute("COMMIT")


def _raw_move(conn: sqlite3.Connection, pair: tuple[int, int], issue: bool, user_id: int) -> None:
    part_id, loc_id = pair
    if issue:
        if conn.execute(_RAW_TAKE, (1, part_id, loc_id, 1)).rowcount != 1:
            raise AssertionError("raw baseline ran out of stock")
        conn.execute(_RAW_MOVE, (part_id, loc_id, None, 1, "ISSUE", part_id, user_id))
    else:
        conn.execute(_RAW_PUT, (part_id, loc_id, 1))
        conn.execute(_RAW_MOVE, (part_id, None, loc_id, 1, "RECEIPT", part_id, user_id))


def _raw_batch(conn: sqlite3.Connection, pairs: list[tuple[int, int]], user_id: int) -> None:
    """Alternate issue / receipt of one on each pair, in one plain-SQL transaction."""
    conn.execute("BEGIN IMMEDIATE")
    for i, pair in enumerate(pairs):
        _raw_move(conn, pair, i % 2 == 0, user_id)
    conn.execute("COMMIT")


def measure_posting(source: Path, work: Path, rng: random.Random, single: int, bulk: int) -> list[Result]:
    """post_move one at a time and in a loop, on a copy of the database; then the invariant still holds."""
    copy_database(source, work)
    db = Database(str(work))
    try:
        keeper = users.authenticate(db, "keeper01", BENCH_PIN)
        admin = users.authenticate(db, ADMIN_USER, BENCH_PIN)
        with closing(_raw(work)) as conn:
            pairs = _stocked_pairs(conn, rng, 500)
            for i in range(10):  # warm-up
                stock.post_move(db, keeper, _request(pairs[i % len(pairs)], issue=i % 2 == 0))
                _raw_post(conn, pairs[i % len(pairs)], i % 2 == 0, keeper.user_id)
            got, base = [], []
            for i in range(single):
                pair, issue = pairs[(i // 2) % len(pairs)], i % 2 == 0  # issue one, then put it back
                t = _now()
                stock.post_move(db, keeper, _request(pair, issue))
                got.append(_ms(t))
                t = _now()
                _raw_post(conn, pair, issue, keeper.user_id)
                base.append(_ms(t))
            one = from_samples(
                "post.one",
                "Post one stock move `post_move` (ISSUE / RECEIPT of 1)",
                got,
                baseline_ms=base,
                target="< 5 ms (p95)",
                limit_p95=5,
                note="own transaction each; baseline: UPDATE balance + INSERT move + COMMIT in plain SQL",
            )

            t = _now()
            for i in range(bulk):
                stock.post_move(db, keeper, _request(pairs[(i // 2) % len(pairs)], issue=i % 2 == 0))
            loop_rate = bulk / (_now() - t)
            t = _now()
            for i in range(bulk):
                _raw_post(conn, pairs[(i // 2) % len(pairs)], i % 2 == 0, keeper.user_id)
            raw_loop_rate = bulk / (_now() - t)
            batch = [_request(pairs[(i // 2) % len(pairs)], issue=i % 2 == 0) for i in range(bulk)]
            t = _now()
            stock_batch.post_many(db, keeper, batch)
            batch_rate = bulk / (_now() - t)
            t = _now()
            _raw_batch(conn, [pairs[(i // 2) % len(pairs)] for i in range(bulk)], keeper.user_id)
            raw_batch_rate = bulk / (_now() - t)
        loop = Result(
            "post.bulk",
            f"Post {bulk:,} moves as one batch `post_many` (one transaction, all or nothing)",
            "moves/s",
            bulk,
            batch_rate,
            None,
            (raw_batch_rate, raw_batch_rate),
            "> 2,000 moves/s",
            batch_rate > 2000,
            f"{1000 / batch_rate:.3f} ms per move; baseline: the same UPDATEs, upserts and INSERTs "
            "in one plain-SQL transaction",
        )
        each = Result(
            "post.loop",
            f"Post {bulk:,} moves one by one `post_move` (a transaction each)",
            "moves/s",
            bulk,
            loop_rate,
            None,
            (raw_loop_rate, raw_loop_rate),
            "",
            None,
            f"{1000 / loop_rate:.2f} ms per move; what a keeper scanning all day gets",
        )
        if not one.passed:
            statements: list[str] = []

            def count(*args: Any) -> None:
                statements.append(str(args[2]).split()[0])

            event.listen(db.engine, "before_cursor_execute", count)
            stock.post_move(db, keeper, _request(pairs[0], issue=True))
            event.remove(db.engine, "before_cursor_execute", count)
            kinds = {s: statements.count(s) for s in dict.fromkeys(statements)}
            evidence = code_block(
                f"One post_move sends {len(statements)} SQL statements "
                f"({', '.join(f'{k} {v}' for k, v in kinds.items())}); cProfile of 300 posts:",
                profile(
                    lambda: stock.post_move(
                        db, keeper, _request(rng.choice(pairs), issue=rng.random() < 0.5)
                    ),
                    repeat=300,
                    limit=25,
                ),
            )
            one.evidence.append(evidence)

        t = _now()
        drifts = balance_check.check_balances(db, admin)
        check_s = _now() - t
        after = verify(str(work))
        checked = Result(
            "post.invariant",
            "After the posting runs: `check_balances` drift + SQL GROUP BY drift",
            "drifts",
            after.counts["stock_move"],
            float(len(drifts) + after.drift + after.negative_balances),
            None,
            None,
            "0",
            not drifts and after.ok,
            f"check_balances over {after.counts['stock_move']:,} moves took {check_s:.1f} s",
        )
        return [one, loop, each, checked]
    finally:
        db.dispose()


def safe(label: str, fn: Callable[[], list[Result]]) -> list[Result]:
    """Run one measurement; a failure becomes a result row saying so (the others still run)."""
    try:
        return fn()
    except (UserError, AssertionError, OSError, sqlite3.Error) as exc:
        return [
            Result(f"error.{label}", f"{label}: FAILED", "", 0, None, note=f"{type(exc).__name__}: {exc}")
        ]
