"""Per-PC settings in the data folder: which database, and the label printer's calibration.

The database comes from: command-line flag > STOREROOM_DB_URL > the saved choice > SQLite default.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Any

from desktop import paths
from desktop.errors import UserError

ENV_URL = "STOREROOM_DB_URL"


@dataclass
class LabelSettings:
    format_key: str = "avery-5160"
    # (x, y) in mm per format key, measured on this PC's printer with the calibration page
    offsets_mm: dict[str, tuple[float, float]] = field(default_factory=dict)
    # the custom grid's parameters (keyword arguments of desktop.reports.label_formats.custom_sheet)
    custom_sheet: dict[str, float] | None = None


@dataclass
class AppConfig:
    database_url: str | None = None
    labels: LabelSettings = field(default_factory=LabelSettings)
    idle_minutes: float = 10.0  # sign-out after this long without keyboard, mouse or scanner
    ui_scale: int = 110  # percent of the system font (Ctrl+Plus / Ctrl+Minus), desktop.ui.ui_scale
    decimal_mark: str | None = None  # "." or "," for typed numbers; None follows the PC's locale

    @classmethod
    def load(cls) -> AppConfig | None:
        """The saved configuration, or None on a first start."""
        path = paths.config_path()
        if not path.exists():
            return None
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            labels = data.get("labels") or {}
            return cls(
                database_url=data.get("database_url"),
                idle_minutes=float(data.get("idle_minutes", 10.0)),
                ui_scale=int(data.get("ui_scale", 110)),
                decimal_mark=data.get("decimal_mark") if data.get("decimal_mark") in (".", ",") else None,
                labels=LabelSettings(
                    format_key=str(labels.get("format_key", "avery-5160")),
                    offsets_mm={
                        k: (float(v[0]), float(v[1])) for k, v in (labels.get("offsets_mm") or {}).items()
                    },
                    custom_sheet=labels.get("custom_sheet"),
                ),
            )
        except (OSError, ValueError, TypeError, IndexError, AttributeError) as exc:
            raise UserError(f"The settings file {path} cannot be read ({exc}). Fix or delete it.") from exc

    @classmethod
    def current(cls) -> AppConfig:
        return cls.load() or cls()

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
    """The URL to open; a saved PostgreSQL URL gets its password from the keyring."""
    if explicit:
        return explicit
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    saved = AppConfig.load()
    if saved is not None and saved.database_url:
        url = saved.database_url
        from desktop import credentials  # keyring and sqlalchemy: only when a server URL is saved

        if credentials.needs_password(url):
            url = credentials.with_password(url, credentials.load(url))
        return url
    return str(paths.default_sqlite_path())


def save_database_url(url: str) -> bool:
    """Remember the database for this PC, keeping the other saved settings. A password goes to the
    keyring, never into the file; returns False if it could not be kept (no keyring)."""
    from sqlalchemy import make_url

    from desktop import credentials

    kept = True
    if "://" in url and credentials.needs_password(credentials.without_password(url)):
        password = make_url(url).password
        if password:
            kept = credentials.store(url, str(password))
        url = credentials.without_password(url)
    cfg = AppConfig.current()
    cfg.database_url = url
    cfg.save()
    return kept


def is_first_start() -> bool:
    """Nothing chosen on this PC yet. A data folder that already holds a storeroom (made by
    `storeroom init` or `storeroom demo`) is not a first start: the app opens it."""
    return (
        not os.environ.get(ENV_URL) and AppConfig.load() is None and not paths.default_sqlite_path().exists()
    )
