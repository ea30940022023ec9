"""Admin state: the log of admin actions (table `adminaction`) and the admin password file.

The password is kept only as a salted hash (werkzeug's scrypt) in `WATCHDOG_HOME/admin.json`,
readable by its owner only. The action log names the action and its target (a job id), never a
password or a client address.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Text, insert, select
from sqlmodel import Field, SQLModel
from werkzeug.security import check_password_hash, generate_password_hash

from watchdog.store.db import get_engine

ADMIN_FILE = "admin.json"
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # hashing a megabyte per login attempt would be a cheap attack


class AdminAction(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    action: str = Field(max_length=32)  # login | login_failed | logout | run_job
    detail: str | None = Field(default=None, sa_column=Column(Text))


def log_action(database_url: str, action: str, detail: str | None = None) -> None:
    with get_engine(database_url).begin() as conn:
        conn.execute(insert(AdminAction.__table__).values(
            at=datetime.now(UTC), action=action, detail=detail))


def recent_actions(database_url: str, limit: int = 50) -> list[dict[str, Any]]:
    table = AdminAction.__table__
    with get_engine(database_url).connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.id.desc()).limit(limit)).all()
    return [dict(row._mapping) for row in rows]


def admin_file(home: Path) -> Path:
    return home / ADMIN_FILE


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")


def save_password(home: Path, password: str) -> Path:
    """Store a salted hash of `password`; the file is replaced atomically, mode 0600."""
    check_new_password(password)
    record = {"password_hash": generate_password_hash(password, method="scrypt"),
              "set_at": datetime.now(UTC).isoformat(timespec="seconds")}
    home.mkdir(parents=True, exist_ok=True)
    target = admin_file(home)
    fd, tmp = tempfile.mkstemp(dir=home, prefix=".admin-", suffix=".json")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def password_hash(home: Path) -> str | None:
    """The stored hash, or None when no password was set (or the file is unreadable)."""
    try:
        record = json.loads(admin_file(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    value = record.get("password_hash") if isinstance(record, dict) else None
    return value if isinstance(value, str) and value else None


def password_ok(home: Path, password: str) -> bool:
    stored = password_hash(home)
    if stored is None or not password or len(password) > MAX_PASSWORD_LENGTH:
        return False
    return check_password_hash(stored, password)
