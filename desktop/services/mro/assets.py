"""MRO assets: the asset tree (plant, line, machine, component), asset labels, and where-used: which
spares belong to which asset.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.codes import ASSET_PREFIX, asset_id_payload, asset_payload, is_safe, normalize_scan
from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import (
    Asset,
    AssetSpare,
    Location,
    Part,
)
from desktop.models.enums import AssetLevel, SpareUsage
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.common import clean_text
from desktop.services.text_rules import clean_notes

if TYPE_CHECKING:  # the label renderer (reportlab) loads when labels are printed, not at start-up
    from desktop.reports.label_types import BinLabel

CRITICAL = frozenset({"HIGH", "CRITICAL"})  # criticality values that make a spare critical


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


def asset_dto(s: Session, a: Asset) -> AssetDTO:
    loc = s.scalar(select(Location.code).where(Location.id == a.location_id)) if a.location_id else None
    return AssetDTO(
        a.id, a.code, asset_payload(a.code), a.name, a.level, a.parent_id, a.criticality, loc, a.notes
    )


def clean_asset(data: AssetInput) -> AssetInput:
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
    return db.write(lambda s: create_asset_in(s, actor, data))


def create_asset_in(s: Session, actor: Actor, data: AssetInput) -> AssetDTO:
    """create_asset() in the caller's transaction (an import's one transaction)."""
    actor.require(Permission.MANAGE_ASSETS)
    clean = clean_asset(data)

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
    return asset_dto(s, asset)


def set_asset_fields(asset: Asset, clean: AssetInput) -> None:
    """Everything but the code, from checked input (the import checks its whole tree first)."""
    asset.name, asset.level, asset.parent_id = clean.name, clean.level, clean.parent_id
    asset.criticality, asset.location_id, asset.notes = clean.criticality, clean.location_id, clean.notes


def update_asset(
    db: Database, actor: Actor, asset_id: int, data: AssetInput, *, active: bool = True
) -> AssetDTO:
    """Correct or move an asset, or retire it (`active=False`). The code stays: it is on the printed tag."""
    actor.require(Permission.MANAGE_ASSETS)
    clean = clean_asset(data)

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
        before = asset_dto(s, asset)
        set_asset_fields(asset, clean)
        asset.active = active
        s.flush()
        after = asset_dto(s, asset)
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
            out.append(asset_dto(s, a))
            stack.extend(reversed(children.get(a.id, [])))
        return out

    return db.read(op)


def asset_labels(db: Database, asset_ids: list[int]) -> list[BinLabel]:
    """Tag labels for assets, drawn by the bin-label layout: code large, the tree path, the name below,
    and the `A-` payload as Code128 + QR. Tree order, so a line's machines print together."""
    if not asset_ids:
        raise UserError("Select at least one asset to label.")

    from desktop.reports.label_types import BinLabel

    def op(s: Session) -> list[BinLabel]:
        chosen = list(s.scalars(select(Asset).where(Asset.id.in_(asset_ids))))
        if len(chosen) != len(set(asset_ids)):
            raise NotFound("Some of the selected assets no longer exist.")
        labels = [(asset_path(s, a), a) for a in chosen]
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
    db.write(
        lambda s: set_spare_in(
            s,
            actor,
            asset_id,
            part_id,
            qty_installed=qty_installed,
            recommended_qty=recommended_qty,
            usage=usage,
        )
    )


def set_spare_in(
    s: Session,
    actor: Actor,
    asset_id: int,
    part_id: int,
    *,
    qty_installed: Decimal,
    recommended_qty: Decimal,
    usage: str = SpareUsage.ON_FAILURE.value,
) -> None:
    """set_spare() in the caller's transaction (an import's one transaction)."""
    actor.require(Permission.MANAGE_ASSETS)
    if qty_installed < 0 or recommended_qty < 0:
        raise UserError("Quantities cannot be negative.", field="qty")
    try:
        usage = SpareUsage(usage).value
    except ValueError:
        raise UserError(f"Unknown usage {usage}: PREVENTIVE, ON_FAILURE or BOTH.", field="usage") from None

    if s.get(Asset, asset_id) is None:
        raise NotFound(f"Asset #{asset_id} does not exist.", field="asset")
    if s.get(Part, part_id) is None:
        raise NotFound(f"Part #{part_id} does not exist.", field="part")
    row = s.scalar(select(AssetSpare).where(AssetSpare.asset_id == asset_id, AssetSpare.part_id == part_id))
    if row is None:
        row = AssetSpare(asset_id=asset_id, part_id=part_id)
        s.add(row)
    row.qty_installed, row.recommended_qty, row.usage = qty_installed, recommended_qty, usage
    s.flush()


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


def get_asset(db: Database, code: str) -> AssetDTO:
    """The asset a scanned or typed tag names."""

    def op(s: Session) -> AssetDTO:
        found = find_asset_id(s, code)
        asset = s.get(Asset, found) if found is not None else None
        if asset is None:
            raise NotFound(f"No asset has the tag {normalize_scan(code)}.", field="asset")
        return asset_dto(s, asset)

    return db.read(op)


def asset_path(s: Session, asset: Asset) -> tuple[str, ...]:
    codes = [asset.code]
    parent = asset.parent_id
    while parent is not None and len(codes) < 20:
        up = s.get(Asset, parent)
        if up is None:
            break
        codes.append(up.code)
        parent = up.parent_id
    return tuple(reversed(codes))
