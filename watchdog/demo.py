"""`watchdog demo`: build the embedded database from the offline mirror, as `make run` does.

The mirror is served in this process; each crawl runs in its own process (Twisted's reactor
cannot be restarted). Day 1 and day 2 of the mirror are crawled so the changes page has a delta.
Every source with a manifest is crawled; the court list must complete, and any other source that
does not is reported (its earlier data, if any, stays) rather than stopping the demo.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from sqlalchemy import func, select

from watchdog.config import Settings
from watchdog.sources import list_sources
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl

REQUIRED = "court_dishonest"


def has_complete_crawl(database_url: str, source_id: str = REQUIRED) -> bool:
    with get_engine(database_url).connect() as conn:
        n = conn.execute(select(func.count()).select_from(Crawl).where(
            Crawl.status == "complete", Crawl.mode == "crawl",
            Crawl.source_id == source_id)).scalar_one()
    return n > 0


def latest_status(database_url: str, source_id: str) -> str | None:
    with get_engine(database_url).connect() as conn:
        return conn.execute(select(Crawl.status).where(Crawl.source_id == source_id,
                                                       Crawl.mode == "crawl")
                            .order_by(Crawl.id.desc()).limit(1)).scalar()


def build_demo(settings: Settings, *, rebuild: bool = False,
               echo: Callable[[str], None] = print) -> None:
    from watchdog.audit.runner import run_audit
    from watchdog.mirror.server import MirrorServer

    if has_complete_crawl(settings.database_url) and not rebuild:
        echo("database already built from the mirror (use --rebuild to crawl again)")
        return
    sources = list_sources()
    server = MirrorServer()
    server.start()
    try:
        for day in (1, 2):
            server.state.day = day
            echo(f"crawling the offline mirror, publication day {day} ({server.url})")
            subprocess.call([sys.executable, "-m", "watchdog", "crawl", *sources,
                             "--mirror", server.url])
            for source_id in sources:
                status = latest_status(settings.database_url, source_id)
                if status != "complete":
                    echo(f"note: {source_id} day-{day} crawl ended {status}; see /sources")
            if latest_status(settings.database_url, REQUIRED) != "complete":
                raise RuntimeError(f"the day-{day} crawl of {REQUIRED} did not complete")
    finally:
        server.stop()
    echo(str(run_audit(settings.database_url)))
