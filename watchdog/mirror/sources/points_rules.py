"""Mirror page of `points_rules`: the Rongcheng assessment standards table, in the layout of the
China Law Translate translation, at its address. Day 1 matches the `rongcheng` regime; day 2 has
one drifted value and one added rule (data/mirror/points_rules/table.yaml)."""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from watchdog.mirror.sources import HTML_TYPE, SourcePage, route

DATA = Path(__file__).resolve().parents[3] / "data" / "mirror" / "points_rules" / "table.yaml"
PAGE_PATH = "/en/荣成市个人信用评价标准/"
NEW_COLUMN = "Legal Basis"  # what the "layout" switch adds
SOURCE = "points_rules"


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def rows_for(day: int) -> list[list[str]]:
    conf = table()
    rows = [list(r) for r in conf["rows"]]
    if day == 2:
        changed = conf["day2"]["changed"]
        for row in rows:
            if row[2] in changed:
                row[3] = changed[row[2]]
        rows += [list(r) for r in conf["day2"]["added"]]
    return rows


def captcha_page() -> tuple[int, bytes, str]:
    """What a Cloudflare-fronted site answers a crawler it wants to challenge."""
    body = ("<!DOCTYPE html><html><head><meta charset=\"UTF-8\"><title>Attention Required! | "
            "Cloudflare</title></head><body><div id=\"cf-wrapper\"><h1>Sorry, you have been "
            "blocked</h1><p>Please complete the security check to access this site.</p>"
            "<div class=\"cf-captcha-container\"><img src=\"/cdn-cgi/captcha\" alt=\"captcha\">"
            "</div></div></body></html>")
    return 403, body.encode("utf-8"), HTML_TYPE


def _spans(rows: list[list[str]], col: int) -> dict[int, int]:
    """Row index -> rowspan for the cells of `col` that start a run of merged cells."""
    spans: dict[int, int] = {}
    start = 0
    for i in range(1, len(rows) + 1):
        same = i < len(rows) and (
            rows[i][col] == "^" if col >= 3 else
            rows[i][col] == rows[start][col] and rows[i][:col] == rows[start][:col])
        if not same:
            spans[start] = i - start
            start = i
    return spans


def page_body(day: int, layout: bool) -> bytes:
    conf, rows = table(), rows_for(day)
    head = list(conf["headers"]) + ([NEW_COLUMN] if layout else [])
    trs = ["<tr>" + "".join(f"<td><strong>{html.escape(h)}</strong></td>" for h in head) + "</tr>"]
    spans = {col: _spans(rows, col) for col in range(5)}
    for i, row in enumerate(rows):
        cells = []
        for col in range(5):
            if i not in spans[col]:
                continue  # covered by a merged cell above
            span = spans[col][i]
            attr = f' rowspan="{span}"' if span > 1 else ""
            cells.append(f"<td{attr}>{html.escape(row[col])}</td>")
        if layout:
            cells.append("<td>Art. 9</td>")
        trs.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en-US\"><head><meta charset=\"UTF-8\">"
        f"<title>荣成市个人信用评价标准 &#8211; China Law Translate</title>"
        f"<meta property=\"article:published_time\" content=\"{conf['published']}T08:00:00+00:00\">"
        "</head>\n<body><article class=\"post\"><header><h1 class=\"entry-title\">"
        f"{html.escape(conf['title'])}</h1></header><div class=\"entry-content\">"
        "<p>Translations on this site are unofficial and for reference only. (Scorewatch offline "
        "mirror: SYNTHETIC DEMO DATA paraphrasing the translation.)</p>"
        "<h3>Attachment 1</h3>"
        f"<table><tbody>{''.join(trs)}</tbody></table></div></article>\n</body></html>\n"
    ).encode()


def page(params: dict[str, str], day: int) -> SourcePage:
    return SourcePage(SOURCE, 0, ("table",), lambda layout: page_body(day, layout), HTML_TYPE,
                      captcha_page(), one_document=True)


# Crawlers send the path percent-encoded (upper-case hex); a browser may send it as typed.
route(quote(PAGE_PATH), PAGE_PATH)(page)
