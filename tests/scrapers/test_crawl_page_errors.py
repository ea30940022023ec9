"""A page whose handling raises what no parser foresaw (here JSON nested too deeply for the
decoder) is a page not read: the crawl ends partial naming it, and nothing on it is marked
removed. Unnoticed, the page yielded no item and the crawl ended complete."""

from __future__ import annotations

import os
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl, Observation

TYPED = "/private-api/typeSourceSearch"  # data/sources/credit_china.yaml, paths.private_api.typed
DEEP = b"[" * 100_000 + b"]" * 100_000  # the standard library's decoder recurses per level


class _Proxy(BaseHTTPRequestHandler):
    """The mirror as it is, but the first typed-list page a crawl asks for is nested too deep."""

    upstream = ""
    spoiled: list[str] = []

    def do_GET(self) -> None:
        if self.path.startswith(TYPED) and not self.spoiled:
            self.spoiled.append(self.path)
            self._send(200, DEEP, "application/json")
            return
        try:
            with urllib.request.urlopen(self.upstream + self.path, timeout=30) as answer:
                self._send(answer.status, answer.read(), answer.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as exc:
            self._send(exc.code, exc.read(), exc.headers.get("Content-Type", ""))

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def spoiling_proxy(mirror) -> Iterator[tuple[str, list[str]]]:
    handler = type("Proxy", (_Proxy,), {"upstream": mirror.url.rstrip("/"), "spoiled": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.spoiled
    server.shutdown()
    server.server_close()


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    env.update(WATCHDOG_HOME=str(home),
               WATCHDOG_DATABASE_URL=f"sqlite:///{home / 'scorewatch.sqlite'}")
    return env


def test_a_page_no_parser_could_read_makes_the_crawl_partial_and_removes_nothing(
        tmp_path: Path, mirror, spoiling_proxy: tuple[str, list[str]]) -> None:
    env = _env(tmp_path / "home")
    assert run_cli(env, "init").returncode == 0
    first = run_cli(env, "crawl", "credit_china", "--mirror", mirror.url, "--no-progress")
    assert first.returncode == 0, first.stderr[-2000:]
    url = env["WATCHDOG_DATABASE_URL"]
    with get_engine(url).connect() as conn:
        listed = conn.execute(select(func.count()).select_from(Observation)
                              .where(Observation.status == "listed")).scalar_one()
    assert listed > 0

    proxy, spoiled = spoiling_proxy
    second = run_cli(env, "crawl", "credit_china", "--mirror", proxy, "--no-progress",
                     "--expect-min", "1")
    assert spoiled, "the proxy never served the deep page"
    assert second.returncode != 0
    with get_engine(url).connect() as conn:
        status, reason = conn.execute(select(Crawl.status, Crawl.reason)
                                      .order_by(Crawl.id.desc())).first()
        removed = conn.execute(select(func.count()).select_from(Observation)
                               .where(Observation.status == "removed")).scalar_one()
        still = conn.execute(select(func.count()).select_from(Observation)
                             .where(Observation.status == "listed")).scalar_one()
    assert status == "partial"
    assert "page not read (RecursionError)" in (reason or "") and TYPED in reason
    assert removed == 0 and still == listed
