"""`storeroom counts ...`: ABC classification, start a count, its sheet, enter lines, approve, IRA."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from desktop import db as dbmod
from desktop.quantities import format_qty, parse_decimal
from desktop.reports.count_sheet import render_count_sheet
from desktop.services.actor import Actor
from desktop.services.catalogue import locations
from desktop.services.counts import abc as count_abc
from desktop.services.counts import approval as count_approval
from desktop.services.counts import ira as count_ira
from desktop.services.counts import plan as count_plan
from desktop.services.counts import sessions as counts
from desktop.services.counts import today_list

Opener = Callable[[argparse.Namespace], tuple[dbmod.Database, Actor]]


def _classify(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    rows = counts.classify(
        database,
        actor,
        a_pct=parse_decimal(args.a) if args.a else None,
        b_pct=parse_decimal(args.b) if args.b else None,
    )
    for cls in "ABC":
        print(f"{cls}: {sum(1 for r in rows if r.abc == cls)} part(s)")
    return 0


def _override(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    now = count_abc.set_override(database, actor, args.part, None if args.abc == "none" else args.abc)
    print(f"{args.part.strip().upper()}: class {now}")
    return 0


def _start(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    ids = [locations.get_location_id(database, code) for code in args.locations]
    sid = counts.start_session(
        database, actor, args.name or f"Count {' '.join(args.locations)}", ids, blind=not args.show_book
    )
    print(f"count session #{sid}: {len(counts.session(database, sid).lines)} line(s)")
    return 0


def _sheet(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    header, lines = counts.sheet(database, args.session, counter=args.counter or "")
    Path(args.out).write_bytes(render_count_sheet(header, lines))
    print(f"wrote {len(lines)} line(s) to {args.out}")
    return 0


def _enter(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    qty = parse_decimal(args.qty, allow_zero=True)
    line = counts.enter_count(
        database, actor, args.session, args.location, args.part, qty, args.lot, new_lot=args.new_lot
    )
    lot = f" {line.lot_number}" if line.lot_number else ""
    print(
        f"{line.part_number}{lot} in {line.location_code}: {line.status.lower()}"
        + (f" (variance {format_qty(line.variance)})" if line.variance is not None else "")
    )
    return 0


def _approve(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    print(f"{count_approval.approve(database, actor, args.session)} adjustment(s) posted; session closed")
    return 0


def _ira(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    for key, value in count_ira.ira(database, by=args.by).items():
        print(
            f"{key:<12} IRA {value.ira_pct} % ({value.within}/{value.counted}), "
            f"adjusted {value.adjustment_value:.2f}"
        )
    return 0


def _today(database: dbmod.Database, _actor: Actor, _args: argparse.Namespace) -> int:
    today = today_list.todays_list(database)
    print(
        f"{today.day.isoformat()}: {today.planned} planned line(s), {today.overdue} overdue, "
        f"{today.events} from events"
    )
    for x in today.lines:
        print(f"{x.location_code:<12} {x.part_number:<20} {x.status:<24} {'; '.join(x.reasons)}")
    return 0


def _start_today(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    sid = today_list.start_today(database, actor, blind=not args.show_book)
    print(f"count session #{sid}: {len(counts.session(database, sid).lines)} line(s)")
    return 0


def _plan(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    p = count_plan.plan_summary(database, args.year or date.today().year)
    print(
        f"{p.year}: {p.lines} line(s), {p.counts} count(s) over {p.working_days} working day(s), "
        f"{p.per_day_min}-{p.per_day_max} a day"
    )
    for freq, n in p.by_class.items():
        print(f"  {n} line(s) counted {freq}")
    return 0


def add_parser(sub: argparse._SubParsersAction, opener: Opener) -> None:
    c = sub.add_parser("counts", help="cycle counting: ABC, count sessions and sheets, approval, IRA")
    csub = c.add_subparsers(dest="counts_command", required=True)

    def cmd(
        name: str, fn: Callable[[dbmod.Database, Actor, argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        p = csub.add_parser(name, help=help_)
        p.set_defaults(fn=lambda args: fn(*opener(args), args))
        return p

    cl = cmd("classify", _classify, "recompute ABC classes from 12 months of issues")
    cl.add_argument("--a", help="% of usage value in class A (default: the count settings)")
    cl.add_argument("--b", help="% of usage value in class B (default: the count settings)")
    ov = cmd("override", _override, "pin a part's ABC class, or 'none' to follow its usage value again")
    ov.add_argument("part")
    ov.add_argument("abc", choices=["A", "B", "C", "none"])
    st = cmd("start", _start, "start a count of locations (and everything inside them)")
    st.add_argument("locations", nargs="+")
    st.add_argument("--name")
    st.add_argument("--show-book", action="store_true", help="not blind: the sheet shows book quantities")
    sh = cmd("sheet", _sheet, "print a session's count sheet to PDF")
    sh.add_argument("session", type=int)
    sh.add_argument("--counter")
    sh.add_argument("--out", default="count-sheet.pdf")
    en = cmd("enter", _enter, "enter a counted quantity")
    en.add_argument("session", type=int)
    en.add_argument("location")
    en.add_argument("part")
    en.add_argument("qty")
    en.add_argument("--lot", help="a tracked part's lot or serial: its number or its label's LT- code")
    en.add_argument(
        "--new-lot", action="store_true", help="the lot is not on record: add it as found in this count"
    )
    ap = cmd("approve", _approve, "approve a session and post its COUNT moves")
    ap.add_argument("session", type=int)
    ir = cmd("ira", _ira, "inventory record accuracy")
    ir.add_argument("--by", default="class", choices=list(count_ira.GROUPINGS))
    cmd("today", _today, "today's count list: the plan's share and the event rules, in walk order")
    td = cmd("start-today", _start_today, "start a count of today's list (the lines not yet in a count)")
    td.add_argument("--show-book", action="store_true", help="not blind: the sheet shows book quantities")
    pl = cmd("plan", _plan, "the year's count plan: lines, counts and the load per working day")
    pl.add_argument("--year", type=int)
