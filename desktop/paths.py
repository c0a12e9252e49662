"""Where the app finds its own files (migrations, resources) and the user's data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "Storeroom"
APP_AUTHOR = "Storeroom"


def project_root() -> Path:
    """Folder holding `migrations/` and `resources/`: the source tree, or a frozen bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def migrations_dir() -> Path:
    return project_root() / "migrations"


def resources_dir() -> Path:
    return project_root() / "resources"


def data_dir() -> Path:
    """The user's data folder; STOREROOM_HOME overrides it (tests, portable installs)."""
    override = os.environ.get("STOREROOM_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_sqlite_path() -> Path:
    return data_dir() / "storeroom.sqlite3"


def config_path() -> Path:
    return data_dir() / "config.json"


def backups_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path
