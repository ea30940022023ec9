"""Mirror pages of `tax_a_list`: three provincial A-level taxpayer lists in three formats.

- Jiangxi 2018: the REAL GBK CSV (company-level public data), served byte for byte at its
  raw.githubusercontent.com path, as GitHub serves it (text/plain, whatever the encoding).
- Heilongjiang: SYNTHETIC pages of the bureau's search (`table.dzchaxun`, paged by `currpage`,
  GET or POST), UTF-8.
- Beijing: a SYNTHETIC UTF-8 CSV with a BOM, headers renamed and reordered the way the Beijing
  scraper of the same repository wrote them (序号,单位名称,纳税人识别号,主管税务机关,评价结果,评价年度).
  It has no live address; the manifest marks it mirror-only.

Synthetic lists include a fixed selection of court-list mirror companies (see mirror.yaml).
"""

from __future__ import annotations

import csv
import html
import io
import random
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from stdnum.cn import ric, uscc

from watchdog.mirror.sources import HTML_TYPE, SourcePage, route

DATA = Path(__file__).resolve().parents[3] / "data" / "mirror" / "tax_a_list"
JIANGXI_PATH = ("/jimi955/pythonWork/c6bc7d7a2e75f213f3ef84b4707fe09463148be6"
                "/spider/taxs/jiangxi/jiangxi.csv")
HEILONGJIANG_PATH = "/module/search/index.jsp"
HEILONGJIANG_QUERY = "field=field_2292:1,field_2293:1&i_columnid=3587"
BEIJING_PATH = "/mirror-only/tax_a_list/beijing_2018_A_level_utf8.csv"
GITHUB_RAW_TYPE = "text/plain; charset=utf-8"
NEW_COLUMN = "信用修复标识"  # what the "layout" switch adds: a column no parser knows
SOURCE = "tax_a_list"
NOTE = "Scorewatch 离线镜像：合成演示数据（SYNTHETIC DEMO DATA）"


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    return yaml.safe_load((DATA / "mirror.yaml").read_text(encoding="utf-8"))


def captcha_page() -> tuple[int, bytes, str]:
    body = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>安全验证</title></head>"
            "<body><div class=\"yzm\"><p>您的访问过于频繁，请输入验证码后继续访问。</p>"
            "<img id=\"captcha\" src=\"/servlet/captcha\" alt=\"验证码\">"
            "<input name=\"yzm\" placeholder=\"请输入验证码\"><button>确定</button></div>"
            "</body></html>")
    return 200, body.encode("utf-8"), HTML_TYPE


# -- synthetic companies ---------------------------------------------------------------------

def _org_code(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return "".join(map(str, digits)) + {10: "X", 11: "0"}.get(check, str(check))


def _uscc(region: str, org: str, kind: str = "91") -> str:
    body = kind + region + org
    return body + uscc.calc_check_digit(body)


@lru_cache(maxsize=4)
def court_companies(province: str) -> tuple[tuple[str, str], ...]:
    """(name, USCC) of the first companies of the court-list mirror in this province."""
    from watchdog.mirror.generator import truth

    picked = []
    for _, meta in sorted(truth(1).items(), key=lambda kv: int(kv[0])):
        if meta["party"] == "company" and meta["province"] == province and meta.get("uscc"):
            picked.append((meta["iname"], meta["uscc"]))
            if len(picked) == settings()["court_companies"]:
                break
    return tuple(picked)


@lru_cache(maxsize=4)
def rows_for(list_id: str) -> tuple[tuple[str, str, str, str], ...]:
    """(taxpayer number, name, authority, note) rows of a synthetic list, in published order."""
    conf, names = settings()["lists"][list_id], settings()["names"]
    rng = random.Random(f"{settings()['seed']}:{list_id}")
    out: list[tuple[str, str, str, str]] = []
    for i in range(conf["companies"]):
        city = rng.choice(conf["cities"])
        name = (city["name"] + rng.choice(names["brand"]) + rng.choice(names["brand"])
                + rng.choice(names["industries"]) + rng.choice(names["suffixes"]))
        org = _org_code(rng)
        authority = f"国家税务总局{city['name']}{city['district']}税务局第{rng.choice('一二三')}税务所"
        if i % 9 == 4:
            number, note = city["code"] + org, "legacy"  # 15-digit pre-2015 taxpayer number
        else:
            number, note = _uscc(city["code"], org), "uscc"
        out.append((number, name, authority, note))
        if i % 11 == 6:  # a branch office, its own row and code
            branch = name.replace("有限责任公司", "有限公司") + f"{city['district']}分公司"
            out.append((_uscc(city["code"], _org_code(rng)), branch, authority, "branch"))
        if i % 13 == 2:  # one company under two tax offices
            out.append((number, name, authority.replace("第", "第二分局第"), "second_office"))
    number, name, authority, _ = out[3]
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")  # a wrong check character
    out[3] = (wrong, name, authority, "uscc_invalid")
    for name, code in court_companies(conf["province"]):
        city = conf["cities"][0]
        out.insert(rng.randrange(len(out) + 1),
                   (code, name, f"国家税务总局{city['name']}{city['district']}税务局第一税务所",
                    "court_company"))
    out.insert(7, _sole_trader(rng, conf))
    return tuple(out)


def _sole_trader(rng: random.Random, conf: dict[str, Any]) -> tuple[str, str, str, str]:
    """A synthetic person listed under their own name and a resident-ID-based number."""
    names, city = settings()["names"], conf["cities"][1]
    person = rng.choice(names["surnames"]) + rng.choice(names["given"]) + rng.choice(names["given"])
    body = f"{city['code']}19{rng.randint(60, 89)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(100, 999)}"
    resident = body + ric.calc_check_digit(body + "0")  # it reads 17 digits of 18
    return (resident + "01", person, f"国家税务总局{city['name']}{city['district']}税务局第一税务所",
            "sole_trader")


def synthetic_persons() -> list[str]:
    """Every synthetic person name and ID number the synthetic lists contain (for tests)."""
    out = []
    for list_id in settings()["lists"]:
        for number, name, _, note in rows_for(list_id):
            if note == "sole_trader":
                out += [name, number, number[:18]]
    return out


# -- renderings ----------------------------------------------------------------------------

def jiangxi_body(layout: bool) -> bytes:
    raw = (DATA / "jiangxi_2018_A_level_GBK.csv").read_bytes()
    if not layout:
        return raw
    lines = raw.decode("gbk").split("\n")
    out = [lines[0] + "," + NEW_COLUMN] + [ln + ",否" if ln.strip() else ln for ln in lines[1:]]
    return "\n".join(out).encode("gbk")


def heilongjiang_body(page: int, size: int, layout: bool) -> bytes:
    rows = rows_for("heilongjiang")
    pages = max(1, -(-len(rows) // size))
    year = settings()["year"]
    head = ["编号", "纳税人识别号", "纳税人名称", "信用级别", "评价年度", "税务机关"]
    if layout:
        head.append(NEW_COLUMN)
    trs = ["<tr class=\"bt\">" + "".join(f"<td>{h}</td>" for h in head) + "</tr>"]
    for n, (number, name, authority, _) in enumerate(rows[(page - 1) * size: page * size], 1):
        cells = [str((page - 1) * size + n), number, name, "A", str(year), authority]
        if layout:
            cells.append("否")
        trs.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    link = f"{HEILONGJIANG_PATH}?{html.escape(HEILONGJIANG_QUERY)}&amp;currpage="
    pager = f"共 {len(rows)} 条记录 第 {page}/{pages} 页 "
    if page < pages:
        pager += f"<a href=\"{link}{page + 1}\">下一页</a> <a href=\"{link}{pages}\">尾页</a>"
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<title>国家税务总局黑龙江省税务局 纳税信用A级纳税人名单查询</title></head>\n<body>"
        f"<div class=\"main\"><h2>{year}年度纳税信用A级纳税人名单</h2>"
        f"<form method=\"post\" action=\"{HEILONGJIANG_PATH}?{html.escape(HEILONGJIANG_QUERY)}\">"
        f"<table class=\"dzchaxun\" width=\"100%\">{''.join(trs)}</table>"
        f"<div class=\"page\">{pager}</div><input type=\"hidden\" name=\"currpage\" "
        f"value=\"{page}\"></form></div>\n<p class=\"mirror-note\">{NOTE}</p>\n</body></html>\n"
    ).encode()


def beijing_body(layout: bool) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    head = ["序号", "单位名称", "纳税人识别号", "主管税务机关", "评价结果", "评价年度"]
    w.writerow([*head, NEW_COLUMN] if layout else head)
    for n, (number, name, authority, _) in enumerate(rows_for("beijing"), 1):
        row = [str(n), name, number, authority, "A级", f"{settings()['year']}年度"]
        w.writerow([*row, "否"] if layout else row)
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


# -- routes --------------------------------------------------------------------------------

@route(JIANGXI_PATH)
def jiangxi(params: dict[str, str], day: int) -> SourcePage:
    return SourcePage(SOURCE, 0, ("jiangxi",), jiangxi_body, GITHUB_RAW_TYPE, captcha_page())


@route(HEILONGJIANG_PATH)
def heilongjiang(params: dict[str, str], day: int) -> SourcePage | None:
    size = int(settings()["lists"]["heilongjiang"]["page_size"])
    pages = max(1, -(-len(rows_for("heilongjiang")) // size))
    try:
        page = int(params.get("currpage") or 1)
    except ValueError:
        page = 1
    if not 1 <= page <= pages:
        return None
    return SourcePage(SOURCE, page - 1, ("heilongjiang", page),
                      lambda layout: heilongjiang_body(page, size, layout), HTML_TYPE,
                      captcha_page())


@route(BEIJING_PATH)
def beijing(params: dict[str, str], day: int) -> SourcePage:
    return SourcePage(SOURCE, 0, ("beijing",), beijing_body, "text/csv;charset=UTF-8",
                      captcha_page())
