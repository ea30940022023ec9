"""Spider for `us_csl`: the Consolidated Screening List's static JSON (default) or CSV file.

One request: the whole list is one file. The trade.gov gateway answers a bot check with an
HTTP 405 human-verification page; that is recognised by the parser and reported as a block,
not as a server error, because it means we were refused, not that the list is broken.
"""

from __future__ import annotations

from scrapy.http import Response

from scrapers.items import PageItem
from scrapers.spiders.base import SourceSpider
from watchdog.parsers.errors import BlockedError, ParseError


class UsCslSpider(SourceSpider):
    name = "us_csl"

    def read_page(self, response: Response) -> PageItem:
        item = super().read_page(response)
        if item.error and response.status >= 400:
            try:
                self.parser.parse_bytes(response.body, self.keyer, name=response.url)
            except BlockedError as exc:
                item.error = None
                item.blocked = f"HTTP {response.status}: {exc} at {response.url}"
            except (ParseError, ValueError):
                pass  # a plain error page: stays an error
        return item
