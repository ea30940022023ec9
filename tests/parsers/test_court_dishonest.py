from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from watchdog.parsers.court_dishonest import (
    BlockedError,
    FormatError,
    ParsedListing,
    RecordError,
    Rejection,
    age_band,
    declared_total,
    detect_format,
    iter_file_records,
    parse_bytes,
    parse_record,
)
from watchdog.privacy import Keyer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "court_dishonest"
KEYER = Keyer(b"test-secret-for-court-dishonest!")
# Names and IDs of persons in the fixtures: none may reach the parsed output.
PERSON_STRINGS = ("秦某某", "揭某某", "万某某", "甘某某", "蔡某某", "程某", "李某", "赵某某", "钱某某",
                  "孙某某", "周某某", "郑某某", "冯某某", "吴某", "5135211959", "4222011989",
                  "3301061976", "1301021988", "110101199003071233", "4401061990")


def _parse(name: str) -> tuple[str, list[ParsedListing], list[Rejection]]:
    return parse_bytes((FIXTURES / name).read_bytes(), KEYER)


def _assert_no_personal_data(listing: ParsedListing) -> None:
    dumped = repr(listing.facts.model_dump()) + repr(listing.subject) + listing.record_key
    dumped += repr(listing.unknown_fields)
    for text in PERSON_STRINGS:
        assert text not in dumped


def test_every_fixture_is_covered() -> None:
    covered = {
        "disDetail_person_2014.json", "disDetail_unit_2014.json",
        "disDetail_unit_2017_crlf_in_duty.json", "disDetail_variants_2017_2019.json",
        "zhixing_beizhixingren_legacy_shanghai.json", "synthetic_baidu_6899.json",
        "synthetic_search.json", "synthetic_zxgk_list.json", "synthetic_detail_list.json",
        "synthetic_block_412.html",
    }
    on_disk = {p.name for p in FIXTURES.iterdir() if p.name != "SOURCE.txt"}
    assert on_disk == covered


def test_person_2014() -> None:
    fmt, listings, rejections = _parse("disDetail_person_2014.json")
    assert (fmt, rejections, len(listings)) == ("detail", [], 1)
    item = listings[0]
    f = item.facts
    assert f.party_type == "person"
    assert f.case_code == "(2014)丰法民执字第00326号"
    assert (f.reg_date, f.publish_date) == (date(2014, 6, 20), date(2014, 12, 7))
    assert (f.age, f.sex, f.birth_year) == (57, "M", 1959)
    assert (f.province, f.court, f.gist_unit) == ("重庆", "丰都县人民法院", "丰都县人民法院")
    assert f.gist_id == "(2014)丰法民初字第00072号"
    assert f.circumstances == ["其他有履行能力而拒不履行生效法律文书确定义务"]
    assert (f.duty, f.performance) == ("法院生效裁判:调解", "全部未履行")
    assert (f.performed_part, f.unperformed_part, f.performed_date) == (None, None, None)
    assert f.id_mask == "masked"
    assert f.fields_present == ["name", "sex", "age", "id_number", "obligation", "performance",
                                "conduct", "basis_issuer", "basis_doc_no", "case_no",
                                "filing_date", "court"]
    assert f.name_key == KEYER.name_key("秦某某")
    assert f.legal_rep_key is None
    s = item.subject
    assert s.kind == "person" and s.name is None and s.code is None
    assert s.key == KEYER.person_key("秦某某", "5135211959****1784")
    assert (s.province, s.birth_year, s.sex, s.age_band) == ("重庆", 1959, "M", "50-59")
    assert item.record_key == f"(2014)丰法民执字第00326号|{s.key}"
    assert item.source_record_id == "740634"
    assert item.unknown_fields == {}
    _assert_no_personal_data(item)


def test_unit_2014() -> None:
    fmt, listings, _ = _parse("disDetail_unit_2014.json")
    item = listings[0]
    f = item.facts
    assert fmt == "detail" and f.party_type == "company"
    assert f.case_code == "(2014)广法执字第00232号"
    assert f.gist_id == "(2014)广民初字第501号民事判决书"
    assert (f.reg_date, f.publish_date) == (date(2014, 11, 28), date(2014, 12, 11))
    assert (f.age, f.sex, f.birth_year, f.name_key) == (None, None, None, None)
    assert f.circumstances == ["其它规避执行"]
    assert f.legal_rep_key == KEYER.name_key("万某某")
    assert f.duty is not None and f.duty.startswith("1.被告广昌青湖钢厂在本判决生效之日起七日内支付原告[person:p:")
    assert "水泥款53300元；2.本案诉讼费1133元，财产保全费620元，由被告承担。" in f.duty
    assert f.id_mask == "unmasked"
    assert f.fields_present == ["name", "org_code", "legal_rep", "obligation", "performance",
                                "conduct", "basis_issuer", "basis_doc_no", "case_no",
                                "filing_date", "court"]
    s = item.subject
    assert (s.kind, s.key, s.name, s.code) == ("company", "org:680926658", "广昌青湖钢厂", "680926658")
    assert item.record_key == "(2014)广法执字第00232号|org:680926658"
    _assert_no_personal_data(item)


def test_unit_2017_crlf_in_duty() -> None:
    _, listings, _ = _parse("disDetail_unit_2017_crlf_in_duty.json")
    f = listings[0].facts
    assert f.party_type == "company"
    assert f.case_code == "(2017)桂1322执487号"  # full-width brackets normalised
    assert f.age is None  # age 0 means "not a person", not "zero years old"
    assert f.duty is not None
    assert "\r" not in f.duty and f.duty.count("\n") == 2
    assert f.duty.startswith("被告广西五鸿建设集团有限公司应于本判决生效五日内给付原告[person:p:")
    assert "劳务费人民币48440元。" in f.duty
    assert "由被告广西五鸿建设集团有限公司负担。" in f.duty
    assert "履行给付金钱义务" in f.duty
    assert (f.performed_part, f.unperformed_part) == (None, None)  # 暂无
    assert f.circumstances == ["违反财产报告制度"]
    assert f.legal_rep_key == KEYER.name_key("蔡某某")
    assert listings[0].subject.key == "org:619848910"
    _assert_no_personal_data(listings[0])


def test_variants_2017_2019() -> None:
    fmt, listings, rejections = _parse("disDetail_variants_2017_2019.json")
    assert (fmt, rejections, len(listings)) == ("detail_list", [], 2)
    first, second = (item.facts for item in listings)
    assert (first.sex, second.sex) == ("M", "M")  # 男 and 男性
    assert (first.party_type, second.party_type) == ("person", "person")  # 580 and 0
    assert (first.performed_part, second.performed_part) == (None, None)  # "" and 暂无
    assert first.case_code == "(2017)鄂0902执750号"
    assert second.case_code == "(2017)浙0106执1627号"
    assert first.duty == "被执行人标的款5000元"
    assert second.duty == "（2015）杭西商初字第03327号"
    assert (first.publish_date, second.publish_date) == (date(2017, 5, 23), date(2019, 5, 28))
    assert (first.birth_year, second.birth_year) == (1989, 1976)
    assert "legal_rep" not in first.fields_present  # businessEntity ""
    assert first.circumstances == ["有履行能力而拒不履行生效法律文书确定义务的"]
    assert [item.subject.age_band for item in listings] == ["18-29", "40-49"]
    for item in listings:
        assert item.unknown_fields == {"type": "str", "qysler": "list"}
        _assert_no_personal_data(item)


def test_zhixing_legacy_rejected() -> None:
    fmt, listings, rejections = _parse("zhixing_beizhixingren_legacy_shanghai.json")
    assert fmt == "zhixing_legacy" and listings == []
    assert len(rejections) == 1 and rejections[0].index == 0
    assert "被执行人 (zhixing)" in rejections[0].reason
    assert "not a listing" in rejections[0].reason


def test_baidu() -> None:
    fmt, listings, rejections = _parse("synthetic_baidu_6899.json")
    assert (fmt, rejections, len(listings)) == ("baidu", [], 2)
    person, company = listings
    p = person.facts
    assert p.party_type == "person" and p.sex == "M" and p.age == 31
    assert p.reg_date == date(2019, 7, 9)  # 20190709
    assert p.publish_date == date(2019, 7, 13)  # epoch seconds, China time
    assert p.circumstances == ["违反财产报告制度", "违反限制消费令"]
    assert p.case_code == "(2019)冀0102执3021号"
    assert person.source_record_id == "802315001"  # from loc
    assert person.unknown_fields == {}  # Baidu-only keys are known for this format
    c = company.facts
    assert c.party_type == "company" and c.sex is None and c.age is None
    assert c.case_code == "(2019)晋1123执456号"
    assert c.id_mask == "masked"
    assert c.legal_rep_key == KEYER.name_key("孙某某")
    assert company.subject.key == "uscc:9114082306****333G"
    assert company.subject.name == "柳林县某某煤业有限公司"
    assert c.duty == "被告柳林县某某煤业有限公司支付原告" + (
        f"[person:{KEYER.short(KEYER.name_key('周某某'))}]工程款85000元")
    for item in listings:
        _assert_no_personal_data(item)
    obj = json.loads((FIXTURES / "synthetic_baidu_6899.json").read_text())
    assert declared_total(obj, "baidu") == 200000


def test_baidu_keys_are_unknown_in_other_formats() -> None:
    obj = json.loads((FIXTURES / "synthetic_baidu_6899.json").read_text())
    record = obj["data"][0]["result"][0]
    item = parse_record(record, KEYER, fmt="detail")
    assert {"StdStg", "loc", "type", "_version"} <= set(item.unknown_fields)
    assert parse_record(record, KEYER, fmt="baidu").unknown_fields == {}


def test_record_key_stable_across_formats() -> None:
    _, baidu, _ = _parse("synthetic_baidu_6899.json")
    obj = json.loads((FIXTURES / "synthetic_search.json").read_text())
    search = [parse_record(row, KEYER, fmt="search") for row in obj[0]["result"]]
    assert [item.record_key for item in baidu] == [item.record_key for item in search]
    assert search[0].facts.fields_present == ["name", "id_number", "case_no"]
    assert search[1].facts.fields_present == ["name", "org_code", "case_no"]
    assert declared_total(obj, "search") == 2
    # The unwrapped page dict is the same format.
    assert detect_format(obj[0]) == "search"


@pytest.mark.parametrize(("fixture", "fmt", "words"), [
    # A reviewer imported a saved getPersonList page over a complete crawl: its rows replaced
    # five full records with stubs and drew false "no lawful circumstance" findings.
    ("synthetic_zxgk_list.json", "zxgk_list", "rolling list"),
    # Found by review: a saved search page imported after a Baidu page replaced both full
    # records with stubs (no court, dates, circumstances or duty).
    ("synthetic_search.json", "search", "search results"),
])
def test_rows_that_only_point_at_listings_are_not_listings(fixture, fmt, words) -> None:
    found, listings, rejections = _parse(fixture)
    assert (found, listings) == (fmt, [])
    assert [r.index for r in rejections] == [0, 1]
    assert all(words in r.reason and "detail page" in r.reason for r in rejections)


def test_zxgk_list_rows_with_details_are_read_as_listings() -> None:
    obj = json.loads((FIXTURES / "synthetic_zxgk_list.json").read_text())
    for n, row in enumerate(obj["data"]):
        row.update(courtName="广州市越秀区人民法院", regDate="2026-01-05",
                   publishDate=f"2026-03-0{n + 1}", disruptTypeName="违反财产报告制度")
    fmt, listings, rejections = parse_bytes(json.dumps(obj).encode(), KEYER)
    assert (fmt, rejections) == ("zxgk_list", [])
    person, company = listings
    assert person.facts.party_type == "person" and person.facts.id_mask == "masked"
    assert person.facts.birth_year == 1990
    assert company.facts.party_type == "company" and company.facts.id_mask == "masked"
    assert company.subject.key == "uscc:91440101MA****5K2X"
    assert [item.source_record_id for item in listings] == ["1900000001", "1900000002"]
    for item in listings:
        _assert_no_personal_data(item)


def test_detail_list_with_bad_records() -> None:
    fmt, listings, rejections = _parse("synthetic_detail_list.json")
    assert fmt == "detail_list" and len(listings) == 1
    assert [(r.index, r.reason) for r in rejections] == [
        (1, "record has no case code (caseCode)"),
        (2, "record is a JSON str, not an object"),
        (3, "record has no name (iname)"),
    ]
    item = listings[0]
    f = item.facts
    assert f.case_code == "(2025)京0105执123号"  # full-width digits
    assert f.reg_date == date(2025, 1, 6)
    assert f.sex == "F" and f.id_mask == "unmasked"
    assert f.performed_part == "已于2026年03月02日全部履行"
    assert f.performed_date == date(2026, 3, 2)
    assert f.circumstances == ["以伪造证据、暴力、威胁等方法妨碍、抗拒执行的", "违反财产报告制度"]
    # Same person whether the ID was published masked or not.
    assert item.subject.key == KEYER.person_key("郑某某", "1101011990****1233")
    _assert_no_personal_data(item)


def test_party_type_inferred_when_missing_or_contradicted() -> None:
    base = {"iname": "陈某某", "caseCode": "(2020)沪0101执1号"}
    assert parse_record({**base, "cardNum": "3101011980****1234"}, KEYER,
                        fmt="detail").facts.party_type == "person"
    # Published as an organisation, but with a sex and an age: a person.
    assert parse_record({**base, "partyTypeName": "581", "sexy": "男", "age": 40}, KEYER,
                        fmt="detail").facts.party_type == "person"
    company = {"iname": "上海某某有限公司", "caseCode": "(2020)沪0101执2号"}
    # Published as a person, but with an organisation code and no sex or age: a company.
    assert parse_record({**company, "partyTypeName": "580", "cardNum": "68092665-8"}, KEYER,
                        fmt="detail").facts.party_type == "company"
    assert parse_record(company, KEYER, fmt="detail").facts.party_type == "company"
    assert parse_record(base, KEYER, fmt="detail").subject.kind == "person"


def test_parse_record_does_not_modify_input() -> None:
    raw = json.loads((FIXTURES / "disDetail_person_2014.json").read_text())
    before = dict(raw)
    parse_record(raw, KEYER, fmt="detail")
    assert raw == before


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"iname": "陈某", "caseCode": "(2020)沪0101执1号", "partyTypeName": "999"},
         "unknown partyTypeName"),
        ({"iname": "陈某", "caseCode": "(2020)沪0101执1号", "sexy": "X"}, "unrecognised sex"),
        ({"iname": "陈某", "caseCode": "(2020)沪0101执1号", "regDate": "去年"},
         "unrecognised regDate"),
        ({"iname": "陈某", "caseCode": "(2020)沪0101执1号", "age": "三十"}, "age is not a number"),
        ({"iname": "陈某", "caseCode": " "}, "no case code"),
        ({"caseCode": "(2020)沪0101执1号"}, "no name"),
        ({"案号": "(2020)沪0101执1号", "被执行人": "陈某"}, "zhixing"),
    ],
)
def test_record_errors_do_not_leak(record: dict, reason: str) -> None:
    record = {**record, "cardNum": "3101011980****1234"}
    with pytest.raises(RecordError, match=reason) as info:
        parse_record(record, KEYER, fmt="detail")
    assert "陈某" not in info.value.reason and "3101011980" not in info.value.reason
    assert "\n" not in info.value.reason


def test_empty_object_means_captcha_expired() -> None:
    with pytest.raises(FormatError, match="captcha expired"):
        parse_bytes(b"{}", KEYER)


def test_truncated_body() -> None:
    body = (FIXTURES / "disDetail_variants_2017_2019.json").read_bytes()
    for cut in (1, 10, len(body) // 2, len(body) - 3):
        with pytest.raises(FormatError) as info:
            parse_bytes(body[:cut], KEYER)
        assert "程某" not in str(info.value) and "4222011989" not in str(info.value)


def test_block_pages() -> None:
    with pytest.raises(BlockedError):
        _parse("synthetic_block_412.html")
    for body in ("<html><title>412</title></html>", "<p>访问被拒绝</p>",
                 "<html>请输入验证码</html>", '{"msg":"验证码已过期"}'):
        with pytest.raises(BlockedError):
            parse_bytes(body.encode(), KEYER)


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"", "empty body"), (b"   ", "empty body"), (b"[]", "empty JSON array"),
     (b'"text"', "top level is str"), (b'{"foo": 1}', "unrecognised JSON object"),
     (b"<html><body>new layout</body></html>", "HTML page"),
     (b'{"status":"1","data":[]}', "Baidu open-data error"),
     (b"[1, 2]", "no court-list records")],
)
def test_format_errors(body: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse_bytes(body, KEYER)


def test_encodings() -> None:
    raw = json.loads((FIXTURES / "disDetail_unit_2014.json").read_text())
    text = json.dumps(raw, ensure_ascii=False)
    expected = parse_bytes(text.encode("utf-8"), KEYER)
    assert parse_bytes(text.encode("gbk"), KEYER) == expected
    assert parse_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"), KEYER) == expected
    assert parse_bytes(f"jQuery1102_1({text});".encode(), KEYER) == expected


def test_iter_file_records_keeps_order() -> None:
    obj = json.loads((FIXTURES / "synthetic_detail_list.json").read_text())
    kinds = [type(item).__name__ for item in iter_file_records(obj, KEYER)]
    assert kinds == ["ParsedListing", "Rejection", "Rejection", "Rejection"]


def test_detect_format_of_every_sample() -> None:
    expected = {
        "disDetail_person_2014.json": "detail", "disDetail_unit_2014.json": "detail",
        "disDetail_unit_2017_crlf_in_duty.json": "detail",
        "disDetail_variants_2017_2019.json": "detail_list",
        "zhixing_beizhixingren_legacy_shanghai.json": "zhixing_legacy",
        "synthetic_baidu_6899.json": "baidu", "synthetic_search.json": "search",
        "synthetic_zxgk_list.json": "zxgk_list", "synthetic_detail_list.json": "detail_list",
    }
    for name, fmt in expected.items():
        assert detect_format(json.loads((FIXTURES / name).read_text())) == fmt


def test_age_band() -> None:
    assert [age_band(a) for a in (None, 0, 17, 18, 29, 30, 45, 59, 60, 90)] == [
        None, None, "<18", "18-29", "18-29", "30-39", "40-49", "50-59", "60+", "60+"]


def test_a_rejection_never_quotes_a_name_or_an_id_from_a_shifted_column() -> None:
    record = {"iname": "黎浩佳", "caseCode": "(2019)冀0102执3021号", "cardNum": "1301021988****2315",
              "sexy": "男", "partyTypeName": "580"}
    for key, value in (("regDate", "黎浩佳年"), ("age", "黎浩佳"), ("partyTypeName", "黎浩佳"),
                       ("publishDate", "130102198801012315")):
        with pytest.raises(RecordError) as info:
            parse_record({**record, key: value}, KEYER, fmt="detail")
        reason = info.value.reason
        assert "黎" not in reason and "浩" not in reason and "1988" not in reason, reason
        assert key in reason


def test_baidu_records_saved_on_their_own_are_read_as_baidu_records() -> None:
    # Found by review: one Baidu record a line (or a list of them) was read as a zxgk detail,
    # its index metadata reported as unknown fields and the import marked partial.
    obj = json.loads((FIXTURES / "synthetic_baidu_6899.json").read_text())
    records = obj["data"][0]["result"]
    assert detect_format(records[0]) == "baidu" and detect_format(records) == "baidu"
    for saved in (records[0], records):
        parsed = list(iter_file_records(saved, KEYER))
        assert parsed and all(isinstance(p, ParsedListing) and p.unknown_fields == {}
                              for p in parsed)
    whole = [p.record_key for p in iter_file_records(obj, KEYER)]
    assert [p.record_key for p in iter_file_records(records, KEYER)] == whole
