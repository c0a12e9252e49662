"""What each kind of stock move asks for in the move dialog: its title and verb, which location fields
it has (in scan order) and whether a reason is required; and the names of those fields.

Apart from `move_dialog` so that the dialog and its parts (`move_pickers`, `move_lots`) share them.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.models.enums import MoveKind


@dataclass(frozen=True)
class KindSpec:
    title: str
    verb: str
    locations: tuple[str, ...]  # field names in scan order: "from", "to" or "location"
    reference_label: str
    reason_required: bool = False


SPECS: dict[MoveKind, KindSpec] = {
    MoveKind.RECEIPT: KindSpec("Receive", "Received", ("to",), "PO / delivery note"),
    MoveKind.ISSUE: KindSpec("Issue", "Issued", ("from",), "Work order / cost centre"),
    MoveKind.TRANSFER: KindSpec("Transfer", "Moved", ("from", "to"), "Reference"),
    MoveKind.ADJUSTMENT: KindSpec("Adjust", "Adjusted", ("location",), "Reference", reason_required=True),
    MoveKind.RETURN: KindSpec("Return", "Returned", ("to",), "Work order"),
    MoveKind.SCRAP: KindSpec("Scrap", "Scrapped", ("from",), "Reference", reason_required=True),
}
LOCATION_LABELS = {"from": "From location", "to": "To location", "location": "Location"}
