"""What a change notice names: the kinds of data a page shows (no imports, so any screen can use it)."""

from __future__ import annotations

from enum import StrEnum


class Topic(StrEnum):
    """What a change notice names; a page refreshes when a topic it shows changed."""

    STOCK = "stock"
    PARTS = "parts"
    LOCATIONS = "locations"
    USERS = "users"
    KANBAN = "kanban"
    MRO = "mro"
    COUNTS = "counts"
    PURCHASING = "purchasing"
    PLANNING = "planning"  # the plant's planning figures (Settings): the dashboard, What to order
