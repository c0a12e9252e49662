"""Assets, where-used and kanban loops from a plant's spreadsheets: dry run by row and column, one
all-or-nothing commit through the MRO and kanban services, re-import updates by key, exports re-import."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from desktop.db import Database
from desktop.errors import Conflict, UserError
from desktop.models import Asset, AssetSpare, AuditEvent, CardEvent, KanbanCard, KanbanLoop, Location
from desktop.models.enums import AssetLevel, Role
from desktop.services import mro
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.io import exports, imports
from desktop.services.io.imports import ImportCancelled, Plan
from desktop.services.io.tabular import parse_csv, read_table
from desktop.services.kanban import loops as kanban
from desktop.services.kanban import scanning
from tests.factories import make_part, make_tree

ASSETS_CSV = (
    b"Asset tag;Name;Level;Parent;Criticality;Location\n"
    b"PRESS-01;Press 1;MACHINE;A-LINE-1;high;A-01-01\n"  # before its line, parent given as a scan (A-...)
    b"PRESS-01-HYD;Hydraulic unit;COMPONENT;PRESS-01;;\n"
    b"LINE-1;Stamping line;LINE;PLANT-N;;\n"
    b"PLANT-N;North plant;SITE;;;\n"
)


def _plan(db: Database, actor: Actor, kind: str, data: bytes) -> tuple[Plan, Any]:
    table = parse_csv(data)
    return imports.check(db, actor, kind, table, imports.auto_map(kind, table.headers)), table


def _run(db: Database, actor: Actor, kind: str, data: bytes, **kw: Any) -> Plan:
    table = parse_csv(data)
    return imports.run(db, actor, kind, table, imports.auto_map(kind, table.headers), **kw)


def _count(db: Database, model: type) -> int:
    return db.read(lambda s: s.scalar(select(func.count()).select_from(model)) or 0)


def _snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row the MRO and kanban imports could touch, to prove a refused import touched nothing."""
    tables: dict[str, Callable[[], Any]] = {
        "asset": lambda: select(
            Asset.code, Asset.name, Asset.level, Asset.parent_id, Asset.criticality, Asset.active
        ),
        "spare": lambda: select(
            AssetSpare.asset_id, AssetSpare.part_id, AssetSpare.qty_installed, AssetSpare.usage
        ),
        "loop": lambda: select(
            KanbanLoop.id,
            KanbanLoop.kind,
            KanbanLoop.card_count,
            KanbanLoop.container_qty,
            KanbanLoop.version,
        ),
        "card": lambda: select(KanbanCard.id, KanbanCard.status, KanbanCard.version),
        "event": lambda: select(CardEvent.id),
        "audit": lambda: select(AuditEvent.id),
    }
    return db.read(lambda s: {k: sorted(s.execute(q()).tuples().all()) for k, q in tables.items()})


def _tree(db: Database) -> dict[str, tuple[str | None, str]]:
    """code -> (parent code, level)."""
    assets = mro.asset_tree(db)
    codes = {a.id: a.code for a in assets}
    return {a.code: (codes.get(a.parent_id) if a.parent_id else None, a.level) for a in assets}


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    """Locations (with a line-side bin), two parts, a supplier."""
    tree = make_tree(db, admin)
    _run(
        db, admin, "locations", b"Code,Name,Level,Type,Parent\nLINE-1-POU,Line 1 rack,BIN,LINE_SIDE,STORES\n"
    )
    _run(db, admin, "suppliers", b"Supplier\nAcme Bearings\n")
    ids = {code: loc.id for code, loc in tree.items()}
    ids["bearing"] = make_part(db, admin, "6205-2RS").id
    ids["belt"] = make_part(db, admin, "BELT-A42", description="V-belt").id
    return ids


def test_asset_tree_in_any_order_updates_by_tag(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    plan, _ = _plan(db, admin, "assets", ASSETS_CSV)
    assert plan.ok and (plan.creates, plan.updates, plan.unchanged) == (4, 0, 0), plan.problems
    _run(db, admin, "assets", ASSETS_CSV)
    assert _tree(db) == {
        "PLANT-N": (None, "SITE"),
        "LINE-1": ("PLANT-N", "LINE"),
        "PRESS-01": ("LINE-1", "MACHINE"),
        "PRESS-01-HYD": ("PRESS-01", "COMPONENT"),
    }
    press = mro.get_asset(db, "A-PRESS-01")
    assert press.criticality == "HIGH" and press.location_code == "A-01-01" and press.critical
    # the same file again changes nothing; a renamed press and a column left out keep the rest
    plan, _ = _plan(db, admin, "assets", ASSETS_CSV)
    assert (plan.creates, plan.updates, plan.unchanged) == (0, 0, 4)
    _run(db, admin, "assets", b"Tag,Name\nPRESS-01,Press 1 (Schuler)\n")
    press = mro.get_asset(db, "PRESS-01")
    assert (
        press.name == "Press 1 (Schuler)" and press.criticality == "HIGH" and press.location_code == "A-01-01"
    )
    assert _count(db, Asset) == 4
    # an empty cell clears a text field; Active = no takes an asset out of the tree
    _run(db, admin, "assets", b"Tag,Name,Criticality,Active\nPRESS-01-HYD,Hydraulic unit,,no\n")
    assert "PRESS-01-HYD" not in _tree(db)


def test_asset_problems_by_row_and_column_nothing_written(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    _run(db, admin, "assets", ASSETS_CSV)
    before = _snapshot(db)
    bad = (
        b"Tag,Name,Level,Parent,Location\n"
        b"NEW-1,Good new machine,MACHINE,LINE-1,\n"
        b"bad tag!,Spaces and bang,MACHINE,LINE-1,\n"
        b"NEW-2,,MACHINE,LINE-1,\n"
        b"NEW-3,Robot,ROBOT,LINE-1,\n"
        b"NEW-4,Orphan,MACHINE,NOWHERE,\n"
        b"NEW-5,Line inside a machine,LINE,PRESS-01,\n"
        b"NEW-6,Lost,MACHINE,LINE-1,NO-BIN\n"
        b"NEW-1,Twice,MACHINE,LINE-1,\n"
        b"PRESS-01,Press 1,COMPONENT,LINE-1,\n"  # a component cannot hold PRESS-01-HYD (in the database)
    )
    plan, table = _plan(db, admin, "assets", bad)
    found = {(p.row, p.column) for p in plan.problems}
    assert found == {
        (3, "Tag"),
        (4, "Name"),
        (5, "Level"),
        (6, "Parent tag"),
        (7, "Parent tag"),
        (8, "Location"),
        (9, "Tag"),
        (10, "Level"),
    }, plan.problems
    with pytest.raises(UserError, match="nothing imported"):
        imports.run(db, admin, "assets", table, imports.auto_map("assets", table.headers))
    assert _snapshot(db) == before


def test_where_used_by_asset_tag_and_part_number(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    _run(db, admin, "assets", ASSETS_CSV)
    spares = (
        b"Asset;Part number;Qty installed;Recommended spares;Usage\n"
        b"A-PRESS-01;6205-2rs;4;2;on failure\n"
        b"PRESS-01-HYD;BELT-A42;1,5;;preventive\n"
    )
    plan, _ = _plan(db, admin, "where-used", spares)
    assert plan.ok and plan.creates == 2, plan.problems
    _run(db, admin, "where-used", spares)
    lines = {x.part_number: x for x in mro.asset_spares(db, mro.get_asset(db, "PRESS-01").id).spares}
    assert lines["6205-2RS"].qty_installed == 4 and lines["6205-2RS"].recommended_qty == 2
    hyd = mro.asset_spares(db, mro.get_asset(db, "PRESS-01-HYD").id).spares[0]
    assert (hyd.qty_installed, hyd.recommended_qty, hyd.usage) == (Decimal("1.5"), 0, "PREVENTIVE")
    # re-import: only the installed quantity is in this file; the rest stays
    again = b"Asset tag,Part number,Qty installed\nPRESS-01,6205-2RS,6\nPRESS-01-HYD,BELT-A42,1.5\n"
    plan, _ = _plan(db, admin, "where-used", again)
    assert (plan.creates, plan.updates, plan.unchanged) == (0, 1, 1)
    _run(db, admin, "where-used", again)
    line = next(x for x in mro.asset_spares(db, mro.get_asset(db, "PRESS-01").id).spares)
    assert (line.qty_installed, line.recommended_qty, line.usage) == (6, 2, "ON_FAILURE")
    assert _count(db, AssetSpare) == 2
    bad = (
        b"Asset tag,Part number,Qty installed,Usage\n"
        b"NOPE,6205-2RS,1,\nPRESS-01,NOPE,1,\nPRESS-01,BELT-A42,-1,\nLINE-1,BELT-A42,1,sometimes\n"
    )
    plan, _ = _plan(db, admin, "where-used", bad)
    assert [(p.row, p.column) for p in plan.problems] == [
        (2, "Asset tag"),
        (3, "Part number"),
        (4, "Qty installed"),
        (5, "Usage"),
    ]


LOOPS_CSV = (
    b"Part number,Consumption location,Kind,Supplier,Supply location,Container qty,Cards,Lead time days,"
    b"Safety factor\n"
    b"6205-2RS,L-LINE-1-POU,PURCHASE,acme bearings,,10,3,5,10%\n"
    b"BELT-A42,LINE-1-POU,,,A-01-01,2,2,,\n"  # no kind: a supply location makes it a transfer loop
)


def test_kanban_loops_get_cards_and_reimport_resizes(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    plan, _ = _plan(db, admin, "kanban", LOOPS_CSV)
    assert plan.ok and plan.creates == 2, plan.problems
    _run(db, admin, "kanban", LOOPS_CSV)
    loops = {x.part_number: x for x in kanban.list_loops(db)}
    bearing, belt = loops["6205-2RS"], loops["BELT-A42"]
    assert (bearing.kind, bearing.supply, bearing.container_qty, bearing.card_count) == (
        "PURCHASE",
        "Acme Bearings",
        10,
        3,
    )
    assert bearing.lead_time_days == 5 and bearing.safety_factor == Decimal("0.1")
    assert (belt.kind, belt.supply, belt.lead_time_days, belt.safety_factor) == (
        "TRANSFER",
        "A-01-01",
        1,
        Decimal("0.1"),
    )
    cards = kanban.cards(db, bearing.id)
    assert [(c.serial, c.of, c.status, c.version) for c in cards] == [(n, 3, "FULL", 1) for n in (1, 2, 3)]
    assert all(c.code.startswith("K-") for c in cards)
    # the same file again: nothing changes, no new cards
    plan, _ = _plan(db, admin, "kanban", LOOPS_CSV)
    assert (plan.creates, plan.updates, plan.unchanged) == (0, 0, 2)
    # more cards and a bigger container: resized as on the Kanban page, the old cards need reprinting
    old_code = cards[0].code
    _run(
        db,
        admin,
        "kanban",
        b"Part number,Consumption location,Container qty,Cards\n6205-2RS,LINE-1-POU,12,5\n",
    )
    bearing = next(x for x in kanban.list_loops(db) if x.id == bearing.id)
    assert (bearing.container_qty, bearing.card_count, bearing.version, bearing.lead_time_days) == (
        12,
        5,
        2,
        5,
    )
    cards = kanban.cards(db, bearing.id)
    assert len(cards) == 5 and sum(c.outdated for c in cards) == 3
    with pytest.raises(Conflict, match="reprint"):
        scanning.scan(db, admin, old_code, kanban.StationMode.LINE)
    # fewer cards and a longer lead time: cards retired, no new version
    _run(
        db,
        admin,
        "kanban",
        b"Part number,Consumption location,Cards,Lead time days\n6205-2RS,LINE-1-POU,2,7\n",
    )
    bearing = next(x for x in kanban.list_loops(db) if x.id == bearing.id)
    assert (bearing.card_count, bearing.version, bearing.lead_time_days) == (2, 2, 7)
    assert len(kanban.cards(db, bearing.id)) == 2
    # on hold, then retired: a retired loop's cards are retired too, and re-importing that is a no-op
    _run(db, admin, "kanban", b"Part number,Consumption location,Status\nBELT-A42,LINE-1-POU,hold\n")
    assert next(x for x in kanban.list_loops(db) if x.id == belt.id).status == "HOLD"
    retire = b"Part number,Consumption location,Status\nBELT-A42,LINE-1-POU,RETIRED\n"
    _run(db, admin, "kanban", retire)
    assert kanban.cards(db, belt.id) == []
    plan, _ = _plan(db, admin, "kanban", retire)
    assert plan.ok and (plan.creates, plan.updates, plan.unchanged) == (0, 0, 1)
    assert _count(db, KanbanLoop) == 2


def test_kanban_problems_use_the_services_rules(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    _run(db, admin, "kanban", LOOPS_CSV)
    before = _snapshot(db)
    bad = (
        b"Part number,Consumption location,Kind,Supplier,Supply location,Container qty,Cards\n"
        b"NOPE,LINE-1-POU,PURCHASE,Acme Bearings,,1,1\n"
        b"6205-2RS,NOWHERE,PURCHASE,Acme Bearings,,1,1\n"
        b"6205-2RS,A-01-02,TRANSFER,,,1,1\n"  # a transfer loop needs its supply location (kanban's rule)
        b"6205-2RS,Q-01,PURCHASE,Acme Bearings,,1.5,1\n"  # half a bearing per container (unit EA)
        b"6205-2RS,A-01-01,PURCHASE,Acme Bearings,,4,\n"  # a new loop needs its cards
        b"BELT-A42,Q-01,PURCHASE,Nobody Ltd,,1,1\n"
        b"BELT-A42,LINE-1-POU,,,,,500\n"  # an existing loop resized beyond 200 cards
        b"BELT-A42,LINE-1-POU,,,,,3\n"
        b"BELT-A42,A-01-02,PURCHASE,,,1,1\n"  # purchase without supplier, and the part has none
        b"6205-2RS,STORES,PURCHASE,Acme Bearings,,1,1,\n"
    )
    plan, table = _plan(db, admin, "kanban", bad)
    assert [(p.row, p.column) for p in plan.problems] == [
        (2, "Part number"),
        (3, "Consumption location"),
        (4, "Supply location"),
        (5, "Container qty"),
        (6, "Cards"),
        (7, "Supplier"),
        (8, "Cards"),
        (9, "Consumption location"),
        (10, "Supplier"),
    ], plan.problems
    with pytest.raises(UserError, match="nothing imported"):
        imports.run(db, admin, "kanban", table, imports.auto_map("kanban", table.headers))
    assert _snapshot(db) == before
    retire = b"Part number,Consumption location,Status\n6205-2RS,A-01-02,RETIRED\n"
    assert [p.message for p in _plan(db, admin, "kanban", retire)[0].problems] == [
        "6205-2RS at A-01-02 has no loop to retire"
    ]


def test_only_planners_import_loops_and_assets(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    keeper = ensure_user(db, "keeper", role=Role.KEEPER)
    for kind, data in (("kanban", LOOPS_CSV), ("assets", ASSETS_CSV)):
        with pytest.raises(UserError, match="may not"):
            _plan(db, keeper, kind, data)


def test_cancel_midway_leaves_no_loop_and_no_card(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    lines = "".join(
        f"LINE-{n},Line {n},BIN,LINE_SIDE,STORES\n" for n in range(60)
    )  # 60 loops: progress is reported every 50
    _run(db, admin, "locations", ("Code,Name,Level,Type,Parent\n" + lines).encode())
    loops = "".join(f"6205-2RS,LINE-{n},PURCHASE,Acme Bearings,,1,2\n" for n in range(60))
    header = "Part number,Consumption location,Kind,Supplier,Supply location,Container qty,Cards\n"
    before = _snapshot(db)
    with pytest.raises(ImportCancelled):
        _run(db, admin, "kanban", (header + loops).encode(), progress=lambda _d, _t: False)
    assert _snapshot(db) == before


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_exports_round_trip_through_import(
    db: Database, admin: Actor, plant: dict[str, int], tmp_path: Path, suffix: str
) -> None:
    _run(db, admin, "assets", ASSETS_CSV)
    _run(
        db,
        admin,
        "assets",
        b'Tag,Name,Level,Parent,Active,Notes\nOLD-1,Scrapped saw,MACHINE,LINE-1,no,"sold; 2019"\n',
    )
    _run(
        db,
        admin,
        "where-used",
        b"Asset tag,Part number,Qty installed,Recommended spares\n"
        b"PRESS-01,6205-2RS,4,2.5\nOLD-1,BELT-A42,10,0\n",
    )
    _run(db, admin, "kanban", LOOPS_CSV)
    _run(db, admin, "kanban", b"Part number,Consumption location,Status\nBELT-A42,LINE-1-POU,HOLD\n")
    for kind, count in (("assets", 5), ("where-used", 2), ("kanban", 2)):
        out = tmp_path / f"{kind}{suffix}"
        assert exports.export(db, admin, kind, out) == count
        table = read_table(out)
        plan = imports.check(db, admin, kind, table, imports.auto_map(kind, table.headers))
        assert plan.ok and (plan.creates, plan.updates, plan.unchanged) == (0, 0, count), (kind, plan)
    # and into an empty database in the order the dialog suggests, the same plant comes out
    table = read_table(tmp_path / f"assets{suffix}")
    assert table.rows[0][:4] == ("PLANT-N", "North plant", "SITE", "")  # parents first


def _mostly(good: list[str], bad: list[str]) -> st.SearchStrategy[str]:
    """Cells that are mostly right, so a fair share of files commit and the rest are refused."""
    return st.sampled_from(good * 10 + bad)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            _mostly(["S1", "L1", "M1", "M2", "C1", "a-l1"], ["bad tag", "", "X" * 31]),
            _mostly(["Site", "Line", "Press"], ["", "n" * 121]),
            _mostly(["SITE", "LINE", "MACHINE", "COMPONENT", ""], ["robot"]),
            _mostly(["", "S1", "L1", "A-L1", "M1", "M2", "C1"], ["NOPE"]),
            _mostly(["", "HIGH", "critical"], ["MUCH TOO CRITICAL"]),
            _mostly(["", "A-01-01", "L-Q-01"], ["NOPE"]),
            _mostly(["", "yes", "no"], ["maybe"]),
        ),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([b""] * 4) | st.binary(max_size=40),  # now and then bytes that are no text at all
)
def test_fuzzed_asset_files_all_or_nothing(
    sqlite_db: Database, rows: list[tuple[str, ...]], garbage: bytes
) -> None:
    actor = ensure_user(sqlite_db, "fuzz", role=Role.ADMIN)
    if not _count(sqlite_db, Location):  # the first example of the run sets the plant up
        make_tree(sqlite_db, actor)
    text = "Tag;Name;Level;Parent;Criticality;Location;Active\n" + "".join(";".join(r) + "\n" for r in rows)
    before = _snapshot(sqlite_db)
    try:
        _run(sqlite_db, actor, "assets", text.encode() + garbage)
    except UserError:
        event("refused")
        assert _snapshot(sqlite_db) == before
    else:
        event("committed")
    # committed or not, the tree holds: every asset sits deeper than its parent
    levels = dict(sqlite_db.read(lambda s: s.execute(select(Asset.id, Asset.level)).tuples().all()))
    links = sqlite_db.read(lambda s: s.execute(select(Asset.id, Asset.parent_id)).tuples().all())
    for child, parent in links:
        if parent is not None:
            assert AssetLevel(levels[parent]).depth < AssetLevel(levels[child]).depth


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            _mostly(["P-1", "p-2"], ["NOPE"]),
            _mostly(["LINE-A", "LINE-B", "L-LINE-A"], ["NOWHERE"]),
            _mostly(["", "PURCHASE", "PRODUCTION"], ["TRANSFER", "GIFT"]),
            _mostly(["", "Acme"], ["Nobody"]),
            _mostly(["", "A-01-01"], ["LINE-A"]),
            _mostly(["10", "2"], ["", "1.5", "0", "-1", "abc"]),
            _mostly(["1", "3"], ["", "0", "201", "2.5"]),
            _mostly(["", "ACTIVE", "HOLD"], ["RETIRED", "DEAD"]),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_fuzzed_loop_files_all_or_nothing(sqlite_db: Database, rows: list[tuple[str, ...]]) -> None:
    actor = ensure_user(sqlite_db, "fuzz", role=Role.ADMIN)
    if not _count(sqlite_db, Location):  # the first example of the run sets the plant up
        make_tree(sqlite_db, actor)
        _run(
            sqlite_db, actor, "parts", b"Part number,Description,Unit,Supplier\nP-1,Pin,EA,Acme\nP-2,Oil,L,\n"
        )
        _run(
            sqlite_db,
            actor,
            "locations",
            b"Code,Level,Type,Parent\nLINE-A,BIN,LINE_SIDE,STORES\nLINE-B,BIN,,STORES\n",
        )
    header = "Part number,Consumption location,Kind,Supplier,Supply location,Container qty,Cards,Status\n"
    before = _snapshot(sqlite_db)
    try:
        _run(sqlite_db, actor, "kanban", (header + "".join(",".join(r) + "\n" for r in rows)).encode())
    except UserError:
        event("refused")
        assert _snapshot(sqlite_db) == before
    else:
        event("committed")
    # committed or not, every loop has exactly its number of cards in circulation
    for loop in kanban.list_loops(sqlite_db):
        live = kanban.cards(sqlite_db, loop.id)
        assert len(live) == (0 if loop.status == "RETIRED" else loop.card_count)
        assert {c.serial for c in live} <= set(range(1, 1000)) and all(
            c.version <= loop.version for c in live
        )


def test_command_line_round_trip_of_the_demo_plant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.cli.main import main

    monkeypatch.setenv("STOREROOM_HOME", str(tmp_path))
    monkeypatch.delenv("STOREROOM_DB_URL", raising=False)

    def run(*args: str) -> tuple[int, str]:
        code = main(["--user", "clerk", *args])
        return code, capsys.readouterr().out

    assert run("init")[0] == 0 and run("demo", "--parts", "24")[0] == 0
    loops = tmp_path / "loops.csv"
    loops.write_text(
        "Part number,Consumption location,Supply location,Container qty,Cards\nBRG-1000,A-01-02,A-01-01,5,2\n"
    )
    code, out = run("import", "kanban", str(loops))
    assert code == 0 and "1 new" in out
    for kind in ("assets", "where-used", "kanban"):
        out_file = tmp_path / f"{kind}.xlsx"
        code, out = run("export", kind, str(out_file))
        assert code == 0 and f"{kind} rows" in out
        count = int(out.split()[1].replace(",", ""))
        assert count > 0
        code, out = run("import", kind, str(out_file), "--dry-run")
        assert code == 0 and f"0 new, 0 changed, {count} unchanged" in out, out
    loops.write_text("Part number,Consumption location,Cards\nBRG-1000,A-01-02,999\n")
    code, out = run("import", "kanban", str(loops))
    assert code == 1 and "row 2, Cards: A loop has 1 to 200 cards." in out
