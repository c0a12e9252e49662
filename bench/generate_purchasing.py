"""Purchase orders for the generated plant (bench/generate.py): a history of orders per supplier whose
receipts are RECEIPT moves of the ledger itself, and the orders still open at the end.

The ledger's receipts are claimed as they stream past (`tag`): a claimed receipt gets the reference and
reason the app's receiving writes ("PO-000012/3", "purchase order PO-000012 line 3") and a
purchase_receipt row, and is counted on its line. No move is added or changed otherwise, so the moves
total, the balances and the invariant stay as they were, and every line's received quantity is the sum
of its receipts. Its own random stream: the rest of a seed's plant is what it was without orders.

An order takes, for a few weeks, the deliveries of its supplier's parts (up to its 10-30 lines). It was
sent before its first delivery by about the supplier's typical lead time (10-60 days), less a little;
one order in ten is late. New orders start at a pace that spreads the history's lines over the five
years. Near the end each supplier has orders sent during its last 1.5 lead times: those whose deliveries
have begun are partly received, the later ones sent; with their unreceived lines, kanban cards on order
and a few drafts they make the open lines (a third of `Sizes.po_lines`). A few orders are cancelled;
most of the past ones are received, some closed (short now and then).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from desktop.models.enums import ON_ORDER_STATES, MoveKind, PoState, Role
from desktop.services.purchasing.orders import po_number

if TYPE_CHECKING:
    from bench.generate import Plant

Row = tuple[Any, ...]

ORDER_COLUMNS = (
    "id",
    "number",
    "supplier_id",
    "state",
    "notes",
    "needed_by",
    "created_by_id",
    "changed_by_id",
    "sent_at",
    "external_number",
    "created_at",
    "updated_at",
)
LINE_COLUMNS = (
    "id",
    "order_id",
    "line_no",
    "part_id",
    "supplier_part_number",
    "packs",
    "pack_size",
    "unit_price",
    "needed_by",
    "received_qty",
    "kanban_card_id",
    "created_at",
    "updated_at",
)
RECEIPT_COLUMNS = ("id", "line_id", "move_id", "confirmed_by_id")

_RECEIPT = MoveKind.RECEIPT.value
_ON_ORDER_CARDS = ("ORDERED", "IN_TRANSIT")
MIN_GAP_DAYS = 21.0  # between two orders of one supplier in the history
CANCEL_EVERY = 25  # one order in so many is cancelled (the 3rd, the 28th...)


@dataclass
class _Line:
    id: int
    no: int
    part_id: int
    received: int = 0  # tenths, the sum of its receipts
    ordered: int = 0  # tenths; 0: what was received (set by `_finish_lines`)
    card_id: int | None = None
    last: float = 0.0  # day of its last receipt


@dataclass
class _Order:
    supplier: int
    sent: float  # days since the start (a draft: when it was made)
    arrives: float  # its first delivery (may be past the end)
    until: float  # its last delivery
    want: int  # lines it is to have
    lead: float  # the supplier's typical lead time: needed by = sent + lead
    id: int = 0  # numbered on its first receipt, or when written
    lines: dict[int, _Line] = field(default_factory=dict)  # by part id (card lines under -card id)
    last: float = 0.0  # day of its last receipt
    last_user: int = 0
    state: str = ""
    unsent: bool = False  # a draft, or cancelled before it was sent

    @property
    def number(self) -> str:
        return po_number(self.id)


@dataclass
class _Supplier:
    lead: float
    episode: _Order | None = None  # the history order taking its receipts now
    next_ok: float = 0.0  # no new history order before
    cutoff: float = math.inf  # nor from the first planned open order on
    planned: list[_Order] = field(default_factory=list)
    planned_from: float = math.inf


@dataclass
class Purchasing:
    """The rows, and what the summary says about them."""

    orders: list[Row]
    lines: list[Row]
    receipts: list[Row]
    states: dict[str, int]
    open_lines: int


class Orders:
    """Claims the ledger's receipts (`tag`), then writes every order (`finish`); see the module."""

    def __init__(self, seed: int, plant: Plant, *, lines: int, start: datetime, days: int) -> None:
        self.rng = random.Random(seed + 2)
        self.plant = plant
        self.start = start
        self.days = float(days)
        self.open_target = lines // 3
        history = lines - self.open_target
        self.rate = history / self.days  # lines a day the history's orders may commit to
        self.committed = 0  # lines of the history's orders: done ones, plus the wanted of running ones
        # (part id, supplier id) -> (supplier part number, price, pack) as on the part-supplier row
        self.terms: dict[tuple[int, int], tuple[str | None, float, int]] = {}
        self.links: list[list[int]] = [[] for _ in plant.parts]
        for row in plant.part_suppliers:
            self.terms[row[1], row[2]] = (row[3], row[5], int(row[6]))
            self.links[row[1] - 1].append(row[2])  # the default supplier's row comes first
        rng = self.rng
        self.suppliers = {
            row[0]: _Supplier(lead=math.exp(rng.uniform(math.log(10), math.log(60))))
            for row in plant.suppliers
        }
        # the active parts each supplier sells, with their cumulated activity weights: new lines' parts
        self.pools: dict[int, tuple[list[int], list[float]]] = {}
        for p, part_links in enumerate(self.links):
            if plant.parts[p][19]:  # active
                for s in part_links:
                    ids, cum = self.pools.setdefault(s, ([], []))
                    ids.append(p + 1)
                    cum.append((cum[-1] if cum else 0.0) + plant.weight[p])
        # who new orders may go to: active suppliers with something to sell
        self.active = [row[0] for row in plant.suppliers if row[6] and row[0] in self.pools]
        roles = {row[0]: row[3] for row in plant.users}
        # who places orders and who closes them (the generated users always include both roles)
        self.buyers = [u for u, r in roles.items() if r in (Role.CLERK.value, Role.SUPERVISOR.value)]
        self.supervisors = [u for u, r in roles.items() if r == Role.SUPERVISOR.value]
        self.orders: list[_Order] = []
        self.receipt_rows: list[Row] = []
        self.next_order = 0
        self.next_line = 0
        self.episodes = 0
        self._plan_open()

    # --- while the ledger streams ------------------------------------------------------------------

    def _plan_open(self) -> None:
        """Orders sent in the last 1.5 lead times of their supplier, about 20 lines each."""
        rng = self.rng
        active = self.active[:]
        rng.shuffle(active)
        for i in range(round(self.open_target / 20) if active else 0):
            s = active[i % len(active)]
            sup = self.suppliers[s]
            order = self._order(s, self.days - rng.uniform(0.02, 1.5 * sup.lead))
            sup.planned.append(order)
            sup.planned_from = min(sup.planned_from, order.arrives)
            sup.cutoff = min(sup.cutoff, order.sent)

    def _order(self, supplier: int, at: float, *, arriving: bool = False) -> _Order:
        """An order sent at day `at`, or (`arriving`) sent so that its first delivery comes then."""
        rng, lead = self.rng, self.suppliers[supplier].lead
        # deliveries start before the typical lead time and go on for a while; one order in ten is late
        delay = lead * (rng.uniform(1.3, 2.0) if rng.random() < 0.1 else rng.uniform(0.5, 0.8))
        sent = at - delay if arriving else at
        window = min(max(0.5 * lead, 5.0), 30.0)
        return _Order(supplier, sent, sent + delay, sent + delay + window, rng.randint(10, 30), lead)

    def _number(self, order: _Order) -> None:
        self.next_order += 1
        order.id = self.next_order
        self.orders.append(order)

    def tag(self, moves: Iterable[Row]) -> Iterator[Row]:
        """The moves as they were, the receipts claimed by an order with the app's reference and reason."""
        start = self.start
        for row in moves:
            if row[5] == _RECEIPT:
                t = (datetime.fromisoformat(row[10]) - start).total_seconds() / 86400
                claimed = self._claim(row[0], row[1], round(row[4] * 10), t, row[9])
                if claimed is not None:
                    row = (*row[:6], *claimed, *row[8:])
            yield row

    def _claim(self, move_id: int, part_id: int, tenths: int, t: float, user: int) -> tuple[str, str] | None:
        links = self.links[part_id - 1]
        for s in links:
            order = self._taking(self.suppliers[s], part_id, t)
            if order is not None:
                return self._receive(order, move_id, part_id, tenths, t, user)
        # no order of the part's suppliers expected now: a new one, mostly to its usual supplier
        rng = self.rng
        s = links[0] if len(links) == 1 or rng.random() < 0.85 else links[rng.randrange(1, len(links))]
        sup = self.suppliers[s]
        if sup.episode is not None or t < sup.next_ok or t >= sup.cutoff or self.committed >= self.rate * t:
            return None
        order = sup.episode = self._order(s, t, arriving=True)
        self._number(order)
        sup.next_ok = t + MIN_GAP_DAYS
        self.committed += order.want
        self.episodes += 1
        if self.episodes % CANCEL_EVERY == 3:
            self._cancelled(s, t)
        return self._receive(order, move_id, part_id, tenths, t, user)

    def _taking(self, sup: _Supplier, part_id: int, t: float) -> _Order | None:
        """The supplier's order expecting a delivery of the part at day `t`, if any."""
        if t >= sup.planned_from:
            for order in sup.planned:
                if order.arrives <= t <= order.until and (
                    part_id in order.lines or len(order.lines) < order.want
                ):
                    return order
        current = sup.episode
        if current is None:
            return None
        if t > current.until:  # its deliveries are over: the lines it did not get are no longer committed
            self.committed -= current.want - len(current.lines)
            sup.episode = None
            return None
        return current if part_id in current.lines or len(current.lines) < current.want else None

    def _receive(
        self, order: _Order, move_id: int, part_id: int, tenths: int, t: float, user: int
    ) -> tuple[str, str]:
        if not order.id:
            self._number(order)
        line = order.lines.get(part_id)
        if line is None:
            self.next_line += 1
            line = order.lines[part_id] = _Line(self.next_line, len(order.lines) + 1, part_id)
        line.received += tenths
        line.last = order.last = t
        order.last_user = user
        self.receipt_rows.append((len(self.receipt_rows) + 1, line.id, move_id, None))
        return f"purchase order {order.number} line {line.no}", f"{order.number}/{line.no}"

    def _cancelled(self, supplier: int, t: float) -> None:
        """An order that never came: cancelled a few days after it was sent, or as a draft."""
        rng = self.rng
        order = self._order(supplier, t - rng.uniform(5, 40))
        order.state, order.unsent = PoState.CANCELLED.value, rng.random() < 0.4
        if self._add_unreceived(order, rng.randint(3, 12)):
            self._number(order)

    # --- once the ledger is written ----------------------------------------------------------------

    def finish(self, loops: Sequence[Row], cards: Sequence[Row]) -> Purchasing:
        rng, end = self.rng, self.days
        budget = self.open_target
        still_open: list[_Order] = []
        for sup in self.suppliers.values():
            if sup.episode is not None and sup.episode.until > end:
                still_open.append(sup.episode)
            still_open += sup.planned
        for order in still_open:
            order.state = PoState.SENT.value  # made PARTLY_RECEIVED or RECEIVED by its lines below
            for line in order.lines.values():
                if budget > 0 and rng.random() < 0.15:  # a delivery short: the rest is still to come
                    line.ordered = line.received + self.plant.lot[line.part_id - 1]
                    budget -= 1
        budget -= self._card_lines(loops, cards, still_open, budget)
        for _ in range(max(1, round(len(self.active) / 20)) if self.active else 0):
            if budget <= 0:
                break
            draft = self._order(rng.choice(self.active), end - rng.uniform(0.1, 5))
            draft.state, draft.unsent = PoState.DRAFT.value, True
            budget -= self._add_unreceived(draft, min(budget, rng.randint(3, 12)))
            self._number(draft)
        # the newest orders are the emptiest: nothing of them has come yet
        for order in sorted(still_open, key=lambda o: -o.sent):
            if budget <= 0:
                break
            budget -= self._add_unreceived(order, min(budget, max(order.want - len(order.lines), 1)))
            if order.lines and not order.id:
                self._number(order)
        while budget > 0 and self.active:  # too few planned: more recent orders
            s = rng.choice(self.active)
            order = self._order(s, end - rng.uniform(0.02, self.suppliers[s].lead))
            order.state = PoState.SENT.value
            budget -= self._add_unreceived(order, min(budget, order.want))
            self._number(order)
        return self._rows()

    def _card_lines(
        self, loops: Sequence[Row], cards: Sequence[Row], still_open: list[_Order], budget: int
    ) -> int:
        """Purchase-kanban cards on order go on a line of their supplier's newest open order."""
        newest: dict[int, _Order] = {}
        for order in sorted(still_open, key=lambda o: o.sent):
            newest[order.supplier] = order
        loop_of = {row[0]: row for row in loops}  # id, part, kind, ..., supplier at 5, container at 6
        added = 0
        for card in cards:  # id, loop, serial, code, version, status
            loop = loop_of[card[1]]
            target = newest.get(loop[5])
            if added >= budget or card[5] not in _ON_ORDER_CARDS or loop[2] != "PURCHASE" or target is None:
                continue
            if not target.id:
                self._number(target)
            self.next_line += 1
            line = _Line(self.next_line, len(target.lines) + 1, loop[1], card_id=card[0])
            line.ordered = round(loop[6] * 10)
            target.lines[-card[0]] = line  # under its card: a line of the part may be there already
            added += 1
        return added

    def _add_unreceived(self, order: _Order, count: int) -> int:
        """Up to `count` lines of the supplier's active parts not on the order yet, nothing received."""
        pool, cum = self.pools.get(order.supplier, ([], []))
        if not pool:
            return 0
        lot, rng = self.plant.lot, self.rng
        added = 0
        for p in rng.choices(pool, cum_weights=cum, k=count * 2):
            if added == count:
                break
            if p in order.lines:
                continue
            self.next_line += 1
            line = order.lines[p] = _Line(self.next_line, len(order.lines) + 1, p)
            line.ordered = lot[p - 1] * rng.randint(1, 2)
            added += 1
        return added

    # --- rows ---------------------------------------------------------------------------------------

    def _stamp(self, day: float) -> str:
        """'YYYY-MM-DD HH:MM:SS', as generate.py stamps (isoformat: strftime is ten times slower)."""
        return (self.start + timedelta(days=min(day, self.days))).isoformat(" ", "seconds")

    def _day(self, day: float) -> str:
        return (self.start + timedelta(days=day)).date().isoformat()

    def _settle(self, order: _Order) -> None:
        """The state of an order from its lines (a past one received in full: closed short now and then)."""
        rng = self.rng
        if not order.state:
            short = rng.random() < 0.12
            if short:
                line = rng.choice(list(order.lines.values()))
                line.ordered = line.received + self.plant.lot[line.part_id - 1]
            order.state = PoState.CLOSED.value if short or rng.random() < 0.25 else PoState.RECEIVED.value
        elif order.state == PoState.SENT.value and any(x.received for x in order.lines.values()):
            full = all(x.received >= (x.ordered or x.received) for x in order.lines.values())
            order.state = PoState.RECEIVED.value if full else PoState.PARTLY_RECEIVED.value

    def _rows(self) -> Purchasing:
        rng = self.rng
        orders: list[Row] = []
        lines: list[Row] = []
        states: dict[str, int] = {s.value: 0 for s in PoState}
        open_lines = 0
        for order in self.orders:  # numbered in order
            self._settle(order)
            state, sent = order.state, order.sent
            buyer = self.buyers[order.id % len(self.buyers)]
            changed = {
                PoState.RECEIVED.value: order.last_user,
                PoState.PARTLY_RECEIVED.value: order.last_user,
                PoState.CLOSED.value: self.supervisors[order.id % len(self.supervisors)],
            }.get(state, buyer)
            touched = max(order.last, sent)
            if state == PoState.CLOSED.value:
                touched += rng.uniform(1, 20)
            elif state == PoState.CANCELLED.value:
                touched = sent + rng.uniform(1, 10)
            made = self._stamp(sent - rng.uniform(0.05, 2))
            needed = self._day(sent + order.lead)
            orders.append(
                (
                    order.id,
                    order.number,
                    order.supplier,
                    state,
                    None,
                    needed,
                    buyer,
                    changed,
                    None if order.unsent else self._stamp(sent),
                    None,
                    made,
                    self._stamp(touched),
                )
            )
            states[state] += 1
            for line in order.lines.values():
                ordered = line.ordered or line.received
                if state in ON_ORDER_STATES and line.received < ordered:
                    open_lines += 1
                spn, price, pack = self.terms[line.part_id, order.supplier]  # its parts are the supplier's
                # in the supplier's packs when the quantity is whole packs, else in units at their share
                pack_size = pack if pack > 1 and not ordered % (10 * pack) else 1
                lines.append(
                    (
                        line.id,
                        order.id,
                        line.no,
                        line.part_id,
                        spn,
                        ordered / 10 / pack_size,
                        float(pack_size),
                        round(price * pack_size / pack, 4),
                        needed,
                        line.received / 10,
                        line.card_id,
                        made,
                        self._stamp(line.last) if line.received else made,
                    )
                )
        lines.sort()
        return Purchasing(orders, lines, self.receipt_rows, states, open_lines)
