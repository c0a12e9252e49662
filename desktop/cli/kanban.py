"""`storeroom kanban ...`: loops, card scans, the replenishment list, sizing and card printing."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from desktop import db as dbmod
from desktop.errors import UserError
from desktop.quantities import format_qty, parse_decimal
from desktop.reports.kanban_cards import render_kanban_cards
from desktop.reports.label_formats import get_format
from desktop.services.actor import Actor
from desktop.services.catalogue import locations, parts
from desktop.services.kanban import board, scanning, sizing
from desktop.services.kanban import loops as kb
from desktop.services.kanban.card_labels import card_labels
from desktop.services.kanban.loops import CardStatus, LoopInput, LoopKind, StationMode

Opener = Callable[[argparse.Namespace], tuple[dbmod.Database, Actor]]


def _loop(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    supply = locations.get_location_id(database, args.supply) if args.supply else None
    loop = kb.create_loop(
        database,
        actor,
        LoopInput(
            parts.get_part_id(database, args.part),
            LoopKind(args.kind.upper()),
            locations.get_location_id(database, args.line),
            parse_decimal(args.container, what="container qty"),
            args.cards,
            parse_decimal(args.lead, what="lead time"),
            parse_decimal(args.safety, what="safety factor", allow_zero=True),
            supply_location_id=supply,
        ),
    )
    print(
        f"loop #{loop.id}: {loop.card_count} cards x {format_qty(loop.container_qty)} {loop.unit} of "
        f"{loop.part_number}, {loop.supply} -> {loop.consumption_code}"
    )
    for card in kb.cards(database, loop.id):
        print(f"  {card.code}  card {card.serial} of {card.of}")
    return 0


def _scan(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    out = scanning.scan(database, actor, args.card, StationMode(args.station.upper()))
    print(out.message)
    return 0


def _list(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    lines = board.replenishment_list(database)
    for line in lines:
        print(
            f"{line.group:<24} {line.loop.part_number:<16} {len(line.card_ids)} card(s) "
            f"{format_qty(line.qty):>8} {line.loop.unit} -> {line.loop.consumption_code}"
        )
    if args.mark_ordered:
        ids = [i for line in lines if line.group == args.mark_ordered for i in line.card_ids]
        if not ids:
            raise UserError(f"No empty cards for '{args.mark_ordered}'.")
        print(f"{scanning.mark(database, _actor, ids, CardStatus.ORDERED)} card(s) marked ordered")
    return 0


def _board(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    for row in board.board(database):
        counts = ", ".join(f"{k.lower()} {v}" for k, v in sorted(row.counts.items()))
        flags = (" STOCKOUT" if row.stockout else "") + (f" {row.late} late" if row.late else "")
        print(f"#{row.loop.id:<4} {row.loop.part_number:<16} {counts}{flags}")
    for rec in sizing.recommendations(database, actor, window_days=args.window):
        print(
            f"  resize #{rec.loop.id}: {rec.loop.card_count} -> {rec.recommended} cards "
            f"(demand {rec.daily_demand}/day, lead time {rec.lead_days} d {rec.lead_source})"
        )
    return 0


def _print(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    ids = [c.id for c in kb.cards(database, args.loop)]
    pdf = render_kanban_cards(card_labels(database, ids), get_format(args.format))
    Path(args.out).write_bytes(pdf)
    print(f"wrote {len(ids)} card(s) to {args.out}")
    return 0


def add_parser(sub: argparse._SubParsersAction, opener: Opener) -> None:
    k = sub.add_parser("kanban", help="kanban loops, card scans, replenishment list, card printing")
    ksub = k.add_subparsers(dest="kanban_command", required=True)

    def cmd(
        name: str, fn: Callable[[dbmod.Database, Actor, argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        p = ksub.add_parser(name, help=help_)
        p.set_defaults(fn=lambda args: fn(*opener(args), args))
        return p

    lp = cmd("loop", _loop, "create a loop and its cards")
    lp.add_argument("--part", required=True)
    lp.add_argument("--line", required=True, help="consumption (line-side) location code")
    lp.add_argument("--kind", default="PURCHASE", help="PURCHASE, TRANSFER or PRODUCTION")
    lp.add_argument("--supply", help="storeroom location code (TRANSFER loops)")
    lp.add_argument("--container", required=True)
    lp.add_argument("--cards", type=int, default=2)
    lp.add_argument("--lead", default="1", help="planned lead time in days")
    lp.add_argument("--safety", default="0.1")
    sc = cmd("scan", _scan, "scan a card at a station")
    sc.add_argument("card")
    sc.add_argument("--station", default="LINE", help="LINE (emptied) or RECEIVING (arrived full)")
    ls = cmd("list", _list, "empty cards to order or pick, by supplier / supply location")
    ls.add_argument(
        "--mark-ordered", metavar="GROUP", help="mark that supplier's (or 'from LOC') cards ordered"
    )
    bd = cmd("board", _board, "cards by state per loop, late cards, stockouts and resize recommendations")
    bd.add_argument("--window", type=int, default=90, help="days of demand for the sizing")
    pr = cmd("print", _print, "print a loop's cards to a PDF")
    pr.add_argument("loop", type=int)
    pr.add_argument("--format", default="thermal-4x6in")
    pr.add_argument("--out", default="kanban-cards.pdf")
