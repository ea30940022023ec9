"""Every path the OpenAPI document describes answers, and every answer is JSON with the licence."""

from __future__ import annotations

import re

SAMPLES = {"{sha256}": None, "{source_id}": "court_dishonest", "{regime_id}": "rongcheng",
           "{code}": None}


def test_every_documented_path_answers_with_the_envelope(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    sha = client.get("/sources/court_dishonest.json").get_json()["rows"][0]["sha256"]
    company = client.get("/companies.json").get_json()["rows"][0]["key"]
    for path in doc["paths"]:
        url = path.replace("{sha256}", sha).replace("{code}", company)
        for placeholder, value in SAMPLES.items():
            if value is not None:
                url = url.replace(placeholder, value)
        query = "?regime=fico&people=200" if path == "/simulate" else ""
        response = client.get(f"/api/v1{url}{query}")
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:200])
        body = response.get_json()
        assert "licence" in body, path
        assert not re.search(r"\{\w+\}", url)


def test_each_path_documents_exactly_the_parameters_it_accepts(client):
    """The OpenAPI document and the views' own allow-lists (`allow_params`) name the same query
    parameters: one the view accepts but the document omits is an undocumented feature, one
    the document names but the view refuses is a broken promise."""
    from flask import g

    doc = client.get("/api/v1/openapi.json").get_json()
    sha = client.get("/sources/court_dishonest.json").get_json()["rows"][0]["sha256"]
    company = client.get("/companies.json").get_json()["rows"][0]
    for path, spec in doc["paths"].items():
        url = path.replace("{sha256}", sha).replace("{code}", company["key"])
        for placeholder, value in SAMPLES.items():
            if value is not None:
                url = url.replace(placeholder, value)
        documented = {p["name"] for p in spec["get"]["parameters"] if p["in"] == "query"}
        query = "?regime=fico&people=200" if path == "/simulate" else ""
        # The fixture's client keeps the request context after each request: `g` is its.
        assert client.get(f"/api/v1{url}{query}").status_code == 200, path
        accepted = set(g.allowed_params)
        assert documented == accepted, (path, sorted(documented ^ accepted))
