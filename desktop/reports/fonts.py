"""Embedded Unicode fonts for printed reports, and text drawn with a per-run font fallback.

reportlab has no glyph fallback: a character missing from the current font prints as an empty box,
with no error.  So text is split into runs, each drawn with the first font that has its glyphs:
DejaVu Sans Condensed (Latin, Greek, Cyrillic, technical symbols such as Ø µ ± ×) and Droid Sans
Fallback (Chinese, Japanese, Korean; it has no Latin letters).  The TTF files ship in
resources/fonts/ so labels look the same on every PC; reportlab embeds only the glyphs used.  The
CJK font is read only when a text needs it (it is most of the start-up cost of a print job).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from desktop.paths import resources_dir

SANS = "Storeroom-Sans"
SANS_BOLD = "Storeroom-Sans-Bold"
CJK = "Storeroom-CJK"

_FILES = {
    SANS: "DejaVuSansCondensed.ttf",
    SANS_BOLD: "DejaVuSansCondensed-Bold.ttf",
    CJK: "DroidSansFallback.ttf",
}

# Vertical extent of a line of text relative to the font size, over all three fonts: accented
# capitals (Å, Ž) reach about 0.93 above the baseline, descenders 0.24 below.
ASCENT = 0.95
DESCENT = 0.25

_lock = threading.Lock()
_registered = threading.Event()
_cmaps: dict[str, frozenset[int]] = {}


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def _register(name: str) -> None:
    path = fonts_dir() / _FILES[name]
    if not path.is_file():
        raise FileNotFoundError(f"Font file missing from the installation: {path}")
    font = TTFont(name, str(path))
    pdfmetrics.registerFont(font)
    _cmaps[name] = frozenset(font.face.charToGlyph)


def register_fonts() -> None:
    """Register the Latin fonts with reportlab once; safe to call from any thread, any number of times.

    The CJK font (4 MB, the slowest to read) is registered the first time a text needs it."""
    if _registered.is_set():
        return
    with _lock:
        if _registered.is_set():
            return
        # Every PDF we make is written by reportlab after this: binary page streams, as ASCII85
        # made a 1,000-label PDF 20 % larger and cost a third of its rendering time.
        rl_config.useA85 = 0
        _register(SANS)
        _register(SANS_BOLD)
        pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD)
        _registered.set()


def _cjk_cmap() -> frozenset[int]:
    found = _cmaps.get(CJK)
    if found is None:
        with _lock:
            if CJK not in _cmaps:
                _register(CJK)
            found = _cmaps[CJK]
    return found


def _font_for(ch: str, latin: str) -> str:
    code = ord(ch)
    if code in _cmaps[latin]:
        return latin
    if code in _cjk_cmap():
        return CJK
    return latin  # neither font has it: the Latin font's empty box is the honest result


@lru_cache(maxsize=16384)
def split_runs(text: str, bold: bool = False) -> tuple[tuple[str, str], ...]:
    """Split `text` into (font name, run) pairs so every run's glyphs exist in its font."""
    register_fonts()
    latin = SANS_BOLD if bold else SANS
    if text.isprintable() and _cmaps[latin].issuperset(map(ord, text)):
        return ((latin, text),) if text else ()  # the usual case: one run, no odd spaces
    runs: list[tuple[str, str]] = []
    current = ""
    buf: list[str] = []
    for ch in text:
        if ch.isspace():
            # Tabs, newlines and wide spaces print as a plain space, which every font has; a space
            # stays in the current run so "轴承 6205" is two runs, not three.
            ch = " "
        font = current if ch == " " and current else _font_for(ch, latin)
        if font != current and buf:
            runs.append((current, "".join(buf)))
            buf = []
        current = font
        buf.append(ch)
    if buf:
        runs.append((current, "".join(buf)))
    return tuple(runs)


def missing_glyphs(text: str) -> str:
    """The characters of `text` that none of the embedded fonts can draw (printed as boxes)."""
    register_fonts()
    return "".join(
        ch
        for ch in dict.fromkeys(text)
        if not ch.isspace() and ord(ch) not in _cmaps[SANS] and ord(ch) not in _cjk_cmap()
    )


@lru_cache(maxsize=65536)
def _unit_width(text: str, bold: bool) -> float:
    return sum(pdfmetrics.stringWidth(run, font, 1.0) for font, run in split_runs(text, bold))


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of `text` at font size `size`."""
    return _unit_width(text, bold) * size


# Per PDF, each text's operators once written (its glyph codes stay fixed within that PDF): a count
# sheet repeats its units and column names thousands of times.
_written: WeakKeyDictionary[Any, dict[tuple[str, float, bool], str]] = WeakKeyDictionary()


def draw_text(canvas: Any, x: float, y: float, text: str, size: float, bold: bool = False) -> None:
    """Draw one line with its baseline's left end at (x, y), switching fonts between runs."""
    doc = canvas._doc
    known = _written.get(doc)
    if known is None:
        known = _written.setdefault(doc, {})
    ops = known.get((text, size, bold))
    if ops is None:
        runs = split_runs(text, bold)
        if bold and any(font == CJK for font, _ in runs):
            _draw_fake_bold(canvas, x, y, runs, size)
            return
        ops = known[(text, size, bold)] = _text_ops(canvas, runs, size)
    canvas.addLiteral(f"BT 1 0 0 1 {fp_str(x)} {fp_str(y)} Tm {ops} ET")


def _text_ops(canvas: Any, runs: tuple[tuple[str, str], ...], size: float) -> str:
    # The operators reportlab's text object writes for TrueType runs, written directly: a count sheet
    # draws 20,000 short texts, and setting up a text object for each was most of their cost.
    doc = canvas._doc
    tf = f"{fp_str(size)} Tf"
    parts = []
    for name, run in runs:
        font = pdfmetrics.getFont(name)
        for subset, chunk in font.splitString(run, doc):  # glyph codes of this PDF's font subsets
            parts.append(f"{font.getSubsetInternalName(subset, doc)} {tf} ({canvas._escape(chunk)}) Tj")
    return " ".join(parts)


def _draw_fake_bold(canvas: Any, x: float, y: float, runs: tuple[tuple[str, str], ...], size: float) -> None:
    # There is no bold CJK font: outline the glyphs as well as filling them (render mode 2).
    canvas.saveState()
    canvas.setLineWidth(size * 0.04)
    obj = canvas.beginText(x, y)
    for font, run in runs:
        obj.setFont(font, size)
        obj.setTextRenderMode(2 if font == CJK else 0)
        obj.textOut(run)
    canvas.drawText(obj)
    canvas.restoreState()
