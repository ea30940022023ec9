"""What every source spider shares: URLs from the manifest (or the offline mirror), block and
error handling, and parsing through the source's parser from `watchdog.parsers.registry`.

A subclass names its source and says how to page: `start_urls_for(conf)` gives the first URLs
and `follow(item, response)` the next requests. Stopping at a block page or captcha and saying so
is the only answer to being refused: we do not solve captchas or work round blocks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider
from scrapy.exceptions import CloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from scrapers.items import PageItem
from watchdog.config import get_settings, load_secret
from watchdog.parsers.blocks import BLOCK_STATUSES
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.registry import parser_for
from watchdog.privacy import Keyer
from watchdog.sources import load_manifest


class SourceSpider(Spider):
    """Base class; `name` is the source id."""

    def __init__(self, base_url: str | None = None, path: str | None = None,
                 expected_min: str | int | None = None, progress: str | bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.manifest = load_manifest(self.name)
        self.path = path or self.manifest.default_path
        if self.path not in self.manifest.paths:
            raise ValueError(f"unknown path {self.path!r} for {self.name}")
        self.conf = self.manifest.paths[self.path]
        self.base_url = base_url.rstrip("/") if base_url else None
        self.target = "mirror" if self.base_url else "live"
        if expected_min is not None:
            self.manifest.expected_counts[self.target] = {"min": int(expected_min)}
        self.show_progress = progress in (True, "1", "true", "yes")
        self.covers_whole_source = True
        self.expected_total: int | None = None
        self.keyer = Keyer(load_secret(get_settings()))
        self.parser = parser_for(self.name)
        self.origin = self.url(self.conf.get("path", "/"))
        self.outcome: Any = None

    def url(self, path: str) -> str:
        """An absolute URL on the live host, or on the mirror when one is given."""
        if path.startswith("http"):
            return path
        return f"{self.base_url or self.conf['host']}{path}"

    # -- to override ----------------------------------------------------------------------
    def start_urls_for(self) -> list[str]:
        paths = self.conf.get("paths") or [self.conf["path"]]
        return [self.url(p) for p in paths]

    def follow(self, item: PageItem, response: Response) -> Iterator[Request]:
        for url in item.next_pages:
            yield self.request(self.url(url))

    # -- machinery ------------------------------------------------------------------------
    def request(self, url: str, **kwargs: Any) -> Request:
        return Request(url, callback=self.parse_page, errback=self.on_error,
                       meta={"handle_httpstatus_all": True}, **kwargs)

    async def start(self) -> AsyncIterator[Request]:
        for url in self.start_urls_for():
            yield self.request(url)

    def parse_page(self, response: Response) -> Iterator[Any]:
        item = self.read_page(response)
        yield item
        if item.blocked:
            raise CloseSpider(f"blocked: {item.blocked}")
        if not item.error:
            yield from self.follow(item, response)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        yield PageItem(url=request.url, status=0, content_type=None, body=b"",
                       fetched_at=datetime.now(UTC),
                       error=f"request failed: {failure.getErrorMessage()[:200]}")

    def read_page(self, response: Response) -> PageItem:
        item = PageItem(url=response.url, status=response.status,
                        content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
                        body=response.body, fetched_at=datetime.now(UTC))
        if response.status in BLOCK_STATUSES:
            item.blocked = f"{BLOCK_STATUSES[response.status]} at {response.url}"
            return item
        if response.status >= 400:
            item.error = f"HTTP {response.status} at {response.url}"
            return item
        try:
            parsed = self.parser.parse_bytes(response.body, self.keyer, name=response.url)
        except BlockedError as exc:
            item.blocked = f"{exc} at {response.url}"
            return item
        except (FormatError, ValueError) as exc:
            item.error = f"unreadable page at {response.url}: {str(exc)[:200]}"
            return item
        item.drafts = parsed.drafts
        item.rejections = [f"{response.url} #{r.index}: {r.reason}" for r in parsed.rejections]
        item.next_pages = parsed.next_pages
        item.published = parsed.published
        item.notes = [f"{response.url}: {note}" for note in parsed.notes]
        if parsed.cut:
            # Rows read before the cut are kept; the crawl is partial, so nothing is removed.
            item.error = f"body cut off at {response.url}: {parsed.cut}"
        if parsed.declared_total:
            self.expected_total = parsed.declared_total
        return item
