"""Mirror pages of `ofac_sdn`: the CSV set and SDN.XML at their real paths, court-list mirror
companies among the entities, synthetic persons only, and every failure switch."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from watchdog.mirror.sources.ofac_sdn_shared import court_pool, synthetic_persons
from watchdog.parsers import ofac_sdn
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer

BASE = "/api/PublicationPreview/exports/"
KEYER = Keyer(b"mirror-test-ofac" * 2)


def get(mirror, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(mirror.url + path, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def the_set(mirror) -> dict[str, bytes]:
    out = {}
    for name in ("ADD.CSV", "ALT.CSV", "SDN_COMMENTS.CSV", "SDN.CSV"):
        status, body = get(mirror, BASE + name)
        assert status == 200, name
        out[name] = body
    return out


def test_csv_set_and_xml_hold_the_same_entries(mirror) -> None:
    from_csv = ofac_sdn.parse_set(the_set(mirror), KEYER)
    status, xml = get(mirror, BASE + "SDN.XML")
    assert status == 200
    from_xml = ofac_sdn.parse_bytes(xml, KEYER, name="SDN.XML")
    assert not from_csv.rejections and not from_xml.rejections
    assert {d.record_key for d in from_csv.drafts} == {d.record_key for d in from_xml.drafts}
    assert len(from_csv.drafts) >= 18


def test_court_mirror_companies_are_listed(mirror) -> None:
    from watchdog.mirror.generator import generate

    court = {r["iname"]: r["cardNum"] for r in generate(1) if r["partyTypeName"] == "581"}
    drafts = ofac_sdn.parse_set(the_set(mirror), KEYER).drafts
    listed = {d.payload.get("uscc"): d for d in drafts if d.payload.get("uscc")}
    expected = [c for c in court_pool()[0:6]]
    assert expected and all(c["uscc"] in listed for c in expected)
    for company in expected:
        draft = listed[company["uscc"]]
        assert draft.payload["chinese_name"] == company["chinese"]
        # The court page shows the full USCC, the organisation code inside it, or it masked.
        card = court[company["chinese"]]
        assert card == company["uscc"] or card in company["uscc"] or "****" in card
        assert draft.subject["key"] == f"uscc:{company['uscc']}"
        assert draft.subject["name"] == company["english"] and draft.payload["cn_related"]


def test_persons_are_synthetic_and_never_parsed_by_name(mirror) -> None:
    files = the_set(mirror)
    text = b"".join(files.values()).decode("utf-8")
    names = synthetic_persons("ofac_sdn", 4)
    assert all(family in text for family, _ in names)  # the mirror does name them
    for family, given in names:
        for body in files.values():
            clean = ofac_sdn.redact_bytes(body, KEYER).decode("utf-8")
            assert family not in clean and given not in clean
    drafts = ofac_sdn.parse_set(files, KEYER).drafts
    dumped = repr([(d.record_key, d.subject, d.payload) for d in drafts])
    assert not any(family in dumped or given in dumped for family, given in names)
    assert "LOGAN MOREY" not in text  # the real subset's individuals are not served


def test_day_two_delists_and_adds(mirror) -> None:
    day1 = {d.record_key for d in ofac_sdn.parse_set(the_set(mirror), KEYER).drafts}
    mirror.state.update(day=2)
    day2 = {d.record_key for d in ofac_sdn.parse_set(the_set(mirror), KEYER).drafts}
    assert day1 - day2 and day2 - day1


def test_block412_and_http500_from_the_failing_page(mirror) -> None:
    for failure, status in (("block412", 412), ("http500", 500)):
        mirror.state.update(failure=failure, fail_from_page=1)
        assert get(mirror, BASE + "ADD.CSV")[0] == 200  # page 0 passes
        assert get(mirror, BASE + "ALT.CSV")[0] == status
        assert get(mirror, BASE + "SDN.CSV")[0] == status


def test_captcha_is_blocked_not_empty(mirror) -> None:
    mirror.state.update(failure="captcha", fail_from_page=0)
    status, body = get(mirror, BASE + "SDN.CSV")
    assert status == 200
    with pytest.raises(BlockedError):
        ofac_sdn.parse_bytes(body, KEYER, name="SDN.CSV")


def test_truncated_is_a_format_error(mirror) -> None:
    mirror.state.update(failure="truncated", fail_from_page=0)
    for name in ("SDN.CSV", "SDN.XML"):
        with pytest.raises(FormatError):
            ofac_sdn.parse_bytes(get(mirror, BASE + name)[1], KEYER, name=name)


def test_layout_adds_an_unknown_field(mirror) -> None:
    mirror.state.update(failure="layout", fail_from_page=0)
    from_csv = ofac_sdn.parse_set(the_set(mirror), KEYER)
    assert from_csv.drafts and all("sdn_column_13" in d.unknown_fields for d in from_csv.drafts)
    from_xml = ofac_sdn.parse_bytes(get(mirror, BASE + "SDN.XML")[1], KEYER)
    assert from_xml.drafts and all(d.unknown_fields == {"riskLevel": "str"}
                                   for d in from_xml.drafts)
