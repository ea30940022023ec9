"""Mirror routes of the enterprise credit publicity system (SYNTHETIC DEMO DATA; see gsxt_data).

- `/affiche-query-area-info-paperall.html` (noticeType 11 or 21, start, length): the national
  notices list, DataTables JSON, as public scrapers saw it (citation gsxt_notices_api_code);
- `/dito/ditoAction!ycmlFrame.dhtml` (pageNos): the abnormal-operations directory in the layout
  of the 2016 Beijing system (samples/gsxt_legacy_html/gsxt_beijing_listpage_2016.html), ten
  companies a page, each linked through `openEntInfo(...)`;
- `/gjjbj/gjjQueryCreditAction!openEntInfo.dhtml` (entId): the company page, with the tables
  the 2017 provincial pages show inline (基本信息, 主要人员信息, 经营异常信息, 严重违法信息,
  行政处罚信息, 抽查检查信息; samples/gsxt_legacy_html/gsxt_guangxi_page_2017.html).
Asked for a captcha, pages answer with a geetest challenge and the notices API with 加速乐's
HTTP 521 cookie script. The layout switch adds a label, a column or a key nobody parses.
"""

from __future__ import annotations

import json
from datetime import date
from html import escape

from watchdog.mirror.sources import HTML_TYPE, JSON_TYPE, SourcePage, route
from watchdog.mirror.sources.gsxt_data import Company, companies, notices

SOURCE = "gsxt"
PAGE_SIZE = 10
GEETEST = (200, ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>安全验证</title>"
                 "<script src=\"/static/gt.js\"></script></head><body><div id=\"captcha\"></div>"
                 "<p>请完成下方验证后继续访问</p><script>initGeetest({gt: \"0\", challenge: \"0\","
                 " product: \"float\"}, function (o) {o.appendTo(\"#captcha\");});</script>"
                 "</body></html>").encode(), HTML_TYPE)
JSL_521 = (521, (b"<script>document.cookie=('_')+('_j')+('sl_c')+('learance')+'=1585030214.8|0|"
                 b"x';location.href=location.pathname+location.search</script>"),
           HTML_TYPE)


def _int(raw: str | None, default: int, low: int = 0, high: int = 10_000) -> int:
    try:
        return max(low, min(high, int(raw))) if raw not in (None, "") else default
    except ValueError:
        return default


def _cn(d: date | None) -> str:
    return f"{d.year}年{d.month:02d}月{d.day:02d}日" if d else ""


def _html(title: str, body: str) -> bytes:
    return (f"<!DOCTYPE html>\n<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
            f"charset=utf-8\"/><title>{title}</title></head>\n<body>{body}</body></html>\n"
            ).encode()


@route("/affiche-query-area-info-paperall.html")
def notice_list(params: dict[str, str], day: int) -> SourcePage | None:
    kind = params.get("noticeType", "")
    if kind not in ("11", "21"):
        return None
    start, length = _int(params.get("start"), 0), _int(params.get("length"), 10, 1, 100)

    def render(layout: bool) -> bytes:
        rows = notices(day, kind)
        page = [dict(r, noticeLevel="一般") if layout else r for r in rows[start:start + length]]
        return json.dumps({"draw": _int(params.get("draw"), 1), "recordsTotal": len(rows),
                           "recordsFiltered": len(rows), "data": page},
                          ensure_ascii=False).encode("utf-8")

    return SourcePage(SOURCE, start // length, ("notices", kind, start, length), render,
                      JSON_TYPE, JSL_521)


def directory_rows(day: int) -> list[Company]:
    listed = [c for c in companies(day) if c.current() is not None]
    return sorted(listed, key=lambda c: (c.current().listed, c.index), reverse=True)  # type: ignore[union-attr]


@route("/dito/ditoAction!ycmlFrame.dhtml")
def directory(params: dict[str, str], day: int) -> SourcePage:
    page = _int(params.get("pageNos"), 1, 1)

    def render(layout: bool) -> bytes:
        rows = directory_rows(day)
        pages = max(1, -(-len(rows) // PAGE_SIZE))
        extra = "<th>公示状态</th>" if layout else ""
        trs = []
        for c in rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]:
            args = f"'{c.name}','{c.ent_id}','{c.code}', '{c.ticket}'"
            cell = "<td>公示中</td>" if layout else ""
            trs.append(f"<tr><td style=\"text-align:center;\"><a href=\"#\" onclick=\"openEntInfo("
                       f"{escape(args, quote=True)});\">{escape(c.name)}</a></td><td>{c.code}</td>"
                       f"<td>{_cn(c.current().listed)}</td>{cell}</tr>")  # type: ignore[union-attr]
        pager = (f"<tr><th colspan='7'><font>共{pages}页&nbsp;&nbsp;记录总数{len(rows)}条</font>"
                 f"<input type=\"hidden\" id=\"pageNo\" name=\"pageNo\" value='{page}' />"
                 f"<input type=\"hidden\" value='{pages}' id=\"pagescount\"/>"
                 f"<input type=\"hidden\" id=\"pageSize\" name=\"pageSize\" value='{PAGE_SIZE}' /></th></tr>")
        return _html("全国市场主体信用信息公示系统", (
            "<form action=\"/dito/ditoAction!ycmlFrame.dhtml\" method=\"post\" id=\"iframeFrame\">"
            f"<input type=\"hidden\" id=\"pageNos\" name=\"pageNos\" value=\"{page}\" />"
            "<table width=\"100%\" class=\"ccjcList\"><tr><th>企业名称</th><th>注册号</th>"
            f"<th>被列入经营异常名录日期</th>{extra}</tr>{''.join(trs)}{pager}</table></form>"))

    return SourcePage(SOURCE, page - 1, ("directory", page), render, HTML_TYPE, GEETEST)


@route("/gjjbj/gjjQueryCreditAction!openEntInfo.dhtml")
def company_page(params: dict[str, str], day: int) -> SourcePage | None:
    ent_id = params.get("entId", "")
    rows = directory_rows(day)
    found = next((i for i, c in enumerate(rows) if c.ent_id == ent_id), None)
    if found is None:
        return None
    c = rows[found]
    return SourcePage(SOURCE, found // PAGE_SIZE, ("company", ent_id),
                      lambda layout: _company_html(c, layout), HTML_TYPE, GEETEST)


def _table(title: str, header: list[str], rows: list[list[str]], data_apart: bool) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    trs = "".join("<tr>" + "".join(f"<td>{escape(v)}</td>" for v in r) + "</tr>" for r in rows)
    title_row = f"<tr><th colspan=\"{len(header)}\" style=\"text-align:center;\">{title}</th></tr>"
    if data_apart:  # Guangxi: header in one table, rows in the next
        return (f"<table class=\"detailsList\">{title_row}<tr>{head}</tr></table>"
                f"<table class=\"detailsList\">{trs}</table>")
    return f"<table class=\"detailsList\">{title_row}<tr>{head}</tr>{trs}</table>"


def _company_html(c: Company, layout: bool) -> bytes:
    flag = " &nbsp; \"该企业已列入经营异常名录\"" if c.current() else ""
    pairs = [("统一社会信用代码", c.code, "名称", c.name),
             ("类型", "个体工商户" if c.operator else "有限责任公司(自然人投资或控股)", c.rep_role, c.legal_rep),
             ("注册资本", f"{(c.index % 9 + 1) * 100} 万元", "成立日期", _cn(c.established)),
             ("营业期限自", _cn(c.established), "营业期限至", ""),
             ("登记机关", c.authority, "核准日期", _cn(c.established)),
             ("登记状态", "存续（在营、开业、在册）", "住所", f"{c.name[:2]}市人民路{c.index + 8}号")]
    if layout:
        pairs.append(("信用等级", "B", "经营范围", "批发零售"))
    basic = "".join(f"<tr><th>{a}</th><td>{escape(b)}</td><th>{x}</th><td>{escape(y)}</td></tr>"
                    for a, b, x, y in pairs)
    parts = [f"<h2 id=\"gsh2\">{escape(c.name)} &nbsp; 统一社会信用代码：{c.code}{flag}</h2>",
             "<table class=\"detailsList\"><tr><th colspan=\"4\" style=\"text-align:center;\">基本信息"
             f"</th></tr>{basic}</table>"]
    if c.people:
        parts.append(_table("主要人员信息", ["序号", "姓名", "职务"],
                            [[str(n + 1), p, r] for n, (p, r) in enumerate(c.people)], False))
    for kind, title, what in (("abnormal", "经营异常信息", "经营异常名录"),
                              ("serious", "严重违法信息", "严重违法企业名单")):
        rows = [[str(n + 1), x.reason, _cn(x.listed), x.removal_reason or "", _cn(x.removed), x.authority]
                for n, x in enumerate(x for x in c.listings if x.kind == kind)]
        parts.append(_table(title, ["序号", f"列入{what}原因", "列入日期", f"移出{what}原因", "移出日期",
                                    "作出决定机关"], rows, True))
    parts.append(_table("行政处罚信息", ["序号", "行政处罚决定书文号", "违法行为类型", "行政处罚内容",
                                     "作出行政处罚决定机关名称", "作出行政处罚决定日期", "详情"],
                        [[str(n + 1), no, kind, content, c.authority, _cn(d), "详情"]
                         for n, (no, kind, content, d) in enumerate(c.penalties)], True))
    parts.append(_table("抽查检查信息", ["序号", "检查实施机关", "类型", "日期", "结果"],
                        [[str(n + 1), a, "抽查", _cn(d), r] for n, (a, d, r) in enumerate(c.inspections)],
                        True))
    return _html("全国企业信用信息公示系统", "<div id=\"details\">" + "".join(parts) + "</div>")
