"""Results of the measurements, their statistics, and the markdown file they are written to."""

from __future__ import annotations

import cProfile
import io
import math
import pstats
import re
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BEGIN = "<!-- bench:begin (written by python -m bench.run; edit outside these markers) -->"
END = "<!-- bench:end -->"


def median(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def percentile(samples: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: `share` 0.95 is the 95th (with 5 samples: the largest)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def p95(samples: Sequence[float]) -> float:
    return percentile(samples, 0.95)


@dataclass
class Result:
    key: str
    name: str
    unit: str
    n: int
    median: float | None
    p95: float | None = None
    baseline: tuple[float, float] | None = None  # raw-SQL median, p95 in the same unit
    target: str = ""
    passed: bool | None = None  # None: reported for information, no target
    note: str = ""
    evidence: list[str] = field(default_factory=list)  # markdown blocks shown when a target is missed

    @property
    def measured(self) -> bool:
        return self.median is not None and math.isfinite(self.median)


def from_samples(
    key: str,
    name: str,
    samples_ms: Sequence[float],
    *,
    baseline_ms: Sequence[float] | None = None,
    target: str = "",
    limit_p95: float | None = None,
    note: str = "",
) -> Result:
    base = (median(baseline_ms), p95(baseline_ms)) if baseline_ms else None
    med, top = median(samples_ms), p95(samples_ms)
    return Result(
        key,
        name,
        "ms",
        len(samples_ms),
        med,
        top,
        base,
        target,
        None if limit_p95 is None else top < limit_p95,
        note,
    )


def _fmt(value: float | None, unit: str) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    if unit == "ms":
        return f"{value:.3f} ms" if value < 1 else f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:,.0f} {unit}"


def table(results: Sequence[Result]) -> str:
    lines = [
        "| Measurement | n | median | p95 | raw-SQL baseline (median / p95) | target | result |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        base = f"{_fmt(r.baseline[0], r.unit)} / {_fmt(r.baseline[1], r.unit)}" if r.baseline else "—"
        verdict = "info" if r.passed is None else "**pass**" if r.passed else "**MISS**"
        if not r.measured and r.passed is None:
            verdict = "not run"
        name = r.name + (f"<br><sub>{r.note}</sub>" if r.note else "")
        lines.append(
            f"| {name} | {r.n:,} | {_fmt(r.median, r.unit)} | {_fmt(r.p95, r.unit)} | {base} | "
            f"{r.target or '—'} | {verdict} |"
        )
    return "\n".join(lines)


def write(path: Path, generated: str) -> None:
    """Replace the generated block of `path`, keeping whatever was written by hand around it."""
    block = f"{BEGIN}\n{generated.rstrip()}\n{END}"
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if BEGIN in old and END in old:
            new = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, old, flags=re.S)
            path.write_text(new, encoding="utf-8")
            return
    path.write_text(f"# Storeroom benchmarks\n\n{block}\n", encoding="utf-8")


# --- evidence ------------------------------------------------------------------------------------------


def explain(conn: sqlite3.Connection, sql: str, params: Sequence[object] = ()) -> str:
    """EXPLAIN QUERY PLAN as SQLite's shell prints it (a tree)."""
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, tuple(params)).fetchall()
    depth: dict[int, int] = {0: 0}
    out = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, 0) + 1
        out.append("  " * (depth[node] - 1) + "- " + str(detail))
    return "\n".join(out)


def profile(fn: Callable[[], object], repeat: int = 1, limit: int = 18) -> str:
    """cProfile of `repeat` calls, the top functions by cumulative time (py-spy is not installed)."""
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeat):
        fn()
    prof.disable()
    return profile_text(pstats.Stats(prof), limit, repeat)


def profile_text(stats: pstats.Stats, limit: int, repeat: int = 1, sort: str = "cumulative") -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    text = out.getvalue()
    body = text[text.find("   ncalls") :] if "   ncalls" in text else text
    head = f"{repeat} call(s); sorted by {sort} time\n" if repeat > 1 else f"sorted by {sort} time\n"
    return head + "\n".join(line.rstrip() for line in body.splitlines() if line.strip())


def code_block(title: str, text: str) -> str:
    return f"{title}\n\n```\n{text.strip(chr(10)).rstrip()}\n```"
