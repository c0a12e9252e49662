"""1,000 bin labels (34 Letter pages) through the app's own print path to a CUPS-PDF queue.

Target: under 30 s from Print to the printed file, peak memory (RSS) under 400 MB. Each way of
printing runs in its own process so its peak RSS is its own:

  pdf     the PDF itself to the CUPS queue (what the app does wherever CUPS manages the printer)
  raster  page images at 600 dpi, 1-bit, through Qt to the same queue (what a printer CUPS does not
          manage gets, e.g. on Windows)

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_printing [count]   (root, or a running
CUPS with the CUPS-PDF driver installed; see bench/cups_queue.py)
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def _one(mode: str, count: int) -> dict[str, float]:
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication

    from bench.bench_labels import make_labels
    from bench.cups_queue import QUEUE, ensure_queue, newest_job, wait_for_output
    from desktop.reports.label_formats import AVERY_5160
    from desktop.reports.labels import render_bin_labels
    from desktop.ui.insight.pdf_pages import print_pdf

    app = QApplication.instance() or QApplication([])
    out = ensure_queue()
    start = time.perf_counter()
    since = time.time()
    pdf = render_bin_labels(make_labels(count), AVERY_5160)
    rendered = time.perf_counter()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPrinterName(QUEUE)
    printer.setDocName(f"bench-{mode}")
    done = print_pdf(pdf, printer, title=f"bench-{mode}", mono=True, as_pdf=mode == "pdf")
    sent = time.perf_counter()
    job = done.job or newest_job(QUEUE)
    printed = wait_for_output(out, job, since, timeout=600)
    finished = time.perf_counter()
    del app
    return {
        "render_s": rendered - start,
        "send_s": sent - rendered,
        "cups_s": finished - sent,
        "total_s": finished - start,
        "pages": done.pages,
        "pdf_kb": len(pdf) / 1024,
        "printed_kb": printed.stat().st_size / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(_one(sys.argv[2], int(sys.argv[3]))))
        return
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    for mode in ("pdf", "raster"):
        child = subprocess.run(
            [sys.executable, "-m", "bench.bench_printing", "--one", mode, str(count)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(child.stdout.strip().splitlines()[-1])
        verdict = "pass" if r["total_s"] < 30 and r["peak_rss_mb"] < 400 else "MISS"
        print(
            f"{count:,} labels, {mode:<6}: {r['total_s']:.1f} s in all (render {r['render_s']:.1f} s, "
            f"send {r['send_s']:.1f} s, CUPS {r['cups_s']:.1f} s), {int(r['pages'])} pages, "
            f"PDF {r['pdf_kb']:.0f} kB -> printed {r['printed_kb']:.0f} kB, "
            f"peak RSS {r['peak_rss_mb']:.0f} MB [target < 30 s, < 400 MB: {verdict}]"
        )


if __name__ == "__main__":
    main()
