"""Inventory record accuracy: approved lines within tolerance / approved lines counted (a hit rate, not
value-netted), grouped by class, area or month, with the value of the adjustments (gross: every
variance counts, a gain does not cancel a loss). A tracked part's (part, bin) is one line however many
lots it holds, accurate when each lot line is (counts.approval.accurate_bins); its value is the sum of
its lot lines' variances, each gross, as they were posted."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import CountLine, Location, Part
from desktop.services.common import as_utc, db_time
from desktop.services.counts.approval import accurate_bins, bin_key

GROUPINGS = {"class": "Class", "area": "Area", "month": "Month"}


@dataclass(frozen=True)
class Ira:
    counted: int
    within: int
    adjustment_value: Decimal

    @property
    def ira_pct(self) -> Decimal:
        return (
            (Decimal(self.within) * 100 / self.counted).quantize(Decimal("0.1"))
            if self.counted
            else Decimal(0)
        )


def _key(by: str, part: Part, path: str, decided: datetime) -> str:
    if by == "class":
        return part.abc_override or part.abc_class or "C"
    if by == "area":
        return "/".join(path.split("/")[:2])
    return as_utc(decided).astimezone().strftime("%Y-%m")  # the month the line was approved, local time


def ira(db: Database, *, by: str = "class", since: datetime | None = None) -> dict[str, Ira]:
    """IRA of the approved lines (since `since`), by class, area (site/area of the bin) or month."""
    if by not in GROUPINGS:
        raise UserError("IRA is grouped by class, area or month.")

    def op(s: Session) -> dict[str, Ira]:
        stmt = (
            select(CountLine, Part, Location.path)
            .join(Part, Part.id == CountLine.part_id)
            .join(Location, Location.id == CountLine.location_id)
            .where(CountLine.status == "APPROVED", CountLine.counted_qty.is_not(None))
        )
        if since is not None:
            stmt = stmt.where(CountLine.updated_at >= db_time(s, since))
        rows = s.execute(stmt).tuples().all()
        accurate = accurate_bins(line for line, _p, _path in rows)
        bins: dict[tuple[int, int, int], tuple[str, Decimal]] = {}  # its group and its value
        for line, part, path in rows:
            variance = abs(Decimal(line.counted_qty or 0) - Decimal(line.expected_qty or 0))
            group, value = bins.get(bin_key(line), (_key(by, part, path, line.updated_at), Decimal(0)))
            bins[bin_key(line)] = (group, value + variance * part.unit_cost)
        groups: dict[str, list[tuple[bool, Decimal]]] = defaultdict(list)
        for key, (group, value) in bins.items():
            groups[group].append((accurate[key], value))
        return {
            k: Ira(len(v), sum(1 for ok, _v in v if ok), sum((val for _ok, val in v), Decimal(0)))
            for k, v in sorted(groups.items())
        }

    return db.read(op)


def total(groups: dict[str, Ira]) -> Ira:
    return Ira(
        sum(g.counted for g in groups.values()),
        sum(g.within for g in groups.values()),
        sum((g.adjustment_value for g in groups.values()), Decimal(0)),
    )
