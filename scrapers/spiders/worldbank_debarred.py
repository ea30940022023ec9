"""Spider for `worldbank_debarred`: the public page, then the JSON API it names.

The page's script holds the API address and the public key the site itself sends with it
(`var prodtabApi`, `var propApiKey`). The key rotates, so it is read from the page on every
run and sent as the page sends it, in an `apikey` header; it is not a credential of ours and
is never stored. With the offline mirror, the API host is replaced by the mirror too.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from scrapers.items import PageItem
from scrapers.spiders.base import SourceSpider


class WorldbankDebarredSpider(SourceSpider):
    name = "worldbank_debarred"

    def url(self, path: str) -> str:
        if path.startswith("http") and self.base_url:
            parts = urlsplit(path)
            return f"{self.base_url}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return super().url(path)

    def follow(self, item: PageItem, response: Response) -> Iterator[Request]:
        found = self.parser.page_api(response.text) if item.next_pages else None
        if found is None:
            return
        api, key = found
        yield self.request(self.url(api), headers={"apikey": key, "Accept": "application/json"})
