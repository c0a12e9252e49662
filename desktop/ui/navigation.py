"""The main window's sidebar entries (`NAV`) and the pages built when first shown (`LAZY_PAGES`), with
how such a page is built: its module is imported then (`ui/lazy_pages.py` holds the built pages).

Apart from the main window so that the list of pages reads on its own; nothing here imports a page.
"""

from __future__ import annotations

from importlib import import_module
from typing import cast

from PySide6.QtWidgets import QWidget

from desktop.services.actor import Permission
from desktop.ui.context import AppContext

# Navigation entries: (name, module still to come, permission needed to see it). Entries whose
# module has not landed are shown disabled, saying what will bring them.
NAV: list[tuple[str, str | None, Permission | None]] = [
    ("Parts", None, None),
    ("Locations", None, None),
    ("Stock", None, None),
    ("Kanban", None, None),
    ("Purchasing", None, None),
    ("MRO spares", None, None),
    ("Trace", None, None),
    ("Cycle counts", None, None),
    ("Dashboard", None, None),
    ("Reports", None, None),
    ("Users", None, Permission.ADMIN),
    ("Audit", None, Permission.VIEW_AUDIT),
    ("Settings", None, None),
]


# Pages built, and their modules imported, when first shown: (name, module, class, permission needed).
LAZY_PAGES: list[tuple[str, str, str, Permission | None]] = [
    ("Settings", "admin.settings_page", "SettingsPage", None),
    ("MRO spares", "mro.mro_page", "MroPage", None),
    ("Dashboard", "insight.dashboard_page", "DashboardPage", None),
    ("Reports", "insight.reports_page", "ReportsPage", None),
    ("Kanban", "kanban.kanban_page", "KanbanPage", None),
    ("Purchasing", "purchasing.purchasing_page", "PurchasingPage", None),
    ("Cycle counts", "counts.counts_page", "CountsPage", None),
    ("Trace", "lots.trace_page", "TracePage", None),
    ("Users", "admin.users_page", "UsersPage", Permission.ADMIN),
    ("Audit", "admin.audit_page", "AuditPage", Permission.VIEW_AUDIT),
]


def build_page(module: str, cls: str, ctx: AppContext) -> QWidget:
    page_class = getattr(import_module(f"desktop.ui.{module}"), cls)
    return cast(QWidget, page_class(ctx))
