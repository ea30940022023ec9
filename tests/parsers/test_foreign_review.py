"""Helpers shared by the foreign-list parsers, after a review: sole traders ("X d/b/a Y") are
judged by the part that names the owner, and an unreadable date is reported without quoting a
value that is not shaped like a date (a misfilled date cell can hold a person's name)."""

from __future__ import annotations

from datetime import date

import pytest

from watchdog.parsers import foreign_common as fc
from watchdog.privacy import Keyer

KEYER = Keyer(b"test-secret-foreign-review" * 2)


@pytest.mark.parametrize("name", [
    "Zhang Wei trading as Huayang Electronics",
    "ZHANG SAN d/b/a ZHANG SAN TRADING",
    "ZHANG SAN DBA HUAYANG ELECTRONICS CO.",
    "Zhang Wei t/a Huayang Electronics",
    "ZHANG WEI, doing business as HUAYANG ELECTRONICS",
    "张三以华阳电子商行名义",
    "个体工商户张三",
])
def test_a_person_trading_under_a_business_name_is_not_an_organisation(name: str) -> None:
    assert not fc.looks_like_org(name)
    assert fc.sole_trader(name) is not None


@pytest.mark.parametrize("name", [
    "PEARL RIVER ROADS LTD. d/b/a PRR LIMITED",
    "ACME TRADING CO., LTD.",
    "NORDIC TRADING AS",
    "华阳电子商行（个体工商户）",
])
def test_a_firm_stays_a_firm(name: str) -> None:
    assert fc.looks_like_org(name)
    assert fc.sole_trader(name) is None


@pytest.mark.parametrize(("name", "shown"), [
    ("Zhang Wei trading as Huayang Electronics", "Huayang Electronics"),
    ("ZHANG SAN d/b/a HUAYANG ELECTRONICS CO.", "HUAYANG ELECTRONICS CO."),
    ("张三以华阳电子商行名义", "华阳电子商行"),
    ("华阳电子商行（经营者：张三）", "华阳电子商行"),
    # The trading name carries the owner's name, or does not read as a business: withheld.
    ("ZHANG SAN d/b/a ZHANG SAN TRADING", None),
    ("ZHANG SAN d/b/a ZHANGSAN TRADING", None),
    ("张三以张三五金店名义", None),
    ("ZHANG SAN d/b/a LI SI", None),
    ("个体工商户张三", None),
])
def test_only_a_trading_name_that_does_not_name_the_owner_is_shown(name: str,
                                                                    shown: str | None) -> None:
    trader = fc.sole_trader(name)
    assert trader is not None and fc.trade_name(trader) == shown


def test_the_redacted_name_keys_the_owner_and_keeps_a_publishable_trading_name() -> None:
    text = fc.redact_name(KEYER, "Zhang Wei trading as Huayang Electronics")
    assert "Zhang" not in text and text.endswith("trading as Huayang Electronics")
    assert text.startswith(fc.token(KEYER, "Zhang Wei"))
    assert fc.redact_name(KEYER, "ZHANG SAN d/b/a ZHANG SAN TRADING") == \
        fc.token(KEYER, "ZHANG SAN")
    assert fc.redact_name(KEYER, "KHAN, Ali") == fc.token(KEYER, "KHAN, Ali")


def test_day_month_year_with_a_time() -> None:
    assert fc.parse_date("14 Mar 2025 10:22") == date(2025, 3, 14)
    assert fc.parse_date("14 MARCH 2025, 10:22:05") == date(2025, 3, 14)


def test_an_unreadable_date_quotes_a_date_shaped_value_only() -> None:
    with pytest.raises(ValueError, match="2024-13-45"):
        fc.parse_date("2024-13-45")
    with pytest.raises(ValueError, match="unrecognised date") as info:
        fc.parse_date("ZHANG Wei, Room 5, Harbin")
    assert "ZHANG" not in str(info.value) and "Harbin" not in str(info.value)
