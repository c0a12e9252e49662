"""A posting key names one request: a retry posts nothing twice, another move under the same key is
refused, and a commit whose reply is lost says that the outcome is unknown."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, OutcomeUnknown
from desktop.models import ShortIssue, StockMove
from desktop.models.enums import MoveKind
from desktop.services.actor import Actor
from desktop.services.stock import issue as stock_issue
from desktop.services.stock import moves as stock
from desktop.services.stock.batch import post_many
from desktop.services.stock.moves import MoveRequest, post_in, post_move
from tests.factories import make_part, make_tree


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    tree = make_tree(db, admin)
    return {"p": make_part(db, admin).id, "a": tree["A-01-01"].id, "b": tree["A-01-02"].id}


def _moves(db: Database) -> int:
    return db.read(lambda s: s.scalar(select(func.count()).select_from(StockMove)) or 0)


def test_the_same_key_on_another_move_is_refused(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    p, a, b = plant["p"], plant["a"], plant["b"]
    first = post_move(
        db, admin, MoveRequest(MoveKind.RECEIPT, p, Decimal(5), to_location_id=a, posting_key="k1")
    )
    # the same request again (a retry): nothing new
    again = post_move(
        db, admin, MoveRequest(MoveKind.RECEIPT, p, Decimal("5.0"), to_location_id=a, posting_key="k1")
    )
    assert again.duplicate and again.move.id == first.move.id
    others = [
        (MoveRequest(MoveKind.RECEIPT, p, Decimal(7), to_location_id=a, posting_key="k1"), "quantity"),
        (MoveRequest(MoveKind.RECEIPT, p, Decimal(5), to_location_id=b, posting_key="k1"), "to location"),
        (MoveRequest(MoveKind.RETURN, p, Decimal(5), to_location_id=a, posting_key="k1"), "kind"),
        (
            MoveRequest(
                MoveKind.RECEIPT, p, Decimal(5), to_location_id=a, reference="PO-2", posting_key="k1"
            ),
            "reference",
        ),
    ]
    for req, what in others:
        with pytest.raises(
            Conflict, match=f"The key k1 was used for move #{first.move.id} .*differs in {what}"
        ):
            post_move(db, admin, req)
    assert stock.balance(db, p, a) == 5 and stock.balance(db, p, b) == 0
    assert _moves(db) == 1


def test_a_batch_refuses_a_key_reused_for_another_move(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    p, a = plant["p"], plant["a"]
    post_many(db, admin, [MoveRequest(MoveKind.RECEIPT, p, Decimal(5), to_location_id=a, posting_key="s:1")])
    new = MoveRequest(MoveKind.RECEIPT, p, Decimal(1), to_location_id=a, posting_key="s:2")
    changed = MoveRequest(MoveKind.RECEIPT, p, Decimal(6), to_location_id=a, posting_key="s:1")
    with pytest.raises(Conflict, match=r"Move 2 of 2: The key s:1 was used .*differs in quantity"):
        post_many(db, admin, [new, changed])
    twin = MoveRequest(MoveKind.ISSUE, p, Decimal(1), from_location_id=a, posting_key="s:2")
    with pytest.raises(Conflict, match="Move 2 of 2: its key s:2 is also on move 1, which differs in kind"):
        post_many(db, admin, [new, twin])
    assert stock.balance(db, p, a) == 5 and _moves(db) == 1  # nothing of either batch was kept


def test_a_retried_short_issue_records_one_shortage(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    p, a = plant["p"], plant["a"]
    post_move(db, admin, MoveRequest(MoveKind.RECEIPT, p, Decimal(3), to_location_id=a))
    first = stock_issue.issue_short(db, admin, p, a, Decimal(5), reference="WO-1", posting_key="t1")
    again = stock_issue.issue_short(db, admin, p, a, Decimal(5), reference="WO-1", posting_key="t1")
    assert first.issued == again.issued == 3 and again.posted is not None and again.posted.duplicate
    assert db.read(lambda s: s.scalar(select(func.count()).select_from(ShortIssue))) == 1
    with pytest.raises(Conflict, match="differs in reference"):
        stock_issue.issue_short(db, admin, p, a, Decimal(5), reference="WO-2", posting_key="t1")


@pytest.mark.postgres
def test_a_lost_commit_reply_says_the_outcome_is_unknown(pg_db: Database) -> None:
    from desktop.services.admin.users import ensure_user

    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin)
    req = MoveRequest(
        MoveKind.RECEIPT, part.id, Decimal(5), to_location_id=tree["A-01-01"].id, posting_key="w-1"
    )

    def post_then_lose_the_server(s: Session) -> None:
        post_in(s, admin, req)
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with pg_db.engine.connect() as other:  # the server drops this connection before the COMMIT
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

    with pytest.raises(
        OutcomeUnknown, match="the outcome is unknown; check history or retry with the same key"
    ):
        pg_db.write(post_then_lose_the_server)
    # the retry with the same key posts the move exactly once, whatever happened to the first try
    post_move(pg_db, admin, req)
    post_move(pg_db, admin, req)
    assert stock.balance(pg_db, part.id, tree["A-01-01"].id) == 5
    assert _moves(pg_db) == 1
