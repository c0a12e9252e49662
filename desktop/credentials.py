"""Database passwords live in the operating system's keyring (Windows Credential Manager, macOS
Keychain, Secret Service on Linux), never in the settings file. Without a keyring, nothing is stored
and the app asks for the password at start."""

from __future__ import annotations

import logging

from sqlalchemy import make_url

log = logging.getLogger("storeroom.credentials")
SERVICE = "Storeroom"


def account(url: str) -> str:
    """The keyring entry's name: user@host:port/database (the password is not part of it)."""
    u = make_url(url)
    return f"{u.username}@{u.host or 'localhost'}:{u.port or 5432}/{u.database}"


def store(url: str, password: str) -> bool:
    # keyring is imported here, not at start: it loads its backends (25-40 ms), and a storeroom on
    # one PC (SQLite) never needs it
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, account(url), password)
    except (KeyringError, RuntimeError) as exc:
        log.warning("no usable keyring (%s): the password is not stored", exc)
        return False
    return True


def load(url: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        password: str | None = keyring.get_password(SERVICE, account(url))
    except (KeyringError, RuntimeError) as exc:
        log.warning("no usable keyring (%s)", exc)
        return None
    return password


def without_password(url: str) -> str:
    # URL.set(password=None) means "leave it as it is", hence the tuple replace
    return make_url(url)._replace(password=None).render_as_string(hide_password=False)


def with_password(url: str, password: str | None) -> str:
    if not password:
        return url
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def needs_password(url: str) -> bool:
    if "://" not in url:  # a plain SQLite file path
        return False
    u = make_url(url)
    return u.get_backend_name() == "postgresql" and not u.password
