"""The Consolidated Screening List parser after a review: a refused file's message quotes no
cell of its data, an empty answer is an error, a sole trader's own name is neither stored nor
archived, and an end date that is a word ("permanent") is kept as text, not a rejection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watchdog.parsers import foreign_common as fc
from watchdog.parsers import us_csl
from watchdog.parsers.base import ParsedFile
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "us_csl"
SDN_SMALL = (Path(__file__).resolve().parents[1] / "fixtures" / "shared_samples" / "ofac_sdn_csv"
             / "small" / "small_sdn.csv")
KEYER = Keyer(b"test-secret-csl-review!" * 2)
EL = "Entity List (EL) - Bureau of Industry and Security"
HEADER = "name,source,type,start_date,end_date,addresses,alt_names,ids\n"


def dump(parsed: ParsedFile) -> str:
    return json.dumps([[d.record_key, d.subject, d.payload, d.facets] for d in parsed.drafts],
                      ensure_ascii=False)


# -- 2. a refused file's message --------------------------------------------------------------
@pytest.mark.skipif(not SDN_SMALL.is_file(), reason="shared samples not present")
def test_a_file_of_another_list_is_refused_without_quoting_its_rows() -> None:
    with pytest.raises(FormatError, match="no name and source columns") as info:
        us_csl.parse_bytes(SDN_SMALL.read_bytes(), KEYER, name="small_sdn.csv")
    reason = info.value.reason
    for cell in ("10278", "LOGAN", "MOREY", "Elvis", "Toledo", "1963", "SDNT", "individual"):
        assert cell not in reason
    assert "12 columns" in reason and "not a the" not in reason


def test_a_refused_header_names_only_the_known_columns() -> None:
    with pytest.raises(FormatError) as info:
        us_csl.parse_bytes(b"Name,Zhang Wei,Harbin\nx,y,z\n", KEYER)
    reason = info.value.reason
    assert "3 columns" in reason and "name" in reason
    assert "Zhang" not in reason and "Harbin" not in reason


# -- 3. empty answers -------------------------------------------------------------------------
@pytest.mark.parametrize("body", [b"[]", b'{"total":0,"results":[]}', b'{"results": []}'])
def test_an_empty_json_answer_is_a_block(body: bytes) -> None:
    with pytest.raises(BlockedError, match="empty"):
        us_csl.parse_bytes(body, KEYER)


def test_a_csv_with_its_header_only_is_refused() -> None:
    with pytest.raises(FormatError, match="no row"):
        us_csl.parse_bytes(HEADER.encode(), KEYER)


# -- 4. sole traders --------------------------------------------------------------------------
TRADER_ROWS = (
    f'Zhang Wei trading as Huayang Electronics,{EL},,2020-01-01,,"Room 5, 11 Garden Lane, '
    f'Harbin, CN",Zhang Wei Electronics,"CN, 230103198001011234, National ID"\n'
    f'LI MING t/a LI MING TRADING,{EL},,2020-02-02,,"12 Garden Lane, Harbin, CN",,\n'
    f'"Shenzhen Huayang Trading Co., Ltd.",{EL},,2020-03-03,,"Shenzhen, CN",,\n')
PERSONAL = ("Zhang", "ZHANG", "LI MING", "Li Ming", "Garden Lane", "230103")


def test_sole_traders_keep_no_personal_name() -> None:
    parsed = us_csl.parse_bytes((HEADER + TRADER_ROWS).encode(), KEYER)
    huayang, li, shenzhen = parsed.drafts
    assert huayang.subject["kind"] == "company"
    assert huayang.subject["name"] == "Huayang Electronics"
    assert huayang.subject["key"] == "name:HUAYANG ELECTRONICS|CN"
    assert huayang.payload["names"] == ["Huayang Electronics"]
    assert huayang.payload["sole_trader"] is True
    assert huayang.payload["operator"] == fc.token(KEYER, "Zhang Wei")
    assert huayang.payload["identifiers"] == [] and "addresses" not in huayang.payload
    assert li.subject["kind"] == "person" and li.subject["name"] is None
    assert li.subject["key"] == fc.person_subject(KEYER, "LI MING")["key"]
    assert shenzhen.subject["name"] == "Shenzhen Huayang Trading Co., Ltd."
    assert not any(p in dump(parsed) for p in PERSONAL)


def test_sole_traders_are_redacted_in_the_archive() -> None:
    csv_body = (HEADER + TRADER_ROWS).encode()
    rows = [{"name": "Zhang Wei trading as Huayang Electronics", "source": EL, "type": None,
             "start_date": "2020-01-01", "alt_names": ["Zhang Wei Electronics"],
             "addresses": [{"address": "11 Garden Lane", "city": "Harbin", "country": "CN"}]},
            {"name": "LI MING t/a LI MING TRADING", "source": EL, "start_date": "2020-02-02"}]
    json_body = json.dumps({"total": 2, "results": rows}).encode()
    for body in (csv_body, json_body):
        for copy in (us_csl.redact_bytes(body, KEYER),
                     us_csl.redact_bytes(body[: len(body) * 3 // 4], KEYER)):
            text = copy.decode("utf-8")
            assert not any(p in text for p in PERSONAL), text
        full = us_csl.redact_bytes(body, KEYER)
        assert "Huayang Electronics" in full.decode("utf-8")
        # The archived copy still reads as a list: the business under its trading name, the
        # person keyed (by the placeholder: the archive cannot give the name back).
        again = us_csl.parse_bytes(full, KEYER).drafts
        assert [(d.subject["kind"], d.subject["name"]) for d in again][:2] == \
            [("company", "Huayang Electronics"), ("person", None)]


def test_a_cut_json_archive_keeps_no_detail_of_a_person_wherever_it_is_cut() -> None:
    """A cut-off body used to keep a person's passport number and address: only some fields
    were blanked, whoever they belonged to."""
    body = (FIXTURES / "csl_small.json").read_bytes()
    for end in range(0, len(body) + 1, 5):
        text = us_csl.redact_bytes(body[:end], KEYER).decode("utf-8")
        assert not any(p in text for p in ("E70014521", "Flat 3", "Harbin, China")), end
    cut = us_csl.redact_bytes(body[: body.index(b"Pavel")], KEYER).decode("utf-8")
    assert "Shanghai Haoyun Precision Instruments" in cut and "cut-off record" in cut


# -- 5. an end date that is a word ------------------------------------------------------------
def test_an_end_date_that_is_a_word_is_kept_as_text() -> None:
    body = (HEADER + f'"Harbin Tech Co., Ltd.",{EL},,2020-01-01,permanent,,,\n'
                     f'"Harbin Optics Co., Ltd.",{EL},,2020-01-01,until revoked,,,\n'
                     f'"Harbin Laser Co., Ltd.",{EL},,2020-01-01,2030-01-01,,,\n'
                     f'Greta HALVORSEN,{EL},,2020-01-01,ZHANG Wei,,,\n').encode()
    parsed = us_csl.parse_bytes(body, KEYER)
    assert not parsed.rejections
    tech, optics, laser, person = parsed.drafts
    assert tech.payload.get("listed_until") is None and tech.payload["permanent"] is True
    assert tech.payload["listed_until_text"] == "permanent"
    assert optics.payload.get("listed_until") is None and "permanent" not in optics.payload
    assert optics.payload["listed_until_text"] == "until revoked"
    assert laser.payload["listed_until"] == "2030-01-01"
    assert "listed_until_text" not in laser.payload
    # A person's row keeps no free text of its own.
    assert person.subject["kind"] == "person"
    assert "ZHANG" not in dump(parsed) and "HALVORSEN" not in dump(parsed)
