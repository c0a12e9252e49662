"""Stock by category: every part filed in a category or anywhere below it, with what it holds and its
value, in tree order; a category's subtotal is the sum of the rows under it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Category, Part, PartCategoryLink, StockBalance
from desktop.reports.table_report import ReportTable
from desktop.services.catalogue import categories

ZERO = Decimal(0)
NONE = "(no category)"


def stock_by_category(db: Database, *, category: str | None = None) -> ReportTable:
    """`category`: a path as typed ("Fasteners > Bolts" or "Fasteners/Bolts"); None: the whole catalogue."""
    wanted = categories.parse_path(category or "")

    def op(s: Session) -> ReportTable:
        on_hand = (
            select(StockBalance.part_id, func.sum(StockBalance.qty).label("qty"))
            .group_by(StockBalance.part_id)
            .subquery()
        )
        stmt = (
            select(
                Category.path, Part.part_number, Part.description, Part.unit, on_hand.c.qty, Part.unit_cost
            )
            .select_from(Part)
            .outerjoin(PartCategoryLink, PartCategoryLink.part_id == Part.id)
            .outerjoin(Category, Category.id == PartCategoryLink.category_id)
            .outerjoin(on_hand, on_hand.c.part_id == Part.id)
            .where(Part.active)
        )
        scope = "every category (and parts in none)"
        if wanted:
            key = categories.key_of(wanted)
            if s.scalar(select(Category.id).where(Category.path_key == key)) is None:
                raise UserError(f"There is no category {categories.show(wanted)}.", field="category")
            stmt = stmt.where(categories.subtree_filter(key))
            scope = f"{categories.show(wanted)} and every category below it"
        rows = [
            (path or NONE, number, description, unit, Decimal(qty or 0), cost, Decimal(qty or 0) * cost)
            for path, number, description, unit, qty, cost in s.execute(stmt)
        ]
        # tree order: a category's parts, then those of the categories below it
        rows.sort(
            key=lambda r: (r[0] == NONE, tuple(n.upper() for n in r[0].split(categories.SEPARATOR)), r[1])
        )
        value = sum((r[6] for r in rows), ZERO)
        filed = len({r[0] for r in rows if r[0] != NONE})
        return ReportTable(
            "Stock by category",
            f"{len(rows):,} active parts in {filed:,} categories: {scope}",
            ("Category", "Part number", "Description", "Unit", "On hand", "Unit cost", "Value"),
            ("text", "text", "text", "text", "qty", "money", "money"),
            rows,
            ("Total", "", "", "", None, None, value.quantize(Decimal("0.01"))),
        )

    return db.read(op)
