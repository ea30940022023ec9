"""Sentence starts are upper-cased without lower-casing the rest: Jinja's `capitalize` turned grade
"C" into "c", "AA" into "aa", "Japan" into "japan" and "WeChat" into "Wechat"."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from markupsafe import Markup

from dashboards import create_app
from tests.dashboards.conftest import build_store

TEMPLATES = Path(__file__).parents[2] / "dashboards" / "templates"


def test_the_filter_upper_cases_the_first_character_only(app: Flask):
    upper_first = app.jinja_env.filters["upper_first"]
    assert upper_first("grade C reaches AA") == "Grade C reaches AA"
    assert upper_first("") == "" and upper_first(7) == "7"
    marked = upper_first(Markup("<b>x</b>"))
    assert isinstance(marked, Markup) and marked == "<b>x</b>"  # not escaped a second time
    rendered = app.jinja_env.from_string("{{ v|upper_first }}").render(v="tiananmen <square>")
    assert rendered == "Tiananmen &lt;square&gt;"


def test_model_pages_keep_proper_nouns_and_grades(client):
    overview = client.get("/model").get_data(as_text=True)
    assert "<strong>Purchases judged unpatriotic (anime or comics from Japan)</strong>" in overview
    assert "<strong>Posts critical of the government (Tiananmen pictures, stock-market criticism)</strong>" in overview
    tax = client.get("/model/cn_tax_credit").get_data(as_text=True)
    assert "<strong>Sanctions for C and D.</strong>" in tax
    tencent = client.get("/model/tencent").get_data(as_text=True)
    assert "<strong>WeChat Pay Score.</strong>" in tencent


def test_the_self_check_keeps_grade_letters(tmp_path):
    store = build_store(tmp_path, audit=False)
    client = create_app(store.url, store.artifacts_dir, TESTING=True, CHECK_RATE_LIMIT=10_000).test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/check").get_data(as_text=True))
    assert token
    html = client.post("/check", data={"csrf_token": token.group(1), "rongcheng.drunk_driving": "1"}
                       ).get_data(as_text=True)
    assert "<p>Grade C was set directly by &#39;drunk_driving&#39;;" in html
    assert "reaches AA.</p>" in html
    assert "Grade c " not in html and "reaches aa." not in html


def test_no_template_uses_jinja_capitalize():
    users = [p.name for p in TEMPLATES.glob("*.html") if "capitalize" in p.read_text(encoding="utf-8")]
    assert users == []
