"""`watchdog demo`: build the embedded database from the offline mirror, as `make run` does.

The mirror is served in this process; each crawl runs in its own process (Twisted's reactor
cannot be restarted). Day 1 and day 2 of the mirror are crawled so the changes page has a delta.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from sqlalchemy import func, select

from watchdog.config import Settings
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl

DEMO_SOURCES = ["court_dishonest"]


def has_complete_crawl(database_url: str) -> bool:
    with get_engine(database_url).connect() as conn:
        n = conn.execute(select(func.count()).select_from(Crawl).where(
            Crawl.status == "complete", Crawl.mode == "crawl")).scalar_one()
    return n > 0


def build_demo(settings: Settings, *, rebuild: bool = False,
               echo: Callable[[str], None] = print) -> None:
    from watchdog.audit.runner import run_audit
    from watchdog.mirror.server import MirrorServer

    if has_complete_crawl(settings.database_url) and not rebuild:
        echo("database already built from the mirror (use --rebuild to crawl again)")
        return
    server = MirrorServer()
    server.start()
    try:
        for day in (1, 2):
            server.state.day = day
            echo(f"crawling the offline mirror, publication day {day} ({server.url})")
            code = subprocess.call([sys.executable, "-m", "watchdog", "crawl", *DEMO_SOURCES,
                                    "--mirror", server.url])
            if code != 0:
                raise RuntimeError(f"the day-{day} crawl of the mirror did not complete")
    finally:
        server.stop()
    echo(str(run_audit(settings.database_url)))
