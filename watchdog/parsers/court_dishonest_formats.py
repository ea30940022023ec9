"""File and response formats of the list of dishonest judgment debtors (see sources.md section 2).

Recognises the shapes a court-list body comes in, finds the records inside them, and tells a
block or captcha page from data. Record-level parsing is in `court_dishonest`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from watchdog.parsers.blocks import block_reason as shared_block_reason
from watchdog.parsers.errors import BlockedError, FormatError

DETAIL, DETAIL_LIST, SEARCH, BAIDU, ZXGK_LIST, ZHIXING_LEGACY = (
    "detail", "detail_list", "search", "baidu", "zxgk_list", "zhixing_legacy",
)
FORMATS = (DETAIL, DETAIL_LIST, SEARCH, BAIDU, ZXGK_LIST, ZHIXING_LEGACY)

# Keys of a zxgk detail (disDetail / disDetailNew); search and rolling-list rows use a subset.
ZXGK_KEYS = frozenset({
    "id", "iname", "caseCode", "age", "sexy", "focusNumber", "cardNum", "courtName", "areaName",
    "areaNameNew", "partyTypeName", "gistId", "regDate", "gistUnit", "duty", "performance",
    "performedPart", "unperformPart", "disruptTypeName", "publishDate", "publishDateStamp",
    "businessEntity",
})
# Keys the Baidu open-data mirror adds to every record (index metadata, not listing content).
BAIDU_KEYS = frozenset({
    "StdStg", "StdStl", "type", "sitelink", "loc", "lastmod", "_update_time", "_version",
    "SiteId", "_select_time", "cambrian_appid", "changefreq", "priority", "title", "xzhId",
})
# 被执行人 (zhixing) records: every enforcement respondent, not the dishonest-debtor list.
_ZHIXING_CN_KEYS = frozenset({
    "案号", "被执行人", "被执行人地址", "执行标的金额（元）", "执行标的金额(元)", "执行标的",
    "申请执行人", "承办法院、联系电话", "执行法院", "立案时间",
})
_ZHIXING_EN_KEYS = frozenset({"pname", "partyCardNum", "execCourtName", "execMoney",
                              "caseCreateTime", "caseState"})
ZHIXING_REASON = ("被执行人 (zhixing) record: an enforcement respondent, not a listing on the list "
                  "of dishonest judgment debtors")
_BAIDU_ONLY = BAIDU_KEYS - ZXGK_KEYS
_PAGE_KEYS = ("totalPage", "totalSize", "currentPage")
_BAIDU_ITEM_KEYS = ("result", "disp_data", "dispNum", "resNum", "listNum", "StdStg")

# Block, captcha and WAF pages (zxgk: 412 + RiverSecurity cookies, image and Tianai captchas).
_BLOCK_MARKERS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), reason) for pattern, reason in (
        (r"验证码", "captcha page (验证码)"),
        (r"安全验证", "security check page (安全验证)"),
        (r"访问被拒绝", "access denied page (访问被拒绝)"),
        (r"RiverSecurity|lqWVdQzgOVya", "RiverSecurity WAF challenge"),
        (r"TianaiCaptcha", "behavioural captcha (Tianai)"),
        (r"(?<!\d)412(?!\d)|Precondition Failed", "HTTP 412 block page"),
        (r"(?<!\d)429(?!\d)|Too Many Requests", "HTTP 429 rate-limit page"),
        (r"(?i)access denied", "access denied page"),
    )
)
_JSONP = re.compile(r"^\s*[\w.$]+\s*\((?P<body>.*)\)\s*;?\s*$", re.DOTALL)


def is_zhixing(record: object) -> bool:
    """A 被执行人 record (Chinese column names, or pname/execMoney without iname)."""
    if not isinstance(record, dict):
        return False
    if "案号" in record or len(_ZHIXING_CN_KEYS.intersection(record)) >= 2:
        return True
    return "iname" not in record and bool(_ZHIXING_EN_KEYS.intersection(record))


def _is_detail(record: object) -> bool:
    return isinstance(record, dict) and not is_zhixing(record) and (
        "caseCode" in record or "iname" in record)


def _is_baidu_record(record: object) -> bool:
    """One record of a Baidu answer saved on its own (a line of a JSON Lines file, an item of
    a list): a listing carrying the mirror's index metadata."""
    return (isinstance(record, dict) and _is_detail(record)
            and len(_BAIDU_ONLY.intersection(record)) >= 2)


def _is_search_page(obj: object) -> bool:
    return (isinstance(obj, dict) and isinstance(obj.get("result"), list)
            and any(k in obj for k in _PAGE_KEYS))


def _describe_keys(obj: dict) -> str:
    keys = sorted(str(k)[:20] for k in obj)
    return ", ".join(keys[:8]) + (", …" if len(keys) > 8 else "")


def _detect_dict(obj: dict) -> str:
    if not obj:
        raise FormatError("empty object {}: on zxgk this means the captcha expired")
    data = obj.get("data")
    if "status" in obj and isinstance(data, list):
        if str(obj["status"]) != "0":
            raise FormatError(f"Baidu open-data error status {str(obj['status'])[:20]!r}")
        return BAIDU
    if isinstance(data, list) and any(
            isinstance(item, dict) and any(k in item for k in _BAIDU_ITEM_KEYS) for item in data):
        return BAIDU
    if _is_search_page(obj):
        return SEARCH
    if isinstance(data, list) and all(_is_detail(item) for item in data):
        return ZXGK_LIST
    if is_zhixing(obj):
        return ZHIXING_LEGACY
    if _is_baidu_record(obj):
        return BAIDU
    if _is_detail(obj):
        return DETAIL
    raise FormatError(f"unrecognised JSON object (keys: {_describe_keys(obj)})")


def detect_format(obj: object) -> str:
    """Name the format of a parsed court-list JSON file; `FormatError` if it is none of them.

    detail, detail_list, search (`[{"result":[…], "totalPage", …}]` or unwrapped), baidu
    (`{"status":"0","data":[{"result"|"disp_data":[…]}]}`, or its records saved on their own:
    one, or a list of them), zxgk_list (2026 rolling list
    `{"data":[{iname,cardNum,caseCode,id}]}`), zhixing_legacy (被执行人 records: recognised so they
    can be rejected with a clear reason).
    """
    if isinstance(obj, dict):
        return _detect_dict(obj)
    if isinstance(obj, list):
        if not obj:
            raise FormatError("empty JSON array: no records and no paging information")
        if all(_is_search_page(item) for item in obj):
            return SEARCH
        if all(is_zhixing(item) for item in obj):
            return ZHIXING_LEGACY
        if all(_is_baidu_record(item) for item in obj):
            return BAIDU
        if any(_is_detail(item) for item in obj):
            return DETAIL_LIST
        raise FormatError("JSON array holds no court-list records")
    raise FormatError(f"JSON top level is {type(obj).__name__}, not an object or array")


def iter_raw_records(obj: object, fmt: str) -> Iterator[tuple[int, object]]:
    """(index, raw record) for every record of a file in format `fmt`, in file order."""
    items: list[object]
    if fmt in (DETAIL, ZHIXING_LEGACY) and isinstance(obj, dict):
        items = [obj]
    elif fmt in (DETAIL_LIST, ZHIXING_LEGACY) and isinstance(obj, list):
        items = list(obj)
    elif fmt == SEARCH:
        pages = obj if isinstance(obj, list) else [obj]
        items = [row for page in pages if isinstance(page, dict)
                 for row in page.get("result") or []]
    elif fmt == BAIDU and (isinstance(obj, list) or _is_baidu_record(obj)):
        items = [obj] if isinstance(obj, dict) else list(obj)  # records saved on their own
    elif fmt == BAIDU and isinstance(obj, dict):
        items = []
        for item in obj.get("data") or []:
            if not isinstance(item, dict):
                items.append(item)
                continue
            rows = item.get("result") or item.get("disp_data")
            if isinstance(rows, list):
                items.extend(rows)
            elif "iname" in item or "caseCode" in item:
                items.append(item)
    elif fmt == ZXGK_LIST and isinstance(obj, dict):
        items = list(obj.get("data") or [])
    else:
        raise FormatError(f"{fmt!r} is not a court-list format for this object")
    yield from enumerate(items)


def declared_total(obj: object, fmt: str) -> int | None:
    """The total number of records the response says exist (search totalSize, Baidu dispNum).

    Used by the spider to tell a complete crawl from a partial one; None when not stated.
    """
    if fmt == SEARCH:
        pages = obj if isinstance(obj, list) else [obj]
        values = [page.get("totalSize") for page in pages if isinstance(page, dict)]
    elif fmt == BAIDU and isinstance(obj, dict):
        values = [item.get("dispNum") for item in obj.get("data") or [] if isinstance(item, dict)]
    else:
        return None
    for value in values:
        try:
            return int(str(value))
        except ValueError:
            continue
    return None


def decode_body(body: bytes) -> str:
    """UTF-8 (with or without BOM), else GBK (read as its superset GB18030)."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Cut inside a multi-byte character: still UTF-8 (a truncated body), not GBK.
        if exc.start >= len(body) - 3:
            return body.decode("utf-8", "replace")
    try:
        return body.decode("gb18030")
    except UnicodeDecodeError:
        raise FormatError("body is neither UTF-8 nor GBK text") from None


def block_reason(text: str) -> str | None:
    """Why a body is a block/captcha page, or None if it does not look like one: zxgk's own
    markers, then those every source shares (a 加速乐 or 瑞数 challenge is script only)."""
    for pattern, reason in _BLOCK_MARKERS:
        if pattern.search(text):
            return reason
    return shared_block_reason(text)


def load_json(body: bytes) -> object:
    """Decode and parse a body; `BlockedError` for block pages, `FormatError` for the rest."""
    if not body.strip():
        raise FormatError("empty body")
    text = decode_body(body)
    if jsonp := _JSONP.match(text):
        text = jsonp["body"]
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # A body that starts as JSON is a broken answer, not a block page: record text such as
        # a case number 执412号 must not read as "HTTP 412".
        looks_json = text.lstrip()[:1] in ("{", "[")
        if not looks_json and (reason := block_reason(text)):
            raise BlockedError(reason) from None
        if text.lstrip().startswith("<"):
            raise FormatError("HTML page instead of JSON (changed layout?)") from None
        raise FormatError(
            f"invalid JSON ({exc.msg} at char {exc.pos} of {len(text)}; truncated body?)"
        ) from None
