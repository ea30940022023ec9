"""Shared fixtures: a WATCHDOG_HOME per session (and per test with `cli_env`), the store on
SQLite and (when a server is there) PostgreSQL, the offline mirror on 127.0.0.1, and running the
CLI in a fresh, offline process. Also: no Hypothesis deadline (the `scorewatch` profile)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# No per-example deadline for any @given test: the 200 ms default fails a test on a loaded
# machine (FlakyFailure) for being slow, not wrong; speed is bench/'s business. Examples stay
# random (derandomize off), so each run still explores new inputs.
settings.register_profile("scorewatch", deadline=None)
settings.load_profile("scorewatch")


@pytest.fixture(scope="session", autouse=True)
def watchdog_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A WATCHDOG_HOME for the session, so nothing writes into the checkout's var/ (secret.key,
    flask_secret, the default SQLite store); no WATCHDOG_SECRET or WATCHDOG_DATABASE_URL from the
    caller's shell. Session-wide and set first, so session fixtures see it too; a test or fixture
    that sets its own (cli_env, monkeypatch.setenv, an env passed to a subprocess) wins, and
    monkeypatch puts this one back afterwards. get_settings() reads the environment at each call
    (no cache), so nothing keeps a stale home."""
    home = tmp_path_factory.mktemp("watchdog-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WATCHDOG_HOME", str(home))
        mp.delenv("WATCHDOG_SECRET", raising=False)
        mp.delenv("WATCHDOG_DATABASE_URL", raising=False)
        yield home


@lru_cache(maxsize=1)
def postgres_base_url() -> str | None:
    url = os.environ.get("WATCHDOG_TEST_POSTGRES_URL") or DEFAULT_PG
    try:
        import psycopg

        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, connect_timeout=3):
            return url
    except Exception as exc:  # any failure means "no server we can use"
        print(f"PostgreSQL not available at {url}: {exc}")
        return None


def _postgres_schema_url(base: str) -> tuple[str, str]:
    schema = "wd_" + uuid.uuid4().hex[:12]
    sep = "&" if "?" in base else "?"
    return schema, f"{base}{sep}options=-csearch_path%3D{schema}"


def _pg_exec(base: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def store_url(kind: str, root: Path) -> Iterator[str]:
    """An empty store's URL: a SQLite file under `root`, or a PostgreSQL schema of its own that
    is dropped afterwards (the test skips, saying why, when no server is reachable)."""
    if kind == "sqlite":
        yield f"sqlite:///{root / 'store.sqlite'}"
        return
    base = postgres_base_url()
    if base is None:
        pytest.skip("no PostgreSQL server: set WATCHDOG_TEST_POSTGRES_URL or run one on "
                    "127.0.0.1:5432 with a database `test`")
    schema, url = _postgres_schema_url(base)
    _pg_exec(base, f"CREATE SCHEMA {schema}")
    try:
        yield url
    finally:
        from watchdog.store.db import get_engine

        get_engine(url).dispose()
        _pg_exec(base, f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def running_mirror(listings: int) -> Iterator[Any]:
    """The offline mirror with `listings` listings, served on 127.0.0.1 while the block runs."""
    from watchdog.mirror.generator import load_config
    from watchdog.mirror.server import MirrorServer

    server = MirrorServer(config=load_config().with_(listing_count=listings))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The store on SQLite, and again on PostgreSQL when a server is reachable."""
    with store_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for a WATCHDOG_HOME of this test's own, in this process and subprocesses."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    env.update(WATCHDOG_HOME=str(home), WATCHDOG_DATABASE_URL=database_url)
    for key in ("WATCHDOG_SECRET", "WATCHDOG_DATABASE_URL", "WATCHDOG_HOME"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("WATCHDOG_HOME", str(home))
    monkeypatch.setenv("WATCHDOG_DATABASE_URL", database_url)
    return env


# Tests never leave the machine: a CLI subprocess is given a proxy on a closed loopback port, so
# a request to anywhere but this machine fails at once and loudly (Scrapy's HttpProxyMiddleware
# and urllib both read these), while requests to the mirror on 127.0.0.1 go direct (no_proxy).
DEAD_PROXY = "http://127.0.0.1:9"
OFFLINE_ENV = {"http_proxy": DEAD_PROXY, "https_proxy": DEAD_PROXY,
               "HTTP_PROXY": DEAD_PROXY, "HTTPS_PROXY": DEAD_PROXY,
               "no_proxy": "127.0.0.1,localhost", "NO_PROXY": "127.0.0.1,localhost"}


def run_cli(env: dict[str, str], *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """`python -m watchdog ARGS` in a fresh process with `env`, kept offline (OFFLINE_ENV)."""
    return subprocess.run([sys.executable, "-m", "watchdog", *args], capture_output=True,
                          text=True, env={**env, **OFFLINE_ENV}, cwd=REPO, timeout=timeout)


@pytest.fixture(scope="session")
def mirror_server() -> Iterator[object]:
    from watchdog.mirror.server import MirrorServer

    server = MirrorServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mirror(mirror_server: object) -> Iterator[object]:
    """The session's mirror, reset to day 1 with no failure before and after each test."""
    state = mirror_server.state  # type: ignore[attr-defined]
    state.day, state.failure, state.fail_from_page = 1, None, 1
    yield mirror_server
    state.day, state.failure, state.fail_from_page = 1, None, 1
