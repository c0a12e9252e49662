"""Lots, serial numbers and shelf life: the public face the UI and CLI use.

The names load on first use (as desktop.models does): services.stock.moves imports lots.ledger, and the
receiving side imports stock, so an eager face here would go round in a circle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop.lazy_names import lazy_names

if TYPE_CHECKING:
    from desktop.services.lots.gs1 import Gs1, parse
    from desktop.services.lots.issuing import LotStock, format_lot_stock, lots_of_part, propose, release
    from desktop.services.lots.labels import lot_labels
    from desktop.services.lots.quarantine import (
        auto_quarantine,
        quarantine_expired,
        quarantine_location,
        set_quarantine_location,
    )
    from desktop.services.lots.receiving import (
        LotReceipt,
        LotReceiptResult,
        TrackingInput,
        check_tracking,
        receive,
        set_tracking,
    )
    from desktop.services.lots.records import (
        LOT_NUMBER_MAX,
        LOT_PREFIX,
        LotDTO,
        find_lots,
        lot_id_for,
        lot_key,
        one_lot,
    )
    from desktop.services.lots.tracing import (
        ExpiringLot,
        LotTrace,
        TraceMove,
        expiring,
        trace,
        trace_reference,
    )

_MODULES = {
    "Gs1": "gs1",
    "parse": "gs1",
    "lot_labels": "labels",
    "LotStock": "issuing",
    "format_lot_stock": "issuing",
    "propose": "issuing",
    "lots_of_part": "issuing",
    "release": "issuing",
    "quarantine_expired": "quarantine",
    "quarantine_location": "quarantine",
    "set_quarantine_location": "quarantine",
    "auto_quarantine": "quarantine",
    "LotReceipt": "receiving",
    "LotReceiptResult": "receiving",
    "TrackingInput": "receiving",
    "receive": "receiving",
    "check_tracking": "receiving",
    "set_tracking": "receiving",
    "LOT_NUMBER_MAX": "records",
    "LOT_PREFIX": "records",
    "LotDTO": "records",
    "find_lots": "records",
    "one_lot": "records",
    "lot_id_for": "records",
    "lot_key": "records",
    "ExpiringLot": "tracing",
    "LotTrace": "tracing",
    "TraceMove": "tracing",
    "expiring": "tracing",
    "trace": "tracing",
    "trace_reference": "tracing",
    "trace_asset": "tracing",
}


_load = lazy_names(__name__, _MODULES, globals())


def __getattr__(name: str) -> Any:
    return _load(name)


__all__ = [
    "LOT_NUMBER_MAX",
    "LOT_PREFIX",
    "ExpiringLot",
    "Gs1",
    "LotDTO",
    "LotReceipt",
    "LotReceiptResult",
    "LotStock",
    "LotTrace",
    "TraceMove",
    "TrackingInput",
    "auto_quarantine",
    "check_tracking",
    "expiring",
    "find_lots",
    "format_lot_stock",
    "lot_id_for",
    "lot_key",
    "lot_labels",
    "lots_of_part",
    "one_lot",
    "parse",
    "propose",
    "quarantine_expired",
    "quarantine_location",
    "receive",
    "release",
    "set_quarantine_location",
    "set_tracking",
    "trace",
    "trace_asset",
    "trace_reference",
]
