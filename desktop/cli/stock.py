"""`storeroom receive`, `issue`, `transfer`, `adjust`, `return`, `scrap`, `reverse`, `stock`, `history`
and `check-balances`: the stock commands.

Only the standard library at the top; each command imports the services it needs (see `main`).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from desktop.cli.opening import open_db
from desktop.errors import UserError

if TYPE_CHECKING:
    from decimal import Decimal

    from desktop import db as dbmod
    from desktop.services.actor import Actor
    from desktop.services.stock.issue import ReservationDTO


def cmd_move(args: argparse.Namespace) -> int:
    from desktop.cli.posting import duplicate_note, posting_key, retry_hint
    from desktop.models.enums import MoveKind
    from desktop.quantities import format_qty, parse_decimal
    from desktop.services import lots
    from desktop.services.catalogue import locations, parts
    from desktop.services.stock import issue as stock_issue
    from desktop.services.stock import moves as stock

    database, actor = open_db(args)
    kind = MoveKind(args.kind)
    part_id = parts.get_part_id(database, args.part)
    qty = parse_decimal(args.qty, allow_negative=kind is MoveKind.ADJUSTMENT)
    src = locations.get_location_id(database, args.from_) if getattr(args, "from_", None) else None
    dst = locations.get_location_id(database, args.to) if getattr(args, "to", None) else None
    if kind is MoveKind.ADJUSTMENT:  # one location, the sign says which way
        loc = locations.get_location_id(database, args.location)
        src, dst, qty = (loc, None, -qty) if qty < 0 else (None, loc, qty)
    key = posting_key(args)  # a script can retry a failed call with --key KEY
    if kind is MoveKind.RECEIPT and (args.lot or args.serial or args.expires):
        return _receive_lot(args, database, actor, part_id, qty, dst, key)
    lot_id = lots.lot_id_for(database, part_id, args.lot) if args.lot else None
    req = stock.MoveRequest(
        kind,
        part_id,
        qty,
        src,
        dst,
        reason=args.reason,
        reference=args.reference,
        posting_key=key,
        lot_id=lot_id,
    )
    take_reserved = getattr(args, "take_reserved", False)
    settled = None
    with retry_hint(key, "move"):
        if kind is MoveKind.ISSUE and getattr(args, "allow_short", False) and src is not None:
            short = stock_issue.issue_short(
                database,
                actor,
                part_id,
                src,
                qty,
                reference=args.reference,
                posting_key=key,
                take_reserved=take_reserved,
            )
            if short.posted is not None:
                print(f"#{short.posted.move.id} {short.posted.move.summary()} (key {key})")
            if short.short > 0:
                print(f"short: {format_qty(short.short)} of {format_qty(qty)} requested, recorded")
            _print_settled(short.reservation)
            return 0
        if kind is MoveKind.ISSUE:  # the storeroom's Issue: reservations first
            issued = stock_issue.issue(database, actor, req, take_reserved=take_reserved)
            result, settled = issued.posted, issued.reservation
        else:
            result = stock.post_move(database, actor, req)
    note = duplicate_note(result.duplicate)
    print(
        f"#{result.move.id} {result.move.summary()}; on hand now {format_qty(result.part_on_hand)} "
        f"(key {key}){note}"
    )
    _print_settled(settled)
    if result.below_min and result.min_qty is not None:
        print(f"warning: {result.move.part_number} is below its minimum of {format_qty(result.min_qty)}")
    return 0


def _receive_lot(
    args: argparse.Namespace,
    database: dbmod.Database,
    actor: Actor,
    part_id: int,
    qty: Decimal,
    dst: int | None,
    key: str,
) -> int:
    """`storeroom receive --lot/--serial/--expires`: a tracked part's receipt, its lot made on the way."""
    from datetime import date

    from desktop.cli.posting import retry_hint
    from desktop.services import lots
    from desktop.services.catalogue import suppliers

    assert dst is not None
    try:
        expires = date.fromisoformat(args.expires) if args.expires else None
    except ValueError as exc:
        raise UserError(f"Dates are written YYYY-MM-DD ({exc}).") from exc
    supplier = suppliers.get_supplier_id(database, args.supplier) if args.supplier else None
    req = lots.LotReceipt(
        part_id, dst, qty, args.lot, expires, tuple(args.serial), supplier, args.reference, key
    )
    with retry_hint(key, "move"):
        done = lots.receive(database, actor, req)
    for posted, lot in zip(done.posted, done.lots, strict=True):
        expiry = f", expires {lot.expires_on}" if lot.expires_on else ""
        print(f"#{posted.move.id} {posted.move.summary()} ({lot.code}{expiry}) (key {key})")
    return 0


def _print_settled(r: ReservationDTO | None) -> None:
    from desktop.quantities import format_qty

    if r is not None:
        left = f"{format_qty(r.open_qty)} {r.unit} still reserved" if r.open_qty > 0 else "now settled"
        print(f"against {r.work_order}'s reservation #{r.id}: {left}")


def cmd_reverse(args: argparse.Namespace) -> int:
    from desktop.services.stock import history as stock_history

    database, actor = open_db(args)
    result = stock_history.reverse_move(database, actor, args.move_id, args.reason)
    print(f"#{result.move.id} reverses #{args.move_id}: {result.move.summary()}")
    return 0


def cmd_stock(args: argparse.Namespace) -> int:
    from desktop.quantities import format_qty
    from desktop.services.catalogue import scan

    database, _ = open_db(args)
    found = scan.resolve(database, args.code)
    if found.part is not None:
        p = found.part
        if found.lot is not None:  # an LT- lot label: the lot first
            print(found.message)
        print(f"{p.part_number}  {p.description}  on hand {format_qty(p.on_hand)} {p.unit}")
        for b in p.stock:
            print(f"  {b.location_code:<16} {format_qty(b.qty):>12}")
        if p.tracking != "NONE":  # a tracked part: its lots, the one an issue takes first on top
            from desktop.services import lots

            for x in lots.lots_of_part(database, p.id):
                print(f"  {x.location_code:<16} {lots.format_lot_stock(x)}")
    elif found.location is not None:
        loc = found.location.location
        print(f"{loc.code}  {loc.name}  ({loc.display_path})")
        for c in found.location.contents:
            print(f"  {c.location_code:<16} {c.part_number:<20} {format_qty(c.qty):>12} {c.unit}")
    else:
        raise UserError(found.message)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from desktop.services.catalogue import locations, parts
    from desktop.services.stock import history as stock_history

    database, _ = open_db(args)
    part_id = parts.get_part_id(database, args.part) if args.part else None
    loc_id = locations.get_location_id(database, args.location) if args.location else None
    for m in stock_history.history(database, part_id=part_id, location_id=loc_id, limit=args.limit):
        print(
            f"#{m.id:<7} {m.at:%Y-%m-%d %H:%M} {m.user_name:<10} {m.summary()}"
            + (f"  [{m.reference}]" if m.reference else "")
            + (f"  {m.reason}" if m.reason else "")
        )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from desktop.services.insight import kpi_days
    from desktop.services.stock import balance_check

    database, actor = open_db(args)
    drifts = balance_check.check_balances(database, actor, repair=args.repair)
    for d in drifts:
        print(d.describe())
    print(
        f"{len(drifts)} balance(s) differ from the ledger" + (" (repaired)" if args.repair and drifts else "")
    )
    days = kpi_days.check(database, actor, repair=args.repair)
    for day in days:
        print(f"KPI sums of {day.day}: kept {day.kept}, ledger {day.ledger}")
    print(
        f"{len(days)} day(s) of KPI sums differ from the ledger"
        + (" (rebuilt)" if args.repair and days else "")
    )
    return 1 if (drifts or days) and not args.repair else 0
