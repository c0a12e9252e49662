"""What goes on bin and part labels, read from the database (the renderers in desktop/reports/ are pure)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.codes import part_id_payload, part_payload
from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import Part
from desktop.quantities import format_qty
from desktop.reports.labels import PartLabel
from desktop.services.catalogue.label_rows import MAX_LABELS, bin_labels

__all__ = ["MAX_LABELS", "bin_labels", "part_labels"]


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
