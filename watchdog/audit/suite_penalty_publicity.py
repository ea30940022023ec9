"""Administrative penalties still shown on Credit China after their publicity period.

Penalty information is public only for a set time (reference/domain.md 4.1 and 8.4). Before the
2025 reform: general dishonest conduct 3 months to 1 year, serious conduct 6 months to 3 years
(Qiannan statistics bureau notice, verified; NDRC 2019 notice on credit repair). From the State
Council General Office's 2025 reform (国办发〔2025〕22号, 22 June 2025; secondary sources): minor
(simplified-procedure penalties) at most 3 months, general (e.g. licence suspension) 3 months to
1 year, serious (e.g. licence revocation) 1 to 3 years. A penalty is judged by the rules in force
on its decision date, against the longest period of its class. A record may state its own end of
publicity: an earlier end is the one we hold it to, a later one cannot extend the legal maximum
(being shown past it is a finding whatever the page says, and the finding says what it states).

The class is read from the penalty's category, content and decision name, by the kinds of
penalty the Administrative Penalty Law names and the words authorities write them in (`KINDS`).
One decision with several penalties takes the class of the heaviest ("罚款5万元，撤销行政许可" is
a revocation). A kind right after words refusing it (不予吊销营业执照, 免予罚款) is not imposed.
The rules we hold give examples only: revoking a licence is serious (吊销, 撤销…许可/登记/资质),
suspending one is general (暂扣). The other heavy penalties of the Administrative Penalty Law
(closure, orders to stop production or business, bans from practising such as 限制从业, 禁止从事,
不得担任, lowering a qualification grade, penalties for large amounts, detention) are read as
serious; ordinary fines, confiscations and warnings as general. Reading an unclassed kind as
serious, like assuming the longest period (3 years) for a record that says too little (the
finding then says so), means a guess may only make us late, never early. A penalty is minor
only when the record says it was decided under the simplified procedure (简易程序, 当场).

A penalty taken down since is still judged, up to the last day a crawl saw it shown: it was shown
too long all the same, and the finding says it is gone now.

The periods live in `PERIODS` below rather than a regime file: the regime schema for lists is
the court list's. Their text is pinned as the regime version of every finding.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, insert, select

from watchdog.audit.checks import span
from watchdog.audit.runner import keyset_pages, record_regime_version
from watchdog.store.tables import Finding, Observation

OBS = Observation.__table__
CHUNK = 2000
CHECK_ID = "penalty_past_publicity_period"
SOURCES = ("credit_china",)
REFORM_2025 = date(2025, 6, 22)


@dataclass(frozen=True)
class PublicityRules:
    id: str
    version: str


REGIME = PublicityRules("cn_penalty_publicity", "2026.11.2")
# era -> class -> (longest period in months, citation id, evidence grade)
PERIODS: dict[str, dict[str, tuple[int, str, str]]] = {
    "pre_2025": {"general": (12, "penalty_publicity_2019_guizhou", "verified"),
                 "serious": (36, "penalty_publicity_2019_guizhou", "verified")},
    "2025": {"minor": (3, "gov_2025_22_credit_repair_93vmall", "secondary"),
             "general": (12, "gov_2025_22_credit_repair_93vmall", "secondary"),
             "serious": (36, "gov_2025_22_credit_repair_93vmall", "secondary")},
}
ERA_TITLES = {"pre_2025": "the rules in force before the 2025 reform",
              "2025": "the 2025 rules (国办发〔2025〕22号)"}
_NOT_END = r"[^，,。；;：:！!？?\n]"  # within one clause
# Kind of penalty -> the wordings authorities use for it (searched clause by clause).
KINDS: dict[str, str] = {
    # 吊销许可证/营业执照; 撤销行政许可, 撤销其…注册证, 撤销登记, 撤销资质 (not 撤销原处罚决定).
    "revocation": rf"吊销|撤销{_NOT_END}{{0,12}}?(?:许可|登记|注册|资质|资格|执照|证书|证件|批准|备案|认证)",
    "closure": r"责令关闭|予以关闭|限制开展生产经营活动",
    "stop_production": r"责令(?:停产停业|停产|停业)",
    # 限制从业, 禁止从业, 五年内禁止从事…, 终身不得从事…, 不得担任…, 市场禁入.
    "ban": rf"(?:限制|禁止|不得){_NOT_END}{{0,8}}?(?:从业|从事|担任)|禁业|市场禁入",
    "detention": r"行政拘留",
    "large_amount": r"较大数额|较大价值|巨额",
    "demotion": rf"降低{_NOT_END}{{0,6}}?资质",
    "suspension": rf"暂扣|暂停{_NOT_END}{{0,6}}?(?:许可|执照|资格|证)",
    "fine": r"罚款",
    "confiscation": r"没收",
    "warning": r"警告|通报批评",
}
# The same kinds are serious and general under both eras' rules as we hold them; a kind in
# neither tuple (one added to KINDS later) is read as serious, the longer period.
SERIOUS_KINDS = ("revocation", "closure", "stop_production", "ban", "detention", "large_amount",
                 "demotion")
GENERAL_KINDS = ("suspension", "fine", "confiscation", "warning")
MINOR_WORDS = ("简易程序", "当场处罚", "当场作出")
# Words that refuse the penalty right after them: 不予吊销, 免予罚款, 依法不再责令停业.
NEGATIONS = ("不予", "免予", "免于", "不作", "未予", "暂不", "不再", "无需", "无须", "不属于",
             "不构成", "未作")
_CLAUSE = re.compile(r"[，,。；;：:！!？?\n]")
# A refusal reaches the next few characters of its clause, up to the next item of a list
# (不予吊销营业执照、罚款2000元 still imposes the fine).
_REACH = 6
_LIST_JOINS = re.compile(r"[、和及并]")
_KIND_RES = {kind: re.compile(pattern) for kind, pattern in KINDS.items()}


def regime_text() -> str:
    return json.dumps({"regime": REGIME.id, "version": REGIME.version, "reform_2025": str(REFORM_2025),
                       "periods": PERIODS, "kinds": KINDS, "serious_kinds": SERIOUS_KINDS,
                       "general_kinds": GENERAL_KINDS,
                       "minor_words": MINOR_WORDS, "negations": NEGATIONS, "reach": _REACH},
                      ensure_ascii=False, sort_keys=True)


def penalty_kinds(text: str) -> list[str]:
    """The kinds of penalty `text` imposes, in `KINDS` order; a kind refused in its clause is
    not imposed."""
    found: set[str] = set()
    for clause in _CLAUSE.split(text):
        for kind, pattern in _KIND_RES.items():
            for m in pattern.finditer(clause):
                before = _LIST_JOINS.split(clause[max(0, m.start() - _REACH):m.start()])[-1]
                if not any(n in before for n in NEGATIONS):
                    found.add(kind)
                    break
    return [k for k in KINDS if k in found]


def penalty_class(payload: dict[str, Any], era: str) -> tuple[str, bool, list[str]]:
    """(class, assumed, kinds): the class of a penalty under `era`, whether it was assumed
    because the record is silent, and the kinds of penalty it was read from."""
    text = " ".join(str(payload.get(k) or "") for k in ("category", "content", "decision_name"))
    kinds = penalty_kinds(text)
    # The heaviest penalty of a decision sets its period; a kind no rule classes counts as serious.
    if any(k not in GENERAL_KINDS for k in kinds):
        return "serious", False, kinds
    if any(w in text for w in MINOR_WORDS):
        return ("minor" if "minor" in PERIODS[era] else "general"), False, kinds
    if kinds:
        return "general", False, kinds
    return "serious", True, kinds


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(f"no day in {year}-{month}")


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def judge(payload: dict[str, Any], seen: date, removed: date | None = None) -> dict[str, Any] | None:
    """The finding for one penalty last seen shown on `seen`, or None. `removed`: the day a
    complete crawl found it taken down, if it has been."""
    decided = _day(payload.get("decision_date"))
    if decided is None:
        return None
    era = "2025" if decided >= REFORM_2025 else "pre_2025"
    klass, assumed, kinds = penalty_class(payload, era)
    months, citation, evidence = PERIODS[era][klass]
    legal_end = add_months(decided, months)
    stated = _day(payload.get("publicity_end"))
    # A stated end may shorten publicity, never lengthen it past what the rules allow.
    end, basis = (stated, "stated") if stated and stated < legal_end else (legal_end, "class")
    if seen <= end:
        return None
    if basis == "stated":
        summary = (f"An administrative penalty decided on {decided} was still shown on "
                   f"{seen}, after the end of publicity the record itself states ({end}).")
    else:
        guess = (" The record does not say enough to tell its class, so the longest period was "
                 "assumed.") if assumed else ""
        summary = (f"A {klass} administrative penalty decided on {decided} was still shown on "
                   f"{seen}, {span(decided, seen)} after the decision; under "
                   f"{ERA_TITLES[era]} penalties of this class may be shown for at most "
                   f"{_months(months)}.{guess}")
        if stated and stated > legal_end:
            summary += (f" The page states a later end of publicity ({stated}), which the rules "
                        f"do not allow.")
    if removed is not None:
        summary += f" It has since been taken down: a complete crawl on {removed} no longer showed it."
    return {"rule": f"publicity.{era}.{klass}", "citation": citation, "evidence": evidence,
            "summary": summary,
            "detail": {"decision_date": str(decided), "seen_on": str(seen), "era": era,
                       "class": klass, "class_assumed": assumed, "kinds": kinds,
                       "period_months": months, "publicity_end": str(end), "basis": basis,
                       "stated_publicity_end": stated and str(stated),
                       "still_shown": removed is None, "removed_seen_on": removed and str(removed),
                       "decision_no": payload.get("decision_no"), "table": payload.get("table")}}


def _months(n: int) -> str:
    if n % 12 == 0:
        years = n // 12
        return f"{years} year{'s' * (years != 1)}"
    return f"{n} months"


def audit(engine: Engine, *, run_id: int, as_of: date) -> dict[str, int]:
    # Removed penalties too: one shown past its period and taken down since was shown too long.
    query = (select(OBS.c.id, OBS.c.subject_id, OBS.c.payload, OBS.c.province,
                    OBS.c.artifact_sha256, OBS.c.last_seen, OBS.c.status, OBS.c.removed_at)
             .where(OBS.c.source_id.in_(SOURCES),
                    OBS.c.payload["record_type"].as_string() == "penalty")
             .order_by(OBS.c.id).limit(CHUNK))
    count, version_id = 0, None
    for page in keyset_pages(engine, query, OBS.c.id):
        rows = []
        for r in page:
            # We only know a penalty was still shown on the last day a crawl saw it.
            seen = min(as_of, r.last_seen.date())
            gone = r.removed_at.date() if r.status == "removed" and r.removed_at else None
            found = judge(r.payload, seen, gone) if isinstance(r.payload, dict) else None
            if found:
                rows.append({"audit_run_id": run_id, "check_id": CHECK_ID, "severity": "medium",
                             "observation_id": r.id, "subject_id": r.subject_id,
                             "artifact_sha256": r.artifact_sha256, "province": r.province,
                             "court": None, **found})
        if rows:
            with engine.begin() as conn:
                version_id = version_id or record_regime_version(conn, REGIME, regime_text())
                conn.execute(insert(Finding.__table__),
                             [dict(row, regime_version_id=version_id) for row in rows])
            count += len(rows)
    return {CHECK_ID: count} if count else {}
