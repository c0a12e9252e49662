"""Purchasing: purchase orders to suppliers (orders), made in one step from What to order and empty
kanban cards (sources), and received against (receiving). The public face the UI and CLI use."""

from desktop.services.purchasing.on_order import OpenLine, open_lines_for_part
from desktop.services.purchasing.order_changes import (
    LineChange,
    add_lines,
    cancel_order,
    close_order,
    delete_line,
    edit_line,
    send_order,
)
from desktop.services.purchasing.orders import (
    PO_PREFIX,
    LineDTO,
    LineInput,
    OrderDTO,
    create_order,
    get_order,
    get_order_id,
    list_orders,
    po_number,
)
from desktop.services.purchasing.receiving import (
    ReceiptRequest,
    ReceiptResult,
    part_on_order,
    receive,
    usual_bin,
)
from desktop.services.purchasing.settings import PurchasingSettings, purchasing_settings, save_purchasing
from desktop.services.purchasing.sources import Wanted, card_line, orders_from_cards, orders_from_suggestions

__all__ = [
    "PO_PREFIX",
    "LineChange",
    "LineDTO",
    "LineInput",
    "OpenLine",
    "OrderDTO",
    "PurchasingSettings",
    "ReceiptRequest",
    "ReceiptResult",
    "Wanted",
    "add_lines",
    "cancel_order",
    "card_line",
    "close_order",
    "create_order",
    "delete_line",
    "edit_line",
    "get_order",
    "get_order_id",
    "list_orders",
    "open_lines_for_part",
    "orders_from_cards",
    "orders_from_suggestions",
    "part_on_order",
    "po_number",
    "purchasing_settings",
    "receive",
    "save_purchasing",
    "send_order",
    "usual_bin",
]
