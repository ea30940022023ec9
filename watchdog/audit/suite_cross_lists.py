"""Red-listed at home while blacklisted: a company published as an A-level taxpayer (the tax red
list) during a time it was also on a blacklist at home (the court list of dishonest judgment
debtors, the registry's list of seriously illegal and dishonest enterprises, a serious-dishonesty
list on Credit China) or on a foreign sanctions, export-control or debarment list.

Companies are joined through the subject key they share, or through one recorded match in
`companymatch` (refreshed first, so every finding can cite the match it rests on, with its
method and score). The A-level grade for year Y is published in April of Y+1 and holds until the
next grading, so it counts from 1 April Y+1 to 31 March Y+2; a blacklisting counts from its
published date (else the day we first saw it) until we saw it removed. A finding needs the two
periods to overlap and the red listing to be still published.

The registry (gsxt) publishes its serious-violation list in two shapes, read differently: a row of
a company page's serious-violation table (listed and removed dates), and a notice on the notices
board (`record_type` notice, `list_kind` serious or abnormal, `action` listed, removed, revoked...).
Only a notice of inclusion in the serious list counts as a blacklisting, from its notice date; a
notice of removal or revocation is not one, and ends the blacklistings of that subject it follows.
A notice that leaves the board says nothing about the listing, so a notice's end is a removal
notice (or the audit date), never the day we stopped seeing the notice. Abnormal-operations rows,
directory entries and notices, penalties and registry entries are not blacklists.

Home and abroad are different questions. At home, red and black lists are meant to exclude each
other, though the rule is graded "memory" until re-read. Abroad, no Chinese rule we know of bars
the combination: those findings are a comparison, graded low, and say so.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, insert, or_, select

from watchdog.audit.runner import keyset_pages, record_regime_version
from watchdog.companies_match import FOREIGN_SOURCES, NAME_METHODS
from watchdog.companies_store import refresh_matches
from watchdog.store.company_tables import CompanyMatch
from watchdog.store.tables import Finding, Observation, Subject

OBS, SUBJ, MATCH = Observation.__table__, Subject.__table__, CompanyMatch.__table__
CHUNK = 1000
MAX_LISTED = 20  # blacklist entries kept in one finding's detail


@dataclass(frozen=True)
class CrossListRegime:
    id: str
    version: str


REGIME = CrossListRegime("cn_red_black_lists", "2026.11.1")
# The regime-like table the checks rest on; its text is what the regime version pins.
RULES: dict[str, dict[str, str]] = {
    "red_list_while_blacklisted": {
        "rule": "red_list.excludes_blacklisted", "citation": "ndrc_pboc_2017_red_black_lists",
        "see_also": "ndrc_sat_2016_a_level_incentive_mou", "evidence": "memory",
        "severity": "medium",
        "text": "A subject on a blacklist of serious dishonesty is not to be on a red list at the "
                "same time; A-level taxpayers are a red list that earns joint incentives.",
    },
    "red_list_while_listed_abroad": {
        "rule": "comparison.foreign_lists", "citation": "scorewatch_cross_list_comparison",
        "see_also": "ndrc_sat_2016_a_level_incentive_mou", "evidence": "verified",
        "severity": "low",
        "text": "Not a rule: a company rewarded at home while a foreign government or the World "
                "Bank lists it, shown side by side.",
    },
}
RED_SOURCES = ("tax_a_list", "credit_china")
HOME_BLACK = ("court_dishonest", "gsxt", "credit_china")
LIST_TITLES = {
    "court_dishonest": "the court list of dishonest judgment debtors",
    "gsxt": "the registry's list of seriously illegal and dishonest enterprises",
    "credit_china": "a serious-dishonesty list on Credit China",
    "ofac_sdn": "the US Treasury's SDN list", "us_csl": "the US Consolidated Screening List",
    "worldbank_debarred": "the World Bank's list of debarred firms",
}
_LIST_KEYS = ("list", "list_name", "list_type", "kind", "type", "category", "catalog",
              "data_catalog", "table_name", "notice_type", "record_type", "section", "credit_type")
_BLACK_MARKS = ("严重违法", "严重失信", "失信被执行人", "黑名单", "serious", "blacklist", "dishonest")
_NOT_BLACK = ("经营异常", "abnormal", "重点关注", "红名单", "守信")
_RED_MARKS = ("红名单", "守信", "a级纳税人", "纳税信用a级", "red_list", "red list", "redlist")
_YEAR_KEYS = ("year", "evaluation_year", "rating_year", "tax_year", "pjnd", "评价年度")
_GRADE_KEYS = ("grade", "level", "credit_level", "credit_grade", "rating", "xyjb", "信用级别",
               "信用等级")
# Payload keys the parsers write a listing's dates under (gsxt: listed_date, removed_date).
_START_KEYS = ("listed_on", "listed_date", "publish_date", "list_date", "start_date",
               "listing_date", "decision_date", "notice_date", "date")
_END_KEYS = ("end_date", "removed_date", "delisted_on", "to_date", "debarred_to", "removed_on")
# gsxt record types (watchdog/parsers/gsxt_records.py) that are never a blacklisting: the
# abnormal-operations list and its directory are a watch list, the rest are not lists at all.
_GSXT_NOT_LISTS = frozenset({"abnormal", "abnormal_directory", "registration", "penalty",
                             "inspection", "branch", "key_person"})
# Notice actions (gsxt_fields.NOTICE_ACTIONS) that take a company off a list.
_GSXT_OFF = frozenset({"removed", "revoked"})


def _texts(payload: dict[str, Any], keys: Sequence[str]) -> str:
    return " ".join(str(payload[k]) for k in keys if payload.get(k) is not None).lower()


def is_red(source: str, payload: dict[str, Any]) -> bool:
    grade = next((str(payload[k]) for k in _GRADE_KEYS if payload.get(k)), None)
    if grade is not None and "".join(grade.upper().replace("级", "").split()) != "A":
        return False
    if source == "tax_a_list":
        return True  # the list is of A-level taxpayers
    return any(m in _texts(payload, _LIST_KEYS) for m in _RED_MARKS)


def is_home_black(source: str, payload: dict[str, Any]) -> bool:
    if source == "court_dishonest":
        return True
    if source == "gsxt" and payload.get("record_type") is not None:
        kind = payload["record_type"]
        if kind == "notice":
            # A notice is stored under list "公告": what it announces is in list_kind and action.
            return payload.get("list_kind") == "serious" and payload.get("action") == "listed"
        if kind == "serious":
            return True
        if kind in _GSXT_NOT_LISTS:
            return False
        # A record type added to the parser later: read by its list name, like other sources.
    marks = _texts(payload, _LIST_KEYS)
    return any(m in marks for m in _BLACK_MARKS) and not any(m in marks for m in _NOT_BLACK)


def removal_notice(source: str, payload: dict[str, Any]) -> date | None:
    """The date of a registry notice taking a company off the serious-violation list, else None."""
    if (source != "gsxt" or payload.get("record_type") != "notice"
            or payload.get("list_kind") != "serious" or payload.get("action") not in _GSXT_OFF):
        return None
    return _date(payload.get("notice_date"))


def _date(value: Any) -> date | None:
    text = str(value or "").strip()[:10]
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def red_year(payload: dict[str, Any]) -> int | None:
    for key in _YEAR_KEYS:
        digits = "".join(ch for ch in str(payload.get(key) or "")[:8] if ch.isdigit())[:4]
        if len(digits) == 4 and 1990 < int(digits) < 2100:
            return int(digits)
    return None


def red_window(row: Any, as_of: date) -> tuple[date, date, int | None]:
    year = red_year(row.payload)
    if year is None:
        return row.first_seen.date(), as_of, None
    return date(year + 1, 4, 1), date(year + 2, 3, 31), year


def black_window(row: Any, as_of: date, removals: Sequence[date] = ()) -> tuple[date, date]:
    """From when to when a blacklisting counts; `removals` are the dates of the registry's
    removal notices for the same subject, the first one after the start ends it."""
    start = next((d for k in _START_KEYS if (d := _date(row.payload.get(k)))), None)
    start = start or row.first_seen.date()
    end = next((d for k in _END_KEYS if (d := _date(row.payload.get(k)))), None)
    if row.payload.get("record_type") == "notice":
        seen_end = as_of  # the notice leaving the board does not take the company off the list
    else:
        seen_end = row.removed_at.date() if row.status == "removed" and row.removed_at else as_of
    end = min(end or seen_end, seen_end)
    later = [d for d in removals if d >= start]
    return start, min([end, *later])


def audit(engine: Engine, *, run_id: int, as_of: date) -> dict[str, int]:
    refresh_matches(engine)  # findings cite matches, so the matches must be current
    counts: dict[str, int] = {}
    version_id: int | None = None
    query = (select(OBS.c.id, OBS.c.subject_id, OBS.c.source_id, OBS.c.payload, OBS.c.province,
                    OBS.c.artifact_sha256, OBS.c.first_seen)
             .select_from(OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id))
             .where(OBS.c.source_id.in_(RED_SOURCES), OBS.c.status == "listed",
                    SUBJ.c.kind == "company")
             .order_by(OBS.c.id).limit(CHUNK))
    for page in keyset_pages(engine, query, OBS.c.id):
        batch = [r for r in page if isinstance(r.payload, dict) and is_red(r.source_id, r.payload)]
        with engine.begin() as conn:
            rows = _findings(conn, batch, as_of, run_id) if batch else []
            if rows:
                # The rules are pinned once there is a finding resting on them.
                version_id = version_id or record_regime_version(conn, REGIME, regime_text())
                for row in rows:
                    row["regime_version_id"] = version_id
                    counts[row["check_id"]] = counts.get(row["check_id"], 0) + 1
                conn.execute(insert(Finding.__table__), rows)
    return counts


def regime_text() -> str:
    return json.dumps({"regime": REGIME.id, "version": REGIME.version, "rules": RULES,
                       "red_sources": RED_SOURCES, "home_black": HOME_BLACK,
                       "abroad": sorted(FOREIGN_SOURCES)}, ensure_ascii=False, sort_keys=True)


def _joins(conn: Any, subject_ids: set[int]) -> dict[int, dict[int, dict[str, Any]]]:
    """subject -> {related subject -> how joined}, itself included."""
    out: dict[int, dict[int, dict[str, Any]]] = {s: {s: {"how": "same subject"}} for s in subject_ids}
    ids = sorted(subject_ids)
    for m in conn.execute(select(MATCH).where(
            MATCH.c.retracted_at.is_(None),
            or_(MATCH.c.subject_a.in_(ids), MATCH.c.subject_b.in_(ids)))).mappings():
        how = {"how": "match", "match_id": m["id"], "method": m["method"],
               "score": m["score"]}
        for one, other in ((m["subject_a"], m["subject_b"]), (m["subject_b"], m["subject_a"])):
            if one in out:
                out[one][other] = how
    return out


def _findings(conn: Any, reds: Sequence[Any], as_of: date, run_id: int) -> list[dict[str, Any]]:
    joins = _joins(conn, {r.subject_id for r in reds})
    related = sorted({s for j in joins.values() for s in j})
    blacks: dict[int, list[Any]] = defaultdict(list)
    removals: dict[int, list[date]] = defaultdict(list)
    for b in conn.execute(
            select(OBS.c.id, OBS.c.subject_id, OBS.c.source_id, OBS.c.payload, OBS.c.status,
                   OBS.c.first_seen, OBS.c.removed_at, OBS.c.artifact_sha256)
            .select_from(OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id))
            .where(OBS.c.subject_id.in_(related), SUBJ.c.kind == "company",
                   OBS.c.source_id.in_(HOME_BLACK + tuple(sorted(FOREIGN_SOURCES))))):
        if isinstance(b.payload, dict):
            blacks[b.subject_id].append(b)
            if (day := removal_notice(b.source_id, b.payload)) is not None:
                removals[b.subject_id].append(day)
    out: list[dict[str, Any]] = []
    for red in reds:
        red_start, red_end, year = red_window(red, as_of)
        hits: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for other, how in joins[red.subject_id].items():
            for b in blacks.get(other, []):
                if b.id == red.id:
                    continue
                abroad = b.source_id in FOREIGN_SOURCES
                if not abroad and not is_home_black(b.source_id, b.payload):
                    continue
                # A registry removal notice ends the registry's listings, not the court's.
                ends = removals.get(b.subject_id, ()) if b.source_id == "gsxt" else ()
                start, end = black_window(b, as_of, ends)
                if start > as_of or start > red_end or end < red_start:
                    continue
                check = "red_list_while_listed_abroad" if abroad else "red_list_while_blacklisted"
                if _seen_twice(hits[check], b, start):
                    continue
                hits[check].append({
                    "observation_id": b.id, "source_id": b.source_id, "subject_id": b.subject_id,
                    "list": str(b.payload.get("list_name") or LIST_TITLES.get(b.source_id, b.source_id)),
                    "programs": b.payload.get("programs") or b.payload.get("grounds"),
                    "from": start.isoformat(), "until": end.isoformat(), "status": b.status,
                    "record_type": b.payload.get("record_type"),
                    "artifact_sha256": b.artifact_sha256, "joined": how})
        for check, found in hits.items():
            out.append(_finding(check, red, found, red_start, year, run_id))
    return out


def _seen_twice(found: list[dict[str, Any]], b: Any, start: date) -> bool:
    """Whether this registry listing is already among `found`: gsxt shows one listing both as a
    company-page row and as a notice of the same day. The row is kept (it knows the removal).
    Other sources are never merged: two court cases published on one day are two listings."""
    if b.source_id != "gsxt":
        return False
    is_notice = b.payload.get("record_type") == "notice"
    for i, f in enumerate(found):
        if ((f["source_id"], f["subject_id"], f["from"]) != ("gsxt", b.subject_id, start.isoformat())
                or not (is_notice or f["record_type"] == "notice")):
            continue
        if f["record_type"] == "notice" and not is_notice:
            del found[i]
            return False
        return True
    return False


def _finding(check: str, red: Any, found: list[dict[str, Any]], red_start: date,
             year: int | None, run_id: int) -> dict[str, Any]:
    rule = RULES[check]
    found.sort(key=lambda f: (f["from"], f["observation_id"]))
    lists = sorted({LIST_TITLES.get(f["source_id"], f["source_id"]) for f in found})
    first = found[0]["from"]
    grade = f"an A-level taxpayer for {year}" if year else "an A-level taxpayer"
    methods = {f["joined"].get("method") for f in found}
    by_name = methods <= NAME_METHODS
    # A branch office is not its parent: say whose listing it is.
    who = ("its parent company or a branch office of it was"
           if methods == {"name_branch"} else "it was also")
    severity = rule["severity"]
    if check == "red_list_while_blacklisted":
        summary = (f"Published as {grade} while {who} on {' and '.join(lists)} ({len(found)} "
                   f"entr{'y' if len(found) == 1 else 'ies'}, the first from {first}); red and "
                   f"black lists are meant to exclude each other.")
        if year and date.fromisoformat(first) < red_start:
            summary += f" The blacklisting began before the {year} A-level list was due."
        if by_name:
            severity = "low"
    else:
        summary = (f"Published as {grade} while {who} on {' and '.join(lists)} from {first}. "
                   f"No Chinese rule we know of bars this; it is shown for comparison.")
    if by_name:
        summary += " The records were joined by name only: no code confirmed it."
    return {
        "audit_run_id": run_id, "check_id": check, "severity": severity,
        "observation_id": red.id, "subject_id": red.subject_id,
        "regime_version_id": None, "artifact_sha256": red.artifact_sha256,
        "rule": rule["rule"], "citation": rule["citation"], "evidence": rule["evidence"],
        "summary": summary, "province": red.province, "court": None,
        "detail": {"red_source": red.source_id, "a_level_year": year,
                   "red_counts_from": red_start.isoformat(), "blacklisted": found[:MAX_LISTED],
                   "blacklisted_total": len(found)},
    }
