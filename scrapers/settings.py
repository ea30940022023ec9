"""Scrapy settings shared by every spider; `watchdog.crawl` adds per-run politeness."""

from scrapy.settings import default_settings as _defaults

BOT_NAME = "scorewatch"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

# Identify ourselves honestly; we never disguise the crawler or rotate addresses.
USER_AGENT = "Scorewatch/0.1 (transparency research; +https://github.com/scorewatch/scorewatch)"
ROBOTSTXT_OBEY = True
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control runs Python sent to a localhost HTTP server, its token written
# under the user's home: no way into a process that holds the keying secret, and no state
# outside WATCHDOG_HOME (it also cost a start-up import of aiohttp).
REMOTE_CONTROL_ENABLED = False
COOKIES_ENABLED = False
# Switched off above, and not loaded at all: Scrapy imports every component listed in its base
# settings, even one set to None, before it asks whether it is enabled, so the remote control's
# code (with aiohttp) and the cookie jar's (with tldextract) were imported into every crawl,
# about 0.1 s of its start-up. Dropped from the base lists (whose other entries stay Scrapy's).
EXTENSIONS_BASE = {path: order for path, order in _defaults.EXTENSIONS_BASE.items()
                   if path != "scrapy.extensions.remote_control.RemoteControl"}
DOWNLOADER_MIDDLEWARES_BASE = {
    path: order for path, order in _defaults.DOWNLOADER_MIDDLEWARES_BASE.items()
    if path != "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"}
DOWNLOAD_TIMEOUT = 30
# A block (403/412/429) is not retried: retrying a block is evasion. Server errors are.
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 408, 522, 524]
HTTPERROR_ALLOW_ALL = True
ITEM_PIPELINES = {"scrapers.pipelines.StorePipeline": 300}
LOG_LEVEL = "WARNING"
FEED_EXPORT_ENCODING = "utf-8"
