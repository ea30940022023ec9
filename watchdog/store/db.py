"""Engines, sessions and migrations for SQLite (WAL, the embedded default) and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DB-API connection
    cur = dbapi_conn.cursor()
    # WAL lets the dashboard read while a crawl writes; NORMAL is durable enough under WAL.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["engine"] = get_engine(url)
    return cfg


def migrate(url: str) -> None:
    """Bring the schema to the newest migration; safe to run on every start.

    A store already at the newest migration is left as it is without loading Alembic (a fifth
    of a second that every crawl, import and server start paid)."""
    if _at_head(url):
        return
    from alembic import command

    command.upgrade(alembic_config(url), "head")


_REVISION = re.compile(r"^revision(?::[^=\n]*)?=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN_REVISION = re.compile(
    r"^down_revision(?::[^=\n]*)?=\s*(?:['\"]([^'\"]+)['\"]|None)\s*$", re.MULTILINE)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest migration's revision, read from the migration files without Alembic; None
    when they are not all in the plain one-revision, one-parent form (Alembic decides then)."""
    files = sorted((MIGRATIONS_DIR / "versions").glob("*.py"))
    revisions: set[str] = set()
    parents: set[str] = set()
    for file in files:
        text = file.read_text(encoding="utf-8")
        revision, parent = _REVISION.findall(text), _DOWN_REVISION.findall(text)
        if len(revision) != 1 or len(parent) != 1:
            return None
        revisions.add(revision[0])
        if parent[0]:
            parents.add(parent[0])
    heads = revisions - parents
    if len(revisions) != len(files) or len(heads) != 1 or not parents <= revisions:
        return None
    return heads.pop()


def _at_head(url: str) -> bool:
    head = head_revision()
    if head is None:
        return False
    try:
        with get_engine(url).connect() as conn:
            stored = [row[0] for row in conn.exec_driver_sql(
                "SELECT version_num FROM alembic_version")]
    except SQLAlchemyError:
        return False  # no schema yet (or no version table): Alembic makes it
    return stored == [head]
