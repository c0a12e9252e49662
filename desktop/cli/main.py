"""`storeroom` on the command line: the same services the app uses, for scripts and administrators.

The commands live by capability (`upkeep`: the database itself; `stock`; `catalogue`: labels and units;
`data`: import, export, report; and the sub-command modules `mro`, `kanban`, `po`, `counts`, `lots`,
`access`); this module builds the parser and runs the command.

Start-up is kept short: these modules import only the standard library at the top; each command
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
from collections.abc import Sequence

from desktop.cli import catalogue as cli_catalogue
from desktop.cli import data as cli_data
from desktop.cli import stock as cli_stock
from desktop.cli import upkeep as cli_upkeep
from desktop.cli.opening import open_db
from desktop.errors import ReservedStock, UserError

log = logging.getLogger("storeroom.cli")


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
    sub.add_parser("init", help="create or upgrade the database").set_defaults(fn=cli_upkeep.cmd_init)
    up = sub.add_parser(
        "upgrade",
        help="upgrade the schema (SQLite: the file is copied first; PostgreSQL: as the owner, after pg_dump)",
    )
    up.add_argument(
        "--skip-dump", action="store_true", help="PostgreSQL: no pg_dump (you backed up yourself)"
    )
    up.set_defaults(fn=cli_upkeep.cmd_upgrade)
    d = sub.add_parser("demo", help="load the demo plant into an empty database")
    d.add_argument("--parts", type=int, default=300)
    d.set_defaults(fn=cli_upkeep.cmd_demo)
    b = sub.add_parser("backup", help="online backup of a SQLite database")
    b.add_argument("--to", help="backup file (default: the backups folder)")
    b.set_defaults(fn=cli_upkeep.cmd_backup)
    rs = sub.add_parser("restore", help="replace the SQLite database with a backup (the current one is kept)")
    rs.add_argument("file")
    rs.add_argument("--yes", action="store_true", help="really replace the current database")
    rs.set_defaults(fn=cli_upkeep.cmd_restore)

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
        m.set_defaults(fn=cli_stock.cmd_move, kind=kind)

    move("receive", "RECEIPT", src=False, dst=True, help_="receive stock into a location")
    move("issue", "ISSUE", src=True, dst=False, help_="issue stock out of a location")
    move("transfer", "TRANSFER", src=True, dst=True, help_="move stock between locations")
    move("adjust", "ADJUSTMENT", src=False, dst=False, help_="adjust a location by +qty or -qty")
    move("return", "RETURN", src=False, dst=True, help_="return unused stock into a location")
    move("scrap", "SCRAP", src=True, dst=False, help_="scrap stock out of a location")
    r = sub.add_parser("reverse", help="reverse a move (post its mirror image)")
    r.add_argument("move_id", type=int)
    r.add_argument("--reason", required=True)
    r.set_defaults(fn=cli_stock.cmd_reverse)
    s = sub.add_parser("stock", help="what is where: a part number or a location code")
    s.add_argument("code")
    s.set_defaults(fn=cli_stock.cmd_stock)
    h = sub.add_parser("history", help="moves of a part and/or location, newest first")
    h.add_argument("--part")
    h.add_argument("--location")
    h.add_argument("--limit", type=int, default=50)
    h.set_defaults(fn=cli_stock.cmd_history)
    c = sub.add_parser("check-balances", help="compare balances and the KPIs' daily sums with the ledger")
    c.add_argument(
        "--repair", action="store_true", help="set balances and daily sums from the ledger (admin)"
    )
    c.set_defaults(fn=cli_stock.cmd_check)
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
    lab.set_defaults(fn=cli_catalogue.cmd_labels)
    un = sub.add_parser("units", help="units of measure and the names files use for them; --add (admin)")
    un.add_argument("--add", metavar="CODE", help="add a unit, e.g. BAG")
    un.add_argument("--name", help="its name, e.g. bag")
    un.add_argument("--aliases", help="other names files use, comma separated: sack, sacks")
    un.set_defaults(fn=cli_catalogue.cmd_units)
    for name in set(_HEAVY_COMMANDS) - wanted:
        sub.add_parser(name, help=_HEAVY_COMMANDS[name], add_help=False)
    sub.add_parser("gui", help="start the desktop app").set_defaults(fn=cmd_gui)
    if wanted & {"import", "export"}:
        _import_export_parsers(sub, wanted)
    if "report" in wanted:
        _report_parser(sub)
    if "mro" in wanted:
        from desktop.cli import mro as cli_mro

        cli_mro.add_parser(sub, open_db)
    if "kanban" in wanted:
        from desktop.cli import kanban as cli_kanban

        cli_kanban.add_parser(sub, open_db)
    if "po" in wanted:
        from desktop.cli import po as cli_po

        cli_po.add_parser(sub, open_db)
    if "counts" in wanted:
        from desktop.cli import counts as cli_counts

        cli_counts.add_parser(sub, open_db)
    if wanted & _LOT_COMMANDS:
        from desktop.cli import lots as cli_lots

        cli_lots.add_parser(sub, open_db)
    if "audit" in wanted:
        from desktop.cli import access as cli_access

        cli_access.add_parser(sub, open_db)
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
        im.set_defaults(fn=cli_data.cmd_import)
    if "export" in wanted:
        ex = sub.add_parser("export", help=_HEAVY_COMMANDS["export"])
        ex.add_argument("kind", choices=kinds)
        ex.add_argument("file", help="a .csv or .xlsx file")
        ex.set_defaults(fn=cli_data.cmd_export)


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
    rep.set_defaults(fn=cli_data.cmd_report)


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
