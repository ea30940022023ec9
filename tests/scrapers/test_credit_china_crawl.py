"""Crawling Credit China's mirror: the spider walks search, details, typed lists and person
catalogues; each failure switch stops or degrades the crawl with its reason. Through the CLI
(once the pipeline writes other sources' drafts): blocked or partial crawls keep the earlier
data and mark nothing removed, and no synthetic person reaches the store or the archive."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import REPO, run_cli
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl, Observation

SPIDER_RUN = r"""
import json, sys
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapers import settings as project
out = {"pages": 0, "kinds": {}, "unknown": [], "blocked": [], "errors": []}
class Collect:
    def process_item(self, item, spider=None):
        out["pages"] += 1
        for d in item.drafts:
            kind = d.payload.get("record_type")
            out["kinds"][kind] = out["kinds"].get(kind, 0) + 1
            out["unknown"] += sorted(set(d.unknown_fields) - set(out["unknown"]))
        out["blocked"] += [item.blocked] if item.blocked else []
        out["errors"] += [item.error] if item.error else []
        return {"url": item.url}
module = type(sys)("collect_pipeline"); module.Collect = Collect
sys.modules["collect_pipeline"] = module
settings = Settings(); settings.setmodule(project)
settings.set("ITEM_PIPELINES", {"collect_pipeline.Collect": 1}); settings.set("LOG_LEVEL", "ERROR")
process = CrawlerProcess(settings); process.crawl(sys.argv[1], base_url=sys.argv[2]); process.start()
print(json.dumps(out, ensure_ascii=False))
"""


def spider_run(source: str, mirror, failure: str | None = None, day: int = 1,
               fail_from_page: int = 1) -> dict:
    """Run the spider against the mirror in a fresh process (Scrapy's reactor starts once)."""
    mirror.state.update(day=day, failure=failure, fail_from_page=fail_from_page)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    with tempfile.TemporaryDirectory() as home:
        env.update(WATCHDOG_SECRET="spider-test-secret", WATCHDOG_HOME=home)
        done = subprocess.run([sys.executable, "-c", SPIDER_RUN, source, mirror.url], cwd=REPO,
                              env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_spider_walks_every_part_of_the_api(mirror):
    out = spider_run("credit_china", mirror)
    assert not out["blocked"] and not out["errors"] and not out["unknown"]
    assert set(out["kinds"]) == {"catalog_entry", "entity", "registration", "penalty", "licence",
                                 "red_list", "abnormal", "serious", "key_attention", "person_list"}
    assert out["kinds"]["catalog_entry"] == out["kinds"]["entity"] == 41
    assert out["kinds"]["person_list"] == 45 + 35 + 30


@pytest.mark.parametrize(("failure", "field", "words"), [
    ("captcha", "blocked", "40001"), ("block412", "blocked", "412"),
    ("http500", "errors", "HTTP 500"), ("truncated", "errors", "unreadable"),
])
def test_spider_reports_each_failure(mirror, failure, field, words):
    out = spider_run("credit_china", mirror, failure)
    assert out[field] and all(words in reason for reason in out[field])
    assert out["kinds"].get("catalog_entry") == 10  # the first search page came through


def test_spider_sees_a_changed_layout(mirror):
    out = spider_run("credit_china", mirror, "layout")
    assert {"xyxf_zt", "entity_tag", "lrlx"} <= set(out["unknown"])


# -- through the CLI and the store ------------------------------------------------------------



def home_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    env.update(WATCHDOG_HOME=str(home), WATCHDOG_DATABASE_URL=f"sqlite:///{home / 'scorewatch.sqlite'}")
    return env


def snapshot(url: str, source: str) -> tuple[int, int]:
    with get_engine(url).connect() as conn:
        counts = dict(conn.execute(select(Observation.status, func.count()).where(
            Observation.source_id == source).group_by(Observation.status)).all())
    return counts.get("listed", 0), counts.get("removed", 0)


def last_crawl(url: str) -> Crawl:
    with get_engine(url).connect() as conn:
        return conn.execute(select(Crawl).order_by(Crawl.id.desc()).limit(1)).one()


def baseline_home(factory: pytest.TempPathFactory, mirror, source: str) -> Path:
    home = factory.mktemp(f"{source}-baseline") / "home"
    env = home_env(home)
    assert run_cli(env, "init").returncode == 0
    mirror.state.update(day=1, failure=None, fail_from_page=1)
    done = run_cli(env, "crawl", source, "--mirror", mirror.url, "--no-progress")
    assert done.returncode == 0, done.stderr
    return home


def failure_keeps_earlier_data(baseline: Path, tmp_path: Path, mirror, source: str, failure: str,
                               status: str, words: str) -> Crawl:
    home = tmp_path / "home"
    shutil.copytree(baseline, home)
    env = home_env(home)
    url = env["WATCHDOG_DATABASE_URL"]
    listed, removed = snapshot(url, source)
    assert listed > 0 and removed == 0
    mirror.state.update(day=2, failure=failure, fail_from_page=1)  # day 2 would remove records
    result = run_cli(env, "crawl", source, "--mirror", mirror.url, "--no-progress")
    mirror.state.update(day=1, failure=None)
    assert result.returncode != 0
    crawl = last_crawl(url)
    assert crawl.status == status
    assert words.lower() in (f"{crawl.reason} {' '.join(crawl.errors)}").lower()
    after = snapshot(url, source)
    assert after[1] == 0 and after[0] >= listed, "an incomplete crawl marked records as removed"
    return crawl


def stored_text(home: Path) -> str:
    """Everything under the home: the database and the archived (gzip) responses."""
    parts = []
    for path in home.rglob("*"):
        if path.is_file() and path.name != "secret.key":
            data = path.read_bytes()
            parts.append((gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace"))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, mirror_server) -> Path:
    return baseline_home(tmp_path_factory, mirror_server, "credit_china")


@pytest.mark.parametrize(("failure", "status", "words"), [
    ("block412", "blocked", "412"), ("captcha", "blocked", "40001"),
    ("http500", "partial", "HTTP 500"), ("truncated", "partial", "unreadable"),
    ("layout", "partial", "xyxf_zt"),
])
def test_failure_switch_keeps_earlier_data(baseline, tmp_path, mirror, failure, status, words):
    crawl = failure_keeps_earlier_data(baseline, tmp_path, mirror, "credit_china", failure, status, words)
    if failure == "layout":
        assert "xyxf_zt" in crawl.unknown_fields


def test_complete_day_two_crawl_removes_and_no_person_is_stored(baseline, tmp_path, mirror):
    from watchdog.mirror.sources.credit_china_data import truth_names

    home = tmp_path / "home"
    shutil.copytree(baseline, home)
    env = home_env(home)
    mirror.state.update(day=2, failure=None)
    done = run_cli(env, "crawl", "credit_china", "--mirror", mirror.url, "--no-progress")
    mirror.state.update(day=1)
    assert done.returncode == 0, done.stderr
    assert snapshot(env["WATCHDOG_DATABASE_URL"], "credit_china")[1] > 0
    text = stored_text(home)
    assert not [n for n in truth_names(1) | truth_names(2) if n in text]
