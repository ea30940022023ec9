"""/changes and /sources/<id>: deltas between crawls and a source's freshness and evidence."""

from __future__ import annotations


def test_changes_lists_additions_and_removals_without_naming_persons(client):
    body = client.get("/changes.json").get_json()
    kinds = {row["kind"] for row in body["rows"]}
    assert {"added", "removed"} <= kinds
    assert body["by_crawl"] and all(c["added"] + c["changed"] + c["removed"] + c["relisted"] > 0
                                    for c in body["by_crawl"])
    for row in body["rows"]:
        if row["party_type"] == "person":
            assert row["company_name"] is None and row["company_code"] is None
            assert row["case_code"] is None  # a case number finds the person at the court
        else:
            assert row["case_code"]
        assert not any(f.endswith("_key") for f in row["changed_fields"])
    assert client.get("/changes").status_code == 200
    assert client.get("/changes.csv").status_code == 200


def test_changes_filters_by_kind_and_crawl(client):
    removed = client.get("/changes.json?kind=removed").get_json()["rows"]
    assert removed and all(r["kind"] == "removed" for r in removed)
    crawl = removed[0]["crawl_id"]
    rows = client.get(f"/changes.json?crawl={crawl}").get_json()["rows"]
    assert rows and all(r["crawl_id"] == crawl for r in rows)
    assert client.get("/changes?kind=vanished").status_code == 400
    assert client.get("/changes?crawl=-1").status_code == 400


def test_source_detail_shows_freshness_fill_rates_and_artifacts(client):
    sources = client.get("/sources.json").get_json()["sources"]
    source_id = sources[0]["source_id"]
    page = client.get(f"/sources/{source_id}")
    assert page.status_code == 200
    body = client.get(f"/sources/{source_id}.json").get_json()
    assert body["source"]["source_id"] == source_id and body["crawls"]
    assert body["rows"] and all(len(r["sha256"]) == 64 for r in body["rows"])
    assert isinstance(body["fill_rates"], list)
    assert client.get("/sources/no_such_source").status_code == 404


def test_source_detail_shows_scheduled_runs_of_its_job(client, app):
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from watchdog.store.db import get_engine
    from watchdog.store.tables import JobRun

    source_id = client.get("/sources.json").get_json()["sources"][0]["source_id"]
    now = datetime.now(UTC)
    with get_engine(app.config["DATABASE_URL"]).begin() as conn:
        conn.execute(insert(JobRun.__table__).values(
            job_id=f"crawl:{source_id}", started_at=now, finished_at=now, status="blocked",
            detail="HTTP 412 block page; retry in 5 minutes"))
    runs = client.get(f"/sources/{source_id}.json").get_json()["job_runs"]
    assert runs[0]["status"] == "blocked" and "412" in runs[0]["detail"]
    assert "HTTP 412 block page" in client.get(f"/sources/{source_id}").get_data(as_text=True)


def test_changes_show_every_crawls_history_with_its_status(tmp_path):
    """A partial crawl's additions are in the store, and the complete crawl after it finds them
    already there: shown complete crawls only, the additions were on no row of /changes."""
    from dashboards import create_app
    from tests.dashboards.conftest import _company, build_store, listing_rows
    from watchdog.store.writer import CrawlRecorder

    store = build_store(tmp_path, audit=False)
    # Day 2, a changed layout: one new listing and one changed one, and the crawl is partial.
    new = _company(50, "广东", "c1", "全部未履行")
    changed = _company(0, "北京", "c1", "全部未履行")
    changed.payload["publish_date"] = "2023-06-01"
    partial = CrawlRecorder(store.url, store.artifacts_dir, "court_dishonest")
    partial.write_batch([new, changed], store.artifact_sha)
    partial.finish(covers_whole_source=True, status="partial", reason="layout changed")
    # Day 2 again, complete: the new listing is already stored, so it adds nothing.
    still = [r for r in listing_rows() if r.record_key not in ("p34", "p35")]
    complete = CrawlRecorder(store.url, store.artifacts_dir, "court_dishonest")
    complete.write_batch([*still, new], store.artifact_sha)
    complete.finish(covers_whole_source=True)
    client = create_app(store.url, store.artifacts_dir, TESTING=True).test_client()

    shown = client.get("/changes.json").get_json()
    by_crawl = {c["crawl_id"]: c for c in shown["by_crawl"]}
    assert by_crawl[partial.crawl_id]["status"] == "partial"
    assert {k: by_crawl[partial.crawl_id][k] for k in ("added", "changed", "removed")} == {
        "added": 1, "changed": 0, "removed": 0}  # its change to a stored listing was dropped
    assert complete.crawl_id not in by_crawl  # it changed nothing
    rows = [r for r in shown["rows"] if r["crawl_id"] == partial.crawl_id]
    assert [(r["kind"], r["crawl_status"], r["company_code"]) for r in rows] == [
        ("added", "partial", "91110000MA00000050")]
    assert shown["crawls_not_shown"] == {} and shown["statuses_shown"] == ["any"]
    page = client.get("/changes").get_data(as_text=True)
    assert 'id="statuses-note"' in page and "complete crawls only" in page
    assert '<span class="status status-partial">partial</span></td><td>added' in page
    assert "status=complete" in page

    # Complete crawls only, on request: the partial crawl is counted as not shown, one click away.
    only = client.get("/changes.json?status=complete").get_json()
    assert {c["status"] for c in only["by_crawl"]} == {"complete"}
    assert partial.crawl_id not in {r["crawl_id"] for r in only["rows"]}
    assert only["crawls_not_shown"] == {"partial": 1}
    page = client.get("/changes?status=complete").get_data(as_text=True)
    assert "1 partial crawl" in page and "status=complete&amp;status=partial" in page
    # Asked for by number, a crawl is shown whatever its status.
    one = client.get(f"/changes.json?crawl={partial.crawl_id}").get_json()["rows"]
    assert [r["crawl_id"] for r in one] == [partial.crawl_id]
    assert client.get("/changes.json?status=finished").status_code == 400



def test_sources_show_the_version_of_the_list_each_crawl_read(tmp_path):
    """'list as published on <date>' per crawl: /sources and /sources/<id>, HTML and twins;
    a crawl whose files stated no date says so, and a blocked crawl keeps what it read."""
    import csv
    import io
    from datetime import date

    from dashboards import create_app
    from tests.dashboards.conftest import build_store
    from watchdog.store.writer import CrawlRecorder

    store = build_store(tmp_path, audit=False)
    rec = CrawlRecorder(store.url, store.artifacts_dir, "court_dishonest")
    rec.archive(stored=b"<sdnList/>", original_sha256="1" * 64, redacted=False,
                url="http://127.0.0.1:1/SDN.XML", http_status=200, content_type="text/xml",
                size=10)
    rec.note_published(date(2019, 12, 3))
    rec.finish(covers_whole_source=True, status="blocked", reason="captcha on page 2")
    client = create_app(store.url, store.artifacts_dir, TESTING=True).test_client()

    detail = client.get("/sources/court_dishonest.json").get_json()
    by_id = {c["crawl_id"]: c for c in detail["crawls"]}
    assert by_id[rec.crawl_id]["list_published"] == "2019-12-03"
    assert {c["list_published"] for i, c in by_id.items() if i != rec.crawl_id} == {None}
    assert {r["crawl_list_published"] for r in detail["rows"]
            if r["crawl_id"] == rec.crawl_id} == {"2019-12-03"}
    rows = client.get("/sources.json?source=court_dishonest").get_json()["rows"]
    assert {r["crawl_id"]: r["list_published"] for r in rows}[rec.crawl_id] == "2019-12-03"
    for path, key in (("/sources.csv", "list_published"),
                      ("/sources/court_dishonest.csv", "crawl_list_published")):
        text = client.get(path).get_data(as_text=True).lstrip("\ufeff")
        table = list(csv.DictReader(io.StringIO(text)))
        assert {r[key] for r in table if r["crawl_id"] == str(rec.crawl_id)} == {"2019-12-03"}
    for path in ("/sources", "/sources/court_dishonest"):
        page = client.get(path).get_data(as_text=True)
        assert "list as published on 2019-12-03" in page and "not stated" in page
