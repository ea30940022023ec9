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


def test_changes_show_complete_crawls_unless_others_are_asked_for(tmp_path):
    from dashboards import create_app
    from tests.dashboards.conftest import _company, build_store
    from watchdog.store.writer import CrawlRecorder

    store = build_store(tmp_path, audit=False)
    # A crawl that read one page with a new layout: its records changed, but it is partial.
    partial = CrawlRecorder(store.url, store.artifacts_dir, "court_dishonest")
    changed = _company(0, "北京", "c1", "全部未履行")
    changed.payload["publish_date"] = "2023-06-01"
    partial.write_batch([changed], store.artifact_sha)
    partial.finish(covers_whole_source=True, status="partial", reason="layout changed")
    client = create_app(store.url, store.artifacts_dir, TESTING=True).test_client()

    shown = client.get("/changes.json").get_json()
    assert partial.crawl_id not in {r["crawl_id"] for r in shown["rows"]}
    assert {c["status"] for c in shown["by_crawl"]} == {"complete"}
    assert shown["crawls_not_shown"] == {"partial": 1}
    page = client.get("/changes").get_data(as_text=True)
    assert "1 partial crawl" in page and "status=complete&amp;status=partial" in page

    both = client.get("/changes.json?status=complete&status=partial").get_json()
    rows = [r for r in both["rows"] if r["crawl_id"] == partial.crawl_id]
    assert [r["kind"] for r in rows] == ["changed"] and rows[0]["company_code"] == "91110000MA00000000"
    assert both["crawls_not_shown"] == {}
    # Asked for by number, a crawl is shown whatever its status.
    one = client.get(f"/changes.json?crawl={partial.crawl_id}").get_json()["rows"]
    assert [r["crawl_id"] for r in one] == [partial.crawl_id]
    assert client.get("/changes.json?status=finished").status_code == 400
