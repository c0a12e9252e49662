"""Counting tracked parts per lot, on both databases: a count lists one line per lot the book holds in a
bin, a counter names the lot by its label or its number (a lot found on the shelf is added when
confirmed), approval posts one COUNT move per lot line that differs, with its lot, all or nothing, and the
ledger still matches every lot afterwards. IRA counts a (part, bin) once, accurate when each lot is."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import CountLine, Lot, LotBalance, StockMove
from desktop.models.enums import MoveKind, Role
from desktop.services import lots
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.counts import approval as count_approval
from desktop.services.counts import ira as count_ira
from desktop.services.counts import sessions as counts
from desktop.services.lots import LotReceipt, TrackingInput
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest
from tests.factories import make_part, make_tree, receive

LONGEST = "Z" * 39 + "7"  # a lot number at its maximum, 40 characters


def today() -> date:
    """Read at each use: a run that crosses midnight must not compare yesterday with today."""
    return date.today()


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    """In bin A-01-01: grease by lot (shelf life 365 d) H-1 x5 and a 40-character lot x3, a pump serial
    SN-1, and 10 untracked bearings. Every part costs 2.00."""
    tree = make_tree(db, admin)
    grease = make_part(db, admin, "GREASE-EP2", description="Grease EP2", unit_cost=Decimal(2))
    lots.set_tracking(db, admin, grease.id, TrackingInput("LOT", 365))
    pump = make_part(db, admin, "PUMP-7", description="Dosing pump", unit_cost=Decimal(2))
    lots.set_tracking(db, admin, pump.id, TrackingInput("SERIAL"))
    bearing = make_part(db, admin, unit_cost=Decimal(2))
    bin1 = tree["A-01-01"].id
    h1 = lots.receive(db, admin, LotReceipt(grease.id, bin1, Decimal(5), "H-1")).lots[0]
    longest = lots.receive(db, admin, LotReceipt(grease.id, bin1, Decimal(3), LONGEST)).lots[0]
    sn1 = lots.receive(db, admin, LotReceipt(pump.id, bin1, Decimal(1), "SN-1")).lots[0]
    receive(db, admin, bearing.id, bin1, "10")
    return {
        "grease": grease.id,
        "pump": pump.id,
        "bearing": bearing.id,
        "bin1": bin1,
        "h1": h1.id,
        "longest": longest.id,
        "sn1": sn1.id,
    }


def _moves(db: Database) -> int:
    return db.read(lambda s: s.scalar(select(func.count()).select_from(StockMove)) or 0)


def _lines(db: Database) -> int:
    return db.read(lambda s: s.scalar(select(func.count()).select_from(CountLine)) or 0)


def _lot_qty(db: Database, lot_id: int, bin_id: int) -> Decimal:
    return db.read(
        lambda s: Decimal(
            s.scalar(
                select(LotBalance.qty).where(LotBalance.lot_id == lot_id, LotBalance.location_id == bin_id)
            )
            or 0
        )
    )


def test_a_bin_is_counted_per_lot_and_approved_per_lot(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    sid = counts.start_session(db, admin, "Bin 1", [plant["bin1"]])
    blind = counts.session(db, sid)
    assert [(x.part_number, x.lot_number, x.book_qty) for x in blind.lines] == [
        ("6205-2RS", "", None),
        ("GREASE-EP2", "H-1", None),
        ("GREASE-EP2", LONGEST, None),
        ("PUMP-7", "SN-1", None),
    ]  # one line per lot, the book still hidden from the counter
    assert blind.lines[1].lot_code == f"LT-{plant['h1']}"
    assert blind.lines[1].expires_on == today() + timedelta(365)
    # an issue of lot H-1 while the count runs is rolled forward into H-1's line only
    stock.post_move(
        db, admin, MoveRequest(MoveKind.ISSUE, plant["grease"], Decimal(1), plant["bin1"], lot_id=plant["h1"])
    )
    line = counts.enter_count(db, keeper, sid, "A-01-01", "6205-2RS", Decimal(10))
    assert (line.lot_number, line.status) == ("", "COUNTED")  # untracked: as before
    line = counts.enter_count(db, keeper, sid, "A-01-01", "GREASE-EP2", Decimal(4), f"LT-{plant['h1']}")
    assert (line.lot_number, line.expected_qty, line.variance, line.status) == ("H-1", 4, 0, "COUNTED")
    line = counts.enter_count(db, keeper, sid, "A-01-01", "GREASE-EP2", Decimal(2), LONGEST.lower())
    assert (line.lot_number, line.status) == (LONGEST, "RECOUNT")  # 1 of 3 off: out of class C's 5 %
    lee = ensure_user(db, "lee", role=Role.KEEPER)
    line = counts.enter_count(db, lee, sid, "A-01-01", "GREASE-EP2", Decimal(2), LONGEST)
    assert (line.first_count_qty, line.counted_qty, line.status) == (2, 2, "COUNTED")
    # a lot found on the shelf that the book does not know: refused until confirmed, then added
    with pytest.raises(NotFound, match="Lot FOUND-7 of GREASE-EP2 is not on record"):
        counts.enter_count(db, keeper, sid, "A-01-01", "GREASE-EP2", Decimal(1), "FOUND-7")
    assert _lines(db) == 4
    found = counts.enter_count(db, keeper, sid, "A-01-01", "GREASE-EP2", Decimal(1), "FOUND-7", new_lot=True)
    assert found.added and found.status == "RECOUNT" and found.expires_on == today()  # see counts.lots
    counts.enter_count(db, lee, sid, "A-01-01", "GREASE-EP2", Decimal(1), "found-7")  # now on record
    # PUMP-7's serial is not counted: it counts as zero at approval
    posted = count_approval.approve(db, admin, sid)
    assert posted == 3  # LONGEST -1, FOUND-7 +1, SN-1 -1; H-1 and the bearings as the book
    found_id = db.read(lambda s: s.scalar(select(Lot.id).where(Lot.lot_key == "FOUND-7")))
    assert found_id is not None
    assert _lot_qty(db, plant["h1"], plant["bin1"]) == 4
    assert _lot_qty(db, plant["longest"], plant["bin1"]) == 2
    assert _lot_qty(db, found_id, plant["bin1"]) == 1
    assert _lot_qty(db, plant["sn1"], plant["bin1"]) == 0
    assert stock.balance(db, plant["grease"], plant["bin1"]) == 7
    assert stock.balance(db, plant["bearing"], plant["bin1"]) == 10
    counted = db.read(
        lambda s: sorted(
            (m.lot_id, m.qty, m.from_location_id is not None)
            for m in s.scalars(select(StockMove).where(StockMove.kind == MoveKind.COUNT.value))
        )
    )
    assert counted == sorted([(plant["longest"], 1, True), (found_id, 1, False), (plant["sn1"], 1, True)])
    # every lot's moves sum to its balance, lots to the bin
    assert balance_check.check_balances(db, admin) == []
    # IRA: three (part, bin) lines; only the bearings were accurate (grease had two lots off, the pump one)
    by_class = count_ira.ira(db)
    assert (by_class["C"].counted, by_class["C"].within) == (3, 1)
    assert by_class["C"].adjustment_value == Decimal(6)  # three units off at 2.00, gross per lot


def test_a_wrong_lot_is_refused_with_a_clear_message_and_counts_nothing(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    sid = counts.start_session(db, admin, "Bin 1", [plant["bin1"]])
    before = (_lines(db), db.read(lambda s: s.scalar(select(func.count()).select_from(Lot))))
    refusals = [
        ("GREASE-EP2", "LT-999999", "LT-999999 is not the label of a lot of GREASE-EP2"),
        ("GREASE-EP2", f"LT-{plant['sn1']}", "is not the label of a lot of GREASE-EP2"),  # the pump's
        ("GREASE-EP2", None, "GREASE-EP2 is tracked by lot: scan or type the lot"),
        ("GREASE-EP2", LONGEST + "X", "at most 40"),
        ("6205-2RS", "H-1", "6205-2RS is not tracked by lot: count it without a lot"),
    ]
    for part, lot, message in refusals:
        with pytest.raises(UserError, match=message) as refused:
            counts.enter_count(db, keeper, sid, "A-01-01", part, Decimal(1), lot, new_lot=True)
        assert refused.value.field == "lot"
    with pytest.raises(UserError, match="a serial is one unit") as refused:
        counts.enter_count(db, keeper, sid, "A-01-01", "PUMP-7", Decimal(2), "SN-1")
    assert refused.value.field == "qty"
    after = (_lines(db), db.read(lambda s: s.scalar(select(func.count()).select_from(Lot))))
    assert after == before and all(x.counted_qty is None for x in counts.session(db, sid).lines)


def test_approval_is_all_or_nothing(db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]) -> None:
    """A line counted without a lot before its part became tracked cannot post: nothing posts, and the
    supervisor is told to reject that line."""
    oil = make_part(db, admin, "OIL-1")
    lee = ensure_user(db, "lee", role=Role.KEEPER)
    sid = counts.start_session(db, admin, "Bin 1", [plant["bin1"]])
    for who in (keeper, lee):
        counts.enter_count(db, who, sid, "A-01-01", "GREASE-EP2", Decimal(3), "H-1")  # 2 short
        oil_line = counts.enter_count(db, who, sid, "A-01-01", "OIL-1", Decimal(2))  # not on the book
    lots.set_tracking(db, admin, oil.id, TrackingInput("LOT"))  # none of it on the book: allowed
    moves = _moves(db)
    with pytest.raises(UserError, match="OIL-1 is tracked by lot: its count without a lot cannot be posted"):
        count_approval.approve(db, admin, sid)
    assert _moves(db) == moves and _lot_qty(db, plant["h1"], plant["bin1"]) == 5  # H-1's -2 not posted
    assert (
        count_approval.approve(db, admin, sid, reject={oil_line.id: "counted before OIL-1 was tracked"}) == 4
    )
    assert _lot_qty(db, plant["h1"], plant["bin1"]) == 3 and balance_check.check_balances(db, admin) == []


def test_a_tracked_bin_with_no_lot_on_the_book_gets_one_line_and_takes_the_lots_found(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    """Today's list puts a bin left empty into a count; a lot found there is counted in."""
    stock.post_move(
        db, admin, MoveRequest(MoveKind.ISSUE, plant["pump"], Decimal(1), plant["bin1"], lot_id=plant["sn1"])
    )
    from desktop.services.counts import today_list

    sid = today_list.start_today(db, admin, blind=False)
    pump = [x for x in counts.session(db, sid).lines if x.part_number == "PUMP-7"]
    assert [(x.lot_number, x.book_qty) for x in pump] == [("", 0)]
    _header, sheet = counts.sheet(db, sid)
    assert [x.lot for x in sheet if x.part_number == "PUMP-7"] == [
        "no serial number on the book: write each one found"
    ]
    line = counts.enter_count(db, keeper, sid, "A-01-01", "PUMP-7", Decimal(1), "SN-1")
    assert line.added and line.status == "RECOUNT"
    counts.enter_count(
        db, ensure_user(db, "lee", role=Role.KEEPER), sid, "A-01-01", "PUMP-7", Decimal(1), "SN-1"
    )
    assert (
        count_approval.approve(db, admin, sid) == 1
    )  # SN-1 back in the bin; the line without a lot posts nothing
    assert _lot_qty(db, plant["sn1"], plant["bin1"]) == 1 and balance_check.check_balances(db, admin) == []
    by_class = count_ira.ira(db)
    assert (by_class["C"].counted, by_class["C"].within) == (1, 0)  # the (pump, bin) once, off by one


def test_the_count_sheet_names_each_lot_and_its_expiry(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    from desktop.reports.count_sheet import render_count_sheet
    from tests.reports.helpers import open_pdf

    sid = counts.start_session(db, admin, "Bin 1", [plant["bin1"]])  # blind
    header, sheet = counts.sheet(db, sid)
    expiry = (today() + timedelta(365)).isoformat()
    assert [(x.part_number, x.lot, x.book_qty) for x in sheet] == [
        ("6205-2RS", "", None),
        ("GREASE-EP2", f"Lot H-1 · expires {expiry}", None),
        ("GREASE-EP2", f"Lot {LONGEST} · expires {expiry}", None),
        ("PUMP-7", "Serial number SN-1", None),
    ]
    with open_pdf(render_count_sheet(header, sheet)) as doc:
        text = " ".join(doc.pages[0].extract_text().split())
    assert f"Lot H-1 · expires {expiry}" in text and "Serial number SN-1" in text
    assert LONGEST[:20] in text and "Book" not in text  # still blind
