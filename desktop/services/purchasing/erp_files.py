"""Open purchase orders in and out of files, for plants that order in their ERP and only receive here.

Import (kind "purchase-orders", through desktop/services/io/imports.py: strict files, the check is the import
rolled back, every problem by row, all rows or none): one row per order line, in part units. Rows are
grouped into orders by the ERP's order number, which is kept on the order (`external_number`) and
matched on the next import; a key that is one of our own numbers (PO-000012, as the export writes an order
made here) matches that order. A new order is created SENT (it went to the supplier from the ERP), sent
on the file's order date when it has one, so measured lead times start when the ERP ordered. Lines match
on the ERP's line (item) number, which becomes the line's number here, or, without that column, on the
part. A line the file changes gets its quantity, price, needed-by date and supplier part number; a line
the file leaves out, or a column it does not have, stays as it is. A line's quantity may not go below
what was already received here, and a closed, cancelled or fully received order is not changed (a row
that matches it as it is counts as unchanged).

Export: every line still expected (the on-order definition: DRAFT, SENT, PARTLY RECEIVED, something to
come), in the import's columns, plus our order number, state, received and open quantity for reading.
It re-imports as unchanged. Formula-looking texts are neutralised (desktop/services/io/tabular.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Part, PurchaseOrder, PurchaseOrderLine, Supplier
from desktop.models.enums import ON_ORDER_STATES, PoState
from desktop.quantities import exact_qty
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue.units import check_qty_for_unit, known_units
from desktop.services.common import clean_text
from desktop.services.io.common import Column, Handler, Plan, Progress, Rows, row_failed
from desktop.services.io.fields import list_changes
from desktop.services.io.tabular import write_table
from desktop.services.purchasing.order_changes import locked_order, set_state, state_text
from desktop.services.purchasing.orders import PO_PREFIX, LineInput, add_line_in, new_order_in, orders_in
from desktop.services.purchasing.receiving import _advance

KIND = "purchase-orders"
KEY_MAX, SKU_MAX, MAX_LINE_NO = 40, 60, 999_999

COLUMNS = (
    Column(
        "order",
        "ERP order",
        True,
        ("purchasing document", "order reference", "purchase order", "po number", "order number", "po no"),
    ),
    Column("supplier", "Supplier", True, ("vendor", "vendor name", "partner", "supplier name")),
    Column("line", "ERP line", aliases=("item", "po item", "line", "line number", "item number", "line no")),
    Column(
        "part_number",
        "Part number",
        True,
        ("material", "product", "internal reference", "part", "part no", "pn", "item code"),
    ),
    Column(
        "supplier_part_number",
        "Supplier part number",
        aliases=("vendor material number", "vendor product code", "supplier part no", "vendor part number"),
    ),
    Column("qty", "Quantity", True, ("order quantity", "ordered quantity", "qty", "po quantity")),
    Column("unit", "Unit", aliases=("order unit", "unit of measure", "uom")),
    Column("price", "Price per unit", aliases=("net price", "unit price", "price")),
    Column(
        "needed_by",
        "Needed by",
        aliases=("delivery date", "scheduled date", "expected arrival", "date planned", "need by date"),
    ),
    Column("ordered_on", "Ordered on", aliases=("document date", "order date", "order deadline", "po date")),
)
EXTRA_HEADERS = ("Storeroom order", "State", "Received", "Open")
_WRITABLE = set(ON_ORDER_STATES)  # what an import may change: orders still expected
_OUR_NUMBER = re.compile(rf"^{PO_PREFIX}\d{{6,}}$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def file_date(text: str) -> date:
    """2027-01-31 (with a time after it, as spreadsheets and Odoo write it) or 31.01.2027 (SAP); a date
    with slashes is refused: 01/02/2027 is January in one country and February in another."""
    found = _DOTTED.match(text)
    try:
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
        return (
            date.fromisoformat(text[:10]) if re.match(r"^\d{4}-\d\d-\d\d([ T].*)?$", text) else _refuse(text)
        )
    except ValueError:
        raise ValueError(f"'{text}' is not a date: write 2027-01-31 or 31.01.2027") from None


def _refuse(text: str) -> date:
    raise ValueError(f"'{text}' is not a date: write 2027-01-31 or 31.01.2027")


@dataclass
class _Row:
    n: int
    key: str
    supplier_id: int
    part_id: int
    line_no: int | None
    qty: Decimal
    price: Decimal | None  # per part unit
    needed_by: date | None
    sku: str | None
    ordered_on: date | None


@dataclass
class _Order:
    key: str
    supplier_id: int
    order_id: int | None  # None: a new order
    rows: list[_Row] = field(default_factory=list)
    updates: list[tuple[_Row, int, dict[str, Any]]] = field(default_factory=list)  # row, line id, values
    additions: list[tuple[_Row, int]] = field(default_factory=list)  # row, its line number


def _read_row(s: Session, rows: Rows, n: int, row: Sequence[str], memo: dict[str, Any]) -> _Row | None:
    before = rows.found.problem_count

    def text(key: str, longest: int, label: str) -> str | None:
        try:
            return clean_text(rows.cell(row, key), field=key, label=label, max_len=longest)
        except UserError as exc:
            rows.problem(n, key, exc.message)
            return None

    key = (text("order", KEY_MAX, "The ERP order number") or "").upper()
    if not key and rows.found.problem_count == before:
        rows.problem(n, "order", "the ERP order number is empty")
    supplier = memo["suppliers"].get(" ".join(rows.cell(row, "supplier").split()).upper())
    if supplier is None:
        name = rows.cell(row, "supplier")
        rows.problem(
            n, "supplier", f"no supplier '{name}': add it (or import suppliers) first" if name else "empty"
        )
    part = memo["parts"].get(rows.cell(row, "part_number").upper())
    if part is None:
        rows.problem(n, "part_number", f"no part '{rows.cell(row, 'part_number')}'")
    qty = rows.number(n, row, "qty")
    if qty is not None and qty <= 0:
        rows.problem(n, "qty", "the quantity must be above zero")
    elif qty is None and not rows.cell(row, "qty"):
        rows.problem(n, "qty", "the quantity is empty")
    elif qty is not None and part is not None:
        try:
            check_qty_for_unit(qty, part[1])
        except UserError as exc:
            rows.problem(n, "qty", exc.message)
    if part is not None and rows.cell(row, "unit"):
        try:
            unit = memo["units"].resolve(rows.cell(row, "unit"))
            if unit != part[1]:
                rows.problem(
                    n,
                    "unit",
                    f"ordered in {unit}, but {rows.cell(row, 'part_number')} is counted in {part[1]}",
                )
        except UserError as exc:
            rows.problem(n, "unit", exc.message)
    price = rows.number(n, row, "price")
    if price is not None and price < 0:
        rows.problem(n, "price", "a price cannot be negative")
    line = rows.number(n, row, "line", integer=True)
    if line is not None and not 1 <= line <= MAX_LINE_NO:
        rows.problem(n, "line", f"a line number is 1 to {MAX_LINE_NO:,}")
    days: dict[str, date | None] = {}
    for name in ("needed_by", "ordered_on"):
        days[name] = None
        if rows.cell(row, name):
            try:
                days[name] = file_date(rows.cell(row, name))
            except ValueError as exc:
                rows.problem(n, name, str(exc))
    sku = text("supplier_part_number", SKU_MAX, "The supplier part number")
    if rows.found.problem_count > before or supplier is None or part is None or qty is None:
        return None
    return _Row(
        n,
        key,
        supplier,
        part[0],
        int(line) if line is not None else None,
        qty,
        price,
        days["needed_by"],
        sku or None,
        days["ordered_on"],
    )


def _memo(s: Session) -> dict[str, Any]:
    orders: dict[str, tuple[int, int, str]] = {}
    for oid, number, external, sup, state in s.execute(
        select(
            PurchaseOrder.id,
            PurchaseOrder.number,
            PurchaseOrder.external_number,
            PurchaseOrder.supplier_id,
            PurchaseOrder.state,
        )
    ).tuples():
        orders.setdefault(number.upper(), (oid, sup, state))
        if external:
            orders[external.upper()] = (oid, sup, state)  # the ERP's number wins over a look-alike of ours
    return {
        "parts": {k: (i, u) for k, i, u in s.execute(select(Part.number_key, Part.id, Part.unit)).tuples()},
        "suppliers": dict(s.execute(select(Supplier.name_key, Supplier.id)).tuples().all()),
        "units": known_units(s),
        "orders": orders,
    }


def _plan(s: Session, rows: Rows) -> tuple[Plan, list[_Order]]:
    memo = _memo(s)
    groups: dict[str, _Order] = {}
    seen = rows.seen("line")
    for n, row in rows.numbered():
        got = _read_row(s, rows, n, row, memo)
        if got is None:
            continue
        found = memo["orders"].get(got.key)
        if found is None and _OUR_NUMBER.match(got.key):
            rows.problem(n, "order", f"{got.key} is not an order here")
            continue
        group = groups.setdefault(got.key, _Order(got.key, got.supplier_id, found[0] if found else None))
        if got.supplier_id != group.supplier_id or (found and found[1] != got.supplier_id):
            rows.problem(
                n,
                "supplier",
                f"order {got.key} is to another supplier"
                + (f" (row {group.rows[0].n + 2})" if group.rows else " here"),
            )
            continue
        line_key = (got.key, got.line_no if got.line_no is not None else f"part {got.part_id}")
        if line_key in seen:
            rows.problem(
                n,
                "line" if got.line_no is not None else "part_number",
                f"the same line as row {seen[line_key] + 2}",
            )
            continue
        seen[line_key] = n
        group.rows.append(got)
    creates = updates = unchanged = 0
    for group in groups.values():
        if group.order_id is None:
            numbers = [r.line_no for r in group.rows]
            if any(x is None for x in numbers) and any(x is not None for x in numbers):
                rows.problem(
                    group.rows[0].n, "line", f"order {group.key}: give every line its number, or none"
                )
                continue
            creates += len(group.rows)
            continue
        c, u, k = _match_lines(s, rows, group, memo["orders"][group.key][2])
        creates, updates, unchanged = creates + c, updates + u, unchanged + k
    return rows.plan(creates, updates, unchanged), list(groups.values())


def _match_lines(s: Session, rows: Rows, group: _Order, state: str) -> tuple[int, int, int]:
    """Sort an existing order's rows into changed lines, new lines and unchanged ones (problems too)."""
    lines = list(s.scalars(select(PurchaseOrderLine).where(PurchaseOrderLine.order_id == group.order_id)))
    by_no = {x.line_no: x for x in lines}
    top = max(by_no, default=0)
    writable = state in _WRITABLE
    creates = updates = unchanged = 0
    for r in group.rows:
        match = by_no.get(r.line_no) if r.line_no is not None else None
        if r.line_no is None:
            same = [x for x in lines if x.part_id == r.part_id]
            if len(same) > 1:
                rows.problem(
                    r.n,
                    "part_number",
                    f"order {group.key} has this part on {len(same)} lines: add the ERP line column",
                )
                continue
            match = same[0] if same else None
        if match is None:
            if not writable:
                rows.problem(
                    r.n, "order", f"order {group.key} is {state_text(state)}: no lines are added to it"
                )
                continue
            top = max(top, r.line_no or 0) + (0 if r.line_no else 1)
            group.additions.append((r, r.line_no or top))
            creates += 1
            continue
        if match.part_id != r.part_id:
            rows.problem(r.n, "part_number", f"line {match.line_no} of order {group.key} is another part")
            continue
        old = _line_values(match)
        new = {**old, "qty": r.qty}
        if r.price is not None:
            new["price"] = r.price
        if rows.mapped("needed_by"):
            new["needed_by"] = (
                r.needed_by if r.needed_by is not None or rows.options.blank_clears else old["needed_by"]
            )
        if r.sku is not None:
            new["sku"] = r.sku
        changed = list_changes(
            rows, r.n, f"{group.key}/{match.line_no}", old, new, ("qty", "price", "needed_by", "sku")
        )
        if not changed:
            unchanged += 1
            continue
        if not writable:
            rows.problem(
                r.n, "order", f"order {group.key} is {state_text(state)}: it is not changed by an import"
            )
            continue
        if r.qty < Decimal(match.received_qty):
            rows.problem(
                r.n,
                "qty",
                f"{Decimal(match.received_qty).normalize():f} already received: the quantity cannot be less",
            )
            continue
        group.updates.append((r, match.id, new))
        updates += 1
    return creates, updates, unchanged


def _line_values(line: PurchaseOrderLine) -> dict[str, Any]:
    pack = Decimal(line.pack_size)
    price = Decimal(line.unit_price) / pack if line.unit_price is not None else None
    return {
        "qty": Decimal(line.packs) * pack,
        "price": price.quantize(Decimal("0.0001")) if price is not None else None,
        "needed_by": line.needed_by,
        "sku": line.supplier_part_number,
    }


def _line_input(r: _Row) -> LineInput:
    """ERP quantities are in part units: packs of one, priced per unit (the supplier's price without one)."""
    return LineInput(r.part_id, r.qty, Decimal(1), r.price, r.sku, r.needed_by)


def _apply(s: Session, actor: Actor, planned: list[_Order], source: str, _progress: Progress | None) -> None:
    for group in planned:
        try:
            if group.order_id is None:
                _create(s, actor, group, source)
            elif group.updates or group.additions:
                _update(s, actor, group, source)
        except UserError as exc:  # a rule of the order service: the group's first row
            raise row_failed(group.rows[0].n, exc, "ERP order") from exc


def _create(s: Session, actor: Actor, group: _Order, source: str) -> None:
    numbers = [r.line_no for r in group.rows]
    po = new_order_in(
        s,
        actor,
        group.supplier_id,
        [_line_input(r) for r in group.rows],
        origin=f"ERP order {group.key} from {source}",
        numbers=None if numbers[0] is None else [x or 0 for x in numbers],
    )
    po.external_number = group.key
    ordered = next((r.ordered_on for r in group.rows if r.ordered_on is not None), None)
    po.sent_at = datetime.combine(ordered, time()).astimezone() if ordered else datetime.now().astimezone()
    set_state(s, actor, po, PoState.SENT, f"ordered in the ERP as {group.key}")


def _update(s: Session, actor: Actor, group: _Order, source: str) -> None:
    po = locked_order(s, group.order_id or 0)
    for r, line_id, values in group.updates:
        line = s.get(PurchaseOrderLine, line_id)
        assert line is not None
        pack = Decimal(line.pack_size)
        if values["qty"] % pack:  # no longer whole supplier packs: packs of one, priced per unit
            pack = Decimal(1)
        line.pack_size, line.packs = pack, values["qty"] / pack
        line.unit_price = values["price"] * pack if values["price"] is not None else None
        line.needed_by, line.supplier_part_number = values["needed_by"], values["sku"]
        try:
            check_qty_for_unit(values["qty"], s.get(Part, line.part_id).unit)  # type: ignore[union-attr]
        except UserError as exc:
            raise row_failed(r.n, exc, "Quantity") from exc
    for r, line_no in group.additions:
        add_line_in(s, po, line_no, _line_input(r))
    po.changed_by_id = actor.user_id
    s.flush()
    if po.state == PoState.PARTLY_RECEIVED.value:
        _advance(s, actor, po)  # a quantity cut to what came: the order is received
    record(
        s,
        actor.user_id,
        "po.import",
        "purchase_order",
        po.id,
        f"{po.number} (ERP {group.key}): {len(group.updates)} line(s) changed, {len(group.additions)} added "
        f"from {source}",
    )


HANDLERS: dict[str, Handler] = {KIND: Handler(COLUMNS, Permission.PURCHASE, _plan, _apply)}


# --- export --------------------------------------------------------------------------------------------


def open_line_rows(s: Session) -> list[list[Any]]:
    """Every line still expected, oldest order first: the import's columns, then the reading columns."""
    out: list[list[Any]] = []
    externals = dict(
        s.execute(
            select(PurchaseOrder.id, PurchaseOrder.external_number).where(
                PurchaseOrder.external_number.is_not(None)
            )
        )
        .tuples()
        .all()
    )
    for order in reversed(orders_in(s, PurchaseOrder.state.in_(list(_WRITABLE)))):
        for x in order.lines:
            if x.open_qty <= 0:
                continue
            price = x.unit_price / x.pack_size if x.unit_price is not None else None
            out.append(
                [
                    externals.get(order.id) or order.number,
                    order.supplier_name,
                    x.line_no,
                    x.part_number,
                    x.supplier_part_number,
                    exact_qty(x.ordered_qty),
                    x.unit,
                    exact_qty(price) if price is not None else None,  # to the column's 4 places
                    x.needed_by,
                    order.sent_at.astimezone().date() if order.sent_at else None,
                    order.number,
                    state_text(order.state),
                    exact_qty(x.received_qty),
                    exact_qty(x.open_qty),
                ]
            )
    return out


def export_open_lines(db: Database, actor: Actor, path: Path) -> int:
    """The open lines to a .csv or .xlsx file (by its extension); the number of lines written."""
    actor.require(Permission.VIEW)
    headers = [c.label for c in COLUMNS] + list(EXTRA_HEADERS)
    rows = db.read(open_line_rows)
    write_table(path, headers, rows, title="Open purchase orders")
    return len(rows)
