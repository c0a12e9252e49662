"""How an import reads a row into a record: one Field per column (text, number, yes/no, one of a list,
a price per price unit), the record's values after a row (`merge`, with "blank clears"), the fields that
change for the dry run's list, and the name on a row of companies. Kept apart from `common`, the import
machinery (columns, the dry-run plan, Rows, batches, the handler) these read through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from desktop.errors import UserError
from desktop.services.common import clean_text
from desktop.services.io.common import Column, Rows

BAD = object()  # a cell that could not be read (its problem is recorded)


@dataclass(frozen=True)
class Field:
    """How one column sets one field: read a filled cell (BAD when it cannot be read), and the value an
    empty cell gives a new record or, with "blank clears", an existing one."""

    key: str
    read: Callable[[Rows, int, Sequence[str]], Any]
    cleared: Any = None
    clearable: bool = True  # False: the field cannot be empty; a blank cell always keeps it


def text_field(
    key: str, cleared: str | None = None, *, upper: bool = False, clearable: bool = True, lines: bool = False
) -> Field:
    def read(rows: Rows, _n: int, row: Sequence[str]) -> Any:
        text = rows.cell(row, key) if lines else " ".join(rows.cell(row, key).split())
        return text.upper() if upper else text

    return Field(key, read, cleared, clearable)


def number_field(key: str, cleared: Decimal | int | None = None, *, integer: bool = False) -> Field:
    def read(rows: Rows, n: int, row: Sequence[str]) -> Any:
        value = rows.number(n, row, key, integer=integer)
        return BAD if value is None else (int(value) if integer else value)

    return Field(key, read, cleared)


def flag_field(key: str, default: bool) -> Field:
    def read(rows: Rows, n: int, row: Sequence[str]) -> Any:
        before = rows.found.problem_count
        value = rows.flag(n, row, key, default)
        return BAD if rows.found.problem_count > before else value

    return Field(key, read, default, clearable=False)


def choice_field(
    key: str, options: Iterable[str], default: str, other_names: Mapping[str, str] | None = None
) -> Field:
    allowed = list(options)

    def read(rows: Rows, n: int, row: Sequence[str]) -> Any:
        before = rows.found.problem_count
        value = rows.choice(n, row, key, allowed, default, other_names)
        return BAD if rows.found.problem_count > before else value

    return Field(key, read, default, clearable=False)


# SAP prices per price unit: 18,00 EUR per 100 PC is 0.18 a piece
PRICE_UNIT = Column("price_unit", "Price unit", aliases=("price per", "per", "price unit"), exported=False)
_PRICE_PLACES = Decimal("0.0001")  # what the database keeps of a price or cost


def price_field(key: str, cleared: Decimal | None = None) -> Field:
    """A price of one unit: a price given per price unit (the PRICE_UNIT column) is divided down."""

    def read(rows: Rows, n: int, row: Sequence[str]) -> Any:
        price = rows.number(n, row, key)
        if price is None or not rows.cell(row, "price_unit"):
            return BAD if price is None else price
        per = rows.number(n, row, "price_unit")
        if per is None or per <= 0:
            if per is not None:
                rows.problem(
                    n, "price_unit", f"a price unit must be above 0, not {rows.cell(row, 'price_unit')}"
                )
            return BAD
        return (price / per).quantize(_PRICE_PLACES, ROUND_HALF_UP)

    return Field(key, read, cleared)


def merge(
    rows: Rows, n: int, row: Sequence[str], current: dict[str, Any] | None, fields: Sequence[Field]
) -> dict[str, Any]:
    """The record's values after this row: what it has (or the defaults when new), with each field the
    row sets. A column the file lacks, or an empty cell without "blank clears", keeps the value."""
    values = dict(current) if current is not None else {f.key: f.cleared for f in fields}
    clears = current is None or rows.options.blank_clears
    for f, index in rows.in_file(fields):  # a field whose column the file lacks keeps its value
        if not (row[index].strip() if index < len(row) else ""):
            if clears and (current is None or f.clearable):
                values[f.key] = f.cleared
            continue
        value = f.read(rows, n, row)
        if value is not BAD:
            values[f.key] = value
    return values


def differs(old: object, new: object) -> bool:
    if old is new:
        return False
    if type(old) is type(new):
        return old != new  # Decimal("5.0000") == Decimal("5"): equal numbers are no change
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (Decimal(str(old)) if old is not None else None) != (
            Decimal(str(new)) if new is not None else None
        )
    return old != new


def list_changes(
    rows: Rows, n: int, record: str, old: dict[str, Any], new: dict[str, Any], keys: Iterable[str]
) -> list[str]:
    """Add each field that changes to the dry run's list; the keys of those fields."""
    changed = [key for key in keys if differs(old.get(key), new.get(key))]
    for key in changed:
        rows.change(n, record, key, old.get(key), new.get(key))
    return changed


def company_name(rows: Rows, n: int, row: Sequence[str], what: str, *, longest: int) -> str | None:
    """The name on a row of companies (suppliers, manufacturers), cleaned; None for a row that is left
    out: one whose 'Is <what>' column says no (an export of all companies), or one with a problem."""
    flag = f"is_{what}"
    if rows.mapped(flag) and not rows.flag(n, row, flag, True):
        rows.note(f"{{n}} row(s) are not {what}s (Is {what} = no): left out")
        return None
    try:
        name = clean_text(
            rows.cell(row, "name"), field="name", label=f"The {what} name", max_len=longest, required=True
        )
    except UserError as exc:
        rows.problem(n, "name", exc.message)
        return None
    seen = rows.seen(what)
    key = " ".join((name or "").split()).upper()
    if key in seen:
        rows.problem(n, "name", f"{what} {name} is also on row {seen[key] + 2}")
        return None
    seen[key] = n
    return name
