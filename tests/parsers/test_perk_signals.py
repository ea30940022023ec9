"""The perk_signals parser: thresholds in running text (Chinese and English), in tables and in
info boxes; comparisons (以上 includes the number, 高于/above does not); perk ids of the `zhima`
regime; bylines kept out of observations and out of the archive."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO
from watchdog.mirror.sources import perk_signals as mirror
from watchdog.model import load_regime
from watchdog.parsers import perk_signals as parser
from watchdog.parsers import perk_signals_text as text
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.registry import parser_for
from watchdog.privacy import Keyer

FIX = REPO / "tests" / "fixtures" / "perk_signals"
KEYER = Keyer(b"test-secret-for-perk-signals-000")
BYLINES = ("韩晓梅", "周子涵", "邹文静", "Lin Zhao", "王晓东")


def _page(page_id: str, day: int = 1, layout: bool = False) -> bytes:
    conf = next(c for c in mirror.pages() if c["id"] == page_id)
    return mirror.page_body(conf, day, layout)


def _by_perk(out):
    return {d.payload["perk_id"]: d for d in out.drafts}


def test_registry_finds_the_parser():
    assert parser_for("perk_signals") is parser


def test_every_mapped_perk_exists_in_the_regime():
    regime_ids = {p.id for p in load_regime("zhima").perks}
    assert {pid for pid, _ in text.PERKS} <= regime_ids


def test_article_with_two_perks_and_a_partner():
    out = parser.parse_bytes(_page("alitrip_visa"), KEYER, name="https://m.maijiaw.com/x")
    perks = _by_perk(out)
    assert set(perks) == {"singapore_visa_alitrip", "luxembourg_schengen_visa_alitrip"}
    sg = perks["singapore_visa_alitrip"]
    assert sg.payload["threshold"] == 700 and sg.payload["comparator"] == "≥"
    assert sg.payload["min_score"] == 700 and sg.payload["announced"] == "2015-06-05"
    assert sg.payload["partner"] == "阿里旅行" and sg.subject["kind"] == "company"
    assert sg.record_key == "singapore_visa_alitrip:name:阿里旅行@url:m.maijiaw.com/x"
    assert perks["luxembourg_schengen_visa_alitrip"].payload["min_score"] == 750
    assert out.fmt == "html partner page (zh)"


def test_table_page_with_an_unmodelled_perk():
    out = parser.parse_bytes(_page("deposits"), KEYER)
    perks = _by_perk(out)
    assert perks["hotel_no_deposit"].payload["min_score"] == 600
    assert perks["shared_bike_no_deposit"].payload["min_score"] == 500
    other = perks[None]
    assert other.payload["perk"] == "共享充电宝免押金" and other.record_key.startswith("x:")
    # No partner named: the observation belongs to the scheme, not to a made-up company.
    assert other.subject == {**other.subject, "key": "scheme:zhima", "kind": "scheme"}
    assert len(out.drafts) == 3 and "table" in out.fmt


def test_english_notice_with_condition():
    out = parser.parse_bytes(_page("suzhou_bike"), KEYER)
    (draft,) = out.drafts
    assert draft.payload["perk_id"] == "suzhou_public_bike_no_deposit"
    assert draft.payload["min_score"] == 600
    assert draft.payload["conditions"] == ["no_bad_record_5y"]
    assert draft.payload["announced"] == "2016-11-23" and draft.payload["language"] == "en"


def test_day2_change_keeps_the_record_key():
    one = parser.parse_bytes(_page("car_rental", 1), KEYER).drafts
    two = parser.parse_bytes(_page("car_rental", 2), KEYER).drafts
    assert [d.record_key for d in one] == [d.record_key for d in two]
    assert (one[0].payload["min_score"], two[0].payload["min_score"]) == (650, 600)
    assert one[0].payload["perk_id"] == "domestic_car_rental_no_deposit"


def test_strict_comparison_and_page_context():
    out = parser.parse_bytes((FIX / "strict_and_english.html").read_bytes(), KEYER)
    (draft,) = out.drafts  # the English sentence repeats the same gate; the range is no gate
    assert draft.payload["perk_id"] == "overseas_car_rental_no_deposit_yesaway"
    assert draft.payload["comparator"] == ">" and draft.payload["min_score"] == 701
    assert draft.payload["announced"] == "2017-11-27" and draft.payload["partner"] == "Yesaway租车"


@pytest.mark.parametrize(("sentence", "number", "minimum"), [
    ("芝麻分650分以上可免押金租车", 650, 650),
    ("芝麻信用分超过650分可免押金租车", 650, 651),
    ("芝麻分不低于600分的用户可免押入住酒店", 600, 600),
    ("Sesame Credit score of at least 750 gets the Canada visa report", 750, 750),
    ("a Sesame score above 700 rents a car abroad without a deposit", 700, 701),
    ("a Zhima score of 700 or above", 700, 700),
])
def test_comparisons(sentence, number, minimum):
    (sig,) = text.signals_in_text(sentence)
    assert sig["threshold"] == number
    assert text.min_score(number, str(sig["comparator"])) == minimum


def test_info_box_unknown_label_and_no_author():
    out = parser.parse_bytes(_page("alitrip_visa", layout=True), KEYER)
    assert out.drafts[0].unknown_fields == {mirror.NEW_LABEL[0]: "string"}
    blob = json.dumps([(d.record_key, d.subject, d.payload) for d in out.drafts], ensure_ascii=False)
    assert not any(name in blob for name in BYLINES)


def test_bylines_redacted_before_archiving():
    pages = [_page(c["id"]) for c in mirror.pages()] + [(FIX / "strict_and_english.html").read_bytes()]
    for body in pages:
        red = parser.redact_bytes(body, KEYER)
        assert not any(name in red.decode("utf-8") for name in BYLINES)
        assert b"[person:p:" in red
        # The thresholds themselves are untouched.
        assert parser.parse_bytes(red, KEYER).drafts == parser.parse_bytes(body, KEYER).drafts


def test_block_pages_and_pages_without_gates():
    status, body, _ = mirror.captcha_page()
    assert status == 200
    with pytest.raises(BlockedError):
        parser.parse_bytes(body, KEYER)
    with pytest.raises(FormatError):
        parser.parse_bytes((FIX / "no_threshold.html").read_bytes(), KEYER)
    with pytest.raises(FormatError):
        parser.parse_bytes("芝麻分700分以上".encode(), KEYER)
    page = _page("deposits")
    with pytest.raises(FormatError, match="truncated"):
        parser.parse_bytes(page[: len(page) // 2], KEYER)


def test_byline_in_an_info_box_is_redacted():
    body = ("<html><head><title>t</title></head><body><dl><dt>作者</dt><dd>欧阳明</dd>"
            "<dt>合作方</dt><dd>阿里旅行</dd></dl><p>芝麻信用分700分以上可申请新加坡签证。</p>"
            "</body></html>").encode()
    red = parser.redact_bytes(body, KEYER).decode()
    assert "欧阳明" not in red and "阿里旅行" in red
    out = parser.parse_bytes(body, KEYER)
    assert "欧阳明" not in json.dumps([d.payload for d in out.drafts], ensure_ascii=False)
    assert not out.drafts[0].unknown_fields  # 作者 is known, and deliberately not kept


def test_redaction_never_raises():
    for body in (mirror.captcha_page()[1], b"{}", b"\xff\xfe\xfd", _page("deposits")[:100]):
        assert isinstance(parser.redact_bytes(body, KEYER), bytes)


# -- one record per page --------------------------------------------------------------------
def test_two_sites_stating_one_perk_are_two_pages():
    """Same perk, same title, no partner: only the publishing site tells the pages apart. Before
    records were per page both got `domestic_car_rental_no_deposit:scheme:zhima`."""
    a = parser.parse_bytes((FIX / "site_a_rental.html").read_bytes(), KEYER, name="p1.html")
    b = parser.parse_bytes((FIX / "site_b_rental.html").read_bytes(), KEYER, name="p2.html")
    (da,), (db,) = a.drafts, b.drafts
    assert da.payload["perk_id"] == db.payload["perk_id"] == "domestic_car_rental_no_deposit"
    assert da.record_key != db.record_key
    assert da.record_key == "domestic_car_rental_no_deposit:scheme:zhima@page:甲网站/芝麻信用免押金租车"
    assert da.payload["page"] == "甲网站 / 芝麻信用免押金租车"
    # The file's name is not the page: the same page saved under another name is one record.
    again = parser.parse_bytes((FIX / "site_a_rental.html").read_bytes(), KEYER, name="copy.html")
    assert again.drafts[0].record_key == da.record_key


def test_a_page_whose_title_gives_the_number_stays_one_page():
    def saved(score: int) -> str:
        body = (f"<html><head><title>芝麻分{score}分以上免押金租车</title></head><body>"
                f"<p>来源：甲网站</p><p>芝麻信用分{score}分以上可免押金租车。</p></body></html>")
        (draft,) = parser.parse_bytes(body.encode(), KEYER, name="saved.html").drafts
        return draft.record_key

    assert saved(550) == saved(600) == (
        "domestic_car_rental_no_deposit:scheme:zhima@page:甲网站/芝麻分#分以上免押金租车")


def test_a_saved_page_is_keyed_by_the_address_it_states():
    body = (FIX / "canonical_rental.html").read_bytes()
    (saved,) = parser.parse_bytes(body, KEYER, name="saved.html").drafts
    # The canonical link, without its tracking parameter and fragment.
    assert saved.record_key == "domestic_car_rental_no_deposit:name:某租车@url:www.example-rental.cn/promo/zhima"
    # A crawl of the same path on another host (the mirror, an http twin) is the same page...
    (crawled,) = parser.parse_bytes(body, KEYER, name="http://127.0.0.1:8123/promo/zhima").drafts
    assert crawled.record_key == saved.record_key
    # ...but a crawl of another address keeps that address: a template pointing every article at
    # one canonical must not merge pages.
    (other,) = parser.parse_bytes(body, KEYER, name="https://www.example-rental.cn/promo/x").drafts
    assert other.record_key.endswith("@url:www.example-rental.cn/promo/x")


def test_a_canonical_site_root_does_not_name_the_page():
    body = ("<html><head><title>免押金</title><link rel='canonical' href='https://www.x.cn/'>"
            "</head><body><p>来源：丁网站</p><p>芝麻分600分以上可免押金入住酒店。</p></body></html>")
    (draft,) = parser.parse_bytes(body.encode(), KEYER, name="x.html").drafts
    assert draft.record_key.endswith("@page:丁网站/免押金")


def test_mirror_pages_name_their_live_address():
    conf = next(c for c in mirror.pages() if c["id"] == "car_rental")
    (draft,) = parser.parse_bytes(_page("car_rental"), KEYER,
                                  name=f"http://127.0.0.1:40123{conf['path']}").drafts
    assert draft.record_key == ("domestic_car_rental_no_deposit:scheme:zhima"
                                "@url:pt.966507.com/technology/400.html")


def test_page_part_of_the_key_reads_back():
    from watchdog.parsers.perk_signals_page import base_of_key, page_of_key

    key = "hotel_no_deposit:name:阿里旅行#2@url:m.x.cn/a"
    assert page_of_key(key) == "url:m.x.cn/a" and base_of_key(key) == "hotel_no_deposit:name:阿里旅行"
    legacy = "hotel_no_deposit:scheme:zhima"
    assert page_of_key(legacy) is None and base_of_key(legacy) == legacy
    long_url = "https://m.x.cn/" + "a" * 400
    body = "<html><head><title>t</title></head><body><p>芝麻分600分以上可免押金入住酒店。</p></body></html>"
    (draft,) = parser.parse_bytes(body.encode(), KEYER, name=long_url).drafts
    assert len(draft.record_key) <= 256 and page_of_key(draft.record_key)


# -- ranges, upper bounds and part deposits -------------------------------------------------
def test_half_deposit_range_is_one_gate_not_the_no_deposit_perk():
    out = parser.parse_bytes((FIX / "half_deposit.html").read_bytes(), KEYER)
    (draft,) = out.drafts
    p = draft.payload
    assert (p["threshold"], p["comparator"], p["min_score"]) == (600, "≥", 600)
    assert (p["upper_threshold"], p["upper_comparator"], p["max_score"]) == (700, "<", 699)
    assert p["deposit"] == "half"
    # The regime has no half-deposit perk: kept unmapped (the audit reports it as a perk the
    # model lacks), never counted as the no-deposit rental.
    assert p["perk_id"] is None and draft.record_key.startswith("x:")
    assert "半额押金" in p["perk"]
    # "不足600分" gates nothing: reported, not kept, and not read as a minimum of 600.
    (rejection,) = out.rejections
    assert "upper bound" in rejection.reason and "below 600" in rejection.reason


@pytest.mark.parametrize(("sentence", "upper", "comparator"), [
    ("芝麻信用分700分以下的用户需缴纳押金", 700, "<"),
    ("芝麻信用分在700分以内的用户需缴纳押金", 700, "≤"),
    ("芝麻信用分不足600分的用户不能免押金租车", 600, "<"),
    ("芝麻信用分低于600分的用户不能免押金租车", 600, "<"),
    ("芝麻分700分（含）以下需缴纳押金", 700, "≤"),
    ("a Sesame Credit score below 600 pays the full deposit", 600, "<"),
])
def test_upper_bounds_are_never_minimums(sentence, upper, comparator):
    (sig,) = text.signals_in_text(sentence)
    assert sig["threshold"] is None and sig["comparator"] is None
    assert (sig["upper_threshold"], sig["upper_comparator"]) == (upper, comparator)
    body = f"<html><head><title>t</title></head><body><p>{sentence}</p></body></html>"
    with pytest.raises(FormatError, match="upper bound"):
        parser.parse_bytes(body.encode(), KEYER)


@pytest.mark.parametrize(("sentence", "low", "high"), [
    ("芝麻分600-699分的用户可享半额押金租车", 600, 699),
    ("芝麻分600分以上700分以下的用户可享半额押金租车", 600, 699),
    ("芝麻分六百分以上、七百分以下的用户可享半额押金租车", 600, 699),
    ("a Sesame score between 600 and 699 rents a car for half the deposit", 600, 699),
])
def test_ranges(sentence, low, high):
    (sig,) = text.signals_in_text(sentence)
    assert text.min_score(sig["threshold"], sig["comparator"]) == low
    assert text.max_score(sig["upper_threshold"], sig["upper_comparator"]) == high
    assert sig["deposit"] == "half" and sig["perk_id"] is None


def test_two_tiers_in_one_sentence():
    (free, half) = text.signals_in_text("芝麻分700分以上免押金租车，600分以上、700分以下可享半额押金。")
    assert (free["perk_id"], free["threshold"], free["upper_threshold"]) == (
        "domestic_car_rental_no_deposit", 700, None)
    assert free["deposit"] is None
    assert (half["threshold"], half["upper_threshold"], half["deposit"]) == (600, 700, "half")


# -- threshold shapes -----------------------------------------------------------------------
@pytest.mark.parametrize(("sentence", "number", "minimum"), [
    ("芝麻分≥650可免押金租车", 650, 650),
    ("芝麻分>=650可免押金租车", 650, 650),
    ("芝麻分600+可免押金租车", 600, 600),
    ("芝麻分６００＋可免押金租车", 600, 600),
    ("芝麻信用分六百五十分以上可免押金租车", 650, 650),
    ("芝麻分六百五以上可免押金租车", 650, 650),
    ("芝麻分七百零一分以上可免押金租车", 701, 701),
    ("芝麻信用650分及以上可免押金租车", 650, 650),
    ("芝麻分650分（含）以上可免押金租车", 650, 650),
    ("芝麻分650分(不含)以上可免押金租车", 650, 651),
    ("芝麻分超过六百五十分可免押金租车", 650, 651),
])
def test_threshold_shapes(sentence, number, minimum):
    (sig,) = text.signals_in_text(sentence)
    assert sig["threshold"] == number and sig["perk_id"] == "domestic_car_rental_no_deposit"
    assert text.min_score(number, str(sig["comparator"])) == minimum
    # And on a page, through the whole parser.
    body = f"<html><head><title>t</title></head><body><p>{sentence}</p></body></html>"
    (draft,) = parser.parse_bytes(body.encode(), KEYER).drafts
    assert draft.payload["min_score"] == minimum


@pytest.mark.parametrize("sentence", [
    "芝麻信用已覆盖超过300家商户",
    "芝麻信用推出满300元减50元的活动",
    "芝麻信用于2015年1月28日上线",
])
def test_counts_and_dates_are_no_thresholds(sentence):
    assert text.signals_in_text(sentence) == []


def test_threshold_shapes_in_a_table():
    body = ("<html><head><title>免押一览</title></head><body><table><tr><th>服务</th><th>芝麻分要求</th>"
            "</tr><tr><td>酒店免押金</td><td>≥600</td></tr><tr><td>共享单车免押金</td><td>五百分以上</td>"
            "</tr><tr><td>租车半额押金</td><td>600-699分</td></tr></table></body></html>")
    perks = {d.payload["perk"]: d.payload for d in parser.parse_bytes(body.encode(), KEYER).drafts}
    assert perks["酒店免押金"]["min_score"] == 600 and perks["共享单车免押金"]["min_score"] == 500
    half = perks["租车半额押金"]
    assert (half["perk_id"], half["min_score"], half["max_score"], half["deposit"]) == (
        None, 600, 699, "half")


# -- block pages ------------------------------------------------------------------------------
def test_waf_challenge_is_blocked_not_a_crash():
    with pytest.raises(BlockedError):
        parser.parse_bytes((FIX / "waf_jsl_412.html").read_bytes(), KEYER, name="waf.html")


@pytest.mark.parametrize(("body", "error"), [
    ("<html><head><title>412</title></head><body></body></html>", BlockedError),
    ("<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1>"
     "</center><hr><center>nginx</center></body></html>", BlockedError),
    ("<html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server "
     "Error</h1></body></html>", FormatError),
    # A page whose only text is its title: no statement, and no IndexError.
    ("<html><head><title>芝麻分700分以上</title></head><body></body></html>", FormatError),
])
def test_error_pages_and_title_only_pages(body, error):
    with pytest.raises(error):
        parser.parse_bytes(body.encode(), KEYER)
