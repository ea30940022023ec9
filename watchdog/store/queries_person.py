"""One person's own entries, for "Am I on a list?": the observations stored under their keys.

The keys are the keyed hashes the caller made in memory from the name and ID number the person
typed (`watchdog.privacy.Keyer.person_key`, once for each way a source masks the number); this
module only reads. It answers about those keys and no other: no partial match, no name search.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from watchdog.store.queries import ART, FIND, OBS, SRC, SUBJ, current_audit_run

MAX_ENTRIES = 200  # one person's entries; more would be a store fault, not a person


def entries_for_keys(engine: Engine, keys: list[str]) -> list[dict[str, Any]]:
    """The observations of the person subjects with these keys, newest sighting first, each
    with its source, artifact and the findings of the current audit run about it."""
    stmt = (select(OBS.c.id, OBS.c.source_id, SRC.c.title.label("source_title"),
                   SRC.c.publisher, SRC.c.official, OBS.c.status, OBS.c.payload,
                   OBS.c.party_type, OBS.c.court, OBS.c.province, OBS.c.circumstances,
                   OBS.c.performance, OBS.c.first_seen, OBS.c.last_seen, OBS.c.removed_at,
                   OBS.c.artifact_sha256, ART.c.redacted.label("artifact_redacted"))
            .select_from(OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id)
                         .join(SRC, SRC.c.id == OBS.c.source_id)
                         .outerjoin(ART, ART.c.sha256 == OBS.c.artifact_sha256))
            .where(SUBJ.c.key.in_(keys), SUBJ.c.kind == "person")
            .order_by(OBS.c.last_seen.desc(), OBS.c.id).limit(MAX_ENTRIES))
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        run = current_audit_run(engine) if rows else None
        found: dict[int, list[dict[str, Any]]] = {}
        if run is not None:
            fstmt = (select(FIND.c.observation_id, FIND.c.check_id, FIND.c.severity,
                            FIND.c.rule, FIND.c.citation, FIND.c.evidence, FIND.c.summary)
                     .where(FIND.c.audit_run_id == run["id"],
                            FIND.c.observation_id.in_([r["id"] for r in rows]))
                     .order_by(FIND.c.id))
            for f in conn.execute(fstmt).mappings():
                found.setdefault(f["observation_id"], []).append(dict(f))
    for row in rows:
        row["findings"] = found.get(row["id"], [])
        row["audit_run_id"] = run["id"] if run else None
    return rows
