"""Quantity is a number a person typed: a barcode that lands in a quantity field is refused.

A scanner aimed at the wrong label while the cursor sits in Quantity types a code: a prefixed one
(`P-…`), a burst at scanner speed, or an EAN/UPC number (8, 12, 13 or 14 digits). Posting that as a
quantity would receive 4,006,381,333,931 units, so each of them is refused with one clear message.
"""

from __future__ import annotations

import re

from PySide6.QtWidgets import QLineEdit

from desktop.ui.scanner import KNOWN_PREFIXES, ROLE_QTY, router, set_scan_role

BARCODE_IN_QTY = "That was a barcode, not a quantity: type the quantity."
_GTIN = re.compile(r"^\d{8}$|^\d{12,14}$")


def looks_like_code(text: str) -> bool:
    t = text.strip().upper()
    return any(t.startswith(p) for p in KNOWN_PREFIXES) or bool(_GTIN.match(t))


def mark_quantity(edit: QLineEdit) -> QLineEdit:
    """Make `edit` a quantity field: a scanner burst into it is flagged (see refused_as_barcode)."""
    set_scan_role(edit, ROLE_QTY)
    return edit


def barcode_refusal(edit: QLineEdit) -> str | None:
    """The refusal message if what is in `edit` came from a scanner rather than a person, else None."""
    burst = router().took_burst(edit)
    if burst is not None or looks_like_code(edit.text()):
        return BARCODE_IN_QTY
    return None
