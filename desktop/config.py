"""Where the database is: command-line flag > STOREROOM_DB_URL > the saved choice > SQLite default."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from desktop import paths
from desktop.errors import UserError

ENV_URL = "STOREROOM_DB_URL"


@dataclass
class AppConfig:
    database_url: str | None = None

    @classmethod
    def load(cls) -> AppConfig | None:
        """The saved configuration, or None on a first start."""
        path = paths.config_path()
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(f"The settings file {path} cannot be read ({exc}). Fix or delete it.") from exc
        return cls(database_url=data.get("database_url"))

    def save(self) -> None:
        path = paths.config_path()
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
            tmp.replace(path)  # atomic: a full disk leaves the old file intact
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise UserError(f"The settings could not be saved to {path}: {exc}") from exc


def database_url(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    saved = AppConfig.load()
    if saved is not None and saved.database_url:
        return saved.database_url
    return str(paths.default_sqlite_path())


def is_first_start() -> bool:
    return not os.environ.get(ENV_URL) and AppConfig.load() is None
