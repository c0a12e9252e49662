"""Reading and writing plant spreadsheets: CSV (any of UTF-8 with or without BOM, Windows-1252;
`,` `;` or tab separated) and XLSX. Pure file handling, no database."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from desktop.errors import UserError

MAX_ROWS = 1_000_000


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal_comma: bool = False  # numbers in this file are written 1,5 (and 1.234,5)


def read_table(path: Path, *, progress: Callable[[int, int], bool] | None = None) -> Table:
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path)
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path.name} cannot be read: {exc.strerror or exc}") from exc
    return parse_csv(data, name=path.name)


def parse_csv(data: bytes, *, name: str = "the file") -> Table:
    text, encoding = _decode(data, name)
    if not text.strip():
        raise UserError(f"{name} is empty.")
    sample = text[:20_000]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [tuple(restore_cell(cell.strip()) for cell in row) for row in reader]  # see neutralise
    except csv.Error as exc:
        raise UserError(f"{name} is not a readable CSV file ({exc}).") from exc
    rows = [r for r in rows if any(r)]
    if not rows:
        raise UserError(f"{name} has no filled cells.")
    if len(rows) > MAX_ROWS:
        raise UserError(f"{name} has more than {MAX_ROWS:,} rows; split it.")
    headers, body = rows[0], rows[1:]
    width = len(headers)
    body = [r + ("",) * (width - len(r)) if len(r) < width else r for r in body]
    return Table(tuple(headers), tuple(body), encoding, delimiter, decimal_comma=delimiter == ";")


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"  # what Excel on Western Windows writes as "CSV"
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{name} is neither UTF-8 nor Windows-1252 text (byte {exc.start}): save it as "
            "'CSV UTF-8' and try again."
        ) from exc


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise UserError(f"{path.name} is not a readable XLSX workbook ({exc}).") from exc
    try:
        sheet = book.worksheets[0]
        rows: list[tuple[str, ...]] = []
        for values in sheet.iter_rows(values_only=True):
            cells = tuple(_cell(v) for v in values)
            if any(cells):
                rows.append(cells)
            if len(rows) > MAX_ROWS:
                raise UserError(f"{path.name} has more than {MAX_ROWS:,} rows; split it.")
    finally:
        book.close()
    if not rows:
        raise UserError(f"{path.name} is empty.")
    width = len(rows[0])
    body = tuple(r[:width] + ("",) * (width - len(r)) for r in rows[1:])
    return Table(rows[0], body, "xlsx", "", decimal_comma=False)


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
