"""What text the app accepts: no control characters and no invisible text-direction overrides.

A control character (a NUL in a description, an EOT at the end of a reference typed by a scanner) cannot
be seen on screen, breaks exports (XML cannot carry it) and makes two equal-looking references differ.
A bidi override (U+202E) makes a text display in another order than it is stored ("Trojan Source"):
`WO-77<U+202E>01` shows as something else than it compares as. Every service that takes text calls
`refuse_controls` (through `common.clean_text` for one-line fields, `clean_notes` for notes).

Tab, CR and LF are whitespace: one-line fields fold them into a space (a pasted cell, a scanner's
suffix), notes keep their line breaks. Everything else in C0 (U+0000-U+001F), DEL, C1 (U+0080-U+009F),
the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), lone surrogates and the
non-characters U+FFFE/U+FFFF is refused with a message naming the field and the character.
"""

from __future__ import annotations

import re
import unicodedata

from desktop.errors import UserError

_REFUSED = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def refuse_controls(value: str | None, *, field: str, label: str) -> None:
    """A UserError naming the field and the first refused character, if the text holds one."""
    if not value:
        return
    found = _REFUSED.search(value)
    if found is None:
        return
    ch = found.group()
    code = f"U+{ord(ch):04X}"
    name = unicodedata.name(ch, "")
    what = (
        f"an invisible text-direction character ({code} {name})"
        if ch in _BIDI
        else f"an invisible control character ({code}{' ' + name if name else ''})"
    )
    raise UserError(
        f"{label} contains {what} at position {found.start() + 1}; type it again without it.",
        field=field,
    )


def clean_notes(value: str | None, *, field: str = "notes", label: str = "Notes") -> str | None:
    """Notes as stored: refused characters refused, line breaks kept (as LF), ends trimmed."""
    refuse_controls(value, field=field, label=label)
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None
