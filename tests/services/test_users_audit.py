"""Accounts, sign-in, role enforcement in every service, and the audit trail."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.db import Database
from desktop.errors import Conflict, PermissionDenied, UserError
from desktop.models.enums import LocationLevel, MoveKind, Role
from desktop.services.actor import ROLE_PERMISSIONS, Actor, Permission
from desktop.services.admin import audit, users
from desktop.services.admin.secrets import hash_secret, verify_secret
from desktop.services.catalogue import locations, parts, suppliers
from desktop.services.stock import moves as stock
from tests.factories import make_part, make_tree, receive


def test_secrets_are_salted_slow_hashes() -> None:
    one, two = hash_secret("1234"), hash_secret("1234")
    assert one != two and "1234" not in one and one.startswith("scrypt$16384$8$1$")
    assert verify_secret("1234", one) and not verify_secret("1235", one)
    assert not verify_secret("1234", None) and not verify_secret("1234", "md5$abc")


def test_first_admin_then_sign_in_by_pin_and_badge(db: Database) -> None:
    assert users.needs_first_admin(db)
    admin = users.create_first_admin(db, "Ada", "Ada Admin", "9876")
    assert admin.role is Role.ADMIN and admin.user_name == "ada"
    assert not users.needs_first_admin(db)
    with pytest.raises(Conflict):
        users.create_first_admin(db, "eve", "Eve", "0000")
    assert users.authenticate(db, " ADA ", "9876").user_id == admin.user_id
    with pytest.raises(PermissionDenied, match="Wrong user name or PIN"):
        users.authenticate(db, "ada", "0000")
    with pytest.raises(PermissionDenied, match="Wrong user name or PIN"):
        users.authenticate(db, "nobody", "9876")
    kim = users.save_user(
        db,
        admin,
        user_id=None,
        user_name="kim",
        display_name="Kim Keeper",
        role=Role.KEEPER,
        secret="1111",
        badge_code="k-42",
    )
    assert kim.badge_code == "U-K-42" and kim.has_secret
    assert users.authenticate_badge(db, "u-k-42").user_name == "kim"
    with pytest.raises(PermissionDenied, match="not registered"):
        users.authenticate_badge(db, "U-NOPE")
    users.save_user(
        db,
        admin,
        user_id=kim.id,
        user_name="kim",
        display_name="Kim Keeper",
        role=Role.KEEPER,
        badge_code="U-K-42",
        active=False,
    )
    with pytest.raises(PermissionDenied, match="disabled"):
        users.authenticate(db, "kim", "1111")
    trail = audit.audit_trail(db, admin)
    actions = [r.action for r in trail]
    assert actions.count("user.sign_in_failed") == 3 and "user.update" in actions
    assert any("active True -> False" in r.summary for r in trail)


def test_user_administration_rules(db: Database) -> None:
    admin = users.create_first_admin(db, "ada", "Ada", "9876")
    with pytest.raises(UserError, match="at least 4"):
        users.save_user(
            db, admin, user_id=None, user_name="x", display_name="X", role=Role.VIEWER, secret="12"
        )
    with pytest.raises(UserError, match="PIN or password"):
        users.save_user(db, admin, user_id=None, user_name="x", display_name="X", role=Role.VIEWER)
    with pytest.raises(PermissionDenied, match="own administrator"):
        users.save_user(
            db, admin, user_id=admin.user_id, user_name="ada", display_name="Ada", role=Role.KEEPER
        )
    users.save_user(
        db,
        admin,
        user_id=None,
        user_name="bob",
        display_name="Bob",
        role=Role.CLERK,
        secret="2222",
        badge_code="U-B1",
    )
    with pytest.raises(Conflict, match="taken"):
        users.save_user(
            db, admin, user_id=None, user_name="BOB", display_name="Bob 2", role=Role.CLERK, secret="2222"
        )
    with pytest.raises(Conflict, match="already belongs to bob"):
        users.save_user(
            db,
            admin,
            user_id=None,
            user_name="cy",
            display_name="Cy",
            role=Role.CLERK,
            secret="2222",
            badge_code="U-B1",
        )
    bob = users.authenticate(db, "bob", "2222")
    with pytest.raises(PermissionDenied):
        users.list_users(db, bob)


def _try(fn) -> bool:  # type: ignore[no-untyped-def]
    try:
        fn()
    except PermissionDenied:
        return False
    return True


@pytest.mark.parametrize("role", list(Role))
def test_every_service_enforces_the_role(db: Database, role: Role) -> None:
    """Call the services directly (no UI) as each role: allowed calls work, others are refused."""
    admin = users.ensure_user(db, "root", role=Role.ADMIN)
    tree = make_tree(db, admin)
    part = make_part(db, admin)
    receive(db, admin, part.id, tree["A-01-01"].id, "50")
    actor = users.ensure_user(db, f"u-{role.value.lower()}", role=role)
    allowed = ROLE_PERMISSIONS[role]
    calls = {
        Permission.MOVE_STOCK: lambda: stock.post_move(
            db,
            actor,
            stock.MoveRequest(MoveKind.ISSUE, part.id, Decimal(1), from_location_id=tree["A-01-01"].id),
        ),
        Permission.EDIT_PARTS: lambda: parts.create_part(
            db, actor, parts.PartInput(f"N-{role.value}", "New")
        ),
        Permission.EDIT_LOCATIONS: lambda: locations.create_location(
            db,
            actor,
            locations.LocationInput(f"X-{role.value}", "X", LocationLevel.BIN.value, parent_code="R01"),
        ),
        Permission.ADMIN: lambda: users.list_users(db, actor),
        Permission.VIEW_AUDIT: lambda: audit.audit_trail(db, actor),
    }
    for permission, call in calls.items():
        assert _try(call) == (permission in allowed), (role, permission)
    assert _try(lambda: suppliers.create_supplier(db, actor, f"S {role.value}")) == (
        Permission.EDIT_PARTS in allowed
    )


def test_audit_trail_merges_master_data_and_moves_and_exports(db: Database, tmp_path: Path) -> None:
    admin = users.ensure_user(db, "root", role=Role.ADMIN)
    tree = make_tree(db, admin)
    part = make_part(db, admin, "AUD-1", unit_cost=Decimal(2))
    parts.update_part(db, admin, part.id, parts.PartInput("AUD-1", "Audited part", unit_cost=Decimal(3)))
    receive(db, admin, part.id, tree["A-01-01"].id, "4")
    rows = audit.audit_trail(db, admin)
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)
    receipt = next(r for r in rows if r.action == "stock.receipt")
    assert "4 EA of AUD-1 to A-01-01" in receipt.summary and receipt.user_name == "root"
    edit = next(r for r in rows if r.action == "part.update")
    assert "unit_cost 2 -> 3" in edit.summary and "description" in edit.summary
    assert {r.action for r in audit.audit_trail(db, admin, text="a-01-01")} == {
        "stock.receipt",
        "location.create",
    }
    assert audit.audit_trail(db, admin, user_name="nobody") == []
    out = tmp_path / "audit.csv"
    audit.export_csv(rows, out)
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "when (UTC),user,action,entity,id,summary" and "part.update" in text
    evil = audit.AuditRow(rows[0].at, "root", "stock.issue", "stock_move", 1, '=HYPERLINK("http://x","WO")')
    audit.export_csv([evil], out)
    cells = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))[1]
    assert cells[5] == '\'=HYPERLINK("http://x","WO")'  # the quote prefix: text, not a formula
    keeper = users.ensure_user(db, "kim", role=Role.KEEPER)
    with pytest.raises(PermissionDenied):
        audit.audit_trail(db, keeper)


def test_admin_fixture_has_no_pin_but_bootstrap_still_needed(db: Database, admin: Actor) -> None:
    assert users.needs_first_admin(db)  # accounts made by scripts have no PIN: the app asks for an admin
