"""`/api/v1/`: the JSON views under one versioned prefix, and the OpenAPI document for them.

Each endpoint is the same view function as the page and its `.json` twin, so the three can
never disagree; `openapi.py` describes them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from dashboards.views import (
    artifacts,
    changes,
    companies,
    courts,
    findings,
    lists,
    model_pages,
    openapi,
    overview,
    simulate,
    source_detail,
    sources,
)
from dashboards.views._common import LICENCE, allow_params
from dashboards.views._twins import json_view

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ENDPOINTS = {
    "/overview": overview.overview,
    "/lists": lists.listings,
    "/lists/persons": lists.persons,
    "/findings": findings.findings,
    "/sources": sources.sources,
    "/artifacts/<string(length=64):sha>": artifacts.artifact,
    "/courts": courts.courts,
    "/changes": changes.changes,
    "/sources/<source_id>": source_detail.source_detail,
    "/model": model_pages.regimes,
    "/model/<regime_id>": model_pages.regime,
    "/simulate": simulate.simulation,
    "/companies": companies.companies,
    # A subject key can hold "/" (M/S …, ENGINEERING/CONSTRUCTION): the whole rest of the path.
    "/companies/<path:code>": companies.company,
}
for rule, view in ENDPOINTS.items():
    bp.add_url_rule(rule, view.__name__, json_view(view))


@bp.get("/")
def index() -> dict[str, Any]:
    allow_params()
    return {
        "name": "Scorewatch JSON API", "version": "v1", "licence": LICENCE,
        "openapi": "/api/v1/openapi.json",
        "endpoints": [{"path": f"/api/v1{path}", "summary": spec["get"]["summary"]}
                      for path, spec in openapi.PATHS.items()],
        "note": "Every table page is also at <path>.json and <path>.csv with the same query.",
    }


@bp.get("/openapi.json")
def openapi_document() -> dict[str, Any]:
    allow_params()
    return openapi.document(request.host_url.rstrip("/"))
