"""Mirror pages of `perk_signals`: partner pages and articles stating Zhima-score thresholds,
at the addresses the `zhima` regime cites (data/mirror/perk_signals/pages.yaml). SYNTHETIC."""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from watchdog.mirror.sources import HTML_TYPE, SourcePage, route

DATA = Path(__file__).resolve().parents[3] / "data" / "mirror" / "perk_signals" / "pages.yaml"
NEW_LABEL = ("会员等级要求", "黄金会员")  # what the "layout" switch adds to the info box
SOURCE = "perk_signals"
NOTE = "Scorewatch 离线镜像：合成演示数据（SYNTHETIC DEMO DATA）"


@lru_cache(maxsize=1)
def pages() -> list[dict[str, Any]]:
    return list(yaml.safe_load(DATA.read_text(encoding="utf-8"))["pages"])


def captcha_page() -> tuple[int, bytes, str]:
    """An Alibaba-style slider challenge (淘宝/支付宝 pages answer crawlers with one)."""
    body = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>验证码拦截</title></head>"
            "<body><div id=\"nocaptcha\"><p>亲，请拖动下方滑块完成验证</p>"
            "<div class=\"nc_wrapper\"><span class=\"nc_iconfont btn_slide\">&gt;&gt;</span>"
            "</div><p>请完成下方验证后继续操作</p></div></body></html>")
    return 200, body.encode("utf-8"), HTML_TYPE


def page_body(conf: dict[str, Any], day: int, layout: bool) -> bytes:
    esc = html.escape
    values = (conf.get("day_values") or {}).get(day, {})
    lang = conf.get("lang", "zh")
    info = list(conf.get("info", {}).items()) + ([NEW_LABEL] if layout else [])
    box = "".join(f"<dt>{esc(k)}</dt><dd>{esc(str(v))}</dd>" for k, v in info)
    parts = [f"<h1>{esc(conf['title'])}</h1>", f"<dl class=\"info\">{box}</dl>"]
    if conf.get("intro"):
        parts.append(f"<p>{esc(conf['intro'])}</p>")
    for para in conf.get("paragraphs", []):
        parts.append(f"<p>{esc(para.format(**values))}</p>")
    if conf["kind"] == "table":
        head = "".join(f"<th>{esc(h)}</th>" for h in conf["headers"])
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>"
                       for row in conf["rows"])
        parts.append(f"<table class=\"perks\"><thead><tr>{head}</tr></thead>"
                     f"<tbody>{body}</tbody></table>")
    parts.append(f"<p class=\"byline\">{esc(conf['byline'])}</p>")
    # The page names its own address, as partner sites do: a crawl of the mirror (on whatever
    # port) and a saved copy of the page are then the same page (perk_signals_page.page_ref).
    canonical = esc(conf["host"] + conf["path"])
    return (f"<!DOCTYPE html>\n<html lang=\"{'en' if lang == 'en' else 'zh-CN'}\"><head>"
            f"<meta charset=\"utf-8\"><title>{esc(conf['title'])}</title>"
            f"<link rel=\"canonical\" href=\"{canonical}\"></head>\n<body>"
            f"<div class=\"article\">{''.join(parts)}</div>\n"
            f"<p class=\"mirror-note\">{NOTE}</p>\n</body></html>\n").encode()


def _register() -> None:
    for index, conf in enumerate(pages()):
        def serve(params: dict[str, str], day: int, conf: dict[str, Any] = conf,
                  index: int = index) -> SourcePage:
            return SourcePage(SOURCE, index, (conf["id"],),
                              lambda layout: page_body(conf, day, layout), HTML_TYPE,
                              captcha_page())
        route(conf["path"])(serve)


_register()
