"""Time rendering 1,000 bin labels on Avery 5160 (34 Letter pages).  Target: under 2 s.

Run: .venv/bin/python bench/bench_labels.py [count]
Prints the best of three runs (this is a noisy 2-core VM) and the PDF size.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop.reports import fonts
from desktop.reports.label_formats import AVERY_5160
from desktop.reports.labels import BinLabel, render_bin_labels

DESCRIPTIONS = [
    "Deep groove ball bearing Ø25 mm",
    "Micro switch µ-switch 5 A",
    "Подшипник шариковый 6205",
    "轴承 深沟球",
    "Hex socket cap screw M8 × 30, A2-70, DIN 912",
]


def make_labels(count: int, first: int = 0) -> list[BinLabel]:
    labels = []
    for i in range(first, first + count):
        aisle, rack, shelf = chr(ord("A") + i % 20), i // 20 % 50 + 1, i % 9 + 1
        code = f"{aisle}-{rack:02d}-{shelf:02d}"
        labels.append(
            BinLabel(
                code=code,
                barcode=f"L-{i + 1:06d}",
                path=f"Main store › Aisle {aisle} › Rack {rack:02d}",
                part_number=f"PN-{i:05d}" if i % 3 else None,
                part_description=DESCRIPTIONS[i % len(DESCRIPTIONS)] if i % 3 else None,
            )
        )
    return labels


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    # One-off start-up costs (font files, imports) are not part of a print job.
    fonts.register_fonts()
    render_bin_labels(make_labels(1, first=999_999), AVERY_5160)
    times = []
    size = 0
    for run in range(3):
        # New payloads and codes every run, so the QR/Code128/text-width caches do not flatter the
        # figure (a reprint of the same labels is faster still).
        labels = make_labels(count, first=run * count)
        start = time.perf_counter()
        pdf = render_bin_labels(labels, AVERY_5160)
        times.append(time.perf_counter() - start)
        size = len(pdf)
    print(
        f"{count} bin labels on Avery 5160: best {min(times):.2f} s "
        f"(runs: {', '.join(f'{t:.2f}' for t in times)}), PDF {size / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
