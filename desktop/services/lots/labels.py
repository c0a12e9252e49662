"""Lot labels: a lot's `LT-<id>` code as Code128 and QR, its lot number printed large, the expiry and
the part (number and description) beneath, so a scan of it at any screen resolves the lot. The bin
label's layout (Code128 beside or under a QR, on every format; badges use it too)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Part
from desktop.reports.label_types import BinLabel
from desktop.services.catalogue.labels import MAX_LABELS
from desktop.services.lots.records import one_lot


def lot_labels(db: Database, codes: list[str], *, part_id: int | None = None) -> list[BinLabel]:
    """One label per lot named (its number, or its `LT-` code), in the order given."""
    if not codes:
        raise UserError("Name at least one lot to label.")
    if len(codes) > MAX_LABELS:
        raise UserError(f"{len(codes):,} labels is too many for one job (at most {MAX_LABELS:,}).")

    def op(s: Session) -> list[BinLabel]:
        labels = []
        for code in codes:
            lot = one_lot(s, code, part_id)
            what = "Serial" if lot.tracking == "SERIAL" else "Lot"
            expiry = f"expires {lot.expires_on.isoformat()}" if lot.expires_on else "no expiry"
            labels.append(
                BinLabel(
                    code=lot.lot_number,
                    barcode=lot.code,
                    path=f"{what} · {expiry}",
                    part_number=lot.part_number,
                    part_description=s.scalar(select(Part.description).where(Part.id == lot.part_id)),
                )
            )
        return labels

    return db.read(op)
