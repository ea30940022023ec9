"""The pages in a real browser: charts render under the strict Content-Security-Policy, a facet
click filters the list, every request stays on 127.0.0.1, and the console stays clean.

Drives Debian's /usr/bin/chromium through Playwright's sync API (never `playwright install`).
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from dashboards import create_app
from tests.dashboards.conftest import build_store

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
# Injected through the DevTools protocol, so it runs even where the page's CSP forbids scripts.
RECORD_CSP = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
              "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-quic", "--disable-dev-shm-usage"]


def _skip_reason() -> str | None:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        return (f"{CHROMIUM} is missing: install the Debian package `chromium` "
                "(`make test` does it when run as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (requirements-dev.txt)"
    return None


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    store = build_store(tmp_path_factory.mktemp("browser-store"))
    app = create_app(store.url, store.artifacts_dir)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    reason = _skip_reason()
    if reason:
        print(f"skipping browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    """A page that records every request and every console error or page error."""
    context = browser.new_context()  # type: ignore[attr-defined]
    context.add_init_script(RECORD_CSP)
    page = context.new_page()
    page.requests, page.problems = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()


def _assert_clean(page: object) -> None:
    """No console error, no script error, no CSP violation (plotly.js needs no 'unsafe-eval')."""
    assert page.problems == [], page.problems  # type: ignore[attr-defined]
    assert page.evaluate("window.__csp") == []  # type: ignore[attr-defined]


def _assert_stayed_local(page: object) -> None:
    hosts = {urlsplit(url).hostname for url in page.requests  # type: ignore[attr-defined]
             if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, page.requests  # type: ignore[attr-defined]


def test_overview_draws_its_charts_locally_and_cleanly(page, base_url):
    page.goto(base_url + "/")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=20_000)
    charts = page.locator(".js-plotly-plot")
    assert charts.count() >= 3
    assert page.locator(".js-plotly-plot .main-svg").count() >= 3
    titles = page.locator(".js-plotly-plot .gtitle").all_text_contents()
    assert "Current listings by province" in titles, titles
    assert page.locator("#synthetic-banner").is_visible()
    # Hover over the tallest bar (first province) so plotly's hover code runs under the CSP too.
    plot_area = page.locator("#chart-province .nsewdrag").first
    box = plot_area.bounding_box()
    plot_area.hover(position={"x": box["width"] * 0.12, "y": box["height"] * 0.9})
    page.wait_for_selector("#chart-province .hoverlayer .hovertext", timeout=5_000)
    _assert_clean(page)
    _assert_stayed_local(page)
    assert any(url.endswith("/static/plotly.min.js") for url in page.requests)


def test_a_facet_click_filters_the_list(page, base_url):
    page.goto(base_url + "/lists")
    before = page.locator("#total-companies").text_content()
    page.locator('a[data-facet="province"][data-value="广东"]').click()
    page.wait_for_url(re.compile(r"/lists\?province=%E5%B9%BF%E4%B8%9C$"))
    after = page.locator("#total-companies").text_content()
    assert (before, after) == ("9", "4")
    assert page.locator("#companies tbody tr").count() == 4
    assert page.locator('a.chip[data-remove="province"]').is_visible()
    page.locator('a.chip[data-remove="province"]').click()
    page.wait_for_url(re.compile(r"/lists$"))
    assert page.locator("#total-companies").text_content() == "9"
    _assert_clean(page)
    _assert_stayed_local(page)


def test_findings_and_artifact_pages_are_clean(page, base_url):
    page.goto(base_url + "/findings")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
    page.locator(".finding a.sha").first.click()
    page.wait_for_url(re.compile(r"/artifacts/[0-9a-f]{64}$"))
    assert page.locator("#sha-stored").text_content() in page.url
    _assert_clean(page)
    _assert_stayed_local(page)
