"""Importing and exporting kanban loops.

A loop is matched on part number + consumption location (the line it feeds); a retired loop is
history and never matched again. Everything goes through the kanban service inside the import's one
transaction: a new loop gets its cards from kanban.create_loop, a changed number of cards or container
quantity goes through kanban.edit_loop (a new container quantity bumps the loop's version, so cards
printed before it must be reprinted), a status change through kanban.set_loop_status. The dry run
checks each loop with the same rules create_loop applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from desktop.errors import UserError
from desktop.models import KanbanLoop, Location, Part, Supplier
from desktop.quantities import format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue import parts as part_service
from desktop.services.catalogue.suppliers import name_key
from desktop.services.io.common import (
    Column,
    Handler,
    Plan,
    Progress,
    Rows,
    row_failed,
    tick,
)
from desktop.services.io.mro import location_ref, plain
from desktop.services.io.tabular import file_number
from desktop.services.kanban import loops as kanban

LOOP_COLUMNS = (
    Column("part_number", "Part number", True, ("part no", "pn", "item", "sku", "part")),
    Column(
        "consumption",
        "Consumption location",
        True,
        ("line location", "line", "consumption", "point of use", "pou", "location"),
    ),
    Column("kind", "Kind", aliases=("loop kind", "loop type")),
    Column("supplier", "Supplier", aliases=("vendor", "order from")),
    Column("supply_location", "Supply location", aliases=("supply", "pick from", "source location")),
    Column(
        "container_qty",
        "Container qty",
        aliases=("container", "container quantity", "qty per card", "qty per container", "bin qty"),
    ),
    Column("card_count", "Cards", aliases=("number of cards", "card count", "no of cards", "kanbans")),
    Column("lead_time_days", "Lead time days", aliases=("lead time", "lt", "lead time (days)")),
    Column("safety_factor", "Safety factor", aliases=("safety", "safety %")),
    Column("status", "Status", aliases=("loop status",)),
)
LIVE_STATUSES = ("ACTIVE", "HOLD", "RETIRED")
# kanban's own error fields -> this file's columns
_FIELDS = {
    "part": "part_number",
    "consumption_location": "consumption",
    "supply_location": "supply_location",
    "supplier": "supplier",
    "container_qty": "container_qty",
    "qty": "container_qty",  # a container of a whole-number unit holding a fraction
    "card_count": "card_count",
    "lead_time_days": "lead_time_days",
}
_DEFAULT_LEAD, _DEFAULT_SAFETY = kanban.LoopInput.lead_time_days, kanban.LoopInput.safety_factor


@dataclass(frozen=True)
class _Loop:
    """The fields of a loop a file sets, with the supplier as the loop will really have it."""

    kind: str
    supplier_id: int | None
    supply_location_id: int | None
    container_qty: Decimal
    card_count: int
    lead_time_days: Decimal
    safety_factor: Decimal
    status: str


@dataclass(frozen=True)
class _LoopRow:
    n: int
    data: kanban.LoopInput
    new: _Loop
    old: _Loop | None
    loop_id: int | None


def _current(loop: KanbanLoop) -> _Loop:
    return _Loop(
        loop.kind,
        loop.supplier_id,
        loop.supply_location_id,
        Decimal(loop.container_qty),
        loop.card_count,
        Decimal(loop.lead_time_days),
        Decimal(loop.safety_factor),
        loop.status,
    )


def _factor(rows: Rows, n: int, row: Sequence[str]) -> Decimal | None:
    """A safety factor as 0.1 or as 10 %."""
    text = rows.cell(row, "safety_factor")
    if not text.endswith("%"):
        return rows.number(n, row, "safety_factor")
    try:
        return file_number(text[:-1], decimal_comma=rows.table.decimal_comma) / 100
    except ValueError as exc:
        rows.problem(n, "safety_factor", str(exc))
        return None


def _plan_loops(s: Session, rows: Rows) -> tuple[Plan, list[_LoopRow]]:
    parts = {k: (i, d) for k, i, d in s.execute(select(Part.number_key, Part.id, Part.default_supplier_id))}
    locations = dict(s.execute(select(Location.code, Location.id)).tuples().all())
    suppliers = dict(s.execute(select(Supplier.name_key, Supplier.id)).tuples().all())
    live: dict[tuple[int, int], list[KanbanLoop]] = {}
    retired: set[tuple[int, int]] = set()
    for loop in s.scalars(select(KanbanLoop).order_by(KanbanLoop.id)):
        key = (loop.part_id, loop.consumption_location_id)
        if loop.status == "RETIRED":
            retired.add(key)
        else:
            live.setdefault(key, []).append(loop)
    seen: dict[tuple[int, int], int] = {}
    planned: list[_LoopRow] = []
    already_retired = 0
    for n, row in enumerate(rows.table.rows):
        before = len(rows.problems)
        number, code = rows.cell(row, "part_number"), location_ref(rows.cell(row, "consumption"))
        part, line = parts.get(part_service.number_key(number)), locations.get(code)
        if part is None:
            rows.problem(n, "part_number", f"no part {number}: import the parts first")
        if line is None:
            rows.problem(n, "consumption", f"no location {code}: import the locations first")
        if part is None or line is None:
            continue
        key = (part[0], line)
        if key in seen:
            rows.problem(n, "consumption", f"the loop of {number} at {code} is also on row {seen[key] + 2}")
            continue
        seen[key] = n
        loops = live.get(key, [])
        if len(loops) > 1:
            rows.problem(
                n,
                "consumption",
                f"{number} at {code} has {len(loops)} loops: the file cannot say which one it means; "
                "change them on the Kanban page",
            )
            continue
        old = _current(loops[0]) if loops else None
        new = _read_loop(rows, n, row, old, suppliers, locations)
        if new is None:
            continue
        if new.status == "RETIRED" and old is None:
            if key in retired:
                already_retired += 1  # retired before: nothing to do
            else:
                rows.problem(n, "status", f"{number} at {code} has no loop to retire")
            continue
        data = kanban.LoopInput(
            part[0],
            kanban.LoopKind(new.kind),
            line,
            new.container_qty,
            new.card_count,
            new.lead_time_days,
            new.safety_factor,
            new.supply_location_id,
            new.supplier_id,
        )
        try:  # the rules kanban.create_loop applies, checked now so the dry run lists them by row
            kanban._check(s, data)
        except UserError as exc:
            rows.problem(n, _FIELDS.get(exc.field or "", "part_number"), exc.message)
        if new.kind == kanban.LoopKind.PURCHASE and new.supplier_id is None:
            new = replace(new, supplier_id=part[1])  # as create_loop does: the part's default supplier
        if len(rows.problems) == before:
            planned.append(_LoopRow(n, data, new, old, loops[0].id if loops else None))
    creates = sum(1 for r in planned if r.old is None)
    updates = sum(1 for r in planned if r.old is not None and r.new != r.old)
    return rows.plan(creates, updates, len(planned) - creates - updates + already_retired), planned


def _read_loop(
    rows: Rows,
    n: int,
    row: Sequence[str],
    old: _Loop | None,
    suppliers: dict[str, int],
    locations: dict[str, int],
) -> _Loop | None:
    """The loop as the row wants it; an empty cell or a missing column keeps the loop's value."""
    before = len(rows.problems)
    supply_text = location_ref(rows.cell(row, "supply_location"))
    default_kind = kanban.LoopKind.TRANSFER if supply_text else kanban.LoopKind.PURCHASE
    kind = rows.choice(n, row, "kind", kanban.LoopKind.__members__, old.kind if old else default_kind.value)
    supplier_id, supply_id = (old.supplier_id, old.supply_location_id) if old else (None, None)
    if rows.mapped("supplier"):  # empty: the part's default supplier, as when creating a loop
        name = rows.cell(row, "supplier")
        supplier_id = suppliers.get(name_key(name)) if name else None
        if name and supplier_id is None:
            rows.problem(n, "supplier", f"no supplier {name}: import the suppliers first")
    if rows.mapped("supply_location"):
        supply_id = locations.get(supply_text) if supply_text else None
        if supply_text and supply_id is None:
            rows.problem(n, "supply_location", f"no location {supply_text}: import the locations first")
    container = rows.number(n, row, "container_qty")
    cards = rows.number(n, row, "card_count", integer=True)
    lead = rows.number(n, row, "lead_time_days")
    safety = _factor(rows, n, row)
    status = rows.choice(n, row, "status", LIVE_STATUSES, old.status if old else "ACTIVE")
    creating = old is None and status != "RETIRED"  # a row retiring a loop needs no sizes
    if creating and container is None and not rows.cell(row, "container_qty"):
        rows.problem(n, "container_qty", "a new loop needs the quantity in one container")
    if creating and cards is None and not rows.cell(row, "card_count"):
        rows.problem(n, "card_count", "a new loop needs its number of cards")
    if len(rows.problems) > before:
        return None
    return _Loop(
        kind,
        supplier_id if kind == kanban.LoopKind.PURCHASE else None,
        supply_id if kind == kanban.LoopKind.TRANSFER else None,
        container if container is not None else old.container_qty if old else Decimal(0),
        int(cards) if cards is not None else old.card_count if old else 0,
        lead if lead is not None else old.lead_time_days if old else _DEFAULT_LEAD,
        safety if safety is not None else old.safety_factor if old else _DEFAULT_SAFETY,
        status,
    )


def _apply_loops(
    s: Session, actor: Actor, planned: list[_LoopRow], source: str, progress: Progress | None
) -> None:
    for done, r in enumerate(planned, start=1):
        try:
            _apply_loop(s, actor, r, source)
        except UserError as exc:
            raise row_failed(r.n, exc) from exc
        if done % 50 == 0:
            tick(progress, done, len(planned))


def _apply_loop(s: Session, actor: Actor, r: _LoopRow, source: str) -> None:
    new, old = r.new, r.old
    if old is None or r.loop_id is None:
        loop_id = kanban.create_loop_in(s, actor, r.data).id
        if new.status != "ACTIVE":
            kanban.set_loop_status_in(s, actor, loop_id, new.status)
        return
    if new == old:
        return
    if new.status == "RETIRED":  # retiring retires every card: resizing first would be wasted work
        kanban.set_loop_status_in(s, actor, r.loop_id, new.status)
        return
    if (new.container_qty, new.card_count) != (old.container_qty, old.card_count):
        kanban.edit_loop_in(
            s,
            actor,
            r.loop_id,
            card_count=new.card_count if new.card_count != old.card_count else None,
            container_qty=new.container_qty if new.container_qty != old.container_qty else None,
        )
    settings = (new.kind, new.supplier_id, new.supply_location_id, new.lead_time_days, new.safety_factor)
    if settings != (old.kind, old.supplier_id, old.supply_location_id, old.lead_time_days, old.safety_factor):
        # the kanban service has no edit of these: the dry run checked them with create_loop's rules
        loop = s.get(KanbanLoop, r.loop_id)
        assert loop is not None
        loop.kind, loop.supplier_id, loop.supply_location_id = settings[:3]
        loop.lead_time_days, loop.safety_factor = new.lead_time_days, new.safety_factor
        record(
            s,
            actor.user_id,
            "kanban.loop_edit",
            "kanban_loop",
            loop.id,
            f"{source}: {new.kind.lower()}, lead time {format_qty(new.lead_time_days)} d, "
            f"safety {format_qty(new.safety_factor)}",
        )
    if new.status != old.status:
        kanban.set_loop_status_in(s, actor, r.loop_id, new.status)


def export_loops(s: Session) -> list[list[Any]]:
    """Live loops (a retired loop is history, and a new loop may feed the same line since)."""
    line, supply = aliased(Location), aliased(Location)
    rows = s.execute(
        select(KanbanLoop, Part.part_number, line.code, Supplier.name, supply.code)
        .join(Part, Part.id == KanbanLoop.part_id)
        .join(line, line.id == KanbanLoop.consumption_location_id)
        .outerjoin(Supplier, Supplier.id == KanbanLoop.supplier_id)
        .outerjoin(supply, supply.id == KanbanLoop.supply_location_id)
        .where(KanbanLoop.status != "RETIRED")
        .order_by(Part.number_key, line.code, KanbanLoop.id)
    )
    return [
        [
            number,
            line_code,
            loop.kind,
            supplier,
            supply_code,
            plain(loop.container_qty),
            loop.card_count,
            plain(loop.lead_time_days),
            plain(loop.safety_factor),
            loop.status,
        ]
        for loop, number, line_code, supplier, supply_code in rows
    ]


HANDLERS = {"kanban": Handler(LOOP_COLUMNS, Permission.MANAGE_KANBAN, _plan_loops, _apply_loops)}
