"""The log file under WATCHDOG_HOME: a logged exception keeps its trace but not its text, which
can quote the record it choked on; URL queries are withheld as before."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from watchdog import cli

# Built at run time: a traceback shows source lines, and the names must come from data only.
ZHANG, LI = "张" + "三", "李" + "四"


def _choke(record: dict[str, str], key: str) -> str:
    return record[key]  # a parser's own bug: the KeyError's text is the person's name


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WATCHDOG_HOME", str(tmp_path))
    root = logging.getLogger()
    before = list(root.handlers)
    cli._setup_logging()
    added = [h for h in root.handlers if h not in before]
    yield tmp_path / "logs" / "watchdog.log"
    for handler in added:
        root.removeHandler(handler)
        handler.close()


def test_a_logged_exception_keeps_its_trace_and_loses_its_text(log_file: Path) -> None:
    try:
        try:
            _choke({"name": LI}, ZHANG)
        except KeyError as exc:
            raise ValueError(f"could not read {LI}'s record") from exc
    except ValueError:
        logging.getLogger("scrapy.core.scraper").error(
            "Spider error processing <GET http://127.0.0.1/detail?name=%s&id=1>", ZHANG,
            exc_info=True)
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert ZHANG not in text and LI not in text
    assert "builtins.KeyError: (text withheld" in text
    assert "builtins.ValueError: (text withheld" in text
    assert "in _choke" in text  # where it happened is still there
    assert "Spider error processing <GET http://127.0.0.1/detail?(query withheld" in text
