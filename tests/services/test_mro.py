"""MRO spares on both databases: assets and where-used, supersession, reservations and issues to an
asset through the ledger, serial-number cycles, and the three reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import Conflict, InsufficientStock, PermissionDenied, ReservedStock, UserError
from desktop.models.enums import AssetLevel, Role, SerialState
from desktop.services import mro
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue import scan
from desktop.services.mro import AssetInput, ReservationInput
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock
from tests.factories import make_part, make_tree, receive


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    """Site PLANT > line L1 > press PRESS-01 (critical) fitted with a bearing (min 3) and a belt."""
    tree = make_tree(db, admin)
    site = mro.create_asset(db, admin, AssetInput("PLANT", "Plant", AssetLevel.SITE.value))
    line = mro.create_asset(db, admin, AssetInput("L1", "Line 1", AssetLevel.LINE.value, site.id))
    press = mro.create_asset(
        db, admin, AssetInput("press-01", "Press 1", AssetLevel.MACHINE.value, line.id, "HIGH")
    )
    bearing = make_part(db, admin, min_qty=Decimal(3), lead_time_days=14, unit_cost=Decimal("12.50"))
    belt = make_part(db, admin, "BELT-A42", description="V-belt A42")
    mro.set_spare(db, admin, press.id, bearing.id, qty_installed=Decimal(4), recommended_qty=Decimal(2))
    mro.set_spare(
        db, admin, press.id, belt.id, qty_installed=Decimal(2), recommended_qty=Decimal(1), usage="PREVENTIVE"
    )
    receive(db, admin, bearing.id, tree["A-01-01"].id, "3")
    receive(db, admin, bearing.id, tree["A-01-02"].id, "2")
    return {
        "press": press.id,
        "line": line.id,
        "bearing": bearing.id,
        "belt": belt.id,
        "bin1": tree["A-01-01"].id,
        "bin2": tree["A-01-02"].id,
    }


def test_asset_tree_codes_and_levels(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    tree = mro.asset_tree(db)
    assert [(a.code, a.barcode) for a in tree] == [
        ("PLANT", "A-PLANT"),
        ("L1", "A-L1"),
        ("PRESS-01", "A-PRESS-01"),
    ]
    with pytest.raises(UserError, match="only letters"):
        mro.create_asset(db, admin, AssetInput("PRESS 2/B", "Press 2"))
    with pytest.raises(Conflict, match="already exists"):
        mro.create_asset(db, admin, AssetInput("Press-01", "Twin"))
    with pytest.raises(UserError, match="cannot sit inside"):
        mro.create_asset(db, admin, AssetInput("X", "Line in press", AssetLevel.LINE.value, plant["press"]))
    viewer = ensure_user(db, "viewer", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        mro.create_asset(db, viewer, AssetInput("PRESS-02", "Press 2"))


def test_spares_view_and_where_used_both_ways(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    view = mro.spares_for_code(db, "a-press-01")
    assert view.path == ("PLANT", "L1", "PRESS-01")
    bearing, belt = view.spares
    assert (belt.part_number, belt.usage, belt.on_hand, belt.flag) == (
        "BELT-A42",
        "PREVENTIVE",
        0,
        "none available",
    )
    assert [(b.location_code, b.qty) for b in bearing.bins] == [("A-01-01", 3), ("A-01-02", 2)]
    assert (bearing.on_hand, bearing.reserved, bearing.available, bearing.min_qty) == (5, 0, 5, 3)
    assert (bearing.lead_time_days, bearing.qty_installed, bearing.flag) == (14, 4, "")
    used = mro.part_refs(db, plant["bearing"]).where_used
    assert [(u.asset_code, u.qty_installed, u.recommended_qty) for u in used] == [("PRESS-01", 4, 2)]
    # scanning the tag in the general scan box finds the asset
    found = scan.resolve(db, "A-PRESS-01")
    assert found.asset is not None and found.asset.asset.code == "PRESS-01" and found.found
    assert scan.resolve(db, "A-01-01").location is not None  # a bin whose code starts A- still scans


def test_supersession_is_followed_to_the_newest_part(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    v2 = make_part(db, admin, "6205-2RS-V2", description="Bearing, new design")
    v3 = make_part(db, admin, "6205-2RS-V3", description="Bearing, newest")
    mro.add_xref(db, admin, plant["bearing"], "SUPERSEDED_BY", other_part_id=v2.id)
    mro.add_xref(db, admin, v2.id, "SUPERSEDED_BY", other_part_id=v3.id)
    mro.add_xref(db, admin, plant["bearing"], "MANUFACTURER", manufacturer="SKF", value="6205-2rsh")
    refs = mro.part_refs(db, plant["bearing"])
    assert refs.superseded_by == ("6205-2RS-V2", "6205-2RS-V3") and refs.current_part_id == v3.id
    assert [(x.kind, x.value) for x in refs.xrefs] == [("MANUFACTURER", "6205-2rsh"), ("SUPERSEDED_BY", None)]
    assert mro.spares_for_code(db, "A-PRESS-01").spares[0].superseded_by == "6205-2RS-V3"
    mro.add_xref(db, admin, plant["belt"], "ALTERNATE", other_part_id=v2.id, note="fits after shim")
    seen_from_v2 = [(x.kind, x.other_part_number) for x in mro.part_refs(db, v2.id).xrefs]
    assert seen_from_v2 == [
        ("SUPERSEDED_BY", "6205-2RS-V3"),
        ("ALTERNATE", "BELT-A42"),
        ("SUPERSEDES", "6205-2RS"),
    ]
    with pytest.raises(Conflict, match="circle"):
        mro.add_xref(db, admin, v3.id, "SUPERSEDED_BY", other_part_id=plant["bearing"])
    with pytest.raises(Conflict, match="already superseded"):
        mro.add_xref(db, admin, plant["bearing"], "SUPERSEDED_BY", other_part_id=v3.id)
    assert scan.resolve(db, "6205-2RSH").part is not None  # the manufacturer's barcode finds the part


def test_reserve_issue_release_and_return(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    tech = ensure_user(db, "tech", role=Role.MAINTENANCE)
    need = date(2026, 12, 1)
    r = mro.reserve(db, tech, ReservationInput(plant["bearing"], Decimal(4), "WO-1001", plant["press"], need))
    assert (r.open_qty, r.status, r.asset_code, r.needed_by) == (4, "OPEN", "PRESS-01", need)
    with pytest.raises(InsufficientStock, match="Only 1 EA of 6205-2RS available"):
        mro.reserve(db, tech, ReservationInput(plant["bearing"], Decimal(2), "WO-1002"))
    with pytest.raises(ReservedStock, match=r"Only 1 EA of 6205-2RS are free: .* \(WO-1001 4\)"):
        mro.issue_to_asset(
            db, tech, plant["bearing"], plant["bin1"], Decimal(2), work_order="WO-9", asset_id=None
        )
    line = mro.spares_for_code(db, "A-PRESS-01").spares[0]
    assert (line.reserved, line.available, line.flag) == (4, 1, "below minimum")
    done = mro.issue_reserved(db, tech, r.id, plant["bin1"], Decimal(3))
    assert done.posted.move.reference == "WO-1001" and done.posted.move.kind == "ISSUE"
    assert done.reservation is not None and done.reservation.open_qty == 1
    with pytest.raises(UserError, match="Only 1 still reserved"):
        mro.issue_reserved(db, tech, r.id, plant["bin2"], Decimal(2))
    released = mro.release(db, tech, r.id)
    assert (released.status, released.released_qty) == ("CLOSED", 1)
    with pytest.raises(Conflict, match="closed already"):
        mro.issue_reserved(db, tech, r.id, plant["bin2"])
    back = mro.return_unused(db, tech, r.id, plant["bin2"], Decimal(1))
    assert back.posted.move.kind == "RETURN" and stock.balance(db, plant["bearing"], plant["bin2"]) == 3
    with pytest.raises(UserError, match="Only 2 were issued"):
        mro.return_unused(db, tech, r.id, plant["bin2"], Decimal(3))
    now = datetime.now(UTC)
    usage = mro.usage_per_asset(db, now - timedelta(hours=1), now + timedelta(hours=1))
    assert [(u.asset_code, u.part_number, u.qty, u.value) for u in usage] == [("PRESS-01", "6205-2RS", 2, 25)]
    assert balance_check.check_balances(db, admin) == []
    assert mro.reservations(db) == []


def test_return_without_an_asset_is_capped_by_what_was_issued(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    r = mro.reserve(db, admin, ReservationInput(plant["bearing"], Decimal(2), "WO-3"))  # no asset
    mro.issue_reserved(db, admin, r.id, plant["bin1"], Decimal(1))
    mro.return_unused(db, admin, r.id, plant["bin1"], Decimal(1))
    with pytest.raises(UserError, match="Only 0 were issued"):
        mro.return_unused(db, admin, r.id, plant["bin1"], Decimal(1))
    assert stock.balance(db, plant["bearing"], plant["bin1"]) == 3


def test_nothing_half_written_when_the_bin_is_short(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    r = mro.reserve(db, admin, ReservationInput(plant["bearing"], Decimal(3), "WO-7", plant["press"]))
    with pytest.raises(InsufficientStock, match="Only 2 EA of 6205-2RS left in A-01-02"):
        mro.issue_reserved(db, admin, r.id, plant["bin2"])
    assert mro.reservations(db)[0].issued_qty == 0
    now = datetime.now(UTC)
    assert mro.usage_per_asset(db, now - timedelta(hours=1), now + timedelta(hours=1)) == []


def test_serial_cycle_and_history(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    keeper = ensure_user(db, "keeper", role=Role.KEEPER)
    unit = mro.add_serial(db, keeper, plant["belt"], "SN-001", location_id=plant["bin1"])
    with pytest.raises(Conflict, match="registered"):
        mro.add_serial(db, keeper, plant["belt"], "sn-001")
    mro.change_serial(db, keeper, unit.id, "ISSUED", asset_id=plant["press"], reference="WO-5")
    mro.change_serial(db, keeper, unit.id, "IN_REPAIR", note="worn")
    mro.change_serial(db, keeper, unit.id, "AT_VENDOR", reference="RO-77")
    back = mro.change_serial(db, keeper, unit.id, "AVAILABLE", location_id=plant["bin2"])
    assert (back.state, back.location_code, back.asset_code) == ("AVAILABLE", "A-01-02", None)
    assert mro.spares_for_code(db, "A-PRESS-01").spares[1].serials_available == 1
    mro.change_serial(db, keeper, unit.id, "SCRAPPED", note="cracked housing")
    with pytest.raises(Conflict, match="SCRAPPED: it can go to nothing"):
        mro.change_serial(db, keeper, unit.id, "AVAILABLE")
    with pytest.raises(UserError, match="which asset"):
        mro.change_serial(db, keeper, unit.id, SerialState.ISSUED.value)
    hist = mro.serial_history(db, unit.id)
    assert [(e.from_state, e.to_state) for e in hist] == [
        (None, "AVAILABLE"),
        ("AVAILABLE", "ISSUED"),
        ("ISSUED", "IN_REPAIR"),
        ("IN_REPAIR", "AT_VENDOR"),
        ("AT_VENDOR", "AVAILABLE"),
        ("AVAILABLE", "SCRAPPED"),
    ]
    assert hist[1].asset_code == "PRESS-01" and hist[3].reference == "RO-77" and hist[0].user_name == "keeper"


def test_reports(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    short = mro.critical_short(db)
    assert [(r.part_number, r.flag, r.assets) for r in short] == [("BELT-A42", "none available", "PRESS-01")]
    mro.reserve(db, admin, ReservationInput(plant["bearing"], Decimal(3), "WO-8"))
    assert [(r.part_number, r.available, r.flag) for r in mro.critical_short(db)] == [
        ("6205-2RS", 2, "below minimum"),
        ("BELT-A42", 0, "none available"),
    ]
    assert mro.idle_spares(db, 6) == []
    later = datetime.now(UTC) + timedelta(days=200)
    idle = mro.idle_spares(db, 6, now=later)
    assert [(r.part_number, r.on_hand, r.value) for r in idle] == [("6205-2RS", 5, Decimal("62.5"))]


def test_edit_move_and_retire_an_asset(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    from dataclasses import replace

    from desktop.services.admin import audit

    press = mro.get_asset(db, "PRESS-01")

    def edit(asset_id: int, *, active: bool = True, **changes: object) -> mro.AssetDTO:
        a = next(x for x in mro.asset_tree(db) if x.id == asset_id)
        data = AssetInput(a.code, a.name, a.level, a.parent_id, a.criticality, None, a.notes)
        return mro.update_asset(db, admin, asset_id, replace(data, **changes), active=active)  # type: ignore[arg-type]

    done = edit(press.id, name="Press 250 t (rebuilt)", criticality="critical", notes="  new ram  ")
    assert (done.code, done.name, done.criticality, done.notes) == (
        "PRESS-01",
        "Press 250 t (rebuilt)",
        "CRITICAL",
        "new ram",
    )
    with pytest.raises(UserError, match="printed tag"):
        edit(press.id, code="PRESS-02")
    site = mro.get_asset(db, "PLANT")
    line2 = mro.create_asset(db, admin, AssetInput("L2", "Line 2", AssetLevel.LINE.value, site.id))
    moved = edit(press.id, parent_id=line2.id)  # the press moves to line 2
    assert moved.parent_id == line2.id
    assert mro.spares_for_code(db, "A-PRESS-01").path[-2:] == ("L2", "PRESS-01")
    with pytest.raises(UserError, match="holds assets that cannot sit inside a machine"):
        edit(line2.id, level=AssetLevel.MACHINE.value)
    with pytest.raises(UserError, match="cannot sit inside a machine"):
        edit(line2.id, parent_id=press.id)  # inside its own child: the levels forbid it
    with pytest.raises(Conflict, match="still holds 1 active asset"):
        edit(line2.id, active=False)
    edit(press.id, active=False)
    edit(line2.id, active=False)
    assert {a.code for a in mro.asset_tree(db)} == {"PLANT", "L1"}
    keeper = ensure_user(db, "keeper", role=Role.KEEPER)
    with pytest.raises(PermissionDenied):
        mro.update_asset(db, keeper, press.id, AssetInput("PRESS-01", "x", AssetLevel.MACHINE.value))
    trail = [r.summary for r in audit.audit_trail(db, admin) if r.action == "asset.update"]
    assert "PRESS-01: inside L1 -> L2" in trail
    assert any(
        x.startswith("PRESS-01: name Press 1 -> Press 250 t (rebuilt), criticality HIGH -> CRITICAL")
        for x in trail
    )
    assert any(x.startswith("L2: retired") for x in trail)
