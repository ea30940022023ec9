"""SDN.XML's publication header after a review: the publish date is not used, so a date with a
time or one that cannot be read at all must not reject the whole file; a bad record count is
refused without quoting it."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from watchdog.parsers import ofac_sdn
from watchdog.parsers.errors import FormatError
from watchdog.parsers.ofac_sdn_xml import read_xml
from watchdog.privacy import Keyer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ofac_sdn" / "sdn_small.xml"
KEYER = Keyer(b"test-secret-ofac-xml" * 2)
PUBLISHED = b"<Publish_Date>03/14/2025</Publish_Date>"


def with_publish_date(value: bytes) -> bytes:
    body = FIXTURE.read_bytes()
    assert PUBLISHED in body
    return body.replace(PUBLISHED, b"<Publish_Date>" + value + b"</Publish_Date>")


def test_a_publish_date_with_a_time_is_read() -> None:
    xml = read_xml(with_publish_date(b"14 Mar 2025 10:22"))
    assert xml.published == date(2025, 3, 14) and xml.count == 5 and len(xml.entries) == 5
    parsed = ofac_sdn.parse_bytes(with_publish_date(b"14 Mar 2025 10:22"), KEYER)
    assert len(parsed.drafts) == 5 and not parsed.rejections


def test_an_unreadable_publish_date_is_reported_not_fatal(
        caplog: pytest.LogCaptureFixture) -> None:
    body = with_publish_date(b"the fourteenth of March")
    with caplog.at_level(logging.WARNING, logger="watchdog.parsers.ofac_sdn_xml"):
        xml = read_xml(body)
    assert xml.published is None and xml.count == 5 and len(xml.entries) == 5
    assert any("Publish_Date" in r.getMessage() for r in caplog.records)
    expected = ofac_sdn.parse_bytes(FIXTURE.read_bytes(), KEYER)
    parsed = ofac_sdn.parse_bytes(body, KEYER)
    assert [d.record_key for d in parsed.drafts] == [d.record_key for d in expected.drafts]


def test_a_record_count_that_is_not_a_number_is_refused_without_quoting_it() -> None:
    body = FIXTURE.read_bytes().replace(b"<Record_Count>5</Record_Count>",
                                        b"<Record_Count>LOGAN MOREY</Record_Count>")
    with pytest.raises(FormatError, match="Record_Count") as info:
        read_xml(body)
    assert "LOGAN" not in info.value.reason


# -- the list's publication date, carried on the parsed file -----------------------------------
def test_the_publish_date_is_the_parsed_files_date() -> None:
    parsed = ofac_sdn.parse_bytes(FIXTURE.read_bytes(), KEYER)
    assert parsed.published == date(2025, 3, 14) and not parsed.notes


def test_the_mirrors_sdn_xml_states_its_day() -> None:
    from watchdog.mirror.sources.ofac_sdn import xml_body

    assert ofac_sdn.parse_bytes(xml_body(1, False), KEYER).published == date(2026, 11, 1)
    assert ofac_sdn.parse_bytes(xml_body(2, False), KEYER).published == date(2026, 11, 2)


@pytest.mark.parametrize("value", [b"the fourteenth of March", b"02/30/2025", b"2025-13-40"])
def test_an_unreadable_publish_date_is_noted_and_not_stored(value: bytes) -> None:
    parsed = ofac_sdn.parse_bytes(with_publish_date(value), KEYER)
    assert parsed.published is None and len(parsed.drafts) == 5
    assert len(parsed.notes) == 1 and "Publish_Date not read" in parsed.notes[0]
    assert "fourteenth" not in parsed.notes[0]  # a value not shaped like a date is not quoted
