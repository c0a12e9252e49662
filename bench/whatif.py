"""What-if measurements behind the fixes recommended in RESULTS.md, on a scratch copy of the plant.

Nothing here changes desktop/: each experiment times the SQL a fix would send (or the services used in
another way) next to what the app does today, so a recommendation comes with its own numbers.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from functools import partial
from pathlib import Path

from sqlalchemy import select

from bench.generate import BENCH_PIN
from bench.measure import _raw, _request, _search_sql, _stocked_pairs, copy_database, search_texts
from bench.report import explain
from desktop.db import Database
from desktop.models import Part
from desktop.services.admin import users
from desktop.services.catalogue import parts_list
from desktop.services.stock import moves as stock


def _ms(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def _fetch(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> None:
    conn.execute(sql, tuple(params)).fetchall()


def _table(rows: Sequence[tuple[str, str, str]]) -> str:
    lines = ["| Variant | median | query plan / remark |", "|---|---:|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def _plan(conn: sqlite3.Connection, sql: str, params: Sequence[object] = ()) -> str:
    return explain(conn, sql, params).replace("\n", "<br>").replace("|", "\\|")


def search(conn: sqlite3.Connection, db: Database, rng: random.Random, n: int) -> str:
    texts = search_texts(conn, rng, n)

    def per_text(variant: Callable[[str], tuple[str, list[str]]]) -> Callable[[], None]:
        def run() -> None:
            for text in texts:
                sql, params = variant(text)
                conn.execute(sql, params).fetchall()

        return run

    def today(text: str) -> tuple[str, list[str]]:
        return _search_sql(text)

    def scan_then_sort(text: str) -> tuple[str, list[str]]:
        sql, params = _search_sql(text)
        return sql.replace("ORDER BY part.number_key", "ORDER BY +part.number_key"), params

    def plain_like(text: str) -> tuple[str, list[str]]:
        sql, params = scan_then_sort(text)
        return sql.replace("lower(part.description) LIKE lower(?)", "part.description LIKE ?"), params

    rows = []
    for name, variant in (
        ("today: `lower(description) LIKE lower(?)`, ORDER BY number_key", today),
        ("ORDER BY `+number_key` (scan the table, sort the matches)", scan_then_sort),
        ("… and `description LIKE ?` (SQLite's LIKE already ignores ASCII case)", plain_like),
    ):
        sample_sql, sample_params = variant("ab")
        rows.append(
            (
                name,
                f"{_ms(per_text(variant), 1) / len(texts):.1f} ms",
                _plan(conn, sample_sql, sample_params),
            )
        )
    conn.execute(
        "CREATE VIRTUAL TABLE whatif_part_fts USING fts5(number_key, description, mpn_key, "
        "content='part', content_rowid='id', tokenize='trigram')"
    )
    t = time.perf_counter()
    conn.execute("INSERT INTO whatif_part_fts(whatif_part_fts) VALUES ('rebuild')")
    built = time.perf_counter() - t
    long = [x for x in texts if all(len(w) >= 3 for w in x.split())]

    def fts() -> None:
        for text in long:
            match = " AND ".join('"' + w.replace('"', '""') + '"' for w in text.split())
            conn.execute(
                "SELECT part.id FROM whatif_part_fts JOIN part ON part.id = whatif_part_fts.rowid "
                "WHERE whatif_part_fts MATCH ? AND part.active = 1 ORDER BY part.number_key, part.id",
                (match,),
            ).fetchall()

    def like_long() -> None:
        for text in long:
            sql, params = _search_sql(text)
            conn.execute(sql, params).fetchall()

    if long:
        rows.append(
            (
                f"today, only the {len(long)} texts whose words have ≥ 3 characters",
                f"{_ms(like_long, 1) / len(long):.1f} ms",
                "",
            )
        )
        rows.append(
            (
                "FTS5 trigram index on number, description, manufacturer no. (same texts)",
                f"{_ms(fts, 1) / len(long):.1f} ms",
                f"index built in {built:.1f} s; words under 3 characters cannot use it",
            )
        )
    one = "e"
    sql, params = _search_sql(one)
    hits = len(conn.execute(sql, params).fetchall())

    def orm() -> None:
        parts_list.search_part_ids(db, one)

    def core() -> None:
        with db.engine.connect() as c:
            c.exec_driver_sql(sql, tuple(params)).scalars().all()

    rows.append(
        (f"service `search_part_ids('{one}')`, {hits:,} ids through the ORM", f"{_ms(orm, 3):.0f} ms", "")
    )
    rows.append(("the same SQL and ids through a Core connection", f"{_ms(core, 3):.0f} ms", ""))
    rows.append(
        (
            "the same SQL through sqlite3 directly",
            f"{_ms(lambda: conn.execute(sql, params).fetchall(), 3):.0f} ms",
            "",
        )
    )
    return _table(rows)


def sort(conn: sqlite3.Connection, db: Database) -> str:
    rows = []
    for column in ("number_key", "description"):
        sql = f"SELECT id FROM part WHERE active = 1 ORDER BY {column}, id"
        rows.append(
            (
                f"ORDER BY {column} today",
                f"{_ms(partial(_fetch, conn, sql, ()), 5):.0f} ms",
                _plan(conn, sql),
            )
        )
        conn.execute(f"CREATE INDEX whatif_active_{column} ON part (active, {column})")
        rows.append(
            (
                f"… with an index on (active, {column})",
                f"{_ms(partial(_fetch, conn, sql, ()), 5):.0f} ms",
                _plan(conn, sql),
            )
        )
        conn.execute(f"DROP INDEX whatif_active_{column}")
    stmt = select(Part.id).where(Part.active).order_by(Part.unit, Part.id)

    def orm() -> None:
        db.read(lambda s: list(s.scalars(stmt)))

    def core() -> None:
        with db.engine.connect() as c:
            c.execute(stmt).scalars().all()

    rows.append(
        ("ids ordered by unit through the ORM session (as the service does)", f"{_ms(orm, 5):.0f} ms", "")
    )
    rows.append(("the same statement through a Core connection", f"{_ms(core, 5):.0f} ms", ""))
    return _table(rows)


def subtree(conn: sqlite3.Connection) -> str:
    """A rack, an area and the site: the contents query as the service sends it, and ordered by path."""
    today = (
        "SELECT p.id, p.part_number, p.description, p.unit, l.code, b.qty FROM stock_balance b "
        "JOIN part p ON p.id = b.part_id JOIN location l ON l.id = b.location_id "
        "WHERE b.qty != 0 AND l.path >= ? AND l.path < ? "
        "ORDER BY l.walk_order, l.code, p.number_key LIMIT 2001"
    )
    by_path = today.replace("ORDER BY l.walk_order, l.code, p.number_key", "ORDER BY l.path, p.number_key")
    rows = []
    for label, level in (("a rack", "RACK"), ("an area", "AREA"), ("the site", "SITE")):
        found = conn.execute(
            "SELECT path FROM location WHERE level = ? ORDER BY id LIMIT 1", (level,)
        ).fetchone()
        if found is None:
            continue
        prefix = str(found[0])
        args = (prefix, prefix[:-1] + "0")  # '0' follows '/': every path under prefix sorts in between
        count = conn.execute(
            "SELECT count(*) FROM stock_balance b JOIN location l ON l.id = b.location_id "
            "WHERE b.qty != 0 AND l.path >= ? AND l.path < ?",
            args,
        ).fetchone()[0]
        rows.append(
            (
                f"{label} `{prefix}` ({count:,} lines): ORDER BY walk_order, code, number_key LIMIT 2001 "
                "(the service today)",
                f"{_ms(partial(_fetch, conn, today, args), 3):.1f} ms",
                _plan(conn, today, args),
            )
        )
        rows.append(
            (
                "… ORDER BY path, number_key LIMIT 2001 (the range index already yields path order)",
                f"{_ms(partial(_fetch, conn, by_path, args), 3):.1f} ms",
                _plan(conn, by_path, args),
            )
        )
    return _table(rows)


def posting(db: Database, work: Path, rng: random.Random, count: int) -> str:
    keeper = users.authenticate(db, "keeper01", BENCH_PIN)
    with closing(_raw(work)) as conn:
        pairs = _stocked_pairs(conn, rng, 500)
    t = time.perf_counter()
    for i in range(count):
        stock.post_move(db, keeper, _request(pairs[(i // 2) % len(pairs)], issue=i % 2 == 0))
    each = count / (time.perf_counter() - t)

    def batch(s: object) -> None:
        for i in range(count):
            stock.post_in(s, keeper, _request(pairs[(i // 2) % len(pairs)], issue=i % 2 == 0))  # type: ignore[arg-type]

    t = time.perf_counter()
    db.write(batch)
    one_tx = count / (time.perf_counter() - t)
    empty = _ms(lambda: db.write(lambda _s: None), 200)
    return _table(
        [
            (f"`post_move` × {count:,}, a transaction each (today)", f"{each:,.0f} moves/s", ""),
            (
                f"`post_in` × {count:,} inside ONE `db.write`",
                f"{one_tx:,.0f} moves/s",
                "the commit is not the cost: the per-move Python/ORM work is",
            ),
            ("an empty `db.write` (BEGIN IMMEDIATE + COMMIT)", f"{empty:.3f} ms", ""),
        ]
    )


def run_all(db_file: Path, work_dir: Path, keys: set[str], rng: random.Random) -> dict[str, str]:
    """Markdown evidence per result key, for the keys given (the missed targets)."""
    work = work_dir / "whatif.sqlite3"
    copy_database(db_file, work)
    db = Database(str(work))
    out: dict[str, str] = {}
    try:
        with closing(_raw(work)) as conn:
            if "search" in keys:
                out["search"] = search(conn, db, rng, 60)
            if any(k.startswith("sort.") for k in keys):
                out["sort"] = sort(conn, db)
            if "scan.upper" in keys:  # the subtree orderings only bear on area and site labels
                out["scan"] = subtree(conn)
        if "post.bulk" in keys or "post.one" in keys:
            out["post"] = posting(db, work, rng, 2000)
    finally:
        db.dispose()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(
        prog="python -m bench.whatif", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--db", type=Path, default=Path(__file__).resolve().parent / "data" / "plant.sqlite3")
    parser.add_argument(
        "--only", nargs="*", default=["search", "sort", "scan", "post"], help="search, sort, scan, post"
    )
    args = parser.parse_args(argv)
    keys = {
        {"sort": "sort.part_number", "scan": "scan.upper", "post": "post.bulk"}.get(k, k) for k in args.only
    }
    with tempfile.TemporaryDirectory(prefix="storeroom-whatif-") as tmp:
        for group, block in run_all(args.db, Path(tmp), keys, random.Random(1)).items():
            print(f"### {group}\n\n{block}\n")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
