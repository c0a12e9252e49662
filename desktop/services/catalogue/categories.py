"""The part category tree (Fasteners > Bolts > Hex), beside the inventory type (RAW/WIP/FINISHED/MRO).

A category stores its whole path, so "parts in Fasteners and everything under it" is one indexed
prefix query. Paths are read as files write them: "Fasteners > Bolts > Hex", InvenTree's
"Fasteners/Bolts/Hex" or Odoo's "All / Saleable / Fasteners" (with a '>' in the text only '>' separates,
else with " / " only " / ", so a name may hold a '/').
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import ColumnElement, Select, Table, delete, insert, or_, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import Category, PartCategoryLink
from desktop.services.common import bulk_insert, clean_text

SEPARATOR = " > "
NAME_MAX = 60
PATH_MAX = 400

Path = tuple[str, ...]


@dataclass(frozen=True)
class CategoryDTO:
    id: int
    name: str
    path: str
    parent_id: int | None
    depth: int


def parse_path(text: str) -> Path:
    """The names of a path as a file writes it; a clear message for an empty or too long name."""
    raw = text.strip()
    if not raw:
        return ()
    # Odoo writes "All / Saleable / I/O modules": with " / " in the text, only " / " separates
    separator = ">" if ">" in raw else " / " if " / " in raw else "/"
    parts = raw.split(separator)
    names = tuple(" ".join(p.split()) for p in parts)
    if any(not n for n in names):
        raise UserError(f"'{raw}' has an empty category name (two separators in a row?).", field="category")
    for name in names:
        clean_text(name, field="category", label="A category name", max_len=NAME_MAX)
    if len(SEPARATOR.join(names)) > PATH_MAX:
        raise UserError(f"The category path is longer than {PATH_MAX} characters.", field="category")
    return names


def show(path: Path) -> str:
    return SEPARATOR.join(path)


def key_of(path: Path) -> str:
    return show(path).upper()


def ensure_paths(
    s: Session, paths: Iterable[Path], descriptions: dict[Path, str] | None = None
) -> dict[str, int]:
    """Category ids by path key, creating every missing node (parents first)."""
    wanted: set[Path] = set()
    for path in paths:
        wanted.update(path[: i + 1] for i in range(len(path)))
    known = dict(s.execute(select(Category.path_key, Category.id)).tuples().all())
    for path in sorted(wanted, key=len):
        key = key_of(path)
        if key in known:
            continue
        parent = known[key_of(path[:-1])] if len(path) > 1 else None
        (new_id,) = s.execute(
            insert(Category)
            .values(
                name=path[-1],
                parent_id=parent,
                path=show(path),
                path_key=key,
                description=(descriptions or {}).get(path),
            )
            .returning(Category.id)
        ).one()
        known[key] = new_id
    return known


def subtree_filter(path_key: str) -> ColumnElement[bool]:
    """Categories at `path_key` and everything under it."""
    escaped = path_key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return or_(Category.path_key == path_key, Category.path_key.like(escaped + SEPARATOR + "%", escape="\\"))


def subtree_part_ids(path_key: str) -> Select[tuple[int]]:
    """Ids of the parts filed under the category or any category below it."""
    return (
        select(PartCategoryLink.part_id)
        .join(Category, Category.id == PartCategoryLink.category_id)
        .where(subtree_filter(path_key))
    )


def path_key_of(s: Session, category_id: int) -> str:
    key = s.scalar(select(Category.path_key).where(Category.id == category_id))
    if key is None:
        raise NotFound(f"Category #{category_id} no longer exists.")
    return key


def set_categories(s: Session, links: dict[int, int | None], *, fresh: Collection[int] = ()) -> None:
    """File each part (id) under a category id, or under none. `fresh`: parts just added, which are
    filed nowhere yet (nothing to take away)."""
    if not links:
        return
    ids = [p for p in links if p not in fresh]
    for start in range(0, len(ids), 5000):
        s.execute(delete(PartCategoryLink).where(PartCategoryLink.part_id.in_(ids[start : start + 5000])))
    rows = [{"part_id": p, "category_id": c} for p, c in links.items() if c is not None]
    bulk_insert(s, cast(Table, PartCategoryLink.__table__), rows)


def paths_of_parts(s: Session, part_ids: Iterable[int]) -> dict[int, str]:
    ids = list(part_ids)
    out: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        out.update(
            s.execute(
                select(PartCategoryLink.part_id, Category.path)
                .join(Category, Category.id == PartCategoryLink.category_id)
                .where(PartCategoryLink.part_id.in_(ids[start : start + 5000]))
            )
            .tuples()
            .all()
        )
    return out


def list_categories(db: Database) -> list[CategoryDTO]:
    """Every category in tree order (a parent before its children)."""
    rows = db.read(
        lambda s: list(s.execute(select(Category.id, Category.name, Category.path, Category.parent_id)))
    )
    # sorted here, not in SQL: PostgreSQL's collation ignores the spaces and '>' that make the tree order
    rows.sort(key=lambda r: tuple(n.upper() for n in r.path.split(SEPARATOR)))
    return [CategoryDTO(r.id, r.name, r.path, r.parent_id, r.path.count(SEPARATOR)) for r in rows]
