"""The simulator page: it shows what `simulate` computes, the alpha sweep agrees with it, every
scoring regime runs, links reproduce their figures, and bad parameters are refused."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict

import pytest

from dashboards.views._twins import csv_cell
from dashboards.views.model_data import catalogue
from watchdog.model.loader import load_regime
from watchdog.model.population import simulate

SMALL = "people=3000&degree=8&alpha=0.4&seed=7"


def test_default_page_draws_both_charts(client):
    response = client.get("/simulate")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="chart-distribution-data"' in html and 'id="chart-alpha-data"' in html
    assert "synthetic" in html and 'aria-current="page">Simulate</a>' in html
    body = client.get("/simulate.json").get_json()
    assert body["parameters"] == {"regime": "sesame_2015_described", "people": 20_000, "degree": 10,
                                  "alpha": 0.3, "seed": 0, "gate": "perk:easier_loans"}


def test_the_page_shows_what_simulate_computes(client):
    body = client.get(f"/simulate.json?regime=zhima&{SMALL}").get_json()
    direct = asdict(simulate(load_regime("zhima"), 3000, 8, 0.4, 7))
    assert body["result"] == direct
    assert sum(body["result"]["before"]["band_shares"].values()) == pytest.approx(1)
    # The sweep draws the same people and contacts: at the chosen alpha it matches the run.
    sweep = body["sweep"]
    at = sweep["alphas"].index(0.4)
    assert sweep["alphas"][:2] == [0.0, 0.1] and 0.9 in sweep["alphas"]
    for key, shares in sweep["shares"].items():
        kind, gate = key.split(":")
        if kind == "perk":
            assert shares[at] == pytest.approx(direct["after"]["without_perk"][gate])
            assert shares[0] == pytest.approx(direct["before"]["without_perk"][gate])
    assert body["gates"][0]["key"] == sweep["gate"] == body["parameters"]["gate"]


def test_contacts_pull_scores_together(client):
    body = client.get("/simulate.json?regime=sesame_2015_described&people=5000&alpha=0.6").get_json()
    before, after = body["result"]["before"], body["result"]["after"]
    assert after["p90"] - after["p10"] < before["p90"] - before["p10"]
    no_effect = client.get("/simulate.json?regime=sesame_2015_described&people=5000&alpha=0").get_json()
    assert no_effect["result"]["before"] == no_effect["result"]["after"]


@pytest.mark.parametrize("regime_id", sorted(catalogue().scoring()))
def test_every_scoring_regime_runs(client, regime_id):
    response = client.get(f"/simulate?regime={regime_id}&people=500&degree=4")
    assert response.status_code == 200
    body = client.get(f"/simulate.json?regime={regime_id}&people=500&degree=4").get_json()
    assert body["result"]["people"] == 500 and body["result"]["regime_id"] == regime_id
    gates = body["gates"]
    if gates:
        assert all(len(shares) == len(body["sweep"]["alphas"]) for shares in body["sweep"]["shares"].values())
        assert all(0 <= share <= 1 for shares in body["sweep"]["shares"].values() for share in shares)


def test_band_gates_and_chosen_gate(client):
    body = client.get("/simulate.json?regime=fico&people=2000&gate=band:good").get_json()
    keys = [g["key"] for g in body["gates"]]
    assert keys == ["band:exceptional", "band:very_good", "band:good", "band:fair"]
    shares = body["sweep"]["shares"]["band:good"]
    before = body["result"]["before"]["band_shares"]
    assert shares[0] == pytest.approx(before["fair"] + before["poor"])
    html = client.get("/simulate?regime=fico&people=2000&gate=band:good").get_data(as_text=True)
    assert "below Good (670)" in html


def test_links_reproduce_and_twins_agree(client):
    first = client.get(f"/simulate.json?regime=rongcheng&{SMALL}").get_json()
    again = client.get(f"/simulate.json?{SMALL}&regime=rongcheng").get_json()
    assert first["result"] == again["result"]
    lines = list(csv.reader(io.StringIO(client.get(f"/simulate.csv?regime=rongcheng&{SMALL}").get_data().decode("utf-8-sig"))))
    header, *rows = lines
    assert header[1:] == first["columns"]
    assert [r[1:] for r in rows] == [[csv_cell(row[c]) for c in first["columns"]] for row in first["rows"]]
    assert {row["measure"] for row in first["rows"]} >= {"band_share", "without_perk", "restricted"}


@pytest.mark.parametrize("query", [
    "people=200001", "people=99", "people=abc", "people=1&people=2", "degree=51", "alpha=1", "alpha=0.3.1",
    "alpha=0.96", "alpha=0.999",
    "alpha=-0.1", "seed=-1", "regime=cn_court_dishonest_list", "regime=nope", "gate=perk:nope",
    "regime=tencent&gate=band:good", "colour=red"])
def test_bad_parameters_are_refused_with_a_reason(client, query):
    response = client.get(f"/simulate.json?{query}")
    assert response.status_code == 400, query
    assert response.get_json()["message"]


def test_new_runs_are_rate_limited_per_address_but_kept_runs_are_not(store):
    from dashboards import create_app

    app = create_app(store.url, store.artifacts_dir, TESTING=True, SIMULATE_RATE_LIMIT=2)
    client = app.test_client()
    first, second, third = (f"/simulate.json?people=500&degree=4&seed={900 + i}" for i in range(3))
    assert client.get(first).status_code == 200
    assert client.get(second).status_code == 200
    refused = client.get(third)
    assert refused.status_code == 429
    assert "at most 2 a minute" in refused.get_data(as_text=True)
    # The same parameters again are served from memory: no new run, nothing counted.
    assert client.get(first).status_code == 200
    # Another address has its own allowance.
    other = client.get(third, environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert other.status_code == 200


def test_the_page_says_zhima_is_simulated_with_weight_set_a_only(client):
    html = client.get(f"/simulate?regime=zhima&{SMALL}").get_data(as_text=True)
    note = html[html.index('id="weight-set-note"'):]
    note = note[:note.index("</p>")]
    assert "Everyone here is scored with Reported set A: behaviour 25%, fulfilment 20%" in note
    assert "Reported set B: behaviour 20%, fulfilment 25% is not simulated" in note
    # Said among the notes too, as the command says it.
    notes = html[html.index("Where this simplifies"):]
    assert "not simulated: Reported set B" in notes
    assert client.get(f"/simulate.json?regime=zhima&{SMALL}").get_json()["result"]["weight_set"] == "variant_a"
    # One published set (FICO), or none published (Tencent, said in the notes): no such line.
    for other in ("fico", "tencent", "sesame_2015_described"):
        assert 'id="weight-set-note"' not in client.get(f"/simulate?regime={other}&{SMALL}").get_data(as_text=True)
