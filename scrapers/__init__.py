"""The Scrapy project: one spider per source (`spiders/`), one pipeline that archives every
response as evidence and records what was parsed (`pipelines`), and the page item they share.
Spiders only fetch and page; parsing lives in `watchdog.parsers`, shared with `watchdog import`.
"""
