"""Fitting a label's human-readable text: wrap at spaces, hyphens, slashes and between CJK characters,
shrink to fit, never below the smallest size (then cut short with an ellipsis).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from desktop.reports import fonts
from desktop.reports.label_formats import (
    MM,
)
from desktop.reports.label_types import ELLIPSIS, LINE, MIN_TEXT_PT, TextItem, TextPlacement

# CJK ideographs, kana, Hangul and full-width forms: a line may break between any two of them.
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef"


# A word may break after a '-' or '/' (codes such as MAINTENANCE-CRIB-03 wrap at their dashes).
_TOKEN = re.compile(rf"\s+|[{_CJK}]|[^\s{_CJK}]+?(?:[-/]+|(?=[\s{_CJK}])|$)")


def _wrap(text: str, width: float, size: float, bold: bool) -> list[str]:
    """Greedy word wrap; CJK may break between any two characters, an over-long word anywhere."""
    lines: list[str] = []
    line = ""
    pending_space = False
    for token in _TOKEN.findall(text):
        if token.isspace():
            pending_space = bool(line)
            continue
        candidate = f"{line} {token}" if pending_space else line + token
        pending_space = False
        if fonts.text_width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
            line = ""
        if fonts.text_width(token, size, bold) <= width:
            line = token
            continue
        for ch in token:  # a part number longer than the line: break it where it must
            if line and fonts.text_width(line + ch, size, bold) > width:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return lines


def _ellipsize(line: str, width: float, size: float, bold: bool) -> str:
    while line and fonts.text_width(line.rstrip() + ELLIPSIS, size, bold) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def fit_text(
    text: str,
    width: float,
    height: float,
    *,
    max_size: float,
    min_size: float = MIN_TEXT_PT,
    max_lines: int = 1,
    bold: bool = False,
    one_line_at: float | None = None,
) -> tuple[float, tuple[str, ...]]:
    """Largest font size <= max_size at which `text` fits the box in at most `max_lines` lines.

    Never smaller than MIN_TEXT_PT (6 pt): what does not fit at that size is cut short with "…".
    Returns (size, lines); no lines when the box cannot hold one line of 6 pt text.
    `one_line_at`: a single line at this size or more is preferred to wrapping at a larger size.
    """
    text = " ".join(text.split())
    min_size = max(min_size, MIN_TEXT_PT)
    if not text or width <= 0 or height <= 0:
        return 0.0, ()
    max_size = min(max_size, height / LINE)
    if max_size < min_size - 1e-9:  # not even one line of the smallest readable text fits
        return 0.0, ()
    one_line = fonts.text_width(text, 1.0, bold)
    single = min(max_size, width / one_line) if one_line else max_size
    if (
        single >= max_size
        or (single >= min_size and max_lines == 1)
        or (one_line_at is not None and single >= one_line_at)
    ):
        return single, (text,)
    if max_lines > 1:
        # Wrapping may allow a bigger size than one shrunk line: try sizes from the largest down in
        # 6 % steps until one fits, stopping at the one-line size (or min_size).
        floor = max(single, min_size)
        size = max_size
        while size > floor:
            lines = _wrap(text, width, size, bold)
            if _fits(lines, width, height, size, max_lines, bold):
                return size, tuple(lines)
            size *= 0.94
        if single >= min_size:
            return single, (text,)
        lines = _wrap(text, width, min_size, bold)
        if _fits(lines, width, height, min_size, max_lines, bold):
            return min_size, tuple(lines)
    size = min_size
    room = max(1, min(max_lines, int(height / (size * LINE) + 1e-9)))
    lines = _wrap(text, width, size, bold)
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = _ellipsize(lines[-1], width, size, bold)
    if any(fonts.text_width(line, size, bold) > width + 1e-6 for line in lines):
        return 0.0, ()  # a box narrower than one character (or than "…") at 6 pt: leave it empty
    return size, tuple(lines)


def _fits(lines: Sequence[str], width: float, height: float, size: float, max_lines: int, bold: bool) -> bool:
    return (
        len(lines) <= max_lines
        and len(lines) * size * LINE <= height + 1e-6
        and all(fonts.text_width(line, size, bold) <= width + 1e-6 for line in lines)
    )


def stack_texts(
    items: Sequence[TextItem | tuple[str, float, int, bool, float]],
    x: float,
    top: float,
    width: float,
    height: float,
    *,
    centered: bool = False,
) -> tuple[TextPlacement, ...]:
    """Fit texts one under another in a column.

    Each text gets at most its share of the column height; height a text does not use passes to
    the ones below.
    """
    texts = [TextItem(*item) for item in items]
    gap = min(1.0 * MM, height * 0.04)
    # An empty text keeps its share, so the code prints the same size on every label of a sheet
    # whether or not the bin has a part assigned.
    total_share = sum(item.share for item in texts) or 1.0
    placements: list[TextPlacement] = []
    remaining = height - gap * max(0, len(texts) - 1)
    remaining_share = total_share
    y = top
    for item in texts:
        box_h = remaining * item.share / remaining_share
        remaining_share -= item.share
        if not item.text.strip():
            continue
        if not placements:  # the code or part number gets one readable line even from a small share
            box_h = max(box_h, min(remaining, MIN_TEXT_PT * LINE))
        max_size = item.max_size
        if placements:
            # Keep the hierarchy (nothing much larger than the code or part number) without letting
            # one absurdly long headline shrink every other line to nothing.
            max_size = min(max_size, max(placements[0].size, max_size * 0.5))
        size, lines = fit_text(
            item.text,
            width,
            box_h,
            max_size=max_size,
            max_lines=item.max_lines,
            bold=item.bold,
            one_line_at=item.one_line_at,
        )
        if not lines:
            continue
        placement = TextPlacement(lines, x, y, width, size, item.bold, centered)
        placements.append(placement)
        used = placement.height
        remaining -= used
        y -= used + gap
    return tuple(placements)
