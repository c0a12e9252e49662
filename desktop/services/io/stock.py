"""Opening stock: a file sets what each bin holds (the import), and the stock on hand is written as such a
file (the export), so an export re-imports to the same balances.

A row names a part, a bin and a quantity; a part tracked by lot or serial number also names its lot (or
serial) and may give the expiry. The import sets each (part, bin), or (part, bin, lot) for a tracked part,
to the file's quantity: rows repeating one are added up, and what the file does not name stays as it is.
A tracked row makes its lot on first use with the receiving rules (services.lots.receiving: the lot
number or the supplier's GS1-128 text, the expiry kept from the lot's first receipt, else the shelf life).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from desktop.errors import UserError
from desktop.models import Location, Lot, LotBalance, Part, StockBalance
from desktop.models.enums import LocationType, MoveKind, Tracking
from desktop.services.actor import Actor
from desktop.services.catalogue import location_paths
from desktop.services.catalogue import parts as part_service
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.io.common import Column, Plan, Progress, Rows, chunks, row_failed, tick
from desktop.services.io.mro import location_ref
from desktop.services.io.part_refs import PART_NUMBER_NAMES
from desktop.services.lots.ledger import what_is_tracked
from desktop.services.lots.receiving import check_expiry, ensure_lot, read_label
from desktop.services.lots.records import lot_key
from desktop.services.purchasing.erp_files import file_date
from desktop.services.stock.moves import MoveRequest, post_in

COLUMNS = (
    Column(
        "part_number",
        "Part number",
        True,
        (*PART_NUMBER_NAMES, "sku", "internal reference", "product/internal reference", "material"),
    ),
    Column(
        "location", "Location", aliases=("location code", "bin", "code", "location path", "storage location")
    ),
    # SAP's MB52 lists unrestricted-use stock beside stock in quality inspection and blocked stock
    Column("qty", "Quantity", True, ("qty", "on hand", "count", "quantity on hand", "unrestricted")),
    # Odoo's stock.quant export has "Lot/Serial Number" and "Expiration Date"; InvenTree's "Batch Code"
    Column("lot", "Lot", aliases=("lot number", "batch", "batch number", "batch code", "lot/serial number")),
    Column(
        "expiry",
        "Expiry",
        aliases=("expiry date", "expiration date", "best before", "use by", "expires", "expires on"),
    ),
    Column("serial", "Serial", aliases=("serial number", "serial no")),
)


@dataclass(frozen=True)
class _Part:
    id: int
    number: str
    unit: str
    tracking: str


@dataclass
class StockRow:
    n: int
    part_id: int
    location_id: int
    unit: str
    qty: Decimal
    current: Decimal
    lot: str | None = None  # a tracked part's lot or serial number (None: an untracked part)
    expires_on: date | None = None
    rows: int = 1  # rows of the file summed into this one


@dataclass
class _Lots:
    """The lots the database has and the file names so far, to check each row's lot against."""

    known: dict[tuple[int, str], tuple[int, str, date | None]]  # (part, lot key) -> id, number, expiry
    held: dict[tuple[int, int, int], Decimal]  # (part, bin, lot) -> qty, where not zero
    in_file: dict[tuple[int, str], tuple[int, date | None]] = field(default_factory=dict)  # -> row, expiry

    @classmethod
    def read(cls, s: Session) -> _Lots:
        known = {
            (p, k): (i, number, expiry)
            for p, k, i, number, expiry in s.execute(
                select(Lot.part_id, Lot.lot_key, Lot.id, Lot.lot_number, Lot.expires_on)
            )
        }
        held = {
            (p, loc, lot): Decimal(q)
            for p, loc, lot, q in s.execute(
                select(LotBalance.part_id, LotBalance.location_id, LotBalance.lot_id, LotBalance.qty).where(
                    LotBalance.qty != 0
                )
            )
        }
        return cls(known, held)

    def qty(self, part_id: int, location_id: int, number: str) -> Decimal:
        known = self.known.get((part_id, lot_key(number)))
        return self.held.get((part_id, location_id, known[0]), Decimal(0)) if known else Decimal(0)


def plan(s: Session, rows: Rows) -> tuple[Plan, Any]:
    parts = {
        k: _Part(i, number, u, t)
        for k, i, number, u, t in s.execute(
            select(Part.number_key, Part.id, Part.part_number, Part.unit, Part.tracking)
        )
    }
    locs = {c: i for c, i in s.execute(select(Location.code, Location.id))}
    codes = {i: c for c, i in locs.items()}
    balances = {
        (p, loc): Decimal(q)
        for p, loc, q in s.execute(select(StockBalance.part_id, StockBalance.location_id, StockBalance.qty))
    }
    lots = _Lots.read(s) if any(rows.mapped(k) for k in ("lot", "serial")) or _any_tracked(parts) else None
    default = location_ref(rows.options.default_location or "")
    if default and default not in locs:
        raise UserError(f"The default location {default} does not exist: import the locations first.")
    planned: dict[tuple[int, int, str | None], StockRow] = {}
    unplaced = 0
    paths: dict[str, tuple[int, str]] | None = None  # locations by path of names, read when a row needs it
    for n, row in rows.numbered():
        before = rows.found.problem_count
        number, code = rows.cell(row, "part_number"), location_ref(rows.cell(row, "location"))
        if code and code not in locs and location_paths.is_path(rows.cell(row, "location")):
            if paths is None:
                paths = location_paths.name_paths(s)
            found = paths.get(location_paths.key(location_paths.split_path(rows.cell(row, "location"))))
            code = found[1] if found else code
        part = parts.get(part_service.number_key(number))
        if part is None:
            rows.problem(n, "part_number", f"no part {number}: import the parts first")
        if not code and default:
            code, unplaced = default, unplaced + 1
        loc = locs.get(code)
        if not code:
            rows.problem(n, "location", "no location: choose a default receiving location for such rows")
        elif loc is None:
            rows.problem(n, "location", f"no location {code}: import the locations first")
        qty = rows.number(n, row, "qty")
        if qty is None and rows.cell(row, "qty") == "":
            rows.problem(n, "qty", "the quantity is empty")
        elif qty is not None and qty < 0:
            rows.problem(n, "qty", "a quantity on hand cannot be negative")
        if part and loc and qty is not None:
            try:
                check_qty_for_unit(qty, part.unit)
            except UserError as exc:
                rows.problem(n, "qty", exc.message)
        lot = _lot_of_row(rows, n, row, part, loc, qty, lots, codes) if part is not None and lots else None
        if rows.found.problem_count > before or part is None or loc is None or qty is None:
            continue
        number_ = lot[0] if lot else None
        key = (part.id, loc, lot_key(number_) if number_ else None)
        same = planned.get(key)
        if same is not None:  # lots of one part in one bin, or one lot's rows: the bin holds their sum
            same.qty += qty
            same.rows += 1
            same.expires_on = same.expires_on or (lot[1] if lot else None)
            what = "part, location and lot" if number_ else "part and location"
            rows.note(f"{{n}} row(s) repeat a {what} of an earlier row: their quantities are added")
        else:
            current = lots.qty(part.id, loc, number_) if lots and number_ else balances.get((part.id, loc))
            planned[key] = StockRow(
                n, part.id, loc, part.unit, qty, current or Decimal(0), number_, lot[1] if lot else None
            )
    if unplaced:
        rows.note(f"{{n}} row(s) without a location go to {default}", unplaced)
    elif not default and any(
        p.column == rows.labels["location"] and "no location:" in p.message for p in rows.problems
    ):
        _offer_receiving(s, rows)
    result = list(planned.values())
    for r in result:
        try:
            check_qty_for_unit(r.qty, r.unit)
        except UserError as exc:
            rows.problem(r.n, "qty", exc.message)
    unchanged = sum(1 for r in result if r.qty == r.current)
    new = sum(1 for r in result if r.current == 0 and r.qty != 0)
    return rows.plan(new, len(result) - unchanged - new, unchanged), result


def _any_tracked(parts: dict[str, _Part]) -> bool:
    return any(p.tracking != Tracking.NONE.value for p in parts.values())


def _offer_receiving(s: Session, rows: Rows) -> None:
    receiving = s.scalar(
        select(Location.code)
        .where(Location.type == LocationType.RECEIVING.value, Location.active)
        .order_by(Location.code)
        .limit(1)
    )
    rows.found.memo["location_offer"] = receiving
    rows.note(
        "rows without a location can go to a default location"
        + (f" such as {receiving} (receiving)" if receiving else "")
        + ": choose one and check again"
    )


def _lot_of_row(
    rows: Rows,
    n: int,
    row: tuple[str, ...],
    part: _Part,
    loc: int | None,
    qty: Decimal | None,
    lots: _Lots,
    codes: dict[int, str],
) -> tuple[str, date | None] | None:
    """The lot (or serial) number and expiry of a row, or None: an untracked part, or a problem (listed).
    The receiving rules decide: the lot number's form, a GS1-128 label's lot and expiry, a lot's expiry
    that does not change, and a serial number that is one unit in one place."""
    cells = {key: rows.cell(row, key) for key in ("lot", "serial", "expiry")}
    if part.tracking == Tracking.NONE.value:
        for name, text in cells.items():
            if text:
                rows.problem(
                    n,
                    name,
                    f"{part.number} is not tracked by lot: leave {rows.labels[name]} empty, or set its "
                    "tracking in the part dialog first",
                )
        return None
    what = what_is_tracked(part.tracking)
    serial = part.tracking == Tracking.SERIAL.value
    column = "serial" if serial and rows.mapped("serial") and not cells["lot"] else "lot"
    if not serial and cells["serial"]:
        rows.problem(n, "serial", f"{part.number} is tracked by lot, not by serial number: give its lot")
        return None
    if cells["lot"] and cells["serial"] and lot_key(cells["lot"]) != lot_key(cells["serial"]):
        rows.problem(n, "serial", f"a unit has one serial number, not {cells['lot']} and {cells['serial']}")
        return None
    text = cells["serial"] or cells["lot"]
    if not text:
        missing = "" if rows.mapped(column) else f" (the file has no {rows.labels[column]} column)"
        rows.problem(n, column, f"{part.number} is tracked by {what}: give its {what}{missing}")
        return None
    try:
        expiry = file_date(cells["expiry"]) if cells["expiry"] else None
    except ValueError as exc:
        rows.problem(n, "expiry", str(exc))
        return None
    try:
        number, expiry = read_label(text, expiry, what)
    except UserError as exc:
        rows.problem(n, column, exc.message)
        return None
    key = (part.id, lot_key(number))
    known = lots.known.get(key)
    earlier = lots.in_file.get(key)
    try:
        if known is not None:
            check_expiry(part.number, known[1], known[2], expiry, "check the file")
        if earlier is not None:
            check_expiry(
                part.number, number, earlier[1], expiry, f"row {earlier[0] + 2} says so; check the file"
            )
    except UserError as exc:
        rows.problem(n, "expiry", exc.message)
        return None
    lots.in_file[key] = (earlier[0] if earlier else n, (earlier[1] if earlier else None) or expiry)
    if serial and not _one_serial(rows, n, part, number, loc, qty, lots, codes, earlier, column):
        return None
    return number, expiry


def _one_serial(
    rows: Rows,
    n: int,
    part: _Part,
    number: str,
    loc: int | None,
    qty: Decimal | None,
    lots: _Lots,
    codes: dict[int, str],
    earlier: tuple[int, date | None] | None,
    column: str,
) -> bool:
    """A serial number is one unit (quantity 1), on one row, in one bin."""
    ok = True
    if qty is not None and qty != 1:
        rows.problem(n, "qty", f"{part.number} is tracked by serial number: one row per unit, quantity 1")
        ok = False
    if earlier is not None:
        rows.problem(n, column, f"serial {number} of {part.number} is also on row {earlier[0] + 2}")
        return False
    known = lots.known.get((part.id, lot_key(number)))
    elsewhere = sorted(
        codes[b]
        for (p, b, lot), q in lots.held.items()
        if known and (p, lot) == (part.id, known[0]) and b != loc
    )
    if elsewhere:
        rows.problem(
            n,
            column,
            f"serial {number} of {part.number} is in {elsewhere[0]} already: a serial number is in one "
            "place (move it there, or take it out of that bin first)",
        )
        return False
    return ok


def _held_now(s: Session, planned: list[StockRow]) -> dict[tuple[int, int], Decimal]:
    """The balances the file sets, locked until the import commits (PostgreSQL: another PC may have
    moved stock since the plan read them; SQLite's writer already holds the whole database). Locked in
    location order, as every move locks its rows, so an import and a move cannot deadlock. A lot's stock
    moves only with its bin's balance, so these locks hold the bin's lots too."""
    pairs = sorted({(r.location_id, r.part_id) for r in planned})
    held: dict[tuple[int, int], Decimal] = {}
    for chunk in chunks(pairs, 2000):
        stmt = (
            select(StockBalance.part_id, StockBalance.location_id, StockBalance.qty)
            .where(tuple_(StockBalance.location_id, StockBalance.part_id).in_(chunk))
            .order_by(StockBalance.location_id, StockBalance.part_id)
        )
        if s.get_bind().dialect.name != "sqlite":
            stmt = stmt.with_for_update()
        held.update({(p, loc): Decimal(q) for p, loc, q in s.execute(stmt)})
    return held


def _lots_held(s: Session, planned: list[StockRow]) -> dict[tuple[int, int, int], Decimal]:
    pairs = sorted({(r.location_id, r.part_id) for r in planned if r.lot is not None})
    held: dict[tuple[int, int, int], Decimal] = {}
    for chunk in chunks(pairs, 2000):
        stmt = select(LotBalance.part_id, LotBalance.location_id, LotBalance.lot_id, LotBalance.qty).where(
            tuple_(LotBalance.location_id, LotBalance.part_id).in_(chunk)
        )
        held.update({(p, loc, lot): Decimal(q) for p, loc, lot, q in s.execute(stmt)})
    return held


_COLUMN_OF = {"lot": "lot", "expires_on": "expiry"}  # a lot rule's field -> the file's column


def apply(
    s: Session, actor: Actor, planned: list[StockRow], reference: str, progress: Progress | None
) -> None:
    held = _held_now(s, planned)
    lots_held = _lots_held(s, planned)
    tracked = {r.part_id for r in planned if r.lot is not None}
    parts = {p.id: p for p in s.scalars(select(Part).where(Part.id.in_(tracked)))} if tracked else {}
    today = date.today()
    for done, r in enumerate(planned, start=1):
        try:
            lot_id = None
            have = held.get((r.part_id, r.location_id), Decimal(0))
            if r.lot is not None:
                lot_id = ensure_lot(s, parts[r.part_id], r.lot, r.expires_on, None, today).id
                have = lots_held.get((r.part_id, r.location_id, lot_id), Decimal(0))
            diff = r.qty - have
            if diff == 0:
                continue
            # An empty bin (or lot) gets a RECEIPT, so history starts right; one holding stock an ADJUSTMENT.
            post_in(
                s,
                actor,
                MoveRequest(
                    MoveKind.RECEIPT if have == 0 else MoveKind.ADJUSTMENT,
                    r.part_id,
                    abs(diff),
                    r.location_id if diff < 0 else None,
                    r.location_id if diff > 0 else None,
                    reason="opening stock import",
                    reference=reference,
                    lot_id=lot_id,
                ),
            )
        except UserError as exc:  # a rule of the stock or lot service (e.g. a location that takes no stock)
            raise row_failed(r.n, exc, _COLUMN_OF.get(exc.field or "", "location")) from exc
        if done % 500 == 0:
            tick(progress, done, len(planned))


def export_stock(s: Session) -> list[list[Any]]:
    """Stock on hand in the import's columns: one row per bin, and per lot in the bin for a tracked part
    (its lot under Lot, or its serial under Serial, with the expiry)."""
    plain = s.execute(
        select(Location.path, Part.number_key, Part.part_number, Location.code, StockBalance.qty)
        .join(Part, Part.id == StockBalance.part_id)
        .join(Location, Location.id == StockBalance.location_id)
        .where(StockBalance.qty != 0, Part.tracking == Tracking.NONE.value)
    )
    rows: list[tuple[Any, ...]] = [
        (path, key, "", [pn, code, qty, None, None, None]) for path, key, pn, code, qty in plain
    ]
    tracked = s.execute(
        select(
            Location.path,
            Part.number_key,
            Lot.lot_key,
            Part.part_number,
            Location.code,
            LotBalance.qty,
            Lot.lot_number,
            Lot.expires_on,
            Part.tracking,
        )
        .join(Part, Part.id == LotBalance.part_id)
        .join(Location, Location.id == LotBalance.location_id)
        .join(Lot, Lot.id == LotBalance.lot_id)
        .where(LotBalance.qty != 0)
    )
    for path, key, lkey, pn, code, qty, number, expiry, tracking in tracked:
        serial = tracking == Tracking.SERIAL.value
        when = expiry.isoformat() if expiry else None
        rows.append(
            (path, key, lkey, [pn, code, qty, None if serial else number, when, number if serial else None])
        )
    rows.sort(key=lambda r: r[:3])
    return [r[3] for r in rows]
