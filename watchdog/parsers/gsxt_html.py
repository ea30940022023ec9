"""Reading gsxt HTML pages into sections: label/value blocks, titled tables and their rows.

The provincial layouts of 2016-2017 put the same information in different shapes: a title row
inside the table (Beijing, Guangxi), a title in a paragraph above it (the 2017 provincial page),
header rows of `th` or of `td class="bg title"` (Tianjin), data rows in a second table after the
header table (Guangxi `excTab`), label/value pairs in alternating `th`/`td` cells or in one cell
as "· 法定代表人 ：宋某某". This module reduces all of them to `Section`s and `pairs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml.etree import ParserError

from watchdog.parsers.errors import FormatError
from watchdog.parsers.gsxt_fields import BASIC, clean_label

_NO_DATA = re.compile(r"^暂无|^无$|^没有")
_PAIR_IN_CELL = re.compile(r"^[·\s\u00a0]*([^：:]{2,20}?)\s*[：:]\s*(.*)$", re.S)
_ENT_INFO = re.compile(r"openEntInfo\(\s*'([^']*)'\s*,\s*'([^']*)'\s*,\s*'([^']*)'\s*,\s*'([^']*)'")
_TOTAL = re.compile(r"记录总数\s*(\d+)\s*条")
_HEAD_CODE = re.compile(r"(统一社会信用代码/注册号|统一社会信用代码|注册号)\s*[：:]\s*([0-9A-Z]{9,18})")


@dataclass
class Section:
    title: str | None
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    links: list[tuple[str, str, str, str] | None] = field(default_factory=list)


@dataclass
class Page:
    pairs: dict[str, str] = field(default_factory=dict)     # basic information, label -> value
    unknown_pairs: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    key_persons: list[tuple[str, str]] = field(default_factory=list)  # (name, position)
    heading: str = ""
    hidden: dict[str, str] = field(default_factory=dict)    # hidden inputs: paging state
    total: int | None = None                                # "记录总数N条" on a list page


def _text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().replace("\u00a0", " ").split())


def _is_head(cell: lxml.html.HtmlElement) -> bool:
    return cell.tag == "th" or "title" in (cell.get("class") or "")


def read_page(text: str) -> Page:
    try:
        doc = lxml.html.fromstring(text)
    except (ParserError, ValueError) as exc:
        raise FormatError(f"not readable as HTML: {exc}") from None
    page = Page()
    if total := _TOTAL.search(text):
        page.total = int(total[1])
    heads = doc.xpath("//h2")
    page.heading = _text(heads[0]) if heads else ""
    for inp in doc.xpath("//input[@type='hidden']"):
        key = inp.get("id") or inp.get("name")
        if key:
            page.hidden[key] = inp.get("value") or ""
    pending: Section | None = None
    for table in doc.iter("table"):
        section = _read_table(table, page)
        if section is None:
            continue
        if not section.header and pending is not None and section.rows:
            # Guangxi and the 2017 layout: the rows follow in a table of their own.
            pending.rows += section.rows
            pending.links += section.links
            pending = None
            continue
        if section.header or section.rows:
            page.sections.append(section)
        pending = section if section.header and not section.rows else None
    for box in doc.xpath("//div[contains(@class,'keyPerInfo')]"):
        parts = [_text(p) for p in box.xpath(".//p") if _text(p)]
        pair = (parts[0], parts[1] if len(parts) > 1 else "") if parts else None
        if pair and pair not in page.key_persons:  # the layout prints each card twice
            page.key_persons.append(pair)
    return page


def _rows(table: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return table.xpath("./tr|./tbody/tr|./thead/tr")


def _read_table(table: lxml.html.HtmlElement, page: Page) -> Section | None:
    rows = _rows(table)
    if not rows:
        return None
    title = _outside_title(table)
    section = Section(title=title, header=[])
    for i, tr in enumerate(rows):
        cells = [c for c in tr if c.tag in ("td", "th")]
        if not cells:
            continue
        texts = [_text(c) for c in cells]
        if not any(_is_head(c) for c in cells) and _cell_pairs(page, texts):
            continue
        if len(cells) == 1:
            if i == 0 and texts[0] and not _NO_DATA.match(texts[0]):
                section.title = texts[0]
            continue  # "暂无...", paging rows
        heads = [_is_head(c) for c in cells]
        if all(heads) and not section.header and not section.rows:
            section.header = [clean_label(t) for t in texts]
        elif any(heads) and not all(heads) and len(cells) % 2 == 0 and heads[0]:
            _pairs(page, texts)
        elif not any(heads):
            section.rows.append(texts)
            match = next((m for c in cells for a in c.iter("a")
                          if (m := _ENT_INFO.search(a.get("onclick") or ""))), None)
            section.links.append(match.groups() if match else None)
    return section


def _outside_title(table: lxml.html.HtmlElement) -> str | None:
    found = table.xpath("preceding::p[contains(@class,'mainPerText')][1]//span[1]")
    return _text(found[0]) if found else None


def _pairs(page: Page, texts: list[str]) -> None:
    for label, value in zip(texts[::2], texts[1::2], strict=True):
        _pair(page, clean_label(label), value)


def _pair(page: Page, label: str, value: str) -> None:
    if not label:
        return
    if label in BASIC:
        page.pairs.setdefault(label, value.strip())
    else:
        page.unknown_pairs.append(label)


def _cell_pairs(page: Page, texts: list[str]) -> bool:
    """Cells written as "· label ：value" (the 2017 provincial layout); True if all were."""
    found = [(m[1], m[2]) for t in texts if (m := _PAIR_IN_CELL.match(t))]
    if not found or len(found) != len(texts) or clean_label(found[0][0]) not in BASIC:
        return False
    for label, value in found:
        _pair(page, clean_label(label), value)
    return True


def heading_identity(heading: str) -> tuple[str | None, str | None]:
    """(name, code) from a page heading: "NAME 统一社会信用代码：CODE ..."."""
    m = _HEAD_CODE.search(heading)
    if not m:
        return None, None
    name = heading[: m.start()].strip(" >\u00a0")
    return (name or None), m[2]
