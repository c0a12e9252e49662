"""Parsing of quantities and money typed by people: Decimal only, never float.

Both `1.5` and `1,5` mean one and a half (keyboards and locales differ on a shop floor), but
`1,500` or `1.500` could mean 1500 or 1.5, so they are refused with a question rather than guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from desktop.errors import UserError

QTY_PLACES = 4  # SQL Numeric(18, 4)
MONEY_PLACES = 4
MAX_QTY = Decimal("99999999999999")  # fits Numeric(18, 4)

_NUMBER = re.compile(r"^[+-]?(\d+)([.,](\d+))?$")


def parse_decimal(
    text: str,
    *,
    what: str = "quantity",
    places: int = QTY_PLACES,
    allow_negative: bool = False,
    allow_zero: bool = False,
) -> Decimal:
    raw = text.strip().replace(" ", "").replace("\u00a0", "")
    if not raw:
        raise UserError(f"Enter a {what}.", field=what)
    match = _NUMBER.match(raw)
    if not match:
        raise UserError(
            f"'{text.strip()}' is not a number: type the {what} with digits, e.g. 12 or 1.5.", field=what
        )
    decimals = match.group(3) or ""
    whole = match.group(1)
    if match.group(2) and len(decimals) == 3 and len(whole) <= 3 and whole != "0":
        short = f"{whole}.{decimals}".rstrip("0").rstrip(".")
        raise UserError(f"'{raw}' is ambiguous: type {whole}{decimals} or {short}.", field=what)
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid literals
        raise UserError(f"'{raw}' is not a number.", field=what) from exc
    if len(decimals.rstrip("0")) > places:
        raise UserError(f"A {what} can have at most {places} decimal places.", field=what)
    if value < 0 and not allow_negative:
        raise UserError(f"The {what} cannot be negative.", field=what)
    if value == 0 and not allow_zero:
        raise UserError(f"The {what} must be more than zero.", field=what)
    if abs(value) > MAX_QTY:
        raise UserError(f"The {what} {raw} is too large.", field=what)
    return value.quantize(Decimal(1).scaleb(-places)).normalize() if decimals else value


def format_qty(value: Decimal) -> str:
    """Shortest exact text: 12, 1.5, 0.0025 (no trailing zeros, no exponent)."""
    text = format(value.normalize(), "f")
    return text
