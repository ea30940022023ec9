"""Mirror of points_rules over HTTP: the table at the translation's address (encoded or not),
day 1 equal to the `rongcheng` regime, day 2 drifted, and every failure switch."""

from __future__ import annotations

import pytest

from tests.mirror.test_tax_a_list_mirror import get
from watchdog.mirror.server import FAILURES
from watchdog.mirror.sources import points_rules as page
from watchdog.model import load_regime
from watchdog.parsers import points_rules as parser
from watchdog.parsers.errors import BlockedError, FormatError
from watchdog.privacy import Keyer
from watchdog.sources import load_manifest

KEYER = Keyer(b"test-secret-for-points-mirror-00")
PATH = load_manifest("points_rules").paths["clt"]["path"]


def rules(body: bytes) -> dict[str, dict]:
    return {d.payload["rule_id"]: d.payload for d in parser.parse_bytes(body, KEYER).drafts
            if d.payload["kind"] == "rule"}


def test_served_at_the_manifest_path(mirror):
    status, ctype, body = get(mirror, PATH)
    assert status == 200 and ctype.startswith("text/html")
    assert set(rules(body)) == {r.id for r in load_regime("rongcheng").rules}


def test_day2_drifts_one_value_and_adds_one_rule(mirror):
    mirror.state.day = 2
    _, _, body = get(mirror, PATH)
    got = rules(body)
    assert got["bank_arrears_month"]["points"] == -15
    assert got[None]["wording"] == "Voluntary unpaid blood donation"
    mirror.state.day = 1
    assert rules(get(mirror, PATH)[2])["bank_arrears_month"]["points"] == -10


@pytest.mark.parametrize("failure", FAILURES)
def test_failure_switches(mirror, failure):
    mirror.state.failure = failure
    # One document: the switch hits it even with the default fail_from_page (1), or a crawl
    # of this source could never be seen failing.
    assert mirror.state.fail_from_page == 1
    status, _, body = get(mirror, PATH)
    if failure == "block412":
        assert status == 412
    elif failure == "http500":
        assert status == 500
    elif failure == "captcha":
        assert status == 403  # Cloudflare's challenge; the parser knows it on import too
        with pytest.raises(BlockedError):
            parser.parse_bytes(body, KEYER)
    elif failure == "truncated":
        with pytest.raises(FormatError, match="truncated"):
            parser.parse_bytes(body, KEYER)
    else:
        assert parser.parse_bytes(body, KEYER).drafts[0].unknown_fields == {page.NEW_COLUMN: "string"}
