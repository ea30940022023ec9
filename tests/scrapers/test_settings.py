"""Crawl settings: no way into a crawl process from outside, and no state outside WATCHDOG_HOME."""

from __future__ import annotations

import os

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
