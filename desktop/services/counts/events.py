"""Event rules for cycle counts, read from the ledger and the short-issue log (no hook in stock posting):

- a bin where a move (other than a count) left the part at zero: a cheap check that it really is empty;
- a bin where an issue came up short: the book said more than the shelf held.

Only events since the bin/part was last counted (the snapshot of the latest session in which the line
was counted) and within the settings' look-back window count; a line counted since is off the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Select, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from desktop.models import CountLine, CountSession, Location, Part, ShortIssue, StockBalance, StockMove, User
from desktop.models.enums import MoveKind
from desktop.quantities import format_qty
from desktop.services.common import as_utc, db_time
from desktop.services.counts.settings import CountSettings

ZERO = Decimal("0.00005")  # half the ledger's last place: SQLite sums decimals as doubles


@dataclass(frozen=True)
class CountEvent:
    part_id: int
    location_id: int
    at: datetime
    reason: str


def _last_counted() -> Select[tuple[int, int, int, datetime]]:
    """Per (part, location): the snapshot id and start of the latest session that counted it."""
    return (
        select(
            CountLine.part_id,
            CountLine.location_id,
            func.max(CountSession.snapshot_move_id).label("move_id"),
            func.max(CountSession.started_at).label("at"),
        )
        .join(CountSession, CountSession.id == CountLine.session_id)
        .where(CountLine.counted_qty.is_not(None))
        .group_by(CountLine.part_id, CountLine.location_id)
    )


def _when(at: datetime) -> str:
    return as_utc(at).astimezone().strftime("%Y-%m-%d %H:%M")


def emptied_bins(s: Session, since: datetime) -> list[CountEvent]:
    """Bins a move left at zero since `since` and since they were last counted (latest move each)."""
    legs = union_all(
        select(
            StockMove.id,
            StockMove.part_id,
            StockMove.from_location_id.label("loc"),
            (-StockMove.qty).label("delta"),
            literal(1).label("outgoing"),
        ).where(StockMove.from_location_id.is_not(None), StockMove.at >= since),
        select(
            StockMove.id,
            StockMove.part_id,
            StockMove.to_location_id.label("loc"),
            StockMove.qty.label("delta"),
            literal(0).label("outgoing"),
        ).where(StockMove.to_location_id.is_not(None), StockMove.at >= since),
    ).subquery()
    # what the moves after this one did to the bin: balance after the move = balance now - that
    later = (
        func.sum(legs.c.delta)
        .over(partition_by=(legs.c.part_id, legs.c.loc), order_by=legs.c.id.desc(), rows=(None, -1))
        .label("later")
    )
    windowed = select(legs, later).subquery()
    last = _last_counted().subquery()
    rows = s.execute(
        select(
            windowed.c.part_id,
            windowed.c.loc,
            func.coalesce(StockBalance.qty, 0),
            windowed.c.later,
            StockMove.kind,
            StockMove.at,
            User.display_name,
        )
        .join(StockMove, StockMove.id == windowed.c.id)
        .join(User, User.id == StockMove.user_id)
        .join(
            StockBalance,
            and_(StockBalance.part_id == windowed.c.part_id, StockBalance.location_id == windowed.c.loc),
            isouter=True,
        )
        .join(
            last,
            and_(last.c.part_id == windowed.c.part_id, last.c.location_id == windowed.c.loc),
            isouter=True,
        )
        .where(
            windowed.c.outgoing == 1,
            StockMove.kind != MoveKind.COUNT.value,  # a count's own adjustment is not a reason to count again
            windowed.c.id > func.coalesce(last.c.move_id, 0),
        )
        .order_by(windowed.c.id.desc())
    ).tuples()
    out: dict[tuple[int, int], CountEvent] = {}
    for part_id, loc_id, now, later, kind, at, who in rows:
        after = Decimal(str(now)) - Decimal(str(later or 0))
        if abs(after) < ZERO and (part_id, loc_id) not in out:
            out[(part_id, loc_id)] = CountEvent(
                part_id, loc_id, at, f"left empty by {kind.lower()} {_when(at)} ({who})"
            )
    return list(out.values())


def short_issues(s: Session, since: datetime) -> list[CountEvent]:
    """Bins where an issue was short since `since` and since they were last counted (latest each)."""
    last = _last_counted().subquery()
    rows = s.execute(
        select(ShortIssue, User.display_name)
        .join(User, User.id == ShortIssue.user_id)
        .join(
            last,
            and_(last.c.part_id == ShortIssue.part_id, last.c.location_id == ShortIssue.location_id),
            isouter=True,
        )
        .where(
            ShortIssue.location_id.is_not(None),
            ShortIssue.at >= since,
            or_(last.c.at.is_(None), ShortIssue.at > last.c.at),
        )
        .order_by(ShortIssue.id.desc())
    ).tuples()
    out: dict[tuple[int, int], CountEvent] = {}
    for short, who in rows:
        assert short.location_id is not None
        key = (short.part_id, short.location_id)
        if key not in out:
            out[key] = CountEvent(
                short.part_id,
                short.location_id,
                short.at,
                f"short issue {_when(short.at)} ({who}): asked {format_qty(Decimal(short.requested_qty))}, "
                f"got {format_qty(Decimal(short.issued_qty))}",
            )
    return list(out.values())


def events(s: Session, settings: CountSettings, *, now: datetime | None = None) -> list[CountEvent]:
    """Both rules, for active parts in active locations, newest first."""
    since = db_time(s, (now or datetime.now(UTC)) - timedelta(days=settings.event_days))
    found = emptied_bins(s, since) + short_issues(s, since)
    if not found:
        return []
    active_parts = set(s.scalars(select(Part.id).where(Part.active, Part.id.in_({e.part_id for e in found}))))
    active_locs = set(
        s.scalars(select(Location.id).where(Location.active, Location.id.in_({e.location_id for e in found})))
    )
    kept = [e for e in found if e.part_id in active_parts and e.location_id in active_locs]
    return sorted(kept, key=lambda e: as_utc(e.at), reverse=True)
