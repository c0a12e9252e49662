"""The import machinery every kind of plant data shares: columns matched by header name, the dry-run
plan with problems by row and column, reading cells, progress with cancel, and parents-first ordering.

One module per kind of data (imports.py, imports_mro.py, imports_kanban.py) builds on this; imports.py
keeps the registry and the entry points the UI and the command line call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.services.actor import Actor, Permission
from desktop.services.tabular import Table, file_number

Progress = Callable[[int, int], bool | None]
T = TypeVar("T")


class ImportCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("Import cancelled: nothing was saved.")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    row: int  # the row number a spreadsheet shows (header = 1)
    column: str
    message: str


@dataclass(frozen=True)
class Plan:
    kind: str
    rows: int
    creates: int = 0
    updates: int = 0
    unchanged: int = 0
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        text = f"{self.rows:,} rows: {self.creates:,} new, {self.updates:,} changed"
        text += f", {self.unchanged:,} unchanged"
        return text + (f"; {len(self.problems):,} problem(s)" if self.problems else "")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def match_columns(columns: Sequence[Column], headers: Sequence[str]) -> dict[str, int | None]:
    """Column index for each field, matched on the header's name (any case, spacing or punctuation)."""
    names = [_norm(h) for h in headers]
    mapping: dict[str, int | None] = {}
    for col in columns:
        wanted = {_norm(col.label), _norm(col.key)} | {_norm(a) for a in col.aliases}
        mapping[col.key] = next(
            (i for i, n in enumerate(names) if n in wanted and i not in mapping.values()), None
        )
    return mapping


@dataclass
class Rows:
    """Access to the mapped cells of a table, plus the problems found while reading them."""

    kind: str
    columns: tuple[Column, ...]
    table: Table
    mapping: dict[str, int | None]
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.labels = {c.key: c.label for c in self.columns}
        for col in self.columns:
            if col.required and self.mapping.get(col.key) is None:
                raise UserError(f"Map a column to '{col.label}': it is required for a {self.kind} import.")
        if not self.table.rows:
            raise UserError("The file has a header row but no data rows.")

    def mapped(self, key: str) -> bool:
        """Whether the file has this column at all (an unmapped column leaves existing values alone)."""
        return self.mapping.get(key) is not None

    def cell(self, row: Sequence[str], key: str) -> str:
        index = self.mapping.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    def problem(self, n: int, key: str, message: str) -> None:
        self.problems.append(Problem(n + 2, self.labels.get(key, key), message))

    def plan(self, creates: int, updates: int, unchanged: int, notes: tuple[str, ...] = ()) -> Plan:
        return Plan(self.kind, len(self.table.rows), creates, updates, unchanged, tuple(self.problems), notes)

    def number(self, n: int, row: Sequence[str], key: str, *, integer: bool = False) -> Decimal | None:
        text = self.cell(row, key)
        if not text:
            return None
        try:
            value = file_number(text, decimal_comma=self.table.decimal_comma)
        except ValueError as exc:
            self.problem(n, key, str(exc))
            return None
        if integer and value != value.to_integral_value():
            self.problem(n, key, f"'{text}' must be a whole number")
            return None
        return value

    def flag(self, n: int, row: Sequence[str], key: str, default: bool) -> bool:
        text = self.cell(row, key).lower()
        if not text:
            return default
        if text in ("1", "yes", "y", "true", "x", "ja", "oui", "si", "sí"):
            return True
        if text in ("0", "no", "n", "false", "nein", "non"):
            return False
        self.problem(n, key, f"'{text}' is not yes or no")
        return default

    def choice(self, n: int, row: Sequence[str], key: str, options: Iterable[str], default: str) -> str:
        text = self.cell(row, key).upper().replace(" ", "_").replace("-", "_")
        if not text:
            return default
        allowed = list(options)
        if text not in allowed:
            self.problem(n, key, f"'{self.cell(row, key)}' is not one of {', '.join(allowed)}")
            return default
        return text


def field_of(exc: UserError, default: str) -> str:
    return exc.field or default


@dataclass(frozen=True)
class Handler:
    """One kind of import: its columns, who may run it, the dry run and the commit.

    `plan` reads (never writes) and returns the Plan with whatever `apply` needs; `apply` runs in the
    same transaction after a plan without problems, with the import's source name for the records.
    """

    columns: tuple[Column, ...]
    permission: Permission
    plan: Callable[[Session, Rows], tuple[Plan, Any]]
    apply: Callable[[Session, Actor, Any, str, Progress | None], None]


class SessionUnit(Database):
    """The import's open transaction, handed to a service function as its database.

    Services such as kanban.create_loop or mro.create_asset run their work as `db.write(op)`; given this
    unit, `op` runs inside the one import transaction, so an import reuses every rule of the service
    and still commits all rows or none. There is no engine: nothing can open a second transaction.
    """

    def __init__(self, session: Session) -> None:  # deliberately not Database.__init__
        self._open = session
        self.is_sqlite = session.get_bind().dialect.name == "sqlite"

    def read(self, fn: Callable[[Session], T]) -> T:
        return fn(self._open)

    def write(self, fn: Callable[[Session], T]) -> T:
        result = fn(self._open)
        self._open.flush()
        return result


def row_failed(n: int, exc: UserError) -> UserError:
    """A rule a service enforces only when writing, reported with the row at fault."""
    return UserError(f"Row {n + 2}: {exc.message} Nothing was imported.")


def parents_first(items: list[T], code: Callable[[T], str], parent: Callable[[T], str | None]) -> list[T]:
    """Items of a tree (locations, assets) ordered so each parent comes before its children; items
    whose parent is elsewhere (already in the database) keep their order."""
    by_code = {code(item): item for item in items}
    ordered: list[T] = []
    placed: set[str] = set()

    def place(key: str, trail: frozenset[str]) -> None:
        if key in placed or key not in by_code or key in trail:
            return
        item = by_code[key]
        up = parent(item)
        if up:
            place(up, trail | {key})
        placed.add(key)
        ordered.append(item)

    for key in by_code:
        place(key, frozenset())
    return ordered


def tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise ImportCancelled()


def chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
