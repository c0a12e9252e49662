"""Running `storeroom` in-process the way a shell would (each test has its own data folder: the
`home` fixture in tests/conftest.py)."""

from __future__ import annotations

import pytest

from desktop.cli.main import main


def run_as(user: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`storeroom --user USER ARGS…`: exit code, stdout, stderr."""
    code = main(["--user", user, *args])
    out, err = capsys.readouterr()
    return code, out, err
