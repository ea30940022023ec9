"""The overview's charts count what its headline counts: listings still on the list.

A reviewer saw 20,087 persons by province (listed and removed) under a headline of 19,541
currently listed, and a "no lawful circumstance" bar taller than the audit's findings of that
check, which judges current listings only. The fixture store's second crawl removed two Henan
persons (p34, published 2023-03 with no lawful circumstance, and p35, 2023-04).
"""

from __future__ import annotations

import json
from collections import Counter

from dashboards import create_app
from tests.dashboards.conftest import build_store, listing_rows
from watchdog.store.writer import CrawlRecorder


def _index(app_store, k: int = 2) -> dict:
    # k = 2 shows every count of the fixture exactly, so sums can be compared.
    client = create_app(app_store.url, app_store.artifacts_dir, TESTING=True,
                        SUPPRESSION_K=k).test_client()
    return client.get("/index.json").get_json()


def test_the_charts_add_up_to_the_headline_of_current_listings(store):
    body = _index(store)
    head, series = body["headline"], body["series"]
    assert (head["persons_listed"], head["persons_removed"]) == (37, 2)
    for by in ("by_month", "by_province"):  # one row per listing: they add up to the headline
        assert sum(r["persons"] for r in series[by]) == head["persons_listed"], by
        assert sum(r["companies"] for r in series[by]) == head["companies_listed"], by
    assert body["series_filter"] == {"status": ["listed"]}


def test_the_no_lawful_circumstance_bar_matches_the_audits_findings(store):
    body = _index(store)
    bar = next(r for r in body["series"]["by_circumstance"] if r["value"] == "none")
    findings = next(r["listings"] for r in body["by_check"]
                    if r["check_id"] == "no_lawful_circumstance")
    # The removed p34 had no lawful circumstance: counted, the bar was 6 against 5 findings.
    assert bar["persons"] + bar["companies"] == findings == 5


def test_the_month_chart_counts_current_listings_by_month_of_publication(store):
    body = _index(store)
    months = {r["value"]: r["persons"] for r in body["series"]["by_month"] if r["persons"]}
    current = Counter(row.facets["publish_month"] for row in listing_rows()
                      if row.facets["party_type"] == "person"
                      and row.record_key not in ("p34", "p35"))
    assert months == dict(current)


def test_the_charts_and_the_page_say_they_count_current_listings(client):
    page = client.get("/").get_data(as_text=True)
    titles = []
    for key in ("chart-month", "chart-province", "chart-circumstance"):
        start = page.index(f'id="{key}-data">') + len(f'id="{key}-data">')
        figure = json.loads(page[start:page.index("</script>", start)])
        titles.append(figure["layout"]["title"]["text"])
    assert titles == ["Current listings by month of publication", "Current listings by province",
                      "Current listings by circumstance (2017 Provisions, Art. 1)"]
    assert 'aria-label="Current listings by province"' in page
    # The note under the headline says what the charts leave out and where it is.
    assert 'id="charts-count"' in page and 'href="/lists?status=removed"' in page
    # A suppressed bar keeps its privacy note under the new title.
    province = page[page.index('id="chart-province-data">'):]
    assert "held back for privacy" in province[:province.index("</script>")]
    rows = {r["measure"]: r["description"] for r in client.get("/index.json").get_json()["rows"]}
    assert rows["provinces"] == "Provinces with current listings"


def test_a_province_whose_listings_were_all_removed_is_not_counted(tmp_path):
    store = build_store(tmp_path, audit=False)
    # A third complete crawl no longer shows Tibet's three persons.
    gone = {"p34", "p35", "p36", "p37", "p38"}
    crawl = CrawlRecorder(store.url, store.artifacts_dir, "court_dishonest")
    crawl.write_batch([r for r in listing_rows() if r.record_key not in gone], store.artifact_sha)
    crawl.finish(covers_whole_source=True)
    body = _index(store)
    provinces = {r["value"] for r in body["series"]["by_province"]}
    assert "西藏" not in provinces and body["headline"]["provinces"] == len(provinces) == 3
    assert body["headline"]["courts"] == 5  # 西藏第一法院 has no current listing
    assert body["headline"]["persons_removed"] == 5


def test_removed_persons_cannot_be_had_from_the_audits_listings_less_the_companies(client):
    # The headline held current persons back ("≥10") as the partner of 2 removed ones, but the
    # same page shows the audit's listings checked (46) and the companies listed (9): 46 - 9 is
    # the 37 persons listed, and the total of 39 less those gave the 2 removed back.
    body = client.get("/index.json").get_json()
    head, run = body["headline"], body["audit_run"]
    assert head["persons_removed"] == "<10"
    assert run["checked"] - head["companies_listed"] == 37  # no crawl came after the audit
    assert head["persons_listed"] == 37
    assert head["persons_total"] == "≥10"
