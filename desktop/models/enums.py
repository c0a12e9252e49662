"""Enumerations stored as short strings (portable between SQLite and PostgreSQL)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "VIEWER"
    KEEPER = "KEEPER"
    MAINTENANCE = "MAINTENANCE"
    CLERK = "CLERK"
    SUPERVISOR = "SUPERVISOR"
    ADMIN = "ADMIN"


class PartCategory(StrEnum):
    RAW = "RAW"
    WIP = "WIP"
    FINISHED = "FINISHED"
    MRO = "MRO"


class LocationLevel(StrEnum):
    """Depth in the tree site > area > rack > bin; a child is always deeper than its parent."""

    SITE = "SITE"
    AREA = "AREA"
    RACK = "RACK"
    BIN = "BIN"

    @property
    def depth(self) -> int:
        return list(LocationLevel).index(self)


class LocationType(StrEnum):
    STOREROOM = "STOREROOM"
    LINE_SIDE = "LINE_SIDE"
    RECEIVING = "RECEIVING"
    QUARANTINE = "QUARANTINE"
    WIP_STAGING = "WIP_STAGING"
    MAINTENANCE_CRIB = "MAINTENANCE_CRIB"


class MoveKind(StrEnum):
    RECEIPT = "RECEIPT"
    ISSUE = "ISSUE"
    TRANSFER = "TRANSFER"
    ADJUSTMENT = "ADJUSTMENT"
    COUNT = "COUNT"
    RETURN = "RETURN"
    SCRAP = "SCRAP"


class AssetLevel(StrEnum):
    """Depth in the plant tree site > line > machine > component."""

    SITE = "SITE"
    LINE = "LINE"
    MACHINE = "MACHINE"
    COMPONENT = "COMPONENT"

    @property
    def depth(self) -> int:
        return list(AssetLevel).index(self)


class SpareUsage(StrEnum):
    """When a spare is used on its asset."""

    PREVENTIVE = "PREVENTIVE"
    ON_FAILURE = "ON_FAILURE"
    BOTH = "BOTH"


class XrefKind(StrEnum):
    MANUFACTURER = "MANUFACTURER"
    ALTERNATE = "ALTERNATE"
    SUPERSEDED_BY = "SUPERSEDED_BY"


class ReservationStatus(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"  # fully issued and/or released


class SerialState(StrEnum):
    AVAILABLE = "AVAILABLE"
    ISSUED = "ISSUED"
    IN_REPAIR = "IN_REPAIR"
    AT_VENDOR = "AT_VENDOR"
    SCRAPPED = "SCRAPPED"


class PoState(StrEnum):
    """A purchase order's life: DRAFT -> SENT -> PARTLY_RECEIVED -> RECEIVED, then CLOSED; or CANCELLED."""

    DRAFT = "DRAFT"
    SENT = "SENT"
    PARTLY_RECEIVED = "PARTLY_RECEIVED"
    RECEIVED = "RECEIVED"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


# Orders whose unreceived quantities count as "on order". A DRAFT counts too: once a clerk has turned a
# suggestion into a draft, What to order must not suggest the same quantity again.
ON_ORDER_STATES = (PoState.DRAFT.value, PoState.SENT.value, PoState.PARTLY_RECEIVED.value)


class Tracking(StrEnum):
    """How a part's stock is told apart (desktop.services.lots)."""

    NONE = "NONE"
    LOT = "LOT"  # batches and heats: a lot number on every move
    SERIAL = "SERIAL"  # one serial number per unit: a lot of one
