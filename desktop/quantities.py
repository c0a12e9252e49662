"""Quantities and money typed by people and shown to them: Decimal only, never float.

Money shown is rounded half-up to the cent (`money`); a total is the sum of the amounts shown above it.
Files (CSV, XLSX) carry fixed decimals: money 2, percentages 2, other figures 4, quantities as they are.

The decimal mark is the PC's (its locale's decimal point, `.` or `,`), unless the settings file sets
`decimal_mark` (the app and the command line call `set_decimal_mark` at start).
- With the mark: `2.125` is two and an eighth where `.` is the mark, `2,125` where `,` is.
- The other character is a decimal mark too where it cannot be a thousands separator: `1,5`, `0,125`,
  `1234,5` all mean what they say on a `.` PC. Where it could be either (`2,125` on a `.` PC: 2125 or
  2.125?) the entry is refused with the two readings to choose from, never the text just typed.
- Thousands separators are accepted only in well-formed groups of three (`1,234,567`, `1.234,5`,
  `1 234`); anything else with a space, such as `12 34` (two numbers run together), is refused.
"""

from __future__ import annotations

import locale
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from desktop.errors import UserError

QTY_PLACES = 4  # SQL Numeric(18, 4)
MONEY_PLACES = 4
MAX_QTY = Decimal("99999999999999")  # fits Numeric(18, 4)
ZERO = Decimal(0)

_SPACES = ("\u00a0", "\u202f", " ")  # a space, a no-break space, a narrow no-break space (French grouping)
_SPACE_GROUPED = re.compile(r"^\d{1,3}( \d{3})+([.,]\d+)?$")
_PLAIN = re.compile(r"^\d+$")
_ONE_MARK = re.compile(r"^(\d+)([.,])(\d+)$")
_GROUPED = re.compile(r"^\d{1,3}(?P<sep>[.,])\d{3}((?P=sep)\d{3})*$")
_GROUPED_DECIMAL = re.compile(
    r"^(?P<int>\d{1,3}(?P<sep>[.,])\d{3}((?P=sep)\d{3})*)(?P<mark>[.,])(?P<dec>\d+)$"
)

_override: str | None = None


def set_decimal_mark(mark: str | None) -> None:
    """`.` or `,` to override the PC's locale, or None to follow it."""
    global _override
    if mark not in (None, ".", ","):
        raise UserError(f"The decimal mark is '.' or ',', not {mark!r}.", field="decimal_mark")
    _override = mark


@cache
def _locale_mark() -> str:
    """The decimal point of the PC's locale (read once, the process's own locale left as it was)."""
    try:
        before = locale.setlocale(locale.LC_NUMERIC)
        try:
            locale.setlocale(locale.LC_NUMERIC, "")
            point = str(locale.localeconv()["decimal_point"])
        finally:
            locale.setlocale(locale.LC_NUMERIC, before)
    except locale.Error:  # an unknown locale in the environment: the C locale's point
        point = "."
    return "," if point == "," else "."


def decimal_mark() -> str:
    return _override or _locale_mark()


def _digits(raw: str, what: str, mark: str) -> tuple[str, str]:
    """(whole digits, decimal digits) of an unsigned entry, or a UserError saying why not."""
    example = f"e.g. 12 or 1{mark}5"
    body = raw
    for space in _SPACES:
        body = body.replace(space, " ")
    if " " in body:
        if not _SPACE_GROUPED.match(body):
            raise UserError(f"'{raw}' is not a number: type the {what} with digits, {example}.", field=what)
        body = body.replace(" ", "")
    if _PLAIN.match(body):
        return body, ""
    one = _ONE_MARK.match(body)
    if one:
        whole, sep, decimals = one.groups()
        if sep != mark and len(decimals) == 3 and len(whole) <= 3 and whole != "0":
            # the other character could group thousands: 2,125 is 2125 or two and an eighth
            short = f"{whole}{mark}{decimals}".rstrip("0").rstrip(mark)
            raise UserError(f"'{raw}' is ambiguous: type {whole}{decimals} or {short}.", field=what)
        return whole, decimals
    if _GROUPED.match(body):  # 1,234,567: the same character twice can only group thousands
        return re.sub(r"[.,]", "", body), ""
    grouped = _GROUPED_DECIMAL.match(body)
    if grouped and grouped.group("sep") != grouped.group("mark"):  # 1,234.5 or 1.234,5
        return re.sub(r"[.,]", "", grouped.group("int")), grouped.group("dec")
    raise UserError(f"'{raw}' is not a number: type the {what} with digits, {example}.", field=what)


def parse_decimal(
    text: str,
    *,
    what: str = "quantity",
    places: int = QTY_PLACES,
    allow_negative: bool = False,
    allow_zero: bool = False,
) -> Decimal:
    raw = text.strip()
    if not raw:
        raise UserError(f"Enter a {what}.", field=what)
    sign = "-" if raw[0] == "-" else ""
    whole, decimals = _digits(raw[1:] if raw[0] in "+-" else raw, what, decimal_mark())
    try:
        value = Decimal(f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}")
    except InvalidOperation as exc:  # pragma: no cover - the patterns admit only digits
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


CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    """An amount as shown: rounded half-up to the cent (0.125 -> 0.13, where Python's own rounding says
    0.12). Totals add up the shown amounts, so a printed column adds up to its total."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(value: Decimal) -> str:
    return f"{money(value):,.2f}"


def fixed(value: Decimal, places: int) -> Decimal:
    """A figure for a file: `places` decimals, half-up (no 0E-8, no 28-digit quotient)."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def exact_sum(raw: int | float | Decimal | None) -> Decimal:
    """A sum as the driver returned it, exact to the ledger's places: SQLite sums decimals as doubles
    (0.30000000000000004), and a whole number is exact as it is."""
    if isinstance(raw, int):
        return Decimal(raw)
    return exact_qty(Decimal(raw or 0))


def exact_qty(value: Decimal) -> Decimal:
    """A quantity for a file: at most QTY_PLACES decimals, no trailing zeros, never an exponent."""
    q = fixed(value, QTY_PLACES)
    return q.quantize(Decimal(1)) if q == q.to_integral_value() else q.normalize()
