"""Perk threshold checks: what partner pages say a Zhima score unlocks, against the `zhima`
regime and against what the same page said before.

- `perk_threshold_differs`: a page states a minimum score for a perk the model records with a
  different minimum (or without the extra condition the model requires, or the other way
  round).
- `perk_not_in_model`: a page gates a perk on a Zhima score that the model does not record.
- `perk_threshold_changed`: a page's threshold for a perk changed between crawls, or a gated
  perk appeared on or disappeared from a page after that page was first read.

Merchants set their own thresholds, so a difference is not a breach: it says the model's figure
is not what this partner publishes (or no longer is), with both numbers and the page's date.

Records are per page (`perk:partner@page`, see watchdog.parsers.perk_signals_page). Records
stored before the page was part of the key (`perk:partner`) mixed every page that named the
perk, so their change history is not a page changing and is not reported; once a per-page record
for the same perk and partner exists, the old record is not compared with the model either (a
complete crawl marks it removed anyway; an import, which never removes, leaves it listed).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from watchdog.audit.runner import record_regime_version
from watchdog.model import load_regime
from watchdog.model.loader import DATA_DIR
from watchdog.parsers.perk_signals_page import base_of_key, page_of_key
from watchdog.store.tables import Finding, Observation, ObservationChange

SOURCE_ID = "perk_signals"
REGIME_ID = "zhima"
OBS, CHANGES = Observation.__table__, ObservationChange.__table__
# A perk the model lacks rests on the regime's note that merchants set their own thresholds.
UNMODELLED_CITATION = ("sboyo_zhima_deposits", "low")
SEVERITY = {"perk_threshold_differs": "medium", "perk_not_in_model": "low",
            "perk_threshold_changed": "medium"}
# Fields whose change moves the gate itself (wording and title changes do not).
GATE_FIELDS = ("min_score", "max_score", "threshold", "comparator", "upper_threshold",
               "upper_comparator", "deposit", "conditions")


def audit(engine: Engine, *, run_id: int, as_of: date) -> dict[str, int]:
    file = DATA_DIR / "regimes" / f"{REGIME_ID}.yaml"
    regime = load_regime(file)
    with engine.begin() as conn:
        version_id = record_regime_version(conn, regime, file.read_text(encoding="utf-8"))
        rows = _compare(conn, regime) + _changes(conn, regime, as_of)
        if rows:
            conn.execute(insert(Finding.__table__), [
                {"audit_run_id": run_id, "regime_version_id": version_id, "court": None,
                 "severity": SEVERITY[r["check_id"]], **r} for r in rows])
    counts = dict.fromkeys(SEVERITY, 0)
    for r in rows:
        counts[r["check_id"]] += 1
    return counts


def _perks(regime: Any) -> dict[str, Any]:
    return {p.id: p for p in regime.perks}


def _row(check_id: str, obs: Any, rule: str, cite: tuple[str, str], summary: str,
         detail: dict[str, Any]) -> dict[str, Any]:
    return {"check_id": check_id, "observation_id": obs.id, "subject_id": obs.subject_id,
            "artifact_sha256": obs.artifact_sha256, "rule": rule, "citation": cite[0],
            "evidence": cite[1], "summary": summary, "detail": detail, "province": obs.province}


def _where(p: dict[str, Any]) -> str:
    # The page's address (or publisher and title) tells two pages about one perk apart.
    page = f" ({_short(p['page'], 100)})" if p.get("page") else ""
    who = f"{p['partner']}'s page{page}" if p.get("partner") else f"The page{page or ' of a partner'}"
    dated = f" (dated {p['announced']})" if p.get("announced") else ""
    return who + dated


def _stated(p: dict[str, Any]) -> str:
    """The gate as the page states it: "650", "above 700", "600 and below 700"."""
    low = f"{p.get('threshold')}" if p.get("comparator") != ">" else f"above {p.get('threshold')}"
    if p.get("upper_threshold") is None:
        return low
    high = "below" if p.get("upper_comparator") == "<" else "at most"
    return f"{low} and {high} {p['upper_threshold']}"


def _span(low: Any, high: Any) -> str:
    """A minimum, or a minimum and maximum, in the words of a finding."""
    return f"{low}" if high is None else f"{low}-{high}"


def _deposit(p: dict[str, Any]) -> str:
    cut = {"half": "half the deposit", "reduced": "a reduced deposit"}.get(p.get("deposit") or "")
    return f" ({cut}, not a deposit waived)" if cut else ""


def _compare(conn: Connection, regime: Any) -> list[dict[str, Any]]:
    perks = _perks(regime)
    out: list[dict[str, Any]] = []
    listed = conn.execute(
        select(OBS.c.id, OBS.c.subject_id, OBS.c.payload, OBS.c.artifact_sha256,
               OBS.c.province, OBS.c.record_key)
        .where(OBS.c.source_id == SOURCE_ID, OBS.c.status == "listed")).all()
    per_page = {base_of_key(o.record_key) for o in listed if page_of_key(o.record_key)}
    for obs in listed:
        if not page_of_key(obs.record_key) and base_of_key(obs.record_key) in per_page:
            continue  # an old per-perk record a per-page record has taken over
        p = obs.payload if isinstance(obs.payload, dict) else {}
        if p.get("min_score") is None:
            continue
        gate = perks.get(p.get("perk_id") or "")
        if gate is None:
            out.append(_row(
                "perk_not_in_model", obs, "perks", UNMODELLED_CITATION,
                f"{_where(p)} gates \"{_short(p.get('perk'))}\"{_deposit(p)} on a Zhima score "
                f"of {_stated(p)}; the model records no such perk.",
                {"published": _published(p)}))
            continue
        published_req = sorted(p.get("conditions") or [])
        model_req = sorted(gate.requires)
        if gate.min_score == p["min_score"] and published_req == model_req:
            continue
        if gate.min_score is None:
            words = "the model records no threshold for it"
        elif gate.min_score != p["min_score"]:
            words = f"the model records {gate.min_score}"
        else:
            words = (f"the model's extra conditions are {', '.join(model_req) or 'none'}, the "
                     f"page's {', '.join(published_req) or 'none'}")
        out.append(_row(
            "perk_threshold_differs", obs, f"perks.{gate.id}", (gate.source, str(gate.evidence)),
            f"{_where(p)} requires a Zhima score of {_stated(p)} for \"{gate.label.en}\"; "
            f"{words}.",
            {"perk_id": gate.id, "published": _published(p),
             "model": {"min_score": gate.min_score, "requires": model_req,
                       "announced": gate.announced}}))
    return out


def _changes(conn: Connection, regime: Any, as_of: date) -> list[dict[str, Any]]:
    perks = _perks(regime)
    by_id = {o.id: o for o in conn.execute(
        select(OBS.c.id, OBS.c.subject_id, OBS.c.payload, OBS.c.artifact_sha256, OBS.c.province,
               OBS.c.record_key)
        .where(OBS.c.source_id == SOURCE_ID)).all()}
    if not by_id:
        return []
    end = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=UTC)
    changes = conn.execute(
        select(CHANGES.c.observation_id, CHANGES.c.crawl_id, CHANGES.c.at, CHANGES.c.kind,
               CHANGES.c.fields)
        .where(CHANGES.c.observation_id.in_(list(by_id)))
        .order_by(CHANGES.c.at, CHANGES.c.id)).all()
    # Per page: a page read for the first time (a new address, a newly imported page, or every
    # page when records became per page) is found, not changed.
    first_crawl: dict[str, int] = {}
    for c in changes:
        page = page_of_key(by_id[c.observation_id].record_key)
        if page:
            first_crawl[page] = min(first_crawl.get(page, c.crawl_id), c.crawl_id)
    out: list[dict[str, Any]] = []
    for c in changes:
        obs = by_id[c.observation_id]
        page = page_of_key(obs.record_key)
        if page is None:
            continue  # an old per-perk record: its history mixes pages (module docstring)
        p = obs.payload if isinstance(obs.payload, dict) else {}
        at = c.at if c.at.tzinfo else c.at.replace(tzinfo=UTC)
        if at >= end or (c.kind == "added" and c.crawl_id == first_crawl[page]):
            continue
        fields = c.fields or {}
        gate = perks.get(p.get("perk_id") or "")
        name = f"\"{gate.label.en}\"" if gate else f"\"{_short(p.get('perk'))}\""
        day = at.date().isoformat()
        if c.kind == "changed":
            if not fields.keys() & set(GATE_FIELDS):
                continue  # wording or title only: the gate itself did not move
            old, new = _moved(fields, p, 0), _moved(fields, p, 1)
            summary = (f"{_where(p)} changed the Zhima score it requires for {name} from "
                       f"{old} to {new} between crawls (seen {day}).")
            if old == new:  # the deposit or a condition moved, not the score
                summary = (f"{_where(p)} changed the terms of its Zhima gate for {name} between "
                           f"crawls (seen {day}): {', '.join(sorted(fields.keys() & set(GATE_FIELDS)))}.")
        elif c.kind == "added":
            summary = f"{_where(p)} began gating {name} on a Zhima score of {_stated(p)} (seen {day})."
        elif c.kind == "removed":
            summary = f"{_where(p)} no longer states a Zhima threshold for {name} (seen {day})."
        else:
            summary = f"{_where(p)} states a Zhima threshold for {name} again (seen {day})."
        cite = (gate.source, str(gate.evidence)) if gate else UNMODELLED_CITATION
        out.append(_row("perk_threshold_changed", obs, f"perks.{gate.id}" if gate else "perks",
                        cite, summary,
                        {"change": c.kind, "at": at.isoformat(), "crawl_id": c.crawl_id,
                         "fields": {k: v for k, v in fields.items() if k in GATE_FIELDS},
                         "perk_id": p.get("perk_id"), "page": p.get("page")}))
    return out


def _moved(fields: dict[str, Any], p: dict[str, Any], side: int) -> str:
    """The score span before (side 0) or after (side 1) a recorded change."""
    return _span(*(fields[k][side] if k in fields else p.get(k)
                   for k in ("min_score", "max_score")))


def _published(p: dict[str, Any]) -> dict[str, Any]:
    return {k: p.get(k) for k in ("threshold", "comparator", "min_score", "upper_threshold",
                                  "upper_comparator", "max_score", "deposit", "conditions",
                                  "announced", "partner", "page")}


def _short(text: Any, limit: int = 60) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= limit else s[: limit - 1] + "…"
