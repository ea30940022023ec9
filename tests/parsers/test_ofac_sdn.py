"""The OFAC SDN parser on every shared sample of the CSV set, on an SDN.XML fixture in the
documented schema, and on block pages; persons never leave it by name."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from watchdog.parsers import ofac_sdn
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.parsers.registry import parser_for
from watchdog.privacy import Keyer

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "shared_samples" / "ofac_sdn_csv"
SMALL = SAMPLES / "small"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ofac_sdn"
KEYER = Keyer(b"test-secret-ofac" * 2)
# Individuals of the shared subset and of the fixture: none may survive parsing or redaction.
PERSON_NAMES = ("LOGAN MOREY", "Elvis Angus", "MORENO, Daniel", "LIFSHITS", "KHOROSHEV",
                "BURTON BURGESS", "HERNANDEZ LECHUGA", "VESTERGAARD", "Tomasz Dario",
                "QUILLFEATHER", "E91234567", "04 Jul 1971")

needs_samples = pytest.mark.skipif(not SMALL.is_dir(), reason="shared samples not present")


def small_set() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(SMALL.glob("*.csv"))}


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in files.items():
            zf.writestr(name, body)
    return out.getvalue()


def dump(parsed: ofac_sdn.ParsedFile) -> str:
    return json.dumps([[d.record_key, d.subject, d.payload] for d in parsed.drafts],
                      ensure_ascii=False)


def test_registry_finds_the_parser() -> None:
    assert parser_for("ofac_sdn") is ofac_sdn


@needs_samples
def test_small_set_read_together() -> None:
    parsed = ofac_sdn.parse_set(small_set(), KEYER)
    by_key = {d.record_key: d for d in parsed.drafts}
    assert len(by_key) == 17 and parsed.fmt == "ofac_csv_set"
    iran = by_key["ofac:11195"].payload
    assert iran["list_name"].startswith("OFAC Specially Designated Nationals")
    assert iran["programs"] == ["IFSR", "IRAN-CON-ARMS-EO", "NPWMD"]
    assert iran["country"] == "IR" and not iran["cn_related"] and iran["listed_on"] is None
    assert "HESA TRADE CENTER" in iran["names"] and "SHAHIN CO." in iran["names"]
    assert {"type": "Registration Number", "value": "26740", "country": "Iran"} in \
        iran["identifiers"]
    assert len(iran["addresses"]) == 5
    # sdn_comments.csv continues the remarks cut off in sdn.csv.
    suex = by_key["ofac:33151"].payload
    assert {"type": "Legal Entity Number", "value": "5299007NTWCC3U23WM81",
            "country": "Czech Republic"} in suex["identifiers"]
    assert "SUCCESSFUL EXCHANGE" in suex["names"]
    assert by_key["ofac:40716"].subject["key"] == "vessel:9486910"
    assert by_key["ofac:48727"].subject["kind"] == "aircraft"
    persons = [d for d in parsed.drafts if d.subject["kind"] == "person"]
    assert len(persons) == 4
    for draft in persons:
        assert draft.subject["name"] is None and draft.payload["names"] == []
        assert draft.payload["identifiers"] == [] and "addresses" not in draft.payload
    assert not any(name in dump(parsed) for name in PERSON_NAMES)
    # Orphan rows of the hand-picked subset are reported, not silently dropped.
    assert any("not in sdn.csv" in r.reason for r in parsed.rejections)


@needs_samples
def test_zip_of_the_set_equals_the_files_read_together() -> None:
    files = small_set()
    assert dump(ofac_sdn.parse_bytes(zipped(files), KEYER)) == \
        dump(ofac_sdn.parse_set(files, KEYER))


@needs_samples
def test_each_small_file_alone() -> None:
    for path in sorted(SMALL.glob("*.csv")):
        parsed = ofac_sdn.parse_bytes(path.read_bytes(), KEYER, name=path.name)
        if path.name == "small_sdn.csv":
            assert len(parsed.drafts) == 17 and not parsed.rejections
        else:  # a companion file alone is checked and says why it adds nothing
            assert parsed.drafts == [] and "import it together with sdn.csv" in \
                parsed.rejections[0].reason


@needs_samples
def test_same_file_found_by_shape_without_a_name() -> None:
    body = (SMALL / "small_sdn.csv").read_bytes()
    assert dump(ofac_sdn.parse_bytes(body, KEYER)) == \
        dump(ofac_sdn.parse_bytes(body, KEYER, name="SDN.CSV"))


@pytest.mark.skipif(not (SAMPLES / "invalid").is_dir(), reason="shared samples not present")
def test_invalid_file_fails_loudly() -> None:
    path = SAMPLES / "invalid" / "invalid_sdn_comments.csv"
    with pytest.raises(FormatError, match=r"sdn_comments.csv line 4: 1 column\(s\), expected 2"):
        ofac_sdn.parse_bytes(path.read_bytes(), KEYER, name=path.name)


@pytest.mark.skipif(not (SAMPLES / "sdn.csv").is_file(), reason="full 2019 set held back")
def test_full_2019_set_when_shared() -> None:
    files = {n: (SAMPLES / n).read_bytes() for n in ("sdn.csv", "add.csv", "alt.csv",
                                                    "sdn_comments.csv")}
    parsed = ofac_sdn.parse_set(files, KEYER)
    assert len(parsed.drafts) > 7000
    assert sum(d.payload["cn_related"] for d in parsed.drafts) > 20


def test_broken_rows_fail_with_the_line() -> None:
    with pytest.raises(FormatError, match="line 2: the first column is not an entry number"):
        ofac_sdn.parse_bytes(b'1,"A CO",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
                             b'x,"B CO",-0- ,"X",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n',
                             KEYER, name="sdn.csv")
    with pytest.raises(FormatError, match="broken CSV"):
        ofac_sdn.parse_bytes(b'1,"A CO,-0- \r\n', KEYER, name="sdn.csv")


def test_extra_column_is_an_unknown_field() -> None:
    row = b'7,"NEW LAYOUT CO",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"HIGH"\r\n'
    draft = ofac_sdn.parse_bytes(row, KEYER, name="SDN.CSV").drafts[0]
    assert draft.unknown_fields == {"sdn_column_13": "str"}


def test_xml_fixture() -> None:
    parsed = ofac_sdn.parse_bytes((FIXTURES / "sdn_small.xml").read_bytes(), KEYER,
                                  name="SDN.XML")
    assert parsed.fmt == "ofac_xml" and parsed.declared_total == 5 and not parsed.rejections
    by_key = {d.record_key: d for d in parsed.drafts}
    chinese = by_key["ofac:70001"]
    assert chinese.subject["key"] == "uscc:91440300MA5FXQ2K3D"
    assert chinese.subject["province"] == "广东" and chinese.facets["province"] == "广东"
    assert chinese.payload["cn_related"] and chinese.payload["country"] == "CN"
    assert chinese.payload["chinese_name"] == "深圳海星微电子有限公司"
    assert chinese.payload["uscc"] == "91440300MA5FXQ2K3D"
    assert chinese.payload["linked_to"][0].startswith("[person:p:")
    assert [i["type"] for i in chinese.payload["identifiers"]] == \
        ["Unified Social Credit Code (USCC)"]  # the established date is not an identifier
    hong_kong = by_key["ofac:70002"]
    assert hong_kong.payload["country"] == "HK" and hong_kong.payload["cn_related"]
    assert hong_kong.unknown_fields == {"riskLevel": "str"}
    person = by_key["ofac:70003"]
    assert person.subject["kind"] == "person" and person.subject["name"] is None
    assert person.payload["countries"] == ["CN"] and person.payload["programs"] == ["SDGT"]
    assert by_key["ofac:70004"].subject["key"] == "vessel:9182990"
    assert not any(name in dump(parsed) for name in PERSON_NAMES)


def test_xml_namespaces_do_not_matter() -> None:
    body = (FIXTURES / "sdn_small.xml").read_bytes()
    newer = body.replace(b"http://tempuri.org/sdnList.xsd", b"https://sanctionslistservice."
                         b"ofac.treas.gov/api/PublicationPreview/exports/XML")
    bare = body.replace(b' xmlns="http://tempuri.org/sdnList.xsd"', b"")
    expected = dump(ofac_sdn.parse_bytes(body, KEYER))
    assert dump(ofac_sdn.parse_bytes(newer, KEYER)) == expected
    assert dump(ofac_sdn.parse_bytes(bare, KEYER)) == expected


def test_cut_off_xml_is_a_format_error() -> None:
    body = (FIXTURES / "sdn_small.xml").read_bytes()
    with pytest.raises(FormatError, match="broken SDN XML"):
        ofac_sdn.parse_bytes(body[: len(body) // 2], KEYER)


@pytest.mark.parametrize("body", [
    b"<html><head><title>Security check</title></head><body>Please complete the captcha"
    b"</body></html>",
    b"<!DOCTYPE html><html><body><h1>Access Denied</h1>Reference #18.77</body></html>",
    b"",
    b'{"message": "Too many requests"}',
])
def test_block_pages_are_blocked(body: bytes) -> None:
    with pytest.raises(BlockedError):
        ofac_sdn.parse_bytes(body, KEYER, name="SDN.CSV")


def test_other_html_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="an HTML page"):
        ofac_sdn.parse_bytes(b"<html><body><h1>Maintenance</h1></body></html>", KEYER)


@needs_samples
def test_redacted_archive_copies_keep_no_person() -> None:
    files = small_set()
    for name, body in files.items():
        clean = ofac_sdn.redact_bytes(body, KEYER).decode("utf-8")
        assert not any(n in clean for n in PERSON_NAMES), name
    clean_zip = ofac_sdn.redact_bytes(zipped(files), KEYER)
    with zipfile.ZipFile(io.BytesIO(clean_zip)) as zf:
        text = "".join(zf.read(n).decode("utf-8") for n in zf.namelist())
    assert not any(n in text for n in PERSON_NAMES)
    assert "IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY" in text  # entities stay
    assert ofac_sdn.redact_bytes(zipped(files), KEYER) == clean_zip  # deterministic


def test_redacted_xml_keeps_entities_and_drops_persons() -> None:
    body = (FIXTURES / "sdn_small.xml").read_bytes()
    for copy in (ofac_sdn.redact_bytes(body, KEYER), ofac_sdn.redact_bytes(body[:3000], KEYER)):
        text = copy.decode("utf-8")
        assert not any(n in text for n in PERSON_NAMES)
    text = ofac_sdn.redact_bytes(body, KEYER).decode("utf-8")
    assert "SHENZHEN HAIXING MICROELECTRONICS" in text and "[person:p:" in text
    # The redacted copy is still a readable list with the same entries.
    assert len(ofac_sdn.parse_bytes(text.encode(), KEYER).drafts) == 5
