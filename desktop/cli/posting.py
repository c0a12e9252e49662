"""What every posting command shares: a key a script can retry with, and what to say about it."""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from desktop.errors import DatabaseUnavailable


def posting_key(args: argparse.Namespace) -> str:
    """The --key given, or a new one (printed with the result, so a script can retry with it)."""
    return str(args.key or f"cli-{uuid.uuid4().hex}")


@contextmanager
def retry_hint(key: str, what: str) -> Iterator[None]:
    """A connection lost before the reply: the message names the key to retry `what` with."""
    try:
        yield
    except DatabaseUnavailable as exc:
        if exc.retryable:
            exc.message += f" Key of this {what}: {key} (retry with --key {key})."
        raise


def duplicate_note(duplicate: bool) -> str:
    return " (already posted earlier: nothing new written)" if duplicate else ""
