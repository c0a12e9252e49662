"""Control and text-direction characters are refused wherever text comes in, naming the field; nothing
of a refused request is saved. Tabs and line breaks stay whitespace; notes keep their lines."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import (
    Asset,
    CountSession,
    Location,
    Part,
    Reservation,
    SerialUnit,
    StockMove,
    Supplier,
    User,
)
from desktop.models.enums import LocationLevel, MoveKind, Role
from desktop.services import mro
from desktop.services.actor import Actor
from desktop.services.admin.users import save_user
from desktop.services.catalogue.locations import LocationInput, create_location
from desktop.services.catalogue.parts import PartInput, create_part, get_part
from desktop.services.catalogue.suppliers import PartSupplierInput, create_supplier
from desktop.services.counts import sessions as counts
from desktop.services.io import imports
from desktop.services.io.tabular import parse_csv
from desktop.services.mro import AssetInput, ReservationInput
from desktop.services.stock import balance_check
from desktop.services.stock import history as stock_history
from desktop.services.stock import issue as stock_issue
from desktop.services.stock.moves import MoveRequest, post_move
from desktop.services.text_rules import refuse_controls
from tests.factories import make_part, make_tree, receive

# what a scanner suffix, a paste from a terminal or a crafted file can carry
BAD = [
    "\x00",
    "\x04",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
]


@pytest.mark.parametrize("ch", BAD)
def test_the_rule_names_the_field_and_the_character(ch: str) -> None:
    with pytest.raises(UserError, match=rf"Reference contains .*U\+{ord(ch):04X}.* at position 6") as err:
        refuse_controls(f"WO-77{ch}1", field="reference", label="Reference")
    assert err.value.field == "reference"


def test_ordinary_text_passes() -> None:
    for text in (
        "Kugellager Ø 25 µm",
        "Подшипник",
        "轴承 6205",
        "O'Brien & Söhne",
        "tab\tand\nline",
        "",
        None,
    ):
        refuse_controls(text, field="x", label="X")


def _count(db: Database, model: type) -> int:
    return db.read(lambda s: s.scalar(select(func.count()).select_from(model)) or 0)


def test_every_service_that_takes_text_refuses_them(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    part = make_part(db, admin)
    a = tree["A-01-01"].id
    receive(db, admin, part.id, a, "10")
    asset = mro.create_asset(db, admin, AssetInput("PRESS-9", "Press", "MACHINE"))
    unit = mro.add_serial(db, admin, part.id, "SN-1")

    attempts: list[tuple[str, type, Callable[[str], object]]] = [
        (
            "reference",
            StockMove,
            lambda t: post_move(
                db, admin, MoveRequest(MoveKind.RECEIPT, part.id, Decimal(1), to_location_id=a, reference=t)
            ),
        ),
        (
            "reason",
            StockMove,
            lambda t: post_move(
                db, admin, MoveRequest(MoveKind.SCRAP, part.id, Decimal(1), from_location_id=a, reason=t)
            ),
        ),
        (
            "reference",
            StockMove,
            lambda t: stock_issue.issue_short(db, admin, part.id, a, Decimal(50), reference=t),
        ),
        ("reason", StockMove, lambda t: stock_history.reverse_move(db, admin, 1, t)),
        ("description", Part, lambda t: create_part(db, admin, PartInput("NEW-1", f"Bearing {t}"))),
        (
            "manufacturer",
            Part,
            lambda t: create_part(db, admin, PartInput("NEW-1", "Bearing", manufacturer=t)),
        ),
        (
            "manufacturer_part_number",
            Part,
            lambda t: create_part(db, admin, PartInput("NEW-1", "B", manufacturer_part_number=t)),
        ),
        (
            "notes",
            Part,
            lambda t: create_part(db, admin, PartInput("NEW-1", "Bearing", notes=f"line 1\n{t}")),
        ),
        ("part_number", Part, lambda t: create_part(db, admin, PartInput(f"NEW{t}1", "Bearing"))),
        (
            "suppliers",
            Part,
            lambda t: create_part(
                db, admin, PartInput("NEW-1", "B", suppliers=(PartSupplierInput("Acme", f"A{t}"),))
            ),
        ),
        ("name", Supplier, lambda t: create_supplier(db, admin, f"Acme{t}")),
        ("contact", Supplier, lambda t: create_supplier(db, admin, "Acme", contact=f"Jo{t}")),
        ("email", Supplier, lambda t: create_supplier(db, admin, "Acme", email=f"jo{t}@acme.example")),
        ("phone", Supplier, lambda t: create_supplier(db, admin, "Acme", phone=f"+41{t}")),
        (
            "name",
            Location,
            lambda t: create_location(
                db, admin, LocationInput("A-01-03", f"Bin{t}", LocationLevel.BIN.value, parent_code="R01")
            ),
        ),
        (
            "notes",
            Location,
            lambda t: create_location(
                db,
                admin,
                LocationInput("A-01-03", "Bin", LocationLevel.BIN.value, parent_code="R01", notes=t),
            ),
        ),
        ("name", Asset, lambda t: mro.create_asset(db, admin, AssetInput("PUMP-9", f"Pump{t}", "MACHINE"))),
        (
            "notes",
            Asset,
            lambda t: mro.create_asset(db, admin, AssetInput("PUMP-9", "Pump", "MACHINE", notes=t)),
        ),
        (
            "work_order",
            Reservation,
            lambda t: mro.reserve(db, admin, ReservationInput(part.id, Decimal(1), f"WO{t}", asset.id)),
        ),
        ("serial", SerialUnit, lambda t: mro.add_serial(db, admin, part.id, f"SN{t}2")),
        (
            "reference",
            StockMove,
            lambda t: mro.change_serial(db, admin, unit.id, "ISSUED", asset_id=asset.id, reference=f"WO{t}"),
        ),
        (
            "value",
            Part,
            lambda t: mro.add_xref(db, admin, part.id, "MANUFACTURER", value=f"X{t}Y", manufacturer="SKF"),
        ),
        (
            "display_name",
            User,
            lambda t: save_user(
                db,
                admin,
                user_id=None,
                user_name="newbie",
                display_name=f"New{t}",
                role=Role.KEEPER,
                secret="123456",
            ),
        ),
        ("name", CountSession, lambda t: counts.start_session(db, admin, f"Count{t}", [a])),
    ]
    before = {m: _count(db, m) for _f, m, _op in attempts}
    moves_before = _count(db, StockMove)
    for field, _model, attempt in attempts:
        for ch in BAD:
            if ch == "\x00" and not db.is_sqlite and field == "part_number":
                continue  # (refused the same way; listed once to keep the run short)
            with pytest.raises(UserError) as err:
                attempt(ch)
            assert err.value.field == field, (field, repr(ch), err.value.message)
            assert "U+" in err.value.message or "control characters" in err.value.message, err.value.message
    assert {m: _count(db, m) for _f, m, _op in attempts} == before
    assert _count(db, StockMove) == moves_before
    assert balance_check.check_balances(db, admin) == []


def test_tabs_fold_and_notes_keep_their_lines(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    p = create_part(db, admin, PartInput("NL-1", "Seal\tkit", notes="first line\r\nsecond line\n"))
    shown = get_part(db, p.id)
    assert shown.description == "Seal kit" and shown.notes == "first line\nsecond line"
    r = post_move(
        db,
        admin,
        MoveRequest(
            MoveKind.RECEIPT, p.id, Decimal(1), to_location_id=tree["A-01-01"].id, reference="WO\t77\r\n"
        ),
    )
    assert r.move.reference == "WO 77"


def test_an_import_with_a_control_character_imports_nothing(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    data = "Part number,Description,Unit\nOK-1,Good,EA\nBAD-1,Bad\x04one,EA\nBAD-2,Evil \u202eTXT.EXE,EA\n"
    table = parse_csv(data.encode("utf-8"), name="parts.csv")
    plan = imports.check(db, admin, "parts", table, imports.auto_map("parts", table.headers))
    messages = [f"{p.row} {p.column} {p.message}" for p in plan.problems]
    assert len(messages) == 2 and "U+0004" in messages[0] and "U+202E" in messages[1], messages
    with pytest.raises(UserError):
        imports.run(db, admin, "parts", table, imports.auto_map("parts", table.headers), source="parts.csv")
    assert _count(db, Part) == 0
