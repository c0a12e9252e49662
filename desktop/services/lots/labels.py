"""Lot labels: a lot's `LT-<id>` code as Code128 and QR (the part label's layout), its lot number printed
large, the part and the expiry beneath, so a scan of it at any screen resolves the lot."""

from __future__ import annotations

from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.reports.labels import PartLabel
from desktop.services.catalogue.labels import MAX_LABELS
from desktop.services.lots.records import one_lot


def lot_labels(db: Database, codes: list[str], *, part_id: int | None = None) -> list[PartLabel]:
    """One label per lot named (its number, or its `LT-` code), in the order given."""
    if not codes:
        raise UserError("Name at least one lot to label.")
    if len(codes) > MAX_LABELS:
        raise UserError(f"{len(codes):,} labels is too many for one job (at most {MAX_LABELS:,}).")

    def op(s: Session) -> list[PartLabel]:
        labels = []
        for code in codes:
            lot = one_lot(s, code, part_id)
            expiry = f"; expires {lot.expires_on.isoformat()}" if lot.expires_on else ""
            labels.append(
                PartLabel(
                    part_number=lot.lot_number,
                    barcode=lot.code,
                    description=f"{lot.part_number}{expiry}",
                    unit=lot.unit,
                )
            )
        return labels

    return db.read(op)
