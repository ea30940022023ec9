"""What the company pages read: which company subjects a code names, the companies joined to
them by recorded matches, and every observation of them in every source.

Only subjects of kind company are ever selected here, and matches join companies only, so no
person can appear on these pages. Payload fields are shown through a short per-source list of
fields, never the whole payload.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from sqlalchemy import Engine, and_, distinct, func, or_, select

from watchdog.companies import (
    MASKED_USCC,
    compact_code,
    normalise_name,
    valid_org_code,
    valid_uscc,
)
from watchdog.companies_match import FOREIGN_SOURCES
from watchdog.store import queries
from watchdog.store.company_tables import CompanyMatch
from watchdog.store.tables import Finding, Observation, Source, Subject

OBS, SUBJ, MATCH = Observation.__table__, Subject.__table__, CompanyMatch.__table__
FIND, SRC = Finding.__table__, Source.__table__
MAX_GROUP = 200  # subjects on one profile; a chain of matches longer than this is cut
MAX_HOPS = 3
# Whose records a profile row is, seen from the company the page is about.
THIS, PARENT, BRANCH = "this company", "parent company", "branch office"
EITHER = "its parent company or a branch office of it"
COURT_FIELDS = ("case_code", "publish_date", "reg_date", "court", "performance",
                "performed_part", "unperformed_part", "gist_unit", "gist_id")
TAX_FIELDS = ("year", "evaluation_year", "grade", "level", "taxpayer_number", "tax_authority")
# Not `remarks`: a foreign list's remarks can name a person linked to the company.
FOREIGN_FIELDS = ("programs", "grounds", "country", "listed_on", "end_date",
                  "federal_register_notice")
# Never shown from a payload whose fields we do not list: keyed hashes, free text that once
# named persons, names, and fields that name people (legal representative: 法人 fr, fddbr...).
HIDDEN = ("_key", "legal", "person", "duty", "name", "identifiers", "address", "fddbr", "frdb",
          "owner", "shareholder", "keyperson", "contact", "phone", "card", "id_number", "remark")
HIDDEN_PARTS = frozenset({"fr", "xm", "frmc", "fzr"})  # pinyin field names for persons


def _hidden(key: str) -> bool:
    low = key.lower()
    return any(h in low for h in HIDDEN) or bool(HIDDEN_PARTS & set(low.split("_")))


def resolve(engine: Engine, code: str) -> list[dict[str, Any]]:
    """Company subjects that `code` names: a USCC (full or masked), an organisation code, or a
    subject key. Persons are never returned, whatever the key."""
    text = code.strip()
    compact = compact_code(text)
    if valid_uscc(compact) or MASKED_USCC.fullmatch(compact):
        where = or_(SUBJ.c.key == f"uscc:{compact}", SUBJ.c.code == compact)
    elif len(compact) == 9 and valid_org_code(compact):
        where = or_(SUBJ.c.key == f"org:{compact}", SUBJ.c.code == compact,
                    SUBJ.c.code == f"{compact[:8]}-{compact[8]}",
                    SUBJ.c.key.like(f"uscc:________{compact}_"))
    else:
        where = SUBJ.c.key == text
    stmt = (select(SUBJ.c.id, SUBJ.c.key, SUBJ.c.name, SUBJ.c.code)
            .where(where, SUBJ.c.kind == "company").order_by(SUBJ.c.id).limit(MAX_GROUP))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def group(engine: Engine, seeds: list[int]) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]]]:
    """The subjects joined to `seeds` by recorded matches (up to MAX_HOPS away), with how each
    was reached and whose records they are (`relation`), and the matches among them (current
    ones first, then retracted).

    A branch office is not its parent (suite_cross_lists words it the same way): a subject
    reached through a `name_branch` match is the seeds' "parent company" or a "branch office"
    of them, and a second `name_branch` match is never followed from there, so a branch's page
    does not inherit its sibling branches' listings through their parent."""
    reached: dict[int, dict[str, Any]] = {s: {"hops": 0, "via": None, "relation": THIS}
                                          for s in seeds}
    queue = deque(seeds)
    sa, sb = SUBJ.alias("sa"), SUBJ.alias("sb")
    with engine.connect() as conn:
        while queue and len(reached) < MAX_GROUP:
            sid = queue.popleft()
            here = reached[sid]
            if here["hops"] >= MAX_HOPS:
                continue
            for m in conn.execute(
                    select(MATCH.c.id, MATCH.c.subject_a, MATCH.c.subject_b, MATCH.c.method,
                           MATCH.c.reason, sa.c.name.label("name_a"), sb.c.name.label("name_b"))
                    .select_from(MATCH.join(sa, sa.c.id == MATCH.c.subject_a)
                                 .join(sb, sb.c.id == MATCH.c.subject_b))
                    .where(MATCH.c.retracted_at.is_(None),
                           or_(MATCH.c.subject_a == sid, MATCH.c.subject_b == sid))
                    .order_by(MATCH.c.id)).mappings():
                mine, other = ("a", "b") if m["subject_a"] == sid else ("b", "a")
                relation = here["relation"]
                if m["method"] == "name_branch":
                    if relation != THIS:
                        continue  # branch -> parent -> another branch: not this company's
                    relation = branch_side(m["reason"], m[f"name_{mine}"], m[f"name_{other}"])
                oid = m[f"subject_{other}"]
                known = reached.get(oid)
                # A subject first reached through a branch match may turn out to be this company
                # by a code; it is then this company's, and its own matches are followed again.
                if (known is None and len(reached) < MAX_GROUP) or (
                        known is not None and known["relation"] != THIS and relation == THIS):
                    reached[oid] = {"hops": here["hops"] + 1, "via": m["id"],
                                    "relation": relation}
                    queue.append(oid)
        ids = sorted(reached)
        subjects = {r["id"]: {**dict(r), **reached[r["id"]]} for r in conn.execute(
            select(SUBJ.c.id, SUBJ.c.key, SUBJ.c.name, SUBJ.c.code)
            .where(SUBJ.c.id.in_(ids), SUBJ.c.kind == "company")).mappings()}
        matches = [dict(m) for m in conn.execute(
            select(MATCH).where(and_(MATCH.c.subject_a.in_(ids), MATCH.c.subject_b.in_(ids)))
            .order_by(MATCH.c.retracted_at.is_not(None), MATCH.c.id)).mappings()]
    for m in matches:
        m["name_a"] = (subjects.get(m["subject_a"]) or {}).get("name")
        m["name_b"] = (subjects.get(m["subject_b"]) or {}).get("name")
    return subjects, matches


def branch_side(reason: str, mine: str | None, other: str | None) -> str:
    """Whether the other end of a `name_branch` match is the parent company or a branch office
    of this one: from the reason `companies_match` wrote ("branch: B is a branch office (…) of
    P"), else from the names, else both are possible and the label says so."""
    for name, side in ((other, BRANCH), (mine, PARENT)):
        if name and reason.startswith(f"branch: {name} is a branch office"):
            return side
    form_mine, form_other = normalise_name(mine or ""), normalise_name(other or "")
    mine_branch = bool(form_mine and form_mine.branch)
    other_branch = bool(form_other and form_other.branch)
    if other_branch != mine_branch:
        return BRANCH if other_branch else PARENT
    return EITHER


def details(source_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The few payload fields that say what the listing is, per kind of source."""
    if source_id == "court_dishonest":
        keys: tuple[str, ...] = COURT_FIELDS
    elif source_id == "tax_a_list":
        keys = TAX_FIELDS
    elif source_id in FOREIGN_SOURCES:
        keys = FOREIGN_FIELDS
    else:
        keys = tuple(k for k in payload if not _hidden(k))[:10]
    out: dict[str, Any] = {}
    for key in keys:
        value = payload.get(key)
        if value in (None, "", [], {}) or isinstance(value, dict) or (
                isinstance(value, list) and any(isinstance(v, dict | list) for v in value)):
            continue
        out[key] = value[:160] if isinstance(value, str) else value
    return out


def listings(engine: Engine, subjects: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every observation of the group's subjects, in every source, with its evidence and the
    findings of the current audit run on it."""
    ids = sorted(subjects)
    stmt = (select(OBS.c.id, OBS.c.subject_id, OBS.c.source_id, SRC.c.title.label("source_title"),
                   OBS.c.status, OBS.c.payload, OBS.c.circumstances, OBS.c.first_seen,
                   OBS.c.last_seen, OBS.c.removed_at, OBS.c.artifact_sha256)
            .select_from(OBS.join(SRC, SRC.c.id == OBS.c.source_id))
            .where(OBS.c.subject_id.in_(ids))
            .order_by(OBS.c.source_id, OBS.c.first_seen, OBS.c.id))
    run = queries.current_audit_run(engine)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
        found: dict[int, list[dict[str, Any]]] = {}
        if run is not None and rows:
            for f in conn.execute(
                    select(FIND.c.observation_id, FIND.c.check_id, FIND.c.severity,
                           FIND.c.summary, FIND.c.citation, FIND.c.evidence)
                    .where(FIND.c.audit_run_id == run["id"],
                           FIND.c.observation_id.in_([r["id"] for r in rows]))
                    .order_by(FIND.c.id)).mappings():
                found.setdefault(f["observation_id"], []).append(dict(f))
    out = []
    for r in rows:
        payload = r["payload"] if isinstance(r["payload"], dict) else {}
        subject = subjects[r["subject_id"]]
        out.append({
            "observation_id": r["id"], "source_id": r["source_id"],
            "source_title": r["source_title"],
            "list": payload.get("list_name") or r["source_title"], "status": r["status"],
            "first_seen": r["first_seen"], "last_seen": r["last_seen"],
            "removed_at": r["removed_at"], "subject_key": subject["key"],
            "company_name": subject["name"], "credit_code": subject["code"],
            "joined_by_match": subject["via"], "relation": subject["relation"],
            "details": details(r["source_id"], payload),
            "circumstances": r["circumstances"], "artifact_sha256": r["artifact_sha256"],
            "findings": found.get(r["id"], []),
            "finding_checks": [f["check_id"] for f in found.get(r["id"], [])]})
    return out


def search(engine: Engine, q: str, page: int, size: int) -> tuple[list[dict[str, Any]], int]:
    """Company subjects with at least one observation, by name, code or key; most sources first."""
    where = [SUBJ.c.kind == "company"]
    if q:
        compact = compact_code(q)
        where.append(or_(SUBJ.c.name.contains(q, autoescape=True),
                         SUBJ.c.code.contains(compact or q, autoescape=True),
                         SUBJ.c.key.contains(q, autoescape=True)))
    n_sources = func.count(distinct(OBS.c.source_id))
    joined = SUBJ.join(OBS, OBS.c.subject_id == SUBJ.c.id)
    stmt = (select(SUBJ.c.id, SUBJ.c.key, SUBJ.c.name, SUBJ.c.code,
                   n_sources.label("sources_count"), func.count(OBS.c.id).label("observations"))
            .select_from(joined).where(*where).group_by(SUBJ.c.id, SUBJ.c.key, SUBJ.c.name,
                                                        SUBJ.c.code)
            .order_by(n_sources.desc(), func.count(OBS.c.id).desc(), SUBJ.c.id)
            .limit(size).offset((page - 1) * size))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        total = conn.execute(select(func.count(distinct(SUBJ.c.id))).select_from(joined)
                             .where(*where)).scalar_one()
        ids = [r["id"] for r in rows]
        partners: dict[int, set[int]] = {}
        if ids:
            for a, b in conn.execute(select(MATCH.c.subject_a, MATCH.c.subject_b).where(
                    MATCH.c.retracted_at.is_(None),
                    or_(MATCH.c.subject_a.in_(ids), MATCH.c.subject_b.in_(ids)))):
                partners.setdefault(a, set()).add(b)
                partners.setdefault(b, set()).add(a)
        wanted = set(ids).union(*partners.values()) if partners else set(ids)
        sources: dict[int, set[str]] = {}
        if wanted:
            for sid, source in conn.execute(select(OBS.c.subject_id, OBS.c.source_id).distinct()
                                            .where(OBS.c.subject_id.in_(sorted(wanted)))):
                sources.setdefault(sid, set()).add(source)
    for r in rows:
        own = sources.get(r["id"], set())
        joined = set().union(*(sources.get(p, set()) for p in partners.get(r["id"], ())))
        r["sources"] = sorted(own)
        r["matched_sources"] = sorted(joined - own)  # lists its matched records are on
        r["matches"] = len(partners.get(r["id"], ()))
    return rows, int(total)
