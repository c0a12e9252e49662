"""Approving a count session, and the line accuracy the IRA reads: a supervisor approves each counted
line or rejects it with a reason, and every approved line with a variance posts one COUNT move (a lot
line's with its lot). Kept apart from `sessions` (opening a count, entering lines, the recount rule,
the sheet), whose snapshot and roll-forward it uses; see that module's notes on tolerance and lots.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import CountLine
from desktop.models.enums import MoveKind
from desktop.quantities import format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.counts.sessions import _open_session, _rolled_forward
from desktop.services.stock.moves import MoveRequest, post_in
from desktop.services.text_rules import refuse_controls


def approve(db: Database, actor: Actor, session_id: int, *, reject: dict[int, str] | None = None) -> int:
    """Post COUNT moves for every counted line with a variance (a lot line's with its lot, all in this one
    transaction); rejected lines (each with a reason) post
    nothing, and a line waiting for its recount may be rejected instead. The session closes. Returns the
    number of moves posted."""
    actor.require(Permission.APPROVE_COUNTS)
    for why in (reject or {}).values():
        refuse_controls(why, field="reason", label="Reason for rejecting")
    rejected = {k: v.strip() for k, v in (reject or {}).items()}
    if any(not why for why in rejected.values()):
        raise UserError("Give a reason for each rejected line.", field="reason")

    def op(s: Session) -> int:
        sess = _open_session(s, session_id)
        lines = list(s.scalars(select(CountLine).where(CountLine.session_id == sess.id)))
        unknown = set(rejected) - {line.id for line in lines}
        if unknown:
            raise NotFound(f"Line(s) {sorted(unknown)} are not in count session {sess.name}.")
        waiting = [line for line in lines if line.status == "RECOUNT" and line.id not in rejected]
        if waiting:
            raise Conflict(f"{len(waiting)} line(s) wait for a recount before approval (or reject them).")
        posted = 0
        for line in lines:
            if line.id in rejected:
                line.status, line.note = "REJECTED", rejected[line.id][:200]
                continue
            if line.status == "OPEN":  # not found in the bin: counted as zero
                line.expected_qty = _rolled_forward(s, sess, line)
                line.counted_qty = Decimal(0)
            assert line.counted_qty is not None and line.expected_qty is not None
            variance = Decimal(line.counted_qty) - Decimal(line.expected_qty)
            if variance != 0:
                result = post_in(
                    s,
                    actor,
                    MoveRequest(
                        MoveKind.COUNT,
                        line.part_id,
                        abs(variance),
                        from_location_id=line.location_id if variance < 0 else None,
                        to_location_id=line.location_id if variance > 0 else None,
                        reason=f"cycle count {sess.name}: counted {format_qty(Decimal(line.counted_qty))}",
                        reference=f"COUNT-{sess.id}",
                        lot_id=line.lot_id,
                    ),
                )
                line.move_id = result.move.id
                posted += 1
            line.status = "APPROVED"
        sess.status = "CLOSED"
        reasons = "; ".join(f"line {k}: {v}" for k, v in sorted(rejected.items()))
        record(
            s,
            actor.user_id,
            "counts.approve",
            "count_session",
            sess.id,
            f"{sess.name}: {posted} adjustment(s), {len(rejected)} rejected"
            + (f" ({reasons})" if reasons else ""),
        )
        return posted

    return db.write(op)


def line_accurate(line: CountLine) -> bool:
    """A decided line counts as accurate when it was within tolerance or exact."""
    variance = abs(Decimal(line.counted_qty or 0) - Decimal(line.expected_qty or 0))
    return bool(line.within_tolerance) or variance == 0


def bin_key(line: CountLine) -> tuple[int, int, int]:
    """The IRA's line: a (part, bin) of one count, whatever lots it holds."""
    return (line.session_id, line.part_id, line.location_id)


def accurate_bins(lines: Iterable[CountLine]) -> dict[tuple[int, int, int], bool]:
    """Per (part, bin) of a count (`bin_key`): accurate when each of its lines is (see the module's note);
    an untracked part's bin has one line, so its verdict is that line's, as before lots."""
    out: dict[tuple[int, int, int], bool] = {}
    for line in lines:
        key = bin_key(line)
        out[key] = out.get(key, True) and line_accurate(line)
    return out
