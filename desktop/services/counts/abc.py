"""ABC classes from usage value, and the Pareto curve behind them.

usage value   12 months of consumption (desktop/services/insight/consumption.py: issues and scrap out, less
              returns, reversals netted), each move valued at the cost on it; the same consumption the
              turnover figures use
classes       parts sorted by usage value; the top `a_pct` of the value is A, the next `b_pct` B, the rest
              C (thresholds from the count settings; a manual override on the part wins)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import Part, StockMove
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue.typed_codes import find_part_by_code
from desktop.services.common import db_time
from desktop.services.counts.settings import read_count_settings
from desktop.services.insight.consumption import consumed_value, is_consumption

_IDS_PER_UPDATE = 5_000  # bound parameters per statement, well under SQLite's limit
PARETO_POINTS = 400  # enough for a smooth curve; 100,000 points would only slow the chart down


@dataclass(frozen=True)
class AbcRow:
    part_id: int
    part_number: str
    description: str
    usage_value: Decimal
    cumulative_pct: Decimal
    computed: str
    override: str | None
    stored: str | None  # the class the part has now (before a classify writes `computed`)

    @property
    def abc(self) -> str:
        return self.override or self.computed


def abc_classes(
    values: list[tuple[int, Decimal]], a_pct: Decimal = Decimal(80), b_pct: Decimal = Decimal(15)
) -> dict[int, tuple[str, Decimal]]:
    """Class and cumulative % per part id: a part is A while the value before it is under a_pct of the
    total (so the part that crosses the line is still A), B up to a_pct + b_pct, C after."""
    ranked = sorted(values, key=lambda pv: (-pv[1], pv[0]))
    classes = _ranked_classes(ranked, a_pct, b_pct)
    return {pid: found for (pid, _v), found in zip(ranked, classes, strict=True)}


def _ranked_classes(
    ranked: list[tuple[int, Decimal]], a_pct: Decimal, b_pct: Decimal
) -> list[tuple[str, Decimal]]:
    """(class, cumulative %) for values already sorted largest first."""
    total = sum((v for _p, v in ranked), Decimal(0))
    hundred, cent = Decimal(100), Decimal("0.01")
    out: list[tuple[str, Decimal]] = []
    running = Decimal(0)
    for _pid, value in ranked:
        if value <= 0:  # the unused tail: all C at 100 %, no arithmetic (often half the parts)
            out.extend([("C", hundred.quantize(cent))] * (len(ranked) - len(out)))
            break
        before = running * 100 / total
        running += value
        cls = "A" if before < a_pct else ("B" if before < a_pct + b_pct else "C")
        out.append((cls, (running * 100 / total).quantize(cent)))
    return out


def abc_rows(
    s: Session, *, a_pct: Decimal | None = None, b_pct: Decimal | None = None, months: int = 12
) -> list[AbcRow]:
    """The Pareto of the last `months` of usage value, largest first (ties by part number); thresholds
    default to the count settings. Nothing is written."""
    settings = read_count_settings(s)
    a = settings.a_pct if a_pct is None else a_pct
    b = settings.b_pct if b_pct is None else b_pct
    cutoff = db_time(s, datetime.now(UTC) - timedelta(days=round(months * 30.44)))
    conn = s.connection()  # Core rows: the ORM's row loading would add a third to the time
    used = dict(
        conn.execute(
            select(StockMove.part_id, func.sum(consumed_value()))
            .join(Part, Part.id == StockMove.part_id)
            .where(is_consumption(), StockMove.at >= cutoff)
            .group_by(StockMove.part_id)
        )
        .tuples()
        .all()
    )
    # plain columns, not Part objects: building 100,000 ORM instances was most of the time
    parts = (
        conn.execute(
            select(Part.id, Part.part_number, Part.description, Part.abc_override, Part.abc_class)
            .where(Part.active)
            .order_by(Part.part_number)
        )
        .tuples()
        .all()
    )
    zero = Decimal(0)
    valued = [(max(Decimal(used.get(p[0]) or 0), zero), p) for p in parts]
    valued.sort(key=lambda vp: vp[0], reverse=True)  # stable: equal values stay in part number order
    ranked = _ranked_classes([(p[0], v) for v, p in valued], a, b)
    return [
        AbcRow(pid, number, description, value, cumulative, cls, override, stored)
        for (value, (pid, number, description, override, stored)), (cls, cumulative) in zip(
            valued, ranked, strict=True
        )
    ]


def classify(
    db: Database,
    actor: Actor,
    *,
    a_pct: Decimal | None = None,
    b_pct: Decimal | None = None,
    months: int = 12,
) -> list[AbcRow]:
    """Recompute every part's ABC class from the last `months` of usage value; returns the Pareto rows."""
    actor.require(Permission.PLAN_COUNTS)

    def op(s: Session) -> list[AbcRow]:
        settings = read_count_settings(s)
        chosen = replace(
            settings,
            a_pct=settings.a_pct if a_pct is None else a_pct,
            b_pct=settings.b_pct if b_pct is None else b_pct,
        )
        chosen.check()
        rows = abc_rows(s, a_pct=chosen.a_pct, b_pct=chosen.b_pct, months=months)
        # only the parts whose class moved, a few set-based UPDATEs per class (not 100,000 flushed objects)
        for cls in "ABC":
            moved = [r.part_id for r in rows if r.computed == cls and r.stored != cls]
            for at in range(0, len(moved), _IDS_PER_UPDATE):
                ids = moved[at : at + _IDS_PER_UPDATE]
                s.execute(
                    update(Part).where(Part.id.in_(ids)).values(abc_class=cls),
                    execution_options={"synchronize_session": False},
                )
        record(
            s,
            actor.user_id,
            "counts.classify",
            "part",
            None,
            f"ABC over {months} months: A {chosen.a_pct} %, B {chosen.b_pct} %",
        )
        return rows

    return db.write(op)


@dataclass(frozen=True)
class Pareto:
    """Cumulative % of usage value against % of parts (largest first), for the chart."""

    points: tuple[tuple[float, float], ...]
    a_pct: Decimal
    b_pct: Decimal
    parts_by_class: dict[str, int]  # by the computed class (overrides are not part of the curve)
    total_value: Decimal

    def cut_at_parts(self, cls: str) -> float:
        """% of parts at which class `cls` ends (A: the A/B line, B: the B/C line)."""
        n = sum(self.parts_by_class.values())
        upto = sum(self.parts_by_class[c] for c in "AB"[: "AB".index(cls) + 1])
        return 100.0 * upto / n if n else 0.0


def pareto(db: Database, *, months: int = 12) -> Pareto:
    def op(s: Session) -> Pareto:
        settings = read_count_settings(s)
        rows = sorted(abc_rows(s, months=months), key=lambda r: r.cumulative_pct)
        n = len(rows)
        step = max(1, n // PARETO_POINTS)
        keep = {0, *range(step - 1, n, step), n - 1} if n else set()
        for i in range(1, n):  # the class boundaries, so the curve meets the cut lines exactly
            if rows[i].computed != rows[i - 1].computed:
                keep |= {i - 1, i}
        points = [(0.0, 0.0)] + [(100.0 * (i + 1) / n, float(rows[i].cumulative_pct)) for i in sorted(keep)]
        return Pareto(
            tuple(points),
            settings.a_pct,
            settings.b_pct,
            {c: sum(1 for r in rows if r.computed == c) for c in "ABC"},
            sum((r.usage_value for r in rows), Decimal(0)),
        )

    return db.read(op)


def set_override(db: Database, actor: Actor, part_number: str, abc: str | None) -> str:
    """Pin a part's class (A, B or C) whatever its usage value, or None to follow the value again;
    returns the class the part has now."""
    actor.require(Permission.PLAN_COUNTS)
    if abc not in (None, "A", "B", "C"):
        raise UserError("The class override is A, B, C or none.", field="abc")

    def op(s: Session) -> str:
        part = find_part_by_code(s, part_number)
        if part is None:
            raise NotFound(f"No part {part_number.strip()}.", field="part")
        if part.abc_override != abc:
            record(
                s,
                actor.user_id,
                "counts.abc_override",
                "part",
                part.id,
                f"{part.part_number}: class override {part.abc_override or 'none'} -> {abc or 'none'}",
            )
            part.abc_override = abc
        return abc or part.abc_class or "C"

    return db.write(op)
