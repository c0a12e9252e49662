"""ORM models, each module imported when one of its classes is first named.

`from desktop.models import Part` maps only the tables that module defines: mapping all thirty
classes costs a short command such as `storeroom labels` a few tenths of a second it does not need.
`load_all()` registers every table on `Base.metadata` (migrations, tests that list the tables).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from desktop.lazy_names import lazy_names

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from desktop.models.access import RuntimeRole, SignInGuard
    from desktop.models.audit import AuditEvent
    from desktop.models.base import Base
    from desktop.models.catalogue import Category, Manufacturer, PartCategoryLink, UnitOfMeasure
    from desktop.models.costs import PartCost
    from desktop.models.counts import CountLine, CountPlanSlot, CountSession
    from desktop.models.kanban import CardEvent, KanbanCard, KanbanLoop
    from desktop.models.kpi_day import KpiDay
    from desktop.models.location import Location
    from desktop.models.lots import Lot, LotBalance
    from desktop.models.mro import (
        Asset,
        AssetMove,
        AssetSpare,
        PartXref,
        Reservation,
        SerialEvent,
        SerialUnit,
    )
    from desktop.models.part import Part
    from desktop.models.planning import AppSetting, ShortIssue
    from desktop.models.purchasing import PurchaseOrder, PurchaseOrderLine, PurchaseReceipt
    from desktop.models.stock import StockBalance, StockMove
    from desktop.models.supplier import PartSupplier, Supplier
    from desktop.models.user import User

# Class name -> the module of desktop.models that defines it.
_MODULES = {
    "AppSetting": "planning",
    "Asset": "mro",
    "AssetMove": "mro",
    "AssetSpare": "mro",
    "AuditEvent": "audit",
    "Base": "base",
    "CardEvent": "kanban",
    "Category": "catalogue",
    "CountLine": "counts",
    "CountPlanSlot": "counts",
    "CountSession": "counts",
    "KanbanCard": "kanban",
    "KanbanLoop": "kanban",
    "KpiDay": "kpi_day",
    "Location": "location",
    "Lot": "lots",
    "LotBalance": "lots",
    "Manufacturer": "catalogue",
    "Part": "part",
    "PartCategoryLink": "catalogue",
    "PartCost": "costs",
    "PartSupplier": "supplier",
    "PartXref": "mro",
    "PurchaseOrder": "purchasing",
    "PurchaseOrderLine": "purchasing",
    "PurchaseReceipt": "purchasing",
    "Reservation": "mro",
    "RuntimeRole": "access",
    "SerialEvent": "mro",
    "SerialUnit": "mro",
    "ShortIssue": "planning",
    "SignInGuard": "access",
    "StockBalance": "stock",
    "StockMove": "stock",
    "Supplier": "supplier",
    "UnitOfMeasure": "catalogue",
    "User": "user",
}


_load = lazy_names(__name__, _MODULES, globals())


def __getattr__(name: str) -> Any:
    return _load(name)


def load_all() -> MetaData:
    """Import every model module, so `Base.metadata` holds every table; returns that metadata."""
    for module in sorted(set(_MODULES.values())):
        import_module(f"desktop.models.{module}")
    from desktop.models.base import Base

    return Base.metadata


__all__ = [
    "AppSetting",
    "Asset",
    "AssetMove",
    "AssetSpare",
    "AuditEvent",
    "Base",
    "CardEvent",
    "Category",
    "CountLine",
    "CountPlanSlot",
    "CountSession",
    "KanbanCard",
    "KanbanLoop",
    "KpiDay",
    "Location",
    "Lot",
    "LotBalance",
    "Manufacturer",
    "Part",
    "PartCategoryLink",
    "PartCost",
    "PartSupplier",
    "PartXref",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseReceipt",
    "Reservation",
    "RuntimeRole",
    "SerialEvent",
    "SerialUnit",
    "ShortIssue",
    "SignInGuard",
    "StockBalance",
    "StockMove",
    "Supplier",
    "UnitOfMeasure",
    "User",
]
