"""Traceability as a report: every move of one lot, or (the reverse) every lot that went out under a work
order or to a machine, as a table the Trace page shows and saves as PDF, XLSX or CSV."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

from desktop.db import Database
from desktop.errors import UserError
from desktop.quantities import format_qty
from desktop.reports.table_report import ReportTable
from desktop.services import lots
from desktop.services.lots import TraceMove


class TraceBy(StrEnum):
    LOT = "lot"  # a lot or serial number, or its label's LT- code
    REFERENCE = "reference"  # a work order, delivery note or other reference
    ASSET = "asset"  # a machine's tag (or its A- label)


HEADERS = (
    "When",
    "Move",
    "Kind",
    "Part number",
    "Lot",
    "Qty",
    "Unit",
    "From",
    "To",
    "Reference",
    "Asset",
    "By",
)
FORMATS = ("datetime", "text", "text", "text", "text", "qty", "text", "text", "text", "text", "text", "text")


def _rows(moves: Sequence[TraceMove]) -> list[tuple[object, ...]]:
    return [
        (
            m.move.at,
            f"#{m.move.id}",  # as the history and the command line name a move
            m.move.kind + (f" (reverses #{m.move.reverses_move_id})" if m.move.reverses_move_id else ""),
            m.move.part_number,
            m.move.lot_number or "",
            m.move.qty,
            m.move.unit,
            m.move.from_code or "",
            m.move.to_code or "",
            m.move.reference or "",
            m.asset_code or "",
            m.move.user_name,
        )
        for m in moves
    ]


def _lot_subtitle(t: lots.LotTrace) -> str:
    lot = t.lot
    held = ", ".join(f"{code} {format_qty(q)}" for code, q in t.on_hand) or "none left"
    total = sum((q for _c, q in t.on_hand), Decimal(0))
    released = "; released after expiry by a supervisor" if lot.released else ""
    return (
        f"{lot.code} {lot.label}: received {format_qty(t.received)} {lot.unit} from "
        f"{lot.supplier_name or 'no supplier named'}; now {format_qty(total)} {lot.unit} ({held}){released}"
    )


def trace_table(db: Database, by: TraceBy, code: str, *, part_number: str | None = None) -> ReportTable:
    """The trace of `code` read as `by`, oldest move first."""
    text = " ".join(code.split())
    if not text:
        raise UserError(f"Scan or type the {by.value} to trace.", field="code")
    if by is TraceBy.LOT:
        from desktop.services.catalogue import parts

        part_id = parts.get_part_id(db, part_number) if part_number else None
        t = lots.trace(db, text, part_id=part_id)
        return ReportTable(
            f"Trace of lot {t.lot.lot_number}", _lot_subtitle(t), HEADERS, FORMATS, _rows(t.moves)
        )
    if by is TraceBy.REFERENCE:
        moves, where = lots.trace_reference(db, text), f"under {text}"
    else:
        moves, where = lots.trace_asset(db, text), f"to asset {text.upper()}"
    used = sorted({(m.move.part_number, m.move.lot_number or "") for m in moves})
    named = "; ".join(f"{p} lot {n}" for p, n in used[:12]) + ("; …" if len(used) > 12 else "")
    subtitle = (
        f"{len(moves):,} move(s) of {len(used):,} lot(s) {where}" + (f": {named}" if named else "")
        if moves
        else f"no move of a tracked part {where}"
    )
    return ReportTable(f"Lots {where}", subtitle, HEADERS, FORMATS, _rows(moves))
