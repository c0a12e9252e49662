"""`storeroom import`, `export` and `report`: files in and out, and the reports as PDF, XLSX, CSV or text.

Only the standard library at the top; the parsers of these commands are built in `main` only when they
are the command being run.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from desktop.cli.opening import open_db
from desktop.errors import UserError


def cmd_import(args: argparse.Namespace) -> int:
    from desktop.services.io import imports
    from desktop.services.io.tabular import read_table

    database, actor = open_db(args)
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


def cmd_export(args: argparse.Namespace) -> int:
    from desktop.services.io import exports

    database, actor = open_db(args)
    count = exports.export(database, actor, args.kind, Path(args.file))
    print(f"exported {count:,} {args.kind} rows to {args.file}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from datetime import date

    from desktop.services.insight import report_data

    database, actor = open_db(args)
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
