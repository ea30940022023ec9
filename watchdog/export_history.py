"""The export's tables of history: every change between crawls, as /changes shows it, and every
company match the matcher recorded, as the company pages show them.

Changes stream from one ordered query with `queries_history.change_select`, shaped row by row by
`queries_history.public_change`, the function behind /changes.json: a person is "a person",
without case number, keyed hash, province or court, and only coarse values of what changed.
Matches join two company subjects; persons are never matched.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from watchdog.export_spec import Context, Table, columns
from watchdog.export_tables import SUBJ, WHEN, stream
from watchdog.store import queries_history as history
from watchdog.store.company_tables import CompanyMatch

MATCH = CompanyMatch.__table__


def change_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    stmt = (history.change_select().select_from(history.change_join())
            .order_by(history.CHG.c.id))
    for row in stream(ctx, stmt):
        yield history.public_change(row)


def match_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    a, b = aliased(SUBJ), aliased(SUBJ)
    stmt = (select(MATCH.c.id.label("match_id"),
                   MATCH.c.subject_a, a.c.key.label("key_a"), a.c.name.label("name_a"),
                   a.c.code.label("code_a"),
                   MATCH.c.subject_b, b.c.key.label("key_b"), b.c.name.label("name_b"),
                   b.c.code.label("code_b"),
                   MATCH.c.method, MATCH.c.score, MATCH.c.reason, MATCH.c.matched_at,
                   MATCH.c.matcher_version, MATCH.c.retracted_at)
            .select_from(MATCH.join(a, a.c.id == MATCH.c.subject_a)
                         .join(b, b.c.id == MATCH.c.subject_b))
            # The matcher reads companies only; this keeps it so whatever a row says.
            .where(a.c.kind == "company", b.c.kind == "company")
            .order_by(MATCH.c.id))
    yield from stream(ctx, stmt)


HISTORY_TABLES = (
    Table("changes", "Every change between crawls, oldest first, as /changes shows it (of every "
          "crawl, whatever its status: see crawl_status): listings "
          "added, changed, removed (absent from a complete crawl only) and relisted; a partial, "
          "blocked or failed crawl only adds. Companies "
          "are named with their case numbers; a change to a person's listing gives no name, "
          "case number, keyed hash, province or court, and only the values of categories and "
          "dates (other changed fields are named, their values empty: a place beside a date "
          "narrows a listing to one person).", columns(
              ("change_id", "integer", "Change id"),
              ("crawl_id", "integer", "Crawl or import that saw it (see crawls)"),
              ("crawl_status", "string", "That crawl's status: complete, partial, blocked, "
                                         "failed or running (a crawl that did not end complete "
                                         "only adds listings; /changes shows every status, as "
                                         "here, unless asked for status=complete)"),
              ("at", "datetime", f"When {WHEN}"),
              ("kind", "string", "added, changed, removed or relisted"),
              ("source_id", "string", "Source"),
              ("party_type", "string", "person or company (empty: the source does not say)"),
              ("company_name", "string", "Company name (companies only)"),
              ("company_code", "string", "Company code as published (companies only)"),
              ("case_code", "string", "Court case number (companies only)"),
              ("province", "string", "Province (empty for a person)"),
              ("court", "string", "Enforcing court (court list; empty for a person)"),
              ("changed_fields", "array", "Fields whose value changed"),
              ("field_changes", "object", "Per changed field: [old, new], or empty where a "
                                          "person's value is withheld"),
              ("observation_id", "integer", "Listing id (see company_listings, findings)"),
              ("artifact_sha256", "string", "Archived response of the listing's newest sighting")),
          change_rows),
    Table("company_matches", "Every match the company matcher recorded between two company "
          "subjects, across sources: how (method), how strongly (score, 0-1) and why (reason). "
          "A retracted match no longer holds; it stays for the record.", columns(
              ("match_id", "integer", "Match id"),
              ("subject_a", "integer", "One company subject (the smaller id)"),
              ("key_a", "string", "Scorewatch's key of that company"),
              ("name_a", "string", "Its name as published"),
              ("code_a", "string", "Its code as published"),
              ("subject_b", "integer", "The other company subject"),
              ("key_b", "string", "Scorewatch's key of that company"),
              ("name_b", "string", "Its name as published"),
              ("code_b", "string", "Its code as published"),
              ("method", "string", "uscc, reg_no, org_code, masked_uscc+name, name_exact, "
                                   "chinese_name_from_foreign_list, name_fuzzy or name_branch"),
              ("score", "number", "Strength of the match, 0-1"),
              ("reason", "string", "The codes or names compared, in words"),
              ("matched_at", "datetime", f"When the match was recorded {WHEN}"),
              ("matcher_version", "string", "Version of the matcher that made it"),
              ("retracted_at", "datetime", f"When it stopped holding {WHEN}; empty if current")),
          match_rows),
)
