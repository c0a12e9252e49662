"""MRO spares: the asset tree, where-used both ways, part cross-references and supersession,
reservations for work orders (available = on hand - reserved), issues to an asset through the stock
ledger, repairable units by serial number, and the three maintenance reports.

Issues go through the storeroom's one Issue rule (`stock_issue`), which settles reservations; this
module owns making and releasing them. Concurrency: reserving first locks the part's row, as every issue
does (`stock_issue.lock_part`; SQLite's BEGIN IMMEDIATE already serialises writers), so two technicians
reserving the last unit queue on the lock and the second one sees the first's reservation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.codes import ASSET_PREFIX, asset_id_payload, asset_payload, is_safe, normalize_scan
from desktop.db import Database
from desktop.errors import Conflict, InsufficientStock, NotFound, UserError
from desktop.models import (
    Asset,
    AssetMove,
    AssetSpare,
    Location,
    Part,
    PartXref,
    Reservation,
    SerialEvent,
    SerialUnit,
    StockBalance,
    StockMove,
    User,
)
from desktop.models.enums import AssetLevel, MoveKind, ReservationStatus, SerialState, SpareUsage, XrefKind
from desktop.quantities import format_qty
from desktop.reports.labels import BinLabel
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue.parts import BinStock, stock_by_bin
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.common import as_utc, clean_text
from desktop.services.purchasing.orders import coming_in
from desktop.services.stock.issue import IssueResult as IssueResult
from desktop.services.stock.issue import ReservationDTO as ReservationDTO
from desktop.services.stock.issue import (
    issue_in,
    lock_part,
    reservation_dto,
    reserved_by_part,
    settle,
    still_reserved,
)
from desktop.services.stock.moves import MoveRequest, on_hand, post_in
from desktop.services.text_rules import clean_notes

CRITICAL = frozenset({"HIGH", "CRITICAL"})  # criticality values that make a spare critical

# Which serial states may follow which: a unit goes round service and repair, never back from scrap.
SERIAL_NEXT: dict[SerialState, frozenset[SerialState]] = {
    SerialState.AVAILABLE: frozenset({SerialState.ISSUED, SerialState.AT_VENDOR, SerialState.SCRAPPED}),
    SerialState.ISSUED: frozenset(
        {SerialState.IN_REPAIR, SerialState.AT_VENDOR, SerialState.AVAILABLE, SerialState.SCRAPPED}
    ),
    SerialState.IN_REPAIR: frozenset({SerialState.AVAILABLE, SerialState.AT_VENDOR, SerialState.SCRAPPED}),
    SerialState.AT_VENDOR: frozenset({SerialState.AVAILABLE, SerialState.IN_REPAIR, SerialState.SCRAPPED}),
    SerialState.SCRAPPED: frozenset(),
}


# --- DTOs ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetInput:
    code: str
    name: str
    level: str = AssetLevel.MACHINE.value
    parent_id: int | None = None
    criticality: str | None = None
    location_id: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class AssetDTO:
    id: int
    code: str
    barcode: str
    name: str
    level: str
    parent_id: int | None
    criticality: str | None
    location_code: str | None
    notes: str | None

    @property
    def critical(self) -> bool:
        return self.criticality in CRITICAL


@dataclass(frozen=True)
class XrefDTO:
    id: int
    kind: str
    manufacturer: str | None
    value: str | None
    other_part_id: int | None
    other_part_number: str | None
    note: str | None


@dataclass(frozen=True)
class WhereUsed:
    asset_id: int
    asset_code: str
    asset_name: str
    criticality: str | None
    qty_installed: Decimal
    recommended_qty: Decimal
    usage: str


@dataclass(frozen=True)
class PartRefs:
    part_id: int
    part_number: str
    xrefs: tuple[XrefDTO, ...]
    where_used: tuple[WhereUsed, ...]
    superseded_by: tuple[str, ...]  # the chain of part numbers that replaced this one, newest last
    current_part_id: int  # the end of that chain (this part when nothing supersedes it)


@dataclass(frozen=True)
class SpareLine:
    part_id: int
    part_number: str
    description: str
    unit: str
    criticality: str | None
    qty_installed: Decimal
    recommended_qty: Decimal
    usage: str
    bins: tuple[BinStock, ...]
    on_hand: Decimal
    reserved: Decimal
    min_qty: Decimal | None
    max_qty: Decimal | None
    lead_time_days: int | None
    critical: bool
    superseded_by: str | None
    serials_available: int
    on_order: Decimal = Decimal(0)  # still to come on open purchase orders
    due: date | None = None  # the soonest needed-by date of those order lines

    @property
    def coming(self) -> str:
        """'on order 4 EA due 2027-01-05' for a spare on an open purchase order, else ''."""
        if self.on_order <= 0:
            return ""
        return f"on order {format_qty(self.on_order)} {self.unit}" + (f" due {self.due}" if self.due else "")

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def flag(self) -> str:
        """Why this spare needs attention ('' when it does not): only critical spares are flagged."""
        if not self.critical:
            return ""
        if self.available <= 0:
            return "none available"
        if self.min_qty is not None and self.available < self.min_qty:
            return "below minimum"
        return ""


@dataclass(frozen=True)
class AssetSpares:
    asset: AssetDTO
    path: tuple[str, ...]  # codes from the site down to this asset
    spares: tuple[SpareLine, ...]

    @property
    def flagged(self) -> tuple[SpareLine, ...]:
        return tuple(x for x in self.spares if x.flag)


@dataclass(frozen=True)
class ReservationInput:
    part_id: int
    qty: Decimal
    work_order: str
    asset_id: int | None = None
    needed_by: date | None = None


@dataclass(frozen=True)
class SerialDTO:
    id: int
    part_id: int
    part_number: str
    serial: str
    state: str
    asset_code: str | None
    location_code: str | None
    reference: str | None


@dataclass(frozen=True)
class SerialEventDTO:
    from_state: str | None
    to_state: str
    asset_code: str | None
    location_code: str | None
    reference: str | None
    note: str | None
    user_name: str
    at: datetime


@dataclass(frozen=True)
class CriticalShortRow:
    part_id: int
    part_number: str
    description: str
    unit: str
    on_hand: Decimal
    reserved: Decimal
    min_qty: Decimal | None
    lead_time_days: int | None
    assets: str  # codes of the assets it is a spare of
    flag: str

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class IdleSpareRow:
    part_id: int
    part_number: str
    description: str
    unit: str
    on_hand: Decimal
    value: Decimal
    last_move_at: datetime | None


@dataclass(frozen=True)
class AssetUsageRow:
    asset_code: str
    asset_name: str
    part_number: str
    description: str
    unit: str
    qty: Decimal  # issued minus returned
    value: Decimal


# --- assets -------------------------------------------------------------------------------------------


def _asset_dto(s: Session, a: Asset) -> AssetDTO:
    loc = s.scalar(select(Location.code).where(Location.id == a.location_id)) if a.location_id else None
    return AssetDTO(
        a.id, a.code, asset_payload(a.code), a.name, a.level, a.parent_id, a.criticality, loc, a.notes
    )


def _clean_asset(data: AssetInput) -> AssetInput:
    code = normalize_scan(data.code)
    if not code:
        raise UserError("The asset code is required.", field="code")
    if not is_safe(code) or len(code) > 30:
        raise UserError(
            f"Asset code {code} may use only letters A-Z, digits and '-' (at most 30): "
            "it is printed as a barcode.",
            field="code",
        )
    name = clean_text(data.name, field="name", label="Name", max_len=120, required=True)
    try:
        level = AssetLevel(data.level)
    except ValueError:
        raise UserError(f"Unknown asset level {data.level}.", field="level") from None
    crit = (data.criticality or "").strip().upper() or None
    notes = clean_notes(data.notes)
    assert name is not None
    return AssetInput(code, name, level.value, data.parent_id, crit, data.location_id, notes)


def _check_place(s: Session, clean: AssetInput, asset_id: int | None = None) -> None:
    """Where an asset may sit: inside an existing asset of a higher level (so never inside itself or
    its own children), holding (when editing) only assets of a lower level; at an existing location."""
    depth = AssetLevel(clean.level).depth
    if clean.parent_id is not None:
        parent = s.get(Asset, clean.parent_id)
        if parent is None:
            raise NotFound(f"Asset #{clean.parent_id} does not exist.", field="parent")
        if AssetLevel(parent.level).depth >= depth:
            raise UserError(
                f"A {clean.level.lower()} cannot sit inside a {parent.level.lower()}.", field="level"
            )
    if asset_id is not None:
        children = s.scalars(select(Asset.level).where(Asset.parent_id == asset_id, Asset.active)).all()
        if any(AssetLevel(level).depth <= depth for level in children):
            raise UserError(
                f"{clean.code} holds assets that cannot sit inside a {clean.level.lower()}.", field="level"
            )
    if clean.location_id is not None and s.get(Location, clean.location_id) is None:
        raise NotFound(f"Location #{clean.location_id} does not exist.", field="location")


def create_asset(db: Database, actor: Actor, data: AssetInput) -> AssetDTO:
    actor.require(Permission.MANAGE_ASSETS)
    clean = _clean_asset(data)

    def op(s: Session) -> AssetDTO:
        if s.scalar(select(Asset.id).where(Asset.code == clean.code)) is not None:
            raise Conflict(f"Asset {clean.code} already exists.", field="code")
        _check_place(s, clean)
        asset = Asset(code=clean.code)
        set_asset_fields(asset, clean)
        s.add(asset)
        try:
            s.flush()
        except IntegrityError as exc:
            raise Conflict(f"Asset {clean.code} already exists.", field="code") from exc
        return _asset_dto(s, asset)

    return db.write(op)


def set_asset_fields(asset: Asset, clean: AssetInput) -> None:
    """Everything but the code, from checked input (the import checks its whole tree first)."""
    asset.name, asset.level, asset.parent_id = clean.name, clean.level, clean.parent_id
    asset.criticality, asset.location_id, asset.notes = clean.criticality, clean.location_id, clean.notes


def update_asset(
    db: Database, actor: Actor, asset_id: int, data: AssetInput, *, active: bool = True
) -> AssetDTO:
    """Correct or move an asset, or retire it (`active=False`). The code stays: it is on the printed tag."""
    actor.require(Permission.MANAGE_ASSETS)
    clean = _clean_asset(data)

    def op(s: Session) -> AssetDTO:
        asset = s.get(Asset, asset_id)
        if asset is None:
            raise NotFound(f"Asset #{asset_id} does not exist.")
        if clean.code != asset.code:
            raise UserError(
                f"The code of {asset.code} is on its printed tag and does not change: "
                "make a new asset and retire this one.",
                field="code",
            )
        _check_place(s, clean, asset_id)
        if not active and asset.active:
            inside = s.scalar(select(func.count()).where(Asset.parent_id == asset_id, Asset.active)) or 0
            if inside:
                raise Conflict(
                    f"{asset.code} still holds {inside} active asset(s): move or retire them first."
                )
        before = _asset_dto(s, asset)
        set_asset_fields(asset, clean)
        asset.active = active
        s.flush()
        after = _asset_dto(s, asset)
        changes = [
            f"{name} {getattr(before, name)} -> {getattr(after, name)}"
            for name in ("name", "level", "criticality", "location_code", "notes")
            if getattr(before, name) != getattr(after, name)
        ]
        if before.parent_id != after.parent_id:
            codes = [
                s.scalar(select(Asset.code).where(Asset.id == i)) if i else "top"
                for i in (before.parent_id, after.parent_id)
            ]
            changes.append(f"inside {codes[0]} -> {codes[1]}")
        changes += ["retired"] if not active else []
        record(
            s,
            actor.user_id,
            "asset.update",
            "asset",
            asset_id,
            f"{asset.code}: {', '.join(changes) or 'no change'}",
        )
        return after

    return db.write(op)


def asset_tree(db: Database) -> list[AssetDTO]:
    """Every active asset, parents before children, siblings by code."""

    def op(s: Session) -> list[AssetDTO]:
        rows = list(s.scalars(select(Asset).where(Asset.active.is_(True)).order_by(Asset.code)))
        children: dict[int | None, list[Asset]] = {}
        for a in rows:
            children.setdefault(a.parent_id, []).append(a)
        known = {a.id for a in rows}
        out: list[AssetDTO] = []
        stack = [a for a in rows if a.parent_id is None or a.parent_id not in known][::-1]
        while stack:
            a = stack.pop()
            out.append(_asset_dto(s, a))
            stack.extend(reversed(children.get(a.id, [])))
        return out

    return db.read(op)


def asset_labels(db: Database, asset_ids: list[int]) -> list[BinLabel]:
    """Tag labels for assets, drawn by the bin-label layout: code large, the tree path, the name below,
    and the `A-` payload as Code128 + QR. Tree order, so a line's machines print together."""
    if not asset_ids:
        raise UserError("Select at least one asset to label.")

    def op(s: Session) -> list[BinLabel]:
        chosen = list(s.scalars(select(Asset).where(Asset.id.in_(asset_ids))))
        if len(chosen) != len(set(asset_ids)):
            raise NotFound("Some of the selected assets no longer exist.")
        labels = [(_path(s, a), a) for a in chosen]
        labels.sort(key=lambda t: t[0])
        return [
            BinLabel(
                code=a.code,
                barcode=asset_payload(a.code),
                path=" > ".join(path[:-1]),
                part_description=a.name,
                compact=asset_id_payload(a.id),
            )
            for path, a in labels
        ]

    return db.read(op)


def find_asset_id(s: Session, raw: str) -> int | None:
    code = normalize_scan(raw)
    if code.startswith(ASSET_PREFIX):
        found = s.scalar(select(Asset.id).where(Asset.code == code[len(ASSET_PREFIX) :]))
        if found is not None:
            return found
    return s.scalar(select(Asset.id).where(Asset.code == code))


# --- where-used ---------------------------------------------------------------------------------------


def set_spare(
    db: Database,
    actor: Actor,
    asset_id: int,
    part_id: int,
    *,
    qty_installed: Decimal,
    recommended_qty: Decimal,
    usage: str = SpareUsage.ON_FAILURE.value,
) -> None:
    """Make `part` a spare of `asset` (or change how many are fitted / to keep)."""
    actor.require(Permission.MANAGE_ASSETS)
    if qty_installed < 0 or recommended_qty < 0:
        raise UserError("Quantities cannot be negative.", field="qty")
    try:
        usage = SpareUsage(usage).value
    except ValueError:
        raise UserError(f"Unknown usage {usage}: PREVENTIVE, ON_FAILURE or BOTH.", field="usage") from None

    def op(s: Session) -> None:
        if s.get(Asset, asset_id) is None:
            raise NotFound(f"Asset #{asset_id} does not exist.", field="asset")
        if s.get(Part, part_id) is None:
            raise NotFound(f"Part #{part_id} does not exist.", field="part")
        row = s.scalar(
            select(AssetSpare).where(AssetSpare.asset_id == asset_id, AssetSpare.part_id == part_id)
        )
        if row is None:
            row = AssetSpare(asset_id=asset_id, part_id=part_id)
            s.add(row)
        row.qty_installed, row.recommended_qty, row.usage = qty_installed, recommended_qty, usage
        s.flush()

    db.write(op)


def remove_spare(db: Database, actor: Actor, asset_id: int, part_id: int) -> None:
    actor.require(Permission.MANAGE_ASSETS)

    def op(s: Session) -> None:
        row = s.scalar(
            select(AssetSpare).where(AssetSpare.asset_id == asset_id, AssetSpare.part_id == part_id)
        )
        if row is None:
            raise NotFound("That part is not a spare of that asset.")
        s.delete(row)

    db.write(op)


# --- cross-references and supersession -------------------------------------------------------------


def add_xref(
    db: Database,
    actor: Actor,
    part_id: int,
    kind: str,
    *,
    value: str | None = None,
    manufacturer: str | None = None,
    other_part_id: int | None = None,
    note: str | None = None,
) -> XrefDTO:
    """A manufacturer's number for the part, an alternate part, or the part that supersedes it."""
    actor.require(Permission.MANAGE_ASSETS)
    try:
        xkind = XrefKind(kind)
    except ValueError:
        raise UserError(f"Unknown cross-reference kind {kind}.", field="kind") from None
    number = clean_text(value, field="value", label="Manufacturer number", max_len=60)
    maker = clean_text(manufacturer, field="manufacturer", label="Manufacturer", max_len=80)
    why = clean_text(note, field="note", label="Note", max_len=200)
    if xkind is XrefKind.MANUFACTURER and number is None:
        raise UserError("Type the manufacturer's part number.", field="value")
    if xkind is not XrefKind.MANUFACTURER and other_part_id is None:
        raise UserError("Pick the other part.", field="other_part")
    if other_part_id == part_id:
        raise UserError("A part cannot refer to itself.", field="other_part")

    def op(s: Session) -> XrefDTO:
        if s.get(Part, part_id) is None:
            raise NotFound(f"Part #{part_id} does not exist.", field="part")
        if other_part_id is not None and s.get(Part, other_part_id) is None:
            raise NotFound(f"Part #{other_part_id} does not exist.", field="other_part")
        if xkind is XrefKind.SUPERSEDED_BY:
            assert other_part_id is not None
            if s.scalar(_superseded_by(part_id)) is not None:
                raise Conflict("That part is already superseded; change the newer part instead.")
            if part_id in _chain(s, other_part_id):
                raise Conflict("That supersession would go round in a circle.", field="other_part")
        x = PartXref(
            part_id=part_id,
            kind=xkind.value,
            manufacturer=maker,
            value=number,
            value_key=number.upper() if number else None,
            other_part_id=other_part_id if xkind is not XrefKind.MANUFACTURER else None,
            note=why,
        )
        s.add(x)
        s.flush()
        return _xref_dto(s, x)

    return db.write(op)


def _superseded_by(part_id: int):  # type: ignore[no-untyped-def]
    return select(PartXref.other_part_id).where(
        PartXref.part_id == part_id, PartXref.kind == XrefKind.SUPERSEDED_BY.value
    )


def _chain(s: Session, part_id: int) -> list[int]:
    """`part_id` followed by each part that superseded the one before."""
    chain = [part_id]
    while (nxt := s.scalar(_superseded_by(chain[-1]))) is not None and nxt not in chain:
        chain.append(nxt)
    return chain


def _xref_dto(s: Session, x: PartXref) -> XrefDTO:
    other = s.scalar(select(Part.part_number).where(Part.id == x.other_part_id)) if x.other_part_id else None
    return XrefDTO(x.id, x.kind, x.manufacturer, x.value, x.other_part_id, other, x.note)


def part_refs(db: Database, part_id: int) -> PartRefs:
    """Everything that names this part elsewhere: cross-references, supersession, assets it fits."""

    def op(s: Session) -> PartRefs:
        part = s.get(Part, part_id)
        if part is None:
            raise NotFound(f"Part #{part_id} does not exist.")
        own = [
            _xref_dto(s, x)
            for x in s.scalars(
                select(PartXref).where(PartXref.part_id == part_id).order_by(PartXref.kind, PartXref.id)
            )
        ]
        # Seen from the other end: an alternate works both ways; a supersession reads "supersedes".
        mirrored = [
            XrefDTO(
                x.id,
                XrefKind.ALTERNATE.value if x.kind == XrefKind.ALTERNATE.value else "SUPERSEDES",
                None,
                None,
                x.part_id,
                number,
                x.note,
            )
            for x, number in s.execute(
                select(PartXref, Part.part_number)
                .join(Part, Part.id == PartXref.part_id)
                .where(PartXref.other_part_id == part_id)
                .order_by(PartXref.kind, PartXref.id)
            ).tuples()
        ]
        xrefs = tuple(own + mirrored)
        used = tuple(
            WhereUsed(
                a.id,
                a.code,
                a.name,
                a.criticality,
                Decimal(sp.qty_installed),
                Decimal(sp.recommended_qty),
                sp.usage,
            )
            for sp, a in s.execute(
                select(AssetSpare, Asset)
                .join(Asset, Asset.id == AssetSpare.asset_id)
                .where(AssetSpare.part_id == part_id)
                .order_by(Asset.code)
            ).tuples()
        )
        chain = _chain(s, part_id)
        numbers = {
            i: n for i, n in s.execute(select(Part.id, Part.part_number).where(Part.id.in_(chain))).tuples()
        }
        return PartRefs(
            part_id, part.part_number, xrefs, used, tuple(numbers[i] for i in chain[1:]), chain[-1]
        )

    return db.read(op)


def part_ids_for_xref(s: Session, code: str) -> list[int]:
    """Parts a manufacturer's number in the cross-reference table names (for the scan box)."""
    return list(s.scalars(select(PartXref.part_id).where(PartXref.value_key == code).distinct().limit(20)))


# --- the spares view ----------------------------------------------------------------------------------


def _path(s: Session, asset: Asset) -> tuple[str, ...]:
    codes = [asset.code]
    parent = asset.parent_id
    while parent is not None and len(codes) < 20:
        up = s.get(Asset, parent)
        if up is None:
            break
        codes.append(up.code)
        parent = up.parent_id
    return tuple(reversed(codes))


def spares_in(s: Session, asset_id: int) -> AssetSpares:
    asset = s.get(Asset, asset_id)
    if asset is None:
        raise NotFound(f"Asset #{asset_id} does not exist.")
    rows = list(
        s.execute(
            select(AssetSpare, Part)
            .join(Part, Part.id == AssetSpare.part_id)
            .where(AssetSpare.asset_id == asset_id)
            .order_by(Part.part_number)
        ).tuples()
    )
    ids = [p.id for _sp, p in rows]
    reserved = reserved_by_part(s, ids)
    serials = {
        part_id: n
        for part_id, n in s.execute(
            select(SerialUnit.part_id, func.count())
            .where(SerialUnit.part_id.in_(ids), SerialUnit.state == SerialState.AVAILABLE.value)
            .group_by(SerialUnit.part_id)
        ).tuples()
    }
    asset_critical = asset.criticality in CRITICAL
    coming = coming_in(s, ids)
    lines = []
    for sp, p in rows:
        bins = stock_by_bin(s, p.id)
        chain = _chain(s, p.id)
        newest = s.scalar(select(Part.part_number).where(Part.id == chain[-1])) if len(chain) > 1 else None
        lines.append(
            SpareLine(
                p.id,
                p.part_number,
                p.description,
                p.unit,
                p.criticality,
                Decimal(sp.qty_installed),
                Decimal(sp.recommended_qty),
                sp.usage,
                bins,
                sum((b.qty for b in bins), Decimal(0)),
                reserved.get(p.id, Decimal(0)),
                p.min_qty,
                p.max_qty,
                p.lead_time_days,
                asset_critical or p.criticality in CRITICAL,
                newest,
                int(serials.get(p.id, 0)),
                *coming.get(p.id, (Decimal(0), None)),
            )
        )
    return AssetSpares(_asset_dto(s, asset), _path(s, asset), tuple(lines))


def asset_spares(db: Database, asset_id: int) -> AssetSpares:
    return db.read(lambda s: spares_in(s, asset_id))


def get_asset(db: Database, code: str) -> AssetDTO:
    """The asset a scanned or typed tag names."""

    def op(s: Session) -> AssetDTO:
        found = find_asset_id(s, code)
        asset = s.get(Asset, found) if found is not None else None
        if asset is None:
            raise NotFound(f"No asset has the tag {normalize_scan(code)}.", field="asset")
        return _asset_dto(s, asset)

    return db.read(op)


def spares_for_code(db: Database, code: str) -> AssetSpares:
    """The spares view for a scanned or typed asset tag (`A-PRESS-01` or `PRESS-01`)."""

    def op(s: Session) -> AssetSpares:
        found = find_asset_id(s, code)
        if found is None:
            raise NotFound(f"No asset has the tag {normalize_scan(code)}.", field="asset")
        return spares_in(s, found)

    return db.read(op)


# --- reservations and issues --------------------------------------------------------------------------


def _available(s: Session, part_id: int) -> Decimal:
    return on_hand(s, part_id) - reserved_by_part(s, [part_id]).get(part_id, Decimal(0))


def reserve(db: Database, actor: Actor, data: ReservationInput) -> ReservationDTO:
    """Hold `qty` of a part for a work order; refused with "only N available" when others hold it."""
    actor.require(Permission.RESERVE)
    work_order = clean_text(
        data.work_order, field="work_order", label="Work order", max_len=60, required=True
    )
    if data.qty <= 0:
        raise UserError("The quantity must be more than zero.", field="qty")

    def op(s: Session) -> ReservationDTO:
        part = lock_part(s, data.part_id)
        check_qty_for_unit(data.qty, part.unit)
        if data.asset_id is not None and s.get(Asset, data.asset_id) is None:
            raise NotFound(f"Asset #{data.asset_id} does not exist.", field="asset")
        available = _available(s, part.id)
        if data.qty > available:
            raise InsufficientStock(
                f"Only {format_qty(max(available, Decimal(0)))} {part.unit} of {part.part_number} available "
                f"(on hand minus reserved): cannot reserve {format_qty(data.qty)}.",
                available=available,
            )
        r = Reservation(
            part_id=part.id,
            asset_id=data.asset_id,
            work_order=work_order,
            qty=data.qty,
            issued_qty=Decimal(0),
            released_qty=Decimal(0),
            needed_by=data.needed_by,
            status=ReservationStatus.OPEN.value,
            user_id=actor.user_id,
        )
        s.add(r)
        s.flush()
        return reservation_dto(s, r)

    return db.write(op)


def _open_reservation(s: Session, reservation_id: int, *, lock: bool = True) -> Reservation:
    stmt = select(Reservation).where(Reservation.id == reservation_id)
    r = s.scalar(stmt.with_for_update() if lock else stmt)
    if r is None:
        raise NotFound(f"Reservation #{reservation_id} does not exist.", field="reservation")
    if r.status != ReservationStatus.OPEN.value:
        raise Conflict(f"Reservation #{reservation_id} for {r.work_order} is closed already.")
    return r


def issue_reserved(
    db: Database, actor: Actor, reservation_id: int, from_location_id: int, qty: Decimal | None = None
) -> IssueResult:
    """Issue from a bin against a reservation (all that is still open unless `qty` says less), by the
    storeroom's Issue rule (which re-checks the reservation under its locks)."""
    actor.require(Permission.RESERVE)

    def op(s: Session) -> IssueResult:
        # not locked here: the rule locks the part first, then the reservation (the order every issuer keeps)
        r = _open_reservation(s, reservation_id, lock=False)
        take = still_reserved(r) if qty is None else qty
        req = MoveRequest(MoveKind.ISSUE, r.part_id, take, from_location_id, reference=r.work_order)
        return issue_in(s, actor, req, reservation_id=r.id)

    return db.write(op)


def issue_to_asset(
    db: Database,
    actor: Actor,
    part_id: int,
    from_location_id: int,
    qty: Decimal,
    *,
    work_order: str,
    asset_id: int | None,
    take_reserved: bool = False,
) -> IssueResult:
    """Issue to an asset for a work order by the storeroom's Issue rule: the work order's own
    reservation is settled, other orders' reserved stock goes only with `take_reserved`."""
    actor.require(Permission.RESERVE)
    wo = clean_text(work_order, field="work_order", label="Work order", max_len=60, required=True)
    req = MoveRequest(MoveKind.ISSUE, part_id, qty, from_location_id, reference=wo)
    return db.write(lambda s: issue_in(s, actor, req, take_reserved=take_reserved, asset_id=asset_id))


def release(db: Database, actor: Actor, reservation_id: int, qty: Decimal | None = None) -> ReservationDTO:
    """Give back reserved units that will not be needed (all that is open unless `qty` says less)."""
    actor.require(Permission.RESERVE)

    def op(s: Session) -> ReservationDTO:
        r = _open_reservation(s, reservation_id)
        remaining = still_reserved(r)
        give = remaining if qty is None else qty
        if give <= 0 or give > remaining:
            raise UserError(f"Between 0 and {format_qty(remaining)} can be released.", field="qty")
        r.released_qty = Decimal(r.released_qty) + give
        settle(r)
        s.flush()
        return reservation_dto(s, r)

    return db.write(op)


def return_unused(
    db: Database, actor: Actor, reservation_id: int, to_location_id: int, qty: Decimal
) -> IssueResult:
    """Parts issued for a work order come back unused: a RETURN to a bin, booked to the same asset."""
    actor.require(Permission.RESERVE)

    def op(s: Session) -> IssueResult:
        r = s.get(Reservation, reservation_id)
        if r is None:
            raise NotFound(f"Reservation #{reservation_id} does not exist.", field="reservation")
        returned = Decimal(
            s.scalar(
                select(func.coalesce(func.sum(StockMove.qty), 0))
                .join(AssetMove, AssetMove.move_id == StockMove.id)
                .where(AssetMove.reservation_id == r.id, StockMove.kind == MoveKind.RETURN.value)
            )
            or 0
        )
        if qty > Decimal(r.issued_qty) - returned:
            raise UserError(
                f"Only {format_qty(Decimal(r.issued_qty) - returned)} were issued for {r.work_order} "
                "and not yet returned.",
                field="qty",
            )
        back = MoveRequest(
            MoveKind.RETURN, r.part_id, qty, to_location_id=to_location_id, reference=r.work_order
        )
        posted = post_in(s, actor, back)
        s.add(AssetMove(move_id=posted.move.id, asset_id=r.asset_id, reservation_id=r.id))
        s.flush()
        return IssueResult(posted, reservation_dto(s, r))

    return db.write(op)


def reservations(
    db: Database, *, open_only: bool = True, part_id: int | None = None, asset_id: int | None = None
) -> list[ReservationDTO]:
    """Reservations, those needed soonest first."""

    def op(s: Session) -> list[ReservationDTO]:
        stmt = select(Reservation)
        if open_only:
            stmt = stmt.where(Reservation.status == ReservationStatus.OPEN.value)
        if part_id is not None:
            stmt = stmt.where(Reservation.part_id == part_id)
        if asset_id is not None:
            stmt = stmt.where(Reservation.asset_id == asset_id)
        stmt = stmt.order_by(Reservation.needed_by.is_(None), Reservation.needed_by, Reservation.id)
        return [reservation_dto(s, r) for r in s.scalars(stmt.limit(1000))]

    return db.read(op)


# --- repairable units by serial number ---------------------------------------------------------------


def _serial_dto(s: Session, u: SerialUnit) -> SerialDTO:
    number = s.scalar(select(Part.part_number).where(Part.id == u.part_id)) or ""
    asset = s.scalar(select(Asset.code).where(Asset.id == u.asset_id)) if u.asset_id else None
    loc = s.scalar(select(Location.code).where(Location.id == u.location_id)) if u.location_id else None
    return SerialDTO(u.id, u.part_id, number, u.serial, u.state, asset, loc, u.reference)


def add_serial(
    db: Database, actor: Actor, part_id: int, serial: str, *, location_id: int | None = None
) -> SerialDTO:
    """Register a repairable unit, AVAILABLE (in a bin when `location_id` is given)."""
    actor.require(Permission.MOVE_STOCK)
    text = clean_text(serial, field="serial", label="Serial number", max_len=60, required=True)
    assert text is not None

    def op(s: Session) -> SerialDTO:
        if s.get(Part, part_id) is None:
            raise NotFound(f"Part #{part_id} does not exist.", field="part")
        key = text.upper()
        if s.scalar(select(SerialUnit.id).where(SerialUnit.part_id == part_id, SerialUnit.serial_key == key)):
            raise Conflict(f"Serial {text} is registered for this part already.", field="serial")
        u = SerialUnit(
            part_id=part_id,
            serial=text,
            serial_key=key,
            state=SerialState.AVAILABLE.value,
            location_id=location_id,
        )
        s.add(u)
        s.flush()
        s.add(
            SerialEvent(
                serial_unit_id=u.id,
                from_state=None,
                to_state=u.state,
                location_id=location_id,
                note="registered",
                user_id=actor.user_id,
            )
        )
        s.flush()
        return _serial_dto(s, u)

    return db.write(op)


def change_serial(
    db: Database,
    actor: Actor,
    unit_id: int,
    state: str,
    *,
    asset_id: int | None = None,
    location_id: int | None = None,
    reference: str | None = None,
    note: str | None = None,
) -> SerialDTO:
    """Move a unit round its cycle: AVAILABLE -> ISSUED -> IN_REPAIR / AT_VENDOR -> AVAILABLE or SCRAPPED."""
    actor.require(Permission.MOVE_STOCK)
    try:
        target = SerialState(state)
    except ValueError:
        raise UserError(f"Unknown state {state}.", field="state") from None
    ref = clean_text(reference, field="reference", label="Reference", max_len=60)
    why = clean_text(note, field="note", label="Note", max_len=200, required=target is SerialState.SCRAPPED)
    if target is SerialState.ISSUED and asset_id is None:
        raise UserError("Say which asset the unit is fitted to.", field="asset")
    if target is SerialState.AT_VENDOR and ref is None:
        raise UserError("Type the repair order or vendor reference.", field="reference")

    def op(s: Session) -> SerialDTO:
        u = s.scalar(select(SerialUnit).where(SerialUnit.id == unit_id).with_for_update())
        if u is None:
            raise NotFound(f"Serial unit #{unit_id} does not exist.")
        current = SerialState(u.state)
        if target not in SERIAL_NEXT[current]:
            allowed = ", ".join(sorted(x.value for x in SERIAL_NEXT[current])) or "nothing (final)"
            raise Conflict(
                f"Serial {u.serial} is {current.value}: it can go to {allowed}, not {target.value}.",
                field="state",
            )
        if asset_id is not None and s.get(Asset, asset_id) is None:
            raise NotFound(f"Asset #{asset_id} does not exist.", field="asset")
        u.state = target.value
        u.asset_id = asset_id if target is SerialState.ISSUED else None
        u.location_id = location_id if target is SerialState.AVAILABLE else None
        u.reference = ref
        s.add(
            SerialEvent(
                serial_unit_id=u.id,
                from_state=current.value,
                to_state=target.value,
                asset_id=asset_id,
                location_id=location_id,
                reference=ref,
                note=why,
                user_id=actor.user_id,
            )
        )
        s.flush()
        return _serial_dto(s, u)

    return db.write(op)


def serials(db: Database, *, part_id: int | None = None) -> list[SerialDTO]:
    def op(s: Session) -> list[SerialDTO]:
        stmt = select(SerialUnit).order_by(SerialUnit.part_id, SerialUnit.serial_key)
        if part_id is not None:
            stmt = stmt.where(SerialUnit.part_id == part_id)
        return [_serial_dto(s, u) for u in s.scalars(stmt.limit(5000))]

    return db.read(op)


def serial_history(db: Database, unit_id: int) -> list[SerialEventDTO]:
    """Every state change of one unit, oldest first."""

    def op(s: Session) -> list[SerialEventDTO]:
        rows = s.execute(
            select(SerialEvent, User.user_name, Asset.code, Location.code)
            .join(User, User.id == SerialEvent.user_id)
            .outerjoin(Asset, Asset.id == SerialEvent.asset_id)
            .outerjoin(Location, Location.id == SerialEvent.location_id)
            .where(SerialEvent.serial_unit_id == unit_id)
            .order_by(SerialEvent.at, SerialEvent.id)
        ).tuples()
        return [
            SerialEventDTO(e.from_state, e.to_state, a, loc, e.reference, e.note, user, as_utc(e.at))
            for e, user, a, loc in rows
        ]

    return db.read(op)


# --- reports ------------------------------------------------------------------------------------------


def critical_short(db: Database) -> list[CriticalShortRow]:
    """Critical spares (critical part, or spare of a critical asset) with none available or below min."""

    def op(s: Session) -> list[CriticalShortRow]:
        pairs = s.execute(
            select(Part, Asset.code, Asset.criticality)
            .join(AssetSpare, AssetSpare.part_id == Part.id)
            .join(Asset, Asset.id == AssetSpare.asset_id)
            .order_by(Part.part_number, Asset.code)
        ).tuples()
        parts: dict[int, tuple[Part, list[str], bool]] = {}
        for part, code, crit in pairs:
            _p, codes, critical = parts.setdefault(part.id, (part, [], part.criticality in CRITICAL))
            codes.append(code)
            parts[part.id] = (part, codes, critical or crit in CRITICAL)
        reserved = reserved_by_part(s, list(parts))
        out = []
        for part, codes, critical in parts.values():
            if not critical:
                continue
            part_on_hand = on_hand(s, part.id)
            avail = part_on_hand - reserved.get(part.id, Decimal(0))
            flag = "none available" if avail <= 0 else ""
            if not flag and part.min_qty is not None and avail < part.min_qty:
                flag = "below minimum"
            if flag:
                out.append(
                    CriticalShortRow(
                        part.id,
                        part.part_number,
                        part.description,
                        part.unit,
                        part_on_hand,
                        reserved.get(part.id, Decimal(0)),
                        part.min_qty,
                        part.lead_time_days,
                        ", ".join(codes),
                        flag,
                    )
                )
        return out

    return db.read(op)


def idle_spares(db: Database, months: int, *, now: datetime | None = None) -> list[IdleSpareRow]:
    """Spares (MRO parts, or parts fitted to an asset) in stock with no move for `months` months:
    obsolescence candidates, most valuable first."""
    if months < 1:
        raise UserError("Give at least one month.", field="months")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=round(months * 30.44))

    def op(s: Session) -> list[IdleSpareRow]:
        on_hand = (
            select(StockBalance.part_id, func.sum(StockBalance.qty).label("qty"))
            .group_by(StockBalance.part_id)
            .subquery()
        )
        last = (
            select(StockMove.part_id, func.max(StockMove.at).label("at"))
            .group_by(StockMove.part_id)
            .subquery()
        )
        spare = (Part.category == "MRO") | Part.id.in_(select(AssetSpare.part_id))
        rows = s.execute(
            select(Part, on_hand.c.qty, last.c.at)
            .join(on_hand, on_hand.c.part_id == Part.id)
            .outerjoin(last, last.c.part_id == Part.id)
            .where(spare, on_hand.c.qty > 0, (last.c.at.is_(None)) | (last.c.at < cutoff))
        ).tuples()
        out = [
            IdleSpareRow(
                p.id,
                p.part_number,
                p.description,
                p.unit,
                Decimal(q),
                Decimal(q) * Decimal(p.unit_cost),
                as_utc(at) if at is not None else None,
            )
            for p, q, at in rows
        ]
        return sorted(out, key=lambda r: (-r.value, r.part_number))

    return db.read(op)


def usage_per_asset(db: Database, since: datetime, until: datetime) -> list[AssetUsageRow]:
    """What each asset consumed between two instants: issues minus returns, at the cost when moved."""

    def op(s: Session) -> list[AssetUsageRow]:
        signed = case((StockMove.kind == MoveKind.RETURN.value, -StockMove.qty), else_=StockMove.qty)
        rows = s.execute(
            select(
                Asset.code,
                Asset.name,
                Part.part_number,
                Part.description,
                Part.unit,
                func.sum(signed),
                func.sum(signed * func.coalesce(StockMove.unit_cost, 0)),
            )
            .select_from(AssetMove)
            .join(StockMove, StockMove.id == AssetMove.move_id)
            .join(Asset, Asset.id == AssetMove.asset_id)
            .join(Part, Part.id == StockMove.part_id)
            .where(StockMove.at >= since, StockMove.at < until)
            .group_by(Asset.code, Asset.name, Part.part_number, Part.description, Part.unit)
            .order_by(Asset.code, Part.part_number)
        ).tuples()
        return [AssetUsageRow(a, n, p, d, u, Decimal(q), Decimal(v)) for a, n, p, d, u, q, v in rows]

    return db.read(op)
