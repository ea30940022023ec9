"""Parser for `perk_signals`: partner pages that gate a perk on a Zhima (Sesame) score.

A page can state its thresholds in a table of perks, in running text, or both; an info box
(`<dl>` of labels and values) can name the partner and the date. Each threshold becomes one
observation: perk (mapped to a `zhima` regime perk id where the keywords allow), threshold as
published, comparison, the minimum score it means (and the maximum, for a range such as
"600分以上、700分以下"), what it says of the deposit, extra conditions, date, partner and page.

The record key is `perk:partner@page` (perk_signals_page): the perk and the partner, never the
number, so a changed threshold is a change of the same record; and the page, so two pages that
state different thresholds for one perk are two records, not one record flipping between them.
A statement of an upper bound alone ("不足600分") gates nothing and is reported as a rejection.

Articles name their authors and editors: `redact_bytes` replaces those names before archiving.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from lxml.etree import _Element

from watchdog.parsers import perk_signals_bounds as B
from watchdog.parsers import perk_signals_page as P
from watchdog.parsers import perk_signals_text as T
from watchdog.parsers import tax_a_list_web as web
from watchdog.parsers.base import Draft, ParsedFile, Rejection, company_key, subject
from watchdog.parsers.common import find_date
from watchdog.parsers.errors import FormatError
from watchdog.privacy import Keyer, person_token, redact_raw_bytes

_META_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_EN_MONTH = re.compile(r"\b(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w* (\d{4})"
                       r"|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w* (\d{1,2}),? (\d{4})")
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_BYLINE = re.compile(r"(作者|责任编辑|编辑|记者|撰稿|审核|Author|Editor|By)(\s*[:：]\s*|\s+)"
                     r"([\u4e00-\u9fff·]{2,8}|[A-Z][a-z]+(?: [A-Z][a-z]+){0,3})")
_BYLINE_BOX = re.compile(r"(<dt[^>]*>\s*(?:作者|责任编辑|编辑|记者|撰稿|Author|Editor)\s*[:：]?\s*</dt>"
                         r"\s*<dd[^>]*>\s*)([^<]{1,40}?)(\s*</dd>)", re.I)
ZHIMA_SUBJECT = ("scheme:zhima", "芝麻信用（未具名商户）Zhima Credit, merchant not named")


def parse_bytes(body: bytes, keyer: Keyer, *, name: str | None = None) -> ParsedFile:
    text, _, _ = web.decode_text(body)
    web.raise_if_blocked(text)
    if not web.looks_like_html(text):
        raise FormatError("not an HTML page: perk signals are read from partner web pages")
    web.check_complete_html(text)
    doc = web.html_doc(text)
    title = " ".join(t.strip() for t in doc.xpath("//title//text()") if t.strip())
    page = web.page_text(doc)
    P.raise_if_challenge(doc, title, page)
    info, unknown = _info_box(doc)
    table_signals = _table_signals(doc, unknown)
    # The title is the page text's first line: left out so a title alone is no statement.
    page = web.page_text(doc)  # again: the tables read above are gone from it
    first, _, rest = page.partition("\n")
    body_text = rest if title and " ".join(first.split()) == " ".join(title.split()) else page
    found = table_signals + T.signals_in_text(body_text, title)
    signals = [s for s in found if s["threshold"] is not None]
    out = ParsedFile(fmt="")
    for i, sig in enumerate(found):
        if sig["threshold"] is None:
            # "不足600分…", "below 600": a score under a number unlocks nothing we can compare.
            bound = "below" if sig["upper_comparator"] == "<" else "at most"
            out.rejections.append(Rejection(i, (
                f"statement {i + 1} gives only an upper bound (a score {bound} "
                f"{sig['upper_threshold']}), not a score a perk needs; not kept")))
    if not signals:
        why = " (only upper bounds, such as \"below N\")" if found else ""
        raise FormatError(f"no Zhima score threshold found on the page{why}")
    partner = info.get("partner") or T.partner_in(page)
    announced = _date(info.get("date")) or _page_date(doc, page)
    ref, shown = P.page_ref(doc, text, name=name, title=title,
                            publisher=P.publisher_of(doc, info.get("source"), page))
    han = len(re.findall(r"[\u4e00-\u9fff]", body_text))
    lang = "zh" if han * 3 > len(re.findall(r"[A-Za-z]", body_text)) else "en"
    out.fmt = f"html partner page ({lang}{', table' if table_signals else ''})"
    seen: dict[str, dict[str, Any]] = {}
    mapped = {_gate(s) for s in signals if s["perk_id"]}
    headings = " ".join(doc.xpath("//h1//text()"))
    for sig in signals:
        if not sig["perk_id"] and not sig["deposit"] and _gate(sig) in mapped:
            continue  # a headline repeating a threshold the text gives with its perk
        who = str(sig.get("partner") or partner or "") or None
        sig["perk_id"] = T.refine(sig["perk_id"], f"{title} {headings} {who or ''}")
        skey, sname = (company_key(name=who), who) if who else ZHIMA_SUBJECT
        perk_key = sig["perk_id"] or "x:" + _digest(str(sig["perk"]))
        key = f"{perk_key}:{skey}"
        number, comparator = int(sig["threshold"]), str(sig["comparator"])
        upper, upper_cmp = sig["upper_threshold"], sig["upper_comparator"]
        payload = {"perk_id": sig["perk_id"], "perk": sig["perk"], "threshold": number,
                   "comparator": comparator, "min_score": T.min_score(number, comparator),
                   "upper_threshold": upper, "upper_comparator": upper_cmp,
                   "max_score": T.max_score(int(upper), str(upper_cmp)) if upper else None,
                   "deposit": sig["deposit"], "conditions": sig["conditions"],
                   "announced": sig.get("date") or announced, "partner": who,
                   "page": shown, "page_title": title[:200], "language": lang}
        if key in seen:
            if (seen[key]["min_score"], seen[key]["max_score"]) == (
                    payload["min_score"], payload["max_score"]):
                continue
            key = f"{key}#{sum(1 for k in seen if k.split('#')[0] == key) + 1}"
        seen[key] = payload
        out.drafts.append(Draft(
            record_key=P.key_with_page(key, ref),
            subject=subject(skey, "company" if who else "scheme", name=sname),
            payload=payload, facets={"party_type": "company" if who else None},
            unknown_fields=dict(unknown),
            fields_present=sorted(k for k, v in payload.items() if v not in (None, [], ""))))
    return out


def _gate(sig: dict[str, Any]) -> tuple[Any, ...]:
    """What a statement gates on: the same bounds are the same gate, however worded."""
    return (sig["threshold"], sig["comparator"], sig.get("upper_threshold"),
            sig.get("upper_comparator"))


def redact_bytes(body: bytes, keyer: Keyer) -> bytes:
    """The page to archive, with the names after 作者/编辑/记者 (author, editor) replaced."""
    try:
        text, encoding, _ = web.decode_text(body)
    except FormatError:
        return redact_raw_bytes(body, keyer)  # not text we can read: remove too much

    def token(m: re.Match[str]) -> str:
        return m.group(1) + m.group(2) + person_token(keyer, keyer.name_key(m.group(3)))

    def box(m: re.Match[str]) -> str:
        return m.group(1) + person_token(keyer, keyer.name_key(m.group(2).strip())) + m.group(3)

    redacted = _BYLINE.sub(token, _BYLINE_BOX.sub(box, text))
    if redacted == text:
        return body
    return web.encode_like(redacted, encoding, body.startswith(b"\xef\xbb\xbf"))


def _info_box(doc: _Element) -> tuple[dict[str, str], dict[str, str]]:
    """Labels and values of `<dl>` boxes; labels we do not know are reported (names only)."""
    info: dict[str, str] = {}
    unknown: dict[str, str] = {}
    for dl in doc.iter("dl"):
        label: str | None = None
        for el in dl:
            tag = el.tag.lower() if isinstance(el.tag, str) else ""
            if tag == "dt":
                label = web.cell_text(el)
            elif tag == "dd" and label:
                field = T.label_field(label)
                if field is None:
                    unknown[label] = "string"
                elif field != "author":  # a person's name: never kept
                    info.setdefault(field, web.cell_text(el))
                label = None
    return info, unknown


def _table_signals(doc: _Element, unknown: dict[str, str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for table in list(doc.iter("table")):
        grid = web.table_grid(table)
        if not grid:
            continue
        fields = [T.label_field(h) for h in grid[0]]
        if "threshold" not in fields or "perk" not in fields:
            continue
        for h, f in zip(grid[0], fields, strict=True):
            if f is None and h.strip():
                unknown[h.strip()] = "string"
        used = False
        for cells in grid[1:]:
            row = {f: v for f, v in zip(fields, cells, strict=False) if f and v}
            cell = row.get("threshold", "")
            gates = B.gates(cell) or B.gates(cell + "分")  # a bare "600" in a score column
            if not gates or not row.get("perk"):
                continue
            used = True
            text = " ".join(row.get(k, "") for k in ("perk", "conditions", "notes"))
            sig = T.signal(gates[0], T.perk_of(row["perk"]) or T.perk_of(text), row["perk"],
                           text, text)
            found.append({**sig, "date": _date(row.get("date")), "partner": row.get("partner")})
        if used:
            table.drop_tree()  # read once: its cells must not be read again as running text
    return found


def _page_date(doc: _Element, page: str) -> str | None:
    for value in doc.xpath("//meta[@name='PubDate' or @name='pubdate' or @name='publishdate' or "
                           "@property='article:published_time']/@content|//time/@datetime"):
        if m := _META_DATE.search(value):
            return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    return _date(page[:3000])


def _date(text: str | None) -> str | None:
    if not text:
        return None
    day = find_date(text)
    if day:
        return day.isoformat()
    if m := _EN_MONTH.search(text):
        d, mon, y = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], m[6])
        return f"{int(y):04d}-{_MONTHS.index(mon[:3]) + 1:02d}-{int(d):02d}"
    return None


def _digest(text: str) -> str:
    # Without digits: the perk stays the same record when its threshold changes.
    plain = re.sub(r"\d+", "#", T.norm(text).lower())
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()[:12]
