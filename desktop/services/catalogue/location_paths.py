"""Locations named by their path, as other systems export them ("Plant/Building A/Room 101/Rack 3/
Shelf B/Bin 07", InvenTree's pathstring): each place of the path gets a code a scanner can read, a
parent and a level, so a tree of any depth imports without hand edits, and stock rows can name their
location by path.

Codes are made from the place's name (A-Z, 0-9, '-'); a name used twice in the tree takes its parent's
code in front (RACK-3-SHELF-B). A place already in the database keeps its code (matched on its path of
names), so the same file imported again changes nothing. Levels, when the file has none: the top is a
SITE, a place holding nothing is a BIN, one holding only bins a RACK, the others AREAs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Location
from desktop.models.enums import LocationLevel
from desktop.services.catalogue.locations import CODE_MAX

Names = tuple[str, ...]


def split_path(text: str) -> Names:
    """The names along a path: '>' separates when present, else '/' or '\\'."""
    raw = text.strip()
    if not raw:
        return ()
    parts = raw.split(">") if ">" in raw else re.split(r"[/\\]", raw)
    return tuple(n for n in (" ".join(p.split()) for p in parts) if n)


def is_path(text: str) -> bool:
    return any(sep in text for sep in ("/", ">", "\\"))


def key(names: Names) -> str:
    return "/".join(n.upper() for n in names)


def name_paths(s: Session) -> dict[str, tuple[int, str]]:
    """(id, code) of every location by its path of names (upper-cased, '/'-joined)."""
    rows = {
        i: (name, parent, code)
        for i, name, parent, code in s.execute(
            select(Location.id, Location.name, Location.parent_id, Location.code)
        ).tuples()
    }
    out: dict[str, tuple[int, str]] = {}
    for loc_id, (_name, _parent, code) in rows.items():
        names: list[str] = []
        at: int | None = loc_id
        while at is not None and len(names) <= len(rows):
            name, parent, _c = rows[at]
            names.append(name)
            at = parent
        out[key(tuple(reversed(names)))] = (loc_id, code)
    return out


@dataclass(frozen=True)
class Place:
    names: Names
    code: str
    parent_code: str | None
    level: str


def _slug(name: str) -> str:
    return re.sub(r"-{2,}", "-", re.sub(r"[^0-9A-Z]+", "-", name.upper())).strip("-") or "LOC"


def places(paths: Iterable[Names], existing: dict[str, tuple[int, str]], taken: set[str]) -> dict[str, Place]:
    """A Place for every path and each of its ancestors, by path key."""
    nodes: set[Names] = set()
    for names in paths:
        nodes.update(names[: i + 1] for i in range(len(names)))
    children: dict[Names, list[Names]] = {}
    for names in nodes:
        if len(names) > 1:
            children.setdefault(names[:-1], []).append(names)
    used = set(taken)
    leaf_count: dict[str, int] = {}
    for names in nodes:
        leaf_count[_slug(names[-1])] = leaf_count.get(_slug(names[-1]), 0) + 1
    codes: dict[Names, str] = {}
    out: dict[str, Place] = {}
    for names in sorted(nodes, key=lambda n: (len(n), key(n))):
        found = existing.get(key(names))
        if found is not None:
            code = found[1]
        else:
            slug = _slug(names[-1])
            code = slug[:CODE_MAX]
            if leaf_count[slug] > 1 or code in used:
                code = f"{codes[names[:-1]]}-{slug}"[:CODE_MAX] if len(names) > 1 else code
            base, n = code, 2
            while code in used:
                suffix = f"-{n}"
                code, n = base[: CODE_MAX - len(suffix)] + suffix, n + 1
        used.add(code)
        codes[names] = code
        kids = children.get(names, [])
        if len(names) == 1:
            level = LocationLevel.SITE
        elif not kids:
            level = LocationLevel.BIN
        elif all(not children.get(k) for k in kids):
            level = LocationLevel.RACK
        else:
            level = LocationLevel.AREA
        out[key(names)] = Place(names, code, codes[names[:-1]] if len(names) > 1 else None, level.value)
    return out
