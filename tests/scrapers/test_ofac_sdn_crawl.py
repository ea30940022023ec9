"""Crawling the `ofac_sdn` mirror through the CLI: a complete crawl stores the entities and no
person's name (in observations or archived copies); each failure switch leaves the crawl
blocked or partial with its reason, the earlier data intact and nothing marked removed.

The helpers here serve the `us_csl` and `worldbank_debarred` crawl tests too. Each failure's
words must appear in the reason or errors the crawl records: the captcha page's reason reads
"a block or captcha page instead of the OFAC SDN list at URL" (us_csl's the same, after its
HTTP 405).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from watchdog.mirror.sources.ofac_sdn_shared import court_pool, synthetic_persons
from watchdog.store.artifacts import read_artifact
from watchdog.store.db import get_engine
from watchdog.store.tables import Artifact, Crawl, Observation, Subject

FAILURES = [("block412", "blocked", "412"), ("captcha", "blocked", "captcha page"),
            ("http500", "partial", "HTTP 500"), ("truncated", "partial", "unreadable")]


SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "shared_samples"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def home_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    env.update(WATCHDOG_HOME=str(home),
               WATCHDOG_DATABASE_URL=f"sqlite:///{home / 'scorewatch.sqlite'}")
    return env


def crawl(env: dict[str, str], source: str, mirror, *args: str):
    return run_cli(env, "crawl", source, "--mirror", mirror.url, "--no-progress", *args)


def baseline_home(factory: pytest.TempPathFactory, mirror_server, source: str) -> Path:
    home = factory.mktemp(f"{source}-baseline") / "home"
    env = home_env(home)
    assert run_cli(env, "init").returncode == 0
    mirror_server.state.update(day=1, failure=None, fail_from_page=1)
    done = crawl(env, source, mirror_server)
    assert done.returncode == 0, done.stderr
    return home


def snapshot(env: dict[str, str], source: str) -> tuple[int, int]:
    with get_engine(env["WATCHDOG_DATABASE_URL"]).connect() as conn:
        def count(status: str) -> int:
            return conn.execute(select(func.count()).select_from(Observation).where(
                Observation.source_id == source, Observation.status == status)).scalar_one()
        return count("listed"), count("removed")


def last_crawl(env: dict[str, str]) -> Crawl:
    with get_engine(env["WATCHDOG_DATABASE_URL"]).connect() as conn:
        return conn.execute(select(Crawl).order_by(Crawl.id.desc()).limit(1)).one()


def stored_text(env: dict[str, str], home: Path) -> str:
    """Every payload and subject, and every archived copy, as one text to search."""
    with get_engine(env["WATCHDOG_DATABASE_URL"]).connect() as conn:
        payloads = [json.dumps(p, ensure_ascii=False)
                    for p in conn.execute(select(Observation.payload)).scalars()]
        subjects = [f"{s.key} {s.name} {s.code}" for s in conn.execute(select(Subject))]
        shas = list(conn.execute(select(Artifact.sha256)).scalars())
    archived = [read_artifact(home / "artifacts", sha).decode("utf-8", "replace") for sha in shas]
    return "\n".join(payloads + subjects + archived)


def check_failure(baseline: Path, tmp_path: Path, mirror, source: str, failure: str,
                  status: str, words: str, fail_from_page: int) -> Crawl:
    """The crawl a failure switch leaves, after checking what it must not have done."""
    assert words.strip(), "name words the recorded reason must contain: '' matches any reason"
    home = tmp_path / "home"
    shutil.copytree(baseline, home)
    env = home_env(home)
    before = snapshot(env, source)
    assert before[0] > 0 and before[1] == 0
    mirror.state.update(day=2, failure=failure, fail_from_page=fail_from_page)
    result = crawl(env, source, mirror)
    assert result.returncode != 0
    row = last_crawl(env)
    assert row.status == status, (row.status, row.reason)
    assert words.lower() in (row.reason + " ".join(row.errors)).lower()
    listed, removed = snapshot(env, source)
    assert removed == 0, "a crawl that did not complete marked entries as removed"
    assert listed >= before[0]
    return row


def check_import(tmp_path: Path, source: str, path: Path, forbidden: tuple[str, ...]) -> int:
    """Import one file into a fresh home; the number of observations it stored."""
    # Every path is a fixture in the checkout (shared samples copied in): missing is a failure.
    assert path.is_file(), f"fixture {path} is missing"
    home = tmp_path / "home"
    env = home_env(home)
    assert run_cli(env, "init").returncode == 0
    result = run_cli(env, "import", source, str(path))
    assert result.returncode == 0, result.stderr
    text = stored_text(env, home)
    assert not any(name in text for name in forbidden)
    return snapshot(env, source)[0]


@pytest.mark.parametrize("relpath", ["ofac_sdn_csv/small/small_sdn.csv",
                                     "fixtures:ofac_sdn/sdn_small.xml"])
def test_import_real_formats(tmp_path, relpath: str) -> None:
    path = (FIXTURES / relpath[9:]) if relpath.startswith("fixtures:") else SAMPLES / relpath
    stored = check_import(tmp_path, "ofac_sdn", path,
                          ("LOGAN MOREY", "KHOROSHEV", "VESTERGAARD", "QUILLFEATHER"))
    assert stored >= 5


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory, mirror_server) -> Path:
    return baseline_home(tmp_path_factory, mirror_server, "ofac_sdn")


def test_complete_crawl_keeps_companies_and_no_person(baseline) -> None:
    env = home_env(baseline)
    row = last_crawl(env)
    assert row.status == "complete", row.reason
    with get_engine(env["WATCHDOG_DATABASE_URL"]).connect() as conn:
        keys = set(conn.execute(select(Subject.key)).scalars())
    assert {f"uscc:{c['uscc']}" for c in court_pool()[0:6]} <= keys
    text = stored_text(env, baseline)
    for family, given in synthetic_persons("ofac_sdn", 4):
        assert family not in text and given not in text


@pytest.mark.parametrize(("failure", "status", "words"), FAILURES)
def test_failure_switch_keeps_earlier_data(baseline, tmp_path, mirror, failure, status, words):
    check_failure(baseline, tmp_path, mirror, "ofac_sdn", failure, status, words, 1)


def test_layout_change_is_partial_and_named(baseline, tmp_path, mirror) -> None:
    row = check_failure(baseline, tmp_path, mirror, "ofac_sdn", "layout", "partial",
                        "layout changed: unknown field(s)", 1)
    assert "sdn_column_13" in row.unknown_fields


def test_sdn_csv_alone_after_the_set_changes_no_stored_entry(tmp_path) -> None:
    """sdn.csv alone carries no addresses or aliases: read after the whole set, it once made
    every entry lose them (and the set read again brought them back), as recorded changes."""
    import zipfile

    from watchdog.store.tables import ObservationChange

    small = SAMPLES / "ofac_sdn_csv" / "small"
    bundle = tmp_path / "set.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        for name in ("sdn", "add", "alt", "sdn_comments"):
            zf.writestr(f"{name}.csv", (small / f"small_{name}.csv").read_bytes())
    home = tmp_path / "home"
    env = home_env(home)
    assert run_cli(env, "init").returncode == 0
    assert run_cli(env, "import", "ofac_sdn", str(bundle), "--no-progress").returncode == 0
    alone = run_cli(env, "import", "ofac_sdn", str(small / "small_sdn.csv"), "--no-progress")
    assert alone.returncode == 0, alone.stderr
    assert "changed 0" in alone.stdout and "already stored were left as they are" in alone.stderr
    again = run_cli(env, "import", "ofac_sdn", str(bundle), "--no-progress")
    assert "changed 0" in again.stdout, again.stdout
    engine = get_engine(env["WATCHDOG_DATABASE_URL"])
    with engine.connect() as conn:
        kinds = conn.execute(select(ObservationChange.kind)).scalars().all()
        statuses = conn.execute(select(Crawl.status).order_by(Crawl.id)).scalars().all()
    assert set(kinds) == {"added"}
    assert statuses == ["complete", "partial", "complete"]


def test_a_crawl_of_sdn_xml_records_the_lists_publish_date(tmp_path, mirror) -> None:
    """The mirror's SDN.XML states Publish_Date 11/01/2026 (day 1), 11/02/2026 (day 2): each
    crawl records the version it read, a partial one (changed layout) too; the CSV set states
    none."""
    from datetime import date

    home = tmp_path / "home"
    env = home_env(home)
    assert run_cli(env, "init").returncode == 0
    mirror.state.update(day=1, failure=None, fail_from_page=1)
    done = crawl(env, "ofac_sdn", mirror, "--path", "xml")
    assert done.returncode == 0, done.stderr
    row = last_crawl(env)
    assert (row.status, row.list_published) == ("complete", date(2026, 11, 1))
    mirror.state.update(day=2, failure="layout", fail_from_page=0)
    assert crawl(env, "ofac_sdn", mirror, "--path", "xml").returncode != 0
    row = last_crawl(env)
    assert (row.status, row.list_published) == ("partial", date(2026, 11, 2))
    mirror.state.update(day=2, failure=None, fail_from_page=1)
    assert crawl(env, "ofac_sdn", mirror).returncode == 0
    assert last_crawl(env).list_published is None


def test_an_import_records_the_lists_publish_date(tmp_path) -> None:
    from datetime import date

    home = tmp_path / "home"
    env = home_env(home)
    assert run_cli(env, "init").returncode == 0
    result = run_cli(env, "import", "ofac_sdn", str(FIXTURES / "ofac_sdn" / "sdn_small.xml"),
                     "--no-progress")
    assert result.returncode == 0, result.stderr
    assert last_crawl(env).list_published == date(2025, 3, 14)


def test_an_import_with_an_unreadable_publish_date_stores_none_and_says_so(tmp_path) -> None:
    body = (FIXTURES / "ofac_sdn" / "sdn_small.xml").read_bytes().replace(
        b"<Publish_Date>03/14/2025</Publish_Date>", b"<Publish_Date>02/30/2025</Publish_Date>")
    saved = tmp_path / "SDN.XML"
    saved.write_bytes(body)
    env = home_env(tmp_path / "home")
    assert run_cli(env, "init").returncode == 0
    result = run_cli(env, "import", "ofac_sdn", str(saved), "--no-progress")
    assert result.returncode == 0, result.stderr
    row = last_crawl(env)
    assert row.list_published is None and row.read == 5
    assert any("Publish_Date not read" in e for e in row.errors)
