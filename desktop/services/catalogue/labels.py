"""What goes on bin and part labels, read from the database (the renderers in desktop/reports/ are pure)."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from desktop.codes import location_id_payload, location_payload, part_id_payload, part_payload
from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import Location, Part, StockBalance
from desktop.quantities import format_qty
from desktop.reports.labels import BinLabel, PartLabel
from desktop.services.catalogue.locations import within

MAX_LABELS = 50_000  # one job; beyond this a printer queue and a clerk both give up


def _bin_parts(s: Session, location_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The part normally stored in each bin: the one with the most stock there (ties: lowest number)."""
    rows = s.execute(
        select(StockBalance.location_id, Part.part_number, Part.description, StockBalance.qty)
        .join(Part, Part.id == StockBalance.part_id)
        .where(StockBalance.location_id.in_(location_ids), StockBalance.qty > 0)
        .order_by(StockBalance.location_id, StockBalance.qty.desc(), Part.number_key)
    ).all()
    found: dict[int, tuple[str, str]] = {}
    for loc_id, number, description, _qty in rows:
        found.setdefault(loc_id, (number, description))
    return found


def bin_labels(
    db: Database, location_ids: list[int], *, subtree: bool = False, with_part: bool = True
) -> list[BinLabel]:
    """Labels for the given locations (with `subtree`, every location below them too), in walk order."""
    if not location_ids:
        raise UserError("Select at least one location to label.")

    def op(s: Session) -> list[BinLabel]:
        roots = list(s.scalars(select(Location).where(Location.id.in_(location_ids))))
        if len(roots) != len(set(location_ids)):
            raise NotFound("Some of the selected locations no longer exist.")
        if subtree:
            below = or_(*[within(r.path) for r in roots])
            chosen = list(s.scalars(select(Location).where(Location.active, below)))
        else:
            chosen = roots
        if len(chosen) > MAX_LABELS:
            raise UserError(f"{len(chosen):,} labels is too many for one job (at most {MAX_LABELS:,}).")
        chosen.sort(key=lambda loc: loc.path)  # tree order: a rack's bins follow the rack
        parts = _bin_parts(s, [loc.id for loc in chosen]) if with_part else {}
        return [
            BinLabel(
                code=loc.code,
                barcode=location_payload(loc.code),
                path=" > ".join(loc.path.strip("/").split("/")[:-1]),
                part_number=parts.get(loc.id, (None, None))[0],
                part_description=parts.get(loc.id, (None, None))[1],
                compact=location_id_payload(loc.id),
            )
            for loc in chosen
        ]

    return db.read(op)


def part_labels(db: Database, part_ids: list[int]) -> list[PartLabel]:
    if not part_ids:
        raise UserError("Select at least one part to label.")
    if len(part_ids) > MAX_LABELS:
        raise UserError(f"{len(part_ids):,} labels is too many for one job (at most {MAX_LABELS:,}).")

    def op(s: Session) -> list[PartLabel]:
        by_id = {p.id: p for p in s.scalars(select(Part).where(Part.id.in_(part_ids)))}
        missing = [i for i in part_ids if i not in by_id]
        if missing:
            raise NotFound(f"{len(missing)} of the selected parts no longer exist.")
        return [
            PartLabel(
                part_number=p.part_number,
                barcode=part_payload(p.part_number, p.id),
                description=p.description,
                unit=p.unit,
                min_qty=format_qty(p.min_qty) if p.min_qty is not None else None,
                max_qty=format_qty(p.max_qty) if p.max_qty is not None else None,
                compact=part_id_payload(p.id),
            )
            for p in (by_id[i] for i in part_ids)
        ]

    return db.read(op)
