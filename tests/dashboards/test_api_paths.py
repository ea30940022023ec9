"""Every path the OpenAPI document describes answers, and every answer is JSON with the licence."""

from __future__ import annotations

import re

SAMPLES = {"{sha256}": None, "{source_id}": "court_dishonest", "{regime_id}": "rongcheng"}


def test_every_documented_path_answers_with_the_envelope(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    sha = client.get("/sources/court_dishonest.json").get_json()["rows"][0]["sha256"]
    for path in doc["paths"]:
        url = path.replace("{sha256}", sha)
        for placeholder, value in SAMPLES.items():
            if value is not None:
                url = url.replace(placeholder, value)
        query = "?regime=fico&people=200" if path == "/simulate" else ""
        response = client.get(f"/api/v1{url}{query}")
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:200])
        body = response.get_json()
        assert "licence" in body, path
        assert not re.search(r"\{\w+\}", url)
