"""Reading one row of a published points table: which column is which, what the points cell
says, and which rule of the `rongcheng` regime the row is.

Rule ids are those of `data/regimes/rongcheng.yaml`. The published wording (Chinese, or the
China Law Translate English) is matched against a few phrases per rule; a row that matches no
rule keeps `rule_id = None` and is reported by the audit as a published rule the model lacks.
"""

from __future__ import annotations

import re
import unicodedata

HEADERS: dict[str, tuple[str, ...]] = {
    "serial": ("序号", "编号", "no", "no.", "#"),
    "code": ("指标代码", "指标编码", "编码", "代码", "code", "rule code"),
    "category": ("考核类别", "评价类别", "类别", "一级指标", "领域", "考核领域", "评价领域", "行业",
                 "分类", "类型", "考核类型", "assessment category", "category", "sector", "area",
                 "field"),
    "item": ("子项", "项目", "评价项目", "考核项目", "二级指标", "事项", "考核子项", "子项目",
             "考核事项", "sub-item", "subitem", "sub item", "sub-category", "item"),
    "wording": ("考核标准", "评价标准", "评价内容", "具体行为", "失信行为", "守信行为", "行为",
                "内容", "指标内容", "三级指标", "评价指标", "考核内容", "具体情形", "情形",
                "行为描述", "assessment standard", "assessment standards", "standard",
                "standards", "conduct", "description", "behaviour", "behavior", "criteria"),
    "points": ("加减分值", "分值", "扣分", "加分", "扣分标准", "加分标准", "分数", "积分", "计分",
               "扣(加)分", "加(扣)分", "扣分值", "加分值", "扣减分值", "加减分", "加/减分",
               "加减分数", "加/减分值", "扣分分值", "加分分值", "信用积分", "points added or subtracted",
               "points", "score", "points added/subtracted", "points added or deducted",
               "points +/-", "point value", "points value"),
    "notes": ("备注", "说明", "notes", "note", "remarks"),
}
_LOOKUP = {s: f for f, names in HEADERS.items() for s in names}

# rule id -> phrases (checked in this order: the more specific rules come first)
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("adjudged_arrears_public_fees", (r"(法院|仲裁).*(拖欠|欠缴|欠费).*(公共|公用)",
                                      r"(court|arbitration).*(arrears|owing).*public")),
    ("late_public_service_fees", (r"(拖欠|迟缴|逾期缴纳|延迟缴纳|欠缴).*(公共|公用)(事业|服务)",
                                  r"(delay\w*|\blate\b|arrears).*public (service|utility)")),
    ("damaging_public_utility_equipment", (r"(破坏|损坏|损毁).*(公共|公用|供水|供电|供气|供热).*(设施|设备)",
                                           r"(destroy|damag)\w*.*(public )?(equipment|facilit)")),
    ("utility_theft", (r"(盗用|窃取|偷用|偷盗|盗窃).*(水|电|气|热)", r"(steal|theft)")),
    ("heating_tampering", (r"(私接|私放|私自).*(供热|暖气|热水)|(供热|暖气).*(私接|私放)",
                           r"(heating|heated water)")),
    ("sued_for_unpaid_debt", (r"(到期|债务).*(未|不).*(清偿|偿还|归还).*(起诉|被诉)",
                              r"(repay|debt)\w*.*sued|sued.*(repay|debt)")),
    ("sued_found_in_breach", (r"(起诉|被诉).*违约|违约.*(起诉|被诉)", r"sued.*breach|breach.*sued")),
    ("contract_breach_finance", (r"(借贷|信贷|担保|租赁|保险).*(未履行|不履行).*(合同|义务)"
                                 r"|(未履行|不履行).*(合同|义务).*(借贷|信贷|担保|租赁|保险)",
                                 r"fail\w*.*contract.*(lending|credit|leasing|insurance)")),
    ("illegal_fundraising_investigated", (r"非法(集资|放贷)", r"illegal (fundraising|lending)")),
    ("bank_arrears_month", (r"(银行|贷款|信用卡).*(欠款|拖欠|透支|逾期)|(欠款|拖欠|透支|逾期).*(银行|信用卡)",
                            r"bank|credit card|payment arrears|overdraft")),
    ("private_lending_breach", (r"民间借贷", r"private lending")),
    ("guarantee_breach", (r"担保.*违约|违约.*担保", r"guarantee.*breach")),
    ("mlm_or_commercial_fraud", (r"传销|商业欺诈", r"\bmlm\b|pyramid|commercial fraud")),
    ("counterfeit_goods", (r"假冒|伪劣|制假|售假", r"counterfeit|fake goods")),
    ("other_commercial", (r"(其他|其它).*(商务|商业|经营).*(失信|不诚信)",
                          r"other untrustworthy .*commercial")),
    ("drunk_driving", (r"醉(酒)?(驾|驾驶)", r"drunk")),
    ("traffic_ticket", (r"交通(违章|违法)", r"traffic (ticket|violation|offen)")),
    ("heroic_act", (r"见义勇为", r"heroic")),
)
_COMPILED = tuple((rid, tuple(re.compile(p, re.I) for p in pats)) for rid, pats in RULES)

_DIRECT = (re.compile(r"(直接|直降|降为|评为|定为|降至|降级为)\s*([A-D]{1,3})\s*级?"),
           re.compile(r"(?:directly|straight|drop\w*|lower\w*|downgrad\w*|demot\w*)[^.;]{0,30}?"
                      r"(?:grade|level|rating)\s*([A-D]{1,3})\b", re.I),
           re.compile(r"\b(?:grade|level)\s*([A-D]{1,3})\b.{0,20}(?:directly|straight)", re.I))
_RANGE = re.compile(r"([+-]?)\s*(\d+)\s*分?\s*(?:至|到|~|～|—|–|-|to)\s*([+-]?)\s*(\d+)")
_NUMBER = re.compile(r"([+-]?)\s*(\d+(?:\.\d+)?)")
_MONTHLY = re.compile(r"按月|每月|逐月|monthly|each month|per month|a month", re.I)
_DEDUCT = re.compile(r"扣|减|deduct|subtract|minus", re.I)
_ADD = re.compile(r"加|奖|award|add", re.I)


def header_field(raw: str) -> str | None:
    text = " ".join(unicodedata.normalize("NFKC", raw).lower().split()).strip(" :：*")
    if text in _LOOKUP:
        return _LOOKUP[text]
    return _LOOKUP.get(re.sub(r"\(.*?\)", "", text).strip())


def rule_id(text: str) -> str | None:
    """The regime rule a published row describes, or None."""
    norm = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    for rid, patterns in _COMPILED:
        if any(p.search(norm) for p in patterns):
            return rid
    return None


def read_points(cell: str, sign_hint: int | None) -> dict[str, object]:
    """points, points_range (most severe, least severe) and direct_grade from a points cell.

    `sign_hint` is -1 in a table of deductions and +1 in a table of additions; an explicit
    sign or word (扣/加, deduct/add) in the cell wins over it.
    """
    text = unicodedata.normalize("NFKC", cell).replace("\u2212", "-").replace("－", "-").strip()
    out: dict[str, object] = {"points": None, "points_range": None, "direct_grade": None}
    for pattern in _DIRECT:
        if m := pattern.search(text):
            out["direct_grade"] = m.groups()[-1].upper()
            break
    sign = -1 if _DEDUCT.search(text) else (1 if _ADD.search(text) else (sign_hint or 1))
    if m := _RANGE.search(text):
        first = -1 if m.group(1) == "-" else (1 if m.group(1) == "+" else sign)
        second = -1 if m.group(3) == "-" else (1 if m.group(3) == "+" else first)
        a, b = first * int(m.group(2)), second * int(m.group(4))
        lo, hi = sorted((a, b), key=abs, reverse=True)
        out["points_range"] = [lo, hi]
        return out
    if out["direct_grade"] is None and (m := _NUMBER.search(text)):
        explicit = {"-": -1, "+": 1}.get(m.group(1))
        value = float(m.group(2))
        number = int(value) if value.is_integer() else value
        out["points"] = (explicit or sign) * number
    return out


def unit_of(*texts: str) -> str | None:
    return "each month" if any(_MONTHLY.search(t or "") for t in texts) else None


def sign_of(context: str) -> int | None:
    """-1 for a table of deductions, +1 for additions, None when the context says both."""
    deduct = bool(re.search(r"扣分|失信|减分|deduction|subtract|penalt", context, re.I))
    add = bool(re.search(r"加分|守信|奖励|reward|addition|bonus", context, re.I))
    return -1 if deduct and not add else (1 if add and not deduct else None)


def scheme_of(text: str) -> str | None:
    low = text.lower()
    if "荣成" in text or "rongcheng" in low:
        return "rongcheng"
    if "威海" in text or "weihai" in low:
        return "weihai"
    return None
