"""The synthetic court-list generator: deterministic, big enough, varied like the portal, and
every rule-breaking kind present at roughly its configured rate and recognisable from the record
alone (so the audit can be checked against `truth()`)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from stdnum.cn import ric, uscc

from watchdog.mirror import generator as g

PROVINCES = ("北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 "
             "湖南 广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆").split()
LAWFUL = (g.ABILITY_2013, *g.OTHER_2013, g.ABILITY_2017, *g.OTHER_2017)
MASKED_ID = re.compile(r"\d{10}\*{4}\d{3}[\dX]")
KEYS = ("id", "iname", "caseCode", "age", "sexy", "focusNumber", "cardNum", "courtName", "areaName",
        "partyTypeName", "gistId", "regDate", "gistUnit", "duty", "performance", "performedPart",
        "unperformPart", "disruptTypeName", "publishDate")


@pytest.fixture(scope="module")
def cfg() -> g.MirrorConfig:
    return g.default_config()


@pytest.fixture(scope="module")
def day1(cfg):
    return g.generate(1, cfg), g.truth(1, cfg)


@pytest.fixture(scope="module")
def day2(cfg):
    return g.generate(2, cfg), g.truth(2, cfg)


def _d(text: str) -> date:
    return date(int(text[:4]), int(text[5:7]), int(text[8:10]))


def _grounds(text: str) -> list[str]:
    return [p for p in re.split(r"[,，]", text) if p]


def _ability(text: str) -> bool:
    return any(p.rstrip("的") in (g.ABILITY_2013, g.ABILITY_2017) for p in _grounds(text))


def test_deterministic_from_the_seed(cfg, day1):
    fresh = g.load_config()  # a new config object: regenerated, not served from the cache
    assert fresh is not cfg
    assert g.generate(1, fresh) == day1[0]
    assert g.truth(1, fresh) == day1[1]
    other = g.generate(1, fresh.with_(seed=fresh.seed + 1, listing_count=200))
    assert [r["iname"] for r in other] != [r["iname"] for r in day1[0][:200]]


def test_size_and_shape(cfg, day1):
    recs, _ = day1
    assert len(recs) >= 20000
    assert len({r["id"] for r in recs}) == len(recs)
    for r in recs[:500]:
        assert all(k in r for k in KEYS), r
        assert ("businessEntity" in r) == (r["partyTypeName"] == "581")
        assert re.fullmatch(r"\d{4}年\d{2}月\d{2}日", r["publishDate"]), r["publishDate"]
        assert re.fullmatch(r"\d{4}年\d{2}月\d{2}日", r["regDate"])
    # Generation speed is measured in bench/, not asserted here: a loaded CI machine is slow.
    assert len(g.generate(1, cfg.with_(listing_count=25000))) == 25000


def test_all_provinces_persons_and_companies(day1):
    recs, truth = day1
    assert set(r["areaName"] for r in recs) == set(PROVINCES)
    parties = Counter(r["partyTypeName"] for r in recs)
    assert 0.17 < parties["581"] / len(recs) < 0.23
    assert all(truth[str(r["id"])]["party"] == ("company" if r["partyTypeName"] == "581" else "person")
               for r in recs)


def test_rule_breaking_kinds_at_their_rates(cfg, day1):
    recs, truth = day1
    counts = Counter(m["kind"] for m in truth.values())
    for kind, rate in cfg.rates.items():
        assert 0.7 * rate < counts[kind] / len(recs) < 1.3 * rate, (kind, counts[kind])


def test_each_kind_is_visible_in_the_record_and_the_rest_are_clean(cfg, day1):
    recs, truth = day1
    today = cfg.day_dates[1]
    for r in recs:
        kind, pub = truth[str(r["id"])]["kind"], _d(r["publishDate"])
        person = r["partyTypeName"] == "580"
        lawful = [p for p in _grounds(r["disruptTypeName"]) if p.rstrip("的") in LAWFUL]
        assert (kind == "no_lawful_circumstance") == (not lawful), r
        past = (today - pub).days > g.TERM_DAYS and not _ability(r["disruptTypeName"])
        assert (kind == "past_term") == past, r
        assert (kind == "performed_still_listed") == (r["performance"] == "全部履行"), r
        if kind == "performed_still_listed":
            done = _d(re.fullmatch(r"已于(.+)全部履行", r["performedPart"]).group(1))
            assert pub < done <= today - timedelta(days=10)
        assert (kind == "minor") == (person and r["age"] < 18), r
        if person:
            born = int(r["cardNum"][6:10])
            assert pub.year - born in (r["age"], r["age"] + 1), r
            assert r["cardNum"][:2] == _province_prefix(cfg, r["areaName"])
        assert (kind == "unmasked_id") == (person and not MASKED_ID.fullmatch(r["cardNum"])), r
        if kind == "unmasked_id":
            assert ric.is_valid(r["cardNum"]), r["cardNum"]
        empty = [k for k in ("courtName", "gistId") + (("sexy",) if person else ()) if not r[k]]
        assert (kind == "missing_fields") == bool(empty), r


def _province_prefix(cfg, name: str) -> str:
    return next(p.courts[0].code[:2] for p in cfg.provinces if p.name == name)


def test_company_codes(day1):
    recs, truth = day1
    companies = [r for r in recs if r["partyTypeName"] == "581"]
    full = [r["cardNum"] for r in companies if len(r["cardNum"]) == 18 and "*" not in r["cardNum"]]
    masked = [r["cardNum"] for r in companies if "*" in r["cardNum"]]
    org = [r["cardNum"] for r in companies if len(r["cardNum"].replace("-", "")) == 9]
    assert full and masked and org and len(full) + len(masked) + len(org) == len(companies)
    assert all(uscc.is_valid(c) for c in full)
    assert all(re.fullmatch(r"91\d{8}\*{4}[0-9A-Z]{4}", c) for c in masked)
    assert all(uscc.is_valid(truth[str(r["id"])]["uscc"]) for r in companies)
    for r in companies:
        assert r["businessEntity"] and r["age"] == 0 and r["sexy"] == ""
        if len(r["cardNum"].replace("-", "")) == 9:
            assert _d(r["publishDate"]) < g.USCC_FROM


def test_portal_variants_all_occur(day1):
    recs, _ = day1
    sexes = Counter(r["sexy"] for r in recs)
    assert all(sexes[s] > 100 for s in ("男", "男性", "女", "女性"))
    parts = Counter(r["performedPart"] for r in recs)
    assert parts["暂无"] > 1000 and parts[""] > 1000
    assert any("（" in r["caseCode"] for r in recs) and any("(" in r["caseCode"] for r in recs)
    assert sum("\r\n" in r["duty"] for r in recs) > 500
    joined = [r["disruptTypeName"] for r in recs if len(_grounds(r["disruptTypeName"])) > 1]
    assert any("," in j for j in joined) and any("，" in j for j in joined)
    names = Counter(p for r in recs for p in _grounds(r["disruptTypeName"]))
    assert names[g.ABILITY_2017] and names[g.ABILITY_2017 + "的"] and names[g.ABILITY_2013]
    for r in recs:
        grounds = _grounds(r["disruptTypeName"])
        old = _d(r["publishDate"]) < g.ERA_2017
        assert not any(p in (g.ABILITY_2013, *g.OTHER_2013) for p in grounds) or old
        assert not any(p.rstrip("的") in (g.ABILITY_2017, *g.OTHER_2017) for p in grounds) or not old


def test_truth_lists_every_generated_person_name(day1):
    recs, truth = day1
    plaintiffs = 0
    for r in recs[:3000]:
        meta = truth[str(r["id"])]
        if r["partyTypeName"] == "580":
            assert r["iname"] in meta["person_names"] and meta["full_id"].startswith(r["cardNum"][:10])
        else:
            assert r["businessEntity"] in meta["person_names"]
        for name in meta["person_names"]:
            assert name in r["iname"] + r.get("businessEntity", "") + r["duty"]
        plaintiffs += any(f"原告{n}" in r["duty"] or f"申请执行人{n}" in r["duty"]
                          for n in meta["person_names"])
    assert plaintiffs > 500  # duties name private plaintiffs, for the redaction tests


def test_day_two_churn(cfg, day1, day2):
    one = {r["id"]: r for r in day1[0]}
    two = {r["id"]: r for r in day2[0]}
    n = cfg.listing_count
    removed, added = one.keys() - two.keys(), two.keys() - one.keys()
    changed = [i for i in one.keys() & two.keys() if one[i] != two[i]]
    assert 0.02 < len(removed) / n < 0.04
    assert len(added) == round(n * cfg.churn["added"])
    assert 0.012 < len(changed) / n < 0.028
    for i in changed:
        diff = {k for k in one[i] if one[i][k] != two[i][k]}
        assert diff <= {"performance", "performedPart", "unperformPart"}, diff
        assert day2[1][str(i)]["change"] == "changed"
    assert {day2[1][str(i)]["change"] for i in added} == {"added"}
    for i in added:
        meta = day2[1][str(i)]
        if meta["kind"] in (None, "minor", "unmasked_id", "missing_fields", "no_lawful_circumstance"):
            assert cfg.day_dates[1] < _d(two[i]["publishDate"]) < cfg.day_dates[2]


def test_bad_day_and_bad_settings(tmp_path):
    with pytest.raises(ValueError, match="day"):
        g.generate(3)
    bad = tmp_path / "bad.yaml"
    bad.write_text("seed: 1\nlisting_count: ten\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.yaml"):
        g.load_config(bad)
