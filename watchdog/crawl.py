"""Running spiders: one CrawlerProcess per call, so call it from a fresh process (the CLI, or a
subprocess from the scheduler and `demo`): Twisted's reactor cannot be restarted."""

from __future__ import annotations

import logging
from typing import Any

from watchdog.gcwork import bulk_work
from watchdog.sources import list_sources, load_manifest
from watchdog.store.db import migrate
from watchdog.store.writer import CrawlOutcome


class CrawlError(RuntimeError):
    """A crawl could not be started; the message says why."""


def crawl_settings(manifest_politeness: dict[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "DOWNLOAD_DELAY": manifest_politeness.get("download_delay", 5),
        "CONCURRENT_REQUESTS": manifest_politeness.get("concurrent_requests", 1),
        "CONCURRENT_REQUESTS_PER_DOMAIN": manifest_politeness.get("concurrent_requests", 1),
        "AUTOTHROTTLE_ENABLED": manifest_politeness.get("autothrottle", True),
        "ROBOTSTXT_OBEY": manifest_politeness.get("obey_robots", True),
        # Our pipeline is synchronous and a response yields one page item, so Scrapy's default
        # of 100 concurrent items only created 100 idle asyncio tasks for every response.
        "CONCURRENT_ITEMS": 1,
    }
    return settings


def run_crawls(source_ids: list[str], *, database_url: str, base_url: str | None = None,
               path: str | None = None, expected_min: int | None = None,
               progress: bool = False) -> list[CrawlOutcome]:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    from scrapers import settings as project_settings

    ids = source_ids or list_sources()
    target = "mirror" if base_url else "live"
    migrate(database_url)
    base = Settings()
    base.setmodule(project_settings, priority="project")
    loader = SpiderLoader.from_settings(base)
    unknown = [s for s in ids if s not in loader.list()]
    if unknown:
        raise CrawlError(f"no spider for source(s) {', '.join(unknown)}")
    politeness = {}
    for sid in ids:
        politeness.update(load_manifest(sid).politeness.get(target, {}))
    base.setdict(crawl_settings(politeness), priority="cmdline")
    base.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    process = CrawlerProcess(base)
    # Scrapy's own logging config sets its loggers to DEBUG whatever LOG_LEVEL says, and without
    # its root handler nothing filters them: two lines a page went to watchdog.log.
    logging.getLogger("scrapy").setLevel(base.get("LOG_LEVEL"))
    crawlers = []
    for sid in ids:
        crawler = process.create_crawler(loader.load(sid))
        kwargs: dict[str, Any] = {"base_url": base_url, "path": path, "progress": progress}
        if expected_min is not None:
            kwargs["expected_min"] = expected_min
        process.crawl(crawler, **kwargs)
        crawlers.append((sid, crawler))
    with bulk_work():
        process.start()
    outcomes = []
    for sid, crawler in crawlers:
        outcome = getattr(crawler.spider, "outcome", None) if crawler.spider else None
        if outcome is None:
            raise CrawlError(f"{sid}: the crawl ended without recording a result (see the log)")
        outcomes.append(outcome)
    return outcomes
