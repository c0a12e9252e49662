"""Sending our PDFs to a printer the light way: CUPS (Linux, macOS) takes PDF itself, so the vector
file goes to the queue as it is (`lp`), in a fraction of a second and a few hundred kB, instead of a
full-page bitmap per page.  Printers CUPS does not manage (Windows, a PDF file) are printed by Qt from
page images (desktop/ui/insight/pdf_pages.py).  No Qt here."""

from __future__ import annotations

import re
import shutil
import subprocess

from desktop.errors import UserError

LP_TIMEOUT_S = 60.0
_PAPER = {(215.9, 279.4): "Letter", (210.0, 297.0): "A4"}


def cups_printers() -> list[str]:
    """Queues the CUPS server accepts jobs for; empty when there is no CUPS (or it is not running)."""
    lpstat = shutil.which("lpstat")
    if lpstat is None or shutil.which("lp") is None:
        return []
    try:
        done = subprocess.run([lpstat, "-e"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.strip() for line in done.stdout.splitlines() if line.strip()] if done.returncode == 0 else []


def media_for(width_mm: float, height_mm: float) -> str:
    """The CUPS media name for a page size: Letter and A4 by name, anything else (labels) as custom."""
    for (w, h), name in _PAPER.items():
        if abs(w - width_mm) < 0.5 and abs(h - height_mm) < 0.5:
            return name
    return f"Custom.{width_mm:.1f}x{height_mm:.1f}mm"


def send_pdf(pdf: bytes, printer: str, *, title: str, page_mm: tuple[float, float], copies: int = 1) -> str:
    """Queue the PDF on a CUPS printer at actual size on media of its page size; returns the job id."""
    lp = shutil.which("lp")
    if lp is None:
        raise UserError("This computer has no CUPS print command (lp).")
    command = [
        lp,
        "-d",
        printer,
        "-t",
        title,
        "-n",
        str(max(1, copies)),
        "-o",
        "print-scaling=none",  # labels must land on their slots: never 'fit to page'
        "-o",
        f"media={media_for(*page_mm)}",
        "-",
    ]
    try:
        done = subprocess.run(command, input=pdf, capture_output=True, timeout=LP_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise UserError(f"The print system did not take the job for {printer} within a minute.") from exc
    except OSError as exc:
        raise UserError(f"The print command could not be started: {exc.strerror or exc}") from exc
    message = (done.stderr or done.stdout).decode(errors="replace").strip()
    if done.returncode != 0:
        raise UserError(f"The printer {printer} did not take the job: {message or 'lp failed'}.")
    found = re.search(r"request id is (\S+)", done.stdout.decode(errors="replace"))
    return found.group(1) if found else ""
