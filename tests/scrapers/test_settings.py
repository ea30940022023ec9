"""Crawl settings: no way into a crawl process from outside, and no state outside WATCHDOG_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_cli


def test_a_crawl_runs_no_remote_control_server_and_writes_nothing_under_home(tmp_path,
                                                                               mirror_server):
    # Scrapy 2.19 starts a localhost server that runs Python sent to it, and writes its token
    # under the user's state directory (XDG_STATE_HOME), unless it is switched off.
    home, state = tmp_path / "home", tmp_path / "xdg-state"
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    env.update(WATCHDOG_HOME=str(home), XDG_STATE_HOME=str(state),
               WATCHDOG_DATABASE_URL=f"sqlite:///{home / 'scorewatch.sqlite'}")
    assert run_cli(env, "init").returncode == 0
    mirror_server.state.day, mirror_server.state.failure = 1, None
    result = run_cli(env, "crawl", "court_dishonest", "--mirror", mirror_server.url,
                     "--no-progress")
    assert result.returncode == 0, result.stderr
    assert not (state / "scrapy").exists()


def test_a_crawl_does_not_load_the_remote_control_or_the_cookie_jar():
    # Switched off is not enough: Scrapy imports each listed component before it asks whether
    # it is enabled. A crawl in a fresh process must not even import their modules.
    code = (
        "import sys\n"
        "from scrapy.crawler import CrawlerProcess\n"
        "from scrapy.settings import Settings\n"
        "from scrapers import settings\n"
        "from scrapers.spiders.court_dishonest import CourtDishonestSpider\n"
        "base = Settings(); base.setmodule(settings, priority='project')\n"
        "crawler = CrawlerProcess(base).create_crawler(CourtDishonestSpider)\n"
        "crawler._apply_settings()\n"
        "from scrapy.middleware import MiddlewareManager\n"
        "from scrapy.core.downloader.middleware import DownloaderMiddlewareManager\n"
        "from scrapy.extension import ExtensionManager\n"
        "ExtensionManager.from_crawler(crawler)\n"
        "DownloaderMiddlewareManager.from_crawler(crawler)\n"
        "loaded = [m for m in ('scrapy.extensions.remote_control', 'aiohttp',\n"
        "          'scrapy.downloadermiddlewares.cookies') if m in sys.modules]\n"
        "assert 'scrapy.extensions.corestats' in sys.modules, 'extensions were not loaded'\n"
        "assert 'scrapy.downloadermiddlewares.retry' in sys.modules, 'middlewares not loaded'\n"
        "print(','.join(loaded) or 'none')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "none"
