"""Units of measure a part may be stocked in, by any common name a file uses for them.

The built-in units are below; an admin adds more (kept in `unit_of_measure`). A unit is stored by its
code; `resolve` reads "litres", "Liter" or "l" as L and says which unit was meant when a name is close.
Counted units take whole numbers only; units an admin adds take decimals (as metre or litre do).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, UserError
from desktop.models import UnitOfMeasure
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.common import clean_text

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

# Other names files use (singular; plurals and spellings follow from _forms). Compared upper-cased. SAP
# writes its unit codes (PC, PAK, PAA, ROL, CAR; ST in German), Odoo its unit names ("Units", "Liters",
# "gal (US)").
_ALIASES: dict[str, tuple[str, ...]] = {
    "EA": ("each", "ea.", "st", "stk", "stück", "stueck", "unit", "units", "u", "no", "nos", "qty", "count"),
    "PC": ("pc", "pcs", "piece", "pce", "pces", "pièce"),
    "PR": ("pair", "pairs", "pr", "prs", "paar", "paa"),
    "SET": ("set", "sets", "kit", "kits"),
    "BOX": ("box", "boxes", "bx", "carton", "cartons", "ctn", "car", "kar", "karton"),
    "PK": ("pack", "packs", "pk", "pkt", "packet", "packets", "pkg", "package", "packages", "pak"),
    "ROLL": ("roll", "rolls", "rl", "reel", "reels", "rol", "rolle"),
    "DRUM": ("drum", "drums", "dr"),
    "M": ("metre", "meter", "mtr", "lfm", "lm"),
    "MM": ("millimetre", "millimeter"),
    "CM": ("centimetre", "centimeter"),
    "FT": ("foot", "feet", "ft.", "'"),
    "IN": ("inch", "inches", "in.", '"'),
    "M2": ("m²", "sqm", "sq m", "square metre", "square meter", "qm"),
    "M3": ("m³", "cbm", "cu m", "cubic metre", "cubic meter"),
    "KG": ("kilogram", "kilogramme", "kilo", "kilos", "kgs"),
    "G": ("gram", "gramme", "gr", "grams"),
    "LB": ("pound", "lbs", "lb."),
    "L": ("litre", "liter", "ltr", "lt", "l."),
    "ML": ("millilitre", "milliliter"),
    "GAL": ("gallon", "gallons", "gal.", "gal (us)", "us gallon"),
}


def _forms(name: str) -> set[str]:
    """A name, upper-cased, with its plural: LITRE -> LITRES, BOX -> BOXES."""
    key = " ".join(name.upper().split())
    forms = {key}
    if re.fullmatch(r"[A-ZÀ-Ü ]{2,}", key) and not key.endswith("S"):
        forms.add(key + ("ES" if key.endswith(("X", "CH", "SH")) else "S"))
    return forms


@dataclass(frozen=True)
class Units:
    """Every known unit: code -> (name, whole numbers), and every name -> code."""

    units: dict[str, tuple[str, bool]]
    names: dict[str, str]

    def resolve(self, text: str, *, field: str = "unit") -> str:
        """The unit code a name stands for; a clear message (with the likely unit) when none does."""
        key = " ".join(text.strip().upper().split())
        code = self.names.get(key)
        if code is not None:
            return code
        close = difflib.get_close_matches(key, self.names, n=1, cutoff=0.75)
        hint = (
            f" Did you mean {self.names[close[0]]} ({self.units[self.names[close[0]]][0]})?" if close else ""
        )
        raise UserError(
            f"'{text.strip()}' is not a known unit.{hint} Known units: {', '.join(self.units)} "
            "(an admin can add one in Settings).",
            field=field,
        )


def _build(extra: Iterable[tuple[str, str, str | None]]) -> Units:
    units = dict(UNITS)
    names: dict[str, str] = {}
    for code, (name, _whole) in UNITS.items():
        for alias in (code, name, *_ALIASES.get(code, ())):
            for form in _forms(alias):
                names.setdefault(form, code)
    for code, name, aliases in extra:
        units[code] = (name, False)
        for alias in (code, name, *(aliases or "").split(",")):
            if alias.strip():
                for form in _forms(alias):
                    names.setdefault(form, code)
    for code in units:  # a code always means itself
        names[code] = code
    return Units(units, names)


BUILT_IN = _build(())


def known_units(s: Session) -> Units:
    """The built-in units with those an admin added."""
    return _build(s.execute(select(UnitOfMeasure.code, UnitOfMeasure.name, UnitOfMeasure.aliases)).tuples())


def list_units(db: Database) -> Units:
    return db.read(known_units)


def check_unit(unit: str, units: Units = BUILT_IN) -> str:
    return units.resolve(unit)


def add_unit(db: Database, actor: Actor, code: str, name: str, aliases: str = "") -> str:
    """An admin adds a unit (code up to 8 characters, e.g. BAG) and the other names files use for it."""
    actor.require(Permission.ADMIN)
    clean_code = (clean_text(code, field="code", label="Unit code", max_len=8, required=True) or "").upper()
    if not re.fullmatch(r"[A-Z0-9]{1,8}", clean_code):
        raise UserError("A unit code is 1 to 8 letters or digits, e.g. BAG.", field="code")
    clean_name = clean_text(name, field="name", label="Unit name", max_len=40, required=True) or ""
    clean_aliases = clean_text(aliases, field="aliases", label="Other names", max_len=200)

    def op(s: Session) -> str:
        units = known_units(s)
        for alias in (clean_code, clean_name, *(clean_aliases or "").split(",")):
            taken = next((units.names[f] for f in _forms(alias) if alias.strip() and f in units.names), None)
            if taken is not None:
                raise Conflict(f"'{alias.strip()}' already means {taken} ({units.units[taken][0]}).")
        s.add(UnitOfMeasure(code=clean_code, name=clean_name, aliases=clean_aliases))
        s.flush()
        record(s, actor.user_id, "unit.create", "unit", None, f"added unit {clean_code} ({clean_name})")
        return clean_code

    return db.write(op)


def check_qty_for_unit(qty: Decimal, unit: str) -> None:
    name, whole = UNITS.get(unit, (unit, False))
    if whole and qty != qty.to_integral_value():
        raise UserError(
            f"{unit} ({name}) is counted in whole numbers: {qty} is not a whole number.", field="qty"
        )
