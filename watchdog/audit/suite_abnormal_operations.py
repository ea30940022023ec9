"""The abnormal-operations list and its escalation to the serious-violation list.

A company left on the abnormal-operations list (经营异常名录) for three years without fixing the
problem moves to the list of seriously illegal and dishonest enterprises (严重违法失信企业名单):
SAIC Order No. 68 (2014) and Order No. 83, kept by SAMR's 2021 measures (reference/domain.md
4.2; secondary sources). Two checks follow from it:

- `abnormal_not_escalated`: on the list more than three years (to its removal, or to the last day
  a crawl saw it) and never put on the serious list in that time. A listing taken off since is
  judged all the same, up to its removal: the three years had passed while it was there, and the
  finding says it is gone now. A listing taken off before three years is never a finding;
- `abnormal_escalated_early`: put on the serious list for having been on the abnormal list for
  three years (the reason says so) before three years had passed since the listing it rests on.

Listings come from the company pages of gsxt (with their removal dates), the abnormal-operations
directory and Credit China's abnormal-operations table; serious listings from gsxt's company
pages, its serious-violation notices and Credit China's serious-violation table. The same
listing seen in several of them (same company, same date) counts once. A company may be two
subjects (one source gives its code, another only its name): listings of subjects the company
matcher joined count as one company's, except a branch office joined to its parent. A serious
listing found only through a name match clears "not escalated" (the cautious reading) but
never makes an "escalated early" finding: that needs the same subject or a code match. The rules live in `RULES`
below; their text is pinned as the regime version of every finding.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Engine, insert, select

from watchdog.audit.checks import span
from watchdog.audit.runner import record_regime_version
from watchdog.companies_store import refresh_matches
from watchdog.store.company_tables import CompanyMatch
from watchdog.store.tables import Finding, Observation

OBS, MATCH = Observation.__table__, CompanyMatch.__table__
# Matches that say two subjects are one legal person (a branch is a legal person of its own).
_CODE_METHODS = ("uscc", "reg_no", "org_code", "masked_uscc+name")
_NOT_ONE_COMPANY = ("name_branch",)
SOURCES = ("gsxt", "credit_china")
TYPES = ("abnormal", "abnormal_directory", "serious", "notice")
YEARS = 3


@dataclass(frozen=True)
class EscalationRules:
    id: str
    version: str


REGIME = EscalationRules("cn_abnormal_operations", "2026.11.1")
RULES: dict[str, dict[str, str]] = {
    "abnormal_not_escalated": {
        "rule": "escalation.after_three_years", "severity": "medium",
        "citation": "abnormal_escalation_shanghaiinvest", "evidence": "secondary",
        "see_also": "samr_2021_serious_list_measures",
        "text": "A company on the abnormal-operations list for 3 years without fixing the problem "
                "is moved to the serious-violation list."},
    "abnormal_escalated_early": {
        "rule": "escalation.not_before_three_years", "severity": "high",
        "citation": "abnormal_escalation_shanghaiinvest", "evidence": "secondary",
        "see_also": "saic_2014_order68_abnormal_list",
        "text": "The move to the serious-violation list for staying on the abnormal-operations "
                "list rests on 3 full years there; its legal representative and managers are "
                "then barred for 3 years."},
}
# A serious listing that rests on the abnormal-operations list says so.
_ESCALATION_WORDS = ("经营异常名录", "经营异常")
_THREE_YEARS = ("3年", "三年", "三周年", "3周年")
_SAMR_SERIOUS = ("严重违法失信", "严重违法企业", "yzwfsx")


def regime_text() -> str:
    return json.dumps({"regime": REGIME.id, "version": REGIME.version, "years": YEARS,
                       "rules": RULES}, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Listing:
    obs_id: int
    subject_id: int
    source: str
    kind: str                 # abnormal | serious
    listed: date
    removed: date | None      # the removal date the record states
    seen: date                # last day a crawl saw it (capped at the audit date)
    reason: str
    row: Any
    gone: date | None = None  # the day a complete crawl no longer found it, if one did


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def to_listing(r: Any, as_of: date) -> Listing | None:
    """A row as a listing on one of the two lists, or None (other notices, other tables)."""
    p = r.payload if isinstance(r.payload, dict) else {}
    kind, listed = p.get("record_type"), _day(p.get("listed_date"))
    if kind == "notice":
        if p.get("list_kind") != "serious" or p.get("action") != "listed":
            return None
        kind, listed = "serious", _day(p.get("notice_date"))
    elif kind == "abnormal_directory":
        kind = "abnormal"
    elif kind == "serious" and r.source_id != "gsxt":
        where = f"{p.get('list') or ''} {p.get('table') or ''}"
        if not any(w in where for w in _SAMR_SERIOUS):
            return None  # Credit China's other serious lists (the court list...) are not this one
    if kind not in ("abnormal", "serious") or listed is None:
        return None
    reason = " ".join(str(p.get(k) or "") for k in ("list_reason", "notice_text", "title"))
    gone = r.removed_at.date() if r.status == "removed" and r.removed_at else None
    return Listing(r.id, r.subject_id, r.source_id, kind, listed, _day(p.get("removed_date")),
                   min(as_of, r.last_seen.date()), reason, r, gone)


def _dedupe(items: list[Listing]) -> list[Listing]:
    """One listing per (list, date): a company-page row (it knows the removal) before the rest.
    The copies pool what the crawls saw: the listing was there on the last day any copy was seen,
    and is gone only if every copy is."""
    copies: dict[tuple[str, date], list[Listing]] = defaultdict(list)
    for x in sorted(items, key=lambda x: (x.removed is None, x.source != "gsxt", x.obs_id)):
        copies[(x.kind, x.listed)].append(x)
    out = []
    for first, *rest in copies.values():
        if rest:
            gones = [x.gone for x in (first, *rest)]
            first = replace(first, seen=max(x.seen for x in (first, *rest)),
                            gone=None if None in gones else max(g for g in gones if g))
        out.append(first)
    return sorted(out, key=lambda x: (x.listed, x.obs_id))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the anniversary is 28 February
        return day.replace(year=day.year + years, day=28)


def judge(listings: list[Listing], code_joined: frozenset[frozenset[int]] = frozenset()
          ) -> list[tuple[str, Listing, dict[str, Any]]]:
    """Findings for one company's listings: (check id, listing it rests on, detail).

    `code_joined` holds the pairs of subjects joined by a code; other subjects among
    `listings` were joined by name only."""
    items = _dedupe(listings)
    abnormal = [x for x in items if x.kind == "abnormal"]
    serious = [x for x in items if x.kind == "serious"]
    out = []
    for a in abnormal:
        end = min(a.removed or a.seen, a.seen)
        due = add_years(a.listed, YEARS)
        escalated = [s for s in serious if a.listed <= s.listed <= max(end, a.seen)]
        if end > due and not escalated:
            out.append(("abnormal_not_escalated", a, {
                "listed_date": str(a.listed), "removed_date": a.removed and str(a.removed),
                "seen_on": str(a.seen), "three_years_on": str(due),
                "on_list_for": span(a.listed, end),
                "still_listed": a.removed is None and a.gone is None,
                "removed_seen_on": a.gone and str(a.gone)}))
    for s in serious:
        if not any(w in s.reason for w in _ESCALATION_WORDS) or not any(
                w in s.reason for w in _THREE_YEARS):
            continue
        active = [a for a in abnormal if a.listed <= s.listed
                  and (a.removed is None or a.removed >= s.listed)
                  and (a.subject_id == s.subject_id
                       or frozenset((a.subject_id, s.subject_id)) in code_joined)]
        if not active:
            continue
        base = active[0]
        due = add_years(base.listed, YEARS)
        if s.listed < due:
            out.append(("abnormal_escalated_early", s, {
                "abnormal_listed_date": str(base.listed), "serious_listed_date": str(s.listed),
                "three_years_on": str(due), "early_by": span(s.listed, due),
                "abnormal_observation_id": base.obs_id}))
    return out


def _summary(check: str, x: Listing, d: dict[str, Any]) -> str:
    if check == "abnormal_not_escalated":
        if d["still_listed"]:
            tail = f"and was still there on {d['seen_on']}"
        elif d["removed_date"]:
            tail = f"until its removal on {d['removed_date']} (it is no longer listed)"
        else:
            tail = (f"to the last day a crawl saw it there, {d['seen_on']}; it has since been "
                    f"removed (a complete crawl on {d['removed_seen_on']} no longer found it)")
        return (f"On the abnormal-operations list since {d['listed_date']}, {d['on_list_for']} "
                f"{tail}, without being moved to the serious-violation list; the rules move a "
                f"company there after 3 years.")
    return (f"Put on the serious-violation list on {d['serious_listed_date']} for 3 years on the "
            f"abnormal-operations list, but its listing there dates from "
            f"{d['abnormal_listed_date']}: the 3 years ran to {d['three_years_on']}.")


def companies(conn: Any, subject_ids: set[int]
              ) -> tuple[list[set[int]], frozenset[frozenset[int]]]:
    """The subjects grouped into companies by the matcher's active matches (union-find), and
    the pairs joined by a code."""
    parent = {s: s for s in subject_ids}

    def root(s: int) -> int:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    by_code: set[frozenset[int]] = set()
    # All active matches, filtered here: no list of ids as long as the store's companies in SQL.
    for a, b, method in conn.execute(select(MATCH.c.subject_a, MATCH.c.subject_b, MATCH.c.method)
                                     .where(MATCH.c.retracted_at.is_(None),
                                            MATCH.c.method.not_in(_NOT_ONE_COMPANY))):
        if a not in parent or b not in parent:
            continue
        parent[root(a)] = root(b)
        if method in _CODE_METHODS:
            by_code.add(frozenset((a, b)))
    groups: dict[int, set[int]] = defaultdict(set)
    for s in subject_ids:
        groups[root(s)].add(s)
    return list(groups.values()), frozenset(by_code)


def audit(engine: Engine, *, run_id: int, as_of: date) -> dict[str, int]:
    refresh_matches(engine)  # one company may be several subjects: the matches must be current
    # Removed observations too: a listing that was overdue before its removal is still a
    # finding, and a serious listing removed since still shows the company was escalated.
    query = (select(OBS.c.id, OBS.c.subject_id, OBS.c.source_id, OBS.c.payload, OBS.c.province,
                    OBS.c.artifact_sha256, OBS.c.last_seen, OBS.c.status, OBS.c.removed_at)
             .where(OBS.c.source_id.in_(SOURCES),
                    OBS.c.payload["record_type"].as_string().in_(TYPES)))
    by_subject: dict[int, list[Listing]] = defaultdict(list)
    with engine.connect() as conn:
        # One row per listing or notice on two lists of companies: small next to the court list.
        for r in conn.execute(query):
            if (x := to_listing(r, as_of)) is not None:
                by_subject[x.subject_id].append(x)
        groups, code_joined = companies(conn, set(by_subject))
    rows = []
    for group in groups:
        items = [x for s in sorted(group) for x in by_subject[s]]
        for check, x, detail in judge(items, code_joined):
            rule = RULES[check]
            rows.append({"audit_run_id": run_id, "check_id": check, "severity": rule["severity"],
                         "observation_id": x.obs_id, "subject_id": x.subject_id,
                         "artifact_sha256": x.row.artifact_sha256, "rule": rule["rule"],
                         "citation": rule["citation"], "evidence": rule["evidence"],
                         "summary": _summary(check, x, detail),
                         "detail": {**detail, "source": x.source}, "province": x.row.province,
                         "court": None})
    if not rows:
        return {}
    with engine.begin() as conn:
        version_id = record_regime_version(conn, REGIME, regime_text())
        conn.execute(insert(Finding.__table__), [dict(r, regime_version_id=version_id) for r in rows])
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["check_id"]] = counts.get(r["check_id"], 0) + 1
    return counts
