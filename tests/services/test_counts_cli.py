"""`storeroom counts plan|today|start-today|ira --by month` on the demo plant."""

from __future__ import annotations

from datetime import date

import pytest

from tests.test_cli import run


def test_plan_today_and_start_today(home: object, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "demo", "--parts", "12")
    code, out, _ = run(capsys, "counts", "plan", "--year", "2025")
    assert code == 0 and out.startswith("2025: ") and "over 261 working day(s)" in out
    code, out, _ = run(capsys, "counts", "today")
    assert code == 0 and out.startswith(f"{date.today().isoformat()}: ")
    listed = out.count("\n") - 1
    code, out, err = run(capsys, "counts", "start-today")
    if listed:
        assert code == 0 and f"{listed} line(s)" in out
        code, out, _ = run(capsys, "counts", "today")
        assert "in count #1" in out and "to count" not in out
    else:  # nothing planned nor any event today on this demo
        assert code != 0 and "Nothing to count" in err
    code, out, _ = run(capsys, "counts", "ira", "--by", "month")
    assert code == 0
    code, out, _ = run(capsys, "counts", "override", "BLT-1001", "A")
    assert code == 0 and out == "BLT-1001: class A\n"
