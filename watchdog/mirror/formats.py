"""Render canonical (zxgk detail shaped) SYNTHETIC records into each format the source has used.

- Baidu open-data resource 6899 (2015 to at least 2021): offset paging with `pn`/`rn`, every
  value a string, party type "0"/"1", dates as 20190709 and epoch seconds;
- zxgk 2026: the rolling person/unit lists (`getPersonList`, `getUnitList`) and the detail JSON
  (`disDetailNew`) with party type "580"/"581";
- the HTML pages the mirror answers with when a failure switch is on.

Bodies are bytes, ready to cache and send. Nothing here claims the records describe anyone.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any

CST = timezone(timedelta(hours=8))
BAIDU_PATHS = ("/8aQDcjqpAAV3otqbppnN2DJv/api.php", "/api.php")
PERSON_LIST_PATH = "/gkw/sx/getPersonList"
UNIT_LIST_PATH = "/gkw/sx/getUnitList"
# The 2026 detail API, the 2017-2024 one, and the old detail link Baidu records point at.
DETAIL_PATHS = ("/gkw/sx/disDetailNew", "/shixin/disDetailNew", "/detail")
BAIDU_FILTERS = ("iname", "cardNum", "areaName")
BAIDU_RN_MIN, BAIDU_RN_MAX, BAIDU_RN_DEFAULT = 10, 50, 10
LIST_PAGE_SIZE_DEFAULT, LIST_PAGE_SIZE_MAX = 20, 100
LAYOUT_FIELD = "newRiskLevel"  # the unknown field the `layout` failure switch adds
JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html;charset=UTF-8"
ROBOTS_TXT = b"User-agent: *\nAllow: /\n"


def to_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _cn_date(text: str) -> date | None:
    """'2019年07月13日' -> date; None for an empty or odd value."""
    try:
        return date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    except (ValueError, IndexError):
        return None


def epoch(d: date, hour: int = 0) -> int:
    """Seconds since 1970 of `hour`:00 China Standard Time on `d` (Baidu's publishDate)."""
    return int(datetime(d.year, d.month, d.day, hour, tzinfo=CST).timestamp())


def with_layout_change(rec: dict[str, Any], level: int) -> dict[str, Any]:
    """A record as a changed layout would serve it: one field nobody's parser knows."""
    return {**rec, LAYOUT_FIELD: ("低", "中", "高")[level % 3]}


def to_baidu(rec: dict[str, Any], base_url: str, day_date: date) -> dict[str, Any]:
    """One canonical record in Baidu 6899 conventions (all values strings, as Baidu served)."""
    out: dict[str, Any] = {"StdStg": 6899, "StdStl": 8}
    for key, value in rec.items():
        out[key] = "" if value is None else str(value)
    out["partyTypeName"] = "1" if rec.get("partyTypeName") == "581" else "0"
    reg = _cn_date(str(rec.get("regDate", "")))
    out["regDate"] = f"{reg:%Y%m%d}" if reg else ""
    pub = _cn_date(str(rec.get("publishDate", "")))
    out["publishDate"] = str(epoch(pub)) if pub else ""
    out.update({
        "type": "失信被执行人名单", "SiteId": 2004188, "_version": 1,
        # Links point back at the mirror, never at the portal, so nothing follows them off-box.
        "sitelink": f"{base_url}/", "loc": f"{base_url}/detail?id={rec.get('id')}",
        "lastmod": f"{day_date:%Y-%m-%d}T08:00:00", "_update_time": str(epoch(day_date, 8)),
    })
    return out


def baidu_body(records: Sequence[dict[str, Any]], pn: int, rn: int, *, base_url: str,
               day_date: date, layout: bool = False) -> bytes:
    """Baidu api.php JSON for offset `pn`, `rn` rows; `data: []` beyond the end, as Baidu did."""
    t = str(epoch(day_date, 8))
    page = records[pn:pn + rn] if pn >= 0 else []
    if not page:
        return to_json({"status": "0", "t": t, "set_cache_time": "", "data": []})
    rows = [to_baidu(with_layout_change(r, i) if layout else r, base_url, day_date)
            for i, r in enumerate(page)]
    block = {"StdStg": 6899, "StdStl": 8, "_update_time": t, "cambrian_appid": "0",
             "dispNum": len(records), "listNum": len(rows), "resNum": len(rows), "result": rows}
    return to_json({"status": "0", "t": t, "set_cache_time": "", "data": [block]})


def baidu_filter(records: Sequence[dict[str, Any]], filters: dict[str, str]) -> Sequence[dict[str, Any]]:
    """opendata.baidu.com's exact-match filters (iname, cardNum, areaName); none: everything."""
    if not filters:
        return records
    return [r for r in records if all(str(r.get(k, "")) == v for k, v in filters.items())]


def is_callback(cb: str) -> bool:
    """A JSONP callback name Baidu would accept (letters, digits, _ . $; not starting with a digit)."""
    return 0 < len(cb) <= 64 and cb[0].isalpha() and all(c.isalnum() or c in "_.$" for c in cb)


def jsonp(cb: str, body: bytes) -> bytes:
    return f"/**/{cb}(".encode() + body + b")"


def clamp_rn(raw: str | None) -> int:
    """Baidu served between 10 and 50 rows whatever `rn` asked for."""
    try:
        rn = int(raw) if raw not in (None, "") else BAIDU_RN_DEFAULT
    except ValueError:
        rn = BAIDU_RN_DEFAULT
    return max(BAIDU_RN_MIN, min(BAIDU_RN_MAX, rn))


def list_body(records: Sequence[dict[str, Any]], page: int, page_size: int,
              layout: bool = False) -> bytes:
    """zxgk 2026 rolling list page (1-based `page`); totalPage is at least 1, as on the portal."""
    start = (page - 1) * page_size
    rows = []
    for i, r in enumerate(records[start:start + page_size] if page >= 1 else []):
        row = {"iname": r["iname"], "cardNum": r["cardNum"], "caseCode": r["caseCode"], "id": r["id"]}
        rows.append(with_layout_change(row, i) if layout else row)
    total = len(records)
    return to_json({"data": rows, "currentPage": page,
                  "totalPage": max(1, -(-total // page_size)), "totalSize": total})


def detail_body(rec: dict[str, Any], layout: bool = False) -> bytes:
    """The detail JSON (canonical shape, party type 580/581)."""
    return to_json(with_layout_change(rec, int(rec.get("id", 0))) if layout else rec)


def _page(title: str, body: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body></html>\n").encode()


def block412_html(event_id: str) -> bytes:
    """The kind of page a RiverSecurity WAF sends with HTTP 412."""
    return _page("412 Precondition Failed", (
        '<div class="block"><h1>访问被拒绝</h1>'
        "<p>您的访问请求存在异常，已被安全防护系统拦截。</p>"
        "<p>Access denied: the request was blocked by the security policy.</p>"
        f'<p class="event">事件ID：{html.escape(event_id)}</p></div>'))


def baidu_captcha_html() -> bytes:
    """Baidu's anti-bot interstitial, served with HTTP 200 instead of the JSON."""
    return _page("百度安全验证", (
        '<div class="timeout"><p class="timeout-title">网络不给力，请稍后重试</p></div>'
        '<div class="passMod_dialog"><p>百度安全验证</p><p>请完成下方验证后继续操作</p>'
        '<form action="/_captcha"><label>请输入验证码</label><input name="vcode" id="vcode">'
        '<img src="/_captcha/image" alt="验证码"><button>提交</button></form></div>'))


def zxgk_captcha_html() -> bytes:
    """The portal's search form asking for the image code (no #result-block)."""
    return _page("中国执行信息公开网", (
        '<div class="search-form"><label for="yzm">验证码</label>'
        '<input id="yzm" name="pCode" placeholder="请输入验证码">'
        '<img id="captchaImg" src="/gkw/sx/captchaNew" alt="验证码"><p>请输入验证码</p></div>'))


def failure_page(failure: str, kind: str, event_id: str) -> tuple[int, bytes, str]:
    """(status, body, content type) a failure switch answers a `kind` (baidu/list/detail) with."""
    if failure == "block412":
        return 412, block412_html(event_id), HTML_TYPE
    if failure == "http500":
        return 500, error500_html(), HTML_TYPE
    if failure != "captcha":
        raise ValueError(f"{failure!r} changes the data page, it has no page of its own")
    if kind == "baidu":
        return 200, baidu_captcha_html(), HTML_TYPE
    if kind == "list":
        return 200, zxgk_captcha_html(), HTML_TYPE
    return 200, b"{}", JSON_TYPE  # on zxgk an empty object means the query's captcha expired


def error500_html() -> bytes:
    return _page("500 Internal Server Error",
                 "<h1>500 Internal Server Error</h1><p>服务器内部错误，请稍后再试。</p>")


def not_found_html() -> bytes:
    return _page("404 Not Found", "<h1>404 Not Found</h1><p>您访问的页面不存在。</p>")


def index_html(total_day: int, day: int, day_date: date) -> bytes:
    """Mirror home page: what is served here and that the data is synthetic."""
    paths = [
        f"{BAIDU_PATHS[0]}?resource_id=6899&amp;query=失信人&amp;pn=0&amp;rn=50&amp;ie=utf-8&amp;oe=utf-8",
        f"{BAIDU_PATHS[1]}?resource_id=6899&amp;query=失信人名单&amp;pn=0&amp;rn=50&amp;format=json",
        f"{PERSON_LIST_PATH}?page=1&amp;pageSize=20",
        f"{UNIT_LIST_PATH}?page=1&amp;pageSize=20",
        f"{DETAIL_PATHS[0]}?id=&lt;id&gt;&amp;caseCode=&lt;案号&gt;",
        "/robots.txt", "/_mirror/state (GET; POST JSON {day, failure, fail_from_page})",
    ]
    items = "".join(f"<li><code>{p}</code></li>" for p in paths)
    return _page("Scorewatch mirror: court_dishonest (SYNTHETIC DEMO DATA)", (
        "<h1>Scorewatch offline mirror: court_dishonest</h1>"
        "<p><strong>SYNTHETIC DEMO DATA.</strong> Every name, ID number, company and case on this "
        "server is generated; none of it is about any person or company. It copies only the URL "
        "paths, paging, formats and failure modes of the list of dishonest judgment debtors "
        "(zxgk and its Baidu open-data copy) so crawlers can be tested offline.</p>"
        f"<p>Publication day {day} ({day_date:%Y-%m-%d}): {total_day} listings.</p>"
        f"<ul>{items}</ul>"))
