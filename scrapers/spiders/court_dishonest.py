"""Spider for `court_dishonest`: the list of dishonest judgment debtors.

Two ways in, both from the manifest: the Baidu open-data mirror (full records, paged by offset)
and the zxgk 2026 layout (rolling person and unit lists, then one detail request per listing).
The spider only fetches, pages and hands bytes to the shared parser; it stops at the first
block page or captcha and reports it, because answering a captcha or working round a block is
not something a watchdog does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from scrapy import Request, Spider
from scrapy.exceptions import CloseSpider
from scrapy.http import Response

from scrapers.items import PageItem
from scrapers.spiders.base import BLOCK_STATUSES, SourceSpider
from watchdog import jsontext
from watchdog.config import get_settings, load_secret, parse_workers
from watchdog.pagework import POOL_FROM_RECORDS, PagePool, work_page
from watchdog.parsers.court_dishonest import parse_bytes
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer
from watchdog.sources import load_manifest


class CourtDishonestSpider(Spider):
    name = "court_dishonest"

    def __init__(self, base_url: str | None = None, path: str | None = None,
                 expected_min: str | int | None = None, progress: str | bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.manifest = load_manifest(self.name)
        self.path = path or self.manifest.default_path
        if self.path not in self.manifest.paths:
            raise ValueError(f"unknown path {self.path!r} for {self.name}")
        self.conf = self.manifest.paths[self.path]
        # With base_url set, every host of the manifest is replaced by the offline mirror.
        self.base_url = base_url.rstrip("/") if base_url else None
        self.target = "mirror" if self.base_url else "live"
        if expected_min is not None:
            self.manifest.expected_counts[self.target] = {"min": int(expected_min)}
        self.show_progress = progress in (True, "1", "true", "yes")
        self.covers_whole_source = True
        self.expected_total: int | None = None
        # Caching: the pipeline keys the same names again for the redacted copy of each page.
        settings = get_settings()
        self.secret = load_secret(settings)
        self.artifacts_dir = settings.artifacts_dir
        self.keyer = Keyer(self.secret).caching()
        self.workers = parse_workers()
        self.pool: PagePool | None = None
        self.origin = self._host() + self.conf.get("path", self.conf.get("person_list", ""))
        self.outcome: Any = None

    def _host(self) -> str:
        return self.base_url or self.conf["host"]

    # -- entry points ---------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        if self.path == "baidu":
            yield self._baidu_request(0, first=True)
        else:
            for key in ("person_list", "unit_list"):
                yield self._list_request(key, 1, first=True)

    def _meta(self) -> dict[str, Any]:
        return {"handle_httpstatus_all": True}

    def _baidu_request(self, offset: int, *, first: bool = False) -> Request:
        params = {**self.conf["params"], "pn": offset, "rn": self.conf["page_size"]}
        url = f"{self._host()}{self.conf['path']}?{urlencode(params)}"
        return Request(url, callback=self.parse_baidu, errback=self.on_error, meta=self._meta(),
                       cb_kwargs={"first": first})

    def _list_request(self, key: str, page: int, *, first: bool = False) -> Request:
        params = {"page": page, "pageSize": self.conf["page_size"]}
        url = f"{self._host()}{self.conf[key]}?{urlencode(params)}"
        return Request(url, callback=self.parse_list, errback=self.on_error, meta=self._meta(),
                       cb_kwargs={"key": key, "first": first})

    # -- callbacks ------------------------------------------------------------------------
    async def parse_baidu(self, response: Response, first: bool = False) -> AsyncIterator[Any]:
        item = await self.read_page(response)
        yield item
        self._stop_if_blocked(item)
        if first and item.parsed is not None and not item.error:
            total = _baidu_total(item.parsed)
            self.expected_total = total
            self._size_pool(total)  # the first page parses here; the others in workers
            size = int(self.conf["page_size"])
            for offset in range(size, total, size):
                yield self._baidu_request(offset)

    async def parse_list(self, response: Response, key: str,
                         first: bool = False) -> AsyncIterator[Any]:
        # List pages carry no details; they are archived as evidence and give the ids to fetch.
        item = await self.read_page(response, records=False)
        yield item
        self._stop_if_blocked(item)
        if item.parsed is None or item.error:
            return
        data = item.parsed.get("data") if isinstance(item.parsed, dict) else None
        for row in data or []:
            params = {"id": row.get("id"), "caseCode": row.get("caseCode", "")}
            url = f"{self._host()}{self.conf['detail']}?{urlencode(params)}"
            yield Request(url, callback=self.parse_detail, errback=self.on_error,
                          meta=self._meta())
        if first:
            pages = int(item.parsed.get("totalPage") or 1)
            self.expected_total = (self.expected_total or 0) + int(item.parsed.get("totalSize") or 0)
            self._size_pool(self.expected_total)
            for page in range(2, pages + 1):
                yield self._list_request(key, page)

    async def parse_detail(self, response: Response) -> AsyncIterator[Any]:
        item = await self.read_page(response)
        if response.status == 404:
            # A vanished detail page is not a delisting: the crawl is partial, nothing removed.
            item.error = "a detail page was not found (HTTP 404)"
        yield item
        self._stop_if_blocked(item)

    # A failed request is reported the same way for every source.
    on_error = SourceSpider.on_error

    # -- shared ---------------------------------------------------------------------------
    def _size_pool(self, total: int) -> None:
        """Start page workers once the crawl is known to be large enough to gain from them."""
        if self.pool is not None or self.workers == 0:
            return
        if self.workers is None and total < POOL_FROM_RECORDS:
            return
        self.pool = PagePool(self.secret, self.manifest.regime or "",
                             contains_persons=self.manifest.contains_persons,
                             artifacts_dir=self.artifacts_dir, workers=self.workers)

    def closed(self, reason: str) -> None:
        if self.pool is not None:
            self.pool.close()

    async def read_page(self, response: Response, *, records: bool = True) -> PageItem:
        item = PageItem(url=response.url, status=response.status,
                        content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
                        body=response.body, fetched_at=datetime.now(UTC))
        if response.status in BLOCK_STATUSES:
            item.blocked = f"{BLOCK_STATUSES[response.status]} at {response.url}"
            return item
        if response.status >= 500:
            item.error = f"HTTP {response.status} after retries at {response.url}"
            return item
        if response.status >= 400:
            item.error = f"HTTP {response.status} at {response.url}"
            return item
        if records and self.pool is not None:
            # A worker decodes the page too: decoding it here as well cost the crawl process,
            # the busier one, a twentieth of its time.
            try:
                page = await asyncio.wrap_future(self.pool.submit(response.body))
            except Exception as exc:  # a dead worker costs the page (crawl partial), not the crawl
                item.error = f"page not parsed ({type(exc).__name__}) at {response.url}"
                return item
            if page.unreadable or page.empty:
                return self._not_a_page(item, response, empty=page.empty)
        else:
            try:
                item.parsed = jsontext.loads(response.body)
            except ValueError:
                return self._not_a_page(item, response, empty=False)
            if item.parsed == {}:
                return self._not_a_page(item, response, empty=True)
            if not records:
                return item
            try:
                page = work_page(response.body, self.keyer, self.manifest.regime or "",
                                 self.manifest.contains_persons, self.artifacts_dir)
            except Exception as exc:  # as with a worker: the page is lost, the crawl partial
                item.error = f"page not parsed ({type(exc).__name__}) at {response.url}"
                return item
        item.page = page
        item.rejections = [f"{response.url} #{index}: {reason}" for index, reason in page.rejections]
        if page.error:
            item.error = f"unrecognised layout at {response.url}: {page.error}"
        return item

    def _not_a_page(self, item: PageItem, response: Response, *, empty: bool) -> PageItem:
        """A body that is not a JSON page: `{}` (the captcha expired), a block page, a captcha
        or a cut-off body. It is archived by the pipeline as it came."""
        if empty:
            item.blocked = f"empty {{}} answer (the captcha expired) at {response.url}"
            return item
        item.error, item.blocked = _classify_unparseable(response.body, self.keyer)
        item.error = item.error and f"{item.error} at {response.url}"
        item.blocked = item.blocked and f"{item.blocked} at {response.url}"
        return item

    def _stop_if_blocked(self, item: PageItem) -> None:
        if item.blocked:
            raise CloseSpider(f"blocked: {item.blocked}")


def _baidu_total(obj: Any) -> int:
    try:
        block = obj["data"][0]
        return int(block.get("dispNum") or block.get("resNum") or 0)
    except (KeyError, IndexError, TypeError, ValueError):
        return 0


def _classify_unparseable(body: bytes, keyer: Keyer) -> tuple[str | None, str | None]:
    """(error, blocked) for a body that is not JSON: a block page, a captcha, or a broken body."""
    try:
        parse_bytes(body, keyer)
    except BlockedError as exc:
        return None, str(exc)
    except (FormatError, ValueError) as exc:
        return f"unreadable body ({str(exc)[:120]})", None
    return "unreadable body", None
