"""Kanban, MRO and printing on the plant-scale database: the board of 6,000 cards, card scans at the line,
loop sizing, a machine's spares, the asset tree; 1,000 labels and a 5,000-line count sheet to PDF."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from bench.bench_count_sheet import sheet as count_sheet
from bench.bench_labels import make_labels
from bench.generate import ADMIN_USER, BENCH_PIN
from bench.report import Result, from_samples
from desktop.db import Database
from desktop.reports import fonts
from desktop.reports.count_sheet import render_count_sheet
from desktop.reports.label_formats import AVERY_5160
from desktop.reports.labels import render_bin_labels
from desktop.services import mro
from desktop.services.admin import users
from desktop.services.kanban import board as kanban_board
from desktop.services.kanban import loops as kanban
from desktop.services.kanban import scanning
from desktop.services.kanban import sizing as kanban_sizing


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm-up: the first call pays for imports and page-cache misses
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return samples


def measure_kanban(db: Database, path: Path, rng: random.Random, repeat: int) -> list[Result]:
    with closing(sqlite3.connect(path)) as conn:
        cards = conn.execute("SELECT count(*) FROM kanban_card").fetchone()[0]
        loops = conn.execute("SELECT count(*) FROM kanban_loop").fetchone()[0]
    if not cards:
        raise AssertionError("the plant has no kanban cards: generate it again (--regenerate)")
    admin = users.authenticate(db, ADMIN_USER, BENCH_PIN)
    board = from_samples(
        "kanban.board",
        f"Kanban board: {loops:,} loops, {cards:,} cards by state, aged against lead time",
        timed(lambda: kanban_board.board(db), repeat),
        target="< 300 ms (p95)",
        limit_p95=300,
        note="kanban.board(): what the Kanban page shows and refreshes after every scan",
    )
    sizing = from_samples(
        "kanban.sizing",
        f"Loop sizing recommendations over {loops:,} loops (demand from the ledger, measured lead times)",
        timed(lambda: kanban_sizing.recommendations(db, admin), max(1, repeat // 5)),
        note="kanban.recommendations(): runs in the background from the Kanban page",
    )
    return [board, sizing]


def measure_card_scans(source: Path, work: Path, rng: random.Random, n: int) -> list[Result]:
    """Cards at the line scanned empty, one by one (each its own transaction with its event), on a copy."""
    from bench.measure import copy_database

    copy_database(source, work)
    db = Database(str(work))
    try:
        keeper = users.authenticate(db, "keeper01", BENCH_PIN)
        with closing(sqlite3.connect(work)) as conn:
            codes = [
                r[0]
                for r in conn.execute(
                    "SELECT c.code FROM kanban_card c JOIN kanban_loop l ON l.id = c.loop_id "
                    "WHERE c.status IN ('FULL', 'IN_USE') AND l.status = 'ACTIVE' ORDER BY c.id"
                )
            ]
        sample = rng.sample(codes, min(n, len(codes)))
        samples = []
        for code in sample:
            t = time.perf_counter()
            outcome = scanning.scan(db, keeper, code, kanban.StationMode.LINE)
            samples.append((time.perf_counter() - t) * 1000)
            if outcome.card.status != kanban.CardStatus.EMPTY:
                raise AssertionError(f"{code} went to {outcome.card.status}, not EMPTY")
        return [
            from_samples(
                "kanban.scan",
                "Scan a kanban card at the line (FULL/IN_USE -> EMPTY, with its event)",
                samples,
                target="< 10 ms (p95), as a scan",
                limit_p95=10,
                note="kanban.scan() in LINE mode, own transaction each, on a copy of the plant",
            )
        ]
    finally:
        db.dispose()


def measure_mro(db: Database, path: Path, rng: random.Random, repeat: int) -> list[Result]:
    with closing(sqlite3.connect(path)) as conn:
        machines = [r[0] for r in conn.execute("SELECT id FROM asset WHERE level = 'MACHINE' ORDER BY id")]
        assets = conn.execute("SELECT count(*) FROM asset").fetchone()[0]
        links = conn.execute("SELECT count(*) FROM asset_spare").fetchone()[0]
    if not machines:
        raise AssertionError("the plant has no assets: generate it again (--regenerate)")
    picks = [rng.choice(machines) for _ in range(repeat * 10)]
    spares = iter(picks)
    return [
        from_samples(
            "mro.spares",
            f"A machine's spares with stock, reservations and availability ({links:,} where-used links)",
            timed(lambda: mro.asset_spares(db, next(spares)), len(picks) - 1),
            target="< 50 ms (p95)",
            limit_p95=50,
            note="mro.asset_spares(): what a technician sees after scanning a machine tag",
        ),
        from_samples(
            "mro.tree",
            f"The asset tree: {assets:,} assets, parents before children",
            timed(lambda: mro.asset_tree(db), repeat),
            note="mro.asset_tree(): the MRO page's tree",
        ),
    ]


def measure_printing(repeat: int) -> list[Result]:
    fonts.register_fonts()
    render_bin_labels(make_labels(1, first=999_999), AVERY_5160)  # fonts and caches loaded once per app
    runs = iter(range(1, repeat + 2))
    # new codes every run, so barcode and text-width caches do not flatter a reprint
    labels = from_samples(
        "print.labels",
        "1,000 bin labels to PDF (Avery 5160, Code128 + QR each)",
        timed(lambda: render_bin_labels(make_labels(1000, first=next(runs) * 1000), AVERY_5160), repeat),
        target="< 2 s",
        limit_p95=2000,
    )
    header, lines = count_sheet()
    sheet = from_samples(
        "print.count_sheet",
        "A 5,000-line count sheet to PDF (bin and part barcodes, grouped by area)",
        timed(lambda: render_count_sheet(header, lines), repeat),
        target="< 1.5 s",
        limit_p95=1500,
    )
    return [labels, sheet]
