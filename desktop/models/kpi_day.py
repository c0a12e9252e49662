"""Daily sums of the ledger the KPIs read instead of the ledger itself (migration 0018_kpi_daily)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, SmallInteger
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base

# money in the sums is held as whole units of 10^-8 (a quantity's 4 places x a cost's 4 places):
# integers add exactly on SQLite too, where NUMERIC is a double
VALUE_PLACES = 8


class KpiDay(Base):
    """What the moves of one UTC day did, over the whole plant. Written only by database triggers on
    `stock_move` and `short_issue` (in the posting's own transaction, whichever way the row came: a
    post, a batch, an import, a script); read summed over `shard`.

    shard         on PostgreSQL the posting connection's slot (backend pid % 32): concurrent postings add
                  to different rows, so they neither wait for each other's commit nor deadlock; 0 on SQLite
    value_change  net stock change (in +, out -, transfers 0) x the cost on the move
    consumed      consumption (issues and scrap out, less returns; a reversal nets its original) x the
                  cost on the move (desktop/services/insight/consumption.py)
    issues        issues out of stock that are no reversal, were not reversed and are no short issue's
                  hand-over: the requests filled in full of the fill rate
    """

    __tablename__ = "kpi_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    value_change: Mapped[int] = mapped_column(BigInteger)
    consumed: Mapped[int] = mapped_column(BigInteger)
    issues: Mapped[int]
