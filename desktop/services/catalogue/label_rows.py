"""Bin labels and location codes read as plain rows on a Core connection (`Database.read_rows`).

`storeroom labels bins` is a short command: importing the ORM and mapping the location, part and
balance models cost it more than the query itself (issue #22). These statements use SQLAlchemy Core's
lightweight `table()` constructs, so they render for SQLite and PostgreSQL alike without any model
being mapped. `catalogue.labels.bin_labels` and `catalogue.locations.get_location_id` are these
functions: one implementation for the app, the command line and the tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ColumnElement, Connection, Numeric, and_, column, or_, select, table

from desktop.codes import id_form, location_id_payload, location_payload
from desktop.db import Database
from desktop.errors import NotFound, UserError

if TYPE_CHECKING:  # the renderers (reportlab, PIL, barcode) load at the first print, not with locations
    from desktop.reports.label_types import BinLabel

MAX_LABELS = 50_000  # one job; beyond this a printer queue and a clerk both give up

_location = table("location", column("id"), column("code"), column("path"), column("active", Boolean))
_balance = table("stock_balance", column("location_id"), column("part_id"), column("qty", Numeric))
_part = table("part", column("id"), column("part_number"), column("description"), column("number_key"))


def _id_by_code(conn: Connection, code: str) -> int | None:
    found: int | None = conn.scalar(select(_location.c.id).where(_location.c.code == code.strip().upper()))
    return found


def location_id(db: Database, code: str) -> int:
    """The id of the location a typed or scanned code names: its code, with or without the `L-` of
    its label, or the short id form (`L--42`) of a label printed with it. NotFound if none."""
    clean = code.strip().upper()

    def op(conn: Connection) -> int | None:
        by_id = id_form(clean)
        if by_id is not None and by_id[0] == "L":  # a label printed with the short id form
            found_id: int | None = conn.scalar(select(_location.c.id).where(_location.c.id == by_id[1]))
            if found_id is not None:
                return found_id
        wanted = clean
        if wanted.startswith("L-") and _id_by_code(conn, wanted) is None:
            wanted = wanted[2:]
        return _id_by_code(conn, wanted)

    found = db.read_rows(op)
    if found is None:
        raise NotFound(f"No location with code {code.strip()}.", field="location")
    return found


def _subtree(path: str) -> ColumnElement[bool]:
    # The same range on the indexed path column as catalogue.locations.within (see subtree_bounds).
    return and_(_location.c.path >= path, _location.c.path < path[:-1] + "0")


def _bin_parts(conn: Connection, location_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The part normally stored in each bin: the one with the most stock there (ties: lowest number)."""
    rows = conn.execute(
        select(_balance.c.location_id, _part.c.part_number, _part.c.description)
        .join(_part, _part.c.id == _balance.c.part_id)
        .where(_balance.c.location_id.in_(location_ids), _balance.c.qty > 0)
        .order_by(_balance.c.location_id, _balance.c.qty.desc(), _part.c.number_key)
    ).all()
    found: dict[int, tuple[str, str]] = {}
    for loc_id, number, description in rows:
        found.setdefault(loc_id, (number, description))
    return found


def bin_labels(
    db: Database, location_ids: list[int], *, subtree: bool = False, with_part: bool = True
) -> list[BinLabel]:
    """Labels for the given locations (with `subtree`, every active location below them too), in walk
    order."""
    from desktop.reports.label_types import BinLabel

    if not location_ids:
        raise UserError("Select at least one location to label.")
    columns = (_location.c.id, _location.c.code, _location.c.path)

    def op(conn: Connection) -> list[BinLabel]:
        roots = conn.execute(select(*columns).where(_location.c.id.in_(location_ids))).all()
        if len(roots) != len(set(location_ids)):
            raise NotFound("Some of the selected locations no longer exist.")
        if subtree:
            below = or_(*[_subtree(r.path) for r in roots])
            chosen = list(conn.execute(select(*columns).where(_location.c.active, below)))
        else:
            chosen = list(roots)
        if len(chosen) > MAX_LABELS:
            raise UserError(f"{len(chosen):,} labels is too many for one job (at most {MAX_LABELS:,}).")
        chosen.sort(key=lambda loc: loc.path)  # tree order: a rack's bins follow the rack
        parts = _bin_parts(conn, [loc.id for loc in chosen]) if with_part else {}
        return [
            BinLabel(
                code=loc.code,
                barcode=location_payload(loc.code),
                path=" > ".join(loc.path.strip("/").split("/")[:-1]),
                part_number=parts.get(loc.id, (None, None))[0],
                part_description=parts.get(loc.id, (None, None))[1],
                compact=location_id_payload(loc.id),
            )
            for loc in chosen
        ]

    return db.read_rows(op)
