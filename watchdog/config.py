"""Runtime configuration, read from the environment once per call.

`WATCHDOG_HOME` (default `var/` in the repository) holds the SQLite database, the archived
artifacts, the secret and the logs. `WATCHDOG_DATABASE_URL` points the store elsewhere
(PostgreSQL in production). `WATCHDOG_SECRET` overrides the HMAC secret made at `watchdog init`. `WATCHDOG_PARSE_WORKERS`
sets how many processes a large crawl parses pages in.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT / "data"


class ConfigError(RuntimeError):
    """A setting is missing or unusable; the message says which and what to do."""


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "artifacts"

    @property
    def secret_path(self) -> Path:
        return self.home / "secret.key"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"


def get_settings() -> Settings:
    home = Path(os.environ.get("WATCHDOG_HOME") or REPO_ROOT / "var").resolve()
    url = os.environ.get("WATCHDOG_DATABASE_URL") or f"sqlite:///{home / 'scorewatch.sqlite'}"
    return Settings(home=home, database_url=url)


def parse_workers() -> int | None:
    """`WATCHDOG_PARSE_WORKERS`: worker processes a large crawl parses pages in (0: none, in the
    crawl's own process); unset, a crawl of more than a few thousand records uses every core."""
    raw = os.environ.get("WATCHDOG_PARSE_WORKERS", "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ConfigError(f"WATCHDOG_PARSE_WORKERS must be a whole number, not {raw[:20]!r}")
    return int(raw)


def ensure_secret(settings: Settings) -> bytes:
    """Create the HMAC secret on first use; never print or log it."""
    env = os.environ.get("WATCHDOG_SECRET")
    if env:
        return env.encode("utf-8")
    path = settings.secret_path
    if not path.exists():
        settings.home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip().encode("ascii")


def load_secret(settings: Settings) -> bytes:
    """The secret must already exist: keys made with a fresh secret would not match old ones."""
    env = os.environ.get("WATCHDOG_SECRET")
    if env:
        return env.encode("utf-8")
    if not settings.secret_path.exists():
        raise ConfigError(f"no secret at {settings.secret_path}: run `watchdog init` first")
    return settings.secret_path.read_text(encoding="ascii").strip().encode("ascii")


def flask_secret(settings: Settings) -> str:
    """The key the dashboards sign sessions and form tokens with, kept under WATCHDOG_HOME so
    they survive a restart; made on first use."""
    path = settings.home / "flask_secret"
    if not path.exists():
        settings.home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()
