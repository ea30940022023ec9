"""Administrative penalties still shown on Credit China after their publicity period.

Penalty information is public only for a set time (reference/domain.md 4.1 and 8.4). Before the
2025 reform: general dishonest conduct 3 months to 1 year, serious conduct 6 months to 3 years
(Qiannan statistics bureau notice, verified; NDRC 2019 notice on credit repair). From the State
Council General Office's 2025 reform (国办发〔2025〕22号, 22 June 2025; secondary sources): minor
(simplified-procedure penalties) at most 3 months, general 3 months to 1 year, serious 1 to 3
years. A penalty is judged by the rules in force on its decision date, against the longest period
of its class; a record that states its own end of publicity is judged by that date.

The class is read from the penalty's category and content: revocations, closures and bans from
practising are serious; a penalty is minor only when the record says it was decided under the
simplified procedure (简易程序, 当场). When the record says too little, the longest period (3
years) is assumed and the finding says so: a guess may only make us late, never early.

The periods live in `PERIODS` below rather than a regime file: the regime schema for lists is
the court list's. Their text is pinned as the regime version of every finding.
"""

from __future__ import annotations

import json
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


REGIME = PublicityRules("cn_penalty_publicity", "2026.11.1")
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
SERIOUS_WORDS = ("吊销", "撤销许可", "撤销登记", "撤销注册", "责令关闭", "限制从业", "禁止从业",
                 "限制开展生产经营活动", "行政拘留")
GENERAL_WORDS = ("罚款", "没收", "暂扣", "责令停产停业", "责令停业", "降低资质等级", "通报批评", "警告")
MINOR_WORDS = ("简易程序", "当场处罚", "当场作出")


def regime_text() -> str:
    return json.dumps({"regime": REGIME.id, "version": REGIME.version, "reform_2025": str(REFORM_2025),
                       "periods": PERIODS, "serious_words": SERIOUS_WORDS,
                       "general_words": GENERAL_WORDS, "minor_words": MINOR_WORDS},
                      ensure_ascii=False, sort_keys=True)


def penalty_class(payload: dict[str, Any], era: str) -> tuple[str, bool]:
    """(class, assumed): the class of a penalty under `era`; assumed when the record is silent."""
    text = " ".join(str(payload.get(k) or "") for k in ("category", "content", "decision_name"))
    if any(w in text for w in SERIOUS_WORDS):
        return "serious", False
    if any(w in text for w in MINOR_WORDS):
        return ("minor" if "minor" in PERIODS[era] else "general"), False
    if any(w in text for w in GENERAL_WORDS):
        return "general", False
    return "serious", True


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(f"no day in {year}-{month}")


def judge(payload: dict[str, Any], seen: date) -> dict[str, Any] | None:
    """The finding for one penalty seen on `seen`, or None."""
    try:
        decided = date.fromisoformat(str(payload.get("decision_date")))
    except ValueError:
        return None
    era = "2025" if decided >= REFORM_2025 else "pre_2025"
    klass, assumed = penalty_class(payload, era)
    months, citation, evidence = PERIODS[era][klass]
    end, basis = add_months(decided, months), "class"
    stated = payload.get("publicity_end")
    if stated:
        try:
            end, basis = date.fromisoformat(str(stated)), "stated"
        except ValueError:
            pass
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
    return {"rule": f"publicity.{era}.{klass}", "citation": citation, "evidence": evidence,
            "summary": summary,
            "detail": {"decision_date": str(decided), "seen_on": str(seen), "era": era,
                       "class": klass, "class_assumed": assumed, "period_months": months,
                       "publicity_end": str(end), "basis": basis,
                       "decision_no": payload.get("decision_no"), "table": payload.get("table")}}


def _months(n: int) -> str:
    if n % 12 == 0:
        years = n // 12
        return f"{years} year{'s' * (years != 1)}"
    return f"{n} months"


def audit(engine: Engine, *, run_id: int, as_of: date) -> dict[str, int]:
    query = (select(OBS.c.id, OBS.c.subject_id, OBS.c.payload, OBS.c.province,
                    OBS.c.artifact_sha256, OBS.c.last_seen)
             .where(OBS.c.source_id.in_(SOURCES), OBS.c.status == "listed",
                    OBS.c.payload["record_type"].as_string() == "penalty")
             .order_by(OBS.c.id).limit(CHUNK))
    count, version_id = 0, None
    for page in keyset_pages(engine, query, OBS.c.id):
        rows = []
        for r in page:
            # We only know a penalty was still shown on the last day a crawl saw it.
            seen = min(as_of, r.last_seen.date())
            found = judge(r.payload, seen) if isinstance(r.payload, dict) else None
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
