"""A spider error reported without a response still makes the crawl partial.

Scrapy reports an errback that raises (while handling a failed download) through the same
spider_error signal, with the download's Failure where a Response would be. The handler read
`response.url` from it, raised AttributeError (which Scrapy's signal dispatch only logs), and
the crawl ended complete: the page whose download failed and whose errback broke could have its
listings taken as gone."""

from __future__ import annotations

from types import SimpleNamespace

from scrapy import Request, Spider, signals
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from scrapers.pipelines import StorePipeline


class _Recorder:
    def __init__(self) -> None:
        self.degraded: list[tuple[str, str]] = []

    def degrade(self, status: str, reason: str) -> None:
        self.degraded.append((status, reason))


def _download_failure(url: str) -> Failure:
    try:
        raise ConnectionError("connection refused")
    except ConnectionError:
        failure = Failure()
    failure.request = Request(url)  # type: ignore[attr-defined]  # as Scrapy sets it
    return failure


def _errback_failure() -> Failure:
    try:
        raise AttributeError("an errback's own bug")
    except AttributeError:
        return Failure()


def test_an_errback_that_raises_makes_the_crawl_partial_naming_the_page() -> None:
    crawler = get_crawler(Spider)
    pipeline = StorePipeline(crawler)
    recorder = _Recorder()
    pipeline.recorder = recorder  # type: ignore[assignment]
    pipeline.manifest = SimpleNamespace(contains_persons=True)  # type: ignore[assignment]
    url = "http://127.0.0.1:8000/zxgk/disDetailNew?id=77&caseCode=(2023)京0101执1号"
    crawler.signals.send_catch_log(signal=signals.spider_error, failure=_errback_failure(),
                                   response=_download_failure(url), spider=Spider("court"))
    assert len(recorder.degraded) == 1
    status, reason = recorder.degraded[0]
    assert status == "partial" and "AttributeError" in reason
    assert "/zxgk/disDetailNew" in reason and "caseCode" not in reason  # a person source
