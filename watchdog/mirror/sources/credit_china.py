"""Mirror routes of Credit China's private API (SYNTHETIC DEMO DATA; see credit_china_data).

Paths and parameters are the site's (reference/sources.md section 1): `catalogSearchHome`
(keyword, page, pageSize), `getTyshxydmDetailsContent` (tyshxydm or keyword), `typeSourceSearch`
(type, tyshxydm, page, pageSize), `catalogSearchPerson` (tableName, page, pageSize) and `info`.
Asked for a captcha, the site answers HTTP 500 `{"status":40001,"message":"请刷新后重试！"}`; the
layout switch adds a column (`xyxf_zt`, 信用修复状态) or key the parser does not know. The one real
company of the shared samples is served with its real (transcribed) detail body.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from watchdog.mirror.sources import JSON_TYPE, SourcePage, route
from watchdog.mirror.sources.credit_china_data import (
    PERSON_TABLES,
    REAL_USCC,
    Entity,
    entities,
    hex_id,
    persons,
)

SOURCE = "credit_china"
DATA = Path(__file__).resolve().parents[3] / "data" / "mirror" / "credit_china"
CAPTCHA = (500, json.dumps({"status": 40001, "message": "请刷新后重试！", "data": None},
                           ensure_ascii=False).encode("utf-8"), JSON_TYPE)
NEW_COLUMN, NEW_LABEL = "xyxf_zt", "信用修复状态"
DETAILS_PER_PAGE = 10


def _ok(data: Any) -> bytes:
    return json.dumps({"status": 1, "message": "成功", "data": data},
                      ensure_ascii=False).encode("utf-8")


def _int(raw: str | None, default: int, low: int = 1, high: int = 100) -> int:
    try:
        return max(low, min(high, int(raw))) if raw not in (None, "") else default
    except ValueError:
        return default


def _page(index: int, key: tuple[Any, ...], render: Any) -> SourcePage:
    return SourcePage(SOURCE, index, key, render, JSON_TYPE, CAPTCHA)


def _find(params: dict[str, str], day: int) -> Entity | None:
    code, name = params.get("tyshxydm", ""), params.get("keyword", "")
    for ent in entities(day):
        if (code and ent.uscc == code) or (not code and name and ent.name == name):
            return ent
    return None


@route("/private-api/catalogSearchHome")
def search(params: dict[str, str], day: int) -> SourcePage:
    keyword = params.get("keyword", "").strip()
    page, size = _int(params.get("page"), 1, high=10_000), _int(params.get("pageSize"), 10)
    hits = [e for e in entities(day) if keyword in e.name]

    def render(layout: bool) -> bytes:
        rows = []
        for ent in hits[(page - 1) * size: page * size]:
            row = {"accurate_entity_name": ent.name, "accurate_entity_code": ent.uscc,
                   "uuid": hex_id("uuid", ent.index, day).lower(), "recid": ent.recid,
                   "accurate_entity_name_query": ent.name, "entityType": "1"}
            if layout:
                row["entity_tag"] = "重点"
            rows.append(row)
        pages = -(-len(hits) // size)
        return _ok({"page": page, "total": len(hits), "totalSize": pages, "list": rows})

    return _page(page - 1, ("search", keyword, page, size), render)


@route("/private-api/getTyshxydmDetailsContent")
def detail(params: dict[str, str], day: int) -> SourcePage | None:
    ent = _find(params, day)
    if ent is None:
        return None
    return _page(ent.index // DETAILS_PER_PAGE, ("detail", ent.uscc),
                 lambda layout: _detail_body(ent, day, layout))


@lru_cache(maxsize=1)
def _real_detail() -> dict[str, Any]:
    return json.loads((DATA / "current_getTyshxydmDetailsContent_c2026.json").read_text("utf-8"))


def _detail_body(ent: Entity, day: int, layout: bool) -> bytes:
    if ent.uscc == REAL_USCC:
        body = json.loads(json.dumps(_real_detail()))
        if layout:
            _add_column(body["data"]["data"])
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    labels = {"name": "法定代表人/负责人/执行事务合伙人", "enttype": "企业类型", "esdate": "成立日期", "dom": "住所"}
    table = {"columnList": list(labels), "sencesMap": labels, "dataSource": "市场监督管理总局",
             "data_catalog": "工商存续（企业）", "table_name": "credit_scjdglzj_fr_gscxqy",
             "entity": {"name": ent.legal_rep, "enttype": "有限责任公司",
                        "esdate": ent.established.isoformat(), "dom": f"{ent.name[:2]}市中山路{ent.index + 1}号",
                        "uuid": hex_id("uuid-reg", ent.index).lower(), "recid": ent.recid,
                        "regorg": f"{ent.name[:2]}市市场监督管理局"}}
    if layout:
        _add_column(table)
    bad = any(r["type"] in ("严重失信主体名单", "经营异常") for r in ent.records)
    return _ok({"punishmentStatus": "yes" if bad else "no", "data": table,
                "headEntity": {"recid": ent.recid, "tyshxydm": ent.uscc, "entity_type": "1",
                               "jgmc": ent.name, "record_source": "企业法人", "status": "存续"},
                "hgData": {"entity": {}},
                "rewardStatus": "yes" if any(r["type"] == "诚实守信" for r in ent.records) else "no"})


def _add_column(table: dict[str, Any]) -> None:
    table["columnList"] = [*table["columnList"], NEW_COLUMN]
    table["sencesMap"] = {**table["sencesMap"], NEW_COLUMN: NEW_LABEL}
    table["entity"] = {**table["entity"], NEW_COLUMN: "未修复"}


@route("/private-api/typeSourceSearch")
def typed(params: dict[str, str], day: int) -> SourcePage | None:
    ent = _find(params, day)
    kind = params.get("type", "")
    if ent is None:
        return None
    page, size = _int(params.get("page"), 1, high=1000), _int(params.get("pageSize"), 10)
    found = [r for r in ent.records if r["type"] == kind]

    def render(layout: bool) -> bytes:
        rows = []
        for rec in found[(page - 1) * size: page * size]:
            row = {k: v for k, v in rec.items() if k != "type"}
            if layout:
                _add_column(row)
            rows.append(row)
        return _ok({"page": page, "total": len(found), "list": rows})

    return _page(ent.index // DETAILS_PER_PAGE, ("typed", ent.uscc, kind, page, size), render)


@route("/private-api/catalogSearchPerson")
def person_catalogue(params: dict[str, str], day: int) -> SourcePage | None:
    table = params.get("tableName", "")
    if table not in PERSON_TABLES:
        return None
    page, size = _int(params.get("page"), 1, high=500), _int(params.get("pageSize"), 20)

    def render(layout: bool) -> bytes:
        rows = [dict(r) for r in persons(table, day)[(page - 1) * size: page * size]]
        if layout:
            rows = [{**r, "lrlx": "新增"} for r in rows]
        return _ok({"page": page, "total": len(persons(table, day)), "list": rows})

    return _page(page - 1, ("person", table, page, size), render)


@route("/private-api/info")
def info(params: dict[str, str], day: int) -> SourcePage:
    return _page(0, ("info",), lambda layout: _ok(None))
