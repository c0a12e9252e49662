"""The import machinery every kind of plant data shares: columns matched by header name, the dry-run
plan with problems by row and column, reading cells, progress with cancel, and parents-first ordering.
How a cell sets a field of a record (Field, merge, the changes listed) is in fields.py.

One module per kind of data (imports.py, imports_mro.py, imports_kanban.py) builds on this; imports.py
keeps the registry and the entry points the UI and the command line call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Table as Table_
from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from desktop.errors import UserError
from desktop.quantities import format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.io.tabular import Table, file_number

if TYPE_CHECKING:
    from desktop.services.io.fields import Field

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
    exported: bool = True  # False: read from other systems' files only, never written by an export


@dataclass(frozen=True)
class Problem:
    row: int  # the row number a spreadsheet shows (header = 1)
    column: str
    message: str


@dataclass(frozen=True)
class Change:
    """One field of one existing record that the import will change (the dry run lists them all)."""

    row: int  # the row number a spreadsheet shows (header = 1)
    record: str  # the record's key: part number, supplier name, location code
    field: str  # the column's label
    old: str
    new: str


@dataclass(frozen=True)
class Options:
    """How an import reads what the file leaves out.

    blank_clears: an empty cell in a column the file has clears that field (off: it keeps the value).
    default_location: opening stock rows with no location go to this location code.
    """

    blank_clears: bool = False
    default_location: str | None = None


MAX_LISTED = 10_000  # problems and changes kept for the screen; the counts stay exact


@dataclass(frozen=True)
class Plan:
    kind: str
    rows: int
    creates: int = 0
    updates: int = 0
    unchanged: int = 0
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    changes: tuple[Change, ...] = ()
    problem_count: int = 0
    change_count: int = 0
    location_offer: str | None = None  # stock rows lack a location: the receiving location to offer

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problems_total(self) -> int:
        return max(self.problem_count, len(self.problems))

    def summary(self) -> str:
        text = f"{self.rows:,} rows: {self.creates:,} new, {self.updates:,} changed"
        text += f", {self.unchanged:,} unchanged"
        return text + (f"; {self.problems_total:,} problem(s)" if self.problems else "")


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def match_columns(columns: Sequence[Column], headers: Sequence[str]) -> dict[str, int | None]:
    """Column index for each field, matched on the header's name (any case, spacing or punctuation): a
    header that is a field's label goes to that field first; then each field takes the first of its key
    and other names (in the order they are listed) that the file has."""
    names = [_norm(h) for h in headers]
    mapping: dict[str, int | None] = {col.key: None for col in columns}

    def free(name: str) -> int | None:
        taken = set(mapping.values())
        return next((i for i, n in enumerate(names) if n == name and i not in taken), None)

    for col in columns:
        mapping[col.key] = free(_norm(col.label))
    for col in columns:
        for name in (col.key, *col.aliases):
            if mapping[col.key] is None:
                mapping[col.key] = free(_norm(name))
    return mapping


@dataclass
class _Found:
    """What every batch of one import adds to: problems, changes, counted notes (shared by the batches)."""

    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    changes: list[Change] = field(default_factory=list)
    change_count: int = 0
    notes: dict[str, int] = field(default_factory=dict)  # note text -> count ({n} in the text)
    seen: dict[str, dict[Any, int]] = field(default_factory=dict)  # keys met in earlier rows, per purpose
    memo: dict[str, Any] = field(default_factory=dict)  # what a planner reads once per import


@dataclass
class Rows:
    """Access to the mapped cells of a table (or of one batch of its rows), plus what reading them found."""

    kind: str
    columns: tuple[Column, ...]
    table: Table
    mapping: dict[str, int | None]
    options: Options = field(default_factory=Options)
    batch: Sequence[tuple[str, ...]] | None = None  # None: the whole table
    start: int = 0  # index of the batch's first row in the table
    found: _Found = field(default_factory=_Found)

    def __post_init__(self) -> None:
        self.labels = {c.key: c.label for c in self.columns}
        for col in self.columns:
            if col.required and self.mapping.get(col.key) is None:
                raise UserError(f"Map a column to '{col.label}': it is required for a {self.kind} import.")
        if not self.table.rows:
            raise UserError("The file has a header row but no data rows.")

    @property
    def problems(self) -> list[Problem]:
        return self.found.problems

    def numbered(self) -> Iterable[tuple[int, tuple[str, ...]]]:
        """(index in the table, cells) of each row of this batch."""
        return enumerate(self.table.rows if self.batch is None else self.batch, start=self.start)

    def batches(self, size: int | None) -> Iterator[Rows]:
        """The table in batches of `size` rows (None: one batch), read from the file as they go."""
        if size is None:
            yield self
            return
        start = 0
        for batch in chunks(self.table.rows, size):
            yield replace(self, batch=batch, start=start)
            start += len(batch)

    def seen(self, purpose: str) -> dict[Any, int]:
        """Keys met so far in this file (in any batch) for one purpose, each with its row index."""
        return self.found.seen.setdefault(purpose, {})

    def in_file(self, fields: Sequence[Field]) -> list[tuple[Field, int]]:
        """The fields whose column the file has, each with the column's index (worked out once per
        import and set of fields, not once per row)."""
        memo: dict[int, tuple[Sequence[Field], list[tuple[Field, int]]]]
        memo = self.found.memo.setdefault("in_file", {})
        known = memo.get(id(fields))
        if known is None or known[0] is not fields:
            known = memo[id(fields)] = (
                fields,
                [(f, i) for f in fields if (i := self.mapping.get(f.key)) is not None],
            )
        return known[1]

    def mapped(self, key: str) -> bool:
        """Whether the file has this column at all (an unmapped column leaves existing values alone)."""
        return self.mapping.get(key) is not None

    def cell(self, row: Sequence[str], key: str) -> str:
        index = self.mapping.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    def given(self, row: Sequence[str], key: str, existing: bool) -> bool:
        """Whether this row sets the field: the column is in the file and the cell is filled, or it is
        empty and either the record is new or the user asked for blanks to clear."""
        if not self.mapped(key):
            return False
        return bool(self.cell(row, key)) or not existing or self.options.blank_clears

    def problem(self, n: int, key: str, message: str) -> None:
        self.found.problem_count += 1
        if len(self.found.problems) < MAX_LISTED:
            self.found.problems.append(Problem(n + 2, self.labels.get(key, key), message))

    def change(self, n: int, record: str, key: str, old: object, new: object) -> None:
        self.found.change_count += 1
        if len(self.found.changes) < MAX_LISTED:  # shown as text only when it is listed
            self.found.changes.append(Change(n + 2, record, self.labels.get(key, key), show(old), show(new)))

    def note(self, text: str, count: int = 1) -> None:
        """A line for the report; `{n}` in the text becomes the total count over all batches."""
        self.found.notes[text] = self.found.notes.get(text, 0) + count

    def plan(self, creates: int, updates: int, unchanged: int, notes: tuple[str, ...] = ()) -> Plan:
        for text in notes:
            self.note(text)
        rows = len(self.table.rows) if self.batch is None else len(self.batch)
        return Plan(self.kind, rows, creates, updates, unchanged)

    def total(self, plans: Sequence[Plan]) -> Plan:
        """The plan of the whole file: the batches' counts with everything found on the way."""
        found = self.found
        return Plan(
            self.kind,
            len(self.table.rows),
            sum(p.creates for p in plans),
            sum(p.updates for p in plans),
            sum(p.unchanged for p in plans),
            tuple(found.problems),
            tuple(text.replace("{n}", f"{count:,}") for text, count in found.notes.items() if count),
            tuple(found.changes),
            found.problem_count,
            found.change_count,
            found.memo.get("location_offer"),
        )

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

    def choice(
        self,
        n: int,
        row: Sequence[str],
        key: str,
        options: Iterable[str],
        default: str,
        other_names: Mapping[str, str] | None = None,
    ) -> str:
        """One of `options`, read in any case with spaces or dashes for '_'; `other_names` maps what other
        systems call a value (Odoo's 'Internal Location', SAP's material type ROH) to one of them."""
        text = self.cell(row, key).upper().replace(" ", "_").replace("-", "_")
        if not text:
            return default
        text = (other_names or {}).get(text, text)
        allowed = list(options)
        if text not in allowed:
            self.problem(n, key, f"'{self.cell(row, key)}' is not one of {', '.join(allowed)}")
            return default
        return text


def show(value: object) -> str:
    """A value as the dry run's list of changes shows it."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format_qty(value)
    return str(value)


def field_of(exc: UserError, default: str) -> str:
    return exc.field or default


@dataclass(frozen=True)
class Handler:
    """One kind of import: its columns, who may run it, the dry run and the commit.

    `plan` reads (never writes) and returns the Plan with whatever `apply` needs; `apply` runs in the
    same transaction after a plan without problems, with the import's source name for the records.

    `check_writes`: the dry run writes too (and rolls back), because writing finds problems the plan
    cannot (a rule of a service that only saving applies, raised as RowFailed) or because a batch's plan
    reads what the batches before it wrote. A kind whose `apply` finds nothing its `plan` has not, and
    whose plan of one batch does not depend on the writes of the batches before, sets it False: its dry
    run is the plan alone, with the same result, at half the cost of the import.
    """

    columns: tuple[Column, ...]
    permission: Permission
    plan: Callable[[Session, Rows], tuple[Plan, Any]]
    apply: Callable[[Session, Actor, Any, str, Progress | None], None]
    batch: int | None = None  # plan and write this many rows at a time (None: the whole file at once)
    check_writes: bool = True


class RowFailed(UserError):
    """A rule a service enforces only when writing, with the row at fault (the dry run lists it too)."""

    def __init__(self, n: int, column: str, message: str) -> None:
        super().__init__(f"Row {n + 2}: {message} Nothing was imported.")
        self.problem = Problem(n + 2, column, message)


def row_failed(n: int, exc: UserError, column: str = "") -> RowFailed:
    return RowFailed(n, column or (exc.field or ""), exc.message)


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


def bulk_update(s: Session, table: Table_, rows: list[dict[str, Any]]) -> None:
    """UPDATE by id for many rows in executemany batches (Core: the ORM's bulk path costs more than the
    statements). Rows with the same keys go together."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    for keys, group in groups.items():
        stmt = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({k: bindparam(k) for k in keys if k != "id"})
        )
        for chunk in chunks([{**r, "_id": r["id"]} for r in group], 2000):
            s.execute(stmt, chunk)


def tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise ImportCancelled()


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items, read from any iterable as they go (a streamed file stays streamed)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
