"""A 5,000-line count sheet to PDF (target: under 1.5 s; the CPU time shows what a busy machine adds)."""

from __future__ import annotations

import time

from desktop.reports.count_sheet import SheetHeader, SheetLine, render_count_sheet


def sheet(count: int = 5000) -> tuple[SheetHeader, list[SheetLine]]:
    """A blind count sheet of `count` lines in ten areas (also measured by `python -m bench.run`)."""
    lines = [
        SheetLine(
            f"AREA{i // 500}",
            f"B-{i:05d}",
            f"L-B-{i:05d}",
            f"PN-{i:06d}",
            f"P-PN-{i:06d}",
            f"Deep groove ball bearing {i}",
            "EA",
        )
        for i in range(count)
    ]
    return SheetHeader("Cycle count: benchmark", "CS-1", "2026-11-25", "bench", blind=True), lines


def main() -> None:
    header, lines = sheet()
    render_count_sheet(header, lines[:50])  # fonts registered, caches warm
    start, cpu = time.perf_counter(), time.process_time()
    pdf = render_count_sheet(header, lines)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"5,000-line count sheet: {wall:.2f} s ({cpu:.2f} s CPU), {len(pdf) / 1e6:.1f} MB")
    with open("/tmp/count_sheet_bench.pdf", "wb") as fh:
        fh.write(pdf)


if __name__ == "__main__":
    main()
