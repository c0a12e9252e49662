"""The command line on bad days: keys a script can retry with, a lost reply, a closed pipe, a killed
backup, a demo that fails half-way."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from desktop.services.stock import issue as stock_issue
from tests.cli_helpers import run_as


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_as("clerk", capsys, *args)


def _stock_of(capsys: pytest.CaptureFixture[str], part: str) -> str:
    code, out, _ = run(capsys, "stock", part)
    assert code == 0
    return out.splitlines()[0]


def test_every_move_gets_a_key_a_script_can_retry_with(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "demo", "--parts", "12")[0] == 0
    code, out, _ = run(capsys, "receive", "--part", "BRG-1000", "--to", "A-01-01", "--qty", "5")
    assert code == 0
    key = re.search(r"\(key (cli-[0-9a-f]{32})\)", out)
    assert key, out
    before = _stock_of(capsys, "BRG-1000")
    code, out, _ = run(
        capsys, "receive", "--part", "BRG-1000", "--to", "A-01-01", "--qty", "5", "--key", key[1]
    )
    assert code == 0 and "already posted earlier: nothing new written" in out
    code, _, err = run(
        capsys, "receive", "--part", "BRG-1000", "--to", "A-01-01", "--qty", "6", "--key", key[1]
    )
    assert code == 2 and f"The key {key[1]} was used for move" in err and "differs in quantity" in err
    assert _stock_of(capsys, "BRG-1000") == before

    # the commit's reply is lost: the message says so, and names the key to retry with
    real_commit, real_post = Session.commit, stock_issue.ledger_post  # the Issue rule's post to the ledger

    def ledger_post(s: Session, *args: Any, **kw: Any) -> Any:
        s.info["move"] = True
        return real_post(s, *args, **kw)

    def lost(self: Session) -> None:
        if not self.info.get("move"):  # signing in etc. go through
            return real_commit(self)
        raise OperationalError(
            "COMMIT", {}, Exception("server closed the connection unexpectedly"), connection_invalidated=True
        )

    monkeypatch.setattr(stock_issue, "ledger_post", ledger_post)
    monkeypatch.setattr(Session, "commit", lost)
    code, _, err = run(capsys, "issue", "--part", "BRG-1000", "--from", "A-01-01", "--qty", "2")
    monkeypatch.setattr(Session, "commit", real_commit)
    assert code == 2 and "the outcome is unknown; check history or retry with the same key" in err
    retry = re.search(r"retry with --key (cli-[0-9a-f]{32})", err)
    assert retry, err
    for _ in range(2):  # the script retries (twice, to be sure): one issue in all
        code, out, _ = run(
            capsys, "issue", "--part", "BRG-1000", "--from", "A-01-01", "--qty", "2", "--key", retry[1]
        )
        assert code == 0
    assert "already posted earlier" in out
    code, out, _ = run(capsys, "history", "--part", "BRG-1000", "--limit", "100")
    assert out.count("Issue 2 EA of BRG-1000 from A-01-01") == 1


def test_a_backup_cleans_what_a_killed_backup_left(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop import paths

    assert run(capsys, "init")[0] == 0
    folder = paths.backups_dir()
    # what `storeroom backup` killed an hour ago left: half a copy and its journal
    dead = [folder / "storeroom-20261206-050000-manual.sqlite3.partial"]
    dead.append(dead[0].with_name(dead[0].name + "-journal"))
    hour_ago = time.time() - 3600
    for path in dead:
        path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
        os.utime(path, (hour_ago, hour_ago))
    running = folder / "storeroom-20261206-065959-scheduled.sqlite3.partial"  # another backup, still writing
    running.write_bytes(b"SQLite format 3\x00")
    # and a copy to a chosen file, killed just now: the next run to that file starts afresh
    chosen = home / "copy.sqlite3"
    chosen.with_name("copy.sqlite3.partial").write_bytes(b"garbage, half a page")

    code, out, _ = run(capsys, "backup")
    assert code == 0 and "backup written to" in out
    assert not any(p.exists() for p in dead)
    assert running.exists()
    code, _, _ = run(capsys, "backup", "--to", str(chosen))
    assert code == 0 and not chosen.with_name("copy.sqlite3.partial").exists()
    with sqlite3.connect(chosen) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM app_user").fetchone()[0] >= 1


def test_kanban_orders_to_xlsx_and_a_closed_pipe(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "demo", "--parts", "24")[0] == 0
    out_file = home / "orders.xlsx"
    code, out, err = run(capsys, "report", "kanban-orders", "--out", str(out_file))
    assert code == 0 and err == "" and "Kanban: to order and to pick" in out
    assert load_workbook(out_file).sheetnames == ["Kanban to order and to pick"]
    # `storeroom stock MAIN | head`: the reader is gone before the first line
    env = {**os.environ, "STOREROOM_HOME": str(home)}
    for args in (["stock", "MAIN"], ["history", "--limit", "500"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop.cli.main", "--user", "clerk", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()
        err = proc.stderr.read().decode()
        proc.stderr.close()
        assert proc.wait(timeout=60) == 141  # as a Unix tool ended by SIGPIPE
        assert err == ""  # no BrokenPipeError traceback
