"""The barcode scheme: every printed code says what it names, so one scan box resolves anything.

Payloads keep to `[0-9A-Z-]`: a keyboard-wedge scanner typing through another keyboard layout
garbles anything else (AZERTY turns `112` into `&&é`).

    L-<location code>      a location (bin, rack, area, site); location codes are [0-9A-Z-] already
    P-<PART NUMBER>        a part whose number is made of [0-9A-Z-] (case-insensitive)
    A-<ASSET CODE>         an asset (site, line, machine, component); asset codes are [0-9A-Z-]
                           (an A- scan that names no asset falls back to a location or part code)
    L--<id>, P--<id>, A--<id>
                           the short id form of a location, part or asset: printed when the code
                           form does not fit the label (and always for a part number with other
                           characters, e.g. `M8x25/A2`). Codes never start with '-', so the two
                           forms cannot be confused.
    K-, U-                 kanban cards, user badges (reserved for those modules)
    LT-<lot id>            a lot or serial number (desktop.services.lots): lot numbers are unique per
                           part only, so the label carries the lot's id
"""

from __future__ import annotations

import re

SAFE_PAYLOAD = re.compile(r"^[0-9A-Z][0-9A-Z-]*$")
LOCATION_PREFIX = "L-"
PART_PREFIX = "P-"
ASSET_PREFIX = "A-"
_ID_FORM = re.compile(r"^([LPA])--([0-9]{1,18})$")


def is_safe(text: str) -> bool:
    return bool(SAFE_PAYLOAD.match(text))


def location_payload(code: str) -> str:
    return LOCATION_PREFIX + code.upper()


def part_payload(part_number: str, part_id: int) -> str:
    key = part_number.strip().upper()
    return PART_PREFIX + key if is_safe(key) else part_id_payload(part_id)


def asset_payload(code: str) -> str:
    return ASSET_PREFIX + code.upper()


def location_id_payload(location_id: int) -> str:
    return f"{LOCATION_PREFIX}-{location_id}"


def part_id_payload(part_id: int) -> str:
    return f"{PART_PREFIX}-{part_id}"


def asset_id_payload(asset_id: int) -> str:
    return f"{ASSET_PREFIX}-{asset_id}"


def id_form(code: str) -> tuple[str, int] | None:
    """('L' | 'P' | 'A', id) for a short id form such as `L--42` (normalized), else None."""
    found = _ID_FORM.match(code)
    return (found.group(1), int(found.group(2))) if found else None


def normalize_scan(text: str) -> str:
    """What a scan or a typed code is compared as: trimmed, upper case, no control characters."""
    return "".join(ch for ch in text.strip() if ch.isprintable()).upper()
