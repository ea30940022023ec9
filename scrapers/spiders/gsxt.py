"""Spider for `gsxt`: the enterprise credit publicity system's notices and company pages.

A crawl pages through the national notices of the abnormal-operations list (noticeType 11) and
the serious-violation list (21), then through the abnormal-operations directory, whose rows link
each listed company's page; those links and the next directory page come from the parser
(`ParsedFile.next_pages`), resolved against the page they were found on. A geetest page or
加速乐's HTTP 521 cookie script is a block: the crawl stops there and says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from scrapy import Request
from scrapy.http import Response

from scrapers.items import PageItem
from scrapers.spiders.base import SourceSpider
from watchdog.parsers.errors import BlockedError, FormatError


class GsxtSpider(SourceSpider):
    name = "gsxt"

    def at(self, host_key: str, path: str) -> str:
        """A URL on the host the manifest names for this part of the site, or on the mirror."""
        return f"{self.base_url or self.conf[host_key]}{path}"

    def start_urls_for(self) -> list[str]:
        length = self.conf.get("page_length", 50)
        urls = [self.at("host", self.conf["notices"] + "?" + urlencode({
            "noticeType": kind, "areaid": self.conf.get("areaid", "100000"), "noticeTitle": "",
            "regOrg": "", "draw": 1, "start": 0, "length": length}))
            for kind in self.conf.get("notice_types", [])]
        urls.append(self.at("directory_host", self.conf["directory"] + "?"
                            + urlencode({"querystr": "", "pageNos": 1})))
        return urls

    def follow(self, item: PageItem, response: Response) -> Iterator[Request]:
        for url in item.next_pages:
            # Company links and further pages live on the host of the page that names them.
            yield self.request(response.urljoin(url))

    def read_page(self, response: Response) -> PageItem:
        item = super().read_page(response)
        # A page's total is the directory's or one notice type's, not the crawl's: no bar total.
        self.expected_total = None
        if item.error and response.status >= 500:
            # 加速乐 answers HTTP 521 with a cookie script: a block, not a server error.
            try:
                self.parser.parse_bytes(response.body, self.keyer, name=response.url)
            except BlockedError as exc:
                item.error, item.blocked = None, f"{exc} (HTTP {response.status}) at {response.url}"
            except (FormatError, ValueError):
                pass
        return item

    def request(self, url: str, **kwargs: Any) -> Request:
        return Request(url, callback=self.parse_page, errback=self.on_error,
                       meta={"handle_httpstatus_all": True}, **kwargs)
