"""Spider for `points_rules`: one page, the published points table, fetched and handed to the
shared parser. Everything it needs (URL, politeness, blocks) comes from the base spider."""

from __future__ import annotations

from scrapers.spiders.base import SourceSpider


class PointsRulesSpider(SourceSpider):
    name = "points_rules"
