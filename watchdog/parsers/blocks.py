"""The one block-page detector every source's parser asks (import and crawl alike).

It began as Credit China's and gsxt's and now holds every marker the sources have shown: the
Chinese WAFs (瑞数/RiverSecurity `$_ts` 412 pages, 加速乐 `__jsl_clearance` cookie scripts,
Alibaba Cloud, Yunsuo, Safedog), captcha demands (image codes, geetest, sliders), the Western gateways in front of the
foreign lists (Cloudflare, AWS WAF, Incapsula) and what their block pages say. A block page is
"blocked", never "not listed" and never a format error (reference/sources.md 12.4).

Two questions, for two kinds of body:
- `block_reason(text)`: a body that cannot be data (HTML where the list is CSV, XML or JSON; text
  where JSON was due; a page its parser found nothing on): any marker, scripts included.
- `page_block_reason(text)`: a page that may hold data (a tax list table, a points table, a
  partner's article), asked before it is parsed. A data page can load a captcha or WAF script
  and carry a 验证码 field (gsxt loads geetest on every page), so the answer is more careful.
`check_block_text` and `check_block_page` raise `BlockedError` with the reason.
"""

from __future__ import annotations

import html
import re

from watchdog.parsers.errors import BlockedError

# What block, challenge and captcha pages carry instead of data, and the reason each gives, in
# the order they are tried. Kinds: "src", a WAF challenge script or captcha widget: such a page
# shows nothing to read (瑞数's is script and an empty body, 加速乐's a cookie script and "412"),
# so the marker is looked for in the source; "say", what a block page tells its reader; "word",
# a captcha word that a data page may carry too (a query form's 验证码 field).
_BLOCK_MARKERS: tuple[tuple[str, str, str], ...] = tuple(
    (marker.lower(), reason, kind) for marker, reason, kind in (
        ("$_ts", "RiverSecurity challenge page", "src"),
        ("__jsl_clearance", "cookie challenge page", "src"),
        ("__jsluid", "cookie challenge page", "src"),
        ("acw_sc__v2", "Alibaba Cloud WAF challenge page", "src"),
        ("yunsuo_session_verify", "Yunsuo WAF challenge page", "src"),
        ("wzws_cid", "WAF challenge page", "src"),
        ("safedog", "Safedog WAF page", "src"),
        ("location.href=location.pathname", "cookie challenge page (加速乐)", "src"),
        ("412 Precondition", "HTTP 412 block page", "say"),
        ("请刷新后重试", "the site asks to reload (captcha)", "say"),
        ("verify/getVerify", "captcha demand", "src"), ("vcodeimg", "captcha demand", "src"),
        ("initGeetest", "geetest captcha", "src"), ("geetest_", "geetest captcha", "src"),
        ("请输入验证码", "captcha demand", "say"), ("验证码", "captcha demand", "word"),
        ("访问过于频繁", "rate limit page", "say"), ("安全验证", "captcha demand", "say"),
        ("安全防护系统拦截", "WAF block page", "say"), ("访问被拒绝", "access refused page", "say"),
        ("请完成下方验证", "captcha demand", "say"), ("拖动下方滑块", "slider captcha", "say"),
        ("滑动验证", "slider captcha", "say"),
        ("challenge-platform", "Cloudflare challenge page", "src"),
        ("cf-chl", "Cloudflare challenge page", "src"),
        ("cf_chl", "Cloudflare challenge page", "src"),
        ("awswaf", "AWS WAF challenge page", "src"),
        ("aws-waf-token", "AWS WAF challenge page", "src"),
        ("incapsula", "Incapsula block page", "src"),
        ("Please complete the security check", "captcha demand", "say"),
        ("human verification", "captcha demand", "say"),
        ("verify you are human", "captcha demand", "say"),
        ("verify you are a human", "captcha demand", "say"),
        ("are you a robot", "captcha demand", "say"),
        ("unusual traffic", "rate limit page", "say"),
        ("access denied", "access refused page", "say"),
        ("request rejected", "request rejected page", "say"),
        ("the requested url was rejected", "request rejected page", "say"),
        ("too many requests", "rate limit page", "say"),
        ("rate limit exceeded", "rate limit page", "say"),
        ("captcha", "captcha demand", "word"),
    ))
# HTTP statuses that are a refusal, not an error: blocked, never "not listed" (the spiders
# read them from the response; a parser from a saved page whose title is only the status).
BLOCK_STATUSES = {403: "HTTP 403 refused", 412: "HTTP 412 block page", 429: "HTTP 429 rate limit"}
_HTML_START = re.compile(r"^\s*(<!doctype|<html|<head|<body|<script|<meta|<title)", re.I)
_HIDDEN = re.compile(r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->",
                     re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_CAPTCHA_FIELD = re.compile(r"<(input|img)[^>]+(captcha|yzm|vcode|verify)", re.I)
_ROW = re.compile(r"<tr[\s>]", re.I)
_CELL = re.compile(r"<td[\s>]", re.I)
HEAD = 20000            # only the head of a body is searched
BLOCK_PAGE_TEXT = 3000  # a block page says little besides its marker; data pages say more
CHALLENGE_TEXT = 500    # a challenge page is script: next to nothing shows


def looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text)) or "<table" in text[:5000].lower()


def block_reason(text: str) -> str | None:
    """Why a body that cannot be data reads as a block, challenge or captcha page, or None:
    the first marker anywhere in its head, scripts included."""
    head = text[:HEAD].lower()
    return next((reason for marker, reason, _ in _BLOCK_MARKERS if marker in head), None)


def challenge_reason(source: str) -> str | None:
    """Which WAF challenge or captcha widget a page's scripts load, or None (the "src" markers
    only: what a page says is for `page_block_reason`)."""
    head = source[:HEAD].lower()
    return next((reason for marker, reason, kind in _BLOCK_MARKERS
                 if kind == "src" and marker in head), None)


def check_block_text(text: str) -> None:
    """Raise BlockedError when a body that carries no data is a block or captcha page."""
    if (reason := block_reason(text)) is not None:
        raise BlockedError(reason)


def visible_text(page: str) -> str:
    """What a page shows: scripts, styles, comments and tags out, whitespace collapsed."""
    return " ".join(html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", page))).split())


def page_block_reason(text: str) -> str | None:
    """Why a page that may hold data is a block page, or None. A page showing more than a block
    page says is never one; what the page says counts; a captcha word only beside a captcha
    field; a challenge script only on a page that shows next to nothing and has no table rows
    (the last page of a list behind a WAF that injects its script keeps its three rows)."""
    head = text[:HEAD]
    page = head.lstrip().startswith("<") or looks_like_html(head)  # markup, whatever its tag
    if not page and "验证码" not in head:
        return None  # CSV or other data: a company named 安全验证科技 is no block page
    shown = visible_text(head) if page else " ".join(head.split())
    if len(shown) > BLOCK_PAGE_TEXT:
        return None
    said, source = shown.lower(), head.lower()
    quiet = len(shown) <= CHALLENGE_TEXT and not (
        len(_ROW.findall(head)) >= 2 and len(_CELL.findall(head)) >= 2)
    for marker, reason, kind in _BLOCK_MARKERS:
        if kind == "say" and marker in said:
            return reason
        if kind == "word" and marker in said and _CAPTCHA_FIELD.search(head):
            return reason
        if kind == "src" and quiet and marker in source:
            return reason
    return None


def check_block_page(text: str) -> None:
    """Raise BlockedError when a page that may hold data is a block page (`page_block_reason`)."""
    if (reason := page_block_reason(text)) is not None:
        raise BlockedError(reason)
