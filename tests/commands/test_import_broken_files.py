"""`watchdog import` of broken files (found by an adversarial review): each ends with one line
and a non-zero exit, or a partial status that says why; the crawl row never stays "running";
what an earlier good import stored is left as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli

BROKEN = REPO / "tests" / "fixtures" / "broken_imports"
GOOD = {
    "court_dishonest": REPO / "tests" / "fixtures" / "court_dishonest" / "disDetail_unit_2014.json",
    "gsxt": REPO / "tests" / "fixtures" / "gsxt" / "synthetic_notices_abnormal.json",
    "tax_a_list": REPO / "tests" / "fixtures" / "tax_a_list" / "synthetic_a_list_red_and_black.csv",
    "perk_signals": REPO / "tests" / "fixtures" / "perk_signals" / "canonical_rental.html",
    "points_rules": REPO / "tests" / "fixtures" / "points_rules" / "rongcheng_zh.html",
}
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _db(env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(env["WATCHDOG_DATABASE_URL"].removeprefix("sqlite:///"))


def _observations(env: dict[str, str]) -> list[tuple]:
    with _db(env) as conn:
        return conn.execute("SELECT record_key, status, content_sha256, last_seen, "
                            "last_crawl_id FROM observation ORDER BY id").fetchall()


def _crawls(env: dict[str, str]) -> list[tuple]:
    with _db(env) as conn:
        return conn.execute("SELECT status, reason FROM crawl ORDER BY id").fetchall()


def _one_error_line(result) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def _store_with_good_import(env: dict[str, str], source: str) -> list[tuple]:
    assert run_cli(env, "init").returncode == 0
    good = run_cli(env, "import", source, str(GOOD[source]), "--no-progress")
    assert good.returncode == 0, good.stderr
    before = _observations(env)
    assert before
    return before


@pytest.mark.parametrize("source", ["court_dishonest", "gsxt"])
def test_deeply_nested_json_fails_in_one_line_and_its_row_ends_failed(cli_env, source):
    before = _store_with_good_import(cli_env, source)
    line = _one_error_line(run_cli(cli_env, "import", source,
                                   str(BROKEN / "deeply_nested.json"), "--no-progress"))
    assert "nested too deeply" in line
    status, reason = _crawls(cli_env)[-1]
    assert status == "failed" and "nested too deeply" in reason
    assert _observations(cli_env) == before


@pytest.mark.skipif(not Path("/proc/self/mem").is_file(), reason="needs Linux /proc")
@pytest.mark.parametrize("source", ["court_dishonest", "tax_a_list"])
def test_a_file_that_cannot_be_read_opens_no_crawl_row(cli_env, source):
    # /proc/self/mem is a regular file that even root cannot read from offset 0 (EIO): the
    # same path through the code as a file without read permission, whoever runs the tests.
    before = _store_with_good_import(cli_env, source)
    rows = _crawls(cli_env)
    line = _one_error_line(run_cli(cli_env, "import", source, "/proc/self/mem", "--no-progress"))
    assert "cannot read the file" in line
    assert _crawls(cli_env) == rows and _observations(cli_env) == before


def test_an_error_no_parser_foresaw_ends_the_row_failed(cli_env, database_url, monkeypatch):
    import watchdog.parsers.registry as registry
    from watchdog.config import get_settings
    from watchdog.importer import ImportError_, import_file
    from watchdog.privacy import Keyer
    from watchdog.sources import load_manifest

    before = _store_with_good_import(cli_env, "gsxt")

    class Broken:
        @staticmethod
        def parse_bytes(body: bytes, keyer: Keyer, *, name: str | None = None) -> None:
            raise KeyError("梅大伟")  # the text of an unforeseen error may quote a record

    monkeypatch.setattr(registry, "parser_for", lambda source_id: Broken)
    settings = get_settings()
    with pytest.raises(ImportError_) as caught:
        import_file(load_manifest("gsxt"), GOOD["gsxt"], database_url=database_url,
                    artifacts_dir=settings.artifacts_dir, keyer=Keyer(b"k" * 32))
    assert "unexpected KeyError" in str(caught.value) and "梅大伟" not in str(caught.value)
    status, reason = _crawls(cli_env)[-1]
    assert status == "failed" and "unexpected KeyError" in reason and "梅大伟" not in reason
    assert _observations(cli_env) == before


def test_a_csv_line_over_the_csv_modules_limit_fails_in_one_line(cli_env, tmp_path):
    before = _store_with_good_import(cli_env, "tax_a_list")
    long_line = tmp_path / "long_line.csv"
    long_line.write_bytes(GOOD["tax_a_list"].read_bytes() + b"x" * 200_000 + b"\n")
    line = _one_error_line(run_cli(cli_env, "import", "tax_a_list", str(long_line),
                                   "--no-progress"))
    assert "not a readable CSV row" in line
    assert _crawls(cli_env)[-1][0] == "failed" and _observations(cli_env) == before


def test_a_repeated_header_row_is_rejected_not_stored_as_a_company(cli_env):
    assert run_cli(cli_env, "init").returncode == 0
    done = run_cli(cli_env, "import", "tax_a_list", str(BROKEN / "tax_repeated_header_utf8.csv"),
                   "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "rejected: record 1: a repeated header row (line 3), not a record" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == (
        "tax_a_list: read 2, added 2, changed 0, unchanged 0, rejected 1")
    assert not [key for key, *_ in _observations(cli_env) if "纳税人名称" in key]


def test_a_header_that_names_a_field_twice_is_refused(cli_env):
    before = _store_with_good_import(cli_env, "tax_a_list")
    line = _one_error_line(run_cli(
        cli_env, "import", "tax_a_list", str(BROKEN / "tax_header_names_a_field_twice_utf8.csv"),
        "--no-progress"))
    assert "the header names the same field (taxpayer_id) in 2 columns" in line
    assert _observations(cli_env) == before


def test_a_gsxt_company_page_given_as_a_tax_list_stores_nothing(cli_env):
    # Its label-and-value rows ("统一社会信用代码 | 9111…") read as a header, and the labels
    # below it (法定代表人, 住所…) were stored as seven A-level "companies".
    before = _store_with_good_import(cli_env, "tax_a_list")
    page = REPO / "tests" / "fixtures" / "gsxt" / "gsxt_beijing_baseinfo_2016.html"
    line = _one_error_line(run_cli(cli_env, "import", "tax_a_list", str(page), "--no-progress"))
    assert "no table with a taxpayer number or name column" in line
    assert _observations(cli_env) == before


def test_a_file_cut_mid_row_imports_partial_saying_so(cli_env):
    assert run_cli(cli_env, "init").returncode == 0
    done = run_cli(cli_env, "import", "tax_a_list", str(BROKEN / "tax_cut_mid_last_row_utf8.csv"),
                   "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "the file ends mid-row: last row not read" in done.stdout
    assert "note: the file is cut off" in done.stderr
    status, reason = _crawls(cli_env)[-1]
    assert status == "partial" and reason.startswith("the file is cut off")


def test_nul_bytes_inside_a_csl_row_fail_and_change_nothing(cli_env, tmp_path):
    # They were stored inside the cell ("resource-cente\0\0\0\0\0r/…"): the import "changed"
    # a good record into a damaged one, and ended complete. NUL padding after the data is no
    # damage: the same file with it imports unchanged.
    csl = REPO / "tests" / "fixtures" / "shared_samples" / "trade_gov_csl" / "csl.csv"
    assert run_cli(cli_env, "init").returncode == 0
    assert run_cli(cli_env, "import", "us_csl", str(csl), "--no-progress").returncode == 0
    before = _observations(cli_env)
    body = csl.read_bytes()
    damaged = tmp_path / "csl_damaged.csv"
    damaged.write_bytes(body[:len(body) // 2] + b"\x00" * 5 + body[len(body) // 2:])
    line = _one_error_line(run_cli(cli_env, "import", "us_csl", str(damaged), "--no-progress"))
    assert "a NUL byte inside a row" in line
    assert _observations(cli_env) == before
    padded = tmp_path / "csl_padded.csv"
    padded.write_bytes(body + b"\x00" * 64)
    done = run_cli(cli_env, "import", "us_csl", str(padded), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].endswith("added 0, changed 0, unchanged 115, "
                                                         "rejected 0")


def test_a_directory_is_named_as_one_not_as_a_missing_file(cli_env, tmp_path):
    assert run_cli(cli_env, "init").returncode == 0
    line = _one_error_line(run_cli(cli_env, "import", "court_dishonest", str(tmp_path),
                                   "--no-progress"))
    assert "a directory, not a file" in line and "no such file" not in line
    assert _crawls(cli_env) == []


@pytest.mark.parametrize(("source", "page"), [
    ("perk_signals", "perk_signals/canonical_rental.html"),
    ("points_rules", "points_rules/rongcheng_zh.html"),
])
def test_nul_bytes_inside_a_saved_page_fail_and_add_nothing(cli_env, tmp_path, source, page):
    # Inside the partner page's canonical link (<link rel\0\0\0\0\0="canonical">) they made it
    # another page: the same perk was added a second time, under the "saved from" URL.
    good = REPO / "tests" / "fixtures" / page
    before = _store_with_good_import(cli_env, source)
    body = good.read_bytes()
    at = body.index(b'="canonical"') if b'="canonical"' in body else len(body) // 2
    damaged = tmp_path / good.name
    damaged.write_bytes(body[:at] + b"\x00" * 5 + body[at:])
    line = _one_error_line(run_cli(cli_env, "import", source, str(damaged), "--no-progress"))
    assert "a NUL byte inside the page" in line
    assert _observations(cli_env) == before
