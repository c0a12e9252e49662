"""PostgreSQL sessions: why a connection is refused, and a frozen client that cannot hold a bin."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import DatabaseUnavailable
from desktop.models.enums import MoveKind
from desktop.schema import needs_upgrade
from desktop.services.admin.users import ensure_user
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest, post_in, post_move
from tests.conftest import pg_admin_url
from tests.factories import make_part, make_tree, receive

pytestmark = pytest.mark.postgres


def _refusal(url: str) -> DatabaseUnavailable:
    database = Database(url)
    try:
        with pytest.raises(DatabaseUnavailable) as err:
            needs_upgrade(database)  # the first thing every start does
        return err.value
    finally:
        database.dispose()


def test_a_refused_connection_says_why() -> None:
    admin = pg_admin_url()
    assert admin is not None
    url = make_url(admin)
    wrong_password = _refusal(url.set(password="not-the-password").render_as_string(hide_password=False))
    assert "refused the sign-in: wrong user name or password" in wrong_password.message
    assert not wrong_password.retryable
    no_database = _refusal(url.set(database="storeroom_no_such_db").render_as_string(hide_password=False))
    assert "has no such database" in no_database.message and "storeroom_no_such_db" in no_database.message
    assert not no_database.retryable
    nobody = _refusal(url.set(host="127.0.0.1", port=1).render_as_string(hide_password=False))
    assert "cannot be reached" in nobody.message and nobody.retryable
    for err in (wrong_password, no_database, nobody):
        assert "was lost" not in err.message


def test_sessions_carry_the_lock_and_idle_timeouts_and_the_url_can_change_them(pg_db: Database) -> None:
    shown = pg_db.read(
        lambda s: (
            s.scalar(text("SHOW lock_timeout")),
            s.scalar(text("SHOW idle_in_transaction_session_timeout")),
        )
    )
    assert shown == ("5s", "20s")
    url = make_url(pg_db.url).update_query_dict({"options": "-c lock_timeout=2500"})
    custom = Database(url.render_as_string(hide_password=False))
    try:
        assert custom.read(lambda s: s.scalar(text("SHOW lock_timeout"))) == "2500ms"
    finally:
        custom.dispose()


def test_a_frozen_client_blocks_a_bin_only_briefly(pg_db: Database) -> None:
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin)
    bin_id = tree["A-01-01"].id
    receive(pg_db, admin, part.id, bin_id, "10")
    issue = MoveRequest(MoveKind.ISSUE, part.id, Decimal(1), from_location_id=bin_id)

    # a client that took the bin's row and froze inside its transaction
    frozen_db = Database(pg_db.url, idle_timeout_s=1.0)
    holding, resume = threading.Event(), threading.Event()
    frozen_outcome: list[BaseException | None] = []

    def freeze(s: Session) -> None:
        post_in(s, admin, issue)
        holding.set()
        resume.wait(timeout=60)
        post_in(s, admin, issue)  # it wakes up and goes on

    def frozen_client() -> None:
        try:
            frozen_db.write(freeze)
            frozen_outcome.append(None)
        except DatabaseUnavailable as exc:
            frozen_outcome.append(exc)

    frozen = threading.Thread(target=frozen_client)
    frozen.start()
    assert holding.wait(timeout=10)

    # another keeper waits at most the lock timeout, then gets a clear, retryable message
    impatient = Database(pg_db.url, busy_timeout_s=0.3)
    outcome: list[BaseException | None] = []

    def other_keeper() -> None:
        try:
            post_move(impatient, admin, issue)
            outcome.append(None)
        except DatabaseUnavailable as exc:
            outcome.append(exc)

    waiting = threading.Thread(target=other_keeper)
    waiting.start()
    waiting.join(timeout=10)
    if waiting.is_alive():  # without a lock timeout it waits for ever: let the frozen one go, then fail
        resume.set()
        waiting.join()
    assert isinstance(outcome[0], DatabaseUnavailable), outcome
    assert "Another PC is changing the same stock" in outcome[0].message and outcome[0].retryable

    # the server ends the frozen transaction after its idle timeout, and the bin is free again
    time.sleep(2.0)
    post_move(pg_db, admin, issue)
    resume.set()
    frozen.join(timeout=30)
    assert isinstance(frozen_outcome[0], DatabaseUnavailable), frozen_outcome
    assert "kept a change open too long" in frozen_outcome[0].message and frozen_outcome[0].retryable
    for database in (frozen_db, impatient):
        database.dispose()
    assert stock.balance(pg_db, part.id, bin_id) == 9  # only the other keeper's issue was kept
