"""The self-check in a real browser: fill the form, submit, see the scores, a drawn waterfall and
what would move you up; every request stays on 127.0.0.1 and the console stays clean.

Reuses the server, browser and page fixtures of `test_overview_browser.py` (Debian's
/usr/bin/chromium through Playwright's sync API; skipped with a printed reason without it).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.test_overview_browser import (  # noqa: F401  (fixtures, used by name)
    _assert_clean,
    _assert_stayed_local,
    base_url,
    browser,
    page,
)

pytestmark = pytest.mark.browser


def test_fill_submit_and_see_scores_waterfalls_and_a_way_up(page, base_url):  # noqa: F811
    page.goto(base_url + "/check")
    assert page.locator("#privacy-note").is_visible()
    page.select_option("#f-fico-payment_history", "excellent")
    page.select_option("#f-fico-amounts_owed", "fair")
    page.select_option("#f-fico-length_of_history", "poor")
    page.select_option("#f-fico-new_credit", "very_poor")
    page.fill("#f-rongcheng-bank_arrears_month", "3")
    page.fill("#f-rongcheng-sued_found_in_breach", "1")
    page.fill("#f-contact-1", "420")
    page.fill("#f-contact-2", "880")
    page.check("#f-court-include")
    page.fill("#f-court-published", "2019-03-07")
    page.select_option("#f-court-performance", "full")
    page.fill("#f-court-performed_on", "2024-01-05")
    page.click("#check-submit")
    page.wait_for_selector("#results-summary", timeout=20_000)
    assert re.search(r"/check$", page.url)

    assert page.locator("#result-rongcheng").get_attribute("data-score") == "920"
    assert page.locator("#result-rongcheng").get_attribute("data-band") == "B"
    # 300 + 550 x (0.35 + 0.30 x 0.5 + 0.15 x 0.25 + 0.10 x 0.75 + 0) = 636.875 -> 637, fair.
    assert page.locator("#result-fico .score").text_content() == "637"
    assert page.locator("#result-sesame_2015_described").get_attribute("data-score") == "580"

    page.wait_for_selector("#waterfall-fico .main-svg", timeout=20_000)
    cards = page.locator(".result-card[data-score]").count()
    page.wait_for_function(
        f"document.querySelectorAll('.js-plotly-plot .main-svg').length >= {cards}", timeout=20_000)
    assert page.locator("#waterfall-fico .waterfalllayer .point").count() == 8  # start, 5 factors, rounding, total
    # Hover a bar so plotly's hover code runs under the Content-Security-Policy too.
    bar = page.locator("#waterfall-rongcheng .waterfalllayer .point").nth(1)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#waterfall-rongcheng .hoverlayer .hovertext", timeout=5_000)

    move = page.locator("#move-fico")
    assert "To reach Good" in move.text_content()
    assert "Payment history" not in move.text_content()  # already excellent: never "improved"
    assert "Drop contact 1" in page.locator("#move-sesame_2015_described").text_content()
    assert "2024-01-10" in page.locator("#letter").input_value()

    _assert_clean(page)
    _assert_stayed_local(page)
    assert any(url.endswith("/static/plotly.min.js") for url in page.requests)


def test_model_and_simulator_pages_draw_cleanly(page, base_url):  # noqa: F811
    page.goto(base_url + "/simulate?people=5000")
    page.wait_for_function(
        "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", timeout=20_000)
    page.goto(base_url + "/model")
    page.locator('a[href="/model/rongcheng"]').first.click()
    page.wait_for_url(re.compile(r"/model/rongcheng$"))
    assert page.locator("#rule-bank_arrears_month").is_visible()
    _assert_clean(page)
    _assert_stayed_local(page)
