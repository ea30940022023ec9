"""The export's tables of sources, crawls, artifacts and listings, under the dashboards'
privacy rules (`watchdog.export_findings` has the audit's tables, `watchdog.export_model` the
reference model's).

Aggregates and short tables come from the very functions the dashboards' `.json` and `.csv`
twins call (`watchdog.store.queries`, `queries_history`, `audit.stats`), so the export publishes
what the site publishes. Tables that can hold millions of rows (artifacts, company listings,
findings) select the same columns as their dashboard query but stream them in batches from one
ordered query, because the dashboard's functions page with OFFSET, which would read a large
table over and over. Tests check that both give the same rows.

Persons: no table selects a person's subject row. Person listings appear only as counts through
`watchdog.store.suppression` (cells 1..k-1 shown as "<k", plus the cells that would give them
away as "≥k", or only a table's totals when its rows would);
findings about persons carry what `/findings.json` shows (check, rule, province, court, the
observation and artifact ids), never a name, key or case number.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Column, ColumnElement, Select, func, or_, select
from sqlalchemy import Table as SqlTable

from watchdog.export_spec import Context, Table, columns
from watchdog.privacy import public_artifact_url
from watchdog.store import queries
from watchdog.store.queries_lists import FACETS, list_counts, marginals, person_table

OBS, SUBJ, CRAWL = queries.OBS, queries.SUBJ, queries.CRAWL
FIND, ART, SRC, REGIME = queries.FIND, queries.ART, queries.SRC, queries.REGIME
PAGE = 500  # crawls per call of `queries.crawls`


def stream(ctx: Context, stmt: Select) -> Iterator[dict[str, Any]]:
    """Rows of `stmt`, fetched `ctx.batch` at a time (a server-side cursor on PostgreSQL)."""
    result = ctx.conn.execute(stmt, execution_options={"yield_per": ctx.batch})
    try:
        for part in result.mappings().partitions():
            for row in part:
                yield dict(row)
    finally:
        result.close()


def cols(table: SqlTable, names: str) -> list[Column[Any]]:
    return [table.c[name] for name in names.split()]


def payload(key: str) -> ColumnElement[str]:
    return OBS.c.payload[key].as_string()


# -- sources and crawls -----------------------------------------------------------------------
def source_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    with_manifest = {sid: manifest for sid, manifest in ctx.conn.execute(
        select(SRC.c.id, SRC.c.manifest))}
    for src in ctx.sources:
        manifest = with_manifest.get(src["source_id"]) or {}
        basis = manifest.get("legal_basis") or {}
        yield {**src, "regime": manifest.get("regime"),
               "contains_persons": manifest.get("contains_persons"),
               "legal_basis_citation": basis.get("citation"),
               "legal_basis": " ".join(str(basis.get("summary") or "").split()) or None,
               "source_terms": " ".join(str(manifest.get("licence") or "").split()) or None,
               "schedule": (manifest.get("schedule") or {}).get("cron")}


def crawl_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    page = 1
    while True:
        rows, total = queries.crawls(ctx.engine, page, PAGE)
        yield from rows
        if page * PAGE >= total or not rows:
            return
        page += 1


def artifact_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    used = (select(OBS.c.artifact_sha256.label("sha"), func.count().label("n"))
            .where(OBS.c.artifact_sha256.is_not(None))
            .group_by(OBS.c.artifact_sha256).subquery())
    stmt = (select(*cols(ART, "sha256 original_sha256 redacted url fetched_at "
                                       "http_status content_type size stored_size"),
                   CRAWL.c.source_id, ART.c.crawl_id,
                   func.coalesce(used.c.n, 0).label("observations"))
            .select_from(ART.outerjoin(CRAWL, CRAWL.c.id == ART.c.crawl_id)
                         .outerjoin(used, used.c.sha == ART.c.sha256))
            .order_by(ART.c.fetched_at, ART.c.sha256))
    for row in stream(ctx, stmt):
        yield {**row, "url": public_artifact_url(row["url"], bool(row["redacted"]))}


# -- listings ---------------------------------------------------------------------------------
def company_listing_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    """Observations of company subjects in every source (the court list's are `/lists` rows)."""
    is_company = or_(OBS.c.party_type.is_(None), OBS.c.party_type == "company")
    stmt = (select(OBS.c.id.label("observation_id"), OBS.c.source_id,
                   payload("list_name").label("list_name"),
                   SUBJ.c.name.label("company_name"), SUBJ.c.code.label("credit_code"),
                   SUBJ.c.key.label("subject_key"), payload("case_code").label("case_code"),
                   *cols(OBS, "province court circumstances performance"),
                   payload("publish_date").label("publish_date"), OBS.c.publish_month,
                   *cols(OBS, "status first_seen last_seen removed_at artifact_sha256"))
            .select_from(OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id))
            .where(SUBJ.c.kind == "company", is_company)
            .order_by(OBS.c.source_id, OBS.c.id))
    yield from stream(ctx, stmt)


def _cells(breakdown: str, source_id: str, table: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A suppressed province × value grid, one row per cell (totals included)."""
    values = [(c["value"], c["label"]) for c in table["columns"]] + [("total", "total")]
    for row in table["rows"]:
        for (value, label), shown in zip(values, [*row["cells"], row["total"]], strict=True):
            yield {"source_id": source_id, "breakdown": breakdown, "province": row["province"],
                   "value": value, "label": label,
                   "persons": shown if isinstance(shown, int) else None,
                   "persons_shown": str(shown)}


def _everything(ctx: Context) -> dict[str, Any]:
    """/lists.json's counts: listing_counts, and the totals of person_listings' grids, are
    these, so the two tables (and the pages) hold back the same counts."""
    if "list_counts" not in ctx.cache:
        ctx.cache["list_counts"] = list_counts(ctx.engine, queries.ListFilter(), ctx.k)
    return ctx.cache["list_counts"]


def person_listing_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    everything = queries.ListFilter()
    for by in queries.PERSON_BREAKDOWNS:  # exactly /lists/persons.json?by=...
        fixed = marginals(_everything(ctx), by, everything)
        yield from _cells(by, queries.LIST_SOURCE,
                          person_table(ctx.engine, by, everything, ctx.k, fixed))
    others = ctx.conn.execute(
        select(OBS.c.source_id).distinct()
        .select_from(OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id))
        .where(SUBJ.c.kind == "person", OBS.c.source_id != queries.LIST_SOURCE)
        .order_by(OBS.c.source_id)).scalars().all()
    for source_id in others:
        yield from _cells("status", source_id, _person_status_table(ctx, source_id))


def _person_status_table(ctx: Context, source_id: str) -> dict[str, Any]:
    """Persons of another source by province × status, built and suppressed like
    `queries.person_table` (which reads the court list only)."""
    stmt = (select(OBS.c.province, OBS.c.status, func.count())
            .select_from(OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id))
            .where(OBS.c.source_id == source_id, SUBJ.c.kind == "person")
            .group_by(OBS.c.province, OBS.c.status))
    counts = {(prov, status): int(n) for prov, status, n in ctx.conn.execute(stmt)}
    return queries.province_table("status", counts, ctx.k)


def listing_count_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    # Suppressed as /lists suppresses them, all together: the rows of each facet and the months
    # add up to one total, so one series alone would give away a count another hides.
    counts = _everything(ctx)
    series = {**counts["facets"], "month": counts["by_month"]}
    for facet in (*FACETS, "month"):
        for row in series[facet]:
            shown = row["persons"]
            yield {"facet": facet, "value": row["value"], "label": row["label"],
                   "persons": shown if isinstance(shown, int) else None,
                   "persons_shown": str(shown), "companies": row["companies"]}


def by_source_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    """Listings that are not of persons, per source, kind of subject and status."""
    stmt = (select(OBS.c.source_id, SUBJ.c.kind, OBS.c.status, func.count().label("listings"))
            .select_from(OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id))
            .where(SUBJ.c.kind != "person")
            .group_by(OBS.c.source_id, SUBJ.c.kind, OBS.c.status)
            .order_by(OBS.c.source_id, SUBJ.c.kind, OBS.c.status))
    yield from (dict(r) for r in ctx.conn.execute(stmt).mappings())


WHEN = "(UTC)"
COUNT = "as the dashboards show it: a whole number, or \"<k\" / \"≥k\" when suppressed"
LISTING_TABLES = (
    Table("sources", "Every source Scorewatch reads: publisher, legal basis, the publisher's "
          "terms, and when it was last crawled.", columns(
              ("source_id", "string", "Source id (also the name of its manifest in data/sources/)"),
              ("title", "string", "Name of the list or register"),
              ("publisher", "string", "Who publishes it"),
              ("official", "boolean", "Published by a government body"),
              ("regime", "string", "Id of the reference-model regime it is audited against"),
              ("contains_persons", "boolean", "The source names natural persons (stored only "
                                               "as keyed hashes, exported only as counts)"),
              ("legal_basis_citation", "string", "Citation id of the legal basis (see citations)"),
              ("legal_basis", "string", "The legal basis in plain words"),
              ("source_terms", "string", "Terms of the publisher's records, as Scorewatch reads them"),
              ("schedule", "string", "Crawl schedule (cron, UTC)"),
              ("last_started", "datetime", f"Start of the newest crawl {WHEN}"),
              ("last_finished", "datetime", f"End of the newest crawl {WHEN}"),
              ("last_status", "string", "Status of the newest crawl"),
              ("last_complete", "datetime", f"End of the newest complete crawl {WHEN}")),
          source_rows),
    Table("crawls", "Every crawl and import: how it ended and what it counted. A blocked or "
          "partial crawl never marks anything as removed.", columns(
              ("crawl_id", "integer", "Crawl id"),
              ("source_id", "string", "Source crawled"),
              ("mode", "string", "crawl (from the source) or import (a saved file)"),
              ("status", "string", "complete, partial, blocked, failed or running"),
              ("reason", "string", "Why it was not complete"),
              ("origin", "string", "Start URL, or file: and the name of an imported file"),
              ("started_at", "datetime", f"Start {WHEN}"),
              ("finished_at", "datetime", f"End {WHEN}"),
              ("read", "integer", "Records read"),
              ("added", "integer", "Listings seen for the first time"),
              ("changed", "integer", "Listings whose content changed"),
              ("unchanged", "integer", "Listings seen again unchanged"),
              ("rejected", "integer", "Records the parser rejected"),
              ("removed", "integer", "Listings marked removed (complete crawls only)"),
              ("requests", "integer", "HTTP requests made"),
              ("unknown_fields", "object", "Fields the parser did not know, with counts"),
              ("errors", "array", "Errors recorded"),
              ("list_published", "date", "The date the list itself states it was published "
                                         "(OFAC SDN.XML's Publish_Date): which version of the "
                                         "list was read; empty when the files read state none")),
          crawl_rows),
    Table("artifacts", "Every archived response (hashes and fetch facts, not the bytes). "
          "Responses that named persons are stored redacted; original_sha256 is the hash of "
          "the bytes as fetched, to check against any other copy.", columns(
              ("sha256", "string", "SHA-256 of the stored (possibly redacted) bytes"),
              ("original_sha256", "string", "SHA-256 of the bytes as fetched"),
              ("redacted", "boolean", "Names and ID numbers were replaced before storage"),
              ("url", "string", "Where it was fetched (file: for an import)"),
              ("fetched_at", "datetime", f"When {WHEN}"),
              ("http_status", "integer", "HTTP status"),
              ("content_type", "string", "Declared content type"),
              ("size", "integer", "Bytes as fetched"),
              ("stored_size", "integer", "Bytes stored (compressed)"),
              ("source_id", "string", "Source of the crawl that fetched it"),
              ("crawl_id", "integer", "Crawl that fetched it"),
              ("observations", "integer", "Listings that rest on it")),
          artifact_rows),
    Table("company_listings", "Every listing of a company, in every source, with its facets, "
          "status and first and last sighting. Companies are public actors and are named; "
          "persons never appear here.", columns(
              ("observation_id", "integer", "Listing id (as in the dashboards)"),
              ("source_id", "string", "Source"),
              ("list_name", "string", "Which list of the source (foreign lists)"),
              ("company_name", "string", "Company name as published"),
              ("credit_code", "string", "Unified social credit code or other code, as published "
                                        "(the court list masks some digits)"),
              ("subject_key", "string", "Scorewatch's key of the company (uscc:, org:, name:...)"),
              ("case_code", "string", "Court case number (court list)"),
              ("province", "string", "Province"),
              ("court", "string", "Enforcing court (court list)"),
              ("circumstances", "string", "Lawful circumstances recorded, e.g. c1,c4, or none"),
              ("performance", "string", "Performance as published"),
              ("publish_date", "string", "Publication date as published"),
              ("publish_month", "string", "Publication month, YYYY-MM"),
              ("status", "string", "listed, or removed (absent from a complete crawl)"),
              ("first_seen", "datetime", f"First seen {WHEN}"),
              ("last_seen", "datetime", f"Last seen {WHEN}"),
              ("removed_at", "datetime", f"Marked removed {WHEN}"),
              ("artifact_sha256", "string", "Archived response it was read from (see artifacts)")),
          company_listing_rows),
    Table("person_listings", "Listings of natural persons, counted only: per province against "
          "one breakdown (court list: circumstance, performance, status, sex, age band; other "
          "sources: status), with a total per province and an All provinces row. Counts 1-9 "
          "are suppressed, and so is one more cell wherever a hidden one could be worked out.",
          columns(
              ("source_id", "string", "Source"),
              ("breakdown", "string", "What the columns of the grid are"),
              ("province", "string", "Province, 'not recorded', or 'All provinces'"),
              ("value", "string", "Value of the breakdown, or 'total'"),
              ("label", "string", "The value in words"),
              ("persons", "integer", "Listings of persons; empty when suppressed"),
              ("persons_shown", "string", COUNT)),
          person_listing_rows),
    Table("listing_counts", "Court-list listings per value of each facet (the /lists facets "
          "and the month chart): persons counted with suppression, companies in full. A "
          "listing with several circumstances counts once for each.", columns(
              ("facet", "string", "province, circumstance, performance, party_type, status or month"),
              ("value", "string", "Value of the facet"),
              ("label", "string", "The value in words"),
              ("persons", "integer", "Listings of persons; empty when suppressed"),
              ("persons_shown", "string", COUNT),
              ("companies", "integer", "Listings of companies")),
          listing_count_rows),
    Table("listings_by_source", "Listings of subjects that are not natural persons (companies, "
          "vessels...) per source and status. Persons are in person_listings.", columns(
              ("source_id", "string", "Source"),
              ("kind", "string", "Kind of subject"),
              ("status", "string", "listed or removed"),
              ("listings", "integer", "Number of listings")),
          by_source_rows),
)
