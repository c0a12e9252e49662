"""`storeroom po ...`: purchase orders from the command line (list, show, new or create, add, from-reorder,
from-cards, send, receive, cancel, close, print, settings, lead-times, import, export)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from desktop import db as dbmod
from desktop.cli.posting import duplicate_note, posting_key, retry_hint
from desktop.errors import UserError
from desktop.models.enums import PoState
from desktop.quantities import format_money, format_qty, parse_decimal
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.catalogue import locations, parts, suppliers
from desktop.services.purchasing import LineInput, OrderDTO, ReceiptRequest

Opener = Callable[[argparse.Namespace], tuple[dbmod.Database, Actor]]


def _state(order: OrderDTO) -> str:
    return order.state.lower().replace("_", " ")


def _headline(order: OrderDTO) -> str:
    money = f"{format_money(order.total)}{' ' + order.currency if order.currency else ''}"
    return (
        f"{order.number}  {order.supplier_name:<24} {_state(order):<16} {len(order.lines)} line(s), "
        f"{order.open_lines} open, {money}"
    )


def _show_order(order: OrderDTO) -> None:
    print(_headline(order))
    due = f", needed by {order.needed_by}" if order.needed_by else ""
    sent = f", sent {order.sent_at.astimezone():%Y-%m-%d %H:%M}" if order.sent_at else ""
    print(f"  created by {order.created_by}, last change by {order.changed_by}{sent}{due}")
    if order.notes:
        print(f"  notes: {order.notes}")
    for line in order.lines:
        pack = f"{format_qty(line.packs)} x {format_qty(line.pack_size)}" if line.pack_size != 1 else ""
        price = format_money(line.unit_price) if line.unit_price is not None else "-"
        extra = f"  card {line.kanban_card_code}" if line.kanban_card_code else ""
        extra += f"  needed by {line.needed_by}" if line.needed_by else ""
        print(
            f"  {line.line_no:>3}  {line.part_number:<16} {line.supplier_part_number or '':<14} "
            f"{format_qty(line.ordered_qty):>9} {line.unit:<4} {pack:<12} @ {price:>9}  "
            f"received {format_qty(line.received_qty)}{extra}"
        )


def _list(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    states = [PoState(s.upper()) for s in args.state] if args.state else []
    if args.open:
        states += [PoState.DRAFT, PoState.SENT, PoState.PARTLY_RECEIVED]
    supplier = suppliers.get_supplier_id(database, args.supplier) if args.supplier else None
    orders = po.list_orders(database, states=states, supplier_id=supplier)
    for order in orders:
        print(_headline(order))
    if not orders:
        print("no purchase orders")
    return 0


def _show(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    _show_order(po.get_order(database, po.get_order_id(database, args.number)))
    return 0


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise UserError(f"'{text}' is not a date: write it as 2026-12-31.") from None


def _line(database: dbmod.Database, text: str) -> LineInput:
    """PART=PACKS or PART=PACKS@PRICE (price per pack)."""
    part, sep, rest = text.rpartition("=")
    if not sep or not part.strip():
        raise UserError(f"'{text}': write a line as PART=PACKS or PART=PACKS@PRICE.", field="lines")
    packs, _at, price = rest.partition("@")
    return LineInput(
        parts.get_part_id(database, part),
        parse_decimal(packs, what="quantity"),
        unit_price=parse_decimal(price, what="price", allow_zero=True) if price else None,
    )


def _new(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    supplier = suppliers.get_supplier_id(database, args.supplier)
    lines = [_line(database, text) for text in args.line or []]
    order = po.create_order(
        database, actor, supplier, lines, notes=args.notes, needed_by=_day(args.needed_by)
    )
    _show_order(order)
    return 0


def _add(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    order_id = po.get_order_id(database, args.number)
    _show_order(po.add_lines(database, actor, order_id, [_line(database, text) for text in args.line]))
    return 0


def _import(args: argparse.Namespace) -> int:
    """The ERP's open lines: the generic import (strict file, all or nothing) of kind purchase-orders."""
    from desktop.cli.data import cmd_import
    from desktop.services.purchasing.erp_files import KIND

    args.kind, args.dry_run, args.default_location = KIND, args.check, None
    return cmd_import(args)


def _export(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.services.purchasing.erp_files import export_open_lines

    count = export_open_lines(database, actor, Path(args.out))
    print(f"exported {count:,} open order line(s) to {args.out}")
    return 0


def _from_reorder(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    from desktop.services.insight import replenishment

    items = replenishment.suggestions(database, actor)
    if args.supplier:
        items = [x for x in items if x.supplier.upper() == " ".join(args.supplier.split()).upper()]
    if args.part:
        wanted = {p.strip().upper() for p in args.part}
        items = [x for x in items if x.part_number.upper() in wanted]
    orphans = [x.part_number for x in items if x.supplier == replenishment.NO_SUPPLIER]
    if orphans:
        print(f"left out (no default supplier): {', '.join(orphans)}")
    items = [x for x in items if x.supplier != replenishment.NO_SUPPLIER]
    if not items:
        print("nothing to order")
        return 0
    for order in po.orders_from_suggestions(
        database, actor, [po.Wanted(x.part_id, x.order_qty) for x in items]
    ):
        _show_order(order)
    return 0


def _from_cards(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    from desktop.services.kanban import board
    from desktop.services.kanban import loops as kb

    lines = [x for x in board.replenishment_list(database) if x.loop.kind == kb.LoopKind.PURCHASE]
    if args.supplier:
        lines = [x for x in lines if x.group.upper() == " ".join(args.supplier.split()).upper()]
    ids = [i for x in lines for i in x.card_ids]
    if not ids:
        print("no empty purchase-kanban cards")
        return 0
    for order in po.orders_from_cards(database, actor, ids):
        _show_order(order)
    return 0


def _send(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    print(_headline(po.send_order(database, actor, po.get_order_id(database, args.number))))
    return 0


def _cancel(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    order = po.cancel_order(database, actor, po.get_order_id(database, args.number), args.reason)
    print(_headline(order))
    return 0


def _close(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    order = po.close_order(database, actor, po.get_order_id(database, args.number), args.reason)
    print(_headline(order))
    return 0


def _receive(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    key = posting_key(args)
    order_id = po.get_order_id(database, args.number)
    req = ReceiptRequest(
        order_id,
        po.part_on_order(database, order_id, args.part),
        parse_decimal(args.qty),
        locations.get_location_id(database, args.bin) if args.bin else None,
        confirm_over=args.confirm_over,
        posting_key=key,
        lot=args.lot,
        expires_on=_day(args.expires),
    )
    with retry_hint(key, "receipt"):
        result = po.receive(database, actor, req)
    note = duplicate_note(result.duplicate)
    print(f"#{result.move.id} {result.message} (key {key}){note}")
    return 0


def _print(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop.reports.purchase_order import render_purchase_order
    from desktop.services.purchasing.document import po_document

    doc = po_document(database, po.get_order_id(database, args.number))
    out = Path(args.out or f"{doc.number}.pdf")
    out.write_bytes(render_purchase_order(doc))
    print(f"{doc.number} ({len(doc.lines)} line(s)) written to {out}")
    return 0


def _settings(database: dbmod.Database, actor: Actor, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from desktop.services.admin.plant_settings import plant_identity, save_identity

    plant = plant_identity(database)
    texts = {"name": args.plant_name, "address": args.plant_address, "deliver_to": args.deliver_to}
    given = {k: v.replace("\\n", "\n") for k, v in texts.items() if v is not None}
    if given:
        plant = save_identity(database, actor, replace(plant, **given))
    tolerance = po.purchasing_settings(database)
    if args.tolerance is not None:
        pct = parse_decimal(args.tolerance, what="tolerance", allow_zero=True)
        tolerance = po.save_purchasing(database, actor, po.PurchasingSettings(over_receipt_pct=pct))
    print(f"over-receipt tolerance: {format_qty(tolerance.over_receipt_pct)} %")
    for label, value in (("plant", plant.name), ("address", plant.address), ("deliver to", plant.deliver_to)):
        print(f"{label}: {value.replace(chr(10), ' / ') if value else '-'}")
    return 0


def _lead_times(database: dbmod.Database, _actor: Actor, args: argparse.Namespace) -> int:
    from desktop.services.purchasing.lead_times import MIN_RECEIPTS, lead_times

    supplier = suppliers.get_supplier_id(database, args.supplier) if args.supplier else None
    found = lead_times(database, supplier_id=supplier)
    for x in found:
        used = "used by What to order" if x.enough else f"not used yet (fewer than {MIN_RECEIPTS} receipts)"
        print(
            f"{x.supplier_name:<24} {x.part_number:<16} median {x.median_days:.1f} d, "
            f"spread {x.spread_days:.1f} d over {x.receipts} receipt(s): {used}"
        )
    if not found:
        print("no receipts against sent orders yet")
    return 0


def add_parser(sub: argparse._SubParsersAction, opener: Opener) -> None:
    p = sub.add_parser(
        "po",
        help="purchase orders: list, show, new/create, add, from-reorder, from-cards, send, receive, close, "
        "print, import, export",
    )
    psub = p.add_subparsers(dest="po_command", required=True)

    def cmd(
        name: str, fn: Callable[[dbmod.Database, Actor, argparse.Namespace], int], help_: str
    ) -> argparse.ArgumentParser:
        c = psub.add_parser(name, help=help_)
        c.set_defaults(fn=lambda args: fn(*opener(args), args))
        return c

    ls = cmd("list", _list, "purchase orders, newest first")
    ls.add_argument("--state", action="append", choices=[s.value.lower() for s in PoState], type=str.lower)
    ls.add_argument("--open", action="store_true", help="draft, sent and partly received orders")
    ls.add_argument("--supplier")
    sh = cmd("show", _show, "an order and its lines")
    sh.add_argument("number", help="PO-000012 (or 12)")
    line_help = "a part and how many of the supplier's packs (its pack size and price unless @PRICE per pack)"
    for name in ("new", "create"):  # the word and the first one, the same command
        nw = cmd(name, _new, "a draft order by hand")
        nw.add_argument("--supplier", required=True)
        nw.add_argument("--line", action="append", metavar="PART=PACKS[@PRICE]", help=line_help)
        nw.add_argument("--notes")
        nw.add_argument("--needed-by", help="YYYY-MM-DD")
    ad = cmd("add", _add, "add lines to a draft order")
    ad.add_argument("number")
    ad.add_argument("--line", action="append", required=True, metavar="PART=PACKS[@PRICE]", help=line_help)
    im = psub.add_parser(
        "import", help="open orders from the ERP (CSV/XLSX): new ones SENT, known ones updated"
    )
    im.add_argument("file")
    im.add_argument("--check", action="store_true", help="check and report, save nothing")
    im.add_argument("--map", action="append", metavar="FIELD=HEADER", help="map a column by hand")
    im.add_argument("--blank-clears", action="store_true", help="an empty needed-by cell clears the date")
    im.add_argument("--changes", type=int, default=50, metavar="N", help="list up to N changed fields (50)")
    im.set_defaults(fn=_import)
    ex = cmd("export", _export, "every open order line to a CSV/XLSX file (for the ERP)")
    ex.add_argument("--out", required=True, help="a .csv or .xlsx file")
    fr = cmd("from-reorder", _from_reorder, "draft orders (one per supplier) from What to order")
    fr.add_argument("--supplier", help="only this supplier's lines")
    fr.add_argument("--part", action="append", help="only these part numbers")
    fc = cmd(
        "from-cards", _from_cards, "draft orders (one per supplier) from the empty purchase-kanban cards"
    )
    fc.add_argument("--supplier", help="only this supplier's cards")
    sn = cmd("send", _send, "mark a draft as sent to the supplier")
    sn.add_argument("number")
    rc = cmd("receive", _receive, "receive a part against an order (one ledger RECEIPT)")
    rc.add_argument("number")
    rc.add_argument("--part", required=True, help="part number, or the supplier's or manufacturer's number")
    rc.add_argument("--qty", required=True, help="in the part's unit")
    rc.add_argument("--bin", help="location code (default: the loop's line location or the part's usual bin)")
    rc.add_argument(
        "--confirm-over", action="store_true", help="supervisor: beyond the over-receipt tolerance"
    )
    rc.add_argument("--key", help="idempotency key: re-running with the same key posts nothing twice")
    rc.add_argument("--lot", help="a tracked part's lot or serial (or its GS1-128 label: AI 10 and 17)")
    rc.add_argument("--expires", help="the lot's expiry, YYYY-MM-DD (default: the label's or the shelf life)")
    cn = cmd("cancel", _cancel, "cancel a draft or sent order with nothing received")
    cn.add_argument("number")
    cn.add_argument("--reason")
    pr = cmd("print", _print, "the order as a PDF to send or print (plant and supplier, lines, PO barcode)")
    pr.add_argument("number")
    pr.add_argument("--out", help="PDF file (default: PO-000012.pdf)")
    st = cmd("settings", _settings, "show or set the over-receipt tolerance and the plant on the orders")
    st.add_argument("--tolerance", metavar="PCT", help="receipts above ordered + PCT %% need a supervisor")
    st.add_argument("--plant-name")
    st.add_argument("--plant-address", help="lines separated by \\n")
    st.add_argument("--deliver-to", help="where deliveries go (default: the address)")
    lt = cmd("lead-times", _lead_times, "supplier lead times measured from receipts against sent orders")
    lt.add_argument("--supplier")
    cl = cmd("close", _close, "close an order (short): what is open is no longer expected (supervisor)")
    cl.add_argument("number")
    cl.add_argument("--reason")
