"""On PostgreSQL the clients log in as a runtime role: the app works unchanged under it, but the role
cannot edit or delete the ledger or the audit trail, change the schema, or make anyone an ADMIN."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from desktop import pg_upgrade, schema
from desktop.cli.main import main
from desktop.db import Database
from desktop.errors import PermissionDenied, UserError
from desktop.models.enums import MoveKind, Role
from desktop.services.admin import audit, users
from desktop.services.admin.access_settings import AccessSettings, save_access
from desktop.services.admin.server_roles import setup_runtime_role
from desktop.services.counts import sessions as counts
from desktop.services.stock import balance_check
from desktop.services.stock import history as stock_history
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest, post_move
from tests.conftest import create_pg_database, drop_pg_database, pg_admin_url
from tests.factories import make_part, make_tree

pytestmark = pytest.mark.postgres
PASSWORD = "rt-pa:ss%w'rd"  # a quote, a colon and a percent sign: passed through untouched


@pytest.fixture
def shared(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> Iterator[tuple[Database, Database, str]]:
    """(owner's database, runtime role's database, runtime role name) on a new server database."""
    monkeypatch.setenv("STOREROOM_HOME", str(tmp_path))
    url = create_pg_database("storeroom_roles")
    owner = Database(url)
    schema.upgrade(owner, backup=False)
    role = f"storeroom_rt_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("STOREROOM_RUNTIME_PASSWORD", PASSWORD)
    capsys.readouterr()
    assert main(["--db", url, "server", "setup-roles", "--runtime-role", role]) == 0
    out = capsys.readouterr().out
    server = make_url(url)
    assert (
        f"created {role}" in out
        and f"postgresql://{role}@{server.host}:{server.port}/{server.database}" in out
    )
    assert f":{server.password}@" not in out and PASSWORD not in out
    runtime = Database(
        make_url(url).set(username=role, password=PASSWORD).render_as_string(hide_password=False)
    )
    yield owner, runtime, role
    runtime.dispose()
    owner.dispose()
    drop_pg_database(url)
    admin = create_engine(str(pg_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    admin.dispose()


def _denied(runtime: Database, statement: str) -> None:
    with runtime.engine.connect() as conn, pytest.raises(DBAPIError) as refused:
        conn.execute(text(statement))
    assert getattr(refused.value.orig, "sqlstate", None) == "42501", statement


def test_the_runtime_role_runs_the_storeroom_but_cannot_rewrite_history_or_promote_itself(
    shared: tuple[Database, Database, str],
) -> None:
    owner, runtime, role = shared
    with pytest.raises(users.OwnerRequired, match="Create the first administrator with that login"):
        users.create_first_admin(runtime, "ada", "Ada Admin", "9876")
    ada = users.create_first_admin(owner, "ada", "Ada Admin", "9876")  # set up with the owner's login
    users.save_user(
        owner, ada, user_id=None, user_name="kim", display_name="Kim", role=Role.KEEPER, secret="1111"
    )
    tree = make_tree(owner, ada)
    part = make_part(owner, ada, "BRG-6205", unit_cost=Decimal("4.20"))

    # --- a day's work, as the clients do it -----------------------------------------------------------
    with pytest.raises(UserError, match="Wrong user name or PIN"):
        users.authenticate(runtime, "kim", "0000", pc="PC-1")
    kim = users.authenticate(runtime, "kim", "1111", pc="PC-1")
    admin = users.authenticate(runtime, "ada", "9876", pc="PC-1")
    a, b = tree["A-01-01"].id, tree["A-01-02"].id
    post_move(runtime, kim, MoveRequest(MoveKind.RECEIPT, part.id, Decimal(10), to_location_id=a))
    got = post_move(runtime, kim, MoveRequest(MoveKind.ISSUE, part.id, Decimal(3), from_location_id=a))
    post_move(runtime, kim, MoveRequest(MoveKind.TRANSFER, part.id, Decimal(2), a, b))
    post_move(runtime, kim, MoveRequest(MoveKind.ADJUSTMENT, part.id, Decimal(1), None, b, reason="found"))
    stock_history.reverse_move(runtime, kim, got.move.id, "wrong part")
    assert stock.balance(runtime, part.id, a) == 8
    assert balance_check.check_balances(runtime, kim) == []
    assert counts.start_session(runtime, admin, "Rack 1", [tree["R01"].id]) > 0  # takes the ledger lock
    make_part(runtime, admin, "BRG-6206")  # master data, audited
    save_access(runtime, admin, AccessSettings(pin_failures=6, pc_failures=30))
    assert audit.verify(runtime, admin).intact

    # --- what the role may not do, whatever client it uses ----------------------------------------------
    for statement in (
        "UPDATE stock_move SET qty = qty + 1",
        "DELETE FROM stock_move",
        "UPDATE audit_event SET summary = 'nothing happened'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "UPDATE app_user SET role = 'ADMIN' WHERE user_name = 'kim'",
        "INSERT INTO app_user (user_name, display_name, role, active, secret_hash) "
        "VALUES ('mallory', 'M', 'ADMIN', true, 'x')",
        "DELETE FROM app_user WHERE user_name = 'ada'",
        "UPDATE alembic_version SET version_num = '0001_initial'",
        "INSERT INTO runtime_role (role_name) VALUES ('someone')",
        "CREATE TABLE evil (x int)",
        "ALTER TABLE part ADD COLUMN evil int",
        "DROP TABLE stock_balance",
    ):
        _denied(runtime, statement)

    # account changes through the app ask for the owner's login ...
    with pytest.raises(users.OwnerRequired, match="only the database owner's login"):
        users.save_user(
            runtime, admin, user_id=kim.user_id, user_name="kim", display_name="Kim", role=Role.ADMIN
        )
    with pytest.raises(UserError):  # ... and a wrong owner password changes nothing
        users.save_user(
            runtime,
            admin,
            user_id=kim.user_id,
            user_name="kim",
            display_name="Kim",
            role=Role.ADMIN,
            owner_password="guess",
        )
    owner_login = make_url(owner.url).password
    changed = users.save_user(
        runtime,
        admin,
        user_id=kim.user_id,
        user_name="kim",
        display_name="Kim",
        role=Role.SUPERVISOR,
        owner_password=owner_login,
    )
    assert changed.role is Role.SUPERVISOR
    # lock-outs are the runtime role's to write and an admin's to lift
    with pytest.raises(UserError):
        users.authenticate(runtime, "kim", "0000", pc="PC-2")
    users.unlock(runtime, admin, user_name="kim")
    # the schema and the roles stay the owner's
    with pytest.raises(PermissionDenied, match=r"Only the schema owner \(storeroom\) can set up roles"):
        setup_runtime_role(runtime, role, None)
    with pytest.raises(UserError, match="owner or a superuser"):
        setup_runtime_role(owner, str(make_url(owner.url).username), None)
    assert audit.verify(runtime, admin).intact


def test_an_upgrade_grants_the_runtime_role_its_rights_on_what_it_changed(
    shared: tuple[Database, Database, str],
) -> None:
    owner, runtime, role = shared
    ada = users.ensure_user(owner, "ada", role=Role.ADMIN)
    tree = make_tree(owner, ada)
    part = make_part(owner, ada, "BRG-1")
    with owner.engine.begin() as conn:  # as a migration that rebuilt the ledger would leave it
        conn.execute(text(f'REVOKE ALL ON stock_move FROM "{role}"'))
    receipt = MoveRequest(MoveKind.RECEIPT, part.id, Decimal(1), to_location_id=tree["A-01-01"].id)
    with pytest.raises(UserError):
        post_move(runtime, ada, receipt)
    pg_upgrade.upgrade_shared(owner, schema.head_revision(), lambda: None, dump=False, automatic=False)
    assert post_move(runtime, ada, receipt).move.qty == 1


def test_the_runtime_role_receives_issues_and_releases_lots_but_never_deletes_one(
    shared: tuple[Database, Database, str],
) -> None:
    from desktop.services import lots
    from desktop.services.stock import issue as stock_issue

    owner, runtime, _role = shared
    ada = users.create_first_admin(owner, "ada", "Ada Admin", "9876")
    users.save_user(
        owner, ada, user_id=None, user_name="kim", display_name="Kim", role=Role.KEEPER, secret="1111"
    )
    tree = make_tree(owner, ada)
    part = make_part(owner, ada, "GREASE-EP2")
    kim = users.authenticate(runtime, "kim", "1111", pc="PC-1")
    admin = users.authenticate(runtime, "ada", "9876", pc="PC-1")
    lots.set_tracking(runtime, admin, part.id, lots.TrackingInput("LOT", 365))
    a = tree["A-01-01"].id
    lot = lots.receive(runtime, kim, lots.LotReceipt(part.id, a, Decimal(5), "(10)B-1(17)200101")).lots[0]
    with pytest.raises(UserError, match="expired on 2020-01-01"):
        stock_issue.issue(runtime, kim, MoveRequest(MoveKind.ISSUE, part.id, Decimal(1), a))
    lots.release(runtime, admin, lot.id, "lab re-test 12")
    stock_issue.issue(runtime, kim, MoveRequest(MoveKind.ISSUE, part.id, Decimal(1), a, reference="WO-1"))
    assert [m.move.kind for m in lots.trace(runtime, lot.code).moves] == ["RECEIPT", "ISSUE"]
    assert balance_check.check_balances(runtime, kim) == []
    for statement in ("DELETE FROM lot", "UPDATE stock_move SET lot_id = NULL", "TRUNCATE lot_balance"):
        _denied(runtime, statement)
