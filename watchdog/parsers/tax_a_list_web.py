"""Reading saved or fetched web pages and CSV text: encodings, block pages, HTML tables.

Shared by the `tax_a_list`, `points_rules` and `perk_signals` parsers (named for the first of
them; it can move to `parsers/common` when another source needs it). Provincial tax pages come
in GBK as often as in UTF-8, files saved from Excel start with a BOM, and a body cut off by the
network ends inside a multi-byte character: all of that is settled here, once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml import html as lxml_html
from lxml.etree import ParserError, _Element

from watchdog.parsers.blocks import page_block_reason
from watchdog.parsers.errors import BlockedError, FormatError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_GBK_NAMES = {"gbk", "gb2312", "gb18030", "x-gbk", "cp936"}

# Pagers of paged list pages ("第 1/3 页", "共 5614 页 第 1 页"), read by `next_pages`.
_PAGE_OF = re.compile(r"第\s*(\d+)\s*/\s*(\d+)\s*页|(?<![\d/])(\d+)\s*/\s*(\d+)\s*页")
_CURRENT = re.compile(r"(?:当前)?第\s*(\d+)\s*页")
_TOTAL_PAGES = re.compile(r"共\s*(\d+)\s*页")
MAX_PAGES = 20000  # Heilongjiang had 524 pages in 2019, Beijing 5,614
_PAGE_PARAMS = ("currpage", "curPage", "page_num", "pageno", "pageNo", "page")


def decode_text(body: bytes) -> tuple[str, str, bool]:
    """(text, encoding, cut) for a body in UTF-8 (with or without BOM), GBK or GB18030.

    `cut` is True when the body ends inside a multi-byte character: the network stopped
    mid-body, and the caller should treat the last row as unreliable.
    """
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    hinted = _META_CHARSET.search(body[:2048])
    if hinted and hinted.group(1).decode("ascii").lower() in _GBK_NAMES:
        return _decode_gb(body)
    try:
        return body.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError as exc:
        if exc.start >= len(body) - 3 and exc.reason == "unexpected end of data":
            return body[: exc.start].decode("utf-8"), "utf-8", True
    return _decode_gb(body)


def _decode_gb(body: bytes) -> tuple[str, str, bool]:
    try:
        return body.decode("gb18030"), "gb18030", False
    except UnicodeDecodeError as exc:
        # Cut inside a character: one byte of a two-byte GBK character, or one to three bytes
        # of a four-byte GB18030 one (rare CJK characters in names), left at the very end.
        if exc.start >= len(body) - 1 or (exc.start >= len(body) - 3 and exc.end == len(body)
                                          and exc.reason == "incomplete multibyte sequence"):
            return body[: exc.start].decode("gb18030"), "gb18030", True
        raise FormatError("the body is neither UTF-8 nor GBK text") from None


def encode_like(text: str, encoding: str, had_bom: bool) -> bytes:
    """Encode text back the way it came (used when archiving a redacted copy)."""
    data = text.encode(encoding, "surrogateescape" if encoding == "utf-8" else "strict")
    return (b"\xef\xbb\xbf" + data) if had_bom else data


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype", "<html", "<head", "<meta", "<table", "<body", "<div",
                            "<?xml"))


def raise_if_blocked(text: str) -> None:
    """Raise `BlockedError` when the text is a block page or a captcha demand, not data.

    Asks the detector every source shares (`blocks.page_block_reason`), which also
    sees the WAF challenges that are all script (瑞数 `$_ts`, 加速乐 `__jsl_clearance`) and show
    no word a visible-text check could find."""
    if text.strip() in ("{}", ""):
        raise BlockedError("empty answer instead of the page (a block or an expired session)")
    if (reason := page_block_reason(text)) is not None:
        raise BlockedError(f"{reason} instead of data")


def html_doc(text: str) -> _Element:
    try:
        return lxml_html.document_fromstring(text)
    except (ParserError, ValueError) as exc:
        raise FormatError(f"not an HTML page: {str(exc)[:80]}") from None


def check_complete_html(text: str) -> None:
    """A page cut off by the network lacks its closing tag; its last rows cannot be trusted."""
    tail = text[-4096:].lower()
    if "</html>" not in tail and "</body>" not in tail:
        raise FormatError("the page ends before </html>: the body was cut off (truncated)")
    if "\x00" in text.rstrip("\x00\x1a"):
        # Never in a page a browser saved: a damaged copy. The parser would stop reading an
        # attribute or a cell there (a canonical link lost makes the page another page).
        raise FormatError("a NUL byte inside the page: a damaged copy")


def cell_text(el: _Element) -> str:
    text = " ".join(t.strip() for t in el.itertext() if t.strip())
    return " ".join(text.replace("\xa0", " ").replace("\u3000", " ").split())


_BLOCK_TAGS = frozenset(("address", "article", "aside", "blockquote", "br", "caption", "dd",
                         "div", "dl", "dt", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
                         "header", "hr", "li", "main", "nav", "ol", "p", "section", "table",
                         "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul"))
_SKIP_TAGS = frozenset(("script", "style", "noscript", "template"))


def page_text(doc: _Element) -> str:
    """Visible text of a page: one line per block element, inline elements (a, b, span, font)
    kept inside their sentence, scripts and styles left out."""
    parts: list[str] = []
    _walk(doc, parts)
    lines = (" ".join(line.replace("\xa0", " ").replace("\u3000", " ").split())
             for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _walk(el: _Element, parts: list[str]) -> None:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in _SKIP_TAGS:
        return
    block = tag in _BLOCK_TAGS
    if block:
        parts.append("\n")
    if tag and el.text:
        parts.append(el.text)
    for child in el:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append("\n")


def table_grid(table: _Element) -> list[list[str]]:
    """The table as rows of cell texts, with rowspan and colspan cells repeated where they
    reach (a category cell spanning five rows belongs to each of the five)."""
    grid: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows still to fill)
    for tr in _rows(table):
        row: list[str] = []
        col = 0
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
        queue = list(cells)
        while queue or col in pending:
            if col in pending:
                text, left = pending[col]
                row.append(text)
                if left <= 1:
                    del pending[col]
                else:
                    pending[col] = (text, left - 1)
                col += 1
                continue
            cell = queue.pop(0)
            text = cell_text(cell)
            span_c = _span(cell.get("colspan"))
            span_r = _span(cell.get("rowspan"))
            for _ in range(span_c):
                if span_r > 1:
                    pending[col] = (text, span_r - 1)
                row.append(text)
                col += 1
        grid.append(row)
    return grid


def _rows(table: _Element) -> Iterable[_Element]:
    # Rows of this table only, not of tables nested inside its cells.
    for el in table:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "tr":
            yield el
        elif tag in ("thead", "tbody", "tfoot"):
            yield from (r for r in el if isinstance(r.tag, str) and r.tag.lower() == "tr")


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 500))
    except ValueError:
        return 1


def next_pages(text: str, doc: Any, name: str | None) -> list[str]:
    """URLs of pages 2..n, read from the first page's pager ("第 1/3 页", "共 N 页 第 1 页")."""
    current, total = 1, None
    if m := _PAGE_OF.search(text):
        current, total = int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4))
    else:
        if m := _TOTAL_PAGES.search(text):
            total = int(m.group(1))
        if m := _CURRENT.search(text):
            current = int(m.group(1))
    if not name or not name.startswith("http") or not total or total <= 1 or current != 1:
        return []
    parts = urlsplit(name)
    query = parse_qsl(parts.query, keep_blank_values=True)
    param = next((k for k, _ in query if k in _PAGE_PARAMS), None)
    if param is None:
        hrefs = " ".join(doc.xpath("//a/@href"))
        param = next((p for p in _PAGE_PARAMS if f"{p}=" in hrefs), "currpage")
    base = [(k, v) for k, v in query if k != param]
    return [urlunsplit(parts._replace(query=urlencode([*base, (param, str(n))])))
            for n in range(2, min(total, MAX_PAGES) + 1)]
