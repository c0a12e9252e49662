"""The main window's pages by name, each built the first time it is asked for.

A hand-over builds a whole new window for the next person; building the twelve pages up front took
most of that time, while a keeper at the scan box only needs the parts list and the part and location
pages a scan opens. The rest are built when someone first goes to them.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Mapping

from PySide6.QtWidgets import QWidget


class LazyPages(Mapping[str, QWidget]):
    def __init__(self, on_built: Callable[[str, QWidget], None]) -> None:
        self._factories: dict[str, Callable[[], QWidget]] = {}
        self._built: dict[str, QWidget] = {}
        # The window's own method, held weakly: the window holds this mapping, and a cycle would keep
        # a closed window's Python side alive until the garbage collector happened to run.
        self._on_built = weakref.WeakMethod(on_built)

    def add(self, name: str, factory: Callable[[], QWidget]) -> None:
        """A page built when first asked for; `factory` must not hold the window (see above)."""
        self._factories[name] = factory

    def put(self, name: str, page: QWidget) -> None:
        """A page built already."""
        self._factories[name] = lambda: page
        self._built[name] = page
        self._announce(name, page)

    def _announce(self, name: str, page: QWidget) -> None:
        on_built = self._on_built()
        if on_built is not None:
            on_built(name, page)

    def __getitem__(self, name: str) -> QWidget:
        page = self._built.get(name)
        if page is None:
            page = self._factories[name]()  # KeyError for a page this window does not have
            self._built[name] = page
            self._announce(name, page)
        return page

    def __contains__(self, name: object) -> bool:
        return name in self._factories  # without building it (Mapping's default would)

    def __iter__(self) -> Iterator[str]:
        return iter(self._factories)

    def __len__(self) -> int:
        return len(self._factories)

    def built(self) -> list[QWidget]:
        """The pages that exist so far (the others have nothing on screen to update)."""
        return list(self._built.values())

    def waiting(self) -> list[str]:
        """The names of the pages not built yet."""
        return [name for name in self._factories if name not in self._built]

    def built_page(self, name: str) -> QWidget | None:
        return self._built.get(name)
