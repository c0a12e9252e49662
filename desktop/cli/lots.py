"""`storeroom trace LOT`, `storeroom trace --reference WO-...` and `storeroom lots ...` (tracking, what a
bin holds by lot, a supervisor's release of an expired lot): lots from the command line."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from desktop import db as dbmod
from desktop.errors import UserError
from desktop.quantities import format_qty
from desktop.services import lots
from desktop.services.actor import Actor
from desktop.services.catalogue import locations, parts
from desktop.services.lots import TraceMove

Opener = Callable[[argparse.Namespace], tuple[dbmod.Database, Actor]]


def _move_line(t: TraceMove) -> str:
    m = t.move
    where = " -> ".join(x for x in (m.from_code or "", m.to_code or "") if x) or "-"
    to = f" {m.reference}" if m.reference else ""
    asset = f" asset {t.asset_code}" if t.asset_code else ""
    back = f" (reverses #{m.reverses_move_id})" if m.reverses_move_id else ""
    when = f"{m.at.astimezone():%Y-%m-%d %H:%M}"
    qty = f"{format_qty(m.qty):>10} {m.unit:<4}"
    return f"  #{m.id:<7} {when}  {m.kind:<10} {qty} {where:<24}{to}{asset}  by {m.user_name}{back}"


def _trace_to_file(database: dbmod.Database, args: argparse.Namespace) -> int:
    """The trace as the Trace page saves it: PDF, XLSX or CSV by the file's suffix."""
    from desktop.services.insight.report_data import export
    from desktop.services.insight.trace_report import TraceBy, trace_table

    by = TraceBy.REFERENCE if args.reference else TraceBy.ASSET if args.asset else TraceBy.LOT
    table = trace_table(database, by, args.reference or args.asset or args.lot or "", part_number=args.part)
    export(table, Path(args.out), generated=datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M"))
    print(f"{table.title}: {len(table.rows):,} move(s) to {args.out} ({table.subtitle})")
    return 0


def _trace(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    if args.out:
        return _trace_to_file(database, args)
    if args.reference or args.asset:
        moves = (
            lots.trace_reference(database, args.reference)
            if args.reference
            else lots.trace_asset(database, args.asset)
        )
        what = f"under {args.reference}" if args.reference else f"to asset {args.asset}"
        print(f"{len(moves)} move(s) of tracked parts {what}")
        for m in moves:
            print(f"  {m.move.part_number:<20} lot {m.move.lot_number or '':<20}" + _move_line(m).lstrip())
        return 0
    if not args.lot:
        raise UserError(
            "Name the lot to trace (its number or LT- code), or --reference WO-... or --asset TAG"
        )
    part_id = parts.get_part_id(database, args.part) if args.part else None
    t = lots.trace(database, args.lot, part_id=part_id)
    lot = t.lot
    print(f"{lot.code}  {lot.label}")
    print(
        f"  received {format_qty(t.received)} {lot.unit} from {lot.supplier_name or 'no supplier named'}; "
        f"first on {lot.created_at.astimezone():%Y-%m-%d}"
        + ("; released after expiry" if lot.released else "")
    )
    for m in t.moves:
        print(_move_line(m))
    held = ", ".join(f"{code} {format_qty(q)}" for code, q in t.on_hand) or "none left"
    print(f"  now: {held}")
    return 0


def _tracking(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    part_id = parts.get_part_id(database, args.part)
    done = lots.set_tracking(
        database, actor, part_id, lots.TrackingInput(args.tracking.upper(), args.shelf_life, args.warn)
    )
    life = f", shelf life {done.shelf_life_days} days" if done.shelf_life_days else ""
    warn = f", warned {done.expiry_warning_days} days ahead" if done.expiry_warning_days else ""
    print(f"{args.part}: tracking {done.tracking}{life}{warn}")
    return 0


def _in_bin(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    part_id = parts.get_part_id(database, args.part)
    bin_id = locations.get_location_id(database, args.bin)
    found = lots.propose(database, part_id, bin_id)
    for n, x in enumerate(found):
        print(("-> " if n == 0 and not x.expired else "   ") + lots.format_lot_stock(x) + f"  {x.lot.code}")
    if not found:
        print(f"no lot of {args.part} in {args.bin}")
    return 0


def _release(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    part_id = parts.get_part_id(database, args.part) if args.part else None
    lot = lots.release(database, actor, lots.lot_id_for(database, part_id, args.lot), args.reason)
    print(f"{lot.code} {lot.label}: released for issue")
    return 0


def _quarantine(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    to = args.to or lots.quarantine_location(database)
    if not to:
        raise UserError(
            "Name the quarantine location with --to, "
            "or choose it once with `storeroom lots quarantine-location`."
        )
    moved = lots.quarantine_expired(database, actor, locations.get_location_id(database, to))
    for p in moved:
        print(f"#{p.move.id} {p.move.summary()}")
    print(f"{len(moved)} expired lot(s) moved to {to}")
    return 0


def _quarantine_location(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    if args.code is None:
        print(lots.quarantine_location(database) or "none: expired stock is moved by hand")
        return 0
    chosen = lots.set_quarantine_location(database, actor, args.code)
    print(f"expired stock moves to {chosen} every hour" if chosen else "expired stock is moved by hand")
    return 0


def add_parser(sub: argparse._SubParsersAction, opener: Opener) -> None:
    def bind(
        parser: argparse.ArgumentParser, fn: Callable[[dbmod.Database, Actor, argparse.Namespace], int]
    ) -> None:
        parser.set_defaults(fn=lambda args: fn(*opener(args), args))

    t = sub.add_parser(
        "trace", help="every move of a lot, or (--reference) the lots that went to a work order"
    )
    t.add_argument("lot", nargs="?", help="lot or serial number, or its label's LT- code")
    t.add_argument("--part", help="the part, when several parts have a lot of that number")
    t.add_argument("--reference", help="a work order or other reference: the lots moved under it")
    t.add_argument("--asset", help="an asset's tag: the lots issued to it")
    t.add_argument("--out", help="save the trace as a PDF, XLSX or CSV file instead of printing it")
    bind(t, _trace)
    p = sub.add_parser(
        "lots", help="lots and serial numbers: tracking, a bin's lots, releasing an expired lot"
    )
    psub = p.add_subparsers(dest="lots_command", required=True)
    tr = psub.add_parser("tracking", help="set a part's tracking and shelf life (only while it has no stock)")
    tr.add_argument("part")
    tr.add_argument("--tracking", required=True, choices=["none", "lot", "serial"], type=str.lower)
    tr.add_argument("--shelf-life", type=int, help="days from receipt to expiry")
    tr.add_argument("--warn", type=int, help="days before expiry that the expiry report lists a lot")
    bind(tr, _tracking)
    ib = psub.add_parser("in", help="a bin's lots of a part, the one an issue takes first marked ->")
    ib.add_argument("part")
    ib.add_argument("--bin", required=True)
    bind(ib, _in_bin)
    rl = psub.add_parser("release", help="let an expired lot be issued (supervisor)")
    rl.add_argument("lot", help="lot number or LT- code")
    rl.add_argument("--part")
    rl.add_argument("--reason", required=True)
    bind(rl, _release)
    qe = psub.add_parser("quarantine-expired", help="move every expired lot's stock to a quarantine bin")
    qe.add_argument("--to", help="the quarantine location's code (default: the one chosen for the plant)")
    bind(qe, _quarantine)
    ql = psub.add_parser(
        "quarantine-location",
        help="where expired stock moves by itself every hour while the app runs (empty: by hand)",
    )
    ql.add_argument("code", nargs="?", default=None, help="a quarantine location's code; '' turns it off")
    bind(ql, _quarantine_location)
