"""GS1-128 element strings from a supplier's label: the lot (AI 10) and the expiry (AI 17, YYMMDD).

A scanner sends either the human-readable form with the AIs in parentheses, `(01)04012345678901(17)261231
(10)A-77`, or the raw form where a variable-length field ends at the FNC1 separator (ASCII GS, 0x1d) or
at the end, often after a symbology identifier `]C1`. Text is read as GS1 only when it says so: it has
parentheses, a `]C1`, a GS, or starts with a GTIN (AI 01 or 02 and 14 digits). A plain lot number such as
`1023` is therefore never cut into AI 10 + `23`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

GS = "\x1d"
# fixed-length AIs (data length) that may come before the lot on a label; others end at GS
_FIXED = {"00": 18, "01": 14, "02": 14, "11": 6, "12": 6, "13": 6, "15": 6, "16": 6, "17": 6, "20": 2}
_FOUR_DIGIT_FIXED = re.compile(r"^3[1-6]\d\d$")  # 310n..369n: measures, 6 digits each
_THREE_DIGIT = ("24", "25", "40", "41", "42", "70", "71", "80", "81")  # AIs like 240, 400, 7003, 8020...
_PARENS = re.compile(r"\((\d{2,4})\)([^(]*)")
_GTIN_FIRST = re.compile(r"^0[12]\d{14}")


@dataclass(frozen=True)
class Gs1:
    lot: str | None
    expires_on: date | None
    gtin: str | None


def looks_like_gs1(text: str) -> bool:
    raw = text.strip()
    return raw.startswith(("(", "]C1")) or GS in raw or bool(_GTIN_FIRST.match(raw))


def _yymmdd(value: str) -> date | None:
    """AI 17: YYMMDD, the century nearest today's (GS1 rule of thumb: 2000-2099 here); DD 00 = month end."""
    if not re.fullmatch(r"\d{6}", value):
        return None
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    try:
        if day == 0:
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1)
        return date(year, month, day)
    except ValueError:
        return None


def _raw_fields(raw: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    i = 0
    while i < len(raw):
        if raw[i] == GS:
            i += 1
            continue
        ai = raw[i : i + 2]
        if ai in _FIXED:
            fields[ai] = raw[i + 2 : i + 2 + _FIXED[ai]]
            i += 2 + _FIXED[ai]
            continue
        if _FOUR_DIGIT_FIXED.match(raw[i : i + 4]):
            fields[raw[i : i + 4]] = raw[i + 4 : i + 10]
            i += 10
            continue
        if not ai.isdigit():
            break  # not an element string any more: stop rather than guess
        width = 4 if ai in ("70", "80", "81") else 3 if ai in _THREE_DIGIT else 2
        end = raw.find(GS, i)
        end = len(raw) if end < 0 else end
        fields[raw[i : i + width]] = raw[i + width : end]
        i = end
    return fields


def parse(text: str) -> Gs1 | None:
    """The lot, expiry and GTIN a GS1-128 scan carries, or None when the text is not GS1."""
    if not looks_like_gs1(text):
        return None
    raw = text.strip().removeprefix("]C1")
    if raw.startswith("("):
        fields = {ai: value.replace(GS, "").strip() for ai, value in _PARENS.findall(raw)}
    else:
        fields = _raw_fields(raw)
    expiry = fields.get("17")
    return Gs1(
        fields.get("10") or None, _yymmdd(expiry) if expiry else None, fields.get("01") or fields.get("02")
    )
