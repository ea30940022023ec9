"""Matching defects a reviewer reproduced on the shared World Bank workbook and the Jiangxi tax
list, each kept as a case that must (or must not) match:

- a Chinese name inside a foreign list's text is read whole, never cut at its first company word,
  and a fragment with no name of its own (a bare legal form) never joins anything;
- Latin (pinyin) names one letter apart are two companies; only spelling variants (plural s,
  syllables joined or split, punctuation, abbreviated generic words) join;
- different Latin legal forms (LIMITED / GMBH / LLC / SA / AG / PLC) score lower and say so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.store.test_company_matches import SOURCES, active_matches, foreign, make_uscc, tax
from watchdog.companies import (
    FUZZY_THRESHOLD,
    chinese_names_in_text,
    latin_similarity,
    normalise_name,
)
from watchdog.companies_match import CompanyRecord, compare
from watchdog.companies_store import read_payload, run_matching
from watchdog.store.artifacts import sha256_hex
from watchdog.store.db import migrate
from watchdog.store.writer import CrawlRecorder, ListingRow, register_source

HEBEI = "河北建设集团股份有限公司"


# -- 1. Chinese names in foreign-list text -----------------------------------------------------

@pytest.mark.parametrize(("text", "names"), [
    (f"{HEBEI}邯郸市永年区分公司", [f"{HEBEI}邯郸市永年区分公司"]),
    ("中国电子科技集团公司第十三研究所", ["中国电子科技集团公司第十三研究所"]),
    ("中国电子科技集团公司第13研究所", ["中国电子科技集团公司第13研究所"]),
    ("河北建设集团（宁波）供应链管理有限公司", ["河北建设集团(宁波)供应链管理有限公司"]),
    ("(河南省地矿建设工程(集团)有限公司)*632", ["河南省地矿建设工程(集团)有限公司"]),
    ("(新疆交通建设集团股份有限公司, 新疆交建)*647", ["新疆交通建设集团股份有限公司"]),
    ("HUAWEI TECHNOLOGIES CO., LTD. (华为技术有限公司)", ["华为技术有限公司"]),
    ("(华为技术有限公司)(华为终端有限公司)", ["华为技术有限公司", "华为终端有限公司"]),
    ("(新疆北朋土木工程检测咨询有限公司)(91650104766801418W)*647", ["新疆北朋土木工程检测咨询有限公司"]),
])
def test_chinese_name_in_foreign_text_is_read_whole(text: str, names: list[str]) -> None:
    assert chinese_names_in_text(text) == names


@pytest.mark.parametrize("text", [
    "河北建设集团有限公司建筑安装大厦",  # a branch's odd name: not its parent's
    "股份有限公司", "有限公司", "公司", "集团公司",  # a legal form alone names nobody
    "股份有限公司北京六分公司",
])
def test_text_without_a_whole_company_name_gives_none(text: str) -> None:
    assert chinese_names_in_text(text) == []


@pytest.mark.parametrize("name", ["股份有限公司", "有限公司", "公司", "有限责任公司", "集团有限公司",
                                  "股份有限公司北京六分公司"])
def test_a_bare_legal_form_is_not_a_distinctive_name(name: str) -> None:
    form = normalise_name(name)
    assert form is not None and not form.distinctive


def test_the_same_bare_legal_form_joins_nothing() -> None:
    a, b = CompanyRecord(1, "k1"), CompanyRecord(2, "k2")
    a.add_name(normalise_name("股份有限公司"), "foreign list worldbank_debarred: names")
    b.add_name(normalise_name("股份有限公司"), "foreign list worldbank_debarred: names")
    assert compare(a, b) is None
    branch = CompanyRecord(3, "k3")
    branch.add_name(normalise_name("股份有限公司北京六分公司"), "foreign list worldbank_debarred: names")
    assert compare(a, branch) is None


def world_bank(rid: int, latin: str, zh: str) -> CompanyRecord:
    """A record as `load_records` builds it from the World Bank parser's payload."""
    rec = CompanyRecord(rid, f"name:{latin}")
    rec.add_name(normalise_name(latin), "foreign list worldbank_debarred: name")
    read_payload(rec, "worldbank_debarred", {"names": [latin, zh], "chinese_name": zh,
                                             "additional_info": zh})
    return rec


def test_foreign_list_institutes_13_and_14_do_not_match() -> None:
    r13 = world_bank(1, "CETC 13TH RESEARCH INSTITUTE", "中国电子科技集团公司第十三研究所")
    r14 = world_bank(2, "CETC 14TH RESEARCH INSTITUTE", "中国电子科技集团公司第十四研究所")
    assert compare(r13, r14) is None


def test_foreign_list_branches_join_their_parent_not_each_other() -> None:
    parent = world_bank(1, "HEBEI CONSTRUCTION GROUP CORPORATION LIMITED", HEBEI)
    six = world_bank(2, "HEBEI CONSTRUCTION GROUP CORPORATION LIMITED BEIJING NO 6 BRANCH",
                     f"{HEBEI}北京六分公司")
    yongnian = world_bank(3, "HEBEI CONSTRUCTION GROUP CORPORATION LIMITED YONGNIAN BRANCH",
                          f"{HEBEI}邯郸市永年区分公司")
    assert compare(six, yongnian) is None
    for branch in (six, yongnian):
        m = compare(parent, branch)
        assert m is not None and m.method == "name_branch"
        assert "股份有限公司 " not in m.reason and "of 股份有限公司" not in m.reason
    assert all(n.distinctive for n, _ in six.names if n.script == "zh")


def write_store(url: str, root: Path, rows: dict[str, list[ListingRow]]) -> None:
    """A store written by the real writer, one complete crawl per source."""
    migrate(url)
    for source_id, title in SOURCES.items():
        register_source(url, {"id": source_id, "title": title, "publisher": "test"})
    for source_id, batch in rows.items():
        recorder = CrawlRecorder(url, root / "artifacts", source_id,
                                 origin=f"http://127.0.0.1:8765/{source_id}")
        body = json.dumps({"source": source_id}).encode()
        sha = recorder.archive(stored=body, original_sha256=sha256_hex(body), redacted=False,
                               url=f"http://127.0.0.1:8765/{source_id}/list", http_status=200,
                               content_type="application/json", size=len(body))
        recorder.write_batch(batch, sha)
        recorder.finish(covers_whole_source=True)


def _wb(n: int, latin: str, zh: str) -> ListingRow:
    return foreign(f"wb-{n}", latin, {"list_name": "World Bank", "names": [latin, zh],
                                      "chinese_name": zh, "additional_info": zh})


def test_world_bank_group_and_its_branches_in_a_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    parent_latin = "HEBEI CONSTRUCTION GROUP CORPORATION LIMITED"
    branches = {f"{HEBEI}{place}分公司": f"{parent_latin} {latin} BRANCH" for place, latin in (
        ("北京六", "BEIJING NO 6"), ("邯郸市永年区", "YONGNIAN"), ("上海", "SHANGHAI"),
        ("保定莲池", "BAODING LIANCHI"))}
    rows = [_wb(0, parent_latin, HEBEI)] + [
        _wb(i, latin, zh) for i, (zh, latin) in enumerate(branches.items(), 1)]
    rows += [_wb(10, "CETC 13TH RESEARCH INSTITUTE", "中国电子科技集团公司第十三研究所"),
             _wb(11, "CETC 14TH RESEARCH INSTITUTE", "中国电子科技集团公司第十四研究所"),
             _wb(12, "HEBEI CONSTRUCTION GROUP CORPORATION LIMITED CONSTRUCTION INSTALLATION B",
                 "河北建设集团有限公司建筑安装大厦")]
    write_store(url, tmp_path, {"worldbank_debarred": rows, "tax_a_list": [
        tax(make_uscc("360100", "74196683"), "中国移动通信集团江西有限公司南昌分公司", 2018)]})
    summary = run_matching(url)
    found = active_matches(url)
    # Each branch joins its parent, nothing else joins anything.
    assert {m for m, _, _ in found.values()} == {"name_branch"}
    assert len(found) == len(branches) == summary.active
    assert all(parent_latin in pair and len(pair) == 2 for pair in found)


# -- 3. Latin names one letter apart ------------------------------------------------------------

def latin(rid: int, name: str) -> CompanyRecord:
    rec = CompanyRecord(rid, f"k{rid}")
    rec.add_name(normalise_name(name), "foreign list us_csl: name")
    return rec


@pytest.mark.parametrize(("a", "b"), [
    ("HUAXIN ELECTRONICS CO LTD", "HUAXING ELECTRONICS CO LTD"),
    ("ZHONGXING TELECOM", "ZHONGXIN TELECOM"),        # 中兴 / 中信
    ("CHINA XINXING CO", "CHINA XINXIN CO"),
    ("BEIJING JINGWEI", "BEIJING JINWEI"),
    ("HUAXIN ELECTRONICS CO LTD", "HUAXIN ELECTRIC CO LTD"),  # 电子 / 电气
    ("SHANXI COAL TRADING CO LTD", "SHAANXI COAL TRADING CO LTD"),
])
def test_pinyin_names_one_letter_apart_do_not_match(a: str, b: str) -> None:
    na, nb = normalise_name(a), normalise_name(b)
    assert na is not None and nb is not None
    assert latin_similarity(na, nb) == 0
    assert compare(latin(1, a), latin(2, b)) is None


@pytest.mark.parametrize(("a", "b"), [
    ("ZHONG XING TELECOM CO LTD", "ZHONGXING TELECOM CO LTD"),   # syllables split or joined
    ("XI'AN HUAXIN ELECTRONICS CO LTD", "XIAN HUAXIN ELECTRONICS CO LTD"),
    ("HONG KONG HUAXIN TRADING LTD", "HONGKONG HUAXIN TRADING LTD"),
    ("HUAXIN ELECTRONICS CO LTD", "HUAXIN ELECTRONIC CO LTD"),   # plural s
    ("HUAWEI TECHNOLOGIES CO LTD", "HUAWEI TECH CO LTD"),         # abbreviated generic word
    ("HUAXIN INTERNATIONAL TRADING CO LTD", "HUAXIN INTL TRADING CO LTD"),
    ("HUAXIN TECHNOLGY CO LTD", "HUAXIN TECHNOLOGY CO LTD"),       # a misspelt generic word
])
def test_spelling_variants_of_one_name_match(a: str, b: str) -> None:
    na, nb = normalise_name(a), normalise_name(b)
    assert na is not None and nb is not None
    assert latin_similarity(na, nb) >= FUZZY_THRESHOLD
    m = compare(latin(1, a), latin(2, b))
    assert m is not None and m.method == "name_fuzzy"


def test_spelling_variants_are_compared_in_a_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    names = ["ZHONG XING TELECOM CO LTD", "ZHONGXING TELECOM CO., LTD.", "ZHONGXIN TELECOM CO LTD",
             "HUAWEI TECH CO LTD", "HUAWEI TECHNOLOGIES CO., LTD."]
    write_store(url, tmp_path, {"us_csl": [
        foreign(f"el-{i}", name, {"list_name": "Entity List"}) for i, name in enumerate(names)]})
    run_matching(url)
    assert set(active_matches(url)) == {frozenset(names[:2]), frozenset(names[3:])}


# -- 6. Latin legal forms -----------------------------------------------------------------------

@pytest.mark.parametrize(("name", "form"), [
    ("ABC TRADING LIMITED", "LTD"), ("ABC TRADING CO., LTD.", "LTD"),
    ("ABC Trading Company Limited", "LTD"), ("ABC TRADING PTE. LTD.", "LTD"),
    ("ABC TRADING GMBH", "GMBH"), ("ABC TRADING S.A.", "SA"), ("ABC TRADING LLC", "LLC"),
    ("ABC TRADING LIMITED LIABILITY COMPANY", "LLC"), ("ABC TRADING AG", "AG"),
    ("ABC TRADING PLC", "PLC"), ("ABC TRADING INC.", "CORP"), ("ABC TRADING CORPORATION", "CORP"),
    ("ABC TRADING COMPANY", "CO"), ("ABC TRADING", None),
])
def test_latin_legal_form_is_kept(name: str, form: str | None) -> None:
    parsed = normalise_name(name)
    assert parsed is not None and parsed.core == "ABC TRADING" and parsed.form == form


@pytest.mark.parametrize(("a", "b"), [
    ("ABC TRADING LIMITED", "ABC TRADING GMBH"), ("ABC TRADING LLC", "ABC TRADING S.A."),
    ("ABC TRADING AG", "ABC TRADING PLC"), ("ABC TRADING CO., LTD.", "ABC TRADING INC."),
])
def test_different_latin_legal_forms_score_lower_and_say_so(a: str, b: str) -> None:
    m = compare(latin(1, a), latin(2, b))
    assert m is not None and m.method == "name_exact" and m.score < 1.0
    assert "legal forms differ" in m.reason


@pytest.mark.parametrize(("a", "b"), [
    ("ABC TRADING CO., LTD.", "ABC Trading Company Limited"), ("ABC TRADING INC", "ABC TRADING CORP"),
    ("ABC TRADING COMPANY", "ABC TRADING LIMITED"), ("ABC TRADING", "ABC TRADING GMBH"),
])
def test_one_latin_legal_form_spelt_two_ways_scores_full(a: str, b: str) -> None:
    m = compare(latin(1, a), latin(2, b))
    assert m is not None and m.method == "name_exact" and m.score == 1.0
    assert "legal forms differ" not in m.reason


def test_fuzzy_names_with_different_legal_forms_say_so() -> None:
    m = compare(latin(1, "HUAXIN ELECTRONICS LIMITED"), latin(2, "HUAXIN ELECTRONIC GMBH"))
    assert m is not None and m.method == "name_fuzzy" and "legal forms differ" in m.reason
    same = compare(latin(1, "HUAXIN ELECTRONICS LIMITED"), latin(2, "HUAXIN ELECTRONIC LTD"))
    assert same is not None and m.score < same.score


def test_chinese_names_that_differ_are_not_joined_by_one_romanisation() -> None:
    # 清远 and 庆元 are both QINGYUAN: two branches named apart in Chinese stay apart.
    latin_name = "HEBEI CONSTRUCTION GROUP CORPORATION LIMITED QINGYUAN BRANCH"
    a, b = latin(1, latin_name), latin(2, latin_name)
    a.add_name(normalise_name("河北建设集团股份有限公司清远分公司"), "foreign list: chinese name")
    b.add_name(normalise_name("河北建设集团股份有限公司庆元分公司"), "foreign list: chinese name")
    assert compare(a, b) is None
    # Without the Chinese names the romanised one is all there is, and it joins them.
    match = compare(latin(3, latin_name), latin(4, latin_name))
    assert match is not None and match.method == "name_exact"
