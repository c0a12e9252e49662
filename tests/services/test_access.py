"""Wrong PINs back off and lock (per account and per PC, audited, unlocked by an admin); a keeper's
adjustment above the value limit needs a supervisor, whichever way it is posted."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update

from desktop.db import Database
from desktop.errors import PermissionDenied, UserError
from desktop.models import AuditEvent, SignInGuard
from desktop.models.enums import MoveKind, Role
from desktop.services.actor import Actor
from desktop.services.admin import users
from desktop.services.admin.access_settings import AccessSettings, access_settings, save_access
from desktop.services.io import imports
from desktop.services.io.tabular import parse_csv
from desktop.services.stock import history as stock_history
from desktop.services.stock import moves as stock
from desktop.services.stock.batch import post_many
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, receive

PC = "SHOP-PC-1"


def _account(db: Database, admin: Actor, name: str, pin: str, role: Role = Role.KEEPER) -> None:
    users.save_user(db, admin, user_id=None, user_name=name, display_name=name.title(), role=role, secret=pin)


def _time_passes(db: Database, seconds: int = 600) -> None:
    """Move every wait into the past, as if the keeper had waited (no sleeping in tests)."""
    with db.engine.begin() as conn:
        for guard in conn.execute(select(SignInGuard)).all():
            if guard.last_failure_at is not None:
                conn.execute(
                    update(SignInGuard)
                    .where(SignInGuard.scope == guard.scope, SignInGuard.key == guard.key)
                    .values(
                        last_failure_at=guard.last_failure_at.replace(year=guard.last_failure_at.year - 1)
                    )
                )


def _refusal(db: Database, name: str, pin: str, pc: str = PC) -> str:
    with pytest.raises(UserError) as refused:
        users.authenticate(db, name, pin, pc=pc)
    return refused.value.message


def _actions(db: Database) -> list[str]:
    return db.read(lambda s: list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id))))


def test_wrong_pins_back_off_then_lock_the_account_until_an_admin_unlocks_it(
    db: Database, admin: Actor
) -> None:
    _account(db, admin, "kim", "1111")
    assert _refusal(db, "kim", "0000") == "Wrong user name or PIN."
    assert _refusal(db, "kim", "0001") == "Wrong user name or PIN."
    assert _refusal(db, "kim", "0002") == "Wrong user name or PIN. Wait 2 s before the next try."
    # during the wait even the right PIN is not looked at: a guess made then tells nothing
    assert _refusal(db, "kim", "1111") in (
        "Too many wrong PINs: wait 2 s before trying again.",
        "Too many wrong PINs: wait 1 s before trying again.",  # a slow machine took a second already
    )
    _time_passes(db)
    assert "Wait 4 s" in _refusal(db, "kim", "0003")
    _time_passes(db)
    locked = _refusal(db, "kim", "0004")
    assert "locked after 5 wrong PINs; an administrator can unlock it" in locked
    _time_passes(db)
    assert "locked after 5 wrong PINs" in _refusal(db, "kim", "1111")  # waiting does not unlock
    assert _actions(db).count("user.sign_in_failed") == 5 and "user.locked" in _actions(db)
    assert [(lock.scope, lock.key) for lock in users.locked_out(db, admin)] == [("user", "kim")]

    assert "locked after 5 wrong PINs" in _refusal(db, "kim", "1111", pc="OTHER-PC")  # any PC
    with pytest.raises(PermissionDenied):
        users.unlock(db, users.ensure_user(db, "vic", role=Role.SUPERVISOR), user_name="kim")
    users.unlock(db, admin, user_name="kim")
    assert users.authenticate(db, "kim", "1111", pc=PC).user_name == "kim"
    assert "user.unlock" in _actions(db)
    with pytest.raises(UserError, match="nothing to unlock"):
        users.unlock(db, admin, user_name="kim")


def test_the_lock_holds_for_the_badge_and_other_pcs_and_names_that_do_not_exist(
    db: Database, admin: Actor
) -> None:
    _account(db, admin, "kim", "1111")
    users.save_user(
        db,
        admin,
        user_id=None,
        user_name="lee",
        display_name="Lee",
        role=Role.KEEPER,
        secret="2222",
        badge_code="U-LEE1",
    )
    save_access(db, admin, AccessSettings(pin_failures=3, pc_failures=8))
    for n in range(3):
        _time_passes(db)
        _refusal(db, "lee", f"000{n}", pc=f"PC-{n}")  # from three PCs: the account counts them all
    _time_passes(db)
    assert "locked after 3 wrong PINs" in _refusal(db, "lee", "2222", pc="PC-9")
    with pytest.raises(UserError, match="locked after 3 wrong PINs"):
        users.authenticate_badge(db, "U-LEE1", pc="PC-9")
    # a made-up name gets the very same answers: the messages never say whether an account exists
    for n in range(3):
        _time_passes(db)
        _refusal(db, "ghost", f"000{n}", pc="PC-9")
    _time_passes(db)
    assert "The account 'ghost' is locked after 3 wrong PINs" in _refusal(db, "ghost", "x1x1", pc="PC-9")


def test_many_names_from_one_pc_lock_that_pc_only(db: Database, admin: Actor) -> None:
    _account(db, admin, "kim", "1111")
    save_access(db, admin, AccessSettings(pin_failures=5, pc_failures=6))
    messages = []
    for n in range(6):  # a different name each time: no account reaches its limit
        _time_passes(db)
        messages.append(_refusal(db, f"user{n}", "9999", pc="KIOSK-3"))
    assert "Sign-in on this PC (KIOSK-3) is locked after 6 failed sign-ins" in messages[-1]
    assert "storeroom users unlock --pc KIOSK-3" in messages[-1]
    _time_passes(db)
    assert "KIOSK-3" in _refusal(db, "kim", "1111", pc="KIOSK-3")
    with pytest.raises(UserError, match="KIOSK-3"):
        users.authenticate_badge(db, "U-NOPE", pc="KIOSK-3")
    assert users.authenticate(db, "kim", "1111", pc="KIOSK-4").user_name == "kim"  # other PCs work
    assert "pc.locked" in _actions(db)
    users.unlock(db, admin, pc="KIOSK-3")
    assert users.authenticate(db, "kim", "1111", pc="KIOSK-3").user_name == "kim"
    assert "pc.unlock" in _actions(db)


def test_unknown_badges_count_against_the_pc(db: Database, admin: Actor) -> None:
    save_access(db, admin, AccessSettings(pin_failures=3, pc_failures=4))
    for n in range(4):
        _time_passes(db)
        with pytest.raises(UserError) as refused:
            users.authenticate_badge(db, f"U-GUESS{n}", pc="KIOSK-5")
    assert (
        "is not registered" in refused.value.message
        and "locked after 4 failed sign-ins" in refused.value.message
    )


def test_an_empty_pin_is_no_try(db: Database, admin: Actor) -> None:
    _account(db, admin, "kim", "1111")
    for _ in range(10):
        with pytest.raises(UserError, match="Type your PIN"):
            users.authenticate(db, "kim", "", pc=PC)
    assert users.authenticate(db, "kim", "1111", pc=PC).user_name == "kim"


@pytest.mark.postgres
def test_parallel_guesses_wait_their_turn_on_postgresql(pg_db: Database) -> None:
    """A burst of 12 guesses at once gets no more PIN checks than a series would (2 free + 1)."""
    admin = users.ensure_user(pg_db, "admin", role=Role.ADMIN)
    _account(pg_db, admin, "kim", "1111")
    answers: list[str] = []
    start = threading.Barrier(12)

    def guess(n: int) -> None:
        start.wait()
        try:
            users.authenticate(pg_db, "kim", f"00{n:02d}", pc=f"PC-{n}")
        except UserError as exc:
            answers.append(exc.message)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    checked = [a for a in answers if a.startswith("Wrong user name or PIN")]

    assert len(answers) == 12 and len(checked) == 3
    failures = pg_db.read(
        lambda s: s.scalar(
            select(SignInGuard.failures).where(SignInGuard.scope == "user", SignInGuard.key == "kim")
        )
    )
    assert failures == 3


# --- the adjustment value limit -------------------------------------------------------------------------


def test_a_keepers_adjustment_above_the_value_limit_needs_a_supervisor(
    db: Database, admin: Actor, keeper: Actor
) -> None:
    tree = make_tree(db, admin)
    bin_id = tree["A-01-01"].id
    part = make_part(db, admin, "PUMP-SEAL-7", unit_cost=Decimal("12.50"))
    receive(db, admin, part.id, bin_id, "100")
    assert access_settings(db).adjust_value_limit == Decimal(250)

    def adjust(actor: Actor, qty: str, *, found: bool = True) -> stock.PostResult:
        req = MoveRequest(
            MoveKind.ADJUSTMENT,
            part.id,
            Decimal(qty),
            from_location_id=None if found else bin_id,
            to_location_id=bin_id if found else None,
            reason="found",
        )
        return post_move(db, actor, req)

    adjust(keeper, "20")  # 250.00: at the limit
    with pytest.raises(PermissionDenied) as refused:
        adjust(keeper, "21", found=False)  # 262.50
    assert "worth 262.50, above the 250.00 limit" in refused.value.message
    assert "a supervisor must post it" in refused.value.message
    supervisor = users.ensure_user(db, "sue", role=Role.SUPERVISOR)
    adjust(supervisor, "21", found=False)
    # a batch (scanner upload, opening load) obeys the same rule, and nothing of it is kept
    with pytest.raises(PermissionDenied, match=r"Move 2 of 2: This adjustment is worth 375\.00"):
        post_many(
            db,
            keeper,
            [
                MoveRequest(MoveKind.RECEIPT, part.id, Decimal(1), to_location_id=bin_id),
                MoveRequest(MoveKind.ADJUSTMENT, part.id, Decimal(30), to_location_id=bin_id, reason="found"),
            ],
        )
    assert stock.balance(db, part.id, bin_id) == Decimal(100 + 20 - 21)
    save_access(db, admin, AccessSettings(adjust_value_limit=Decimal(1000)))
    adjust(keeper, "30")
    save_access(db, admin, AccessSettings(adjust_value_limit=Decimal(0)))
    with pytest.raises(PermissionDenied, match="Every adjustment needs a supervisor"):
        adjust(keeper, "1")
    with pytest.raises(PermissionDenied):
        save_access(db, keeper, AccessSettings())
    with pytest.raises(UserError, match="cannot be negative"):
        save_access(db, admin, AccessSettings(adjust_value_limit=Decimal(-1)))


def test_reversing_a_supervisors_adjustment_is_an_adjustment_too(
    db: Database, admin: Actor, keeper: Actor
) -> None:
    tree = make_tree(db, admin)
    part = make_part(db, admin, "MOTOR-5KW", unit_cost=Decimal("900"))
    moved = post_move(
        db,
        users.ensure_user(db, "sue", role=Role.SUPERVISOR),
        MoveRequest(
            MoveKind.ADJUSTMENT, part.id, Decimal(1), to_location_id=tree["A-01-01"].id, reason="found"
        ),
    )
    with pytest.raises(PermissionDenied, match=r"worth 900\.00"):
        stock_history.reverse_move(db, keeper, moved.move.id, "wrong bin")


def test_the_settings_reject_silly_values(db: Database, admin: Actor) -> None:
    with pytest.raises(UserError, match="3 to 20 wrong PINs"):
        save_access(db, admin, AccessSettings(pin_failures=1))
    with pytest.raises(UserError, match="as many failed sign-ins as an account"):
        save_access(db, admin, AccessSettings(pin_failures=10, pc_failures=5))
    with db.engine.begin() as conn:  # a value another version wrote that this one cannot read
        conn.execute(text("INSERT INTO app_setting (key, value) VALUES ('access.pin_failures', 'many')"))
    assert access_settings(db).pin_failures == 5


def test_a_stock_import_by_a_keeper_obeys_the_limit_and_keeps_nothing(
    db: Database, admin: Actor, keeper: Actor
) -> None:
    tree = make_tree(db, admin)
    part = make_part(db, admin, "VALVE-DN50", unit_cost=Decimal("80"))
    receive(db, admin, part.id, tree["A-01-01"].id, "10")
    table = parse_csv(b"Part number,Location,Qty\nVALVE-DN50,A-01-01,14\n")  # +4 x 80 = 320.00
    with pytest.raises(UserError, match=r"nothing imported.*worth 320\.00, above the 250\.00 limit"):
        imports.run(db, keeper, "stock", table, imports.auto_map("stock", table.headers))
    assert stock.balance(db, part.id, tree["A-01-01"].id) == 10
    imports.run(db, admin, "stock", table, imports.auto_map("stock", table.headers))
    assert stock.balance(db, part.id, tree["A-01-01"].id) == 14
