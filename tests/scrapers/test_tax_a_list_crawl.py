"""Crawling tax_a_list from the mirror through the CLI: a complete crawl, each failure switch
(blocked or partial with its reason, earlier data intact, nothing marked removed), and no
synthetic person's name or number anywhere under WATCHDOG_HOME afterwards.
"""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from watchdog.mirror.sources import tax_a_list as pages
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl, Observation


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    env.update(WATCHDOG_HOME=str(home),
               WATCHDOG_DATABASE_URL=f"sqlite:///{home / 'scorewatch.sqlite'}")
    return env


def snapshot(home: Path, source_id: str) -> tuple[int, int, set[str]]:
    url = env_for(home)["WATCHDOG_DATABASE_URL"]
    with get_engine(url).connect() as conn:
        def count(status: str) -> int:
            return conn.execute(select(func.count()).select_from(Observation).where(
                Observation.source_id == source_id, Observation.status == status)).scalar_one()
        keys = set(conn.execute(select(Observation.record_key).where(
            Observation.source_id == source_id, Observation.status == "listed")).scalars())
        return count("listed"), count("removed"), keys


def last_crawl(home: Path) -> Crawl:
    with get_engine(env_for(home)["WATCHDOG_DATABASE_URL"]).connect() as conn:
        return conn.execute(select(Crawl).order_by(Crawl.id.desc()).limit(1)).one()


def crawl_home(tmp_path_factory: pytest.TempPathFactory, mirror_server: object,
               source_id: str) -> Path:
    home = tmp_path_factory.mktemp(source_id) / "home"
    env = env_for(home)
    assert run_cli(env, "init").returncode == 0
    state = mirror_server.state  # type: ignore[attr-defined]
    state.day, state.failure, state.fail_from_page = 1, None, 1
    done = run_cli(env, "crawl", source_id, "--mirror", mirror_server.url,  # type: ignore[attr-defined]
                   "--no-progress")
    assert done.returncode == 0, done.stderr
    return home


def failure_crawl(baseline: Path, tmp_path: Path, mirror: object, source_id: str, failure: str,
                  status: str, words: str, fail_from_page: int = 1) -> Crawl:
    home = tmp_path / "home"
    shutil.copytree(baseline, home)
    before = snapshot(home, source_id)
    mirror.state.update(day=2, failure=failure, fail_from_page=fail_from_page)  # type: ignore[attr-defined]
    result = run_cli(env_for(home), "crawl", source_id, "--mirror", mirror.url,  # type: ignore[attr-defined]
                     "--no-progress")
    assert result.returncode != 0
    crawl = last_crawl(home)
    assert crawl.status == status, (crawl.status, crawl.reason)
    assert words.lower() in (crawl.reason + " " + " ".join(crawl.errors)).lower()
    listed, removed, keys = snapshot(home, source_id)
    assert removed == 0, "a crawl that did not complete marked records as removed"
    assert listed >= before[0] and before[2] <= keys  # every record still listed
    return crawl


def home_texts(home: Path) -> str:
    """Everything under the home as text: database, WAL, archived artifacts (UTF-8 and GBK)."""
    out = []
    for path in home.rglob("*"):
        if not path.is_file() or path.name == "secret.key":
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        out += [data.decode("utf-8", "ignore"), data.decode("gb18030", "ignore")]
    return "\n".join(out)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, mirror_server) -> Path:
    return crawl_home(tmp_path_factory, mirror_server, "tax_a_list")


def test_complete_crawl_of_every_list(baseline):
    crawl = last_crawl(baseline)
    assert crawl.status == "complete", crawl.reason
    listed, removed, _ = snapshot(baseline, "tax_a_list")
    assert listed >= 4900 + 60 and removed == 0
    assert crawl.requests == 6  # Jiangxi, four Heilongjiang pages, Beijing
    assert not crawl.unknown_fields


def test_no_synthetic_person_survives(baseline):
    text = home_texts(baseline)
    for secret in [*pages.synthetic_persons(), "严素莺", "33012119560101333001"]:
        assert secret not in text


@pytest.mark.parametrize(("failure", "status", "words"), [
    ("block412", "blocked", "412"),
    ("captcha", "blocked", "captcha"),
    ("http500", "partial", "HTTP 500"),
    ("truncated", "partial", "truncated"),
    ("layout", "partial", pages.NEW_COLUMN),
])
def test_failure_switch_keeps_earlier_data(baseline, tmp_path, mirror, failure, status, words):
    crawl = failure_crawl(baseline, tmp_path, mirror, "tax_a_list", failure, status, words)
    if failure == "layout":
        assert pages.NEW_COLUMN in crawl.unknown_fields



@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_import_real_and_documented_files(cli_env, database_url, tmp_path):
    from tests.parsers.test_tax_a_list import FIX, _jiangxi

    assert run_cli(cli_env, "init").returncode == 0
    sample = tmp_path / "jiangxi_2018_A_level_GBK.csv"
    sample.write_bytes(_jiangxi())
    done = run_cli(cli_env, "import", "tax_a_list", str(sample), "--no-progress")
    assert done.returncode == 0, done.stderr
    for name in ("heilongjiang_header_shift_GBK.csv", "anhui_redlist.html", "beijing_query_GBK.html"):
        done = run_cli(cli_env, "import", "tax_a_list", str(FIX / name), "--no-progress")
        assert done.returncode == 0, (name, done.stderr)
    blocked = tmp_path / "captcha.html"
    blocked.write_bytes(pages.captcha_page()[1])
    assert run_cli(cli_env, "import", "tax_a_list", str(blocked), "--no-progress").returncode != 0
    home = Path(cli_env["WATCHDOG_HOME"])
    with get_engine(database_url).connect() as conn:
        crawls = conn.execute(select(Crawl.status, Crawl.read).order_by(Crawl.id)).all()
    assert crawls[0] == ("complete", 4922) and crawls[-1][0] == "blocked"
    db = " ".join(f.read_bytes().decode("utf-8", "ignore") for f in tmp_path.glob("store.sqlite*"))
    for text in (home_texts(home), db):
        assert "严素莺" not in text and "33012119560101333001" not in text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_reimport_under_another_name_and_a_cut_copy_change_nothing(cli_env, database_url,
                                                                    tmp_path):
    """The list again as jx_bom.csv once recorded "changed 5" (province from the file name);
    a copy cut inside its last cell once added a record with a cut tax authority."""
    from tests.parsers.test_tax_a_list import _jiangxi

    assert run_cli(cli_env, "init").returncode == 0
    cut = _jiangxi()[:3000].decode("gbk", "ignore").encode("utf-8")  # head -c 3000 | iconv
    for name, body in (("jiangxi_2018_A_level_GBK.csv", _jiangxi()), ("jx_bom.csv", _jiangxi()),
                       ("jiangxi_cut_utf8.csv", cut)):
        (tmp_path / name).write_bytes(body)
        done = run_cli(cli_env, "import", "tax_a_list", str(tmp_path / name), "--no-progress")
        assert done.returncode == 0, done.stderr
    with get_engine(database_url).connect() as conn:
        crawls = conn.execute(select(Crawl.read, Crawl.added, Crawl.changed, Crawl.unchanged,
                                     Crawl.rejected).order_by(Crawl.id)).all()
        payloads = list(conn.execute(select(Observation.payload)).scalars())
    # 17 rows repeat a record of the same file: reported as rejections, stored once.
    assert [tuple(c) for c in crawls] == [(4922, 4922, 0, 0, 17), (4922, 0, 0, 4922, 17),
                                          (28, 0, 0, 28, 1)]
    assert len(payloads) == 4922  # the cut copy added no record of its own
    assert not any(p["tax_authority"].endswith("高新技") for p in payloads)


def test_a_crawled_page_cut_mid_row_makes_the_crawl_partial(cli_env, monkeypatch):
    """A crawl of a body cut inside its last cell keeps the rows before the cut, but is not a
    whole read of the source: partial, so no row after the cut is taken as removed."""
    from types import SimpleNamespace

    from scrapers.spiders.tax_a_list import TaxAListSpider
    from tests.parsers.test_tax_a_list import _jiangxi

    for key, value in cli_env.items():
        monkeypatch.setenv(key, value)
    assert run_cli(cli_env, "init").returncode == 0
    spider = TaxAListSpider(base_url="http://127.0.0.1:1")
    cut = _jiangxi()[:3000].decode("gbk", "ignore").encode("utf-8")
    url = "http://127.0.0.1:1/jiangxi_2018.csv"
    item = spider.read_page(SimpleNamespace(url=url, status=200, body=cut,
                                            headers={"Content-Type": b"text/csv"}))
    assert len(item.drafts) == 28 and not item.blocked
    assert item.error and "ends mid-row" in item.error and url in item.error
    whole = spider.read_page(SimpleNamespace(url=url, status=200, body=_jiangxi(),
                                             headers={"Content-Type": b"text/csv"}))
    assert whole.error is None and len(whole.drafts) == 4922  # 17 rows repeat a record, reported as rejections
