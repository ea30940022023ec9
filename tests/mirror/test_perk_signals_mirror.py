"""Mirror of perk_signals over HTTP: each partner page at the address the manifest lists, the
day-2 change, and every failure switch from the second page on."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.mirror.test_tax_a_list_mirror import get
from watchdog.mirror.server import FAILURES
from watchdog.mirror.sources import perk_signals as pages
from watchdog.parsers import perk_signals as parser
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer
from watchdog.sources import load_manifest

KEYER = Keyer(b"test-secret-for-perk-mirror-0000")
PATHS = [urlsplit(u).path for u in load_manifest("perk_signals").paths["partners"]["urls"]]


def perks(body: bytes) -> dict:
    return {d.payload["perk_id"]: d.payload["min_score"] for d in parser.parse_bytes(body, KEYER).drafts}


def test_every_manifest_url_is_served(mirror):
    assert PATHS == [p["path"] for p in pages.pages()]
    found = {}
    for path in PATHS:
        status, ctype, body = get(mirror, path)
        assert status == 200 and ctype.startswith("text/html")
        found.update(perks(body))
    assert found == {"singapore_visa_alitrip": 700, "luxembourg_schengen_visa_alitrip": 750,
                     "domestic_car_rental_no_deposit": 650, "hotel_no_deposit": 600,
                     "shared_bike_no_deposit": 500, None: 550,
                     "suzhou_public_bike_no_deposit": 600}


def test_day2_changes_one_page_only(mirror):
    day1 = {p: get(mirror, p)[2] for p in PATHS}
    mirror.state.day = 2
    day2 = {p: get(mirror, p)[2] for p in PATHS}
    changed = [p for p in PATHS if day1[p] != day2[p]]
    assert changed == ["/technology/400.html"]
    assert perks(day2[changed[0]]) == {"domestic_car_rental_no_deposit": 600}


@pytest.mark.parametrize("failure", FAILURES)
def test_failure_switches(mirror, failure):
    mirror.state.failure = failure
    assert get(mirror, PATHS[0])[0] == 200 and perks(get(mirror, PATHS[0])[2])
    status, _, body = get(mirror, PATHS[1])
    if failure == "block412":
        assert status == 412
    elif failure == "http500":
        assert status == 500
    elif failure == "captcha":
        assert status == 200
        with pytest.raises(BlockedError):
            parser.parse_bytes(body, KEYER)
    elif failure == "truncated":
        with pytest.raises(FormatError, match="truncated"):
            parser.parse_bytes(body, KEYER)
    else:
        assert parser.parse_bytes(body, KEYER).drafts[0].unknown_fields == {pages.NEW_LABEL[0]: "string"}
