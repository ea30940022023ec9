from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchdog.parsers.common import (
    CHINA_TZ,
    clean_text,
    find_date,
    normalise_case_code,
    normalise_width,
    parse_date,
    parse_sex,
    split_circumstances,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019年07月13日", date(2019, 7, 13)),
        ("2019年7月3日", date(2019, 7, 3)),
        ("２０１９年０７月１３日", date(2019, 7, 13)),
        ("20190709", date(2019, 7, 9)),
        (20190709, date(2019, 7, 9)),
        ("2019-07-13", date(2019, 7, 13)),
        ("2019-7-3", date(2019, 7, 3)),
        ("2019/07/13", date(2019, 7, 13)),
        ("2019-07-13 08:30:00", date(2019, 7, 13)),
        # Epoch values mean China time: 1562947200 is 2019-07-13 00:00 +08:00 (07-12 in UTC).
        ("1562947200", date(2019, 7, 13)),
        (1562947200, date(2019, 7, 13)),
        ("1562947200000", date(2019, 7, 13)),
        (1562947200000, date(2019, 7, 13)),
        (" 2014年06月20日 ", date(2014, 6, 20)),
        (date(2020, 1, 2), date(2020, 1, 2)),
    ],
)
def test_parse_date_shapes(value: object, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", "暂无"])
def test_parse_date_empty(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    "value",
    ["2019年13月01日", "2019-02-30", "201907", "yesterday", "07/13/2019", "12345678901",
     True, 3.5, -1, "19190709", "99990101", [2019]],
)
def test_parse_date_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="unrecognised date"):
        parse_date(value)


def test_parse_date_error_shows_the_shape_of_the_value_not_its_letters_or_digits() -> None:
    with pytest.raises(ValueError, match="'xxx-x-xxxx'"):
        parse_date("not-a-date")
    with pytest.raises(ValueError, match="'2019年13月01日'"):
        parse_date("2019年13月01日")
    # A name or an ID number in a shifted column is not repeated.
    with pytest.raises(ValueError, match="'某某某年'"):
        parse_date("黎浩佳年")
    with pytest.raises(ValueError, match="'#{18}'"):
        parse_date("130102198801012315")


def _midnight_epoch(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=CHINA_TZ).timestamp())


SHAPES = {
    "cn_padded": lambda d: f"{d.year}年{d.month:02d}月{d.day:02d}日",
    "cn_unpadded": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "compact": lambda d: d.strftime("%Y%m%d"),
    "compact_int": lambda d: int(d.strftime("%Y%m%d")),
    "iso": lambda d: d.isoformat(),
    "slash": lambda d: d.strftime("%Y/%m/%d"),
    "epoch_s": lambda d: _midnight_epoch(d),
    "epoch_s_str": lambda d: str(_midnight_epoch(d)),
    "epoch_ms": lambda d: _midnight_epoch(d) * 1000,
    "epoch_ms_str": lambda d: str(_midnight_epoch(d) * 1000),
}


@given(day=st.dates(min_value=date(1980, 1, 1), max_value=date(2060, 12, 31)),
       shape=st.sampled_from(sorted(SHAPES)))
def test_parse_date_roundtrip(day: date, shape: str) -> None:
    assert parse_date(SHAPES[shape](day)) == day


@given(day=st.dates(min_value=date(1980, 1, 1), max_value=date(2060, 12, 31)),
       seconds=st.integers(min_value=0, max_value=86399))
def test_epoch_any_time_of_day_is_that_china_day(day: date, seconds: int) -> None:
    stamp = _midnight_epoch(day) + seconds
    assert parse_date(stamp) == day
    assert parse_date(str(stamp * 1000 + 999)) == day


def test_find_date_in_text() -> None:
    assert find_date("已于2026年03月02日全部履行") == date(2026, 3, 2)
    assert find_date("履行日期：2021-5-6") == date(2021, 5, 6)
    assert find_date("全部未履行") is None


def test_normalise_width() -> None:
    assert normalise_width("（２０１７）桂１３２２执４８７号") == "(2017)桂1322执487号"
    assert normalise_width("ＡＢｃ　１") == "ABc 1"
    # Chinese punctuation stays as published.
    assert normalise_width("以伪造证据、暴力，威胁；等：") == "以伪造证据、暴力，威胁；等："
    assert normalise_width("3208191960＊＊＊＊6833") == "3208191960****6833"


def test_normalise_case_code() -> None:
    expected = "(2017)桂1322执487号"
    for raw in ("（2017）桂1322执487号", "(2017)桂1322执487号", " （２０１７） 桂1322执 487号 ",
                "〔2017〕桂1322执487号", "【2017】桂1322执487号"):
        assert normalise_case_code(raw) == expected


def test_clean_text() -> None:
    assert clean_text(None) is None
    assert clean_text("") is None
    assert clean_text("  暂无 ") is None
    assert clean_text("  ") is None
    assert clean_text(" a\r\nb\rc ") == "a\nb\nc"
    assert clean_text(5000) == "5000"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("男", "M"), ("男性", "M"), (" 女 ", "F"), ("女性", "F"), ("", None), (None, None),
     ("暂无", None)],
)
def test_parse_sex(value: object, expected: str | None) -> None:
    assert parse_sex(value) == expected


@pytest.mark.parametrize("value", ["M", "未知", "1"])
def test_parse_sex_rejects(value: str) -> None:
    with pytest.raises(ValueError):
        parse_sex(value)


def test_split_circumstances() -> None:
    assert split_circumstances("违反财产报告制度,违反限制消费令") == ["违反财产报告制度", "违反限制消费令"]
    assert split_circumstances("违反财产报告制度， 其他规避执行；违反限制消费令;") == [
        "违反财产报告制度", "其他规避执行", "违反限制消费令"]
    # 、 is part of the official phrase, never a separator.
    phrase = "以伪造证据、暴力、威胁等方法妨碍、抗拒执行的"
    assert split_circumstances(phrase) == [phrase]
    assert split_circumstances(phrase + ",违反财产报告制度") == [phrase, "违反财产报告制度"]
    assert split_circumstances("") == []
    assert split_circumstances(None) == []
    assert split_circumstances("暂无") == []


def test_china_tz_is_utc_plus_8() -> None:
    assert CHINA_TZ.utcoffset(None) == timedelta(hours=8)
