"""Archive every response as evidence and record what parsed, through `watchdog.store`.

The crawl's final status is decided here when the spider closes: complete only when nothing
was blocked, nothing failed, no unknown field appeared and the expected number of records was
read. Only then may the store mark listings that were not seen as removed.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from scrapers.items import PageItem
from watchdog.config import get_settings, load_secret
from watchdog.evidence import prepare
from watchdog.ingest import draft_rows, listing_rows
from watchdog.privacy import Keyer, withhold_url_queries
from watchdog.progress import Progress
from watchdog.sources import load_manifest
from watchdog.store.writer import CrawlRecorder, ListingRow, register_source, write_failure

# Observations are written a few thousand at a time, whatever the page size: one transaction
# per 50-record page cost more than the rows themselves.
BATCH_ROWS = 2000


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.recorder: CrawlRecorder | None = None
        self.pending: list[ListingRow] = []
        self.pending_keys: set[str] = set()
        self.write_failed = False
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        spider = spider or self.crawler.spider
        settings = get_settings()
        self.manifest = load_manifest(spider.name)
        # The spider's own Keyer when it has one: its key cache then serves both the parse
        # and the redacted copy of the same page.
        keyer = getattr(spider, "keyer", None)
        self.keyer = keyer if isinstance(keyer, Keyer) else Keyer(load_secret(settings))
        register_source(settings.database_url, self.manifest.model_dump())
        self.recorder = CrawlRecorder(settings.database_url, settings.artifacts_dir, spider.name,
                                      mode="crawl", origin=spider.origin)
        self.progress = Progress(spider.name, enabled=spider.show_progress)
        parser = getattr(spider, "parser", None)
        self.redactor = getattr(parser, "redact_bytes", None)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        assert self.recorder is not None
        if not isinstance(item, PageItem):
            return item
        page = item.page
        if page is not None:  # parsed, redacted and written by `watchdog.pagework`
            done = page.archived
            sha = done.sha256
            self.recorder.archive_row(
                sha=sha, rel=done.rel, stored_size=done.stored_size,
                original_sha256=done.original_sha256, redacted=done.redacted, url=item.url,
                http_status=item.status, content_type=item.content_type, size=done.size,
                fetched_at=item.fetched_at, defer=True)
        else:
            evidence = prepare(item.body, self.keyer,
                               contains_persons=self.manifest.contains_persons,
                               parsed=item.parsed, redactor=self.redactor)
            sha = self.recorder.archive(
                stored=evidence.stored, original_sha256=evidence.original_sha256,
                redacted=evidence.redacted, url=item.url, http_status=item.status,
                content_type=item.content_type, size=evidence.size, fetched_at=item.fetched_at,
                defer=True)
        # A source naming persons is fetched by URLs that can name a case (zxgk's disDetailNew
        # ?id=…&caseCode=…): its messages, which /sources and the export show, keep no query.
        said = withhold_url_queries if self.manifest.contains_persons else str
        if item.blocked:
            self.recorder.degrade("blocked", said(item.blocked))
        if item.error:
            self.recorder.degrade("partial", said(item.error))
        for reason in item.rejections:
            self.recorder.reject(said(reason))
        if item.published is not None:
            self.recorder.note_published(item.published)
        for note in item.notes:
            self.recorder.note(said(note))
        if item.listings:
            self._queue(listing_rows(self.recorder, item.listings, self.manifest.regime or "",
                                     sha))
        if item.drafts:
            self._queue(draft_rows(self.recorder, item.drafts, sha))
        rows = page.rows if page is not None else []
        if rows:
            self.recorder.note_counts(page.unknown_fields, page.field_fill)
            for row in rows:
                row.artifact_sha256 = sha
            self._queue(rows)
        self.progress.update(len(item.listings) + len(rows) + len(item.drafts)
                             + len(item.rejections),
                             total=getattr(self.crawler.spider, "expected_total", None))
        # Keep the item small: the feed exporter and stats need no bodies.
        return {"url": item.url, "status": item.status, "listings": len(item.listings) + len(rows)}

    def _queue(self, rows: list[ListingRow]) -> None:
        keys = {row.record_key for row in rows} | {row.subject["key"] for row in rows}
        # A listing or subject already waiting from an earlier page is written first, so a
        # second sighting is stored as with one batch per page (a listing counted unchanged,
        # not merged away; a subject keeping the attributes it was first seen with).
        if not self.pending_keys.isdisjoint(keys):
            self._flush()
        self.pending += rows
        self.pending_keys |= keys
        if len(self.pending) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        assert self.recorder is not None
        if not self.pending:
            return
        rows, self.pending, self.pending_keys = self.pending, [], set()
        if self.write_failed:
            return  # the crawl is stopping as failed: nothing more is written
        try:
            self.recorder.write_batch(rows, None)
        except Exception as exc:
            # The batch's listings were not seen to be updated: the crawl must not end
            # complete (it would take them as gone). Fail it, say why, and stop fetching.
            self.write_failed = True
            self.recorder.degrade("failed", write_failure(exc))
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                deferred_from_coro(engine.close_spider_async(reason="store_write_failed"))

    def spider_error(self, failure: Failure, response: Response | Failure,
                     spider: Spider) -> None:
        """A page whose handling raised what no parser foresaw (JSON nested too deeply for the
        decoder, a parser's own bug) yields no item: unnoticed, the crawl would end complete and
        take that page's listings as gone. It ends partial instead, naming the page."""
        if self.recorder is None:
            return
        said = withhold_url_queries if self.manifest.contains_persons else str
        self.recorder.degrade("partial", said(
            f"page not read ({failure.type.__name__ if failure.type else 'error'}) at "
            f"{_page_url(response)}"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.recorder is None:
            return
        self._flush()
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


def _page_url(response: Response | Failure) -> str:
    """The page a spider error is about. An errback that raises is reported with the download's
    failure in place of a response (Scrapy's `handle_spider_error`): its request says which."""
    if isinstance(response, Response):
        return response.url
    request = getattr(response, "request", None)
    return request.url if request is not None else "a page whose download failed"
