"""SYNTHETIC DEMO DATA for the Credit China mirror, and helpers the gsxt mirror shares.

Companies: a fixed selection of the court-list mirror's companies (same name and USCC, so
cross-system matching has something to find), synthetic companies, and the one real company of
the shared samples (served with its real, transcribed detail body). Every record about them,
every legal representative and every person in the person catalogues is generated here,
deterministically from fixed seeds: nothing describes any real person or company's conduct.
Some penalties are deliberately shown past their publicity period, for the audit to find.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from stdnum.cn import uscc as uscc_std

from watchdog.mirror.generator import default_config, generate

SEED = 20261105
ENTITY_COUNT = 40          # synthetic and court-list companies (plus the real sample company)
COURT_SHARE = 24           # of which taken from the court-list mirror
REAL_NAME, REAL_USCC = "你好徐州传媒有限公司", "91320322MABLP2X24R"
PERSON_TABLES = {"credit_hmd_zrr_xzhc_jb": 45, "credit_hmd_zrr_xzfj_jb": 35,
                 "credit_zgf_zrr_sxbzxr_jb": 30}
DIVISIONS = ("110105", "130202", "320322", "330106", "370102", "440106", "510104", "420102",
             "610113", "210102")
CITIES = {"11": "北京", "13": "唐山", "32": "徐州", "33": "杭州", "37": "济南", "44": "广州",
          "51": "成都", "42": "武汉", "61": "西安", "21": "沈阳"}


def day_date(day: int) -> date:
    return default_config().day_dates[day]


def rng_for(*parts: object) -> random.Random:
    digest = hashlib.sha256("/".join(map(str, (SEED, *parts))).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def hex_id(*parts: object, n: int = 32) -> str:
    return hashlib.sha256("/".join(map(str, ("id", *parts))).encode()).hexdigest()[:n].upper()


@lru_cache(maxsize=4)
def court_companies(n: int, offset: int = 0) -> tuple[tuple[str, str, str], ...]:
    """(name, USCC, case code) of `n` companies of the court-list mirror (day 1) that publish a
    full USCC: every k-th by record id, starting at `offset`. Fixed as long as the court mirror's
    settings are."""
    seen: set[str] = set()
    found = []
    for rec in sorted(generate(1), key=lambda r: int(r["id"])):
        code = str(rec.get("cardNum") or "")
        if rec.get("partyTypeName") != "581" or len(code) != 18 or not uscc_std.is_valid(code):
            continue
        if code not in seen:
            seen.add(code)
            found.append((str(rec["iname"]), code, str(rec["caseCode"])))
    step = max(1, len(found) // (2 * n))
    return tuple(found[offset::step][:n])


def synthetic_uscc(rng: random.Random, division: str, kind: str = "91") -> str:
    """A valid USCC: 91 a company, 92 an individual business; GB 11714 and GB 32100 checks."""
    digits = [rng.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(digits, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    org = "".join(map(str, digits)) + {10: "X", 11: "0"}.get(check, str(check))
    code17 = kind + division + org
    return code17 + uscc_std.calc_check_digit(code17)


def company_name(rng: random.Random, city: str) -> str:
    names = default_config().names
    brand = "".join(rng.sample(list(str(names["brand"])), 2))
    return f"{city}{brand}{rng.choice(list(names['industries']))}{rng.choice(list(names['suffixes']))}"


def person_name(rng: random.Random) -> str:
    names = default_config().names
    given = "".join(rng.choice(str(names["given"])) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(str(names["surnames"])) + given


def masked_id(rng: random.Random) -> str:
    """A masked resident ID as the person catalogues print it: region, stars, last four."""
    sex = rng.randrange(10)
    return f"{rng.choice(DIVISIONS)}********{rng.randrange(100):02d}{sex}{rng.choice('0123456789X')}"


@dataclass
class Entity:
    index: int
    name: str
    uscc: str
    recid: str
    legal_rep: str
    established: date
    court_case: str | None = None
    real: bool = False
    records: list[dict[str, Any]] = field(default_factory=list)  # typed records of the day


@lru_cache(maxsize=2)
def entities(day: int) -> tuple[Entity, ...]:
    out = []
    for i, (name, code, case) in enumerate(court_companies(COURT_SHARE, 0)):
        out.append(_entity(i, name, code, case, day))
    for i in range(COURT_SHARE, ENTITY_COUNT):
        rng = rng_for("company", i)
        division = rng.choice(DIVISIONS)
        out.append(_entity(i, company_name(rng, CITIES[division[:2]]), synthetic_uscc(rng, division),
                           None, day))
    out.append(Entity(ENTITY_COUNT, REAL_NAME, REAL_USCC, "8498C7D7D52F48BDA6DD475FA670F4C1",
                      "", date(2022, 5, 18), real=True))
    return tuple(out)


def _entity(i: int, name: str, code: str, case: str | None, day: int) -> Entity:
    rng = rng_for("entity", i)
    ent = Entity(i, name, code, hex_id("recid", i), person_name(rng),
                 date(2008, 1, 1) + timedelta(days=rng.randrange(5000)), court_case=case)
    ent.records = records(ent, day)
    return ent


PENALTY_LABELS = {"cf_wsh": "行政处罚决定书文号", "cf_cfmc": "行政处罚决定书名称", "cf_cflb1": "处罚类别",
                  "cf_sy": "处罚事由", "cf_yj": "处罚依据", "cf_jg": "处罚内容", "cf_cfjg": "处罚机关",
                  "cf_jdrq": "处罚决定日期", "cf_xdr_mc": "行政相对人名称",
                  "cf_xdr_shxym": "相对人统一社会信用代码", "cf_fr": "法定代表人", "cf_sjc": "数据更新时间"}
# (category, content, reason, basis, years or days before the mirror day, serious?)
PENALTIES = (
    ("罚款", "罚款人民币20000元", "发布虚假广告", "《中华人民共和国广告法》第五十五条", 1500),
    ("罚款", "罚款人民币5000元", "销售不合格产品", "《中华人民共和国产品质量法》第四十九条", 120),
    ("警告", "警告（简易程序）", "未按规定明码标价", "《价格违法行为行政处罚规定》第十三条", 200),
    ("吊销许可证", "吊销食品经营许可证", "经营超过保质期的食品", "《中华人民共和国食品安全法》第一百二十四条", 1500),
    ("吊销许可证", "吊销食品经营许可证", "使用非食品原料生产食品", "《中华人民共和国食品安全法》第一百二十三条", 700),
)


def records(ent: Entity, day: int) -> list[dict[str, Any]]:
    """The typed records (typeSourceSearch) of one entity on a publication day."""
    out: list[dict[str, Any]] = []
    # Dates are counted from day 1, so a record published on both days is the same record.
    today, i = day_date(1), ent.index
    kinds = [i % 5] + ([4] if i % 5 == 3 else [])
    for n, kind in enumerate(kinds):
        if day == 2 and i % 10 == 0 and n == 0:
            continue  # taken down between the two days
        category, content, reason, basis, days = PENALTIES[kind]
        decided = today - timedelta(days=days + (i * 7) % 60)
        table = "credit_xyzx_fr_xzcf_2026" if decided.year >= 2026 else "credit_xyzx_fr_xzcf_new"
        city = ent.name[:2]
        entity = {"cf_wsh": f"{city}市监罚〔{decided.year}〕{100 + i * 3 + n}号", "cf_cfmc": "行政处罚决定书",
                  "cf_cflb1": category, "cf_sy": reason, "cf_yj": basis, "cf_jg": content,
                  "cf_cfjg": f"{city}市市场监督管理局", "cf_jdrq": decided.isoformat(),
                  "cf_xdr_mc": ent.name, "cf_xdr_shxym": ent.uscc, "cf_fr": ent.legal_rep,
                  "cf_sjc": (decided + timedelta(days=3)).isoformat()}
        out.append(_wrap("行政管理", table, "行政处罚", "市场监督管理总局", entity, PENALTY_LABELS))
    if day == 2 and i % 7 == 3:
        decided = day_date(2) - timedelta(days=5)
        entity = {"cf_wsh": f"{ent.name[:2]}市监罚〔{decided.year}〕{900 + i}号", "cf_cfmc": "行政处罚决定书",
                  "cf_cflb1": "罚款", "cf_sy": "未按规定公示年度报告", "cf_yj": "《企业信息公示暂行条例》第十八条",
                  "cf_jg": "罚款人民币3000元", "cf_cfjg": f"{ent.name[:2]}市市场监督管理局",
                  "cf_jdrq": decided.isoformat(), "cf_xdr_mc": ent.name, "cf_xdr_shxym": ent.uscc,
                  "cf_fr": ent.legal_rep, "cf_sjc": day_date(2).isoformat()}
        out.append(_wrap("行政管理", "credit_xyzx_fr_xzcf_2026", "行政处罚", "市场监督管理总局", entity,
                         PENALTY_LABELS))
    if i % 3 != 2:
        granted = today - timedelta(days=300 + i * 11)
        out.append(_wrap("行政管理", "credit_xyzx_fr_xzxk_new", "行政许可", "市场监督管理总局", {
            "xk_wsh": f"JY1{ent.uscc[2:8]}{i:06d}", "xk_xmmc": "食品经营许可", "xk_splb": "普通",
            "xk_nr": "预包装食品销售", "xk_jdrq": granted.isoformat(),
            "xk_jzq": (granted + timedelta(days=1826)).isoformat(), "xk_xzjg": f"{ent.name[:2]}市市场监督管理局",
            "xk_xdr": ent.name, "xk_xdr_shxym": ent.uscc, "xk_fr": ent.legal_rep},
            {"xk_wsh": "行政许可决定文书号", "xk_xmmc": "许可项目名称", "xk_splb": "审核类型", "xk_nr": "许可内容",
             "xk_jdrq": "许可决定日期", "xk_jzq": "截止日期", "xk_xzjg": "许可机关", "xk_xdr": "行政相对人名称",
             "xk_xdr_shxym": "相对人统一社会信用代码", "xk_fr": "法定代表人"}))
    if i % 4 == 0:
        out.append(_wrap("诚实守信", "credit_swzj_fr_ajnsrmd", "A级纳税人名单", "国家税务总局", {
            "nsrmc": ent.name, "nsrsbh": ent.uscc, "pjnd": str(today.year - 1)},
            {"nsrmc": "纳税人名称", "nsrsbh": "纳税人识别号", "pjnd": "评价年度"}))
    if i % 6 == 1:
        listed = today - timedelta(days=200 + i * 13)
        out.append(_wrap("经营异常", "credit_scjdglzj_fr_jyycml", "经营异常名录", "市场监督管理总局", {
            "jgmc": ent.name, "tyshxydm": ent.uscc, "lryy": "未按照《企业信息公示暂行条例》第八条规定的期限公示年度报告",
            "lrrq": listed.isoformat(), "lrjg": f"{ent.name[:2]}市市场监督管理局"},
            {"jgmc": "企业名称", "tyshxydm": "统一社会信用代码", "lryy": "列入经营异常名录原因", "lrrq": "列入日期",
             "lrjg": "列入决定机关名称"}))
    if ent.court_case:
        out.append(_wrap("严重失信主体名单", "credit_zgf_fr_sxbzxr_jb", "失信被执行人", "最高人民法院", {
            "jgmc": ent.name, "tyshxydm": ent.uscc, "ah": ent.court_case},
            {"jgmc": "失信被执行人名称", "tyshxydm": "统一社会信用代码", "ah": "案号"}))
    if i % 9 == 4:
        out.append(_wrap("重点关注", "credit_scjdglzj_fr_zdgzmd", "重点关注名单", "市场监督管理总局", {
            "jgmc": ent.name, "tyshxydm": ent.uscc, "lrrq": (today - timedelta(days=90)).isoformat(),
            "lryy": "抽查中发现未按规定公示即时信息"},
            {"jgmc": "企业名称", "tyshxydm": "统一社会信用代码", "lrrq": "列入日期", "lryy": "列入原因"}))
    return out


def _wrap(kind: str, table: str, catalog: str, source: str, entity: dict[str, Any],
          labels: dict[str, str]) -> dict[str, Any]:
    return {"type": kind, "table_name": table, "data_catalog": catalog, "dataSource": source,
            "columnList": list(labels), "sencesMap": dict(labels), "entity": entity}


@lru_cache(maxsize=8)
def persons(table: str, day: int) -> tuple[dict[str, str], ...]:
    """Rows of a person catalogue: synthetic name, masked ID, listing date and department."""
    count = PERSON_TABLES[table]
    today = day_date(1)
    rows = []
    for i in range(count + (3 if day == 2 else 0)):
        if day == 2 and i % 11 == 5:
            continue  # removed between the two days
        rng = rng_for("person", table, i)
        rows.append({"xm": person_name(rng), "lrsj": (today - timedelta(days=rng.randrange(20, 900))).isoformat(),
                     "tmzjhm": masked_id(rng), "lrbm": rng.choice(("国家铁路集团", "中国民用航空局",
                                                                "最高人民法院", "国家发展改革委"))})
    return tuple(sorted(rows, key=lambda r: r["lrsj"], reverse=True))


def truth_names(day: int) -> set[str]:
    """Every synthetic natural person's name in the Credit China mirror (for privacy tests)."""
    names = {e.legal_rep for e in entities(day) if e.legal_rep}
    names |= {row["xm"] for table in PERSON_TABLES for row in persons(table, day)}
    return names
