"""Rules of the structure (ARCHITECTURE.md) that a test can keep true.

A screen announces a change only through `desktop/ui/operation.change`: a module under desktop/ui/ that
called `events.changed(...)` or `data_changed.emit(...)` itself would run a write its own way again
(the follow-up when its window closed, the topics forgotten on one path). Read from the source's syntax
tree, so a call split over lines or reached through `self.ctx.events` is found as well.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parent.parent / "desktop" / "ui"

# Where announcing is the module's job, not a write's follow-up:
ANNOUNCERS = {
    "operation.py": "the helper itself",
    "context.py": "AppEvents.changed, which the helper calls, emits data_changed",
    "change_watcher.py": "announces what other PCs wrote, read from the database's change markers",
}


def _owner_name(node: ast.expr) -> str | None:
    """`events` for `events`, `self.events` and `self.ctx.events`; `data_changed` likewise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def announcements(source: str) -> list[int]:
    """Line numbers where `source` reaches `<…>events.changed` or `<…>data_changed.emit` (called or
    passed on as a function: `QTimer.singleShot(0, self.events.changed)` counts too)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        owner = _owner_name(node.value)
        if (node.attr, owner) in {("changed", "events"), ("emit", "data_changed")}:
            lines.append(node.lineno)
    return sorted(lines)


def test_the_check_finds_each_way_of_announcing() -> None:
    source = (
        "self.ctx.events.changed(Topic.STOCK)\n"
        "events.changed(\n    Topic.PARTS,\n)\n"
        "self.events.data_changed.emit(frozenset())\n"
        "QTimer.singleShot(0, self.ctx.events.changed)\n"
        "self.ctx.events.data_changed.connect(self.refresh)\n"  # listening is every page's right
        "def data_changed(self, what): ...\n"
    )
    assert announcements(source) == [1, 2, 5, 6]


def test_only_the_operation_helper_announces_changes_under_desktop_ui() -> None:
    offences = [
        f"desktop/ui/{path.relative_to(UI).as_posix()}:{line}"
        for path in sorted(UI.rglob("*.py"))
        if path.relative_to(UI).as_posix() not in ANNOUNCERS
        for line in announcements(path.read_text(encoding="utf-8"))
    ]
    assert not offences, (
        "Run a write through desktop.ui.operation.change(ctx, work, done, topics=...) instead of "
        "announcing it by hand: " + ", ".join(offences)
    )


def test_the_announcers_still_exist() -> None:
    """An allowed module renamed or removed: drop it from ANNOUNCERS rather than let the list grow stale."""
    assert all((UI / name).is_file() for name in ANNOUNCERS)


# ARCHITECTURE.md: modules stay small enough to read in one sitting; a module that grows past this is
# split by capability (the way kanban/loops.py became loops, scanning, board, sizing and card_labels).
MAX_MODULE_LINES = 500
DESKTOP = UI.parent


def oversized(root: Path, limit: int = MAX_MODULE_LINES) -> dict[str, int]:
    """Modules under `root` longer than `limit` lines, with their length."""
    sizes = {
        str(p.relative_to(root)): len(p.read_text(encoding="utf-8").splitlines()) for p in root.rglob("*.py")
    }
    return {name: n for name, n in sizes.items() if n > limit}


def test_every_module_is_under_the_size_limit() -> None:
    assert len(list(DESKTOP.rglob("*.py"))) > 200  # the walk found the code
    assert oversized(DESKTOP) == {}


def test_the_size_check_finds_a_long_module(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "long.py").write_text("x = 1\n" * 501, encoding="utf-8")
    (tmp_path / "short.py").write_text("x = 1\n" * 500, encoding="utf-8")
    assert oversized(tmp_path) == {"pkg/long.py": 501}
