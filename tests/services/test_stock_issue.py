"""The storeroom's one Issue rule on both databases: free stock is on hand minus reserved, a work order
named as the reference settles its own reservation, other orders' stock goes only when the caller says
so, for the plain issue, the short issue, the MRO issues and batch posts alike."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import InsufficientStock, ReservedStock
from desktop.models import AssetMove, ShortIssue
from desktop.models.enums import AssetLevel, MoveKind, Role
from desktop.services import mro
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.mro import AssetInput, ReservationInput
from desktop.services.stock import balance_check
from desktop.services.stock import issue as stock_issue
from desktop.services.stock import moves as stock
from desktop.services.stock.batch import post_many
from desktop.services.stock.moves import MoveRequest
from tests.factories import make_part, make_tree, receive


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    """A bearing with 3 in bin1 and 7 in bin2, and a part nobody reserves with 3 in bin1."""
    tree = make_tree(db, admin)
    bearing = make_part(db, admin)
    plain = make_part(db, admin, "BELT-A42", description="V-belt A42")
    receive(db, admin, bearing.id, tree["A-01-01"].id, "3")
    receive(db, admin, bearing.id, tree["A-01-02"].id, "7")
    receive(db, admin, plain.id, tree["A-01-01"].id, "3")
    return {"bearing": bearing.id, "plain": plain.id, "bin1": tree["A-01-01"].id, "bin2": tree["A-01-02"].id}


def _reserve(db: Database, admin: Actor, part_id: int, qty: int, wo: str, asset: int | None = None) -> int:
    return mro.reserve(db, admin, ReservationInput(part_id, Decimal(qty), wo, asset)).id


def _open(db: Database) -> list[tuple[str, Decimal, str]]:
    return [(r.work_order, r.open_qty, r.status) for r in mro.reservations(db, open_only=False)]


def _shorts(db: Database) -> list[tuple[Decimal, Decimal]]:
    return db.read(lambda s: [(r.requested_qty, r.issued_qty) for r in s.query(ShortIssue)])


def test_an_issue_respects_reservations_and_settles_its_own(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    """WO-1001 reserves 5 and WO-2002 3 of the 10 bearings: 2 are free."""
    bearing, bin1, bin2 = plant["bearing"], plant["bin1"], plant["bin2"]
    first = _reserve(db, admin, bearing, 5, "WO-1001")
    _reserve(db, admin, bearing, 3, "WO-2002")

    def issue(
        qty: int, bin_id: int, ref: str, key: str, *, confirmed: bool = False
    ) -> stock_issue.IssueResult:
        req = MoveRequest(MoveKind.ISSUE, bearing, Decimal(qty), bin_id, None, None, ref, key)
        return stock_issue.issue(db, keeper, req, take_reserved=confirmed)

    plain = issue(2, bin1, "cost centre 40", "k1")  # the free units go without a question
    assert plain.reservation is None and plain.posted.part_on_hand == 8
    with pytest.raises(
        ReservedStock, match=r"Only 0 EA of 6205-2RS are free: .* \(WO-1001 5, WO-2002 3\)"
    ) as no:
        issue(1, bin2, "cost centre 40", "k2")
    assert no.value.want == 1
    with pytest.raises(ReservedStock):  # WO-1001 covers 5 of 6; the 6th would be WO-2002's
        issue(6, bin2, "wo-1001", "k3")
    assert stock.balance(db, bearing, bin2) == 7  # nothing posted by the refusals
    part = issue(2, bin2, "wo-1001", "k4")  # the work order named (any case) settles its reservation, in part
    assert part.reservation is not None and part.reservation.id == first
    assert (part.reservation.issued_qty, part.reservation.open_qty, part.reservation.status) == (2, 3, "OPEN")
    rest = issue(3, bin2, "WO-1001", "k5")
    assert rest.reservation is not None and (rest.reservation.issued_qty, rest.reservation.status) == (
        5,
        "CLOSED",
    )
    again = issue(3, bin2, "WO-1001", "k5")  # the same posting retried: nothing issued or settled twice
    assert again.posted.duplicate and again.reservation is None
    assert stock.balance(db, bearing, bin2) == 2
    # confirmed by the keeper: WO-2002's stock goes elsewhere, its reservation stays as it was
    forced = issue(1, bin2, "WO-9", "k6", confirmed=True)
    assert forced.reservation is None and forced.posted.part_on_hand == 2
    assert _open(db) == [("WO-1001", 0, "CLOSED"), ("WO-2002", 3, "OPEN")]
    with pytest.raises(InsufficientStock):  # more than there is at all: the ledger's own refusal
        issue(9, bin2, "WO-9", "k7")
    linked = db.read(lambda s: sorted((a.reservation_id or 0) for a in s.query(AssetMove)))
    assert linked == [first, first]  # each settling issue is linked to the reservation
    assert balance_check.check_balances(db, admin) == []


def test_where_nothing_is_reserved_an_issue_is_the_ledgers(
    db: Database, keeper: Actor, plant: dict[str, int]
) -> None:
    req = MoveRequest(MoveKind.ISSUE, plant["plain"], Decimal(2), plant["bin1"], reference="WO-1")
    done = stock_issue.issue(db, keeper, req)
    assert (done.reservation, done.posted.move.summary()) == (None, "Issue 2 EA of BELT-A42 from A-01-01")
    with pytest.raises(InsufficientStock, match="Only 1 EA of BELT-A42 left in A-01-01: cannot take 2"):
        stock_issue.issue(db, keeper, req)
    short = stock_issue.issue_short(db, keeper, plant["plain"], plant["bin1"], Decimal(4))
    assert (short.issued, short.short, short.reservation) == (1, 3, None)
    assert _shorts(db) == [(4, 1)]


def test_the_short_issue_respects_reservations(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    """bin1 holds 3 bearings, bin2 7; WO-OTHER holds all 10."""
    bearing, bin1 = plant["bearing"], plant["bin1"]
    _reserve(db, admin, bearing, 10, "WO-OTHER")
    with pytest.raises(ReservedStock, match=r"Only 0 EA of 6205-2RS are free: .* \(WO-OTHER 10\)") as no:
        stock_issue.issue_short(db, keeper, bearing, bin1, Decimal(5), reference="WO-1")
    assert no.value.want == 3  # what the bin would have handed over
    assert stock.balance(db, bearing, bin1) == 3 and _shorts(db) == []  # nothing handed over, nothing shorted
    taken = stock_issue.issue_short(
        db, keeper, bearing, bin1, Decimal(5), reference="WO-1", take_reserved=True
    )
    assert (taken.issued, taken.short, taken.reservation) == (3, 2, None)
    assert _shorts(db) == [(5, 3)] and _open(db) == [("WO-OTHER", 10, "OPEN")]


def test_a_short_issue_naming_the_work_order_settles_its_reservation(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    bearing, bin1 = plant["bearing"], plant["bin1"]
    _reserve(db, admin, bearing, 4, "WO-7")
    _reserve(db, admin, bearing, 6, "WO-8")  # all 10 reserved
    got = stock_issue.issue_short(db, keeper, bearing, bin1, Decimal(5), reference="wo-7")
    assert (got.issued, got.short) == (3, 2)
    assert got.reservation is not None and (got.reservation.work_order, got.reservation.open_qty) == (
        "WO-7",
        1,
    )
    assert _open(db) == [("WO-7", 1, "OPEN"), ("WO-8", 6, "OPEN")]


def test_mro_issues_go_through_the_same_rule(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    tech = ensure_user(db, "tech", role=Role.MAINTENANCE)
    press = mro.create_asset(db, admin, AssetInput("PRESS-01", "Press 1", AssetLevel.MACHINE.value))
    bearing, bin2 = plant["bearing"], plant["bin2"]
    _reserve(db, admin, bearing, 4, "WO-5", press.id)
    _reserve(db, admin, bearing, 5, "WO-6")  # 1 free

    def to_asset(qty: int, wo: str, *, confirmed: bool = False) -> stock_issue.IssueResult:
        return mro.issue_to_asset(
            db, tech, bearing, bin2, Decimal(qty), work_order=wo, asset_id=press.id, take_reserved=confirmed
        )

    with pytest.raises(ReservedStock, match=r"\(WO-5 4, WO-6 5\)"):
        to_asset(2, "WO-9")
    mine = to_asset(3, "wo-5")  # its own work order: settles it, booked to the press
    assert mine.reservation is not None and mine.reservation.open_qty == 1
    assert to_asset(2, "WO-9", confirmed=True).reservation is None
    assert _open(db) == [("WO-5", 1, "OPEN"), ("WO-6", 5, "OPEN")]
    used = db.read(lambda s: [(a.asset_id, a.reservation_id is not None) for a in s.query(AssetMove)])
    assert sorted(used) == [(press.id, False), (press.id, True)]


def test_batch_issues_respect_and_settle_reservations(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    """10 bearings, WO-3 holds 6: 4 free. A receipt in a batch frees room for its later issues."""
    bearing, bin1, bin2 = plant["bearing"], plant["bin1"], plant["bin2"]
    wo3 = _reserve(db, admin, bearing, 6, "WO-3")

    def issue(qty: int, ref: str | None = None, bin_id: int = bin2) -> MoveRequest:
        return MoveRequest(MoveKind.ISSUE, bearing, Decimal(qty), bin_id, reference=ref)

    receipt = MoveRequest(MoveKind.RECEIPT, bearing, Decimal(2), to_location_id=bin1)
    with pytest.raises(ReservedStock, match=r"Move 3 of 3: Only 3 EA of 6205-2RS are free: .* \(WO-3 6\)"):
        post_many(db, keeper, [issue(3), receipt, issue(4)])  # free: 4, 1 after the 3, 3 after the receipt
    assert stock.balance(db, bearing, bin2) == 7 and _open(db) == [("WO-3", 6, "OPEN")]
    done = post_many(db, keeper, [issue(2), receipt, issue(3), issue(2, "wo-3")])
    assert len(done.move_ids) == 4 and _open(db) == [("WO-3", 4, "OPEN")]  # 5 on hand, 1 free
    linked = db.read(lambda s: [(a.move_id, a.reservation_id) for a in s.query(AssetMove)])
    assert linked == [(done.move_ids[3], wo3)]
    with pytest.raises(ReservedStock, match=r"Move 1 of 1: Only 1 EA"):
        post_many(db, keeper, [issue(3, bin_id=bin1)])
    assert len(post_many(db, keeper, [issue(3, bin_id=bin1)], take_reserved=True).move_ids) == 1
    assert _open(db) == [("WO-3", 4, "OPEN")] and balance_check.check_balances(db, admin) == []


def test_no_caller_posts_an_issue_around_the_rule(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    """The ledger's own entry points (post_move, post_in) send an issue through the rule too: a script or
    a screen that posts an ISSUE directly cannot take reserved stock or leave its work order's
    reservation open."""
    bearing, bin1 = plant["bearing"], plant["bin1"]
    _reserve(db, admin, bearing, 10, "WO-1001")  # every bearing reserved
    with pytest.raises(ReservedStock, match="reserved"):
        stock.post_move(db, keeper, MoveRequest(MoveKind.ISSUE, bearing, Decimal(1), bin1, reference="WO-9"))
    with pytest.raises(ReservedStock):
        db.write(lambda s: stock.post_in(s, keeper, MoveRequest(MoveKind.ISSUE, bearing, Decimal(1), bin1)))
    assert stock.balance(db, bearing, bin1) == 3  # nothing posted
    posted = stock.post_move(
        db, keeper, MoveRequest(MoveKind.ISSUE, bearing, Decimal(2), bin1, reference="WO-1001")
    )
    assert posted.move.kind == "ISSUE" and stock.balance(db, bearing, bin1) == 1
    assert _open(db) == [("WO-1001", Decimal(8), "OPEN")]  # its own reservation settled by 2
