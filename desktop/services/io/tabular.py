"""Reading and writing plant spreadsheets: CSV (any of UTF-8 with or without BOM, Windows-1252;
`,` `;` or tab separated) and XLSX. Pure file handling, no database.

Reading is strict and streams: a file is checked whole when it is opened (one encoding throughout, every
quote closed, every row as wide as the header, no header twice) and its rows are read again from the
file on each pass, so a 200,000-row file is never held in memory."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, overload

from desktop.errors import UserError

MAX_ROWS = 1_000_000
_BLOCK = 1 << 20


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]  # a tuple, or FileRows reading the file again on each pass
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal_comma: bool = False  # numbers in this file are written 1,5 (and 1.234,5)


def read_table(path: Path, *, progress: Callable[[int, int], bool] | None = None) -> Table:
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path)
        if path.stat().st_size == 0:
            raise UserError(f"{path.name} is empty.")
    except OSError as exc:
        raise UserError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc
    return _csv_table(lambda: _open_file(path), path.name)


def parse_csv(data: bytes, *, name: str = "the file") -> Table:
    return _csv_table(lambda: io.BytesIO(data), name)


def _open_file(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as exc:
        raise UserError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc


class FileRows(Sequence[tuple[str, ...]]):
    """The data rows of a checked file, read from the file again on each pass (constant memory)."""

    def __init__(self, read: Callable[[], Iterator[tuple[str, ...]]], count: int) -> None:
        self._read = read
        self._count = count

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return self._read()

    def __len__(self) -> int:
        return self._count

    def __eq__(self, other: object) -> bool:  # compares as the rows it reads (a tuple of rows, as before)
        if isinstance(other, (tuple, list, FileRows)):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    @overload
    def __getitem__(self, index: int) -> tuple[str, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[str, ...]]: ...
    def __getitem__(self, index: int | slice) -> tuple[str, ...] | Sequence[tuple[str, ...]]:
        if isinstance(index, slice):
            return tuple(self)[index]
        if index < 0:
            index += self._count
        for n, row in enumerate(self):
            if n == index:
                return row
        raise IndexError(index)


def _csv_table(open_bytes: Callable[[], IO[bytes]], name: str) -> Table:
    encoding = _detect_encoding(open_bytes, name)
    with _text(open_bytes, encoding) as fh:
        sample = fh.read(20_000)
    if not sample.strip():
        raise UserError(f"{name} is empty.")
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","

    def records() -> Iterator[tuple[int, tuple[str, ...]]]:
        with _text(open_bytes, encoding) as fh:
            yield from _strict_records(fh, delimiter, name)

    first = next(records(), None)
    if first is None:
        raise UserError(f"{name} has no filled cells.")
    headers = first[1]
    _refuse_duplicate_headers(headers, name)
    count = 0
    for _line, _row in _data_rows(
        records(), len(headers), delimiter, name
    ):  # the check: the whole file, once
        count += 1
        if count > MAX_ROWS:
            raise UserError(f"{name} has more than {MAX_ROWS:,} rows; split it.")

    def rows() -> Iterator[tuple[str, ...]]:
        return (row for _line, row in _data_rows(records(), len(headers), delimiter, name))

    return Table(headers, FileRows(rows, count), encoding, delimiter, decimal_comma=delimiter == ";")


def _text(open_bytes: Callable[[], IO[bytes]], encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(open_bytes(), encoding=encoding, errors="strict", newline="")


def _strict_records(fh: IO[str], delimiter: str, name: str) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(first line, cells) of every non-empty record; a quote left open is an error, not a swallowed file."""
    reader = csv.reader(fh, delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            hint = " (a quote opened there is never closed)" if "end of data" in str(exc) else ""
            raise UserError(
                f"{name}, line {start}: the CSV cannot be read: {exc}{hint}. Nothing was imported."
            ) from exc
        cells = tuple(restore_cell(cell.strip()) for cell in row)  # see neutralise
        if any(cells):
            yield start, cells
        start = reader.line_num + 1


def _data_rows(
    records: Iterator[tuple[int, tuple[str, ...]]], width: int, delimiter: str, name: str
) -> Iterator[tuple[int, tuple[str, ...]]]:
    next(records, None)  # the header
    for n, (line, cells) in enumerate(records, start=2):
        if len(cells) > width and not any(cells[width:]):
            cells = cells[:width]  # empty cells past the last column: trailing separators
        if len(cells) != width:
            raise UserError(
                f"{name}, row {n} (line {line}) has {len(cells)} fields but the header has {width}"
                f"{_quote_hint(cells)}. Nothing was imported."
            )
        swallowed = _swallowed_rows(cells, width, delimiter)
        if swallowed:
            raise UserError(
                f"{name}, row {n} (line {line}): a quoted cell runs on over {swallowed} line(s) that look "
                "like whole rows: a quote is not closed where it should be. Nothing was imported."
            )
        yield line, cells


def _quote_hint(cells: tuple[str, ...]) -> str:
    return ": a quote in it may be unbalanced, joining lines" if any("\n" in c for c in cells) else ""


def _swallowed_rows(cells: tuple[str, ...], width: int, delimiter: str) -> int:
    """Lines inside one quoted cell that carry a whole row's separators: rows an unclosed quote took in.
    (A note written over several lines rarely has that many separators on each.)"""
    if width < 3:
        return 0
    return sum(
        1
        for cell in cells
        if "\n" in cell
        for part in cell.splitlines()[1:]
        if part.count(delimiter) >= width - 1
    )


def _refuse_duplicate_headers(headers: Sequence[str], name: str) -> None:
    seen: dict[str, int] = {}
    for i, header in enumerate(headers, start=1):
        key = " ".join(header.casefold().split())
        if not key:
            continue
        if key in seen:
            raise UserError(
                f"{name}: columns {seen[key]} and {i} are both called '{header}'; rename one. "
                "Nothing was imported."
            )
        seen[key] = i


# UTF-8 multi-byte sequences: in a file that is not all UTF-8 they mean two encodings were mixed.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _detect_encoding(open_bytes: Callable[[], IO[bytes]], name: str) -> str:
    with open_bytes() as fh:
        head = fh.read(3)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        bad = _first_undecodable(open_bytes, "utf-16")
        if bad is not None:
            raise UserError(f"{name}, line {bad}: the bytes are not UTF-16 text. Nothing was imported.")
        return "utf-16"
    bom = head == b"\xef\xbb\xbf"
    bad = _first_undecodable(open_bytes, "utf-8")
    if bad is None:
        return "utf-8-sig" if bom else "utf-8"
    if bom or _has_utf8_sequence(open_bytes):
        raise UserError(
            f"{name} mixes encodings: it is UTF-8 but line {bad} is not (text pasted from another "
            "file?). Save it as 'CSV UTF-8' and try again. Nothing was imported."
        )
    bad = _first_undecodable(open_bytes, "cp1252")  # what Excel on Western Windows writes as "CSV"
    if bad is not None:
        raise UserError(
            f"{name} is neither UTF-8 nor Windows-1252 text (line {bad}): save it as 'CSV UTF-8' and "
            "try again. Nothing was imported."
        )
    return "cp1252"


def _first_undecodable(open_bytes: Callable[[], IO[bytes]], encoding: str) -> int | None:
    """The line holding the first byte that is not `encoding`, or None when all of it is."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    lines = 1
    with open_bytes() as fh:
        while True:
            block = fh.read(_BLOCK)
            pending = decoder.getstate()[0]
            try:
                decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                return lines + (pending + block)[: exc.start].count(b"\n")
            if not block:
                return None
            lines += block.count(b"\n")


def _has_utf8_sequence(open_bytes: Callable[[], IO[bytes]]) -> bool:
    tail = b""
    with open_bytes() as fh:
        while block := fh.read(_BLOCK):
            if _UTF8_SEQUENCE.search(tail + block):
                return True
            tail = block[-3:]
    return False


def _read_xlsx(path: Path) -> Table:
    """The first sheet, checked whole (header names once each), its rows streamed on each pass."""
    headers: tuple[str, ...] | None = None
    count = 0
    for cells in _xlsx_rows(path):
        if headers is None:
            headers = cells
            _refuse_duplicate_headers(headers, path.name)
            continue
        count += 1
        if count > MAX_ROWS:
            raise UserError(f"{path.name} has more than {MAX_ROWS:,} rows; split it.")
    if headers is None:
        raise UserError(f"{path.name} is empty.")
    width = len(headers)

    def rows() -> Iterator[tuple[str, ...]]:
        body = _xlsx_rows(path)
        next(body, None)
        return (r[:width] + ("",) * (width - len(r)) for r in body)

    return Table(headers, FileRows(rows, count), "xlsx", "", decimal_comma=False)


def _xlsx_rows(path: Path) -> Iterator[tuple[str, ...]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise UserError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise UserError(f"{path.name} is not a readable XLSX workbook ({exc}).") from exc
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            cells = tuple(_cell(v) for v in values)
            if any(cells):
                yield cells
    finally:
        book.close()


def _cell(value: object) -> str:

    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # Excel stores numbers as doubles; repr gives the shortest text that round-trips (0.1, not 0.1000…01)
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


_COMMA_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_DOT_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def file_number(text: str, *, decimal_comma: bool) -> Decimal:
    """A number as a spreadsheet writes it: 1234.5 / 1,234.5, or with decimal comma 1234,5 / 1.234,5."""
    raw = text.strip().replace(" ", "").replace("\u00a0", "")
    if raw.isascii():  # the common cases without the patterns: 12, 12.5 (12,5 with a decimal comma)
        whole, mark, fraction = raw.partition("," if decimal_comma else ".")
        if whole.isdigit() and (not mark or fraction.isdigit()):
            return Decimal(f"{whole}.{fraction}" if mark else whole)
    pattern = _COMMA_NUMBER if decimal_comma else _DOT_NUMBER
    if not pattern.match(raw):
        example = "1234,5" if decimal_comma else "1234.5"
        raise ValueError(f"'{text.strip()}' is not a number (expected e.g. {example})")
    raw = raw.replace(".", "").replace(",", ".") if decimal_comma else raw.replace(",", "")
    try:
        return Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the patterns admit only valid literals
        raise ValueError(f"'{text}' is not a number") from exc


# --- writing ----------------------------------------------------------------------------------------------
#
# No export carries a live formula (OWASP's CSV-injection rule): a text cell starting with = + - @ tab or
# CR would be evaluated by a spreadsheet (=HYPERLINK("http://evil.example","WO") in a reference).
# CSV has no cell types, so such a cell is written with a leading apostrophe, which spreadsheets show as
# text, and `restore_cell` takes it off again when our own file is imported (a cell that starts with an
# apostrophe of its own gets a second one, so every text comes back exactly). Numbers stay numbers: a
# Decimal -5, or a cell that is a plain number such as "-5", is not a formula. In XLSX every text is a
# typed string cell, never a formula, and one starting with a formula character is also marked
# "quote prefix" (Excel's own ' prefix), so editing it in Excel keeps it text; its value is unchanged.

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
# characters XML 1.0 cannot carry (openpyxl refuses them): old data may hold them, an export must not crash
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_TITLE_BAD = re.compile(r"[\\/*?:\[\]]")


def neutralise(text: str) -> str:
    """A text cell as a CSV export writes it: a formula-looking one gets a leading apostrophe."""
    first = text[:1]
    if first == "'":  # an apostrophe of its own before a formula character (or another ') is doubled
        return "'" + text if restore_cell(text) != text else text
    if first in FORMULA_START and first and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def restore_cell(cell: str) -> str:
    """The text a CSV export neutralised, as it was (what the importer reads from a CSV cell)."""
    if len(cell) > 1 and cell[0] == "'" and (cell[1] in FORMULA_START or cell[1] == "'"):
        return cell[1:]
    return cell


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """UTF-8 with BOM (Excel opens it with the right accents); written atomically; no live formulas."""
    _atomic(path, lambda tmp: _csv_to(tmp, headers, rows))


def _csv_value(v: object) -> object:
    if v is None:
        return ""
    return neutralise(v) if isinstance(v, str) else v


def _csv_to(tmp: Path, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    with tmp.open("w", newline="", encoding="utf-8-sig") as fh:
        out = csv.writer(fh)
        out.writerow([_csv_value(h) for h in headers])
        out.writerows([[_csv_value(v) for v in row] for row in rows])


def sheet_title(title: str) -> str:
    """A title Excel accepts for a sheet: no \\ / * ? : [ ], at most 31 characters, not blank."""
    clean = _SHEET_TITLE_BAD.sub(" ", _NOT_IN_XML.sub("", title.replace(":", "").replace("/", "-")))
    clean = " ".join(clean.split()).strip("'")
    return clean[:31].rstrip() or "Sheet"


def write_xlsx(path: Path, headers: Sequence[str], rows: Sequence[Sequence[object]], *, title: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def make(tmp: Path) -> None:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(sheet_title(title))
        sheet.freeze_panes = "A2"
        header_cells = []
        for h in headers:
            cell = sheet_cell(sheet, h)
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            # Decimals go in as numbers: a double keeps 15 significant digits, and our 4-decimal
            # quantities come back exactly (the reader takes the shortest text of the double).
            sheet.append([_xlsx_value(sheet, v) for v in row])
        book.save(tmp)

    _atomic(path, make)


def _xlsx_value(sheet: object, v: object) -> object:
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, datetime) and v.tzinfo is not None:
        return v.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones; ours are UTC
    if isinstance(v, str):
        # openpyxl would type these as a formula (=...) or an error code (#N/A), or refuse them (controls)
        risky = v[:1] in FORMULA_START or v[:1] == "#" or _NOT_IN_XML.search(v)
        return sheet_cell(sheet, v) if risky else v  # a plain text goes in as it is (a cell object is slow)
    return "" if v is None else v


def write_bytes(path: Path, data: bytes) -> None:
    """A finished file (a PDF) written atomically: a full disk leaves no half file behind."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    _atomic(path, write)


def sheet_cell(sheet: object, value: str) -> Any:
    """A text cell that is always text: never a formula (nor an error code such as #N/A), whatever it
    starts with; characters XML cannot hold are shown as U+FFFD instead of failing the export."""
    from openpyxl.cell import WriteOnlyCell

    text = _NOT_IN_XML.sub("\ufffd", value)
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if text[:1] in FORMULA_START and text[:1]:
        cell.quotePrefix = True
    return cell


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(path.name + ".partial")
    try:
        write(tmp)
        tmp.replace(path)  # a full disk or a crash leaves the old file, never half a new one
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"{path} could not be written: {exc.strerror or exc}") from exc
