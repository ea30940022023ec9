"""Spider for `credit_china`: Credit China's private API.

A crawl searches the catalogue (`catalogSearchHome`) page by page; every company found is then
read through its detail (`getTyshxydmDetailsContent`) and its typed record lists
(`typeSourceSearch`, one per list type); the person catalogues (`catalogSearchPerson`) are paged
through on their own. The site asks for a captcha with HTTP 500 and status 40001: that is a
block, so it is neither retried (retrying a block is evasion) nor read as a server error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapy import Request
from scrapy.http import Response

from scrapers.items import PageItem
from scrapers.spiders.base import SourceSpider
from watchdog.parsers.errors import BlockedError, FormatError


class CreditChinaSpider(SourceSpider):
    name = "credit_china"

    def endpoint(self, key: str, **params: Any) -> str:
        return self.url(f"{self.conf[key]}?{urlencode(params)}")

    def start_urls_for(self) -> list[str]:
        size = self.conf.get("page_size", 10)
        urls = [self.endpoint("search", keyword=kw, scenes="defaultScenario",
                              tableName="credit_xyzx_tyshxydm", searchState=2,
                              entityType="1,2,4,5,6,7,8", page=1, pageSize=size)
                for kw in self.conf.get("keywords", [])]
        urls += [self.endpoint("person", tableName=table, searchState=1, scenes="defaultscenario",
                               page=1, pageSize=self.conf.get("person_page_size", 20))
                 for table in self.conf.get("person_tables", [])]
        return urls

    def request(self, url: str, **kwargs: Any) -> Request:
        # dont_retry: the site's HTTP 500 is how it demands a captcha.
        return Request(url, callback=self.parse_page, errback=self.on_error,
                       meta={"handle_httpstatus_all": True, "dont_retry": True}, **kwargs)

    def read_page(self, response: Response) -> PageItem:
        item = super().read_page(response)
        if item.error and response.status >= 500:
            try:
                self.parser.parse_bytes(response.body, self.keyer, name=response.url)
            except BlockedError as exc:
                item.error, item.blocked = None, f"{exc} at {response.url}"
            except (FormatError, ValueError):
                pass  # an ordinary server error: the page stays an error
        if not item.blocked and not item.error and self._is(response.url, "search"):
            item.next_pages += self.entity_urls(item.drafts)
        return item

    def _is(self, url: str, key: str) -> bool:
        return urlsplit(url).path == self.conf[key]

    def entity_urls(self, drafts: list[Any]) -> list[str]:
        """Detail and typed-list URLs of every company a search page found."""
        urls = []
        size = self.conf.get("page_size", 10)
        for d in drafts:
            code, name = d.payload.get("subject_code"), d.payload.get("subject_name")
            if not code:
                continue
            urls.append(self.endpoint("detail", keyword=name or "", scenes="defaultscenario",
                                      entityType=1, searchState=1, tyshxydm=code))
            urls += [self.endpoint("typed", source="", type=kind, searchState=1, entityType=1,
                                   scenes="defaultscenario", keyword=name or "", tyshxydm=code,
                                   page=1, pageSize=size, pubSort="desc")
                     for kind in self.conf.get("types", [])]
        return urls
