"""How suppliers deliver: on-time in-full, measured lead time, open and late lines.

On time in full (OTIF, the dashboard's "order accuracy"): a line of an order that was sent (and not
cancelled: nothing was expected any more) is *judged* on the day it completed when that was by its
needed-by date (or it has none), otherwise on its needed-by date once that day has passed; until then it
is not judged. It is on time in full when every unit ordered had arrived by its needed-by date (a line
without one: when it completed). A period's rate = lines on time in full / lines judged in the period,
each line in the month it was judged (a line closed short is judged, and missed, on its needed-by date).
Open lines are on orders still expected (DRAFT, SENT, PARTLY RECEIVED) with something to come; late ones
were needed before today.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from desktop.models import PurchaseOrder, PurchaseOrderLine, PurchaseReceipt, StockMove, Supplier
from desktop.models.enums import ON_ORDER_STATES, PoState
from desktop.services.common import as_utc, db_time
from desktop.services.purchasing.lead_times import lead_times_in


@dataclass(frozen=True)
class LineOutcome:
    """One order line as OTIF sees it."""

    supplier: str
    judged: date | None  # None: not judged (yet): neither complete nor past its needed-by date
    on_time_in_full: bool
    open: bool  # still expected
    late: bool  # still expected and needed before today


def judge(
    *, sent: bool, cancelled: bool, complete: bool, arrived: date | None, needed: date | None, today: date
) -> tuple[date | None, bool]:
    """(the day a line is judged, whether it was on time in full): see the module."""
    if not sent or cancelled:
        return None, False
    if complete and arrived is not None and (needed is None or arrived <= needed):
        return arrived, True
    if needed is not None and needed < today:
        return needed, False
    return None, False


def line_outcomes(s: Session, *, today: date, judged_from: date | None = None) -> list[LineOutcome]:
    """Every order line, judged as of `today` (one query); with `judged_from`, only the lines that can
    be judged on or after that day (the dashboard's 12 months of a plant's years of orders)."""
    ordered = PurchaseOrderLine.packs * PurchaseOrderLine.pack_size
    last_receipt = (
        select(PurchaseReceipt.line_id, func.max(StockMove.at).label("at"))
        .join(StockMove, StockMove.id == PurchaseReceipt.move_id)
        .group_by(PurchaseReceipt.line_id)
        .subquery()
    )
    stmt = (
        select(
            Supplier.name,
            PurchaseOrder.state,
            PurchaseOrder.sent_at,
            PurchaseOrderLine.needed_by,
            PurchaseOrderLine.received_qty,
            ordered,
            last_receipt.c.at,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .outerjoin(last_receipt, last_receipt.c.line_id == PurchaseOrderLine.id)
    )
    cancelled = PoState.CANCELLED.value
    if judged_from is not None:
        # A line is judged on its last receipt's (local) day or on its needed-by date: a line with both
        # before `judged_from` cannot count (a day's margin for the receipt's time zone). Reading only
        # these, and turning their times into dates, was most of the dashboard's time.
        margin = db_time(s, datetime.combine(judged_from - timedelta(days=1), time.min, tzinfo=UTC))
        stmt = stmt.where(
            PurchaseOrder.sent_at.is_not(None),
            PurchaseOrder.state != cancelled,
            or_(PurchaseOrderLine.needed_by >= judged_from, last_receipt.c.at >= margin),
        )
    out = []
    for name, state, sent, needed, got, want, last in s.execute(stmt).tuples():
        complete = Decimal(got) >= Decimal(want)
        expected = state in ON_ORDER_STATES and not complete
        judged, good = judge(
            sent=sent is not None,
            cancelled=state == cancelled,
            complete=complete,
            arrived=as_utc(last).astimezone().date() if complete and last is not None else None,
            needed=needed,
            today=today,
        )
        out.append(
            LineOutcome(name, judged, good, expected, expected and needed is not None and needed < today)
        )
    return out


@dataclass(frozen=True)
class SupplierPerformance:
    supplier: str
    lines_due: int  # lines judged in the period
    on_time_in_full: int
    median_lead_days: float | None  # over the supplier's measured part lead times
    open_lines: int
    late_lines: int

    @property
    def otif(self) -> Decimal | None:
        """Share of lines on time in full (0..1); None before any line counts."""
        return Decimal(self.on_time_in_full) / self.lines_due if self.lines_due else None


def supplier_performance_in(
    s: Session, *, since: date, today: date | None = None
) -> list[SupplierPerformance]:
    """Per supplier: OTIF over the lines judged from `since` to today, lead time, open and late lines."""
    day = today or date.today()
    due: dict[str, int] = defaultdict(int)
    good: dict[str, int] = defaultdict(int)
    open_: dict[str, int] = defaultdict(int)
    late: dict[str, int] = defaultdict(int)
    names: set[str] = set()
    for x in line_outcomes(s, today=day):
        names.add(x.supplier)
        open_[x.supplier] += x.open
        late[x.supplier] += x.late
        if x.judged is not None and x.judged >= since:
            due[x.supplier] += 1
            good[x.supplier] += x.on_time_in_full
    leads: dict[str, list[float]] = defaultdict(list)
    for timed in lead_times_in(s).values():
        leads[timed.supplier_name].append(timed.median_days)
    return [
        SupplierPerformance(
            name,
            due[name],
            good[name],
            statistics.median(leads[name]) if leads[name] else None,
            open_[name],
            late[name],
        )
        for name in sorted(names, key=str.upper)
    ]


def order_accuracy_by_month(s: Session, *, since: date, today: date) -> dict[str, tuple[int, int]]:
    """'YYYY-MM' -> (lines judged, of them on time in full), for the lines judged from `since` to today."""
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for x in line_outcomes(s, today=today, judged_from=since):
        if x.judged is not None and since <= x.judged <= today:
            counts = months[f"{x.judged.year:04d}-{x.judged.month:02d}"]
            counts[0] += 1
            counts[1] += x.on_time_in_full
    return {key: (n, good) for key, (n, good) in months.items()}
