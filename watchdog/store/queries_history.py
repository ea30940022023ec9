"""Read-only queries about history: what changed between crawls, and how each source's
crawls filled their fields. Persons appear only as "a person" with coarse attributes: no name,
case number, keyed hash or place (a place beside a date narrows a listing to one person, and
rows counted per court would give back the small cells /courts suppresses)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Select, func, select

from watchdog.privacy import public_artifact_url
from watchdog.store import tables
from watchdog.store.queries_findings import is_person

OBS = tables.Observation.__table__
CHG = tables.ObservationChange.__table__
CRAWL = tables.Crawl.__table__
SUBJ = tables.Subject.__table__
ART = tables.Artifact.__table__

CHANGE_KINDS = ("added", "changed", "removed", "relisted")


def hidden_crawls(engine: Engine, source_ids: tuple[str, ...],
                  statuses: tuple[str, ...]) -> dict[str, int]:
    """How many crawls that changed something are not in `statuses`, by their status."""
    where = [CRAWL.c.status.not_in(statuses)] if statuses else [CRAWL.c.id.is_(None)]
    if source_ids:
        where.append(CRAWL.c.source_id.in_(source_ids))
    ids = select(CHG.c.crawl_id).distinct().scalar_subquery()
    stmt = (select(CRAWL.c.status, func.count()).where(CRAWL.c.id.in_(ids), *where)
            .group_by(CRAWL.c.status))
    with engine.connect() as conn:
        return {status: int(n) for status, n in conn.execute(stmt)}


def change_summary(engine: Engine, source_ids: tuple[str, ...] = (),
                   statuses: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Per crawl that changed anything: its status and how many listings each kind of change hit."""
    where = [CRAWL.c.source_id.in_(source_ids)] if source_ids else []
    if statuses:
        where.append(CRAWL.c.status.in_(statuses))
    stmt = (select(CRAWL.c.id, CRAWL.c.source_id, CRAWL.c.mode, CRAWL.c.status,
                   CRAWL.c.started_at, CHG.c.kind, func.count())
            .select_from(CHG.join(CRAWL, CRAWL.c.id == CHG.c.crawl_id))
            .where(*where)
            .group_by(CRAWL.c.id, CRAWL.c.source_id, CRAWL.c.mode, CRAWL.c.status,
                      CRAWL.c.started_at, CHG.c.kind)
            .order_by(CRAWL.c.id.desc()))
    out: dict[int, dict[str, Any]] = {}
    with engine.connect() as conn:
        for crawl_id, source_id, mode, status, started, kind, count in conn.execute(stmt):
            row = out.setdefault(crawl_id, {
                "crawl_id": crawl_id, "source_id": source_id, "mode": mode, "status": status,
                "started_at": started, **{k: 0 for k in CHANGE_KINDS}})
            row[kind] = int(count)
    return list(out.values())


def changes(engine: Engine, *, crawl_id: int | None, kinds: tuple[str, ...], page: int,
            size: int, source_ids: tuple[str, ...] = (),
            statuses: tuple[str, ...] = ()) -> tuple[list[dict[str, Any]], int]:
    """Individual changes, newest first, from crawls in `statuses` (all when empty).
    Companies are named; persons are not."""
    where = []
    joined = change_join()
    if statuses:
        where.append(CRAWL.c.status.in_(statuses))
    if crawl_id is not None:
        where.append(CHG.c.crawl_id == crawl_id)
    if kinds:
        where.append(CHG.c.kind.in_(kinds))
    if source_ids:
        where.append(OBS.c.source_id.in_(source_ids))
    stmt = (change_select().select_from(joined).where(*where)
            .order_by(CHG.c.id.desc()).limit(size).offset((page - 1) * size))
    with engine.connect() as conn:
        rows = [public_change(dict(r)) for r in conn.execute(stmt).mappings()]
        total = conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
    return rows, int(total)


# Fields of a person's listing whose old and new values may be shown: categories and dates.
# The others (case and judgment numbers, the obligation texts, age, sex) would let a reader
# find the person in the court's own records, and places (province, court, the body that gave
# the judgment) beside a date narrow a listing to one person; for those only the name is shown.
PERSON_VALUES_SHOWN = frozenset({
    "party_type", "circumstances", "publish_date", "reg_date", "performance", "performed_date",
    "id_mask", "fields_present"})


def change_join() -> Any:
    return (CHG.join(OBS, OBS.c.id == CHG.c.observation_id)
            .join(SUBJ, SUBJ.c.id == OBS.c.subject_id)
            .join(CRAWL, CRAWL.c.id == CHG.c.crawl_id))


def change_select() -> Select[Any]:
    """The columns `public_change` shapes into a public row (select_from `change_join()`)."""
    return select(CHG.c.id.label("change_id"), CHG.c.crawl_id,
                  CRAWL.c.status.label("crawl_status"), CHG.c.at, CHG.c.kind,
                  CHG.c.fields, OBS.c.id.label("observation_id"), OBS.c.source_id,
                  OBS.c.province, OBS.c.court, OBS.c.artifact_sha256,
                  SUBJ.c.kind.label("party_type"), SUBJ.c.name, SUBJ.c.code,
                  OBS.c.payload["case_code"].as_string().label("case_code"),
                  is_person().label("is_person"))


def public_change(row: dict[str, Any]) -> dict[str, Any]:
    """A row of `change_select()` as /changes and the export show it: companies named with
    their case numbers and place; a person is "a person", with neither case number, keyed hash,
    province nor court, and only the values of `PERSON_VALUES_SHOWN` (other changed fields are
    named, value null)."""
    company = row["party_type"] == "company"
    name, code = row.pop("name"), row.pop("code")
    row["company_name"] = name if company else None
    row["company_code"] = code if company else None
    if not company:
        row["case_code"] = None
    if row.pop("is_person"):
        row["province"] = row["court"] = None
    # Keyed hashes link records; they stay out of public views like the names they hide.
    fields = {k: v for k, v in (row.pop("fields") or {}).items() if not k.endswith("_key")}
    if not company:
        fields = {k: (v if k in PERSON_VALUES_SHOWN else None) for k, v in fields.items()}
    row["changed_fields"] = sorted(fields)
    row["field_changes"] = fields
    return row


def fill_rates(engine: Engine, source_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """Per crawl: how many records were read and, per field, the share that had it filled."""
    stmt = (select(CRAWL.c.id, CRAWL.c.status, CRAWL.c.mode, CRAWL.c.started_at, CRAWL.c.read,
                   CRAWL.c.field_fill, CRAWL.c.unknown_fields)
            .where(CRAWL.c.source_id == source_id).order_by(CRAWL.c.id.desc()).limit(limit))
    out = []
    with engine.connect() as conn:
        for crawl_id, status, mode, started, read, fill, unknown in conn.execute(stmt):
            rates = {f: (n / read if read else None) for f, n in sorted((fill or {}).items())}
            out.append({"crawl_id": crawl_id, "status": status, "mode": mode,
                        "started_at": started, "read": read, "fill": rates,
                        "unknown_fields": unknown or {}})
    return out


def recent_artifacts(engine: Engine, source_id: str, page: int,
                     size: int) -> tuple[list[dict[str, Any]], int]:
    joined = ART.join(CRAWL, CRAWL.c.id == ART.c.crawl_id)
    where = [CRAWL.c.source_id == source_id]
    stmt = (select(ART.c.sha256, ART.c.original_sha256, ART.c.redacted, ART.c.url,
                   ART.c.fetched_at, ART.c.http_status, ART.c.size, ART.c.crawl_id,
                   CRAWL.c.list_published.label("crawl_list_published"))
            .select_from(joined).where(*where)
            .order_by(ART.c.fetched_at.desc(), ART.c.sha256).limit(size)
            .offset((page - 1) * size))
    with engine.connect() as conn:
        rows = [{**r, "url": public_artifact_url(r["url"], bool(r["redacted"]))}
                for r in conn.execute(stmt).mappings()]
        total = conn.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
    return rows, int(total)
