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
    assert sg.record_key == "singapore_visa_alitrip:name:阿里旅行"
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
