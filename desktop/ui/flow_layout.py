"""A row of controls that wraps onto the next line when the window is narrow.

Button rows laid out with QHBoxLayout add every button's width to the window's minimum width: the
Kanban page alone asked for 1,418 px, so the window could not fit a 1280 x 720 shop-floor screen.
In a FlowLayout the row is as narrow as its widest control and grows downwards instead.
(Qt ships this as an example, not as a class.)
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch_first = False
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def stretch_first(self) -> FlowLayout:
        """The first control takes the rest of its line (a search box or a label before buttons)."""
        self._stretch_first = True
        return self

    # -- QLayout --------------------------------------------------------------------------------------
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def addWidget(self, widget: QWidget, _stretch: int = 0) -> None:
        """As QHBoxLayout's, so a row can become a flow unchanged (a flow has no stretch factors)."""
        super().addWidget(widget)

    def addStretch(self, _stretch: int = 0) -> None:
        """Kept so a QHBoxLayout row can become a FlowLayout unchanged: a flow has no stretch."""

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        width = sum(i.sizeHint().width() for i in self._visible()) + self.spacing() * max(
            len(self._visible()) - 1, 0
        )
        height = max((i.sizeHint().height() for i in self._visible()), default=0)
        return QSize(width, height)

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- laying out -------------------------------------------------------------------------------------
    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line_height = area.x(), area.y(), 0
        gap = self.spacing()
        line: list[tuple[QLayoutItem, QSize]] = []

        def place(items: list[tuple[QLayoutItem, QSize]], top: int) -> None:
            if not move or not items:
                return
            spare = area.right() + 1 - (items[-1][1].width() + self._x_of(items, area.x(), gap)[-1])
            left = area.x()
            for n, (item, hint) in enumerate(items):
                width = hint.width()
                if n == 0 and self._stretch_first and spare > 0:
                    widget = item.widget()
                    fixed = widget is not None and widget.sizePolicy().horizontalPolicy() in (
                        QSizePolicy.Policy.Fixed,
                        QSizePolicy.Policy.Maximum,
                    )
                    width += 0 if fixed else spare
                item.setGeometry(QRect(QPoint(left, top), QSize(width, hint.height())))
                left += width + gap

        for item in self._visible():
            hint = item.sizeHint().expandedTo(item.minimumSize())
            if line and x + hint.width() > area.right() + 1:
                place(line, y)
                y += line_height + gap
                x, line_height, line = area.x(), 0, []
            line.append((item, hint))
            x += hint.width() + gap
            line_height = max(line_height, hint.height())
        place(line, y)
        return y + line_height - rect.y() + m.bottom()

    @staticmethod
    def _x_of(items: list[tuple[QLayoutItem, QSize]], start: int, gap: int) -> list[int]:
        xs, x = [], start
        for _item, hint in items:
            xs.append(x)
            x += hint.width() + gap
        return xs


def labelled(label: str, widget: QWidget) -> QWidget:
    """A caption and its control kept on one line of a flow."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(QLabel(label))
    row.addWidget(widget)
    return box
