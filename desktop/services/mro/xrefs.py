"""Part cross-references and supersession: manufacturer numbers, alternates and the chain of parts that
replace one another, and where a part is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import (
    Asset,
    AssetSpare,
    Part,
    PartXref,
)
from desktop.models.enums import XrefKind
from desktop.services.actor import Actor, Permission
from desktop.services.common import clean_text


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
    return db.write(
        lambda s: add_xref_in(
            s,
            actor,
            part_id,
            kind,
            value=value,
            manufacturer=manufacturer,
            other_part_id=other_part_id,
            note=note,
        )
    )


def add_xref_in(
    s: Session,
    actor: Actor,
    part_id: int,
    kind: str,
    *,
    value: str | None = None,
    manufacturer: str | None = None,
    other_part_id: int | None = None,
    note: str | None = None,
) -> XrefDTO:
    """add_xref() in the caller's transaction (an import's one transaction)."""
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

    if s.get(Part, part_id) is None:
        raise NotFound(f"Part #{part_id} does not exist.", field="part")
    if other_part_id is not None and s.get(Part, other_part_id) is None:
        raise NotFound(f"Part #{other_part_id} does not exist.", field="other_part")
    if xkind is XrefKind.SUPERSEDED_BY:
        assert other_part_id is not None
        if s.scalar(_superseded_by(part_id)) is not None:
            raise Conflict("That part is already superseded; change the newer part instead.")
        if part_id in supersession_chain(s, other_part_id):
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


def _superseded_by(part_id: int):  # type: ignore[no-untyped-def]
    return select(PartXref.other_part_id).where(
        PartXref.part_id == part_id, PartXref.kind == XrefKind.SUPERSEDED_BY.value
    )


def supersession_chain(s: Session, part_id: int) -> list[int]:
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
        chain = supersession_chain(s, part_id)
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
