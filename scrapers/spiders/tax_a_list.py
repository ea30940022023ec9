"""Spider for `tax_a_list`: provincial A-level taxpayer lists, one manifest path per province.

The default path `all` names the other paths and fetches each from its own host; the parser
finds further pages of a paged list and the base spider follows them. With the offline mirror,
every host is replaced by the mirror and the path and query are kept. A path marked
`live: false` exists only on the mirror.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapers.spiders.base import SourceSpider


class TaxAListSpider(SourceSpider):
    name = "tax_a_list"

    def url(self, path: str) -> str:
        if path.startswith("http"):
            if not self.base_url:
                return path
            parts = urlsplit(path)
            return f"{self.base_url}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return f"{self.base_url or self.conf.get('host', '')}{path}"

    def start_urls_for(self) -> list[str]:
        # Only the default path covers every list: a crawl of one province must not mark the
        # other provinces' rows as gone.
        self.covers_whole_source = self.path == self.manifest.default_path
        urls = []
        for list_id in self.conf.get("lists") or [self.path]:
            conf = self.manifest.paths[list_id]
            if conf.get("live") is False and not self.base_url:
                continue
            urls.append(self.url(conf["host"] + conf["path"]))
        return urls
