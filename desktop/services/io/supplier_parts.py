"""Supplier part numbers as their own kind of file ("supplier-parts"): several per part and supplier, each
with its pack, price and lead time. Other systems' vendor price lists import as they are: Odoo's vendor
pricelist and SAP's purchasing info records (tests/fixtures/odoo/README.md, tests/fixtures/erp/README.md),
with their price breaks, validity dates, prices per price unit and lines without a vendor code. Every
supplier part number imported here scans in the scan box.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.errors import UserError
from desktop.models import Part, PartSupplier, Supplier
from desktop.services.actor import Permission
from desktop.services.catalogue.suppliers import name_key
from desktop.services.common import clean_text
from desktop.services.io.common import Column, Handler, Plan, Rows, chunks
from desktop.services.io.fields import PRICE_UNIT, list_changes, merge, number_field, price_field
from desktop.services.io.part_refs import PART, find_part, odoo_reference, part_ids, part_keys
from desktop.services.io.part_writes import link_suppliers, supplier_ids
from desktop.services.purchasing.erp_files import file_date

# Other systems' vendor price lists too: Odoo's (product.supplierinfo: `Vendor`, `Product Template` or
# `Product Variant` as "[REF] Name", `Vendor Product Code`, `Quantity`, `Price`, `Delivery Lead Time`, `Start
# Date`, `End Date`) and SAP's purchasing info records (ME1M/ME13: `Material`, `Vendor` number, `Name of
# Vendor`, `Vendor Material Number`, `Net Price` per `Price Unit`, `Planned Deliv. Time`)
COLUMNS = (
    Column(
        "part_number",
        "Part number",
        True,
        (*PART.aliases, "product template", "product variant", "product", "material"),
    ),
    # a row naming a variant is that variant's; a template's row is for all its variants (Odoo)
    Column("variant", "Variant", aliases=("product variant",), exported=False),
    # the name before SAP's `Vendor`, which is the vendor's number there (and the name in Odoo)
    Column(
        "supplier", "Supplier", True, ("supplier name", "vendor name", "name of vendor", "name 1", "vendor")
    ),
    Column("vendor_number", "Vendor number", aliases=("vendor", "vendor number"), exported=False),
    # not required: a vendor line without a code (Odoo allows one) still makes the vendor a supplier
    Column(
        "sku",
        "Supplier part number",
        aliases=(
            "sku",
            "supplier sku",
            "vendor part number",
            "supplier pn",
            "order code",
            "order number",
            "vendor product code",
            "vendor material number",
            "supplier material number",
        ),
    ),
    Column(
        "pack_qty", "Pack qty", aliases=("pack quantity", "pack size", "pack", "multiple", "pack_quantity")
    ),
    Column("price", "Price", aliases=("unit price", "base cost", "cost", "base price", "net price")),
    PRICE_UNIT,
    Column(
        "lead_time_days",
        "Lead time days",
        aliases=(
            "lead time",
            "lead time (days)",
            "delivery lead time",
            "planned deliv time",
            "planned delivery time",
            "planned delivery time in days",
        ),
    ),
    # the least quantity a price holds for (price breaks): not a pack size
    Column(
        "min_qty",
        "Minimum quantity",
        aliases=("quantity", "min qty", "minimum order quantity", "minimum purchase order quantity"),
        exported=False,
    ),
    Column("valid_from", "Valid from", aliases=("start date", "date start", "valid from"), exported=False),
    Column(
        "valid_to", "Valid to", aliases=("end date", "date end", "valid to", "valid until"), exported=False
    ),
)


@dataclass(frozen=True)
class _SkuRow:
    n: int
    part_id: int
    number: str  # the part's number, as the dry run names it
    supplier: str
    sku: str | None  # None: the vendor supplies the part with no number of its own
    min_qty: Decimal  # the least quantity the price holds for (0: any)
    details: dict[str, Any]

    @property
    def key(self) -> tuple[int, str, str | None]:
        return (self.part_id, name_key(self.supplier), self.sku.upper() if self.sku else None)


_SKU_FIELDS = (number_field("pack_qty"), price_field("price"), number_field("lead_time_days", integer=True))
_SKU_KEYS = tuple(f.key for f in _SKU_FIELDS)


def _plan_supplier_parts(s: Session, rows: Rows) -> tuple[Plan, Any]:
    batch = [(n, r) for n, r in rows.numbered() if _holds_today(rows, n, r)]
    ids = part_ids(s, {k for _n, r in batch for k in part_keys(rows.cell(r, _product_column(rows, r)))})
    current: dict[tuple[int, str, str | None], dict[str, Any]] = {}
    for chunk in chunks(list(set(ids.values())), 5000):
        for link, key in s.execute(
            select(PartSupplier, Supplier.name_key)
            .join(Supplier, Supplier.id == PartSupplier.supplier_id)
            .where(PartSupplier.part_id.in_(chunk))
        ).tuples():
            current[(link.part_id, key, link.sku_key)] = {k: getattr(link, k) for k in _SKU_KEYS}
    known = dict(s.execute(select(Supplier.name_key, Supplier.name)).tuples().all())
    by_number = {_vendor_key(k): name for k, name in known.items()}
    # the row kept so far for each part, vendor and code (over all batches), with its minimum quantity
    seen: dict[tuple[int, str, str | None], tuple[int, Decimal]] = rows.found.memo.setdefault("sku", {})
    chosen: dict[tuple[int, str, str | None], _SkuRow] = {}
    for n, row in batch:
        found = _sku_row(rows, n, row, ids, by_number, current)
        if found is None:
            continue
        kept = seen.get(found.key)
        if kept is not None:
            if found.min_qty == kept[1]:
                what = f"{found.supplier} {found.sku or '(no code)'}"
                same = " at the same minimum quantity, both valid today" if rows.mapped("min_qty") else ""
                rows.problem(n, "sku", f"{what} for this part is also on row {kept[0] + 2}{same}")
                continue
            rows.note(
                "{n} row(s) are another price of a part, vendor and code (price breaks): the price at the "
                "lowest minimum quantity valid today is kept"
            )
            if found.min_qty > kept[1]:
                continue
        seen[found.key] = (n, found.min_qty)
        chosen[found.key] = found
    planned, beside_codes = _to_write(chosen, current)
    rows.note(
        "{n} row(s) without a vendor code name a vendor that has a code for the part: left out", beside_codes
    )
    # a vendor line without a code (Odoo allows one) still says the part is bought there, at its price
    rows.note(
        "{n} row(s) without a vendor code add the vendor as a supplier of the part, with no number to scan",
        sum(1 for p in planned if p.sku is None),
    )
    creates = changed = 0
    for p in planned:
        cur = current.get(p.key)
        if cur is None:
            creates += 1
        elif list_changes(
            rows, p.n, f"{p.number} / {p.supplier} {p.sku or '(no code)'}", cur, p.details, _SKU_KEYS
        ):
            changed += 1
    rows.note(
        "{n} new supplier(s) will be added", len({name_key(p.supplier) for p in planned} - known.keys())
    )
    return rows.plan(creates, changed, len(planned) - creates - changed), planned


def _product_column(rows: Rows, row: Any) -> str:
    return "variant" if rows.cell(row, "variant") else "part_number"


def _sku_row(
    rows: Rows,
    n: int,
    row: Any,
    ids: dict[str, int],
    by_number: dict[str, str],
    current: dict[tuple[int, str, str | None], dict[str, Any]],
) -> _SkuRow | None:
    """One row read and checked (None: it has a problem, recorded)."""
    before = rows.found.problem_count
    column = _product_column(rows, row)
    part_id = find_part(rows, n, row, ids, column)
    supplier = _supplier(rows, n, row, by_number)
    try:
        sku = clean_text(rows.cell(row, "sku"), field="sku", label="Supplier part number", max_len=60)
    except UserError as exc:
        rows.problem(n, "sku", exc.message)
        sku = None
    min_qty = rows.number(n, row, "min_qty") or Decimal(0)
    if min_qty < 0:
        rows.problem(n, "min_qty", "a minimum quantity cannot be negative")
    key = (part_id or 0, name_key(supplier or ""), sku.upper() if sku else None)
    values = merge(rows, n, row, current.get(key), _SKU_FIELDS)
    for k in ("pack_qty", "price"):
        if values[k] is not None and values[k] <= (0 if k == "pack_qty" else -1):
            rows.problem(
                n,
                k,
                "a pack holds more than nothing" if k == "pack_qty" else "a price cannot be negative",
            )
    if values["lead_time_days"] is not None and not 0 <= values["lead_time_days"] <= 3650:
        rows.problem(n, "lead_time_days", "a lead time is between 0 and 3650 days")
    if rows.found.problem_count > before or part_id is None or supplier is None:
        return None
    number = odoo_reference(rows.cell(row, column)) or rows.cell(row, column)
    return _SkuRow(n, part_id, number, supplier, sku, min_qty, {k: values[k] for k in _SKU_KEYS})


def _supplier(rows: Rows, n: int, row: Any, by_number: dict[str, str]) -> str | None:
    """The supplier a row names. Suppliers are known by name, with no vendor number of their own: SAP's
    vendor number finds one only when it is called by that number (a vendor master imported by number,
    leading zeros aside); else the vendor's name does (a new name adds the supplier). A number with no
    name beside it and no supplier called by it is a problem: a supplier is never made from a number."""
    name = rows.cell(row, "supplier")
    number = rows.cell(row, "vendor_number") or (name if name.isdigit() else "")
    if number:
        found = by_number.get(_vendor_key(number))
        if found is not None:
            return found
        if name in ("", number):
            column = "vendor_number" if rows.cell(row, "vendor_number") else "supplier"
            rows.problem(
                n,
                column,
                f"vendor {number} has no name in the file and no supplier is called {number}: export the "
                "vendor's name with it (Name of Vendor)",
            )
            return None
    try:
        return clean_text(name, field="supplier", label="Supplier", max_len=120, required=True)
    except UserError as exc:
        rows.problem(n, "supplier", exc.message)
        return None


def _vendor_key(name: str) -> str:
    """A supplier's name key, an SAP vendor number's without its leading zeros (0000100234 is 100234)."""
    key = name_key(name)
    return key.lstrip("0") if key.isdigit() else key


def _holds_today(rows: Rows, n: int, row: Any) -> bool:
    """Whether the row's price holds today: a row whose end date is past, or whose start date is still to
    come, is left out with a note (Odoo's date-limited vendor prices); a date that cannot be read is a
    problem of its row."""
    today = date.today()
    for key, when in (("valid_to", "past"), ("valid_from", "still to come")):
        index = rows.mapping.get(key)
        text = rows.cell(row, key)
        if index is None or not text:
            continue
        try:
            day = file_date(text)
        except ValueError as exc:
            rows.problem(n, key, str(exc))
            return False
        if (day < today) if key == "valid_to" else (day > today):
            rows.note(f"{{n}} row(s) whose {rows.table.headers[index]} is {when} are left out")
            return False
    return True


def _to_write(
    chosen: dict[tuple[int, str, str | None], _SkuRow],
    current: dict[tuple[int, str, str | None], dict[str, Any]],
) -> tuple[list[_SkuRow], int]:
    """The rows to write, and how many rows without a code are left out. A row without a code adds its
    vendor to a part the vendor does not supply yet (as link_suppliers writes it); where the vendor has a
    number for the part, in the database or the file, the row adds nothing."""
    linked = {(p, k) for p, k, _sku in current}
    linked |= {(r.part_id, name_key(r.supplier)) for r in chosen.values() if r.sku}
    planned = [r for key, r in chosen.items() if r.sku or key in current or key[:2] not in linked]
    return planned, len(chosen) - len(planned)


def _apply_supplier_parts(s: Session, planned: list[_SkuRow]) -> None:
    suppliers = supplier_ids(s, {p.supplier for p in planned})
    link_suppliers(
        s,
        [(p.part_id, p.supplier, p.sku) for p in planned],
        details={(p.part_id, suppliers[name_key(p.supplier)], p.key[2]): p.details for p in planned},
    )
    # a part with no default supplier takes the first one its file names
    first: dict[int, int] = {}
    for p in planned:
        first.setdefault(p.part_id, suppliers[name_key(p.supplier)])
    for chunk in chunks(list(first.items()), 2000):
        for part_id, supplier_id in chunk:
            s.execute(
                update(Part)
                .where(Part.id == part_id, Part.default_supplier_id.is_(None))
                .values(default_supplier_id=supplier_id)
            )


def export_supplier_parts(s: Session) -> list[list[Any]]:
    return [
        [number, supplier, link.supplier_part_number, link.pack_qty, link.price, link.lead_time_days]
        for link, number, supplier in s.execute(
            select(PartSupplier, Part.part_number, Supplier.name)
            .join(Part, Part.id == PartSupplier.part_id)
            .join(Supplier, Supplier.id == PartSupplier.supplier_id)
            .order_by(Part.number_key, Supplier.name_key, PartSupplier.sku_key)
        ).tuples()
    ]


HANDLER = Handler(
    COLUMNS,
    Permission.EDIT_PARTS,
    _plan_supplier_parts,
    lambda s, _a, p, _src, _pr: _apply_supplier_parts(s, p),
    batch=5000,
)
