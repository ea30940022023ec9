"""Spider for `perk_signals`: a list of partner pages on different hosts (manifest `urls`).

With the offline mirror every host is replaced by the mirror, keeping path and query; the pages
need no paging, so each URL is one request.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapers.spiders.base import SourceSpider


class PerkSignalsSpider(SourceSpider):
    name = "perk_signals"

    def url(self, path: str) -> str:
        if self.base_url and path.startswith("http"):
            parts = urlsplit(path)
            return f"{self.base_url}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        if path.startswith("http"):
            return path
        return f"{self.base_url or self.conf.get('host', '')}{path}"

    def start_urls_for(self) -> list[str]:
        return [self.url(u) for u in self.conf.get("urls", [])]
