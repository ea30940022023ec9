"""Company identifiers (good and bad check characters), name normalisation, and the pairs that
must and must not be taken for one company."""

from __future__ import annotations

import pytest
from stdnum.iso7064 import mod_11_10

from tests.store.test_company_matches import make_uscc
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
