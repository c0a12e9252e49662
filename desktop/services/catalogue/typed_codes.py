"""A part or bin from a code a person typed or scanned into a count: the code as it is wins; only when no
part (bin) has it is a label's prefix taken off (`P-100` is part P-100 if there is one, else part 100)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models import Location, Part

T = TypeVar("T")


def _by_code(s: Session, model: type[T], column: Any, typed: str, prefix: str) -> T | None:
    key = typed.strip().upper()
    found: T | None = s.scalar(select(model).where(column == key))
    if found is None and key.startswith(prefix):
        found = s.scalar(select(model).where(column == key.removeprefix(prefix)))
    return found


def find_part_by_code(s: Session, typed: str) -> Part | None:
    return _by_code(s, Part, Part.number_key, typed, "P-")


def find_location_by_code(s: Session, typed: str) -> Location | None:
    return _by_code(s, Location, Location.code, typed, "L-")
