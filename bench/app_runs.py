"""The app as a process: cold start to an interactive main window, its memory with the list shown, and
the main window as a keeper feels it: scan to painted screen, a scanner burst, hand-over."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.app_probe import PREFIX
from bench.generate import ADMIN_USER, BENCH_PIN
from bench.report import Result, code_block, from_samples, median, p95

ROOT = Path(__file__).resolve().parent.parent
_STARTUP = re.compile(r"startup ([0-9.]+) s")


@dataclass
class Run:
    app_seconds: float | None  # what the app printed ("startup X s")
    seen_seconds: float | None  # launch -> that line reaching us
    wall_seconds: float  # launch -> process gone
    maxrss_mb: float  # peak resident set size of the process (VmHWM, followed while it runs)
    returncode: int
    stdout: str
    stderr: str


def evict_from_page_cache(db_file: Path) -> None:
    """Drop the database file's pages from the OS cache (this file only; needs no privileges)."""
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db_file}{suffix}")
        if not path.exists():
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


# Bytecode as an installed app has it from its second start on, kept out of the checkout. With
# PYTHONDONTWRITEBYTECODE and no cache (how this ran until 2026-12-07), every measured start compiled
# the app's own 42,000 lines again: about 90 ms that no keeper's PC spends after the first start.
PYCACHE = ROOT / "bench" / "data" / "pycache"


def app_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        STOREROOM_HOME=str(home),
        STOREROOM_PIN=BENCH_PIN,
        PYTHONPYCACHEPREFIX=str(PYCACHE),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("STOREROOM_DB_URL", None)
    return env


def _app_takes_user_flag() -> bool:
    """The kiosk flag --user is new; without it, --measure-startup signs in as the OS login."""
    source = (ROOT / "desktop" / "app.py").read_text(encoding="utf-8")
    return '"--user"' in source


class HighWaterMark(threading.Thread):
    """Reads VmHWM from /proc/<pid>/status every few milliseconds while the process lives.

    Not getrusage/wait4: Linux carries the forked parent's RSS high-water mark across exec into the
    child's ru_maxrss, so a child of a big benchmark process would report the benchmark's memory."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.status = Path(f"/proc/{pid}/status")
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                for line in self.status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            except (OSError, ValueError):
                return  # the process is gone (or a zombie without memory lines)
            time.sleep(0.003)


def run_process(cmd: list[str], env: dict[str, str], timeout: float) -> Run:
    """Start `cmd`, note when each stdout line arrives, and follow its VmHWM (peak RSS)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
        watcher = HighWaterMark(proc.pid)
        watcher.start()
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        seen = None
        lines = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if seen is None and _STARTUP.search(line):
                seen = time.perf_counter() - t0
        proc.wait()
        wall = time.perf_counter() - t0
        killer.cancel()
        watcher.done.set()
        watcher.join()
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    out = "".join(lines)
    match = _STARTUP.search(out)
    return Run(
        float(match.group(1)) if match else None,
        seen,
        wall,
        watcher.peak_kb / 1024,
        proc.returncode,
        out,
        stderr,
    )


def startup_cmd(db_file: Path, *, profile_to: Path | None = None) -> list[str]:
    cmd = [sys.executable]
    if profile_to is not None:
        cmd += ["-m", "cProfile", "-o", str(profile_to)]
    cmd += ["-m", "desktop", "--db", str(db_file), "--measure-startup"]
    if _app_takes_user_flag():
        cmd += ["--user", ADMIN_USER]
    return cmd


def _failed(run: Run) -> Result:
    tail = (run.stderr or run.stdout).strip().splitlines()[-5:]
    return Result(
        "startup.error",
        "Cold start: FAILED",
        "s",
        0,
        None,
        note=f"exit {run.returncode}; " + " / ".join(tail).replace("|", "\\|"),
    )


# (key suffix, title, OS cache evicted before each run, a fresh STOREROOM_HOME per run = backup due)
SCENARIOS = (
    (
        "",
        "cold start (database file evicted from the OS page cache; today's backup already made)",
        True,
        False,
    ),
    (".warm", "start with a warm OS cache (today's backup already made)", False, False),
    (
        ".first",
        "first start of the day (cold cache; the app's scheduled daily backup is due: fresh STOREROOM_HOME)",
        True,
        True,
    ),
)


def measure_startup(db_file: Path, runs: int, timeout: float = 120) -> list[Result]:
    """`python -m desktop --db FILE --measure-startup` as a subprocess, `runs` times per scenario."""
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="storeroom-bench-home-") as shared:
        shared_env = app_env(Path(shared))
        # not counted: makes today's backup and the bytecode
        first = run_process(startup_cmd(db_file), shared_env, timeout)
        if first.app_seconds is None:
            return [_failed(first)]
        for suffix, title, cold, fresh_home in SCENARIOS:
            done: list[Run] = []
            for _ in range(runs):
                if cold:
                    evict_from_page_cache(db_file)
                if fresh_home:
                    with tempfile.TemporaryDirectory(prefix="storeroom-bench-home-") as home:
                        run = run_process(startup_cmd(db_file), app_env(Path(home)), timeout)
                else:
                    run = run_process(startup_cmd(db_file), shared_env, timeout)
                if run.app_seconds is None:
                    return [*results, _failed(run)]
                done.append(run)
            app_s = [r.app_seconds for r in done if r.app_seconds is not None]
            seen_s = [r.seen_seconds for r in done if r.seen_seconds is not None]
            wall_s = [r.wall_seconds for r in done]
            results.append(
                Result(
                    "startup" + suffix,
                    f"Start to an interactive main window, printed by `--measure-startup`: {title}",
                    "s",
                    len(done),
                    median(app_s),
                    p95(app_s),
                    target="< 1.5 s (median)",
                    passed=median(app_s) < 1.5,
                    note="the app's clock starts after its own imports (desktop/app.py `_STARTED`)",
                )
            )
            results.append(
                Result(
                    "startup.seen" + suffix,
                    "… the same, measured from process launch to that line",
                    "s",
                    len(seen_s),
                    median(seen_s),
                    p95(seen_s),
                    target="< 1.0 s (median), issue #22",
                    passed=median(seen_s) < 1.0,
                    note="includes the interpreter, PySide6 and the app's imports",
                )
            )
            results.append(
                Result(
                    "startup.wall" + suffix,
                    "… whole process wall time (launch to exit)",
                    "s",
                    len(wall_s),
                    median(wall_s),
                    p95(wall_s),
                )
            )
            results.append(
                Result(
                    "startup.rss" + suffix,
                    "… peak RSS of that process (VmHWM from /proc, read every 3 ms)",
                    "MB",
                    len(done),
                    median([r.maxrss_mb for r in done]),
                    max(r.maxrss_mb for r in done),
                    target="< 300 MB",
                    passed=max(r.maxrss_mb for r in done) < 300,
                )
            )
    return results


def startup_evidence(db_file: Path, timeout: float = 120) -> list[str]:
    """Where start-up time goes: a timeline of the app's work (both threads), and the biggest imports."""
    blocks = []
    user = ["--user", ADMIN_USER] if _app_takes_user_flag() else []
    for title, fresh in (("today's backup already made", False), ("first start of the day", True)):
        with tempfile.TemporaryDirectory(prefix="storeroom-bench-home-") as home:
            env = app_env(Path(home))
            cmd = [sys.executable, "-m", "bench.startup_trace", "--db", str(db_file), *user]
            if not fresh:
                run_process(cmd, env, timeout)  # the first start makes the day's backup
            evict_from_page_cache(db_file)
            run = run_process(cmd, env, timeout)
        blocks.append(
            code_block(
                f"Timeline of one cold start ({title}), from `python -m bench.startup_trace` "
                "(seconds since launch, duration, thread, what):",
                run.stdout or run.stderr,
            )
        )
    with tempfile.TemporaryDirectory(prefix="storeroom-bench-home-") as home:
        imports = run_process(
            [sys.executable, "-X", "importtime", "-c", "import desktop.app"], app_env(Path(home)), timeout
        )
    rows = []
    for line in imports.stderr.splitlines():
        fields = line.split("|")
        if len(fields) == 3 and fields[1].strip().isdigit():
            rows.append((int(fields[1]), fields[2].rstrip()))
    rows.sort(reverse=True)
    top = "\n".join(f"{us / 1000:8.1f} ms  {name}" for us, name in rows[:15])
    blocks.append(
        code_block(
            f"`python -X importtime -c 'import desktop.app'` (cumulative, top 15; that process took "
            f"{imports.wall_seconds:.2f} s):",
            top,
        )
    )
    return blocks


def measure_memory(db_file: Path, timeout: float = 180) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="storeroom-bench-home-") as home:
        env = app_env(Path(home))
        cmd = [sys.executable, "-m", "bench.app_probe", "--db", str(db_file), "--user", ADMIN_USER]
        run = run_process(cmd, env, timeout)
    line = next((x for x in run.stdout.splitlines() if x.startswith(PREFIX)), None)
    if line is None:
        tail = (run.stderr or run.stdout).strip().splitlines()[-5:]
        return [
            Result(
                "memory.error", "App memory: FAILED", "MB", 0, None, note=" / ".join(tail).replace("|", "\\|")
            )
        ]
    data = json.loads(line[len(PREFIX) :])
    if "error" in data:
        return [Result("memory.error", "App memory: FAILED", "MB", 0, None, note=str(data["error"]))]

    def mb(key: str) -> float:
        return float(data.get(key, 0)) / 1024

    hwm = mb("hwm_kb")
    return [
        Result(
            "memory",
            "App RSS with the full database open and the parts list shown, sorted by every column",
            "MB",
            1,
            mb("rss_end_kb"),
            hwm,
            target="< 300 MB (peak, VmHWM)",
            passed=hwm < 300,
            note=(
                f"p95 column = peak VmHWM; RSS after interpreter {mb('rss_interpreter_kb'):.0f} MB, "
                f"after imports {mb('rss_imports_kb'):.0f} MB, list shown "
                f"({int(data.get('rows', 0)):,} rows) {mb('rss_shown_kb'):.0f} MB, after 14 sorts "
                f"{mb('rss_sorted_kb'):.0f} MB"
            ),
        )
    ]


# (label kind, how the row names it, the p95 target in ms): #22
SCAN_KINDS = (
    ("part", "part label `P-…`", 16.0),
    ("bin", "bin label `L-…`", 16.0),
    ("rack", "rack label `L-…` (its bins' lines, up to 500)", 16.0),
    ("area", "area label `L-…` (up to 500 lines)", 50.0),
)


def _report(run: Run, prefix: str, key: str, title: str) -> tuple[dict[str, object] | None, list[Result]]:
    """The JSON line a window bench ends with, or a FAILED row naming what it printed last."""
    line = next((x for x in run.stdout.splitlines() if x.startswith(prefix)), None)
    if line is None or run.returncode not in (0, 1):  # 1: the burst lost scans, reported as a miss
        tail = (run.stderr or run.stdout).strip().splitlines()[-5:]
        note = f"exit {run.returncode}; " + " / ".join(tail).replace("|", "\\|")
        return None, [Result(f"{key}.error", f"{title}: FAILED", "ms", 0, None, note=note)]
    return json.loads(line[len(prefix) :]), []


def measure_window(db_file: Path, *, quick: bool, timeout: float = 900) -> list[Result]:
    """bench/bench_scan_paint.py and bench/bench_hand_over.py, each a process of its own on the offscreen
    platform: the scan's Enter to the end of the window's repaint, 1,000 scans with the focus outside
    the scan box, and Ctrl+U to the next person's scan box (with memory after each hand-over)."""
    from bench import bench_hand_over, bench_scan_paint

    scans, burst, times = (3, 6, 3) if quick else (200, 1000, 200)
    with tempfile.TemporaryDirectory(prefix="storeroom-bench-home-") as home:
        env = app_env(Path(home))
        paint_cmd = [sys.executable, "-m", "bench.bench_scan_paint", str(db_file), "--json"]
        paint = run_process([*paint_cmd, "--scans", str(scans), "--burst", str(burst)], env, timeout)
        hand = run_process(
            [sys.executable, "-m", "bench.bench_hand_over", str(db_file), "--times", str(times), "--json"],
            env,
            timeout,
        )
    results: list[Result] = []
    data, failed = _report(paint, bench_scan_paint.PREFIX, "paint", "Scan to painted screen")
    results += failed
    if data is not None:
        scans_ms = data["scans"]
        assert isinstance(scans_ms, dict)
        for kind, title, limit in SCAN_KINDS:
            if scans_ms.get(kind):
                results.append(
                    from_samples(
                        f"paint.{kind}",
                        f"Scan to painted screen in the main window: {title}",
                        scans_ms[kind],
                        target=f"< {limit:g} ms (p95)",
                        limit_p95=limit,
                        note="scanner keys to the focused widget 2 ms apart; Enter to the end of the "
                        "window's last repaint (offscreen)",
                    )
                )
        lost, stray = int(str(data["lost"])), int(str(data["stray"]))
        results.append(
            Result(
                "paint.burst",
                "Scanner burst with the focus outside the scan box (search box, table, sidebar): scans lost",
                "scans",
                int(str(data["burst"])),
                float(lost),
                target="0 lost, none as search text",
                passed=lost == 0 and stray == 0,
                note=f"{stray} landed in the search box as text",
            )
        )
    data, failed = _report(hand, bench_hand_over.PREFIX, "handover", "Hand-over")
    results += failed
    if data is not None:
        ready, listed, rss = (data[k] for k in ("ready_ms", "listed_ms", "rss_mb"))
        assert isinstance(ready, list) and isinstance(listed, list) and isinstance(rss, list)
        results.append(
            from_samples(
                "handover",
                "Hand-over: the next person's PIN checked to their window shown, scan box ready",
                ready,
                target="< 300 ms (p95)",
                limit_p95=300,
                note=f"the parts list filled in the background: median {median(listed):.0f} ms, "
                f"p95 {p95(listed):.0f} ms",
            )
        )
        grew = rss[-1] - rss[0]
        results.append(
            Result(
                "handover.memory",
                f"… memory after {len(rss):,} hand-overs, against after the first",
                "MB",
                len(rss),
                grew,
                target="within 10 MB",
                passed=abs(grew) <= 10,
                note=f"RSS {rss[0]:.1f} MB after the first, {rss[-1]:.1f} MB after the last",
            )
        )
    return results
