"""The OpenAPI 3.1 description of `/api/v1/`, written out by hand so it reads as documentation."""

from __future__ import annotations

from typing import Any

from watchdog.store import queries


def _param(name: str, description: str, schema: dict[str, Any], *, repeat: bool = False,
           where: str = "query") -> dict[str, Any]:
    if repeat:
        schema = {"type": "array", "items": schema}
    out: dict[str, Any] = {"name": name, "in": where, "description": description,
                           "schema": schema, "required": where == "path"}
    if repeat:
        out.update(style="form", explode=True)
    return out


_TEXT = {"type": "string", "maxLength": 128}
_PAGING = [
    _param("page", "Page number, from 1.", {"type": "integer", "minimum": 1}),
    _param("per_page", "Rows per page, 1 to 1000 (default 50).",
           {"type": "integer", "minimum": 1, "maximum": 1000}),
]
_FACETS = [
    _param("province", "Province as published; repeat to OR several.", _TEXT, repeat=True),
    _param("circumstance", "Lawful circumstance id (2017 Provisions Art. 1).",
           {"enum": list(queries.CIRCUMSTANCES)}, repeat=True),
    _param("performance", "Performance as published, e.g. 全部未履行.", _TEXT, repeat=True),
    _param("status", "Whether the listing is still published.",
           {"enum": list(queries.STATUSES)}, repeat=True),
]
_PARTY = _param("party_type", "Person or company.", {"enum": list(queries.PARTY_TYPES)},
                repeat=True)
_COUNT = {"oneOf": [{"type": "integer", "minimum": 0},
                    {"type": "string", "description": "a suppressed person count: '<k', '≥k', or "
                     "'held back' (a whole column withheld, zeros included)"}]}


def _get(summary: str, description: str, parameters: list[dict[str, Any]],
         row: dict[str, Any]) -> dict[str, Any]:
    ok = {"description": "The rows, with licence, synthetic-data flag and generation time.",
          "content": {"application/json": {"schema": {"allOf": [
              {"$ref": "#/components/schemas/Envelope"},
              {"type": "object", "properties": {"rows": {"type": "array", "items": row}}}]}}}}
    error = {"$ref": "#/components/responses/Error"}
    return {"get": {"summary": summary, "description": description, "parameters": parameters,
                    "responses": {"200": ok, "400": error, "404": error}}}


_ROW = {"type": "object", "additionalProperties": True}
PATHS: dict[str, dict[str, Any]] = {
    "/overview": _get("Headline numbers", "Listings, provinces, courts and the current audit.",
                      [], _ROW),
    "/lists": _get(
        "Court list: facet counts and company listings",
        "Facets (`facets`) count persons and companies for each value under the current "
        "filters; `rows` are company listings only. Persons are never listed individually.",
        [*_FACETS, _PARTY, *_PAGING], _ROW),
    "/lists/persons": _get(
        "Persons by province and one other facet",
        "Counts of listings of persons; counts 1..k-1 read '<k' and cells held back so that "
        "a small cell cannot be recovered read '≥k'.",
        [_param("by", "The column facet.", {"enum": list(queries.PERSON_BREAKDOWNS)}),
         *_FACETS, _PARTY],
        {"type": "object", "properties": {"province": {"type": "string"}, "total": _COUNT},
         "additionalProperties": _COUNT}),
    "/findings": _get(
        "Findings of the current audit run",
        "Each finding names its check, rule, citation, evidence grade and artifact.",
        [_param("check", "Check id.", _TEXT, repeat=True),
         _param("severity", "Severity.", _TEXT, repeat=True),
         _param("province", "Province.", _TEXT, repeat=True), *_PAGING],
        {"type": "object", "required": ["rule", "citation", "evidence", "artifact_sha256"],
         "properties": {"rule": {"type": "string"}, "citation": {"type": "string"},
                        "evidence": {"type": "string"},
                        "artifact_sha256": {"type": ["string", "null"],
                                            "pattern": "^[0-9a-f]{64}$"}}}),
    "/sources": _get("Crawls of every source", "Status, counts, reasons and errors per crawl.",
                     [_param("source", "Source id; repeat for several.", _TEXT, repeat=True),
                      *_PAGING], _ROW),
    "/artifacts/{sha256}": _get(
        "One archived response",
        "Metadata of an archived response; its bytes are at /artifacts/{sha256}.raw, unless it "
        "concerned natural persons (redacted: true): those bytes are for administrators only.",
        [_param("sha256", "SHA-256 of the stored bytes.",
                {"type": "string", "pattern": "^[0-9a-f]{64}$"}, where="path")], _ROW),
    "/courts": _get(
        "Listings and finding rates per enforcing court",
        "Persons and companies listed per court; the share of audited listings with a finding, "
        "with its Wilson 95% interval, only for courts with at least k audited listings.",
        [*_FACETS, _PARTY], _ROW),
    "/changes": _get(
        "Changes between crawls",
        "Additions, changes, removals (from complete crawls only) and relistings, newest first.",
        [_param("source", "Source id.", _TEXT, repeat=True),
         _param("kind", "Kind of change.", {"enum": ["added", "changed", "removed",
                                                     "relisted"]}, repeat=True),
         _param("crawl", "Crawl id (then changes of that crawl, whatever its status).",
                {"type": "integer", "minimum": 1}),
         _param("status", "Status of the crawls whose changes are shown (default complete).",
                {"enum": ["complete", "partial", "blocked", "failed"]}, repeat=True),
         *_PAGING], _ROW),
    "/sources/{source_id}": _get(
        "One source: freshness, runs, fill rates and archived responses",
        "The rows are the source's archived responses, newest first, with their hashes.",
        [_param("source_id", "Source id.", _TEXT, where="path"), *_PAGING], _ROW),
    "/model": _get("Every regime of the reference model",
                   "Kind, range, bands and evidence mix per regime, and the claimed-versus-"
                   "documented matrix for the 2015 description of Sesame Credit.", [], _ROW),
    "/model/{regime_id}": _get(
        "One regime with its rules, citations and evidence grades", "The validated regime.",
        [_param("regime_id", "Regime id.", _TEXT, where="path")], _ROW),
    "/simulate": _get(
        "A synthetic population scored under one regime",
        "Distribution before and after the network effect and the share past each gate. "
        "The people are synthetic and not calibrated to any real population.",
        [_param("regime", "Regime id.", _TEXT),
         _param("people", "100 to 200,000.", {"type": "integer", "minimum": 100,
                                               "maximum": 200000}),
         _param("degree", "Contacts each, 0 to 50.", {"type": "integer", "minimum": 0,
                                                       "maximum": 50}),
         _param("alpha", "Weight of contacts, 0 to 0.95.", {"type": "number"}),
         _param("seed", "Random seed.", {"type": "integer"}),
         _param("gate", "A perk, restriction or band.", _TEXT)], _ROW),
    "/companies": _get(
        "Companies across every source, by name or code",
        "Company subjects whose name or code contains `q`, with the lists they are on. "
        "Persons are never among them.",
        [_param("q", "Part of a name or code.", {"type": "string", "maxLength": 100}),
         *_PAGING], _ROW),
    "/companies/{code}": _get(
        "One company's profile across every system",
        "Every list the company is on, in every source, with evidence and dates, and the "
        "cross-source matches (with reason and score) that joined them.",
        [_param("code", "USCC, organisation code, registration number or subject key (a key "
                        "may hold '/', sent as it is or as %2F).", _TEXT, where="path")], _ROW),
}


def document(server: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Scorewatch API", "version": "1.0.0",
                 "description": "Read-only JSON over the Scorewatch store. Every response "
                                "carries the data licence and says whether the data is "
                                "synthetic demo data in the real format.",
                 "license": {"name": "AGPL-3.0-or-later (code); data CC BY 4.0",
                             "identifier": "AGPL-3.0-or-later"}},
        "servers": [{"url": f"{server}/api/v1"}],
        "paths": PATHS,
        "components": {
            "schemas": {"Envelope": {"type": "object", "required": [
                "licence", "synthetic", "generated_at", "rows"], "properties": {
                "licence": {"type": "object"}, "synthetic": {"type": "boolean"},
                "notice": {"type": ["string", "null"]},
                "generated_at": {"type": "string", "format": "date-time"},
                "query": {"type": "object"}, "columns": {"type": "array"},
                "rows": {"type": "array"}}}},
            "responses": {"Error": {"description": "A bad query or an unknown address.",
                                    "content": {"application/json": {"schema": {
                                        "type": "object", "properties": {
                                            "error": {"type": "string"},
                                            "status": {"type": "integer"},
                                            "message": {"type": "string"}}}}}}},
        },
    }
