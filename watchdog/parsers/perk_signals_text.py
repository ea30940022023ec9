"""Finding Zhima-score thresholds in partner pages: which perk, what score, which comparison.

Partner pages state thresholds in running text ("芝麻信用分700分及以上的用户…", "a Sesame Credit
score of 600 or above"), in tables of perks, or in an info box. Perks are mapped to the `zhima`
regime's perk ids by keywords. The bounds themselves (以上 and 超过, 以下 and 不足, ranges, 600+,
六百五十分) are read by `perk_signals_bounds`. A perk that halves or reduces the deposit is not
the perk that waives it ("半额押金租车" is not `domestic_car_rental_no_deposit`): the regime has
no such perk, so it stays unmapped and the audit reports it as one the model lacks.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from watchdog.parsers import perk_signals_bounds as B
from watchdog.parsers.perk_signals_bounds import max_score, min_score  # noqa: F401 (API)

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
# A sentence about the score's own range ("分数范围为350-950分") states no gate.
_RANGE_TALK = re.compile(r"350\D{1,8}950|ranges? from|(?:范围|区间)(?:为|是|从)", re.I)
# A deposit halved or reduced is not a deposit waived: such a perk is not a *_no_deposit perk.
_PART_DEPOSIT = re.compile(r"半额押金|半押|押金减半|减半(?:收取)?押金|一半押金|半价押金|押金(?:打)?五折"
                           r"|50%押金|押金50%|half (?:the |a )?deposit|50% (?:of the )?deposit", re.I)
# (Not 减免押金: it reads "reduced or waived".)
_REDUCED_DEPOSIT = re.compile(r"部分免押|部分押金|降低押金|押金降低|押金打折|reduced deposit|lower deposit"
                              r"|partial deposit", re.I)
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


def deposit_of(text: str) -> str | None:
    """"half" or "reduced" when the text says the deposit is cut, not waived; else None."""
    plain = norm(text)
    if _PART_DEPOSIT.search(plain):
        return "half"
    if _REDUCED_DEPOSIT.search(plain):
        return "reduced"
    return None


def perk_for(perk: str | None, deposit: str | None) -> str | None:
    """The regime perk a signal is, given what it says of the deposit: a halved or reduced
    deposit is no *_no_deposit perk (the `zhima` regime has none of those: unmapped)."""
    if deposit and perk and perk.endswith("_no_deposit"):
        return None
    return perk


def refine(perk: str | None, context: str) -> str | None:
    """The specific perk a generic one stands for on a page whose title or partner names it."""
    specific = _REFINE.get(perk or "")
    if specific and perk_of(context) == specific:
        return specific
    return perk


def conditions(text: str) -> list[str]:
    return ["no_bad_record_5y"] if _BAD_RECORD_5Y.search(text) else []


def partner_in(text: str) -> str | None:
    for pattern in _PARTNER_TEXT:
        if m := pattern.search(text):
            return m.group(1).strip()
    return None


def signal(gate: B.Gate, perk_id: str | None, wording: str, own: str,
           sentence: str) -> dict[str, Any]:
    """One threshold statement: the gate's bounds as published, the perk it gates, what the
    statement's own words say of the deposit and what its sentence adds as conditions."""
    deposit = deposit_of(own)
    low, high = gate.lower, gate.upper
    return {"perk_id": perk_for(perk_id, deposit), "perk": wording[:160],
            "threshold": low.number if low else None, "comparator": low.comparator if low else None,
            "upper_threshold": high.number if high else None,
            "upper_comparator": high.comparator if high else None,
            "deposit": deposit, "conditions": conditions(sentence)}


def signals_in_text(text: str, title: str = "") -> list[dict[str, Any]]:
    """Threshold statements in running text: each with the perk read from its clauses, else the
    clauses after it up to the next number, else those before it, else its sentence, else the
    sentence before ("the service" of a notice), else the page title. A lower bound followed by
    an upper one in the same or the next clause is one range ("600分以上、700分以下")."""
    found: list[dict[str, Any]] = []
    previous = ""
    for raw in (s.strip() for s in _SENTENCE.split(text)):
        if not raw:
            continue
        prior, previous = previous, raw
        sentence = B.plain(raw)
        if not _ZHIMA.search(sentence) or _RANGE_TALK.search(sentence):
            continue
        # Split the original, then fold each clause: the wording kept is what the page says.
        originals = [c for c in _CLAUSE.split(raw) if c.strip()]
        clauses = [B.plain(c) for c in originals]
        marks = [(i, b) for i, c in enumerate(clauses) for b in B.bounds(c)]
        marked = {i for i, _ in marks}
        gates = B.pair(marks)
        for gate, first, last in gates:
            end = last + 1  # the gate's clauses, then those after it up to the next number
            while end < len(clauses) and end not in marked:
                end += 1
            start = first  # and those before it, back to the previous number
            while start > 0 and start - 1 not in marked:
                start -= 1
            own = "，".join(clauses[first:end])
            perk = (perk_of(clauses[first]) or perk_of(own)
                    or perk_of("，".join(clauses[start:first])) or perk_of(sentence)
                    or perk_of(prior) or perk_of(title))
            perk = refine(perk, sentence)
            if len(gates) == 1:
                wording, own = raw, sentence
            else:
                wording = "，".join(originals[max(start, first - 1):end])
            found.append(signal(gate, perk, wording, own, sentence))
    return found
