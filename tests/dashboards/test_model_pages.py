"""The model explorer: every regime file is on `/model` and has its own page and twins, every
sourced item names a known citation and an evidence grade, and the claimed-versus-documented
matrix sets the 2015 claims against the company's answers."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from markupsafe import escape

from dashboards.views._twins import csv_cell
from watchdog.model.loader import DATA_DIR, load_citations, load_regime

REGIME_IDS = sorted(p.stem for p in (DATA_DIR / "regimes").glob("*.yaml"))
GRADES = {"verified", "secondary", "memory", "disputed", "low"}


def test_every_regime_is_listed_with_kind_range_and_evidence(client):
    body = client.get("/model.json").get_json()
    assert [row["regime_id"] for row in body["rows"]] == REGIME_IDS
    assert body["load_errors"] == []
    rows = {row["regime_id"]: row for row in body["rows"]}
    assert rows["zhima"]["range"] == "350–950" and rows["zhima"]["kind"] == "weighted_score"
    assert rows["rongcheng"]["bands"] == ["AAA", "AA", "A", "B", "C", "D"]
    assert rows["cn_court_dishonest_list"]["kind"] == "list"
    for row in body["rows"]:
        assert row["evidence_mix"] and set(row["evidence_mix"]) <= GRADES
    html = client.get("/model").get_data(as_text=True)
    for regime_id in REGIME_IDS:
        assert f'href="/model/{regime_id}"' in html
    assert 'aria-current="page">Model</a>' in html


def test_claimed_versus_documented_matrix(client):
    body = client.get("/model.json").get_json()
    matrix = body["claims_matrix"]
    said = {row["said_in"] for row in matrix}
    assert said == {"sesame_2015_described", "zhima"}
    posts = next(row for row in matrix if row["topic"].startswith("Posts critical"))
    assert posts["evidence"] == "disputed" and posts["source"] == "seed_disruptiveviews_2016"
    assert {r["stance"] for r in posts["responses"]} == {"denies"}
    assert any(r["source"] == "rollingstone_2015_bbc_sesame" for r in posts["responses"])
    contacts = next(row for row in matrix if row["topic"] == "Contacts' scores")
    assert "0.3" in contacts["modelled_as"] and "our choice" in contacts["modelled_as"]
    assert body["tiers"]["documented"] and body["tiers"]["claimed"]
    html = client.get("/model").get_data(as_text=True)
    assert 'id="claims-matrix"' in html and "stance-denies" in html
    assert "Sesame&#39;s spokesperson told the BBC" in html


@pytest.mark.parametrize("regime_id", REGIME_IDS)
def test_each_regime_page_and_its_twins(client, regime_id):
    html = client.get(f"/model/{regime_id}")
    assert html.status_code == 200
    body = client.get(f"/model/{regime_id}.json").get_json()
    regime = load_regime(regime_id)
    assert body["regime"]["id"] == regime_id and body["version"] == regime.version
    known = load_citations()
    for row in body["rows"]:
        assert row["source"] in known and row["evidence"] in GRADES, row
        assert row["source"] in body["citations"]
    text = html.get_data(as_text=True)
    for cited in body["citations"].values():
        assert str(escape(cited["title"])) in text
    reader = csv.reader(io.StringIO(client.get(f"/model/{regime_id}.csv").get_data().decode("utf-8-sig")))
    header, *lines = list(reader)
    assert header[1:] == body["columns"]
    assert [line[1:] for line in lines] == [[csv_cell(row[c]) for c in body["columns"]] for row in body["rows"]]
    if regime_id != "cn_court_dishonest_list":
        assert "What is unknown" in text
        if regime.simplification:
            assert "Where the model simplifies" in text


def test_regime_pages_say_rules_weights_bands_and_versions(client):
    rongcheng = client.get("/model/rongcheng").get_data(as_text=True)
    assert 'id="rule-bank_arrears_month"' in rongcheng and "-10 each month" in rongcheng
    assert "straight to grade C" in rongcheng and "960–1029" in rongcheng
    assert "superseded on 18 June 2021" in rongcheng  # a version note
    zhima = client.get("/model/zhima").get_data(as_text=True)
    assert "Reported set A" in zhima and "Reported set B" in zhima and "25.0%" in zhima
    assert "700 or more" in zhima  # the Singapore visa threshold
    court = client.get("/model/cn_court_dishonest_list").get_data(as_text=True)
    assert "within 3 working days" in court and "2017 Provisions Art. 10" in court
    # Art. 10's seven grounds for listings without a term, the term's end for the others.
    without = court[court.index('data-listings="without_term"'):]
    assert without[:without.index("</ul>")].count("<li>") == 7
    assert "may not be listed for: Has the ability to perform but refuses (2017 Provisions Art. 3(1))" in court
    assert 'id="correction"' in court and "2017 Provisions Art. 12" in court


def test_unknown_regimes_and_parameters_are_refused(client):
    missing = client.get("/model/nope")
    assert missing.status_code == 404 and "known regimes: cn_court_dishonest_list" in missing.get_data(as_text=True)
    assert client.get("/model/nope.json").get_json()["status"] == 404
    assert client.get("/model/zhima?x=1").status_code == 400
    assert client.get("/model.json?page=2").status_code == 400


def test_model_pages_load_nothing_from_another_host(client):
    from tests.dashboards.test_check import Loads

    for path in ["/model", "/model/zhima", "/model/cn_court_dishonest_list"]:
        parser = Loads()
        parser.feed(client.get(path).get_data(as_text=True))
        assert parser.inline_scripts == 0
        assert all(not url.startswith(("http:", "https:", "//")) for url in parser.loads), path



def test_a_signals_effect_reads_the_same_on_model_and_its_regime_page(client):
    # The gaming rule counts once, at 10 hours a day or more (score and the simulator apply it so),
    # not 30 points per hour: /model said "-30 points per hours a day".
    gaming = "-30 points once, at 10 hours a day or more"
    matrix = client.get("/model.json").get_json()["claims_matrix"]
    row = next(r for r in matrix if r["topic"] == "Hours of video gaming a day")
    assert row["modelled_as"] == f"{gaming} (our choice, graded low)"
    overview = client.get("/model").get_data(as_text=True)
    page = client.get("/model/sesame_2015_described").get_data(as_text=True)
    rows = client.get("/model/sesame_2015_described.json").get_json()["rows"]
    for words in (gaming, "+10 points each (purchases)", "-10 points each (posts)"):
        assert words in overview and words in page, words
        assert any(r["value"] == words for r in rows), words
    assert "per hours a day" not in overview + page


def test_a_modelling_choice_is_not_called_a_seed_file(client, monkeypatch):
    from dashboards.views import model_data

    mine = model_data.citation("scorewatch_modelling_choices")
    assert mine is not None and mine["where"] == "Scorewatch's own modelling choice"
    page = client.get("/model/sesame_2015_described").get_data(as_text=True)
    assert "Scorewatch&#39;s own modelling choice" in page and "seed file data/" not in page
    # Still so once the citation loses its `seed` entry (it names no outside file).
    citations = model_data.catalogue().citations
    without = citations["scorewatch_modelling_choices"].model_copy(update={"seed": None})
    monkeypatch.setitem(citations, "scorewatch_modelling_choices", without)
    assert model_data.citation("scorewatch_modelling_choices")["where"] == "Scorewatch's own modelling choice"
    # Or when a flag, not the publisher's name, marks it as Scorewatch's own note.
    flagged = SimpleNamespace(**{**without.model_dump(), "publisher": "Scorewatch project",
                                 "scorewatch_note": True})
    monkeypatch.setitem(citations, "scorewatch_modelling_choices", flagged)
    assert model_data.citation("scorewatch_modelling_choices")["where"] == "Scorewatch's own modelling choice"
    monkeypatch.setitem(citations, "scorewatch_modelling_choices", without)
    # Real seed files keep their name; other paths (Scorewatch's own) are not called seed files.
    for cid, found in citations.items():
        where = model_data.citation(cid)["where"] or ""
        if found.seed and found.seed.startswith("seeds/"):
            assert where == f"seed file {found.seed}", cid
        else:
            assert not where.startswith("seed file"), cid


def test_the_range_row_of_a_regime_table_keeps_both_ends(client):
    rows = client.get("/model/zhima.json").get_json()["rows"]
    assert [r["value"] for r in rows if r["path"] == "range"] == ["350–950"]
    assert "range,range,,,350–950," in client.get("/model/zhima.csv").get_data().decode("utf-8-sig")


def test_csv_twins_start_with_a_bom_and_run_no_formula(client):
    body = client.get("/model/rongcheng.csv").get_data().decode("utf-8")
    assert body.startswith("\ufeff")  # a spreadsheet opened by double-click reads UTF-8
    cells = [c for row in csv.reader(io.StringIO(body.removeprefix("\ufeff"))) for c in row]
    assert "'-20 each time" in cells  # was "-20 each time": Excel ran it as a formula
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")
                and not c.lstrip("+-").replace(".", "", 1).isdigit()]


@pytest.mark.parametrize("regime_id", [r for r in REGIME_IDS if r != "cn_court_dishonest_list"])
def test_every_unknown_shows_its_source_and_is_in_the_twins(client, regime_id):
    regime = load_regime(regime_id)
    body = client.get(f"/model/{regime_id}.json").get_json()
    html = client.get(f"/model/{regime_id}").get_data(as_text=True)
    unknowns = html[html.index('<ul class="unknowns">'):]
    unknowns = unknowns[:unknowns.index("</ul>")]
    assert "no source" not in unknowns
    assert unknowns.count("<li>") == len(regime.unknowns)
    cited = html[html.index('id="citations"'):]
    for u in regime.unknowns:
        assert u.source in body["citations"], u.topic              # meta.citations of the .json
        assert f'id="cite-{u.source}"' in cited, u.topic             # "Sources cited"
        assert str(escape(body["citations"][u.source]["title"])) in unknowns, u.topic
    rows = [r for r in body["rows"] if r["section"] == "unknowns"]
    assert [(r["label"], r["source"], r["evidence"]) for r in rows] == [
        (u.topic, u.source, str(u.evidence)) for u in regime.unknowns]
    assert all(r["note"] for r in rows)
    text = client.get(f"/model/{regime_id}.csv").get_data().decode("utf-8-sig")
    assert sum(1 for line in csv.reader(io.StringIO(text)) if line[1:2] == ["unknowns"]) == len(regime.unknowns)


def test_the_unknowns_the_reviewer_found_without_a_source_now_cite_one(client):
    for regime_id, topic, source in [("zhima", "Refresh", "zhima_refresh_monthly_pages"),
                                     ("xiamen_bailu", "Zhima mapping", "alipay_sdk_bailu_mapping_code"),
                                     ("tencent", "WeChat Pay Score", "wechat_pay_score_pages"),
                                     ("tencent", "Licensing", "kapronasia_unlicensed_2016"),
                                     ("weihai", "Points table", "weihai_haibei_city_code"),
                                     ("fico", "Formula", "nfcc_how_am_i_scored")]:
        html = client.get(f"/model/{regime_id}").get_data(as_text=True)
        item = html[html.index(f"<strong>{topic}.</strong>"):]
        item = item[:item.index("</li>")]
        title = client.get(f"/model/{regime_id}.json").get_json()["citations"][source]["title"]
        assert str(escape(title)) in item and "grade-" in item, (regime_id, topic)


def test_a_claim_no_one_is_named_for_is_not_put_in_nestas_mouth(client):
    html = client.get("/model/xiamen_bailu").get_data(as_text=True)
    claims = html[html.index('id="claims"'):html.index('id="unknowns"')]
    said = claims[:claims.index('<ul class="responses">')]
    assert "A low city score brings punishments." in said
    assert "No one named" in said and "Separating myth from reality" not in said
    assert "Scorewatch&#39;s note: no source named" in said
    assert "Separating myth from reality" in claims   # Nesta answers it: incentives only
    rows = client.get("/model/xiamen_bailu.json").get_json()["rows"]
    claim = next(r for r in rows if r["id"] == "bailu_punishes")
    assert claim["source"] == "no_named_claimant" and claim["evidence"] == "disputed"


def test_a_ledger_without_a_documented_floor_says_so_on_its_page(client):
    for regime_id in ("rongcheng", "weihai"):
        html = client.get(f"/model/{regime_id}").get_data(as_text=True)
        facts = html[html.index('id="facts"'):html.index("</table>", html.index('id="facts"'))]
        assert 'id="no-bounds"' in facts and "No floor or ceiling is documented" in facts
        rows = client.get(f"/model/{regime_id}.json").get_json()["rows"]
        assert any(r["path"] == "no_bounds" and "ledger&#39;s arithmetic" not in r["label"]
                   and "ledger's arithmetic" in r["label"] for r in rows)
