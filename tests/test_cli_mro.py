"""`storeroom mro ...`: set up a machine and its spares, look at them by tag, reserve, issue, report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reports.helpers import decode, render_pages
from tests.test_cli import run


def test_mro_commands(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init")[0] == 0
    assert run(capsys, "demo", "--parts", "24")[0] == 0
    code, out, _ = run(capsys, "receive", "--part", "BRG-1000", "--to", "A-01-01", "--qty", "3")
    assert code == 0
    code, out, _ = run(capsys, "mro", "asset", "LINE-1", "Line 1", "--level", "LINE")
    assert code == 0 and "tag A-LINE-1" in out
    code, out, _ = run(
        capsys, "mro", "asset", "press-09", "Press 9", "--parent", "A-LINE-1", "--criticality", "high"
    )
    assert code == 0 and "asset PRESS-09 (machine), tag A-PRESS-09" in out
    assert run(capsys, "mro", "spare", "A-PRESS-09", "BRG-1000", "--installed", "2")[0] == 0
    code, out, _ = run(capsys, "mro", "spares", "A-PRESS-09")
    assert "LINE-1 > PRESS-09" in out and "BRG-1000" in out and "A-01-01:" in out
    code, out, err = run(capsys, "mro", "reserve", "--part", "BRG-1000", "--qty", "999", "--wo", "WO-1")
    assert code == 2 and "EA of BRG-1000 available" in err
    code, out, _ = run(
        capsys, "mro", "reserve", "--part", "BRG-1000", "--qty", "2", "--wo", "WO-1", "--asset", "A-PRESS-09"
    )
    assert code == 0 and out.startswith("reservation #2: 2 EA of BRG-1000 for WO-1")  # the demo made #1
    code, out, _ = run(capsys, "mro", "reservations", "--asset", "PRESS-09")
    assert "WO-1" in out and "open        2 EA" in out
    code, out, _ = run(capsys, "mro", "issue", "2", "--from", "L-A-01-01", "--qty", "1")
    assert code == 0 and "Issue 1 EA of BRG-1000 from A-01-01; 1 still reserved" in out
    code, out, _ = run(capsys, "mro", "release", "2")
    assert code == 0 and "now CLOSED" in out
    code, out, _ = run(capsys, "mro", "return", "2", "--to", "A-01-02", "--qty", "1")
    assert code == 0 and "Return 1 EA of BRG-1000 to A-01-02" in out
    code, out, _ = run(
        capsys,
        "mro",
        "issue-to",
        "--part",
        "BRG-1000",
        "--from",
        "A-01-02",
        "--qty",
        "1",
        "--wo",
        "WO-2",
        "--asset",
        "PRESS-09",
    )
    assert code == 0 and "Issue 1 EA of BRG-1000 from A-01-02 for WO-2" in out
    code, out, _ = run(capsys, "mro", "report", "usage")
    assert out.split()[:3] == ["PRESS-09", "BRG-1000", "1"]  # issued 1 + 1, returned 1
    code, out, _ = run(capsys, "mro", "spares", "A-PRESS-01")  # the demo's press, with its spares
    assert "PLANT1 > LINE1 > PRESS-01" in out and len(out.splitlines()) >= 6
    assert run(capsys, "mro", "report", "critical")[0] == 0
    assert run(capsys, "mro", "report", "idle", "--months", "3")[0] == 0
    code, out, _ = run(capsys, "mro", "xref", "BRG-1000", "superseded-by", "BELT-1009")
    assert code == 0 and "use BELT-1009 (BRG-1000 -> BELT-1009)" in out
    assert run(capsys, "mro", "xref", "BRG-1000", "manufacturer", "6205-2RSH", "--maker", "SKF")[0] == 0
    code, out, _ = run(capsys, "mro", "where-used", "BRG-1000")
    assert "superseded: use BELT-1009" in out and "SKF" in out and "fits PRESS-09" in out
    out_pdf = home / "tags.pdf"
    code, out, _ = run(capsys, "mro", "tags", "A-LINE-1", "PRESS-09", "--out", str(out_pdf))
    assert code == 0 and "2 asset tag(s)" in out
    assert {t for _f, t in decode(render_pages(out_pdf.read_bytes())[0])} == {"A-LINE-1", "A-PRESS-09"}
    code, _, err = run(capsys, "mro", "spares", "A-NOPE")
    assert code == 2 and "No asset has the tag A-NOPE" in err
