"""Issue 19 item 4: CSV imports that dropped rows silently. A broken file is refused with its line and
nothing is imported: an unclosed quote, a row with the wrong number of fields, a header twice, bytes in
two encodings or in none."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.cli.main import main
from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Part
from desktop.services.io.tabular import parse_csv, read_table

HEADER = "Part number,Description,Unit\n"
GOOD = "A-1,Bolt M6,EA\nA-2,Nut M6,EA\nA-3,Washer M6,EA\n"

BROKEN: dict[str, tuple[bytes, str]] = {
    # the quote never closes: the rest of the file became one cell ("1 rows imported")
    "unclosed quote": ((HEADER + 'A-1,"Bolt M6,EA\n' + GOOD[14:]).encode(), r"line 2: .*never closed"),
    # the quote closes rows later, on a row as wide as the header: rows swallowed into one cell
    "quote closed late": (
        (HEADER + 'A-1,"Bolt M6,EA\nA-2,Nut M6,EA\nA-3,Washer",EA\nA-4,Pin,EA\n').encode(),
        r"row 2 \(line 2\).*look like whole rows",
    ),
    "short row": (
        (HEADER + "A-1,Bolt M6,EA\nA-2,Nut M6\n").encode(),
        r"row 3 \(line 3\) has 2 fields .* header has 3",
    ),
    "long row": ((HEADER + "A-1,Bolt M6,EA,12\n").encode(), r"row 2 \(line 2\) has 4 fields"),
    "header twice": (
        b"Part number,Description,description\nA-1,Bolt,Nut\n",
        r"columns 2 and 3 .* 'description'",
    ),
    "BOM then cp1252": (
        b"\xef\xbb\xbf" + HEADER.encode() + "A-1,Scheibe Ø6,EA\n".encode("cp1252"),
        r"mixes encodings.*line 2",
    ),
    "UTF-8 then cp1252": (
        (HEADER + "A-1,Scheibe Ø6,EA\n").encode() + "A-2,Mutter Ø6,EA\n".encode("cp1252"),
        r"mixes encodings.*line 3",
    ),
    "no text encoding": (
        (HEADER + "A-1,Bolt,EA\n").encode() + b"A-2,\x81\x8d\x8f,EA\n",
        r"neither UTF-8 nor Windows-1252 .*line 3",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_file_is_refused_with_its_line(case: str) -> None:
    data, message = BROKEN[case]
    with pytest.raises(UserError, match=message) as refused:
        parse_csv(data)
    assert "Nothing was imported" in refused.value.message or "rename one" in refused.value.message


def test_what_strict_parsing_still_accepts() -> None:
    # a note over several lines, a trailing separator, blank lines, UTF-16 from Excel "Unicode text"
    text = HEADER + 'A-1,"Bolt M6\nzinc plated, DIN 933",EA,\n\nA-2,Nut,EA\n'
    table = parse_csv(text.encode())
    assert list(table.rows) == [("A-1", "Bolt M6\nzinc plated, DIN 933", "EA"), ("A-2", "Nut", "EA")]
    table = parse_csv(text.replace(",", "\t").encode("utf-16"))
    assert table.encoding == "utf-16" and len(table.rows) == 2


@pytest.mark.parametrize("case", list(BROKEN))
def test_the_command_line_imports_nothing_from_a_broken_file(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STOREROOM_HOME", str(tmp_path))
    monkeypatch.delenv("STOREROOM_DB_URL", raising=False)
    assert main(["--user", "clerk", "init"]) == 0
    path = tmp_path / "parts.csv"
    path.write_bytes(BROKEN[case][0])
    code = main(["--user", "clerk", "import", "parts", str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and err.startswith("error: ") and "Traceback" not in out + err
    db = Database(str(tmp_path / "storeroom.sqlite3"))
    assert db.read(lambda s: s.scalar(select(func.count()).select_from(Part))) == 0
    db.dispose()


def test_a_200000_row_file_streams(tmp_path: Path) -> None:
    """The rows are read from the file on each pass, not kept: two passes give the same rows."""
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        for n in range(200_000):
            fh.write(f"P-{n:06d},Part {n},EA\n")
    table = read_table(path)
    assert len(table.rows) == 200_000 and not isinstance(table.rows, (list, tuple))
    first = next(iter(table.rows))
    assert first == ("P-000000", "Part 0", "EA") and sum(1 for _ in table.rows) == 200_000
