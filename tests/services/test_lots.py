"""Lots, serial numbers and shelf life on both databases: a tracked part's receipt needs its lot (typed or
read from a GS1-128 label), an issue takes the lot first expired first out and never an expired one, the
ledger matches the stock of every lot, and a lot traces back to where it came from and on to where it
went. Parts without lots work as before, and every bad input posts nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from desktop.db import Database
from desktop.errors import Conflict, InsufficientStock, NotFound, PermissionDenied, ReservedStock, UserError
from desktop.models import LotBalance, StockMove
from desktop.models.enums import MoveKind, Role
from desktop.services import lots, mro
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue.suppliers import create_supplier
from desktop.services.insight import kpi_days
from desktop.services.lots import LotReceipt, TrackingInput
from desktop.services.lots.receiving import read_label as from_label
from desktop.services.mro import ReservationInput
from desktop.services.stock import balance_check
from desktop.services.stock import history as stock_history
from desktop.services.stock import issue as stock_issue
from desktop.services.stock import moves as stock
from desktop.services.stock.batch import post_many
from desktop.services.stock.moves import MoveRequest
from tests.factories import make_part, make_tree, receive


def today() -> date:
    """Read at each use, not at import: a run that crosses midnight must not compare yesterday with today."""
    return date.today()


LONGEST = "L" * 39 + "9"  # a lot number at its maximum, 40 characters
GS = "\x1d"


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    """A grease tracked by lot with a shelf life of 365 days (warned 30 days ahead), a filter tracked by
    serial number, an untracked bearing, two bins and a quarantine bin."""
    tree = make_tree(db, admin)
    grease = make_part(db, admin, "GREASE-EP2", description="Grease EP2 400 g", unit="EA")
    lots.set_tracking(db, admin, grease.id, TrackingInput("LOT", 365, 30))
    pump = make_part(db, admin, "PUMP-7", description="Dosing pump")
    lots.set_tracking(db, admin, pump.id, TrackingInput("SERIAL"))
    bearing = make_part(db, admin)
    supplier = create_supplier(db, admin, "Lubes & Co")
    return {
        "grease": grease.id,
        "pump": pump.id,
        "bearing": bearing.id,
        "bin1": tree["A-01-01"].id,
        "bin2": tree["A-01-02"].id,
        "quarantine": tree["Q-01"].id,
        "supplier": supplier.id,
    }


def _moves(db: Database) -> int:
    return db.read(lambda s: s.scalar(select(func.count()).select_from(StockMove)) or 0)


def _lot_qty(db: Database, lot_id: int, bin_id: int) -> Decimal:
    return db.read(
        lambda s: Decimal(
            s.scalar(
                select(LotBalance.qty).where(LotBalance.lot_id == lot_id, LotBalance.location_id == bin_id)
            )
            or 0
        )
    )


def _receive(
    db: Database, actor: Actor, plant: dict[str, int], lot: str, qty: str, **kw: object
) -> lots.LotDTO:
    req = LotReceipt(plant["grease"], plant["bin1"], Decimal(qty), lot, **kw)  # type: ignore[arg-type]
    return lots.receive(db, actor, req).lots[0]


def _issue(
    db: Database, actor: Actor, part: int, bin_id: int, qty: str, **kw: object
) -> stock_issue.IssueResult:
    req = MoveRequest(MoveKind.ISSUE, part, Decimal(qty), bin_id, **kw)  # type: ignore[arg-type]
    return stock_issue.issue(db, actor, req)


def test_a_tracked_receipt_needs_its_lot_and_stamps_its_expiry(
    db: Database, keeper: Actor, plant: dict[str, int]
) -> None:
    with pytest.raises(UserError, match="GREASE-EP2 is tracked by lot: scan or type the lot"):
        lots.receive(db, keeper, LotReceipt(plant["grease"], plant["bin1"], Decimal(4)))
    with pytest.raises(UserError, match=r"Lot is too long \(41 characters, at most 40\)"):
        _receive(db, keeper, plant, LONGEST + "X", "4")
    assert _moves(db) == 0
    result = lots.receive(
        db,
        keeper,
        LotReceipt(plant["grease"], plant["bin1"], Decimal(4), LONGEST, supplier_id=plant["supplier"]),
    )
    lot = result.lots[0]
    assert (lot.lot_number, lot.expires_on, lot.supplier_name) == (
        LONGEST,
        today() + timedelta(365),
        "Lubes & Co",
    )
    assert result.posted[0].move.qty == 4 and _lot_qty(db, lot.id, plant["bin1"]) == 4
    again = _receive(db, keeper, plant, LONGEST.lower(), "2")  # the same lot, any case: one lot, 6 in it
    assert again.id == lot.id and _lot_qty(db, lot.id, plant["bin1"]) == 6
    with pytest.raises(
        Conflict, match=r"expires on .*, not 2030-01-01: check the label; nothing was received"
    ):
        _receive(db, keeper, plant, LONGEST, "1", expires_on=date(2030, 1, 1))
    assert stock.balance(db, plant["grease"], plant["bin1"]) == 6 and _moves(db) == 2


@pytest.mark.parametrize(
    "scan",
    [
        "(01)04012345678901(17)270331(10)HEAT-4711",
        f"]C101040123456789011727033110HEAT-4711{GS}",
        f"010401234567890110HEAT-4711{GS}17270331",
    ],
)
def test_a_gs1_label_gives_the_lot_and_its_expiry(
    db: Database, keeper: Actor, plant: dict[str, int], scan: str
) -> None:
    lot = _receive(db, keeper, plant, scan, "3")
    assert (lot.lot_number, lot.expires_on) == ("HEAT-4711", date(2027, 3, 31))


def test_gs1_is_read_only_where_the_text_says_so() -> None:
    assert lots.parse("1023") is None  # a plain lot number that starts like AI 10 stays a lot number
    assert lots.parse("(10)A-77(17)260200") == lots.Gs1("A-77", date(2026, 2, 28), None)  # DD 00: month end
    assert lots.parse(f"0104012345678901{GS}") == lots.Gs1(None, None, "04012345678901")
    with pytest.raises(UserError, match=r"That label carries no lot \(GS1 AI 10\): type the lot"):
        from_label("(01)04012345678901", None, "lot")


def test_a_lot_on_an_untracked_part_is_refused(db: Database, keeper: Actor, plant: dict[str, int]) -> None:
    with pytest.raises(UserError, match="6205-2RS is not tracked by lot: receive it without a lot"):
        lots.receive(db, keeper, LotReceipt(plant["bearing"], plant["bin1"], Decimal(2), "L1"))
    grease_lot = _receive(db, keeper, plant, "G-1", "2")
    with pytest.raises(UserError, match="6205-2RS is not tracked by lot: move it without a lot"):
        stock.post_move(
            db,
            keeper,
            MoveRequest(
                MoveKind.RECEIPT, plant["bearing"], Decimal(1), None, plant["bin1"], lot_id=grease_lot.id
            ),
        )
    assert _moves(db) == 1  # only the grease
    plain = lots.receive(db, keeper, LotReceipt(plant["bearing"], plant["bin1"], Decimal(2)))  # as before
    assert plain.lots == () and plain.posted[0].part_on_hand == 2


def test_serials_one_per_unit_each_received_once(db: Database, keeper: Actor, plant: dict[str, int]) -> None:
    long_serial = "SN-" + "7" * 37  # 40 characters
    with pytest.raises(UserError, match="2 serial\\(s\\) for a quantity of 3"):
        lots.receive(
            db, keeper, LotReceipt(plant["pump"], plant["bin1"], Decimal(3), serials=("SN-1", "SN-2"))
        )
    with pytest.raises(UserError, match="Serial SN-1 is scanned twice"):
        lots.receive(
            db, keeper, LotReceipt(plant["pump"], plant["bin1"], Decimal(2), serials=("SN-1", "sn-1"))
        )
    done = lots.receive(
        db,
        keeper,
        LotReceipt(plant["pump"], plant["bin1"], Decimal(2), serials=("SN-1", long_serial), posting_key="k"),
    )
    assert [p.move.qty for p in done.posted] == [1, 1] and [x.lot_number for x in done.lots] == [
        "SN-1",
        long_serial,
    ]
    retry = lots.receive(
        db,
        keeper,
        LotReceipt(plant["pump"], plant["bin1"], Decimal(2), serials=("SN-1", long_serial), posting_key="k"),
    )
    assert all(p.duplicate for p in retry.posted)  # a retried key posts nothing twice
    with pytest.raises(Conflict, match=f"Serial {long_serial} of PUMP-7 was received already"):
        lots.receive(
            db, keeper, LotReceipt(plant["pump"], plant["bin2"], Decimal(2), serials=("SN-3", long_serial))
        )
    assert stock.balance(db, plant["pump"], plant["bin2"]) == 0 and _moves(db) == 2
    with pytest.raises(InsufficientStock, match="Only 1 EA of PUMP-7 serial number SN-1 left in A-01-01"):
        _issue(db, keeper, plant["pump"], plant["bin1"], "2", lot_id=done.lots[0].id)


def test_an_issue_takes_the_first_to_expire_then_the_first_in(
    db: Database, keeper: Actor, plant: dict[str, int]
) -> None:
    later = _receive(db, keeper, plant, "LATE", "5", expires_on=today() + timedelta(200))
    sooner = _receive(db, keeper, plant, "SOON", "5", expires_on=today() + timedelta(20))
    proposed = lots.propose(db, plant["grease"], plant["bin1"])
    assert [x.lot.lot_number for x in proposed] == ["SOON", "LATE"]
    first = _issue(db, keeper, plant["grease"], plant["bin1"], "2")
    assert _lot_qty(db, sooner.id, plant["bin1"]) == 3 and first.posted.part_on_hand == 8
    named = _issue(db, keeper, plant["grease"], plant["bin1"], "1", lot_id=later.id)  # another lot, by name
    assert _lot_qty(db, later.id, plant["bin1"]) == 4 and named.posted.move.qty == 1
    with pytest.raises(
        InsufficientStock, match="Only 3 EA of GREASE-EP2 lot SOON left in A-01-01: cannot take 4"
    ):
        _issue(db, keeper, plant["grease"], plant["bin1"], "4")
    assert stock.balance(db, plant["grease"], plant["bin1"]) == 7


def test_without_expiry_the_first_received_goes_first(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    lots.set_tracking(db, admin, plant["grease"], TrackingInput("LOT"))  # no shelf life: no expiry
    old = _receive(db, keeper, plant, "FIRST", "1")
    _receive(db, keeper, plant, "SECOND", "1")
    _issue(db, keeper, plant["grease"], plant["bin1"], "1")
    assert _lot_qty(db, old.id, plant["bin1"]) == 0


def test_expired_stock_is_not_issued_until_a_supervisor_releases_it(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    gone = _receive(db, keeper, plant, "OLD", "2", expires_on=today() - timedelta(1))
    with pytest.raises(
        Conflict, match=f"Lot OLD of GREASE-EP2 expired on {today() - timedelta(1)}: it cannot be issued"
    ):
        _issue(db, keeper, plant["grease"], plant["bin1"], "1")
    with pytest.raises(Conflict, match="expired"):
        stock_issue.issue_short(db, keeper, plant["grease"], plant["bin1"], Decimal(1))
    fresh = _receive(db, keeper, plant, "NEW", "2", expires_on=today() + timedelta(100))
    took = _issue(
        db, keeper, plant["grease"], plant["bin1"], "1"
    )  # the fresh lot is proposed, the expired skipped
    assert _lot_qty(db, fresh.id, plant["bin1"]) == 1 and took.posted.move.qty == 1
    with pytest.raises(Conflict, match="expired on"):
        _issue(db, keeper, plant["grease"], plant["bin1"], "1", lot_id=gone.id)
    assert _lot_qty(db, gone.id, plant["bin1"]) == 2
    with pytest.raises(PermissionDenied):
        lots.release(db, keeper, gone.id, "tested by the lab")
    supervisor = ensure_user(db, "sup", role=Role.SUPERVISOR)
    assert lots.release(db, supervisor, gone.id, "re-certified, lab report 88").released
    _issue(db, keeper, plant["grease"], plant["bin1"], "2", lot_id=gone.id)
    assert _lot_qty(db, gone.id, plant["bin1"]) == 0
    # the transfer of expired stock to quarantine is not an issue: it goes
    stale = _receive(db, keeper, plant, "STALE", "1", expires_on=today() - timedelta(9))
    stock.post_move(
        db,
        keeper,
        MoveRequest(
            MoveKind.TRANSFER,
            plant["grease"],
            Decimal(1),
            plant["bin1"],
            plant["quarantine"],
            lot_id=stale.id,
        ),
    )
    assert _lot_qty(db, stale.id, plant["quarantine"]) == 1


def test_unknown_or_foreign_lots_are_refused(db: Database, keeper: Actor, plant: dict[str, int]) -> None:
    mine = _receive(db, keeper, plant, "G-1", "2")
    serial = lots.receive(
        db, keeper, LotReceipt(plant["pump"], plant["bin1"], Decimal(1), serials=("SN-9",))
    ).lots[0]
    with pytest.raises(UserError, match="SN-9 is not a lot of GREASE-EP2"):
        _issue(db, keeper, plant["grease"], plant["bin1"], "1", lot_id=serial.id)
    with pytest.raises(NotFound, match="Lot #999999 does not exist"):
        _issue(db, keeper, plant["grease"], plant["bin1"], "1", lot_id=999999)
    with pytest.raises(NotFound, match="Unknown lot NOPE: no lot has that number"):
        lots.trace(db, "NOPE")
    with pytest.raises(
        InsufficientStock, match="Only 0 EA of GREASE-EP2 left in A-01-02: no lot of it is there"
    ):
        _issue(db, keeper, plant["grease"], plant["bin2"], "1")
    assert _lot_qty(db, mine.id, plant["bin1"]) == 2 and _moves(db) == 2


def test_lots_keep_to_the_issue_rule_for_reservations(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    lot = _receive(db, keeper, plant, "R-1", "3")
    mro.reserve(db, admin, ReservationInput(plant["grease"], Decimal(2), "WO-4711"))
    with pytest.raises(ReservedStock, match="Only 1 EA of GREASE-EP2 are free"):
        _issue(db, keeper, plant["grease"], plant["bin1"], "2", reference="CC-40")
    settled = _issue(db, keeper, plant["grease"], plant["bin1"], "2", reference="WO-4711")
    assert settled.reservation is not None and settled.reservation.status == "CLOSED"
    assert _lot_qty(db, lot.id, plant["bin1"]) == 1
    # a batch of lot lines keeps the same rule: the last unit is WO-5's, not another order's
    mro.reserve(db, admin, ReservationInput(plant["grease"], Decimal(1), "WO-5"))
    line = MoveRequest(MoveKind.ISSUE, plant["grease"], Decimal(1), plant["bin1"], lot_id=lot.id)
    with pytest.raises(ReservedStock, match="Only 0 EA of GREASE-EP2 are free"):
        post_many(db, keeper, [replace(line, reference="CC-40")])
    post_many(db, keeper, [replace(line, reference="WO-5")])
    assert _lot_qty(db, lot.id, plant["bin1"]) == 0


def test_a_short_issue_of_a_lot_hands_over_what_the_lot_holds(
    db: Database, keeper: Actor, plant: dict[str, int]
) -> None:
    lot = _receive(db, keeper, plant, "S-1", "2", expires_on=today() + timedelta(5))
    _receive(db, keeper, plant, "S-2", "4", expires_on=today() + timedelta(50))
    short = stock_issue.issue_short(db, keeper, plant["grease"], plant["bin1"], Decimal(3), reference="WO-1")
    assert (short.issued, short.short) == (2, 1) and _lot_qty(db, lot.id, plant["bin1"]) == 0


def test_the_ledger_matches_every_lot_and_check_balances_says_where_not(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    lot = _receive(db, keeper, plant, "C-1", "5")
    receive(db, admin, plant["bearing"], plant["bin1"], "3")  # untracked stock alongside
    moved = stock.post_move(
        db,
        keeper,
        MoveRequest(
            MoveKind.TRANSFER, plant["grease"], Decimal(2), plant["bin1"], plant["bin2"], lot_id=lot.id
        ),
    )
    issued = _issue(db, keeper, plant["grease"], plant["bin2"], "1", reference="WO-9")
    stock_history.reverse_move(db, keeper, issued.posted.move.id, "wrong work order")  # back into its lot
    assert _lot_qty(db, lot.id, plant["bin2"]) == 2 and moved.move.qty == 2
    assert balance_check.check_balances(db, admin) == []
    assert kpi_days.check(db, admin) == []  # the KPI triggers took the new column in their stride
    db.write(
        lambda s: s.execute(update(LotBalance).where(LotBalance.location_id == plant["bin2"]).values(qty=7))
    )
    drifts = balance_check.check_balances(db, admin)
    assert [(d.lot_id, d.balance, d.ledger, d.lots_sum) for d in drifts] == [
        (lot.id, 7, 2, False),
        (None, 2, 7, True),
    ]
    assert "its lots add up to 7" in drifts[1].describe()
    balance_check.check_balances(db, admin, repair=True)
    assert balance_check.check_balances(db, admin) == [] and _lot_qty(db, lot.id, plant["bin2"]) == 2


def test_tracking_changes_only_at_zero_stock(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    receive(db, admin, plant["bearing"], plant["bin1"], "3")
    with pytest.raises(
        Conflict,
        match=r"6205-2RS has stock in 1 bin\(s\): its tracking can change .* only when its stock is zero",
    ):
        lots.set_tracking(db, admin, plant["bearing"], TrackingInput("LOT"))
    lot = _receive(db, keeper, plant, "Z-1", "1")
    with pytest.raises(Conflict, match="GREASE-EP2 has stock"):
        lots.set_tracking(db, admin, plant["grease"], TrackingInput("NONE"))
    lots.set_tracking(db, admin, plant["grease"], TrackingInput("LOT", 90, 10))  # shelf life alone: fine
    with pytest.raises(PermissionDenied):
        lots.set_tracking(db, keeper, plant["grease"], TrackingInput("LOT", 30))
    _issue(db, keeper, plant["grease"], plant["bin1"], "1", lot_id=lot.id)
    lots.set_tracking(db, admin, plant["grease"], TrackingInput("NONE"))  # now empty: allowed
    receive(db, admin, plant["grease"], plant["bin1"], "1")  # and received without a lot
    assert balance_check.check_balances(db, admin) == []


def test_trace_a_lot_both_ways_and_the_expiry_report(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    lot = lots.receive(
        db,
        keeper,
        LotReceipt(
            plant["grease"],
            plant["bin1"],
            Decimal(10),
            "T-1",
            today() + timedelta(10),
            supplier_id=plant["supplier"],
            reference="DN-55",
        ),
    ).lots[0]
    _receive(db, keeper, plant, "T-2", "4", expires_on=today() + timedelta(300))
    stock.post_move(
        db,
        keeper,
        MoveRequest(
            MoveKind.TRANSFER, plant["grease"], Decimal(3), plant["bin1"], plant["bin2"], lot_id=lot.id
        ),
    )
    _issue(db, keeper, plant["grease"], plant["bin1"], "2", reference="WO-7001")
    _issue(db, keeper, plant["grease"], plant["bin2"], "1", reference="wo-7001")
    press = mro.create_asset(db, admin, mro.AssetInput("PRESS-01", "Press 1"))
    mro.issue_to_asset(
        db, keeper, plant["grease"], plant["bin1"], Decimal(1), work_order="WO-8", asset_id=press.id
    )
    traced = lots.trace(db, "t-1")
    assert traced.lot.supplier_name == "Lubes & Co" and traced.received == 10
    assert [
        (m.move.kind, m.move.qty, m.move.from_code, m.move.to_code, m.move.reference) for m in traced.moves
    ] == [
        ("RECEIPT", 10, None, "A-01-01", "DN-55"),
        ("TRANSFER", 3, "A-01-01", "A-01-02", None),
        ("ISSUE", 2, "A-01-01", None, "WO-7001"),
        ("ISSUE", 1, "A-01-02", None, "wo-7001"),
        ("ISSUE", 1, "A-01-01", None, "WO-8"),
    ]
    assert [m.asset_code for m in traced.moves] == [None, None, None, None, "PRESS-01"]
    assert list(traced.on_hand) == [("A-01-01", 4), ("A-01-02", 2)]
    assert [(m.move.lot_number, m.move.reference) for m in lots.trace_asset(db, "a-press-01")] == [
        ("T-1", "WO-8")
    ]
    assert lots.trace(db, lot.code).lot.id == lot.id  # its label's LT- code too
    back = lots.trace_reference(db, "WO-7001")
    assert [(m.move.lot_number, m.move.qty) for m in back] == [("T-1", 2), ("T-1", 1)]
    soon = lots.expiring(db, 15)
    assert [(x.lot.lot_number, x.on_hand, x.bins, x.days_left) for x in soon] == [
        ("T-1", 6, ("A-01-01", "A-01-02"), 10)
    ]
    assert soon[0].warned  # within the part's 30-day warning window
    assert [x.lot.lot_number for x in lots.expiring(db, 365)] == ["T-1", "T-2"]


def test_a_lot_label_scans_to_its_part_bins_expiry_and_moves(
    db: Database, keeper: Actor, plant: dict[str, int]
) -> None:
    from desktop.services.catalogue import scan

    lot = _receive(db, keeper, plant, LONGEST, "5", expires_on=today() + timedelta(30))
    _issue(db, keeper, plant["grease"], plant["bin1"], "2", reference="WO-1")
    found = scan.resolve(db, f" lt-{lot.id}\r")
    assert found.found and found.part is not None and found.part.part_number == "GREASE-EP2"
    assert found.lot is not None and found.lot.lot.id == lot.id and found.lot.moves == 2
    assert found.message == (
        f"LT-{lot.id}: lot {LONGEST} of GREASE-EP2 (expires {today() + timedelta(30)}) — A-01-01 3; 2 move(s)"
    )
    unknown = scan.resolve(db, "LT-999999")
    assert not unknown.found and unknown.message == "Unknown code LT-999999: no part or location has it."


def test_a_purchase_order_receipt_takes_the_lot_and_its_supplier(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    from desktop.services import purchasing as po

    order = po.create_order(db, admin, plant["supplier"], [po.LineInput(plant["grease"], Decimal(10))])
    po.send_order(db, admin, order.id)
    with pytest.raises(UserError, match="GREASE-EP2 is tracked by lot: scan or type the lot"):
        po.receive(db, keeper, po.ReceiptRequest(order.id, plant["grease"], Decimal(4), plant["bin1"]))
    assert _moves(db) == 0 and po.get_order(db, order.id).lines[0].received_qty == 0
    label = f"(01)04012345678901(17){today() + timedelta(90):%y%m%d}(10)PO-LOT-1"
    done = po.receive(
        db, keeper, po.ReceiptRequest(order.id, plant["grease"], Decimal(4), plant["bin1"], lot=label)
    )
    assert done.move.lot_number == "PO-LOT-1" and done.line.received_qty == 4
    traced = lots.trace(db, "PO-LOT-1")
    assert traced.lot.supplier_name == "Lubes & Co" and traced.lot.expires_on == today() + timedelta(90)
    assert [m.move.reference for m in traced.moves] == [f"{order.number}/1"]


def test_expired_lots_move_to_quarantine_in_one_go(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    old = _receive(db, keeper, plant, "OLD", "3", expires_on=today() - timedelta(1))
    fresh = _receive(db, keeper, plant, "FRESH", "2", expires_on=today() + timedelta(1))
    kept = _receive(db, keeper, plant, "KEPT", "1", expires_on=today() - timedelta(5))
    stock.post_move(
        db,
        keeper,
        MoveRequest(
            MoveKind.TRANSFER, plant["grease"], Decimal(1), plant["bin1"], plant["bin2"], lot_id=old.id
        ),
    )
    lots.release(db, ensure_user(db, "sup", role=Role.SUPERVISOR), kept.id, "re-certified")
    with pytest.raises(UserError, match="A-01-02 is not a quarantine location"):
        lots.quarantine_expired(db, keeper, plant["bin2"])
    moved = lots.quarantine_expired(db, keeper, plant["quarantine"])
    assert sorted((m.move.from_code, m.move.lot_number, m.move.qty) for m in moved) == [
        ("A-01-01", "OLD", 2),
        ("A-01-02", "OLD", 1),
    ]
    assert _lot_qty(db, old.id, plant["quarantine"]) == 3 and _lot_qty(db, fresh.id, plant["bin1"]) == 2
    assert _lot_qty(db, kept.id, plant["bin1"]) == 1  # released by a supervisor: it stays
    assert lots.quarantine_expired(db, keeper, plant["quarantine"]) == []  # nothing left to move
    assert balance_check.check_balances(db, admin) == []


def test_expired_lots_go_to_the_chosen_quarantine_by_themselves(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    old = _receive(db, keeper, plant, "OLD", "2", expires_on=today() - timedelta(1))
    _receive(db, keeper, plant, "FRESH", "2", expires_on=today() + timedelta(100))
    assert lots.auto_quarantine(db, keeper) == []  # no location chosen: moved by hand, as before
    with pytest.raises(PermissionDenied):
        lots.set_quarantine_location(db, keeper, "Q-01")
    with pytest.raises(UserError, match="A-01-02 is not a quarantine location"):
        lots.set_quarantine_location(db, admin, "A-01-02")
    with pytest.raises(NotFound, match="No location with code NOWHERE"):
        lots.set_quarantine_location(db, admin, "nowhere")
    assert lots.quarantine_location(db) == ""  # nothing half-saved by the refusals
    assert lots.set_quarantine_location(db, admin, "L-Q-01") == "Q-01"  # the bin's label scanned
    assert lots.quarantine_location(db) == "Q-01"
    viewer = ensure_user(db, "viewer", role=Role.VIEWER)
    assert lots.auto_quarantine(db, viewer) == []  # may not move stock: nothing happens
    moved = lots.auto_quarantine(db, keeper)
    assert [(m.move.lot_number, m.move.qty, m.move.to_code) for m in moved] == [("OLD", 2, "Q-01")]
    assert moved[0].move.reason == "expired: moved to quarantine automatically"
    assert _lot_qty(db, old.id, plant["quarantine"]) == 2
    assert lots.auto_quarantine(db, keeper) == []  # the next hour: nothing left
    assert lots.set_quarantine_location(db, admin, "") == ""  # off again
    assert lots.quarantine_location(db) == ""
    assert balance_check.check_balances(db, admin) == []
