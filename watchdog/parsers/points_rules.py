"""Parser for `points_rules`: a local points scheme's published rule table (Rongcheng).

Reads every table on the page whose header names a wording or item column and a points column
(headers in Chinese or English, matched by name and synonym, in any order), with merged category
cells carried down. The table's key is `scheme:language`, the language being that of the rules'
wording, never of the headers. Each row becomes one rule observation; one more observation stands for the table
as a whole (title, date, which rules it holds), so the audit can say that a modelled rule is
missing from it. Rows are mapped to the `rongcheng` regime's rule ids by their wording.

The page names no person: no `redact_bytes`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from lxml.etree import _Element

from watchdog.parsers import points_rules_map as M
from watchdog.parsers import tax_a_list_web as web
from watchdog.parsers.base import Draft, ParsedFile, Rejection, subject
from watchdog.parsers.common import find_date
from watchdog.parsers.errors import FormatError
from watchdog.privacy import Keyer

_EN_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
SCHEME_NAMES = {"rongcheng": "荣成市个人信用积分（海贝分） Rongcheng personal credit points",
                "weihai": "威海市个人信用积分 Weihai personal credit points"}


def parse_bytes(body: bytes, keyer: Keyer, *, name: str | None = None) -> ParsedFile:
    text, _, _ = web.decode_text(body)
    web.raise_if_blocked(text)
    if not web.looks_like_html(text):
        raise FormatError("not an HTML page: a points table is read from its web page")
    web.check_complete_html(text)
    doc = web.html_doc(text)
    title = " ".join(t.strip() for t in doc.xpath("//title//text()|//h1//text()") if t.strip())
    page = web.page_text(doc)
    scheme = M.scheme_of(title) or M.scheme_of(page[:2000]) or "unknown"
    published = _published(doc, page)
    rows: list[dict[str, Any]] = []
    unknown: dict[str, str] = {}
    for table in doc.iter("table"):
        found = _read_table(table, unknown)
        if found:
            rows += found
    if not rows:
        raise FormatError("no table with a wording and a points column on the page")
    lang = _language(rows)
    out = ParsedFile(fmt=f"html points table ({lang})")
    subj = subject(f"scheme:{scheme}", "scheme", name=SCHEME_NAMES.get(scheme, title[:120]))
    seen: dict[str, int] = {}
    drafts: list[Draft] = []
    for i, row in enumerate(rows):
        if not (row.get("wording") or row.get("item")):
            out.rejections.append(Rejection(i, "row has neither an item nor a wording"))
            continue
        payload = _payload(row, scheme)
        rid = payload["rule_id"]
        base = f"{scheme}:{lang}:{rid}" if rid else f"{scheme}:{lang}:x:{_digest(payload)}"
        if base in seen:
            prior = drafts[seen[base]]
            if _same_value(prior.payload, payload):
                # One rule published over two rows (Rongcheng's bank arrears and card overdrafts).
                prior.payload["wording"] = f"{prior.payload['wording']}; {payload['wording']}"
                continue
            base = f"{base}#{sum(1 for k in seen if k.split('#')[0] == base) + 1}"
        seen[base] = len(drafts)
        drafts.append(Draft(record_key=base, subject=subj, payload=payload,
                            facets={"province": "山东" if scheme in SCHEME_NAMES else None},
                            unknown_fields=dict(unknown),
                            fields_present=sorted(k for k, v in row.items() if v and k != "_sign")))
    ids = sorted({d.payload["rule_id"] for d in drafts if d.payload["rule_id"]})
    table_payload = {"kind": "table", "scheme": scheme, "language": lang, "title": title[:200],
                     "published": published, "rules": len(drafts), "rule_ids": ids,
                     "unmapped": sum(1 for d in drafts if not d.payload["rule_id"])}
    drafts.append(Draft(record_key=f"{scheme}:{lang}:table", subject=subj, payload=table_payload,
                        facets=dict(drafts[0].facets) if drafts else {},
                        unknown_fields=dict(unknown), fields_present=["title"]))
    out.drafts = drafts
    return out


def _language(rows: list[dict[str, Any]]) -> str:
    """The language of the rules themselves (their wording and items), which says which
    publication the table is: the Chinese original or the English translation. Not the
    headers: a copy of the translation with Chinese headers is still the translation, and its
    rules must keep their records (`rongcheng:en:...`), not start a second table."""
    text = " ".join(str(r.get(k) or "") for r in rows for k in ("wording", "item"))
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    return "zh" if han * 3 > len(re.findall(r"[A-Za-z]", text)) else "en"


def _published(doc: _Element, page: str) -> str | None:
    for meta in doc.xpath("//meta[@name='PubDate' or @name='pubdate' or @property="
                          "'article:published_time']/@content|//time/@datetime"):
        if m := _EN_DATE.search(meta):
            return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"
    day = find_date(page[:3000])
    return day.isoformat() if day else None


def _context(table: _Element) -> str:
    """Caption and the heading just before the table: they say deductions or additions."""
    parts = [web.cell_text(c) for c in table.xpath("./caption")]
    prev = table.getprevious()
    for _ in range(3):
        if prev is None:
            break
        parts.append(web.cell_text(prev))
        prev = prev.getprevious()
    return " ".join(parts)


def _read_table(table: _Element, unknown: dict[str, str]) -> list[dict[str, Any]]:
    grid = web.table_grid(table)
    heads = [[M.header_field(h) for h in row] for row in grid[:4]]
    at = next((i for i, f in enumerate(heads) if "points" in f and {"wording", "item"} & set(f)),
              None)
    if at is None:
        return []
    header, fields = grid[at], heads[at]
    for h, f in zip(header, fields, strict=True):
        if f is None and h.strip():
            unknown[h.strip()] = "string"
    sign = M.sign_of(_context(table) + " " + " ".join(header))
    rows = []
    for cells in grid[at + 1:]:
        row: dict[str, Any] = {"_sign": sign}
        for f, value in zip(fields, cells, strict=False):
            if f and value and f not in row:
                row[f] = value
        if [M.header_field(c) for c in cells] == fields:
            continue  # the header repeated inside the table
        if len({c for c in cells if c}) <= 1 and not row.get("points"):
            # A section row spanning the table ("二、加分项目"): it sets the sign that follows.
            sign = M.sign_of(" ".join(cells)) or sign
            continue
        rows.append(row)
    return rows


def _payload(row: dict[str, Any], scheme: str) -> dict[str, Any]:
    category, item = row.get("category"), row.get("item")
    wording = row.get("wording") or item
    text = " ".join(x for x in (category, item, wording) if x)
    points = M.read_points(row.get("points", ""), row.get("_sign"))
    if points["direct_grade"] is None and points["points"] is None and wording:
        # Some tables put "直接降为C级" in the wording and leave the points cell empty.
        direct = M.read_points(wording, None)["direct_grade"]
        points["direct_grade"] = direct
    return {"kind": "rule", "scheme": scheme,
            "rule_id": M.rule_id(text) if scheme == "rongcheng" else None,
            "category": category, "item": item if item != wording else None,
            "wording": wording, **points,
            "unit": M.unit_of(row.get("notes", ""), row.get("points", ""), wording or ""),
            "notes": row.get("notes"), "code": row.get("code")}


def _digest(payload: dict[str, Any]) -> str:
    # Wording only, not the points: a changed value must stay the same record.
    text = " ".join(unicodedata.normalize("NFKC", payload.get("wording") or "").lower().split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _same_value(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a.get(k) == b.get(k) for k in ("points", "points_range", "direct_grade"))
