"""`storeroom` on the command line: the same services the app uses, for scripts and administrators.

Start-up is kept short: this module imports only the standard library at the top; each command
imports the services, database and renderers it needs, and the sub-commands with heavy parsers
(`import`, `export`, `report`, `counts`, `kanban`, `mro`, `po`) are built only when they are the command
being run. `storeroom labels formats` therefore starts in about a tenth of a second, and nothing
but `gui` loads Qt.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.errors import ReservedStock, UserError

if TYPE_CHECKING:
    from decimal import Decimal

    from desktop import db as dbmod
    from desktop.services.actor import Actor
    from desktop.services.stock.issue import ReservationDTO

log = logging.getLogger("storeroom.cli")


def _open(args: argparse.Namespace) -> tuple[dbmod.Database, Actor]:
    from desktop import config
    from desktop import db as dbmod
    from desktop.services.admin.script_access import script_actor

    database = dbmod.open_database(config.database_url(args.db))
    return database, script_actor(database, args.user, os.environ.get("STOREROOM_PIN"))


def cmd_init(args: argparse.Namespace) -> int:
    from desktop import db as dbmod

    database, actor = _open(args)
    print(
        f"{database.description} is ready (schema {dbmod.current_revision(database)}); "
        f"user {actor.user_name} is {actor.role.value}."
    )
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    from desktop import config
    from desktop import db as dbmod

    database = dbmod.Database(config.database_url(args.db))
    before = dbmod.current_revision(database)
    backup = dbmod.upgrade(database, backup=not args.skip_dump)
    print(
        f"schema {before or 'empty'} -> {dbmod.current_revision(database)}"
        + (f" (backup: {backup})" if backup else "")
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop.services import demo

    database, actor = _open(args)
    count = demo.load_demo(database, actor, parts=args.parts)
    print(f"demo plant loaded: {count} parts, locations, suppliers, stock and history")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from desktop import config
    from desktop import db as dbmod

    database = dbmod.Database(config.database_url(args.db))
    target = dbmod.backup_sqlite(database, target=Path(args.to) if args.to else None)
    print(f"backup written to {target}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from desktop.backups import check_backup, restore_sqlite

    source = Path(args.file)
    revision = check_backup(source)
    if not args.yes:
        raise UserError(
            f"{source.name} (schema {revision}) would replace the current database. "
            "Add --yes to go ahead; a copy of the current database is kept in the backups folder."
        )
    database, actor = _open(args)  # an administrator of the database being replaced
    safety = restore_sqlite(database, source, actor)
    print(f"restored {source}; the previous database is kept as {safety}")
    return 0


def _move(args: argparse.Namespace) -> int:
    from desktop.cli.posting import duplicate_note, posting_key, retry_hint
    from desktop.models.enums import MoveKind
    from desktop.quantities import format_qty, parse_decimal
    from desktop.services import lots
    from desktop.services.catalogue import locations, parts
    from desktop.services.stock import issue as stock_issue
    from desktop.services.stock import moves as stock

    database, actor = _open(args)
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

    database, actor = _open(args)
    result = stock_history.reverse_move(database, actor, args.move_id, args.reason)
    print(f"#{result.move.id} reverses #{args.move_id}: {result.move.summary()}")
    return 0


def cmd_stock(args: argparse.Namespace) -> int:
    from desktop.quantities import format_qty
    from desktop.services.catalogue import scan

    database, _ = _open(args)
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

    database, _ = _open(args)
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

    database, actor = _open(args)
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


def cmd_labels(args: argparse.Namespace) -> int:
    from desktop.reports import label_formats

    if args.what == "formats":
        for key, fmt in label_formats.FORMATS.items():
            print(f"{key:<18} {fmt.name}")
        return 0
    from desktop import config
    from desktop.reports.labels import render_calibration_page

    key = args.format or (label_formats.BADGE_FORMAT if args.what == "badges" else "avery-5160")
    fmt = label_formats.get_format(key)
    saved = config.AppConfig.current().labels.offsets_mm.get(key, (0.0, 0.0))
    dx = args.offset_x if args.offset_x is not None else saved[0]
    dy = args.offset_y if args.offset_y is not None else saved[1]
    note = ""
    if args.what == "calibration":
        data = render_calibration_page(fmt, offset_x_mm=dx, offset_y_mm=dy)
    else:
        from desktop.reports.label_layout import layout_bin_label, layout_part_label
        from desktop.reports.label_types import fallback_summary
        from desktop.reports.labels import render_job

        database, actor = _open(args)
        if args.what == "bins":  # plain rows: no ORM imported, no model mapped (label_rows)
            from desktop.services.catalogue import label_rows

            ids = [label_rows.location_id(database, code) for code in args.codes]
            items: Sequence[object] = label_rows.bin_labels(
                database, ids, subtree=args.subtree, with_part=not args.no_part
            )
            layout: Callable[..., object] = layout_bin_label
        elif args.what == "parts":
            from desktop.services.catalogue import labels as label_data
            from desktop.services.catalogue import parts

            ids = [parts.get_part_id(database, number) for number in args.codes]
            items, layout = label_data.part_labels(database, ids), layout_part_label
        elif args.what == "lots":  # the bin label's layout (QR and Code128), the lot's LT- code on it
            from desktop.services import lots

            items, layout = lots.lot_labels(database, args.codes), layout_bin_label
        else:
            from desktop.services.admin import badges

            ids = badges.user_ids_for_names(database, args.codes)
            items, layout = badges.badge_labels(database, actor, ids), layout_bin_label
        if args.zpl:  # commands for a Zebra-compatible printer instead of a PDF
            from desktop.reports.zpl import render_zpl

            zpl, fallbacks = render_zpl(
                items,
                layout,  # type: ignore[arg-type]
                fmt,
                copies=args.copies,
                offset_x_mm=dx,
                offset_y_mm=dy,
            )
            data, note = zpl.encode("utf-8"), fallback_summary(fallbacks, len(items))
        else:
            job = render_job(
                items,
                layout,  # type: ignore[arg-type]
                fmt,
                what=args.what.removesuffix("s"),
                start_at=args.start_at,
                copies=args.copies,
                offset_x_mm=dx,
                offset_y_mm=dy,
            )
            data, note = job.pdf, job.summary()
    out = Path(args.out)
    _write_atomically(out, data)
    print(f"wrote {out} ({len(data):,} bytes)")
    if note:
        print(f"note: {note}")
    return 0


def _write_atomically(out: Path, data: bytes) -> None:
    """All of the file or none of it: a full disk leaves no half-written PDF behind."""
    tmp = out.with_suffix(out.suffix + ".partial")
    try:
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"Cannot write {out}: {exc.strerror or exc}") from exc


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.services.io import imports
    from desktop.services.io.tabular import read_table

    database, actor = _open(args)
    table = read_table(Path(args.file))
    mapping = imports.auto_map(args.kind, table.headers)
    for spec in args.map or []:  # --map "unit_cost=Preis EUR"
        field, _, header = spec.partition("=")
        if field not in mapping or header not in table.headers:
            raise UserError(
                f"--map {spec}: use FIELD=HEADER with a field of {', '.join(mapping)} "
                f"and a header of the file ({', '.join(table.headers)})."
            )
        mapping[field] = table.headers.index(header)
    options = imports.Options(blank_clears=args.blank_clears, default_location=args.default_location)
    # one pass: checked and written in one transaction, committed only without problems (and --dry-run)
    plan = imports.execute(
        database,
        actor,
        args.kind,
        table,
        mapping,
        options,
        commit=not args.dry_run,
        source=Path(args.file).name,
    )
    print(f"{Path(args.file).name}: {plan.summary()}")
    for note in plan.notes:
        print(f"  note: {note}")
    for problem in plan.problems[:200]:
        print(f"  row {problem.row}, {problem.column}: {problem.message}")
    if plan.problems_total > 200:
        print(f"  ... and {plan.problems_total - 200:,} more")
    if plan.problems:
        print("nothing imported")
        return 1
    for change in plan.changes[: args.changes]:
        print(f"  row {change.row}, {change.record}: {change.field} {change.old} -> {change.new}")
    if plan.change_count > args.changes:
        print(f"  ... and {plan.change_count - args.changes:,} more changed fields (--changes N lists more)")
    print("dry run: nothing saved" if args.dry_run else "imported")
    return 0


def cmd_units(args: argparse.Namespace) -> int:
    from desktop.services.catalogue import units

    database, actor = _open(args)
    if args.add:
        code = units.add_unit(database, actor, args.add, args.name or args.add, args.aliases or "")
        print(f"added unit {code}")
    known = units.list_units(database)
    for code, (name, whole) in known.units.items():
        others = sorted(n.lower() for n, c in known.names.items() if c == code and n != code)
        print(f"{code:<8} {name:<16} {'whole' if whole else 'decimal':<8} {', '.join(others)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from desktop.services.io import exports

    database, actor = _open(args)
    count = exports.export(database, actor, args.kind, Path(args.file))
    print(f"exported {count:,} {args.kind} rows to {args.file}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import date

    from desktop.services.insight import report_data

    database, actor = _open(args)
    try:
        start = date.fromisoformat(args.start) if args.start else None
        end = date.fromisoformat(args.end) if args.end else None
    except ValueError as exc:
        raise UserError(f"Dates are written YYYY-MM-DD ({exc}).") from exc
    params = report_data.ReportParams(
        args.months, start, end, args.part, args.location, args.category, args.days
    )
    table = report_data.build(database, actor, args.key, params)
    if not args.out:  # to the terminal or a pipe
        print(f"{table.title}: {table.subtitle}")
        for row in (table.headers, *table.rows):
            print("\t".join("" if v is None else str(v) for v in row))
        return 0
    stamp = datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    report_data.export(table, Path(args.out), generated=stamp)
    print(f"{table.title}: {len(table.rows):,} rows to {args.out} ({table.subtitle})")
    return 0


def cmd_gui(args: argparse.Namespace) -> int:
    from desktop.app import main as app_main

    return app_main(["--db", args.db] if args.db else [])


# Sub-commands whose parsers need heavy imports (their choices come from the services): built only
# when they are the command being run; otherwise a stub with the help line lists them.
_HEAVY_COMMANDS: dict[str, str] = {
    "import": "import a CSV or XLSX file (checked first; all or nothing)",
    "export": "export to CSV or XLSX (re-imports as it is)",
    "report": "a report (KPI summary, valuation, history, ...) as PDF, XLSX or CSV",
    "mro": "MRO spares: assets, spares, reservations, reports",
    "kanban": "kanban loops, card scans, replenishment list, card printing",
    "po": "purchase orders: list, show, new, from-reorder, from-cards, send, receive, close, print",
    "counts": "cycle counting: ABC, count sessions and sheets, approval, IRA",
    "audit": "the audit trail",
    "users": "user accounts",
    "access-settings": "show or set the adjustment limit and the lock-out limits",
    "server": "shared PostgreSQL server administration (as the schema owner)",
    "trace": "every move of a lot, or (--reference) the lots that went to a work order",
    "lots": "lots and serial numbers: tracking, a bin's lots, releasing an expired lot",
}
_ACCESS_COMMANDS = {"audit", "users", "access-settings", "server"}  # one parser module builds all four
_LOT_COMMANDS = {"trace", "lots"}  # and one both of these


def _command_of(argv: Sequence[str]) -> str | None:
    """The sub-command named in argv (the first word that is one), or None."""
    return next((word for word in argv if word in _HEAVY_COMMANDS), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; with `argv`, only the heavy sub-command argv names is built in full."""
    wanted: set[str | None] = set(_HEAVY_COMMANDS) if argv is None else {_command_of(argv)}
    if wanted & _ACCESS_COMMANDS:
        wanted |= _ACCESS_COMMANDS
    if wanted & _LOT_COMMANDS:
        wanted |= _LOT_COMMANDS
    p = argparse.ArgumentParser(prog="storeroom", description="Storeroom from the command line.")
    p.add_argument("--db", help="database URL or SQLite file (default: saved choice, then the data folder)")
    p.add_argument(
        "--user",
        help="act as this user; its PIN comes from STOREROOM_PIN (default: your login "
        "name, only while no account has a PIN)",
    )
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create or upgrade the database").set_defaults(fn=cmd_init)
    up = sub.add_parser(
        "upgrade",
        help="upgrade the schema (SQLite: the file is copied first; PostgreSQL: as the owner, after pg_dump)",
    )
    up.add_argument(
        "--skip-dump", action="store_true", help="PostgreSQL: no pg_dump (you backed up yourself)"
    )
    up.set_defaults(fn=cmd_upgrade)
    d = sub.add_parser("demo", help="load the demo plant into an empty database")
    d.add_argument("--parts", type=int, default=300)
    d.set_defaults(fn=cmd_demo)
    b = sub.add_parser("backup", help="online backup of a SQLite database")
    b.add_argument("--to", help="backup file (default: the backups folder)")
    b.set_defaults(fn=cmd_backup)
    rs = sub.add_parser("restore", help="replace the SQLite database with a backup (the current one is kept)")
    rs.add_argument("file")
    rs.add_argument("--yes", action="store_true", help="really replace the current database")
    rs.set_defaults(fn=cmd_restore)

    def move(name: str, kind: str, *, src: bool, dst: bool, help_: str) -> None:  # kind: a MoveKind
        m = sub.add_parser(name, help=help_)
        m.add_argument("--part", required=True, help="part number")
        m.add_argument("--qty", required=True)
        if src:
            m.add_argument("--from", dest="from_", required=True, help="location code")
        if dst:
            m.add_argument("--to", required=True, help="location code")
        if kind == "ADJUSTMENT":
            m.add_argument("--location", required=True, help="location code")
        m.add_argument("--reason")
        m.add_argument("--reference", help="PO, work order, delivery note")
        m.add_argument(
            "--lot",
            help="lot or serial number of a tracked part (a receipt also reads a GS1-128 label's AI 10/17; "
            "an issue without it takes the lot that expires first)",
        )
        if kind == "RECEIPT":
            m.add_argument(
                "--expires", help="the lot's expiry, YYYY-MM-DD (default: the label's, or the shelf life)"
            )
            m.add_argument("--serial", action="append", default=[], help="a serial number; one per unit")
            m.add_argument("--supplier", help="who the lot came from")
        m.add_argument(
            "--key",
            help="idempotency key: re-running with the same key posts nothing twice "
            "(default: a new key, printed with the result)",
        )
        if kind == "ISSUE":
            m.add_argument(
                "--allow-short",
                action="store_true",
                help="issue what the bin holds and record the rest as a short issue",
            )
            m.add_argument(
                "--take-reserved",
                action="store_true",
                help="also take stock reserved for other work orders (refused without it; a --reference "
                "naming a work order with an open reservation of the part issues against it and settles it)",
            )
        m.set_defaults(fn=_move, kind=kind)

    move("receive", "RECEIPT", src=False, dst=True, help_="receive stock into a location")
    move("issue", "ISSUE", src=True, dst=False, help_="issue stock out of a location")
    move("transfer", "TRANSFER", src=True, dst=True, help_="move stock between locations")
    move("adjust", "ADJUSTMENT", src=False, dst=False, help_="adjust a location by +qty or -qty")
    move("return", "RETURN", src=False, dst=True, help_="return unused stock into a location")
    move("scrap", "SCRAP", src=True, dst=False, help_="scrap stock out of a location")
    r = sub.add_parser("reverse", help="reverse a move (post its mirror image)")
    r.add_argument("move_id", type=int)
    r.add_argument("--reason", required=True)
    r.set_defaults(fn=cmd_reverse)
    s = sub.add_parser("stock", help="what is where: a part number or a location code")
    s.add_argument("code")
    s.set_defaults(fn=cmd_stock)
    h = sub.add_parser("history", help="moves of a part and/or location, newest first")
    h.add_argument("--part")
    h.add_argument("--location")
    h.add_argument("--limit", type=int, default=50)
    h.set_defaults(fn=cmd_history)
    c = sub.add_parser("check-balances", help="compare balances and the KPIs' daily sums with the ledger")
    c.add_argument(
        "--repair", action="store_true", help="set balances and daily sums from the ledger (admin)"
    )
    c.set_defaults(fn=cmd_check)
    lab = sub.add_parser("labels", help="print bin or part labels or user badges to a PDF")
    lab.add_argument("what", choices=["bins", "parts", "lots", "badges", "calibration", "formats"])
    lab.add_argument(
        "codes",
        nargs="*",
        help="location codes (bins), part numbers (parts), lots' numbers or LT- codes, user names (badges)",
    )
    lab.add_argument(
        "--format",
        help="see `storeroom labels formats` (default: avery-5160; card-cr80 for badges)",
    )
    lab.add_argument("--out", default="labels.pdf")
    lab.add_argument(
        "--zpl",
        action="store_true",
        help="write ZPL for a Zebra-compatible printer (thermal formats; send it with `lp -o raw`)",
    )
    lab.add_argument("--start-at", type=int, default=1, help="first free label on a used sheet")
    lab.add_argument("--copies", type=int, default=1)
    lab.add_argument("--subtree", action="store_true", help="bins: every location inside the given ones")
    lab.add_argument("--no-part", action="store_true", help="bins: leave out the part stored there")
    lab.add_argument("--offset-x", type=float, help="mm to the right (default: this PC's saved calibration)")
    lab.add_argument("--offset-y", type=float, help="mm down (default: this PC's saved calibration)")
    lab.set_defaults(fn=cmd_labels)
    un = sub.add_parser("units", help="units of measure and the names files use for them; --add (admin)")
    un.add_argument("--add", metavar="CODE", help="add a unit, e.g. BAG")
    un.add_argument("--name", help="its name, e.g. bag")
    un.add_argument("--aliases", help="other names files use, comma separated: sack, sacks")
    un.set_defaults(fn=cmd_units)
    for name in set(_HEAVY_COMMANDS) - wanted:
        sub.add_parser(name, help=_HEAVY_COMMANDS[name], add_help=False)
    sub.add_parser("gui", help="start the desktop app").set_defaults(fn=cmd_gui)
    if wanted & {"import", "export"}:
        _import_export_parsers(sub, wanted)
    if "report" in wanted:
        _report_parser(sub)
    if "mro" in wanted:
        from desktop.cli import mro as cli_mro

        cli_mro.add_parser(sub, _open)
    if "kanban" in wanted:
        from desktop.cli import kanban as cli_kanban

        cli_kanban.add_parser(sub, _open)
    if "po" in wanted:
        from desktop.cli import po as cli_po

        cli_po.add_parser(sub, _open)
    if "counts" in wanted:
        from desktop.cli import counts as cli_counts

        cli_counts.add_parser(sub, _open)
    if wanted & _LOT_COMMANDS:
        from desktop.cli import lots as cli_lots

        cli_lots.add_parser(sub, _open)
    if "audit" in wanted:
        from desktop.cli import access as cli_access

        cli_access.add_parser(sub, _open)
    return p


def _import_export_parsers(sub: argparse._SubParsersAction, wanted: set[str | None]) -> None:
    from desktop.services.io.imports import KINDS

    kinds = list(KINDS)
    if "import" in wanted:
        im = sub.add_parser("import", help=_HEAVY_COMMANDS["import"])
        im.add_argument("kind", choices=kinds)
        im.add_argument("file")
        im.add_argument("--dry-run", action="store_true", help="check and report, save nothing")
        im.add_argument("--map", action="append", metavar="FIELD=HEADER", help="map a column by hand")
        im.add_argument(
            "--blank-clears",
            action="store_true",
            help="an empty cell clears that field (default: an empty cell keeps what is saved)",
        )
        im.add_argument("--default-location", metavar="CODE", help="stock: where rows without a location go")
        im.add_argument(
            "--changes", type=int, default=50, metavar="N", help="list up to N changed fields (50)"
        )
        im.set_defaults(fn=cmd_import)
    if "export" in wanted:
        ex = sub.add_parser("export", help=_HEAVY_COMMANDS["export"])
        ex.add_argument("kind", choices=kinds)
        ex.add_argument("file", help="a .csv or .xlsx file")
        ex.set_defaults(fn=cmd_export)


def _report_parser(sub: argparse._SubParsersAction) -> None:
    from desktop.services.insight.report_data import CATALOGUE

    rep = sub.add_parser("report", help=_HEAVY_COMMANDS["report"])
    rep.add_argument("key", choices=[spec.key for spec in CATALOGUE])
    rep.add_argument("--out", help="a .pdf, .xlsx or .csv file (default: the rows as text, tab separated)")
    rep.add_argument("--months", type=int, default=12, help="period for KPIs, ABC, turnover, short issues")
    rep.add_argument("--from", dest="start", help="history from this day, YYYY-MM-DD (default 30 days ago)")
    rep.add_argument("--to", dest="end", help="history up to this day, YYYY-MM-DD (default today)")
    rep.add_argument("--part", help="history of one part number")
    rep.add_argument("--location", help="history of, or stock in, one location (and what is inside it)")
    rep.add_argument("--category", help="by-category: one category path and everything below it")
    rep.add_argument("--days", type=int, default=30, help="expiring: lots expiring within N days (30)")
    rep.set_defaults(fn=cmd_report)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        from desktop import config
        from desktop.quantities import set_decimal_mark

        set_decimal_mark(config.AppConfig.current().decimal_mark)  # typed numbers as this PC writes them
        if args.command != "labels":  # labels maps only its own tables, to start fast (models/__init__)
            from desktop.models import load_all

            load_all()  # every other command as the tests run it: with every table mapped
        result: int = args.fn(args)
        sys.stdout.flush()  # here, so a closed pipe is caught below rather than at exit
        return result
    except ReservedStock as exc:  # one hint for every issuing command
        from desktop.quantities import format_qty

        print(f"error: {exc} Add --take-reserved to issue {format_qty(exc.want)} anyway.", file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `storeroom stock X | head`: the reader has what it wanted. Quietly stop, as Unix tools do (the
        # exit status of a process ended by SIGPIPE); stdout goes to devnull so the exit flush is silent.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
