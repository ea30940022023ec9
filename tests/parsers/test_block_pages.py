"""One block-page detector for every source (`blocks`).

A reviewer saved two WAF challenges that say nothing in words: a 加速乐 page (title "412", a
script setting `__jsl_clearance`) and a 瑞数 page (`$_ts` script, a meta token, an empty body).
gsxt and credit_china called them blocks; tax_a_list and points_rules reported "no table",
ofac_sdn, us_csl and worldbank_debarred "an HTML page, not the list": format errors, because
their own checks looked only at visible text or at a shorter list of markers. Every source now
asks the same detector, on its import and its crawl path alike, and a data page that merely
loads a WAF or captcha script is still read.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import REPO
from watchdog.mirror.formats import block412_html
from watchdog.parsers import tax_a_list
from watchdog.parsers.blocks import block_reason, page_block_reason
from watchdog.parsers.errors import BlockedError
from watchdog.parsers.registry import parser_for
from watchdog.privacy import Keyer

FIX = REPO / "tests" / "fixtures" / "block_pages"
KEYER = Keyer(b"test-secret-for-block-pages-0000")
PAGES = {"jsl_cookie_challenge_412.html": "cookie challenge page",
         "riversecurity_ts_empty_body.html": "RiverSecurity challenge page"}
# Every source whose parser is this reviewer's concern; perk_signals reads pages through the
# same `tax_a_list_web.raise_if_blocked` as points_rules, court_dishonest has its own parser.
SOURCES = ["gsxt", "credit_china", "tax_a_list", "points_rules", "ofac_sdn", "us_csl",
           "worldbank_debarred"]
SPIDERS = {"gsxt": "scrapers.spiders.gsxt:GsxtSpider",
           "credit_china": "scrapers.spiders.credit_china:CreditChinaSpider",
           "tax_a_list": "scrapers.spiders.tax_a_list:TaxAListSpider",
           "points_rules": "scrapers.spiders.points_rules:PointsRulesSpider",
           "ofac_sdn": "scrapers.spiders.ofac_sdn:OfacSdnSpider",
           "us_csl": "scrapers.spiders.us_csl:UsCslSpider",
           "worldbank_debarred": "scrapers.spiders.worldbank_debarred:WorldbankDebarredSpider"}
HEADER = "<tr><th>纳税人识别号</th><th>纳税人名称</th><th>评价年度</th><th>税务机关</th></tr>"
ROW = "<tr><td>{}</td><td>{}</td><td>2018</td><td>国家税务总局南昌市东湖区税务局</td></tr>"


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("source", SOURCES)
def test_script_only_challenges_are_blocks_for_every_source(source, page):
    with pytest.raises(BlockedError, match=PAGES[page]):
        parser_for(source).parse_bytes((FIX / page).read_bytes(), KEYER, name=page)


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("source", SOURCES)
def test_the_crawl_path_records_them_as_blocked(source, page, monkeypatch):
    """What a spider makes of the page (HTTP 200, as a WAF behind a CDN may answer): blocked
    with the reason, not an unreadable page (a partial crawl) and not an empty list."""
    import importlib

    monkeypatch.setenv("WATCHDOG_SECRET", "test-secret-for-block-pages")
    module, cls = SPIDERS[source].split(":")
    spider = getattr(importlib.import_module(module), cls)(base_url="http://127.0.0.1:1")
    url = f"http://127.0.0.1:1/{page}"
    item = spider.read_page(SimpleNamespace(url=url, status=200, body=(FIX / page).read_bytes(),
                                            headers={"Content-Type": b"text/html"}))
    assert item.blocked and PAGES[page] in item.blocked and not item.error
    assert not item.drafts


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_court_list_reads_them_as_blocks_too(page):
    from watchdog.parsers.court_dishonest import parse_bytes

    with pytest.raises(BlockedError):  # the 加速乐 page reads as zxgk's own "HTTP 412" block
        parse_bytes((FIX / page).read_bytes(), KEYER)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_one_detector_answers_both_questions(page):
    text = (FIX / page).read_text("utf-8")
    assert block_reason(text) == page_block_reason(text) == PAGES[page]


# -- what is not a block page -------------------------------------------------------------------

def test_last_page_of_a_list_behind_the_waf_keeps_its_rows():
    """RiverSecurity injects its `$_ts` script into the pages it lets through too: a short page
    of data rows is data, whatever script it loads."""
    ts = (FIX / "riversecurity_ts_empty_body.html").read_text("utf-8")
    script = ts[ts.index("<script>"):ts.index("</head>")]
    rows = (ROW.format("91360100MA35F17P03", "大新银行(中国)有限公司南昌分行")
            + ROW.format("91360100688504994E", "中国民生银行股份有限公司南昌分行"))
    page = f"<html><head>{script}</head><body><table>{HEADER}{rows}</table></body></html>"
    assert page_block_reason(page) is None
    out = tax_a_list.parse_bytes(page.encode(), KEYER)
    assert len(out.drafts) == 2 and not out.rejections


def test_a_long_page_loading_a_captcha_script_is_not_a_block():
    article = "<p>" + "芝麻信用分达到650分以上的用户可享受免押金租借服务。" * 120 + "</p>"
    page = f"<html><head><script>initGeetest({{}})</script></head><body>{article}</body></html>"
    assert block_reason(page) == "geetest captcha" and page_block_reason(page) is None


@pytest.mark.parametrize("text", [
    "纳税人识别号,纳税人名称\n91110108MA00000000,北京安全验证科技有限公司\n",
    "<html><body><p>请在下方表单填写手机验证码后提交申请。</p></body></html>",
])
def test_data_and_words_alone_are_not_blocks(text):
    assert page_block_reason(text) is None


@pytest.mark.parametrize(("page", "reason"), [
    (block412_html("1-x-1").decode("utf-8"), "HTTP 412 block page"),
    ("<html><body><p>请输入验证码</p><img src='/captcha.jpg'></body></html>", "captcha demand"),
    ("<html><body><form><label>验证码</label><input name='yzm'></form></body></html>",
     "captcha demand"),
    ("<html><head><title>Just a moment...</title></head><body><script "
     "src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script></body></html>",
     "Cloudflare challenge page"),
    ("<div><h1>Access Denied</h1><p>Reference #18.77</p></div>", "access refused page"),
])
def test_pages_that_are_blocks(page, reason):
    assert page_block_reason(page) == reason
