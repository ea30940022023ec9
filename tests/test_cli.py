"""The `watchdog` command: --help everywhere, one-line errors with a non-zero exit, imports of
saved files through the crawl's parser with the summary line in its exact form."""

from __future__ import annotations

import re

import pytest

from tests.conftest import REPO, run_cli

SAMPLES = REPO / "tests" / "fixtures" / "court_dishonest"
SUMMARY = re.compile(r"court_dishonest: read (\d+), added (\d+), changed (\d+), "
                     r"unchanged (\d+), rejected (\d+)")
COMMANDS = ["init", "mirror", "crawl", "import", "audit", "serve", "demo", "score", "simulate", "jobs", "admin"]


@pytest.fixture
def sqlite_env(cli_env):
    return cli_env


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(sqlite_env, command):
    result = run_cli(sqlite_env, command, "--help")
    assert result.returncode == 0 and "Usage:" in result.stdout


def _one_error_line(result) -> str:
    assert result.returncode != 0
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_failures_are_one_line_and_non_zero(sqlite_env, tmp_path):
    # --mirror on a closed loopback port: were the secret checked after the first request,
    # the crawl would fail on the refused connection, never reach the real site.
    assert "watchdog init" in _one_error_line(run_cli(
        sqlite_env, "crawl", "court_dishonest", "--mirror", "http://127.0.0.1:9"))
    assert run_cli(sqlite_env, "init").returncode == 0
    assert "no_such_source" in _one_error_line(
        run_cli(sqlite_env, "import", "no_such_source", str(SAMPLES / "disDetail_unit_2014.json")))
    assert "no such file" in _one_error_line(
        run_cli(sqlite_env, "import", "court_dishonest", str(tmp_path / "missing.json")))
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"hello": "world"}', encoding="utf-8")
    assert "not a recognised" in _one_error_line(
        run_cli(sqlite_env, "import", "court_dishonest", str(garbage), "--no-progress"))
    assert "blocked" in _one_error_line(run_cli(
        sqlite_env, "import", "court_dishonest", str(SAMPLES / "synthetic_block_412.html"),
        "--no-progress"))
    assert "no_such_regime" in _one_error_line(run_cli(sqlite_env, "score", "no_such_regime",
                                                       "--input", str(garbage)))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_import_of_every_shared_sample_ends_with_the_summary(sqlite_env):
    assert run_cli(sqlite_env, "init").returncode == 0
    totals = {"read": 0, "added": 0}
    for sample in sorted(SAMPLES.glob("disDetail_*.json")):
        result = run_cli(sqlite_env, "import", "court_dishonest", str(sample), "--no-progress")
        assert result.returncode == 0, result.stderr
        read, added, changed, unchanged, rejected = map(
            int, SUMMARY.fullmatch(result.stdout.strip().splitlines()[-1]).groups())
        assert read == added + changed + unchanged and rejected == 0
        totals["read"] += read
        totals["added"] += added
    assert totals == {"read": 5, "added": 5}
    # The Django sample carries fields the portal never sent: reported, not silently dropped.
    variants = run_cli(sqlite_env, "import", "court_dishonest",
                       str(SAMPLES / "disDetail_variants_2017_2019.json"), "--no-progress")
    assert "unchanged 2" in variants.stdout and "qysler" in variants.stderr
    # A 被执行人 record is recognised and rejected with its reason listed above the summary.
    legacy = run_cli(sqlite_env, "import", "court_dishonest",
                     str(SAMPLES / "zhixing_beizhixingren_legacy_shanghai.json"), "--no-progress")
    lines = legacy.stdout.strip().splitlines()
    assert lines[-1] == "court_dishonest: read 0, added 0, changed 0, unchanged 0, rejected 1"
    assert lines[0].startswith("rejected: ")
    # Nothing read: the import failed (exit 1, one line why), and it freshens nothing.
    assert legacy.returncode == 1 and "no record in the file could be read" in legacy.stderr


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_import_of_a_file_without_records_fails_saying_so(sqlite_env, tmp_path):
    assert run_cli(sqlite_env, "init").returncode == 0
    empty = tmp_path / "empty.jsonl"  # streamed line by line: no whole-file check refuses it
    empty.write_text("\n\n", encoding="utf-8")
    result = run_cli(sqlite_env, "import", "court_dishonest", str(empty), "--no-progress")
    assert result.returncode == 1 and "the file holds no record" in result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "court_dishonest: read 0, added 0, changed 0, unchanged 0, rejected 0")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("sample", ["disDetail_unit_2014.json", "jsonl"])
def test_an_import_the_store_refuses_ends_failed_saying_why(sqlite_env, tmp_path, sample):
    """A write the store refuses leaves a crawl row that says failed and why, never one that
    stays "running" forever."""
    from sqlalchemy import select

    from watchdog.store.db import get_engine
    from watchdog.store.tables import Crawl

    assert run_cli(sqlite_env, "init").returncode == 0
    path = SAMPLES / sample
    if sample == "jsonl":  # the streamed path
        path = tmp_path / "details.jsonl"
        path.write_bytes((SAMPLES / "disDetail_unit_2014.json").read_bytes().replace(b"\n", b"")
                         + b"\n")
    url = sqlite_env["WATCHDOG_DATABASE_URL"]
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql("CREATE TRIGGER refuse BEFORE INSERT ON observation "
                             "BEGIN SELECT RAISE(ABORT, 'the store refused the write'); END")
    result = run_cli(sqlite_env, "import", "court_dishonest", str(path), "--no-progress")
    assert "writing to the store failed" in _one_error_line(result)
    with get_engine(url).connect() as conn:
        crawl = conn.execute(select(Crawl).order_by(Crawl.id.desc()).limit(1)).one()
    assert crawl.status == "failed" and crawl.finished_at is not None
    assert "the store refused the write" in crawl.reason


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_gbk_json_lines_file_is_imported_like_its_utf8_twin(sqlite_env, tmp_path):
    # Found by review: a GBK .json file imported, the same records as .jsonl failed on line 1.
    import json

    assert run_cli(sqlite_env, "init").returncode == 0
    record = json.loads((SAMPLES / "disDetail_unit_2014.json").read_text(encoding="utf-8"))
    path = tmp_path / "saved.jsonl"
    path.write_bytes(json.dumps(record, ensure_ascii=False).encode("gb18030") + b"\n")
    result = run_cli(sqlite_env, "import", "court_dishonest", str(path), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "court_dishonest: read 1, added 1, changed 0, unchanged 0, rejected 0")
