"""Who is acting, and what their role lets them do. Checked in services, not only in the UI."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from desktop.errors import PermissionDenied
from desktop.models.enums import Role


class Permission(StrEnum):
    VIEW = "view"
    MOVE_STOCK = "move stock"
    EDIT_PARTS = "edit parts and suppliers"
    EDIT_LOCATIONS = "edit locations"
    SCAN_KANBAN = "scan kanban cards"
    MANAGE_KANBAN = "set up and resize kanban loops"
    RESERVE = "reserve spares for work orders"
    MANAGE_ASSETS = "edit assets and their spares"
    COUNT = "enter cycle counts"
    PLAN_COUNTS = "plan cycle counts"
    APPROVE_COUNTS = "approve count adjustments"
    ADJUST_ABOVE_LIMIT = "post adjustments above the value limit"
    VIEW_AUDIT = "see the audit trail"
    PURCHASE = "create, send and cancel purchase orders"
    APPROVE_RECEIPTS = "close purchase orders short and confirm over-receipts"
    SET_PLANNING = "set the planning figures (order cost, carrying rate, service level)"
    RELEASE_LOTS = "release an expired lot for issue"
    ADMIN = "administer users and the database"


_ALL = frozenset(Permission)
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.KEEPER: frozenset(
        {Permission.VIEW, Permission.MOVE_STOCK, Permission.SCAN_KANBAN, Permission.RESERVE, Permission.COUNT}
    ),
    Role.MAINTENANCE: frozenset(
        {Permission.VIEW, Permission.MOVE_STOCK, Permission.RESERVE, Permission.MANAGE_ASSETS}
    ),
    Role.CLERK: frozenset(
        {
            Permission.VIEW,
            Permission.EDIT_PARTS,
            Permission.EDIT_LOCATIONS,
            Permission.MANAGE_KANBAN,
            Permission.MANAGE_ASSETS,
            Permission.PLAN_COUNTS,
            Permission.PURCHASE,
        }
    ),
    Role.SUPERVISOR: _ALL - {Permission.ADMIN},
    Role.ADMIN: _ALL,
}


@dataclass(frozen=True)
class Actor:
    user_id: int
    user_name: str
    display_name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                f"{self.display_name} ({self.role.value.lower()}) may not {permission.value}."
            )
