"""ORM models; importing this package registers every table on `Base.metadata`."""

from desktop.models.access import RuntimeRole, SignInGuard
from desktop.models.audit import AuditEvent
from desktop.models.base import Base
from desktop.models.catalogue import Category, Manufacturer, PartCategoryLink, UnitOfMeasure
from desktop.models.costs import PartCost
from desktop.models.counts import CountLine, CountPlanSlot, CountSession
from desktop.models.kanban import CardEvent, KanbanCard, KanbanLoop
from desktop.models.kpi_day import KpiDay
from desktop.models.location import Location
from desktop.models.mro import Asset, AssetMove, AssetSpare, PartXref, Reservation, SerialEvent, SerialUnit
from desktop.models.part import Part
from desktop.models.planning import AppSetting, ShortIssue
from desktop.models.purchasing import PurchaseOrder, PurchaseOrderLine, PurchaseReceipt
from desktop.models.stock import StockBalance, StockMove
from desktop.models.supplier import PartSupplier, Supplier
from desktop.models.user import User

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
