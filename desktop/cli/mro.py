"""`storeroom mro ...`: assets, spares, reservations, issues against them, and the MRO reports."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from desktop import db as dbmod
from desktop.errors import UserError
from desktop.quantities import format_qty, parse_decimal
from desktop.services import mro
from desktop.services.actor import Actor
from desktop.services.catalogue import locations, parts
from desktop.services.mro import AssetInput, ReservationInput

Opener = Callable[[argparse.Namespace], tuple[dbmod.Database, Actor]]


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise UserError(f"'{text}' is not a date: write it as 2026-12-31.") from None


def _asset_add(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    parent = mro.get_asset(database, args.parent).id if args.parent else None
    loc = locations.get_location_id(database, args.location) if args.location else None
    a = mro.create_asset(
        database,
        actor,
        AssetInput(args.code, args.name, args.level.upper(), parent, args.criticality, loc, args.notes),
    )
    print(f"asset {a.code} ({a.level.lower()}), tag {a.barcode}")
    return 0


def _spare(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    asset = mro.get_asset(database, args.asset)
    part_id = parts.get_part_id(database, args.part)
    mro.set_spare(
        database,
        actor,
        asset.id,
        part_id,
        qty_installed=parse_decimal(args.installed, allow_zero=True),
        recommended_qty=parse_decimal(args.recommended, allow_zero=True),
        usage=args.usage.upper(),
    )
    print(f"{args.part} is a spare of {asset.code}")
    return 0


def _xref(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    part_id = parts.get_part_id(database, args.part)
    if args.kind == "manufacturer":
        x = mro.add_xref(database, actor, part_id, "MANUFACTURER", value=args.number, manufacturer=args.maker)
    else:
        other = parts.get_part_id(database, args.number)
        kind = "ALTERNATE" if args.kind == "alternate" else "SUPERSEDED_BY"
        x = mro.add_xref(database, actor, part_id, kind, other_part_id=other)
    refs = mro.part_refs(database, part_id)
    print(f"{refs.part_number}: {x.kind.lower().replace('_', ' ')} {x.value or x.other_part_number}")
    if refs.superseded_by:
        print(f"  use {refs.superseded_by[-1]} ({' -> '.join((refs.part_number, *refs.superseded_by))})")
    return 0


def _where_used(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    refs = mro.part_refs(database, parts.get_part_id(database, args.part))
    if refs.superseded_by:
        print(f"{refs.part_number} is superseded: use {refs.superseded_by[-1]}")
    for x in refs.xrefs:
        kind = x.kind.lower().replace("_", " ")
        print(f"  {kind:<14} {x.manufacturer or '':<12} {x.value or x.other_part_number}")
    for u in refs.where_used:
        print(
            f"  fits {u.asset_code:<14} {u.asset_name:<30} installed {format_qty(u.qty_installed):>5} "
            f"keep {format_qty(u.recommended_qty):>5}  {u.usage.lower()}"
        )
    return 0


def _spares(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    view = mro.spares_for_code(database, args.tag)
    a = view.asset
    print(
        f"{a.code}  {a.name}  ({' > '.join(view.path)})"
        + (f"  criticality {a.criticality}" if a.criticality else "")
    )
    print(
        f"  {'part':<20} {'on hand':>9} {'reserved':>9} {'avail':>9} {'min':>6} {'max':>6} {'lead':>5}  bins"
    )
    for x in view.spares:
        bins = ", ".join(f"{b.location_code}:{format_qty(b.qty)}" for b in x.bins)
        flag = f"  ** {x.flag.upper()} **" if x.flag else ""
        newer = f"  (superseded by {x.superseded_by})" if x.superseded_by else ""
        newer += f"  ({x.coming})" if x.coming else ""
        print(
            f"  {x.part_number:<20} {format_qty(x.on_hand):>9} {format_qty(x.reserved):>9} "
            f"{format_qty(x.available):>9} {'' if x.min_qty is None else format_qty(x.min_qty):>6} "
            f"{'' if x.max_qty is None else format_qty(x.max_qty):>6} "
            f"{'' if x.lead_time_days is None else str(x.lead_time_days) + 'd':>5}  {bins}{flag}{newer}"
        )
    return 1 if view.flagged else 0


def _reserve(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    part_id = parts.get_part_id(database, args.part)
    asset_id = mro.get_asset(database, args.asset).id if args.asset else None
    r = mro.reserve(
        database,
        actor,
        ReservationInput(part_id, parse_decimal(args.qty), args.wo, asset_id, _day(args.needed_by)),
    )
    print(f"reservation #{r.id}: {format_qty(r.qty)} {r.unit} of {r.part_number} for {r.work_order}")
    return 0


def _reservations(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    asset_id = mro.get_asset(database, args.asset).id if args.asset else None
    for r in mro.reservations(database, asset_id=asset_id, open_only=not args.all):
        print(
            f"#{r.id:<6} {r.work_order:<14} {r.part_number:<20} open {format_qty(r.open_qty):>8} {r.unit} "
            f"{r.asset_code or '':<12} {r.needed_by or '':<10} {r.status}"
        )
    return 0


def _issue(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    loc = locations.get_location_id(database, args.from_)
    qty = parse_decimal(args.qty) if args.qty else None
    result = mro.issue_reserved(database, actor, args.reservation, loc, qty, lot=args.lot)
    left = result.reservation.open_qty if result.reservation else Decimal(0)
    print(f"#{result.posted.move.id} {result.posted.move.summary()}; {format_qty(left)} still reserved")
    return 0


def _issue_to(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    asset_id = mro.get_asset(database, args.asset).id if args.asset else None
    result = mro.issue_to_asset(
        database,
        actor,
        parts.get_part_id(database, args.part),
        locations.get_location_id(database, args.from_),
        parse_decimal(args.qty),
        work_order=args.wo,
        asset_id=asset_id,
        take_reserved=args.take_reserved,
        lot=args.lot,
    )
    r = result.reservation
    settled = f"; {format_qty(r.open_qty)} still reserved" if r is not None else ""
    print(f"#{result.posted.move.id} {result.posted.move.summary()} for {args.wo}{settled}")
    return 0


def _return(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    loc = locations.get_location_id(database, args.to)
    result = mro.return_unused(database, actor, args.reservation, loc, parse_decimal(args.qty))
    print(f"#{result.posted.move.id} {result.posted.move.summary()}")
    return 0


def _release(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    r = mro.release(database, actor, args.reservation, parse_decimal(args.qty) if args.qty else None)
    print(f"reservation #{r.id}: released {format_qty(r.released_qty)}, now {r.status}")
    return 0


def _report(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    if args.which == "critical":
        for c in mro.critical_short(database):
            print(
                f"{c.part_number:<20} avail {format_qty(c.available):>8} min "
                f"{'' if c.min_qty is None else format_qty(c.min_qty):>6}  {c.flag:<15} {c.assets}"
            )
    elif args.which == "idle":
        for i in mro.idle_spares(database, args.months):
            last = f"{i.last_move_at:%Y-%m-%d}" if i.last_move_at else "never"
            print(
                f"{i.part_number:<20} {format_qty(i.on_hand):>8} {i.unit:<4} "
                f"value {i.value:>12.2f}  last {last}"
            )
    else:
        until = _day(args.until) or datetime.now(UTC).date()
        since = _day(args.since) or until - timedelta(days=30)
        for u in mro.usage_per_asset(
            database,
            datetime.combine(since, time(), tzinfo=UTC),
            datetime.combine(until, time(), tzinfo=UTC) + timedelta(days=1),
        ):
            print(
                f"{u.asset_code:<14} {u.part_number:<20} {format_qty(u.qty):>8} {u.unit:<4} {u.value:>12.2f}"
            )
    return 0


def _tags(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    from desktop.reports import label_formats
    from desktop.reports.labels import render_bin_labels

    ids = [mro.get_asset(database, code).id for code in args.codes]
    pdf = render_bin_labels(
        mro.asset_labels(database, ids), label_formats.get_format(args.format), copies=args.copies
    )
    out = Path(args.out)
    try:
        out.write_bytes(pdf)
    except OSError as exc:
        raise UserError(f"Cannot write {out}: {exc.strerror or exc}") from exc
    print(f"wrote {out} ({len(ids)} asset tag(s))")
    return 0


def add_parser(sub: argparse._SubParsersAction, opener: Opener) -> None:
    """Register `storeroom mro ...`; `opener` opens the database and signs the user in."""
    m = sub.add_parser("mro", help="MRO spares: assets, spares, reservations, reports")
    msub = m.add_subparsers(dest="mro_command", required=True)

    def cmd(
        name: str, fn: Callable[[dbmod.Database, Actor, argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        p = msub.add_parser(name, help=help_)
        p.set_defaults(fn=lambda args: fn(*opener(args), args))
        return p

    a = cmd("asset", _asset_add, "add an asset (site, line, machine or component)")
    a.add_argument("code")
    a.add_argument("name")
    a.add_argument("--level", default="MACHINE", help="SITE, LINE, MACHINE or COMPONENT")
    a.add_argument("--parent", help="tag or code of the parent asset")
    a.add_argument("--criticality", help="LOW, MEDIUM, HIGH or CRITICAL")
    a.add_argument("--location", help="location code where it stands")
    a.add_argument("--notes")
    s = cmd("spare", _spare, "make a part a spare of an asset")
    s.add_argument("asset")
    s.add_argument("part")
    s.add_argument("--installed", default="1")
    s.add_argument("--recommended", default="1")
    s.add_argument("--usage", default="ON_FAILURE", help="PREVENTIVE, ON_FAILURE or BOTH")
    x = cmd("xref", _xref, "add a manufacturer number, an alternate part, or the part superseding this one")
    x.add_argument("part")
    x.add_argument("kind", choices=["manufacturer", "alternate", "superseded-by"])
    x.add_argument("number", help="the manufacturer's number, or our number of the other part")
    x.add_argument("--maker", help="manufacturer name")
    w = cmd("where-used", _where_used, "assets a part fits, its cross-references and supersession")
    w.add_argument("part")
    v = cmd(
        "spares", _spares, "spares of an asset with stock, reserved, available (exit 1 when one is short)"
    )
    v.add_argument("tag", help="asset tag (A-...) or code")
    r = cmd("reserve", _reserve, "reserve a spare for a work order")
    r.add_argument("--part", required=True)
    r.add_argument("--qty", required=True)
    r.add_argument("--wo", required=True, help="work order")
    r.add_argument("--asset")
    r.add_argument("--needed-by", help="YYYY-MM-DD")
    lst = cmd("reservations", _reservations, "open reservations (of an asset)")
    lst.add_argument("--asset")
    lst.add_argument("--all", action="store_true", help="closed ones too")
    i = cmd("issue", _issue, "issue against a reservation")
    i.add_argument("reservation", type=int)
    i.add_argument("--from", dest="from_", required=True, help="bin code")
    i.add_argument("--qty", help="default: all still reserved")
    i.add_argument("--lot", help="a tracked part's lot or serial (default: the first to expire)")
    it = cmd(
        "issue-to",
        _issue_to,
        "issue for a work order: settles its open reservation, else only what nobody has reserved",
    )
    it.add_argument("--part", required=True)
    it.add_argument("--from", dest="from_", required=True, help="bin code")
    it.add_argument("--qty", required=True)
    it.add_argument("--wo", required=True, help="work order")
    it.add_argument("--asset")
    it.add_argument("--lot", help="a tracked part's lot or serial (default: the first to expire)")
    it.add_argument(
        "--take-reserved", action="store_true", help="also take stock reserved for other work orders"
    )
    ret = cmd("return", _return, "return unused parts issued against a reservation to a bin")
    ret.add_argument("reservation", type=int)
    ret.add_argument("--to", required=True, help="bin code")
    ret.add_argument("--qty", required=True)
    rel = cmd("release", _release, "release reserved units that will not be used")
    rel.add_argument("reservation", type=int)
    rel.add_argument("--qty", help="default: all still reserved")
    rep = cmd("report", _report, "critical (spares short), idle (no movement), usage (per asset)")
    rep.add_argument("which", choices=["critical", "idle", "usage"])
    rep.add_argument("--months", type=int, default=12, help="idle: months without a move")
    rep.add_argument("--since", help="usage: first day, YYYY-MM-DD (default: 30 days ago)")
    rep.add_argument("--until", help="usage: last day, YYYY-MM-DD (default: today)")
    t = cmd("tags", _tags, "print asset tag labels (A-... barcodes) to a PDF")
    t.add_argument("codes", nargs="+", help="asset tags or codes")
    t.add_argument("--format", default="avery-5160", help="see `storeroom labels formats`")
    t.add_argument("--out", default="asset-tags.pdf")
    t.add_argument("--copies", type=int, default=1)
