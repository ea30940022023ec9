"""Archive every response as evidence and record what parsed, through `watchdog.store`.

The crawl's final status is decided here when the spider closes: complete only when nothing
was blocked, nothing failed, no unknown field appeared and the expected number of records was
read. Only then may the store mark listings that were not seen as removed.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from scrapers.items import PageItem
from watchdog.config import get_settings, load_secret
from watchdog.evidence import prepare
from watchdog.ingest import record_listings
from watchdog.privacy import Keyer
from watchdog.progress import Progress
from watchdog.sources import load_manifest
from watchdog.store.writer import CrawlRecorder, register_source


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.recorder: CrawlRecorder | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        settings = get_settings()
        self.manifest = load_manifest(spider.name)
        self.keyer = Keyer(load_secret(settings))
        register_source(settings.database_url, self.manifest.model_dump())
        self.recorder = CrawlRecorder(settings.database_url, settings.artifacts_dir, spider.name,
                                      mode="crawl", origin=spider.origin)
        self.progress = Progress(spider.name, enabled=spider.show_progress)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        assert self.recorder is not None
        if not isinstance(item, PageItem):
            return item
        evidence = prepare(item.body, self.keyer, contains_persons=self.manifest.contains_persons,
                           parsed=item.parsed)
        sha = self.recorder.archive(
            stored=evidence.stored, original_sha256=evidence.original_sha256,
            redacted=evidence.redacted, url=item.url, http_status=item.status,
            content_type=item.content_type, size=evidence.size, fetched_at=item.fetched_at)
        if item.blocked:
            self.recorder.degrade("blocked", item.blocked)
        if item.error:
            self.recorder.degrade("partial", item.error)
        for reason in item.rejections:
            self.recorder.reject(reason)
        if item.listings:
            record_listings(self.recorder, item.listings, self.manifest.regime or "", sha)
        self.progress.update(len(item.listings) + len(item.rejections),
                             total=getattr(self.crawler.spider, "expected_total", None))
        # Keep the item small: the feed exporter and stats need no bodies.
        return {"url": item.url, "status": item.status, "listings": len(item.listings)}

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.recorder is None:
            return
        self.progress.close()
        rec = self.recorder
        if reason != "finished" and not reason.startswith("blocked"):
            rec.degrade("partial", f"crawl stopped before the end ({reason})")
        if rec.unknown_fields:
            names = ", ".join(sorted(rec.unknown_fields))
            rec.degrade("partial", f"layout changed: unknown field(s) {names}")
        # The spider's manifest carries any --expect-min override for this run.
        expected = spider.manifest.expected_counts.get(spider.target, {})
        read = rec.counts.read
        if rec.requests == 0:
            rec.degrade("failed", "no response was received")
        elif "min" in expected and read < expected["min"]:
            rec.degrade("partial", f"read {read} records, fewer than the {expected['min']} expected")
        spider.outcome = rec.finish(covers_whole_source=spider.covers_whole_source)
