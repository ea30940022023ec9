"""/lists shows the persons its filters keep beside each facet counted under the other facets'
filters: the chosen rows of a facet add up to that total, so the page's counts are suppressed
together (`watchdog.store.queries_lists`). In the fixture store Beijing has 20 persons, Henan
16 and Tibet 3."""

from __future__ import annotations

import pytest

BEIJING, HENAN, TIBET = "北京", "河南", "西藏"


@pytest.mark.parametrize("chosen", [(BEIJING, TIBET), (HENAN, TIBET), (BEIJING, HENAN, TIBET)])
def test_chosen_provinces_and_their_total_do_not_give_a_small_one_back(client, chosen):
    # Suppressed on its own the province facet showed Beijing 20, Henan "≥10", Tibet "<10",
    # and beside it the 23 persons of Beijing or Tibet: 23 - 20 is Tibet's 3.
    body = client.get("/lists.json", query_string={"province": list(chosen)}).get_json()
    total = body["totals"]["persons"]
    rows = {r["value"]: r["persons"] for r in body["facets"]["province"] if r["value"] in chosen}
    assert rows[TIBET] == "<10"
    held = [p for p, n in rows.items() if isinstance(n, str)]
    # One chosen count held back, the others and the total shown: it would be their difference.
    assert not (len(held) == 1 and isinstance(total, int)), (total, rows)



def test_months_that_would_give_a_count_away_are_held_back_and_the_facets_still_shown(tmp_path):
    # Nine months of one person each under a total of 9: the months alone say each is one.
    from dataclasses import replace

    from dashboards import create_app
    from tests.dashboards.conftest import _person
    from tests.dashboards.test_pages import _small_store

    rows = []
    for n in range(9):
        row = _person(n, BEIJING, "c1", "全部未履行")
        rows.append(replace(row, facets={**row.facets, "publish_month": f"2023-0{1 + n}"}))
    client = create_app(_small_store(tmp_path, rows), tmp_path / "artifacts").test_client()
    body = client.get("/lists.json").get_json()
    assert {m["persons"] for m in body["series"]["by_month"]} == {"held back"}
    assert body["totals"]["persons"] == "<10"
    assert [r["persons"] for r in body["facets"]["province"]] == ["<10"]
