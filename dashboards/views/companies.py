"""Companies across systems: `/companies` (search by name or code) and `/companies/<code>`, one
company's profile: every list it is on in every source, each with its dates and archived
evidence, the findings on it, and the recorded matches that joined the records.

`<code>` is a unified social credit code (full or as the court list masks it), a 9-character
organisation code, or a subject key (`uscc:…`, `org:…`, `name:…`, URL-encoded). Only companies
are shown: a key that names a person gives the same 404 as an unknown one.

A key may hold "/" (`name:M/S SUNAULA KHIMTI|NP`, `name:…CO/SOCIÉTÉ…|HT`), and a server decodes
%2F before routing, so the profile is one `<path:code>` rule that reads the `.json` / `.csv`
twin suffix itself (`company_page`); links to profiles come from `company_url`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, request, url_for

from dashboards.views import companies_data as data
from dashboards.views._common import allow_params, engine, page_info, paging
from dashboards.views._twins import Table, render, twin_routes

bp = Blueprint("companies", __name__)

MAX_QUERY = 100
SEARCH_COLUMNS = ["key", "name", "code", "sources_count", "sources", "matched_sources",
                  "observations", "matches"]
PROFILE_COLUMNS = ["observation_id", "source_id", "source_title", "list", "status", "first_seen",
                   "last_seen", "removed_at", "company_name", "credit_code", "subject_key",
                   "joined_by_match", "relation", "details", "circumstances", "artifact_sha256",
                   "finding_checks"]
MATCH_COLUMNS = ("id", "subject_a", "name_a", "subject_b", "name_b", "method", "score",
                 "reason", "matched_at", "matcher_version", "retracted_at")
METHOD_LABELS = {
    "uscc": "same unified social credit code",
    "reg_no": "same registration number",
    "org_code": "same organisation code",
    "masked_uscc+name": "masked code agrees, and names agree",
    "name_exact": "same name",
    "chinese_name_from_foreign_list": "Chinese name given by a foreign list",
    "name_fuzzy": "similar Latin names",
    "name_branch": "branch office of the company, by name",
}


def companies() -> Table:
    allow_params("q", "page", "per_page")
    raw = request.args.getlist("q")
    if len(raw) > 1:
        abort(400, "'q' takes one value")
    q = (raw[0] if raw else "").strip()
    if len(q) > MAX_QUERY:
        abort(400, f"'q' must be at most {MAX_QUERY} characters")
    page, per_page = paging()
    rows, total = data.search(engine(), q, page, per_page)
    return Table(name="companies", template="companies.html", columns=SEARCH_COLUMNS, rows=rows,
                 meta={"q": q, "companies": page_info(page, per_page, total)})


def company(code: str) -> Table:
    allow_params()
    eng = engine()
    seeds = data.resolve(eng, code)
    if not seeds:
        abort(404, f"no company with code or key {code[:80]!r} in this store; "
                   "search for it at /companies")
    subjects, matches = data.group(eng, [s["id"] for s in seeds])
    rows = data.listings(eng, subjects)
    first = seeds[0]
    sources = sorted({r["source_id"] for r in rows})
    active = [m for m in matches if m["retracted_at"] is None]
    retracted = [m for m in matches if m["retracted_at"] is not None]
    meta: dict[str, Any] = {
        "company": {"key": first["key"], "name": first["name"], "code": first["code"]},
        "sources": sources,
        "subjects": [{k: s[k] for k in ("id", "key", "name", "code", "hops", "via", "relation")}
                     for s in sorted(subjects.values(), key=lambda s: (s["hops"], s["id"]))],
        "matches": [{k: m[k] for k in MATCH_COLUMNS} for m in active],
        "retracted_matches": [{k: m[k] for k in MATCH_COLUMNS} for m in retracted],
        "findings": [{"observation_id": r["observation_id"], **f}
                     for r in rows for f in r["findings"]],
    }
    return Table(name=f"company-{first['id']}", template="company.html",
                 columns=PROFILE_COLUMNS, rows=rows, meta=meta,
                 context={"method_labels": METHOD_LABELS})


TWIN_SUFFIXES = {".json": "json", ".csv": "csv"}
# Marks the page of a key that itself ends in a suffix: the list links `name:DUP.json` to
# `/companies/name:DUP.json.html`, because `/companies/name:DUP.json` is the twin of `name:DUP`
# when that is a company too. Court-list keys are names as published, case kept, so a key may
# end in ".json"; foreign and tax-list keys are upper-cased (".JSON" is no twin suffix).
PAGE_SUFFIX = ".html"


@bp.app_template_global()
def company_url(key: str) -> str:
    """The link to a company's page that no twin suffix can be read into."""
    marked = key.endswith((*TWIN_SUFFIXES, PAGE_SUFFIX))
    return url_for("companies.company", code=key + PAGE_SUFFIX if marked else key)


def _readings(code: str) -> list[tuple[str, str]]:
    """The (key, format) pairs a profile path can mean, in the order they are tried; the last
    (the whole path as a key, as a page) needs no company to exist: it gives the 404."""
    found: list[tuple[str, str]] = []
    for suffix, fmt in TWIN_SUFFIXES.items():
        if code.endswith(suffix):
            rest = code[: -len(suffix)]
            found.append((rest, fmt))
            if rest.endswith(PAGE_SUFFIX):  # the twin of a marked page
                found.append((rest[: -len(PAGE_SUFFIX)], fmt))
    if code.endswith(PAGE_SUFFIX):
        found.append((code[: -len(PAGE_SUFFIX)], "html"))
    return [*found, (code, "html")]


def company_page(code: str) -> Response:
    """`/companies/<path:code>`, its twins `<code>.json` and `<code>.csv`, and `<code>.html`.

    Two rules, `<path:code>` and `<path:code>.json`, would leave which one wins to the router;
    here it is explicit: a suffix is read off when the code without it names a company, so the
    twin of every page is at `<page>.json` as everywhere else, and a key that ends in a suffix
    (`name:某某数据/2024.json`) is still its own page when nothing else claims the path.
    """
    *shorter, whole = _readings(code)
    for key, fmt in shorter:
        if key and data.resolve(engine(), key):
            return render(company(key), fmt)
    return render(company(whole[0]), whole[1])


twin_routes(bp, "/companies", companies)
bp.add_url_rule("/companies/<path:code>", "company", company_page)
