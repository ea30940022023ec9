"""Points table checks: the published Rongcheng table against the `rongcheng` regime, and
against itself over time.

- `points_value_differs`: a published rule whose points (or range, or direct grade) differ from
  the value the model uses.
- `points_rule_not_in_model`: a published rule the model does not have.
- `points_rule_not_published`: a rule of the model missing from the published table (attached
  to the observation that stands for the table as a whole).
- `points_table_changed`: a rule whose value or wording changed between crawls, or that
  appeared in or disappeared from the table after the first crawl.

Only what the table says is compared; neither side is assumed right. A difference means the
model, the table, or our reading of it needs a second look, and the finding says which value
each side holds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from watchdog.audit.runner import record_regime_version
from watchdog.model import load_regime
from watchdog.model.loader import DATA_DIR
from watchdog.store.tables import Finding, Observation, ObservationChange

SOURCE_ID = "points_rules"
REGIME_ID = "rongcheng"
OBS, CHANGES = Observation.__table__, ObservationChange.__table__
TABLE_CITATION = ("clt_rongcheng_assessment_standards", "verified")
_VALUE_KEYS = ("points", "points_range", "direct_grade")
SEVERITY = {"points_value_differs": "medium", "points_rule_not_in_model": "low",
            "points_rule_not_published": "low", "points_table_changed": "medium"}


def audit(engine: Engine, *, run_id: int, as_of: date) -> dict[str, int]:
    file = DATA_DIR / "regimes" / f"{REGIME_ID}.yaml"
    regime = load_regime(file)
    counts = dict.fromkeys(SEVERITY, 0)
    with engine.begin() as conn:
        version_id = record_regime_version(conn, regime, file.read_text(encoding="utf-8"))
        rows = _compare(conn, regime, as_of) + _changes(conn, regime, as_of)
        out = [{"audit_run_id": run_id, "regime_version_id": version_id,
                "severity": SEVERITY[r["check_id"]], "court": None, **r} for r in rows]
        if out:
            conn.execute(insert(Finding.__table__), out)
    for r in rows:
        counts[r["check_id"]] += 1
    return counts


def _row(check_id: str, obs: Any, rule: str, cite: tuple[str, str], summary: str,
         detail: dict[str, Any]) -> dict[str, Any]:
    return {"check_id": check_id, "observation_id": obs.id, "subject_id": obs.subject_id,
            "artifact_sha256": obs.artifact_sha256, "rule": rule, "citation": cite[0],
            "evidence": cite[1], "summary": summary, "detail": detail, "province": obs.province}


def _cite(rule: Any) -> tuple[str, str]:
    return rule.source, str(rule.evidence)


def show(points: Any, points_range: Any, direct_grade: Any) -> str:
    """A rule's value in words: '-10 points', '-50 to -5 points', 'straight to grade C'."""
    if direct_grade:
        return f"straight to grade {direct_grade}"
    if points_range:
        return f"{points_range[0]:+d} to {points_range[1]:+d} points"
    if points is None:
        return "no value"
    return f"{points:+g} points"


def model_value(rule: Any) -> tuple[Any, Any, Any]:
    rng = list(rule.points_range) if rule.points_range else None
    return (None if rng else rule.points), rng, rule.direct_grade


def _listed(conn: Connection) -> list[Any]:
    return [o for o in conn.execute(
        select(OBS.c.id, OBS.c.subject_id, OBS.c.payload, OBS.c.artifact_sha256, OBS.c.province,
               OBS.c.record_key)
        .where(OBS.c.source_id == SOURCE_ID, OBS.c.status == "listed")).all()
        if isinstance(o.payload, dict) and o.payload.get("scheme") == REGIME_ID]


def _compare(conn: Connection, regime: Any, as_of: date) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    listed = _listed(conn)
    published: dict[str, set[str]] = {}
    for obs in listed:
        p = obs.payload
        if p.get("kind") != "rule":
            continue
        table = _table_of(obs.record_key)
        rule = regime.rule(p["rule_id"]) if p.get("rule_id") else None
        if rule is None:
            out.append(_row(
                "points_rule_not_in_model", obs, "rules", TABLE_CITATION,
                f"The published table has a rule the model does not: "
                f"\"{_short(p.get('wording'))}\" ({show(p.get('points'), p.get('points_range'), p.get('direct_grade'))}).",
                {"published": _value(p), "wording": p.get("wording"), "category": p.get("category")}))
            continue
        published.setdefault(table, set()).add(rule.id)
        ours, theirs = model_value(rule), (p.get("points"), p.get("points_range"), p.get("direct_grade"))
        if not _same(ours, theirs):
            out.append(_row(
                "points_value_differs", obs, f"rules.{rule.id}", _cite(rule),
                f"The published table gives {show(*theirs)} for \"{rule.label.en}\"; the model "
                f"uses {show(*ours)}.",
                {"rule_id": rule.id, "published": _value(p),
                 "model": {"points": ours[0], "points_range": ours[1], "direct_grade": ours[2]}}))
    for obs in listed:
        if obs.payload.get("kind") != "table":
            continue
        table = _table_of(obs.record_key)
        have = published.get(table, set()) | set(obs.payload.get("rule_ids") or [])
        for rule in regime.rules:
            if rule.id in have or not _in_force(rule, as_of):
                continue
            out.append(_row(
                "points_rule_not_published", obs, f"rules.{rule.id}", _cite(rule),
                f"The model has \"{rule.label.en}\" ({show(*model_value(rule))}), but the "
                f"published table does not list it.",
                {"rule_id": rule.id, "model_evidence": str(rule.evidence)}))
    return out


def _changes(conn: Connection, regime: Any, as_of: date) -> list[dict[str, Any]]:
    """Every change the crawls recorded in the published rules, up to the audit day."""
    ids = {o.id: o for o in conn.execute(
        select(OBS.c.id, OBS.c.subject_id, OBS.c.payload, OBS.c.artifact_sha256, OBS.c.province,
               OBS.c.record_key)
        .where(OBS.c.source_id == SOURCE_ID)).all()}
    if not ids:
        return []
    end = datetime.combine(as_of + timedelta(days=1), time(), tzinfo=UTC)
    changes = conn.execute(
        select(CHANGES.c.observation_id, CHANGES.c.crawl_id, CHANGES.c.at, CHANGES.c.kind,
               CHANGES.c.fields)
        .where(CHANGES.c.observation_id.in_(list(ids)))
        .order_by(CHANGES.c.at, CHANGES.c.id)).all()
    # Per table: a table seen for the first time (a second language, another town) is found,
    # not changed, even when another table was crawled long before.
    first_crawl: dict[str, int] = {}
    for c in changes:
        table = _table_of(ids[c.observation_id].record_key)
        first_crawl[table] = min(first_crawl.get(table, c.crawl_id), c.crawl_id)
    out: list[dict[str, Any]] = []
    for c in changes:
        obs = ids[c.observation_id]
        p = obs.payload if isinstance(obs.payload, dict) else {}
        at = c.at if c.at.tzinfo else c.at.replace(tzinfo=UTC)
        if p.get("kind") != "rule" or at >= end:
            continue
        if c.kind == "added" and c.crawl_id == first_crawl[_table_of(obs.record_key)]:
            continue  # the first crawl finds the table; nothing changed yet
        rule = regime.rule(p["rule_id"]) if p.get("rule_id") else None
        name = f"\"{rule.label.en}\"" if rule else f"\"{_short(p.get('wording'))}\""
        day = at.date().isoformat()
        fields = c.fields or {}
        if c.kind == "changed":
            moved = {k: v for k, v in fields.items()
                     if k in ("points", "points_range", "direct_grade", "wording", "unit")}
            if not moved:
                continue
            if moved.keys() & set(_VALUE_KEYS):
                old = show(*(fields[k][0] if k in fields else p.get(k) for k in _VALUE_KEYS))
                new = show(*(fields[k][1] if k in fields else p.get(k) for k in _VALUE_KEYS))
                summary = f"The published value of {name} changed from {old} to {new} (seen {day})."
            else:
                summary = f"The published wording of {name} changed (seen {day})."
        elif c.kind == "added":
            summary = f"A rule appeared in the published table: {name}, {show(p.get('points'), p.get('points_range'), p.get('direct_grade'))} (seen {day})."
            moved = {}
        elif c.kind == "removed":
            summary = f"A rule disappeared from the published table: {name} (seen {day})."
            moved = {}
        else:
            summary = f"A rule came back into the published table: {name} (seen {day})."
            moved = {}
        cite = _cite(rule) if rule else TABLE_CITATION
        out.append(_row("points_table_changed", obs, f"rules.{rule.id}" if rule else "rules",
                        cite, summary, {"change": c.kind, "at": at.isoformat(),
                                        "crawl_id": c.crawl_id, "fields": moved,
                                        "rule_id": p.get("rule_id")}))
    return out


def _table_of(record_key: str) -> str:
    """`rongcheng:en` of `rongcheng:en:bank_arrears_month`: which published table a rule is in."""
    return ":".join(record_key.split(":")[:2])


def _in_force(rule: Any, as_of: date) -> bool:
    return (rule.valid_from is None or rule.valid_from <= as_of) and (
        rule.valid_to is None or as_of <= rule.valid_to)


def _same(ours: tuple[Any, Any, Any], theirs: tuple[Any, Any, Any]) -> bool:
    if ours[2] or theirs[2]:
        return ours[2] == theirs[2]
    if ours[1] or theirs[1]:
        return list(ours[1] or []) == list(theirs[1] or [])
    return ours[0] == theirs[0]


def _value(p: dict[str, Any]) -> dict[str, Any]:
    return {k: p.get(k) for k in ("points", "points_range", "direct_grade", "unit")}


def _short(text: Any, limit: int = 80) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= limit else s[: limit - 1] + "…"
