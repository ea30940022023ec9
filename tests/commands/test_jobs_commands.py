"""`watchdog jobs list|run` and `watchdog admin set-password`, through their click objects."""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import running_mirror
from watchdog.cli import cli
from watchdog.commands.jobs_commands import admin_group, jobs_group
from watchdog.jobs_runs import recent_runs
from watchdog.sources import list_sources
from watchdog.store.admin_tables import password_ok

N = 200
PASSWORD = "correct horse battery staple"


@pytest.fixture
def home(cli_env: dict[str, str]) -> Path:
    result = CliRunner().invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    return Path(cli_env["WATCHDOG_HOME"])


@pytest.fixture(scope="module")
def small_mirror() -> Iterator[object]:
    with running_mirror(N) as server:
        yield server


def test_jobs_list_shows_one_line_per_manifest_and_the_audit(home):
    result = CliRunner().invoke(jobs_group, ["list"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == [f"crawl:{s}" for s in list_sources()] + ["audit"]
    court = lines[list_sources().index("court_dishonest")]
    assert re.search(r"0 3 \* \* 1 \(UTC\)\s+next \d{4}-\d\d-\d\d 03:00 UTC", court), court
    assert court.endswith("last never")


def test_jobs_run_records_the_run_and_jobs_list_shows_it(home, small_mirror, database_url):
    runner = CliRunner()
    result = runner.invoke(jobs_group, ["run", "crawl:court_dishonest", "--mirror",
                                        small_mirror.url, "--expect-min", str(N)])
    assert result.exit_code == 0, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("job crawl:court_dishonest, run 1 complete: crawl 1 complete: "
                           f"read {N}, added {N}, changed 0")
    (run,) = recent_runs(database_url)
    assert (run.job_id, run.status) == ("crawl:court_dishonest", "complete")
    listed = runner.invoke(jobs_group, ["list"]).output
    assert re.search(r"crawl:court_dishonest .* last \d{4}-\d\d-\d\d \d\d:\d\d UTC complete",
                     listed), listed

    audit = runner.invoke(jobs_group, ["run", "audit"])
    assert audit.exit_code == 0 and audit.output.startswith("job audit, run 2 complete: audit run ")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_jobs_run_exits_non_zero_unless_complete(home, small_mirror, database_url):
    small_mirror.state.failure = "block412"
    try:
        result = CliRunner().invoke(jobs_group, ["run", "crawl:court_dishonest", "--mirror",
                                                 small_mirror.url, "--expect-min", str(N)])
    finally:
        small_mirror.state.failure = None
    assert result.exit_code == 1
    assert "run 1 blocked: crawl 1 blocked" in result.output
    assert result.output.strip().splitlines()[-1] == "error: crawl:court_dishonest: run 1 blocked"
    assert recent_runs(database_url)[0].status == "blocked"

    unknown = CliRunner().invoke(jobs_group, ["run", "crawl:nope"])
    assert unknown.exit_code == 1
    assert unknown.output.startswith("error: unknown job 'crawl:nope' (known: crawl:")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_set_password_from_stdin_stores_a_salted_hash_only(cli_env):
    home = Path(cli_env["WATCHDOG_HOME"])
    result = CliRunner().invoke(admin_group, ["set-password", "--password-stdin"],
                                input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and "admin password set" in result.output
    path = home / "admin.json"
    raw = path.read_text(encoding="utf-8")
    assert PASSWORD not in raw and "correct" not in raw
    assert json.loads(raw)["password_hash"].startswith("scrypt:")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert password_ok(home, PASSWORD) and not password_ok(home, PASSWORD + "x")

    again = CliRunner().invoke(admin_group, ["set-password", "--password-stdin"],
                               input=PASSWORD + "\n")
    assert json.loads(path.read_text(encoding="utf-8"))["password_hash"] != \
        json.loads(raw)["password_hash"]  # salted: the same password, another hash
    assert again.exit_code == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_set_password_prompts_twice_and_refuses_short_or_different(cli_env):
    home = Path(cli_env["WATCHDOG_HOME"])
    mismatch = CliRunner().invoke(admin_group, ["set-password"],
                                  input=f"{PASSWORD}\nsomething else entirely\n")
    assert mismatch.exit_code != 0 and not (home / "admin.json").exists()
    short = CliRunner().invoke(admin_group, ["set-password", "--password-stdin"], input="short\n")
    assert short.exit_code == 1
    assert short.output.strip() == "error: the password must have at least 12 characters"
    ok = CliRunner().invoke(admin_group, ["set-password"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert ok.exit_code == 0, ok.output
    assert PASSWORD not in ok.output and password_ok(home, PASSWORD)
