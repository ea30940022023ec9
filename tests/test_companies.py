"""Company identifiers (good and bad check characters), name normalisation, and the pairs that
must and must not be taken for one company."""

from __future__ import annotations

from pathlib import Path

import pytest
from stdnum.iso7064 import mod_11_10

from tests.store.test_company_matches import active_matches, company, court, make_uscc, tax
from tests.test_companies_review import write_store
from watchdog.companies import (
    FUZZY_THRESHOLD,
    chinese_names_in_text,
    classify_identifier,
    identifiers_in_text,
    latin_similarity,
    normalise_name,
    org_code_of_taxpayer_number,
    valid_org_code,
    valid_reg_no,
    valid_uscc,
)
from watchdog.companies_match import CompanyRecord, compare
from watchdog.companies_store import run_matching

GOOD_USCC = "91110000600037341L"  # the GB 32100 test vector (reference/domain.md 4.3)
REG_14 = "11010800012345"
GOOD_REG = REG_14 + mod_11_10.calc_check_digit(REG_14)


# -- identifiers -------------------------------------------------------------------------------

def test_uscc_check_character() -> None:
    assert valid_uscc(GOOD_USCC)
    assert valid_uscc("91110000600037341l")  # case and spacing do not matter
    assert valid_uscc(" 9111 0000 6000 3734 1L ")
    assert not valid_uscc("91110000600037341K")  # wrong check character
    assert not valid_uscc("91110000600037341")   # 17 characters
    assert not valid_uscc("9111000060003734IL")  # I is not in the alphabet


def test_organisation_code_check_character() -> None:
    assert valid_org_code("600037341")
    assert valid_org_code("60003734-1")
    assert not valid_org_code("600037342")
    assert not valid_org_code("60003734")


def test_registration_number_check_digit() -> None:
    assert valid_reg_no(GOOD_REG)
    bad = GOOD_REG[:-1] + str((int(GOOD_REG[-1]) + 1) % 10)
    assert not valid_reg_no(bad)
    assert not valid_reg_no("11010800012345X")


def test_taxpayer_number_holds_the_organisation_code() -> None:
    # A real 15-character A-level taxpayer number (Jiangxi 2018 sample): area 360206 + org code.
    assert org_code_of_taxpayer_number("360206550875725") == "550875725"
    assert org_code_of_taxpayer_number("360206550875726") is None


def test_classify_reads_codes_by_shape_and_field() -> None:
    schemes = {(i.scheme, i.value) for i in classify_identifier(GOOD_USCC)}
    assert schemes == {("uscc", GOOD_USCC), ("org_code", "600037341")}
    assert [i.scheme for i in classify_identifier("9111000060****341L")] == ["uscc_masked"]
    assert classify_identifier("91110000600037341K") == []
    taxpayer = classify_identifier("360206550875725", hint="taxpayer_number")
    assert [(i.scheme, i.value) for i in taxpayer] == [("org_code", "550875725")]
    assert [i.scheme for i in classify_identifier(GOOD_REG, hint="reg_no")] == ["reg_no"]
    # A 9-character number in an untyped identifier list might be a passport: not an org code.
    assert classify_identifier("600037341", hint="passport") == []
    assert classify_identifier("600037341", hint="Organization Code")[0].scheme == "org_code"


def test_codes_and_chinese_names_inside_foreign_text() -> None:
    text = "(新疆北朋土木工程检测咨询有限公司)(91650104766801418W)*647"
    assert chinese_names_in_text(text) == ["新疆北朋土木工程检测咨询有限公司"]
    assert [i.value for i in identifiers_in_text(text, origin="x") if i.scheme == "uscc"] == [
        "91650104766801418W"]


# -- names -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    ("北京华为数字技术有限公司", "北京华为数字技术有限公司 "),
    ("华为技术（深圳）有限公司", "华为技术(深圳)有限公司"),          # full-width brackets
    ("ＡＢＣ科技有限公司", "ABC科技有限公司"),                         # full-width letters
    ("北京华为数字技术有限责任公司", "北京华为数字技术有限公司"),     # one legal form, two spellings
    ("HUAWEI TECHNOLOGIES CO., LTD.", "Huawei Technologies Company Limited"),
    ("SOCIÉTÉ GÉNÉRALE S.A.", "Societe Generale SA"),
])
def test_same_core_after_normalising(a: str, b: str) -> None:
    na, nb = normalise_name(a), normalise_name(b)
    assert na is not None and nb is not None and na.core == nb.core


@pytest.mark.parametrize(("a", "b"), [
    ("XYZ SOLUTIONS PRIVATE LIMITED", "XYZ SOLUTIONS PVT LTD"),
    ("XYZ SOLUTIONS PRIVATE LIMITED", "XYZ Solutions Pvt. Ltd."),
    ("XYZ SOLUTIONS PVT. LTD.", "XYZ SOLUTIONS (P) LTD"),
    ("XYZ SOLUTIONS PRIVATE LIMITED", "XYZ Solutions (P) Limited"),
    ("X.Y.Z. SOLUTIONS PVT LTD", "X Y Z SOLUTIONS (P) LTD."),  # (P) is not one more initial
    ("XYZ SOLUTIONS PRIVATE LTD", "XYZ SOLUTIONS PVT LIMITED"),
    ("XYZ SOLUTIONS LIMITED", "XYZ SOLUTIONS LTD."),
    ("XYZ SOLUTIONS COMPANY", "XYZ SOLUTIONS CO."),
    ("XYZ SOLUTIONS CORPORATION", "XYZ SOLUTIONS CORP."),
    ("XYZ SOLUTIONS INCORPORATED", "XYZ SOLUTIONS, INC."),
    ("XYZ SOLUTIONS PUBLIC LIMITED COMPANY", "XYZ SOLUTIONS PLC"),
    ("XYZ SOLUTIONS PUBLIC LIMITED", "XYZ SOLUTIONS P.L.C."),
    ("北京华为数字技术有限责任公司", "北京华为数字技术有限公司"),
])
def test_spellings_of_one_legal_form_are_one_form(a: str, b: str) -> None:
    na, nb = normalise_name(a), normalise_name(b)
    assert na is not None and nb is not None
    assert (na.core, na.form) == (nb.core, nb.form)
    m = compare(record(1, a), record(2, b))
    assert m is not None and m.method == "name_exact" and m.score == 1.0
    assert "legal forms differ" not in m.reason


@pytest.mark.parametrize(("a", "b", "forms"), [
    ("XYZ SOLUTIONS LTD", "XYZ SOLUTIONS LLC", "LTD / LLC"),
    ("XYZ SOLUTIONS PVT LTD", "XYZ SOLUTIONS PLC", "LTD / PLC"),
    ("XYZ SOLUTIONS PVT LTD", "XYZ SOLUTIONS PUBLIC LIMITED", "LTD / PLC"),
    ("XYZ SOLUTIONS PRIVATE LIMITED", "XYZ SOLUTIONS PUBLIC LIMITED COMPANY", "LTD / PLC"),
    ("XYZ SOLUTIONS (P) LTD", "XYZ SOLUTIONS PUBLIC LTD", "LTD / PLC"),
    ("XYZ SOLUTIONS PRIVATE LIMITED", "XYZ SOLUTIONS GMBH", "LTD / GMBH"),
    ("北京华为数字技术有限公司", "北京华为数字技术股份有限公司", "有限公司 / 股份有限公司"),
])
def test_different_legal_forms_stay_different(a: str, b: str, forms: str) -> None:
    # One name, two forms: joined at a lower score, and the reason says the forms differ.
    na, nb = normalise_name(a), normalise_name(b)
    assert na is not None and nb is not None and na.core == nb.core and na.form != nb.form
    m = compare(record(1, a), record(2, b))
    assert m is not None and m.score == 0.9 and f"legal forms differ ({forms})" in m.reason


@pytest.mark.parametrize(("a", "b"), [
    ("PRIVATE SECURITY SERVICES LTD", "SECURITY SERVICES LTD"),  # a word of the name
    ("XYZ PUBLIC RELATIONS LTD", "XYZ LTD"),
    ("XYZ (P) SOLUTIONS LTD", "XYZ SOLUTIONS LTD"),             # (P) not before LTD
    ("XYZ SOLUTIONS PVT LTD", "XYZ SYSTEMS PVT LTD"),
])
def test_form_words_inside_a_name_are_not_a_form(a: str, b: str) -> None:
    assert compare(record(1, a), record(2, b)) is None


def test_branch_suffixes() -> None:
    branch = normalise_name("江西洪城水业环保有限公司修水分公司")
    assert branch is not None
    assert (branch.parent_core, branch.branch) == ("江西洪城水业环保", "修水分公司")
    office = normalise_name("华为技术有限公司北京办事处")
    assert office is not None and office.branch == "北京办事处"
    group = normalise_name("XX集团有限公司上海分公司")
    assert group is not None and group.parent_core == "XX集团"
    latin = normalise_name("Huawei Technologies Co., Ltd. Beijing Branch")
    assert latin is not None and latin.parent_core == "HUAWEI TECHNOLOGIES"
    plain = normalise_name("北京华为数字技术有限公司")
    assert plain is not None and plain.branch is None


def test_latin_similarity_needs_every_word() -> None:
    a = normalise_name("HUAWEI TECHNOLOGIES CO., LTD.")
    b = normalise_name("HUAWEI TECHNOLOGY CO LTD")
    c = normalise_name("HUAWEI TECHNOLOGIES INVESTMENT CO., LTD.")
    d13 = normalise_name("CETC 13th Research Institute")
    d14 = normalise_name("CETC 14th Research Institute")
    assert a and b and c and d13 and d14
    assert latin_similarity(a, b) >= FUZZY_THRESHOLD
    assert latin_similarity(a, c) == 0
    assert latin_similarity(d13, d14) == 0


# -- pairs -------------------------------------------------------------------------------------

def record(rid: int, name: str | None = None, *codes: str, where: str = "name") -> CompanyRecord:
    rec = CompanyRecord(rid, f"k{rid}")
    for code in codes:
        rec.add_identifiers(classify_identifier(code, origin="published code"))
    if name:
        rec.add_name(normalise_name(name), where)
    return rec


def test_branch_matches_with_a_method_that_says_so() -> None:
    m = compare(record(1, "北京华为数字技术有限公司"), record(2, "北京华为数字技术有限公司分公司"))
    assert m is not None and m.method == "name_branch" and "分公司" in m.reason


def test_branch_with_its_own_code_still_joins_its_parent() -> None:
    parent = record(1, "北京华为数字技术有限公司", GOOD_USCC)
    branch = record(2, "北京华为数字技术有限公司上海分公司", make_uscc("310115", "55000001"))
    m = compare(parent, branch)
    assert m is not None and m.method == "name_branch"


def test_latin_name_only_joins_chinese_through_a_name_or_code_the_list_gives() -> None:
    home = record(1, "华为技术有限公司")
    bare = record(2, "HUAWEI TECHNOLOGIES CO., LTD.", where="foreign list ofac_sdn: name")
    assert compare(home, bare) is None
    given = record(3, "HUAWEI TECHNOLOGIES CO., LTD.", where="foreign list ofac_sdn: name")
    given.add_name(normalise_name("华为技术有限公司"), "foreign list ofac_sdn: names")
    m = compare(home, given)
    assert m is not None and m.method == "chinese_name_from_foreign_list"
    coded = record(4, "HUAWEI TECHNOLOGIES CO., LTD.", GOOD_USCC)
    m = compare(record(5, "华为技术有限公司", GOOD_USCC), coded)
    assert m is not None and m.method == "uscc"


@pytest.mark.parametrize(("a", "b"), [
    ("北京华为数字技术有限公司", "北京华为数码技术有限公司"),  # one character apart
    ("北京华为数字技术有限公司", "上海华为数字技术有限公司"),  # another city
    ("北京华为数字技术有限公司", "华为数字技术有限公司"),
    ("北京华为数字技术有限公司上海分公司", "北京华为数字技术有限公司广州分公司"),
    ("HUAWEI TECHNOLOGIES CO., LTD.", "HUAWEI DEVICE CO., LTD."),
    ("HUAWEI TECHNOLOGIES CO., LTD.", "HUAWEI TECHNOLOGIES INVESTMENT CO., LTD."),
    ("HUNAN XINDA TRADING CO., LTD.", "HENAN XINDA TRADING CO., LTD."),  # two provinces
    ("CETC 13th Research Institute", "CETC 14th Research Institute"),
])
def test_similar_names_of_different_companies_do_not_match(a: str, b: str) -> None:
    assert compare(record(1, a), record(2, b)) is None


def test_same_name_with_different_codes_does_not_match() -> None:
    other = make_uscc("110108", "70001234")
    assert valid_uscc(other)
    assert compare(record(1, "北京华为数字技术有限公司", GOOD_USCC),
                   record(2, "北京华为数字技术有限公司", other)) is None
    a = record(1, "北京华为数字技术有限公司", "600037341")
    b = record(2, "北京华为数字技术有限公司", "550875725")
    assert compare(a, b) is None


def test_masked_code_matches_a_full_one_when_visible_characters_and_names_agree() -> None:
    full = record(1, "北京华为数字技术有限公司", GOOD_USCC)
    court = record(2, "北京华为数字技术有限公司", "9111000060****341L")
    m = compare(full, court)
    assert m is not None and m.method == "masked_uscc+name" and m.score == 1.0
    # Visible characters agree but the names do not: not enough.
    assert compare(full, record(3, "广州某某贸易有限公司", "9111000060****341L")) is None
    # Same name, but the visible characters disagree: the codes say two companies.
    assert compare(full, record(4, "北京华为数字技术有限公司", "9111000060****342L")) is None


def test_organisation_code_joins_an_old_listing_to_a_new_code() -> None:
    m = compare(record(1, "某公司", GOOD_USCC), record(2, "某某公司", "60003734-1"))
    assert m is not None and m.method == "org_code"
    tax_list = CompanyRecord(1, "k1")
    tax_list.add_identifiers(classify_identifier("360206550875725", hint="taxpayer_number"))
    m = compare(tax_list, record(2, None, "550875725"))
    assert m is not None and m.method == "org_code" and "taxpayer number" in m.reason


def test_a_bare_15_character_code_needs_the_names_too() -> None:
    # Without a field saying "taxpayer number" it may be a registration number whose last nine
    # characters pass the organisation-code check by chance.
    assert compare(record(1, None, "360206550875725"), record(2, None, "550875725")) is None
    assert compare(record(1, "甲公司", "360206550875725"), record(2, "乙公司", "550875725")) is None
    m = compare(record(1, "景德镇市伟雁水暖器材物资有限公司", "360206550875725"),
                record(2, "景德镇市伟雁水暖器材物资有限公司", "550875725"))
    assert m is not None and m.method == "org_code" and "names agree" in m.reason


# -- Chinese names: brackets, branch kinds, branches of branches --------------------------------

GEOLOGY = "江西省地质工程（集团）公司"  # Jiangxi A-level taxpayers 2018, as published


@pytest.mark.parametrize(("a", "b"), [
    (GEOLOGY, "江西省地质工程集团公司"),
    ("河南省地矿建设工程(集团)有限公司", "河南省地矿建设工程集团有限公司"),
    ("华为技术（深圳）有限公司", "华为技术深圳有限公司"),
])
def test_brackets_do_not_make_another_name(a: str, b: str) -> None:
    na, nb = normalise_name(a), normalise_name(b)
    assert na is not None and nb is not None and na.core == nb.core
    m = compare(record(1, a), record(2, b))
    assert m is not None and m.method == "name_exact" and m.score == 1.0


def test_a_bracketed_word_alone_is_no_name() -> None:
    form = normalise_name("(集团)有限公司")
    assert form is not None and not form.distinctive


@pytest.mark.parametrize(("name", "parents", "branch"), [
    # Guangxi registry page (samples/gsxt_legacy_html): a 营业厅 of a 分公司.
    ("中国移动通信集团广西有限公司宁明分公司东安营业厅",
     ("中国移动通信集团广西|宁明分公司", "中国移动通信集团广西"), "东安营业厅"),
    # Jiangxi A-level taxpayers 2018: 营业部 of a 分行, 服务部 of a 分公司, 销售部, 证券营业部.
    ("中国农业发展银行上饶市分行营业部", ("中国农业发展银行|上饶市分行", "中国农业发展银行"), "营业部"),
    ("中国人民财产保险股份有限公司景德镇市分公司昌南营销服务部",
     ("中国人民财产保险|景德镇市分公司", "中国人民财产保险"), "昌南营销服务部"),
    ("绫致时装(天津)有限公司赣州万象城销售部", ("绫致时装天津",), "赣州万象城销售部"),
    ("中航证券有限公司景德镇珠山东路证券营业部", ("中航证券",), "景德镇珠山东路证券营业部"),
    ("中国工商银行股份有限公司南昌分行", ("中国工商银行",), "南昌分行"),
    ("中国工商银行股份有限公司南昌分行八一大道支行", ("中国工商银行|南昌分行", "中国工商银行"),
     "八一大道支行"),
    ("中国工商银行股份有限公司南昌象山路分理处", ("中国工商银行",), "南昌象山路分理处"),
    ("华为技术有限公司北京办事处", ("华为技术",), "北京办事处"),
    ("景德镇市红星瓷厂门市部", ("景德镇市红星瓷厂",), "门市部"),
    ("江西省邮政公司南昌营业所", ("江西省邮政",), "南昌营业所"),
    ("江西某某建材有限公司经营部", ("江西某某建材",), "经营部"),
])
def test_branch_kinds_after_a_parent(name: str, parents: tuple[str, ...], branch: str) -> None:
    form = normalise_name(name)
    assert form is not None and form.distinctive
    assert (form.parent_cores, form.branch) == (parents, branch)


@pytest.mark.parametrize("name", [
    "赣州市可为临检医疗用品经营部",    # sole traders (Jiangxi tax list): the kind is their name
    "兴国县客家矿产品销售部", "大余县天祥广告传媒服务部", "南昌县某某五金门市部",
    "南昌市东湖区豫章街道办事处",      # a government office
    "南昌县莲塘镇厂前建材经营部",      # 厂前 is a road, not a factory
    "北京营业厅装饰有限公司",          # the word inside a name
    "中国电子科技集团公司第十三研究所",
])
def test_a_name_that_merely_contains_a_branch_word_is_not_cut(name: str) -> None:
    form = normalise_name(name)
    assert form is not None and form.branch is None and form.parent_core is None


MOBILE_GX = "中国移动通信集团广西有限公司"
NINGMING = f"{MOBILE_GX}宁明分公司"
DONGAN = f"{NINGMING}东安营业厅"


def test_a_branch_of_a_branch_joins_both_but_not_its_siblings() -> None:
    for parent in (NINGMING, MOBILE_GX):
        m = compare(record(1, DONGAN), record(2, parent))
        assert m is not None and m.method == "name_branch", parent
        assert m.reason.startswith(f"branch: {DONGAN} is a branch office")
    m = compare(record(1, MOBILE_GX), record(2, DONGAN))
    assert m is not None and "(宁明分公司东安营业厅)" in m.reason
    assert compare(record(1, DONGAN), record(2, f"{NINGMING}城中营业厅")) is None
    assert compare(record(1, DONGAN), record(2, f"{MOBILE_GX}凭祥分公司")) is None
    assert compare(record(1, DONGAN), record(2, f"{MOBILE_GX}凭祥分公司东安营业厅")) is None


def test_branches_of_branches_are_paired_in_a_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    names = {MOBILE_GX: ("450000", "19825012"), NINGMING: ("451421", "19825013"),
             DONGAN: ("451421", "19825014"), f"{NINGMING}城中营业厅": ("451421", "19825015"),
             GEOLOGY: ("360000", "70551813")}
    write_store(url, tmp_path, {
        "tax_a_list": [tax(make_uscc(region, org), name, 2018)
                       for name, (region, org) in names.items()],
        # A court listing by name only, written without the brackets.
        "court_dishonest": [court(1, company("name:江西省地质工程集团公司", "江西省地质工程集团公司"),
                                  "2025-03-01")]})
    run_matching(url)
    found = {pair: method for pair, (method, _, _) in active_matches(url).items()}
    assert found == {
        frozenset({MOBILE_GX, NINGMING}): "name_branch",
        frozenset({MOBILE_GX, DONGAN}): "name_branch",
        frozenset({NINGMING, DONGAN}): "name_branch",
        frozenset({MOBILE_GX, f"{NINGMING}城中营业厅"}): "name_branch",
        frozenset({NINGMING, f"{NINGMING}城中营业厅"}): "name_branch",
        frozenset({GEOLOGY, "江西省地质工程集团公司"}): "name_exact",
    }
