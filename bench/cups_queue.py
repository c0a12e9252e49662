"""A CUPS-PDF print queue for the printing test and bench: CUPS takes the job like any printer's, and
the CUPS-PDF backend writes what it received to a PDF file we can read back and decode.

`.ci/run` installs `cups` and `printer-driver-cups-pdf` (as root); this starts the scheduler if it
is not running (root only) and adds the queue once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from desktop import printing

QUEUE = "Storeroom-PDF"
BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
PPDS = [Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"), Path("/usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd")]
CONF = Path("/etc/cups/cups-pdf.conf")


class CupsUnavailable(Exception):
    """No CUPS-PDF queue can be had on this machine; the message says why."""


def _scheduler_running() -> bool:
    done = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, check=False)
    return done.returncode == 0 and "not running" not in done.stdout


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CupsUnavailable(f"{' '.join(command)} failed: {done.stderr.strip() or done.stdout.strip()}")


def ensure_queue(queue: str = QUEUE) -> Path:
    """The queue exists and accepts jobs; returns the folder CUPS-PDF writes this user's jobs to."""
    if shutil.which("lpadmin") is None or not BACKEND.exists():
        raise CupsUnavailable(
            "CUPS or CUPS-PDF is not installed (apt-get install cups printer-driver-cups-pdf)"
        )
    if not _scheduler_running():
        if os.geteuid() != 0:
            raise CupsUnavailable("the CUPS scheduler is not running, and only root can start it")
        _run("cupsd")  # forks into the background
        deadline = time.monotonic() + 15
        while not _scheduler_running():
            if time.monotonic() > deadline:
                raise CupsUnavailable("the CUPS scheduler did not start within 15 s")
            time.sleep(0.2)
    if queue not in printing.cups_printers():
        ppd = next((p for p in PPDS if p.exists()), None)
        if ppd is None:
            raise CupsUnavailable("the CUPS-PDF driver (PPD) is missing")
        _run("lpadmin", "-p", queue, "-E", "-v", "cups-pdf:/", "-P", str(ppd))
        _run("cupsenable", queue)
        _run("cupsaccept", queue)
    return output_dir()


def output_dir() -> Path:
    """CUPS-PDF's `Out` folder for the submitting user (its default: ~/PDF)."""
    out = "${HOME}/PDF"
    if CONF.exists():
        found = re.search(r"^Out\s+(\S+)", CONF.read_text(errors="replace"), re.MULTILINE)
        out = found.group(1) if found else out
    return Path(out.replace("${HOME}", str(Path.home())))


def newest_job(queue: str = QUEUE) -> str:
    """The newest job id on the queue, done or not (Qt submits a page-image job itself and does not say
    which id it got)."""
    done = subprocess.run(["lpstat", "-W", "all", "-o", queue], capture_output=True, text=True, check=False)
    jobs = [line.split()[0] for line in done.stdout.splitlines() if line.startswith(queue + "-")]
    if not jobs:
        raise CupsUnavailable(f"no job on {queue}: {done.stderr.strip() or done.stdout.strip()}")
    return max(jobs, key=lambda job: int(job.rsplit("-", 1)[1]))


def wait_for_output(folder: Path, job: str, since: float, timeout: float = 120.0) -> Path:
    """The PDF CUPS-PDF wrote for `job` (e.g. "Storeroom-PDF-12"), once it is complete."""
    number = job.rsplit("-", 1)[-1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in folder.glob("*.pdf") if p.stat().st_mtime >= since - 1]
        mine = [p for p in found if re.search(rf"job_{number}\b", p.stem)] or (
            found if len(found) == 1 else []
        )
        done = subprocess.run(
            ["lpstat", "-o", job.rsplit("-", 1)[0]], capture_output=True, text=True, check=False
        )
        if mine and job not in done.stdout:  # the job has left the queue: the file is complete
            return mine[0]
        time.sleep(0.2)
    raise TimeoutError(f"CUPS-PDF wrote nothing for job {job} into {folder} within {timeout:.0f} s")
