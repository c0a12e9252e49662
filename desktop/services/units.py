"""Units of measure a part may be stocked in. Counted units take whole numbers only."""

from __future__ import annotations

from decimal import Decimal

from desktop.errors import UserError

# code -> (name, counted in whole numbers)
UNITS: dict[str, tuple[str, bool]] = {
    "EA": ("each", True),
    "PC": ("piece", True),
    "PR": ("pair", True),
    "SET": ("set", True),
    "BOX": ("box", True),
    "PK": ("pack", True),
    "ROLL": ("roll", True),
    "DRUM": ("drum", True),
    "M": ("metre", False),
    "MM": ("millimetre", False),
    "CM": ("centimetre", False),
    "FT": ("foot", False),
    "IN": ("inch", False),
    "M2": ("square metre", False),
    "M3": ("cubic metre", False),
    "KG": ("kilogram", False),
    "G": ("gram", False),
    "LB": ("pound", False),
    "L": ("litre", False),
    "ML": ("millilitre", False),
    "GAL": ("gallon", False),
}


def check_unit(unit: str) -> str:
    code = unit.strip().upper()
    if code not in UNITS:
        raise UserError(f"'{unit}' is not a known unit. Use one of: {', '.join(UNITS)}.", field="unit")
    return code


def check_qty_for_unit(qty: Decimal, unit: str) -> None:
    name, whole = UNITS.get(unit, (unit, False))
    if whole and qty != qty.to_integral_value():
        raise UserError(
            f"{unit} ({name}) is counted in whole numbers: {qty} is not a whole number.", field="qty"
        )
