"""`/artifacts/<sha>/record/<observation_id>`: one company's record in an archived response.

The stored copy of a court-list page is for administrators only (see `artifacts`), because it
still holds persons' case numbers, dates and amounts. A company is a public actor, so the one
record that produced a company's listing is shown here, as archived and with what can name a
natural person withheld (`watchdog.evidence_record`), beside the hashes that let anyone check an
independent copy of the page. Registered by `artifacts` on its blueprint, with `.json` and
`.csv` twins.

Refused: a listing about a person (403), a listing that does not rest on that artifact, a
source whose parser cannot point at a record (404), bytes that no longer match their address,
and an excerpt in which redaction would still find a name or an ID number (500; logged by
field name, never by value).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import abort, current_app, url_for
from sqlalchemy import Engine, and_, exists, select

from dashboards.views._common import allow_params, checked_bytes, engine
from dashboards.views._twins import Table
from watchdog.evidence_record import SOURCES, UnsafeExcerpt, excerpt, locate
from watchdog.parsers.errors import FormatError
from watchdog.store import queries
from watchdog.store.queries import FIND, OBS, SUBJ

SHA = re.compile(r"[0-9a-f]{64}")
RULE = "/artifacts/<string(length=64):sha>/record/<int:observation_id>"
COLUMNS = ["observation_id", "source_id", "company_name", "case_code", "artifact_sha256",
           "original_sha256", "redacted", "url", "fetched_at", "format", "line",
           "record_number", "position", "withheld", "record_json"]

PERSON_REFUSED = ("This listing is about a natural person. Records are shown for companies "
                  "only: a person's record, even redacted, holds a case number, dates and "
                  "amounts that lead back to them.")
NOT_HERE = "Listing {oid} does not rest on artifact {sha}: neither it nor a finding of it points there."
ONLY_COURT = ("Records can be shown for the court list ({sources}) only: the parsers of the "
              "other sources do not give back where in a file a record stands. The artifact's "
              "page has its hashes.")
VERIFY = ("The stored file can be downloaded by signed-in administrators only, because beside "
          "this company it lists persons. To check this record, take an independent copy of "
          "the page from the URL above and compute its SHA-256 (for example with sha256sum): "
          "if it equals the SHA-256 of the original response, it is the response we archived, "
          "and this record stands in it at the position given. Names of natural persons were "
          "removed before storing, which is why the stored copy's SHA-256 differs.")
VERIFY_PUBLIC = ("This response named no natural person, so its stored bytes are public: "
                 "download them, check that their SHA-256 is the address above, and find this "
                 "record at the position given; or compare an independent copy of the page "
                 "with the SHA-256 of the original response.")


def observation(eng: Engine, observation_id: int, sha: str) -> dict[str, Any] | None:
    """The listing with its subject, and whether it (or a finding of it) rests on `sha`."""
    via_finding = exists().where(and_(FIND.c.observation_id == OBS.c.id,
                                      FIND.c.artifact_sha256 == sha))
    stmt = (select(OBS.c.id, OBS.c.source_id, OBS.c.record_key, OBS.c.party_type,
                   OBS.c.artifact_sha256, OBS.c.payload["case_code"].as_string().label("case_code"),
                   SUBJ.c.kind, SUBJ.c.name, via_finding.label("via_finding"))
            .select_from(OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id))
            .where(OBS.c.id == observation_id))
    with eng.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row is not None else None


def record(sha: str, observation_id: int) -> Table:
    allow_params()
    if not SHA.fullmatch(sha):
        abort(400, "an artifact address is a SHA-256: 64 lowercase hexadecimal characters")
    eng = engine()
    artifact = queries.artifact(eng, sha)
    if artifact is None:
        abort(404, f"no artifact with SHA-256 {sha} in this store")
    obs = observation(eng, observation_id, sha)
    if obs is None:
        abort(404, f"no listing {observation_id} in this store")
    # Either side saying "person" is enough, as everywhere (queries_findings.is_person).
    if obs["kind"] != "company" or obs["party_type"] == "person":
        abort(403, PERSON_REFUSED)
    if obs["artifact_sha256"] != sha and not obs["via_finding"]:
        abort(404, NOT_HERE.format(oid=observation_id, sha=sha))
    if obs["source_id"] not in SOURCES:
        abort(404, ONLY_COURT.format(sources=", ".join(SOURCES)))
    found, shown, withheld = _excerpt(sha, obs, artifact)
    row = {"observation_id": observation_id, "source_id": obs["source_id"],
           "company_name": obs["name"], "case_code": obs["case_code"], "artifact_sha256": sha,
           "original_sha256": artifact["original_sha256"], "redacted": artifact["redacted"],
           "url": artifact["url"], "fetched_at": artifact["fetched_at"], "format": found.fmt,
           "line": found.line, "record_number": found.number, "position": found.position(), "withheld": sorted(withheld),
           "record_json": json.dumps(shown, ensure_ascii=False, indent=2)}
    return Table(name=f"record-{sha[:12]}-{observation_id}", template="artifact_record.html",
                 columns=COLUMNS, rows=[row],
                 meta={"record": shown, "withheld": withheld,
                       "verify": VERIFY if artifact["redacted"] else VERIFY_PUBLIC,
                       "sources_with_records": list(SOURCES)},
                 context={"excerpt": row, "artifact": artifact})


def _excerpt(sha: str, obs: dict[str, Any], artifact: dict[str, Any]) -> tuple[Any, ...]:
    data = checked_bytes(sha)
    lines = "ndjson" in (artifact["content_type"] or "").lower()
    try:
        found = locate(data, record_key=obs["record_key"], case_code=obs["case_code"] or "",
                       company_name=obs["name"], lines=lines)
    except FormatError:
        abort(404, "the stored copy cannot be read as court-list records")
    if found is None:
        abort(404, f"no record in artifact {sha} is listing {obs['id']} (same case number "
                   f"and company)")
    try:
        shown, withheld = excerpt(found.record)
    except UnsafeExcerpt as exc:
        # The reason names a field, never its value: safe to log and to show.
        current_app.logger.error("record excerpt refused: artifact %s, listing %s: %s",
                                 sha[:12], obs["id"], exc)
        abort(500, f"This record cannot be shown: {exc}. Nothing of it is served until the "
                   f"stored copy is checked.")
    return found, shown, withheld


def evidence_url(row: dict[str, Any]) -> str | None:
    """Where a public finding's record can be read, or None (persons, other sources)."""
    if (row.get("record_source") not in SOURCES or not row.get("artifact_sha256")
            or row.get("observation_id") is None):
        return None
    return url_for("artifacts.record", sha=row["artifact_sha256"],
                   observation_id=row["observation_id"])
