"""The size of everything on screen, chosen per PC: Ctrl+Plus, Ctrl+Minus, Ctrl+0.

A storeroom PC is read from a metre away, often on a small 1280 x 720 panel: the keeper picks the size
once and it stays for that PC (the settings file). The whole interface follows the application font;
the few widgets drawn larger on purpose (scan box, banners, headings, scan fields) record how much
larger in a property, so a new scale resizes them too.
"""

from __future__ import annotations

import weakref

import shiboken6
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from desktop import config

STEPS = (80, 90, 100, 110, 125, 140, 160, 180, 200)  # percent of the system's font size
DEFAULT = 110  # the system's 9-10 pt is small at arm's length
# widget -> points above the application font at 100 % (not a Qt property: PySide6 6.12's
# QObject.property() releases None on every read of an unset one)
_LARGER: weakref.WeakKeyDictionary[QWidget, float] = weakref.WeakKeyDictionary()
_base_points: float | None = None


def _base() -> float:
    global _base_points
    if _base_points is None:  # the system font before any scaling of ours
        _base_points = QApplication.font().pointSizeF()
        if _base_points <= 0:
            _base_points = 9.0
    return _base_points


def larger(widget: QWidget, points: float, *, bold: bool = False) -> None:
    """Draw `widget` `points` larger than the rest (scaled with it)."""
    _LARGER[widget] = float(points)
    font = QFont(widget.font())
    font.setBold(bold or font.bold())
    font.setPointSizeF((QApplication.font().pointSizeF()) + points * current() / 100)
    widget.setFont(font)


def current() -> int:
    return config.AppConfig.current().ui_scale


def apply(percent: int | None = None) -> int:
    """Set the application font for `percent` (default: this PC's saved scale); returns it."""
    scale = percent if percent is not None else current()
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return scale
    font = QFont(app.font())
    font.setPointSizeF(round(_base() * scale / 100, 1))
    app.setFont(font)
    for widget, delta in list(_LARGER.items()):
        if not shiboken6.isValid(widget):
            continue
        own = QFont(widget.font())
        own.setPointSizeF(font.pointSizeF() + delta * scale / 100)
        widget.setFont(own)
    return scale


def step(direction: int) -> int:
    """One step larger (+1), smaller (-1) or back to the default (0); saved for this PC."""
    now = current()
    if direction == 0:
        scale = DEFAULT
    else:
        nearest = min(range(len(STEPS)), key=lambda i: abs(STEPS[i] - now))
        scale = STEPS[max(0, min(len(STEPS) - 1, nearest + direction))]
    cfg = config.AppConfig.current()
    cfg.ui_scale = scale
    cfg.save()
    return apply(scale)
