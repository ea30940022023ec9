"""HTTP server for the offline mirror of `court_dishonest` (SYNTHETIC DEMO DATA), loopback only.

Serves the Baidu 6899 API and the zxgk 2026 list and detail APIs from `generator` records, with
failure switches a test or the demo flips through `POST /_mirror/state`:

    block412   HTTP 412 WAF block page         captcha   Baidu / zxgk captcha page, detail `{}`
    http500    HTTP 500 error page              truncated the normal 200 JSON cut in half
    layout     records gain an unknown field `newRiskLevel`

A switch only hits data requests whose page index is >= `fail_from_page`: pn//rn for Baidu,
page-1 for lists, and for details the number of detail requests since the switch was set, // 20.
So the default `fail_from_page=1` lets the first page through, like a WAF that wakes up mid-crawl.
A source served as one document (`SourcePage.one_document`) has no page to let through: a switch
hits its document whatever `fail_from_page` says, or it could never be seen failing.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import formats as fmt
from . import sources
from .generator import MirrorConfig, default_config, generate
from .state import _UNSET, DETAILS_PER_PAGE, FAILURES, MirrorState

__all__ = ["DETAILS_PER_PAGE", "FAILURES", "MirrorServer", "MirrorState", "run_mirror",
           "serve_forever"]

SYNTHETIC_HEADER = ("X-Scorewatch-Mirror", "synthetic demo data")


@dataclass
class DayView:
    """One publication day, indexed the ways the APIs need it."""

    day: int
    date: date
    records: list[dict[str, Any]]  # Baidu order
    by_id: dict[int, dict[str, Any]]
    persons: list[dict[str, Any]]  # zxgk lists: newest publication first
    units: list[dict[str, Any]]


class _LRU:
    """Rendered bodies keyed by (day, route, params); bounded so details cannot fill memory."""

    def __init__(self, maxsize: int) -> None:
        self._data: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._max, self._lock = maxsize, threading.Lock()

    def get(self, key: tuple[Any, ...], render: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        body = render()  # outside the lock: two threads may render the same page, harmlessly
        with self._lock:
            self._data[key] = body
            while len(self._data) > self._max:
                self._data.popitem(last=False)
        return body


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.IPv4Address(host).is_loopback
    except ValueError:
        return False


def _pub_key(rec: dict[str, Any]) -> tuple[str, int]:
    # "2019年07月13日" sorts correctly as text; empty dates sort last in a newest-first list.
    return (str(rec.get("publishDate", "")), int(rec["id"]))


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    mirror: MirrorServer


class MirrorServer:
    """The mirror on 127.0.0.1 (any other interface is refused: the data are person-shaped)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, state: MirrorState | None = None,
                 config: MirrorConfig | None = None) -> None:
        if not _is_loopback(host):
            raise ValueError(f"the mirror binds loopback addresses only, not {host!r}")
        self.state = state if state is not None else MirrorState()
        self.config = config if config is not None else default_config()
        self.cache = _LRU(20000)
        self._views: dict[int, DayView] = {}
        self._views_lock = threading.Lock()
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.mirror = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def view(self, day: int) -> DayView:
        """The day's records, generated on first use (about a second) and kept."""
        with self._views_lock:
            if day not in self._views:
                recs = generate(day, self.config)
                ordered = sorted(recs, key=_pub_key, reverse=True)
                self._views[day] = DayView(
                    day, self.config.day_dates[day], recs, {int(r["id"]): r for r in recs},
                    [r for r in ordered if r["partyTypeName"] == "580"],
                    [r for r in ordered if r["partyTypeName"] == "581"])
            return self._views[day]

    def start(self) -> MirrorServer:
        """Serve from a daemon thread; returns self so `MirrorServer().start()` reads well."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            name="scorewatch-mirror", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve from the calling thread until `stop()` or KeyboardInterrupt."""
        try:
            self._httpd.serve_forever()
        finally:
            self._httpd.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a crawl reuses one connection
    # Headers and body go out in separate writes; with Nagle on, each keep-alive response
    # would wait ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _HTTPServer

    def version_string(self) -> str:
        return "ScorewatchMirror/0.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines carry names and case numbers, which must not reach logs."""

    def do_GET(self) -> None:
        self._dispatch(b"")

    do_HEAD = do_GET  # same status and headers; `_send` leaves the body out

    def do_POST(self) -> None:
        length = _int(self.headers.get("Content-Length"), 0)
        if not 0 <= length <= 65536:  # control JSON and detail forms are tiny
            self.close_connection = True
            self._send(413, b"request body too large\n", "text/plain;charset=UTF-8")
            return
        self._dispatch(self.rfile.read(length))

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header(*SYNTHETIC_HEADER)
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _dispatch(self, body: bytes) -> None:
        mirror = self.server.mirror
        parts = urlsplit(self.path)
        path = parts.path
        query = parts.query
        if self.command == "POST" and path != "/_mirror/state":
            query = "&".join(q for q in (query, body.decode("utf-8", "replace")) if q)
        params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        mirror.state.count("requests")
        if path == "/_mirror/state":
            self._control(body)
        elif path in fmt.BAIDU_PATHS:
            self._baidu(params)
        elif path in (fmt.PERSON_LIST_PATH, fmt.UNIT_LIST_PATH):
            self._list(path, params)
        elif path in fmt.DETAIL_PATHS:
            self._detail(params)
        elif path == "/robots.txt":
            self._send(200, fmt.ROBOTS_TXT, "text/plain;charset=UTF-8")
        elif path in ("/", "/index.html"):
            view = mirror.view(mirror.state.day)
            self._send(200, fmt.index_html(len(view.records), view.day, view.date), fmt.HTML_TYPE)
        elif (route := sources.find(path)) is not None:
            self._source(route, params)
        else:
            mirror.state.count("not_found")
            self._send(404, fmt.not_found_html(), fmt.HTML_TYPE)

    def _source(self, route: sources.Route, params: dict[str, str]) -> None:
        """A page of another source, under the same failure switches as the court list."""
        mirror = self.server.mirror
        snap = mirror.state.snapshot()
        page = route(params, snap["day"])
        if page is None:
            mirror.state.count("not_found")
            self._send(404, fmt.not_found_html(), fmt.HTML_TYPE)
            return
        mirror.state.count(page.source_id)
        failure = snap["failure"]
        index = max(page.index, snap["fail_from_page"]) if page.one_document else page.index
        if failure == "captcha" and index >= snap["fail_from_page"] and page.captcha:
            mirror.state.count("failed")
            self._send(*page.captcha)
            return
        self._serve_data(page.source_id, index, snap, (page.source_id, *page.key),
                         page.render, page.ctype)

    def _control(self, body: bytes) -> None:
        state = self.server.mirror.state
        state.count("control")
        if self.command == "POST":
            try:
                data = json.loads(body or b"{}")
                if not isinstance(data, dict) or set(data) - {"day", "failure", "fail_from_page"}:
                    raise ValueError("expected a JSON object with day, failure, fail_from_page")
                failure = data.get("failure", _UNSET)
                state.update(day=data.get("day", _UNSET), fail_from_page=data.get("fail_from_page", _UNSET),
                             failure=None if failure in ("", "none") else failure)
            except ValueError as exc:  # json.JSONDecodeError is a ValueError too
                self._send(400, fmt.to_json({"error": str(exc)}), fmt.JSON_TYPE)
                return
        self._send(200, fmt.to_json(state.snapshot()), fmt.JSON_TYPE)

    def _fail(self, kind: str, index: int, snap: dict[str, Any]) -> str | None:
        """Send the failure response if a switch applies; return 'truncated'/'layout'/None."""
        failure = snap["failure"]
        if failure is None or index < snap["fail_from_page"]:
            return None
        if failure in ("truncated", "layout"):
            return failure
        self.server.mirror.state.count("failed")
        self._send(*fmt.failure_page(failure, kind, f"{snap['day']}-{kind}-{index}"))
        return "sent"

    def _serve_data(self, kind: str, index: int, snap: dict[str, Any], key: tuple[Any, ...],
                    render: Callable[[bool], bytes], ctype: str = fmt.JSON_TYPE) -> None:
        mode = self._fail(kind, index, snap)
        if mode == "sent":
            return
        layout = mode == "layout"
        body = self.server.mirror.cache.get((snap["day"], *key, layout), lambda: render(layout))
        if mode == "truncated":
            self.server.mirror.state.count("failed")
            body = body[: len(body) // 2]
        self._send(200, body, ctype)

    def _begin(self, kind: str) -> tuple[MirrorServer, dict[str, Any], DayView]:
        """Count a data request; the state it is served under (one snapshot, no mixed days)."""
        mirror = self.server.mirror
        mirror.state.count(kind)
        snap = mirror.state.snapshot()
        return mirror, snap, mirror.view(snap["day"])

    def _baidu(self, q: dict[str, str]) -> None:
        mirror, snap, view = self._begin("baidu")
        pn, rn = max(0, _int(q.get("pn"), 0)), fmt.clamp_rn(q.get("rn"))
        filters = {k: q[k] for k in fmt.BAIDU_FILTERS if q.get(k)}
        ok_resource = q.get("resource_id") == "6899"  # any other resource: an empty answer
        cb = q.get("cb", "") if fmt.is_callback(q.get("cb", "")) else ""

        def render(layout: bool) -> bytes:
            recs = fmt.baidu_filter(view.records, filters) if ok_resource else []
            body = fmt.baidu_body(recs, pn, rn, base_url=mirror.url, day_date=view.date, layout=layout)
            return fmt.jsonp(cb, body) if cb else body

        key = ("baidu", ok_resource, pn, rn, tuple(sorted(filters.items())), cb)
        self._serve_data("baidu", pn // rn, snap, key, render,
                         "text/javascript;charset=UTF-8" if cb else fmt.JSON_TYPE)

    def _list(self, path: str, q: dict[str, str]) -> None:
        _, snap, view = self._begin("list")
        page = max(1, _int(q.get("page"), 1))
        size = max(1, min(fmt.LIST_PAGE_SIZE_MAX, _int(q.get("pageSize"), fmt.LIST_PAGE_SIZE_DEFAULT)))
        recs = view.persons if path == fmt.PERSON_LIST_PATH else view.units
        self._serve_data("list", page - 1, snap, (path, page, size),
                         lambda layout: fmt.list_body(recs, page, size, layout))

    def _detail(self, q: dict[str, str]) -> None:
        mirror, snap, view = self._begin("detail")
        index = mirror.state.next_detail()
        rec = view.by_id.get(_int(q.get("id"), -1))
        case = q.get("caseCode")
        if rec is not None and case and _half(case) != _half(rec["caseCode"]):
            rec = None
        if rec is None:  # the WAF answers before the application would have said 404
            if self._fail("detail", index, snap) != "sent":
                mirror.state.count("not_found")
                self._send(404, fmt.not_found_html(), fmt.HTML_TYPE)
            return
        self._serve_data("detail", index, snap, ("detail", rec["id"]),
                         lambda layout: fmt.detail_body(rec, layout))


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw not in (None, "") else default
    except ValueError:
        return default


def _half(text: str) -> str:
    return text.replace("（", "(").replace("）", ")").strip()


def serve_forever(host: str = "127.0.0.1", port: int = 8765, state: MirrorState | None = None,
                  config: MirrorConfig | None = None) -> None:
    """Serve from the calling thread until interrupted."""
    MirrorServer(host, port, state, config).serve_forever()


def run_mirror(host: str, port: int, day: int, failure: str | None,
               fail_from_page: int = 1) -> None:
    """CLI entry: print the URL, serve until Ctrl-C, then shut down cleanly."""
    server = MirrorServer(host, port, MirrorState(day=day, failure=failure,
                                                  fail_from_page=fail_from_page))
    server.view(day)  # generate before announcing, so the first request is not slow
    print(f"Scorewatch mirror (court_dishonest, SYNTHETIC DEMO DATA) on {server.url}/ "
          f"day {day}, failure {failure or 'none'}; Ctrl-C stops it", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("mirror stopped", flush=True)
