"""The Consolidated Screening List parser on every shared CSV sample, on a JSON fixture in the
documented shape, on renamed/reordered/extra columns and on block pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watchdog.parsers import us_csl
from watchdog.parsers.base import ParsedFile
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.registry import parser_for
from watchdog.privacy import Keyer

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "shared_samples" / "trade_gov_csl"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "us_csl"
KEYER = Keyer(b"test-secret-csl!" * 2)
# Natural persons in the shared file and the fixtures (Entity List rows without a type too).
PERSON_NAMES = ("Gunther Migeotte", "Gulnihal Yegane", "ADRIAN MANUEL HERNANDEZ", "HALVORSEN",
                "KOVALENKO", "E70014521", "1970-01-02", "Harbin, China")

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not present")


def dump(parsed: ParsedFile) -> str:
    return json.dumps([[d.record_key, d.subject, d.payload] for d in parsed.drafts],
                      ensure_ascii=False)


def test_registry_finds_the_parser() -> None:
    assert parser_for("us_csl") is us_csl


@needs_samples
def test_2019_csv_sample() -> None:
    parsed = us_csl.parse_bytes((SAMPLES / "csl.csv").read_bytes(), KEYER, name="csl.csv")
    assert parsed.fmt == "csl_csv" and len(parsed.drafts) == 115 and not parsed.rejections
    entity_list = [d for d in parsed.drafts if d.payload["list_code"] == "EL"]
    assert len(entity_list) == 22
    assert all(d.payload["list_name"] == "Entity List (EL) - Bureau of Industry and Security"
               for d in entity_list)
    by_name = {d.subject["name"]: d for d in parsed.drafts if d.subject["name"]}
    group = by_name["32 Group China Ltd."]
    assert group.payload["country"] == "HK" and group.payload["cn_related"]
    assert group.payload["listed_on"] == "2015-11-12"
    assert group.payload["federal_register_notices"] == ["80 FR 69852"]
    institute = by_name["54th Research Institute of China"].payload
    assert institute["federal_register_notices"] == ["66 FR 24266", "77 FR 58006 (no. 182)",
                                                     "81 FR 64694"]
    assert "Shijiazhuang Communication Observation and Control Technology Institute" in \
        institute["names"]
    assert by_name["Gui’an New District Huawei Investment Co., Ltd., Guiyang, Guizhou"]
    # Persons on the Entity List carry no type: kept only as keyed hashes.
    persons = [d for d in entity_list if d.subject["kind"] == "person"]
    assert len(persons) >= 6 and all(d.payload["names"] == [] for d in persons)
    assert not any(n in dump(parsed) for n in PERSON_NAMES)
    assert len({d.record_key for d in parsed.drafts}) == 115


@needs_samples
def test_invalid_sample_rejects_bad_rows_and_keeps_good_ones() -> None:
    parsed = us_csl.parse_bytes((SAMPLES / "invalid_csl.csv").read_bytes(), KEYER)
    assert [d.subject["name"] for d in parsed.drafts] == [
        "GAZPROMBANK UPRAVLENIE AKTIVAMI", "Gulf Eagle Industrial and Metal Profiles (GEIMP)"]
    assert len(parsed.rejections) == 4
    assert all("columns, not a listing" in r.reason for r in parsed.rejections)


def test_json_fixture() -> None:
    parsed = us_csl.parse_bytes((FIXTURES / "csl_small.json").read_bytes(), KEYER)
    assert parsed.fmt == "csl_json" and parsed.declared_total == 4
    first, el_person, sdn_person, meu = parsed.drafts
    assert first.subject["key"] == "uscc:91310115MA1K4L7P28"
    assert first.subject["province"] == "上海"
    assert first.payload["chinese_name"] == "上海浩运精密仪器有限公司"
    assert first.payload["identifiers"][0]["value"] == "91310115MA1K4L7P28"
    assert first.source_record_id == "c1a7e5b2d3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8"
    for person in (el_person, sdn_person):
        assert person.subject["kind"] == "person" and person.payload["identifiers"] == []
    assert meu.payload["listed_on"] == "2020-12-23"  # US month-first date
    assert meu.unknown_fields == {"risk_score": "float"}
    assert not any(n in dump(parsed) for n in PERSON_NAMES)


def test_renamed_reordered_and_extra_columns() -> None:
    json_parsed = us_csl.parse_bytes((FIXTURES / "csl_small.json").read_bytes(), KEYER)
    csv_parsed = us_csl.parse_bytes((FIXTURES / "csl_renamed.csv").read_bytes(), KEYER)
    assert [d.record_key for d in csv_parsed.drafts] == [d.record_key for d in json_parsed.drafts]
    assert [d.subject for d in csv_parsed.drafts] == [d.subject for d in json_parsed.drafts]
    assert all(d.unknown_fields == {"internal_note": "str"} for d in csv_parsed.drafts)
    for a, b in zip(csv_parsed.drafts, json_parsed.drafts, strict=True):
        for key in ("list_name", "country", "listed_on", "names", "identifiers", "programs"):
            assert a.payload[key] == b.payload[key], key


@needs_samples
def test_header_order_does_not_matter() -> None:
    import csv
    import io

    rows = list(csv.reader(io.StringIO((SAMPLES / "csl.csv").read_text(encoding="utf-8"))))
    order = list(reversed(range(len(rows[0]))))
    shuffled = io.StringIO()
    csv.writer(shuffled).writerows([[r[i] for i in order] for r in rows])
    original = us_csl.parse_bytes((SAMPLES / "csl.csv").read_bytes(), KEYER)
    again = us_csl.parse_bytes(shuffled.getvalue().encode("utf-8"), KEYER)
    assert dump(again) == dump(original)


def test_not_a_csl_csv() -> None:
    with pytest.raises(FormatError, match="no name and source columns"):
        us_csl.parse_bytes(b"a,b,c\n1,2,3\n", KEYER)


def test_truncated_files_are_format_errors() -> None:
    body = (FIXTURES / "csl_renamed.csv").read_bytes()
    with pytest.raises(FormatError, match="ends mid-row"):
        us_csl.parse_bytes(body[: body.index(b"Pavel") + 40], KEYER)
    body = (FIXTURES / "csl_small.json").read_bytes()
    with pytest.raises(FormatError, match="broken JSON"):
        us_csl.parse_bytes(body[: len(body) // 2], KEYER)


@pytest.mark.parametrize("body", [
    b"<!DOCTYPE html><html><head><title>Human Verification</title></head><body>"
    b"<div id='captcha-container'></div>AwsWafIntegration</body></html>",
    b'{"message": "API rate limit exceeded"}',
    b"{}",
    b"",
])
def test_block_pages_are_blocked(body: bytes) -> None:
    with pytest.raises(BlockedError):
        us_csl.parse_bytes(body, KEYER)


def test_redacted_copies_keep_no_person() -> None:
    for name in ("csl_small.json", "csl_renamed.csv"):
        body = (FIXTURES / name).read_bytes()
        for copy in (us_csl.redact_bytes(body, KEYER),
                     us_csl.redact_bytes(body[: len(body) * 2 // 3], KEYER)):
            text = copy.decode("utf-8")
            assert not any(n in text for n in PERSON_NAMES), name
        assert "Shanghai Haoyun Precision Instruments" in us_csl.redact_bytes(body, KEYER).decode()


@needs_samples
def test_redacted_sample_keeps_no_person() -> None:
    for name in ("csl.csv", "invalid_csl.csv"):
        text = us_csl.redact_bytes((SAMPLES / name).read_bytes(), KEYER).decode("utf-8")
        assert not any(n in text for n in PERSON_NAMES)
    text = us_csl.redact_bytes((SAMPLES / "csl.csv").read_bytes(), KEYER).decode("utf-8")
    assert "32 Group China Ltd." in text
    again = us_csl.parse_bytes(text.encode(), KEYER)  # still a readable list
    assert {d.record_key for d in again.drafts if d.subject["kind"] == "company"} == \
        {d.record_key for d in us_csl.parse_bytes((SAMPLES / "csl.csv").read_bytes(),
                                                  KEYER).drafts if d.subject["kind"] == "company"}


def test_encodings_are_detected() -> None:
    text = (FIXTURES / "csl_renamed.csv").read_text(encoding="utf-8")
    expected = dump(us_csl.parse_bytes(text.encode("utf-8"), KEYER))
    assert dump(us_csl.parse_bytes(text.encode("utf-8-sig"), KEYER)) == expected
    assert dump(us_csl.parse_bytes(text.encode("gbk"), KEYER)) == expected
    # A cp1252 apostrophe, as in the 2019 file, is read as the apostrophe it is.
    cp1252 = ("name,source\n\"Gui\x92an Investment Co., Ltd.\",Entity List (EL) - Bureau of "
              "Industry and Security\n").encode("latin-1")
    assert us_csl.parse_bytes(cp1252, KEYER).drafts[0].subject["name"] == \
        "Gui’an Investment Co., Ltd."


def test_the_list_re_saved_as_gbk_reads_as_the_original() -> None:
    # Excel on a Chinese system saves the English list as GBK: no Chinese in it, only GBK's
    # "§" (A1 EC), which a cp1252 reading turned into "¡ì" in every record citing a regulation.
    text = (SAMPLES / "csl.csv").read_text(encoding="utf-8").replace("\x92", "’")
    original = us_csl.parse_bytes(text.encode("utf-8"), KEYER)
    assert "§" in dump(original)
    assert dump(us_csl.parse_bytes(text.encode("gbk"), KEYER)) == dump(original)


@pytest.mark.parametrize("name", ["©® Trading Co., Ltd.", "£½ Holdings Ltd.", "Müßig GmbH"])
def test_cp1252_symbols_side_by_side_stay_cp1252(name: str) -> None:
    body = (f"name,source\n\"{name}\",Entity List (EL) - Bureau of Industry and "
            "Security\n").encode("cp1252")
    assert us_csl.parse_bytes(body, KEYER).drafts[0].subject["name"] == name
