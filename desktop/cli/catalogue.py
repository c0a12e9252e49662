"""`storeroom labels` and `units`: printing bin, part and lot labels and user badges, and the units of
measure.

Only the standard library at the top; `labels bins` reads plain rows without the ORM (see `main`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from desktop.cli.opening import open_db
from desktop.errors import UserError


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

        database, actor = open_db(args)
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


def cmd_units(args: argparse.Namespace) -> int:
    from desktop.services.catalogue import units

    database, actor = open_db(args)
    if args.add:
        code = units.add_unit(database, actor, args.add, args.name or args.add, args.aliases or "")
        print(f"added unit {code}")
    known = units.list_units(database)
    for code, (name, whole) in known.units.items():
        others = sorted(n.lower() for n, c in known.names.items() if c == code and n != code)
        print(f"{code:<8} {name:<16} {'whole' if whole else 'decimal':<8} {', '.join(others)}")
    return 0
