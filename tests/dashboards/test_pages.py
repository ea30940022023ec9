"""The public pages over the fixture store: every route answers, facets filter, the JSON and CSV
twins agree, findings carry their evidence, persons never appear individually, small counts are
suppressed, bad queries are refused, and nothing is loaded from another host."""

from __future__ import annotations

import csv
import gzip
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import plotly
import pytest

from dashboards import create_app
from dashboards.views._twins import csv_cell
from tests.dashboards.conftest import SENTINEL_ID, SENTINEL_NAME, STORED, build_store
from watchdog.store.artifacts import sha256_hex
from watchdog.store.writer import CrawlRecorder

PAGES = ["/", "/lists", "/lists/persons", "/findings", "/sources", "/methodology"]
TABLES = ["/index", "/lists", "/lists/persons", "/findings", "/sources"]
QUERIES = ["", "?province=北京", "?circumstance=c1&circumstance=c4&status=listed",
           "?party_type=company&per_page=2&page=2", "?by=performance&province=河南"]


def artifact_paths(sha: str) -> list[str]:
    # Not .raw: the fixture's artifact concerned persons, so its bytes are for admins only.
    return [f"/artifacts/{sha}", f"/artifacts/{sha}.json", f"/artifacts/{sha}.csv"]


def every_path(sha: str) -> list[str]:
    twins = [f"{t}.{fmt}" for t in TABLES for fmt in ("json", "csv")]
    api = ["/api/v1/", "/api/v1/openapi.json", "/api/v1/overview", "/api/v1/lists",
           "/api/v1/lists/persons", "/api/v1/findings", "/api/v1/sources",
           f"/api/v1/artifacts/{sha}", "/healthz"]
    return PAGES + twins + api + artifact_paths(sha)


def test_every_route_answers(client, store):
    for path in every_path(store.artifact_sha):
        response = client.get(path)
        assert response.status_code == 200, (path, response.data[:300])


@pytest.mark.parametrize("table", ["/lists", "/findings", "/sources", "/index", "/lists/persons"])
@pytest.mark.parametrize("query", ["", "?province=北京", "?page=1&per_page=3"])
def test_json_and_csv_twins_agree(client, table, query):
    if "per_page" in query and table in ("/index", "/lists/persons"):
        query = ""
    if table in ("/index", "/sources") and "province" in query:
        query = ""
    body = client.get(f"{table}.json{query}").get_json()
    reader = csv.reader(io.StringIO(client.get(f"{table}.csv{query}").get_data().decode("utf-8-sig")))
    header, *lines = list(reader)
    assert body["synthetic"] is True and header[0] == "notice"
    assert all(line[0] == "synthetic demo data in the real format" for line in lines)
    assert header[1:] == body["columns"]
    assert [line[1:] for line in lines] == [
        [csv_cell(row[c]) for c in body["columns"]] for row in body["rows"]]
    assert set(body) >= {"licence", "synthetic", "generated_at", "rows"}
    api = {"/index": "/api/v1/overview"}.get(table, f"/api/v1{table}")
    assert client.get(api + query).get_json()["rows"] == body["rows"]


def test_facets_filter_and_combine(client):
    everything = client.get("/lists.json").get_json()
    # 39 persons, held back: the overview tells the 37 listed (the audit's listings checked
    # less the companies), and 39 beside them would give the 2 removed back.
    assert everything["totals"] == {"persons": "≥10", "companies": 9}
    beijing = client.get("/lists.json?province=北京").get_json()
    assert beijing["totals"] == {"persons": 20, "companies": 3}
    assert {row["province"] for row in beijing["rows"]} == {"北京"}
    # Values of one facet are OR-ed; each facet is counted under the other facets' filters.
    two = client.get("/lists.json?province=北京&province=广东").get_json()
    assert two["totals"]["companies"] == 7
    assert {f["value"] for f in two["facets"]["province"]} == {"北京", "广东", "河南", "西藏"}
    c4 = client.get("/lists.json?circumstance=c4").get_json()
    assert [row["circumstances"] for row in c4["rows"]] == ["c4"]
    assert c4["totals"] == {"persons": "<10", "companies": 1}
    assert client.get("/lists.json?party_type=person").get_json()["rows"] == []
    removed = client.get("/lists.json?status=removed").get_json()
    assert removed["totals"] == {"persons": "<10", "companies": 0}


def test_facet_links_add_and_remove_values(client):
    html = client.get("/lists?province=北京").get_data(as_text=True)
    assert 'href="/lists?province=%E5%8C%97%E4%BA%AC&amp;province=%E5%B9%BF%E4%B8%9C"' in html
    assert 'data-remove="province" href="/lists"' in html


def test_findings_carry_rule_citation_evidence_and_artifact(client, store):
    body = client.get("/findings.json?per_page=50").get_json()
    assert body["audit_run"]["findings"] == len(body["rows"]) == 14
    assert {row["check_id"] for row in body["rows"]} == {
        "no_lawful_circumstance", "performed_not_removed"}  # not the old or running run
    for row in body["rows"]:
        assert row["rule"] and row["citation"] and row["evidence"]
        assert row["artifact_sha256"] == store.artifact_sha
    html = client.get("/findings").get_data(as_text=True)
    assert f'href="/artifacts/{store.artifact_sha}"><code>{store.artifact_sha}</code>' in html
    assert "SPC Provisions on Publishing Information" in html  # citation id resolved
    assert "no_such_citation_id" in html and "95% CI" in html
    high = client.get("/findings.json?check=no_lawful_circumstance&severity=high").get_json()
    assert high["findings"]["total"] == 5
    assert client.get("/findings.json?check=old_check").get_json()["rows"] == []


def test_no_person_is_ever_shown(client, store):
    for path in every_path(store.artifact_sha) + [f"/lists.json{q}" for q in QUERIES[:4]]:
        text = client.get(path).get_data(as_text=True)
        assert SENTINEL_NAME not in text and SENTINEL_ID not in text, path
    for table in TABLES:
        body = client.get(f"{table}.json").get_json()
        assert not {"name", "iname", "person_name", "id_number", "cardNum"} & set(body["columns"])
        for row in body["rows"]:
            if row.get("party_type") == "person":
                assert row.get("company_name") is None and row.get("case_code") is None


def test_small_cells_are_suppressed(client, app, store):
    provinces = {f["value"]: f["persons"]
                 for f in client.get("/lists.json").get_json()["facets"]["province"]}
    # Tibet's 3 is small; Henan's 16 is held back so 39 - 20 - 16 cannot reveal it.
    assert provinces == {"北京": 20, "河南": "≥10", "西藏": "<10", "广东": 0}
    table = client.get("/lists/persons.json?by=status").get_json()
    rows = {row["province"]: row for row in table["rows"]}
    assert rows["西藏"]["listed"] == "<10" and rows["河南"]["removed"] == "<10"
    assert rows["All provinces"]["total"] == "≥10"  # as on /lists: 39 less the 37 listed
    for row in table["rows"]:
        for key in table["columns"][1:]:
            assert not (isinstance(row[key], int) and 0 < row[key] < 10), (row, key)
    small_k = create_app(store.url, store.artifacts_dir, SUPPRESSION_K=2).test_client()
    assert small_k.get("/index.json").get_json()["headline"]["persons_removed"] == 2


@pytest.mark.parametrize("query", [
    "/lists?province=火星", "/lists?circumstance=c9", "/lists?party_type=robot",
    "/lists?page=0", "/lists?page=-1", "/lists?page=abc", "/lists?page=1&page=2",
    "/lists?per_page=5000", "/lists?sort=name", "/lists/persons?by=name",
    "/findings?check=nope", "/findings?severity=apocalyptic", "/sources?page=1.5",
    "/lists.json?province=火星", "/api/v1/findings?check=nope",
    "/changes?crawl=99999999999999999999", "/changes.json?crawl=%C2%B2", "/changes?crawl=0"])
def test_bad_queries_are_refused_with_a_reason(client, query):
    response = client.get(query)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert re.search(r"unknown|must be|takes one value|too many", text), text[:300]
    if ".json" in query or "/api/" in query:
        assert response.get_json()["status"] == 400


def test_public_pages_are_read_only(client):
    for path in ("/", "/lists", "/findings.json", "/api/v1/lists"):
        assert client.post(path).status_code == 405


def test_security_headers_everywhere(client, store):
    for path in ["/", "/lists.csv", "/findings.json", "/static/style.css", "/nope",
                 f"/artifacts/{store.artifact_sha}.raw", "/lists?page=0"]:
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self';")
        assert "unsafe-eval" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_plotly_is_served_from_the_installed_package(client):
    response = client.get("/static/plotly.min.js")
    assert response.status_code == 200 and "max-age=86400" in response.headers["Cache-Control"]
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert response.data == shipped.read_bytes()
    assert '<script src="/static/plotly.min.js">' in client.get("/").get_data(as_text=True)


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag in ("script", "link", "img", "iframe", "source"):
            self.loads += [v for k, v in attr.items() if k in ("src", "href") and v]
        if tag == "script" and not attr.get("src") and attr.get("type") != "application/json":
            self.inline_scripts += 1


def test_no_page_loads_anything_from_another_host(client, store):
    for path in PAGES + [f"/artifacts/{store.artifact_sha}", "/lists?province=北京"]:
        parser = Tags()
        parser.feed(client.get(path).get_data(as_text=True))
        assert parser.loads, path
        for url in parser.loads:
            host = urlsplit(url).hostname
            assert host in (None, "127.0.0.1", "localhost"), (path, url)
        assert parser.inline_scripts == 0, path
    assert client.get("/").get_data(as_text=True).count('type="application/json"') >= 3


def test_artifact_metadata_and_verified_bytes(client, store):
    meta = client.get(f"/artifacts/{store.artifact_sha}.json").get_json()["rows"][0]
    assert meta["sha256"] == store.artifact_sha and meta["original_sha256"] == store.original_sha
    assert meta["redacted"] is True and meta["http_status"] == 200 and meta["url"]
    # It concerned persons: its redacted bytes still hold case numbers and dates, so the public
    # gets its record and hashes, and a signed-in administrator the bytes.
    raw = client.get(f"/artifacts/{store.artifact_sha}.raw")
    assert raw.status_code == 403 and b"administrators only" in raw.data
    assert STORED not in raw.data
    html = client.get(f"/artifacts/{store.artifact_sha}").get_data(as_text=True)
    assert store.original_sha in html and 'id="bytes-withheld"' in html
    assert f"/artifacts/{store.artifact_sha}.raw" not in html.replace("/admin/artifacts/", "")
    assert client.get("/artifacts/" + "0" * 64).status_code == 404
    assert client.get("/artifacts/" + "Z" * 64).status_code == 400


def _admin_client(store, tmp_path):
    from tests.dashboards.test_admin import PASSWORD, login
    from watchdog.store.admin_tables import save_password

    home = tmp_path / "home"
    save_password(home, PASSWORD)
    client = create_app(store.url, store.artifacts_dir, TESTING=True,
                        WATCHDOG_HOME=home).test_client()
    return client, lambda: login(client)


def test_an_administrator_gets_the_bytes_of_a_response_about_persons(tmp_path):
    other = build_store(tmp_path, audit=False)
    client, sign_in = _admin_client(other, tmp_path)
    path = f"/admin/artifacts/{other.artifact_sha}.raw"
    assert client.get(path).status_code == 303  # signed out: to the login
    sign_in()
    raw = client.get(path)
    assert raw.status_code == 200 and raw.data == STORED and raw.mimetype == "application/json"
    assert raw.headers["X-Artifact-SHA256"] == other.artifact_sha


def test_a_response_without_persons_is_public(tmp_path):
    other = build_store(tmp_path, audit=False)
    body = b'{"companies": ["some company"]}'
    recorder = CrawlRecorder(other.url, other.artifacts_dir, "court_dishonest", mode="import",
                             origin="file:c.json")
    sha = recorder.archive(stored=body, original_sha256=sha256_hex(body), redacted=False,
                           url="file:c.json", http_status=200, content_type="application/json",
                           size=len(body))
    recorder.finish(covers_whole_source=False)
    client = create_app(other.url, other.artifacts_dir).test_client()
    assert client.get(f"/artifacts/{sha}.raw").data == body
    assert f"/artifacts/{sha}.raw" in client.get(f"/artifacts/{sha}").get_data(as_text=True)


def test_a_tampered_artifact_is_not_served(tmp_path):
    other = build_store(tmp_path, audit=False)
    path = next(other.artifacts_dir.rglob("*.gz"))
    path.write_bytes(gzip.compress(STORED.replace(b"10000", b"99999")))
    client, sign_in = _admin_client(other, tmp_path)
    sign_in()
    response = client.get(f"/admin/artifacts/{other.artifact_sha}.raw")
    assert response.status_code == 500 and b"does not match its hash" in response.data


def test_banner_and_flags_follow_where_the_data_came_from(client, tmp_path):
    assert "Synthetic demo data in the real format" in client.get("/").get_data(as_text=True)
    real = build_store(tmp_path, origin="https://zxgk.court.gov.cn/shixin/", audit=False)
    real_client = create_app(real.url, real.artifacts_dir).test_client()
    assert "Synthetic demo data" not in real_client.get("/").get_data(as_text=True)
    assert real_client.get("/lists.json").get_json()["synthetic"] is False
    # The byte-order mark first (for spreadsheets), then the header without a notice column.
    assert real_client.get("/lists.csv").get_data(as_text=True).startswith("\ufeffobservation_id,")
    assert "No audit has completed yet" in real_client.get("/findings").get_data(as_text=True)


def test_sources_show_failed_crawls_and_footer_freshness(client):
    body = client.get("/sources.json").get_json()
    statuses = [row["status"] for row in body["rows"]]
    assert statuses == ["blocked", "complete", "complete"]
    assert body["rows"][0]["reason"] == "HTTP 412 captcha page"
    assert body["rows"][0]["unknown_fields"] == {"newField": 1}
    assert client.get("/sources.json?source=credit_china").get_json()["rows"] == []
    assert client.get("/sources.json?source=court_dishonest").get_json()["crawls"]["total"] == 3
    assert client.get("/sources?source=nope").status_code == 400
    html = client.get("/sources").get_data(as_text=True)
    assert "HTTP 412 captcha page" in html and "newField" in html and "never crawled" in html
    footer = client.get("/methodology").get_data(as_text=True)
    assert "last complete crawl" in footer and "CC BY 4.0" in footer and "AGPL-3.0" in footer


def test_health_and_openapi(client):
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and health["database"] == "reachable"
    assert health["counts"]["observations"] == 48 and health["counts"]["findings"] == 16
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert {"/lists", "/findings", "/artifacts/{sha256}"} <= set(spec["paths"])
    row = spec["paths"]["/findings"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "artifact_sha256" in str(row)
    index = client.get("/api/v1/").get_json()
    assert len(index["endpoints"]) == len(spec["paths"])


def test_a_missing_database_gives_a_clear_503(tmp_path):
    broken = create_app(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path).test_client()
    assert broken.get("/healthz").status_code == 503
    response = broken.get("/lists")
    assert response.status_code == 503 and b"watchdog init" in response.data


def test_the_same_answers_on_every_database(database_url, tmp_path, client, store):
    """The queries are Core SQL meant for SQLite and PostgreSQL alike (the `postgres` run)."""
    other = build_store(tmp_path, url=database_url)
    other_client = create_app(other.url, other.artifacts_dir).test_client()
    for path in every_path(other.artifact_sha):
        assert other_client.get(path).status_code == 200, path
    for path, keys in (("/lists.json?circumstance=c4", ("facets", "totals")),
                       ("/lists/persons.json?by=sex", ("rows",)), ("/index.json", ("headline",))):
        ours, theirs = client.get(path).get_json(), other_client.get(path).get_json()
        assert [ours[k] for k in keys] == [theirs[k] for k in keys], path


def test_the_url_of_a_response_about_persons_keeps_no_query(tmp_path):
    """zxgk's detail URL names the case (disDetailNew?id=…&caseCode=…): for a response that named
    persons the public sees host and path only, on its page, on the source's page and in the
    export."""
    from watchdog.privacy import URL_QUERY_WITHHELD, public_artifact_url

    other = build_store(tmp_path, audit=False)
    body = b'{"iname": "[person:p:0123456789abcdef]"}'
    url = "http://127.0.0.1:1/zhzxgk/disDetailNew?id=860000385&caseCode=(2026)冀0602执1212号"
    recorder = CrawlRecorder(other.url, other.artifacts_dir, "court_dishonest")
    sha = recorder.archive(stored=body, original_sha256=sha256_hex(b"original"), redacted=True,
                           url=url, http_status=200, content_type="application/json",
                           size=99)
    recorder.finish(covers_whole_source=False, status="partial", reason="test")
    client = create_app(other.url, other.artifacts_dir).test_client()
    shown = client.get(f"/artifacts/{sha}.json").get_json()["rows"][0]["url"]
    assert shown == "http://127.0.0.1:1/zhzxgk/disDetailNew" + URL_QUERY_WITHHELD
    for path in (f"/artifacts/{sha}", f"/artifacts/{sha}.csv", "/sources/court_dishonest.json",
                 "/sources/court_dishonest"):
        page = client.get(path).get_data(as_text=True)
        assert "caseCode" not in page and "1212" not in page, path
    # An unredacted response (companies only) keeps its whole URL.
    assert public_artifact_url("http://x/a?b=1", False) == "http://x/a?b=1"


def test_the_json_twins_carry_the_series_their_charts_draw(client):
    index = client.get("/index.json").get_json()
    assert set(index["series"]) == {"by_month", "by_province", "by_circumstance"}
    provinces = {r["value"]: r for r in index["series"]["by_province"]}
    assert provinces["西藏"]["persons"] == "<10"  # suppressed as on the page
    assert index["by_check"] and all("check_id" in r for r in index["by_check"])
    lists = client.get("/lists.json?province=北京").get_json()
    assert lists["series"]["by_month"] and all("persons" in r for r in lists["series"]["by_month"])


def _small_store(tmp_path: Path, rows: list) -> str:
    """A store of these court-list rows alone, from one complete crawl; its URL."""
    from tests.dashboards.conftest import COURT_MANIFEST
    from watchdog.store.db import migrate
    from watchdog.store.writer import register_source

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    migrate(url)
    register_source(url, COURT_MANIFEST)
    rec = CrawlRecorder(url, tmp_path / "artifacts", "court_dishonest")
    rec.write_batch(rows, rec.archive(stored=b"{}", original_sha256=sha256_hex(b"{}"),
                                      redacted=True, url="http://127.0.0.1/x", http_status=200,
                                      content_type=None, size=2))
    rec.finish(covers_whole_source=True)
    return url


def test_a_table_whose_rows_would_give_a_count_away_shows_only_its_totals(tmp_path):
    """Nine provinces of one person each: every count is "<10", yet nine non-zero rows under
    a total below ten are one each. The provinces are held back; the totals are told."""
    from tests.dashboards.conftest import _person

    provinces = ["北京", "天津", "河北", "山西", "辽宁", "吉林", "上海", "江苏", "浙江"]
    url = _small_store(tmp_path, [_person(n, province, "c1", "全部未履行")
                                  for n, province in enumerate(provinces)])
    client = create_app(url, tmp_path / "artifacts").test_client()
    table = client.get("/lists/persons.json?by=sex").get_json()
    assert [row["province"] for row in table["rows"]] == ["All provinces"]
    assert table["provinces_held_back"] is True and table["rows"][0]["total"] == "<10"
    assert "Provinces are held back" in client.get("/lists/persons?by=sex").get_data(as_text=True)


def test_a_series_whose_rows_would_give_a_count_away_holds_back_every_row(tmp_path):
    """Nine months of one person each, every one "<10" under a total below ten: the months
    alone say each is one. The whole column is held back, and so is which months hold any."""
    from dataclasses import replace

    from tests.dashboards.conftest import _person
    from watchdog.store.db import get_engine
    from watchdog.store.queries import ListFilter
    from watchdog.store.queries_lists import list_counts

    rows = []
    for n in range(9):
        row = _person(n, "北京", "c1", "全部未履行")
        rows.append(replace(row, facets={**row.facets, "publish_month": f"2023-0{1 + n}"}))
    url = _small_store(tmp_path, rows)
    months = list_counts(get_engine(url), ListFilter(), 10)["by_month"]
    assert len(months) == 9 and {m["persons"] for m in months} == {"held back"}
    # With k = 3 the total (9) is no small count, and the status facet's 9 listed is told
    # elsewhere (the overview's listings checked less its companies): the months still say
    # each is one, so they go, and only they: the facets' 9s stay shown.
    counts = list_counts(get_engine(url), ListFilter(), 3)
    assert {m["persons"] for m in counts["by_month"]} == {"held back"}
    assert counts["totals"]["persons"] == 9
    assert {facet: [r["persons"] for r in rows] for facet, rows in counts["facets"].items()} == {
        "province": [9], "circumstance": [9], "performance": [9], "party_type": [9],
        "status": [9]}
