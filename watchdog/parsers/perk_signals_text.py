"""Finding Zhima-score thresholds in partner pages: which perk, what score, which comparison.

Partner pages state thresholds in running text ("芝麻信用分700分及以上的用户…", "a Sesame Credit
score of 600 or above"), in tables of perks, or in an info box. Perks are mapped to the `zhima`
regime's perk ids by keywords; "以上" (and "or above") includes the number, "超过"/"高于"/"above"
does not, so "above 700" is a minimum of 701, as the regime reads it.
"""

from __future__ import annotations

import re
import unicodedata

# perk id -> keywords, most specific first
PERKS: tuple[tuple[str, str], ...] = (
    ("luxembourg_schengen_visa_alitrip", r"卢森堡|luxembourg"),
    ("singapore_visa_alitrip", r"新加坡|singapore"),
    ("canada_visitor_visa_report", r"加拿大|canada"),
    ("suzhou_public_bike_no_deposit", r"苏州.{0,15}(公共自行车|公共单车)|(公共自行车|公共单车).{0,30}苏州"
                                      r"|suzhou.{0,60}(bike|bicycle)|(public bike|public bicycle).{0,80}suzhou"),
    ("overseas_car_rental_no_deposit_yesaway", r"yesaway|(境外|海外|出境|国外|出国).{0,8}租车"
                                               r"|(overseas|abroad).{0,20}car rental|car rental.{0,20}(overseas|abroad)"),
    ("domestic_car_rental_no_deposit", r"租车|car rental|rent a car"),
    ("hotel_no_deposit", r"酒店|信用住|宾馆|hotel"),
    ("shared_bike_no_deposit", r"共享单车|单车|自行车|\bbikes?\b|bicycle"),
    ("baihe_dating_badge", r"百合网|baihe"),
)
_PERKS = tuple((pid, re.compile(p, re.I)) for pid, p in PERKS)
# A generic perk read from one sentence becomes the specific one when the page is about it
# ("租车" on a page titled 境外租车 is the overseas rental).
_REFINE = {"domestic_car_rental_no_deposit": "overseas_car_rental_no_deposit_yesaway",
           "shared_bike_no_deposit": "suzhou_public_bike_no_deposit"}

INFO_LABELS: dict[str, tuple[str, ...]] = {
    "partner": ("合作方", "合作伙伴", "合作商家", "合作机构", "商家", "品牌", "运营方", "partner",
                "operator", "merchant"),
    "date": ("发布日期", "发布时间", "日期", "生效日期", "上线时间", "活动时间", "开通时间", "date",
             "published", "effective date", "effective"),
    "perk": ("权益", "服务", "项目", "场景", "免押项目", "信用权益", "perk", "service", "benefit"),
    "threshold": ("芝麻分要求", "芝麻分", "芝麻信用分", "门槛", "分数要求", "信用分要求", "要求",
                  "准入条件", "min score", "minimum score", "threshold", "score required"),
    "conditions": ("附加条件", "条件", "其他条件", "conditions", "other conditions"),
    "notes": ("说明", "备注", "notes", "remarks"),
    "source": ("来源", "信息来源", "source"),
    "author": ("作者", "编辑", "责任编辑", "记者", "author", "editor"),
}
_LABEL = {s: f for f, names in INFO_LABELS.items() for s in names}

_ZHIMA = re.compile(r"芝麻|信用分|sesame|zhima", re.I)
_SCORE_ZH = re.compile(
    r"(?P<pre>大于等于|不低于|不少于|达到|满|超过|高于|大于|≥|>=|>)?\s*(?P<n>[3-9]\d{2})\s*分"
    r"\s*(?P<post>及以上|及其以上|或以上|以上|及更高|起)?")
_SCORE_EN = re.compile(
    r"(?:score|credit|points?)[^.\d]{0,25}?(?P<pre>of at least|at least|above|over|higher than|"
    r"greater than|more than|exceeding|>=|≥|>)?\s*(?P<n>[3-9]\d{2})\b"
    r"(?P<post>\s*(?:points?\s*)?(?:or (?:above|more|higher)|and above|\+))?", re.I)
_STRICT = ("超过", "高于", "大于", ">", "above", "over", "higher than", "greater than",
           "more than", "exceeding")
_RANGE_TALK = re.compile(r"350\D{1,8}950|范围|区间|between|ranges? from", re.I)
_SENTENCE = re.compile(r"(?<=[。！？；;!?\n])|(?<=\.)\s+")
_CLAUSE = re.compile(r"[，,、：:]")
_BAD_RECORD_5Y = re.compile(r"(5|五)\s*年.{0,10}(不良|失信|违约)|(不良|失信).{0,10}(5|五)\s*年"
                            r"|(five|5) years.{0,40}bad|bad.{0,40}(five|5) years", re.I)
_PARTNER_TEXT = (re.compile(r"(?:合作方|合作商家|合作伙伴|合作机构)\s*[:：]\s*([^\s，。,；;]{2,30})"),
                 re.compile(r"([\u4e00-\u9fffA-Za-z·]{2,12})(?:联合|携手)芝麻信用"),
                 re.compile(r"(?:Partner|Operator|Merchant)\s*:\s*([^\n.;]{2,60})"))


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def label_field(raw: str) -> str | None:
    text = norm(raw).lower().strip(" :：")
    return _LABEL.get(text) or _LABEL.get(re.sub(r"\(.*?\)", "", text).strip())


def perk_of(text: str) -> str | None:
    for pid, pattern in _PERKS:
        if pattern.search(text):
            return pid
    return None


def refine(perk: str | None, context: str) -> str | None:
    """The specific perk a generic one stands for on a page whose title or partner names it."""
    specific = _REFINE.get(perk or "")
    if specific and perk_of(context) == specific:
        return specific
    return perk


def thresholds(text: str) -> list[tuple[int, str, int, int]]:
    """(number, comparator, start, end) of every score threshold stated in the text."""
    out = []
    for pattern in (_SCORE_ZH, _SCORE_EN):
        for m in pattern.finditer(text):
            pre, post = (m.group("pre") or "").lower(), (m.group("post") or "").strip()
            strict = any(pre == s for s in _STRICT) and not post
            out.append((int(m.group("n")), ">" if strict else "≥", m.start(), m.end()))
        if out:
            break
    return out


def min_score(number: int, comparator: str) -> int:
    return number + 1 if comparator == ">" else number


def conditions(text: str) -> list[str]:
    return ["no_bad_record_5y"] if _BAD_RECORD_5Y.search(text) else []


def partner_in(text: str) -> str | None:
    for pattern in _PARTNER_TEXT:
        if m := pattern.search(text):
            return m.group(1).strip()
    return None


def signals_in_text(text: str, title: str = "") -> list[dict[str, object]]:
    """Threshold statements in running text: each with the perk read from its clause, else the
    clauses after it up to the next number, else those before it, else its sentence, else the
    sentence before ("the service" of a notice), else the page title."""
    found: list[dict[str, object]] = []
    previous = ""
    for sentence in (s.strip() for s in _SENTENCE.split(text)):
        if not sentence:
            continue
        prior, previous = previous, sentence
        if not _ZHIMA.search(sentence) or _RANGE_TALK.search(sentence):
            continue
        clauses = [c for c in _CLAUSE.split(sentence) if c.strip()]
        marks = [thresholds(c) for c in clauses]
        for i, clause in enumerate(clauses):
            for number, comparator, _, _ in marks[i]:
                after = [clause]
                for j in range(i + 1, len(clauses)):
                    if marks[j]:
                        break
                    after.append(clauses[j])
                before = []
                for j in range(i - 1, -1, -1):
                    if marks[j]:
                        break
                    before.insert(0, clauses[j])
                perk = (perk_of(clause) or perk_of("，".join(after)) or perk_of("，".join(before))
                        or perk_of(sentence) or perk_of(prior) or perk_of(title))
                perk = refine(perk, sentence)
                single = sum(len(m) for m in marks) == 1
                wording = (sentence if single else "，".join([*before[-1:], *after]))[:160]
                found.append({"perk_id": perk, "perk": wording, "threshold": number,
                              "comparator": comparator,
                              "conditions": conditions(sentence)})
    return found
