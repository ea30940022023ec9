"""Spider for `ofac_sdn`: the SDN list as the legacy CSV set (default) or as SDN.XML.

The CSV set is four headerless files that only make sense together: ADD.CSV, ALT.CSV and
SDN_COMMENTS.CSV are fetched first, one after the other, then SDN.CSV, and the observations are
built from all four when the last arrives. Every file is archived as it comes; if any of them is
refused or broken the crawl stops there and writes no observation, so nothing is marked as gone
on the strength of a partial set.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from scrapers.items import PageItem
from scrapers.spiders.base import SourceSpider
from watchdog.parsers.errors import FormatError


class OfacSdnSpider(SourceSpider):
    name = "ofac_sdn"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files = [self.url(p) for p in self.conf.get("paths") or [self.conf["path"]]]
        self.bodies: dict[str, bytes] = {}

    def start_urls_for(self) -> list[str]:
        return self.files[:1]

    def follow(self, item: PageItem, response: Response) -> Iterator[Request]:
        index = self.files.index(response.url) if response.url in self.files else -1
        if 0 <= index < len(self.files) - 1:
            yield self.request(self.files[index + 1])

    def read_page(self, response: Response) -> PageItem:
        item = super().read_page(response)
        if item.blocked or item.error or len(self.files) == 1:
            return item
        self.bodies[PurePosixPath(urlsplit(response.url).path).name] = response.body
        item.rejections, item.drafts = [], []  # a companion file alone adds to nothing yet
        if response.url != self.files[-1]:
            return item
        try:
            parsed = self.parser.parse_set(self.bodies, self.keyer)
        except (FormatError, ValueError) as exc:
            item.error = f"unreadable CSV set at {response.url}: {str(exc)[:200]}"
            return item
        item.drafts = parsed.drafts
        item.rejections = [f"{response.url} #{r.index}: {r.reason}" for r in parsed.rejections]
        item.published = parsed.published
        item.notes = [f"{response.url}: {note}" for note in parsed.notes]
        self.expected_total = parsed.declared_total
        return item
