"""Importing and exporting the MRO asset tree and where-used (which parts are spares of which asset).

Assets are matched on their tag (the code printed as `A-<tag>`), where-used rows on asset tag + part
number. New assets and spares go through mro.create_asset and mro.set_spare inside the import's one
transaction, so they obey the same rules as the MRO page. A column the file does not have leaves
that field of an existing record as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from desktop.codes import ASSET_PREFIX, LOCATION_PREFIX, normalize_scan
from desktop.errors import UserError
from desktop.models import Asset, AssetSpare, Location, Part
from desktop.models.enums import AssetLevel, SpareUsage
from desktop.services import mro
from desktop.services.actor import Actor, Permission
from desktop.services.catalogue import parts as part_service
from desktop.services.io.common import (
    Column,
    Handler,
    Plan,
    Progress,
    Rows,
    field_of,
    parents_first,
    row_failed,
    tick,
)

ASSET_COLUMNS = (
    Column(
        "code", "Tag", True, ("asset", "asset tag", "asset code", "code", "equipment", "equipment number")
    ),
    Column("name", "Name", True, ("asset name", "description")),
    Column("level", "Level", aliases=("asset level",)),
    Column("parent", "Parent tag", aliases=("parent", "parent asset", "parent code", "inside", "part of")),
    Column("criticality", "Criticality", aliases=("critical",)),
    Column("location", "Location", aliases=("location code", "area")),
    Column("active", "Active"),
    Column("notes", "Notes", aliases=("note", "remarks", "comment")),
)
SPARE_COLUMNS = (
    Column("asset", "Asset tag", True, ("asset", "tag", "asset code", "equipment", "machine")),
    Column("part_number", "Part number", True, ("part no", "pn", "item", "sku", "part", "spare part")),
    Column(
        "qty_installed",
        "Qty installed",
        aliases=("installed", "qty", "quantity", "qty per asset", "quantity installed", "fitted"),
    ),
    Column("recommended_qty", "Recommended spares", aliases=("recommended", "recommended qty", "keep")),
    Column("usage", "Usage", aliases=("used", "when used")),
)
CRITICALITY_LEN = 12  # Asset.criticality is String(12); PostgreSQL would refuse a longer one mid-import


def asset_ref(text: str, known: set[str] | dict[str, Any]) -> str:
    """An asset named in a file: its tag, or its scanned payload `A-<tag>` (a tag may itself start
    with A-, so the prefix is dropped only when the text as written names no asset)."""
    code = normalize_scan(text)
    if code not in known and code.startswith(ASSET_PREFIX) and code[len(ASSET_PREFIX) :] in known:
        return code[len(ASSET_PREFIX) :]
    return code


def location_ref(text: str) -> str:
    return normalize_scan(text).removeprefix(LOCATION_PREFIX)


# --- assets ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Asset:
    """An asset's importable fields: as the database has it, or as it will be after the import."""

    name: str
    level: str
    parent: str | None
    criticality: str | None
    location: str | None
    notes: str | None
    active: bool


@dataclass(frozen=True)
class _AssetRow:
    n: int
    code: str
    new: _Asset
    existing_id: int | None
    changed: bool


def _current_assets(s: Session) -> dict[str, tuple[int, _Asset]]:
    parent = aliased(Asset)
    rows = s.execute(
        select(Asset, parent.code, Location.code)
        .outerjoin(parent, parent.id == Asset.parent_id)
        .outerjoin(Location, Location.id == Asset.location_id)
    )
    return {
        a.code: (a.id, _Asset(a.name, a.level, p, a.criticality, loc, a.notes, a.active))
        for a, p, loc in rows
    }


def _plan_assets(s: Session, rows: Rows) -> tuple[Plan, list[_AssetRow]]:
    current = _current_assets(s)
    locations = set(s.scalars(select(Location.code)))
    in_file = {normalize_scan(rows.cell(row, "code")) for row in rows.table.rows}
    known = set(current) | in_file
    seen: dict[str, int] = {}
    planned: list[_AssetRow] = []
    for n, row in enumerate(rows.table.rows):
        before = len(rows.problems)
        code = normalize_scan(rows.cell(row, "code"))
        _id, old = current.get(code, (None, None))
        base = old or _Asset("", AssetLevel.MACHINE.value, None, None, None, None, True)

        parent = rows.cell(row, "parent")
        new = _Asset(
            name=rows.cell(row, "name"),
            level=rows.choice(n, row, "level", AssetLevel.__members__, base.level),
            parent=_text(rows, "parent", asset_ref(parent, known) if parent else "", base.parent),
            criticality=_text(rows, "criticality", rows.cell(row, "criticality").upper(), base.criticality),
            location=_text(rows, "location", location_ref(rows.cell(row, "location")), base.location),
            notes=_text(rows, "notes", rows.cell(row, "notes"), base.notes),
            active=rows.flag(n, row, "active", base.active),
        )
        try:  # the MRO service's own checks of tag, name and level
            clean = mro.clean_asset(
                mro.AssetInput(code, new.name, new.level, None, new.criticality, None, new.notes)
            )
            new = replace(new, name=clean.name, notes=clean.notes)
        except UserError as exc:
            rows.problem(n, field_of(exc, "code"), exc.message)
        if new.criticality and len(new.criticality) > CRITICALITY_LEN:
            rows.problem(n, "criticality", f"a criticality has at most {CRITICALITY_LEN} characters")
        if new.location and new.location not in locations:
            rows.problem(n, "location", f"no location {new.location}: import the locations first")
        if code in seen:
            rows.problem(n, "code", f"asset {code} is also on row {seen[code] + 2}")
        seen[code] = n
        if len(rows.problems) == before:
            planned.append(_AssetRow(n, code, new, _id, old is not None and new != old))
    _check_tree(rows, current, planned, in_file)
    creates = sum(1 for r in planned if r.existing_id is None)
    updates = sum(1 for r in planned if r.changed)
    ordered = parents_first(planned, lambda r: r.code, lambda r: r.new.parent)
    return rows.plan(creates, updates, len(planned) - creates - updates), ordered


def _text(rows: Rows, key: str, value: str, before: str | None) -> str | None:
    """An empty cell clears a text field; a column the file lacks keeps what the record has."""
    return (value or None) if rows.mapped(key) else before


def _check_tree(
    rows: Rows, current: dict[str, tuple[int, _Asset]], planned: list[_AssetRow], in_file: set[str]
) -> None:
    """Every parent exists, and every child sits deeper than its parent (site > line > machine >
    component), in the tree as it will be. Depth grows along every link, so no asset can end up
    inside itself."""
    level = {code: a.level for code, (_i, a) in current.items()} | {r.code: r.new.level for r in planned}
    depth = {code: AssetLevel(lv).depth for code, lv in level.items()}
    for r in planned:
        parent = r.new.parent
        if parent is None or (parent in in_file and parent not in level):
            continue  # a parent whose own row has a problem: that row says so
        if parent not in level:
            rows.problem(r.n, "parent", f"parent asset {parent} is neither in the database nor the file")
        elif depth[parent] >= depth[r.code]:
            rows.problem(
                r.n,
                "parent",
                f"a {level[r.code].lower()} cannot sit inside {parent} (a {level[parent].lower()})",
            )
    by_code = {r.code: r for r in planned}
    for child, (_i, a) in current.items():  # children left as they are under a parent whose level changes
        parent_row = by_code.get(a.parent or "")
        if child not in by_code and parent_row is not None and depth[child] <= depth[parent_row.code]:
            rows.problem(
                parent_row.n,
                "level",
                f"{child} (a {level[child].lower()}) sits inside it: a {parent_row.new.level.lower()} "
                "cannot hold it",
            )


def _apply_assets(
    s: Session, actor: Actor, planned: list[_AssetRow], _source: str, progress: Progress | None
) -> None:
    ids = dict(s.execute(select(Asset.code, Asset.id)).tuples().all())
    locations = dict(s.execute(select(Location.code, Location.id)).tuples().all())
    for done, r in enumerate(planned, start=1):
        if r.existing_id is not None and not r.changed:
            continue
        a = r.new
        parent_id = ids[a.parent] if a.parent else None
        location_id = locations[a.location] if a.location else None
        data = mro.AssetInput(r.code, a.name, a.level, parent_id, a.criticality, location_id, a.notes)
        try:
            if r.existing_id is None:
                ids[r.code] = mro.create_asset_in(s, actor, data).id
                if not a.active:
                    _asset(s, ids[r.code]).active = False
            else:  # not mro.update_asset row by row: the plan checked the file's final tree above,
                # which a row-by-row check would refuse while a parent and its children move together
                asset = _asset(s, r.existing_id)
                mro.set_asset_fields(asset, data)
                asset.active = a.active
        except UserError as exc:
            raise row_failed(r.n, exc) from exc
        if done % 200 == 0:
            tick(progress, done, len(planned))
    s.flush()


def _asset(s: Session, asset_id: int) -> Asset:
    asset = s.get(Asset, asset_id)
    assert asset is not None  # just created or just read in this transaction
    return asset


def export_assets(s: Session) -> list[list[Any]]:
    """Parents before children (a file in this order re-imports in one go), siblings by tag."""
    current = _current_assets(s)
    ordered = parents_first(sorted(current.items()), lambda i: i[0], lambda i: i[1][1].parent)
    return [
        [code, a.name, a.level, a.parent, a.criticality, a.location, "yes" if a.active else "no", a.notes]
        for code, (_id, a) in ordered
    ]


# --- where-used -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SpareRow:
    n: int
    asset_id: int
    part_id: int
    qty_installed: Decimal
    recommended_qty: Decimal
    usage: str
    changed: bool
    new: bool


_SPARE_DEFAULTS = (Decimal(1), Decimal(0), SpareUsage.ON_FAILURE.value)  # installed, to keep, usage


def _plan_spares(s: Session, rows: Rows) -> tuple[Plan, list[_SpareRow]]:
    assets = dict(s.execute(select(Asset.code, Asset.id)).tuples().all())
    parts = dict(s.execute(select(Part.number_key, Part.id)).tuples().all())
    current = {
        (a, p): (Decimal(i), Decimal(r), u)
        for a, p, i, r, u in s.execute(
            select(
                AssetSpare.asset_id,
                AssetSpare.part_id,
                AssetSpare.qty_installed,
                AssetSpare.recommended_qty,
                AssetSpare.usage,
            )
        )
    }
    seen: dict[tuple[int, int], int] = {}
    planned: list[_SpareRow] = []
    for n, row in enumerate(rows.table.rows):
        before = len(rows.problems)
        code, number = asset_ref(rows.cell(row, "asset"), assets), rows.cell(row, "part_number")
        asset_id, part_id = assets.get(code), parts.get(part_service.number_key(number))
        if asset_id is None:
            rows.problem(n, "asset", f"no asset {code}: import the assets first")
        if part_id is None:
            rows.problem(n, "part_number", f"no part {number}: import the parts first")
        old = current.get((asset_id or 0, part_id or 0))
        installed, keep, usage = old or _SPARE_DEFAULTS
        for key in ("qty_installed", "recommended_qty"):
            value = rows.number(n, row, key)
            if value is not None and value < 0:
                rows.problem(n, key, "a quantity cannot be negative")
            elif value is not None and key == "qty_installed":
                installed = value
            elif value is not None:
                keep = value
        usage = rows.choice(n, row, "usage", SpareUsage.__members__, usage)
        if asset_id is not None and part_id is not None:
            if (asset_id, part_id) in seen:
                rows.problem(
                    n, "part_number", f"{number} on {code} is also on row {seen[(asset_id, part_id)] + 2}"
                )
            seen[(asset_id, part_id)] = n
        if len(rows.problems) == before and asset_id is not None and part_id is not None:
            new = (installed, keep, usage)
            planned.append(
                _SpareRow(n, asset_id, part_id, *new, changed=old is not None and new != old, new=old is None)
            )
    creates = sum(1 for r in planned if r.new)
    updates = sum(1 for r in planned if r.changed)
    return rows.plan(creates, updates, len(planned) - creates - updates), planned


def _apply_spares(
    s: Session, actor: Actor, planned: list[_SpareRow], _source: str, progress: Progress | None
) -> None:
    for done, r in enumerate(planned, start=1):
        if not (r.new or r.changed):
            continue
        try:
            mro.set_spare_in(
                s,
                actor,
                r.asset_id,
                r.part_id,
                qty_installed=r.qty_installed,
                recommended_qty=r.recommended_qty,
                usage=r.usage,
            )
        except UserError as exc:
            raise row_failed(r.n, exc) from exc
        if done % 500 == 0:
            tick(progress, done, len(planned))


def export_spares(s: Session) -> list[list[Any]]:
    rows = s.execute(
        select(
            Asset.code,
            Part.part_number,
            AssetSpare.qty_installed,
            AssetSpare.recommended_qty,
            AssetSpare.usage,
        )
        .join(Asset, Asset.id == AssetSpare.asset_id)
        .join(Part, Part.id == AssetSpare.part_id)
        .order_by(Asset.code, Part.number_key)
    )
    return [[code, number, plain(i), plain(r), usage] for code, number, i, r, usage in rows]


def plain(value: Decimal | None) -> Decimal | None:
    """A stored Numeric without its trailing zeros and never in exponent form (10, not 1E+1)."""
    return None if value is None else Decimal(format(Decimal(value).normalize(), "f"))


HANDLERS = {
    "assets": Handler(ASSET_COLUMNS, Permission.MANAGE_ASSETS, _plan_assets, _apply_assets),
    "where-used": Handler(SPARE_COLUMNS, Permission.MANAGE_ASSETS, _plan_spares, _apply_spares),
}
