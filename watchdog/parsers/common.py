"""Normalisation shared by all parsers: dates, character widths, case codes, sex, circumstances.

The sources publish the same value in several shapes (2019年07月13日 on the court portal, 20190709
and epoch seconds on the Baidu mirror, full- and half-width brackets in case numbers). Everything
is reduced to one shape here so a record parsed from any source compares equal to itself.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

# Epoch timestamps from Chinese sources mean midnight China Standard Time; reading them as UTC
# would put every date one day early. China has had no DST since 1991, so a fixed offset is exact.
CHINA_TZ = timezone(timedelta(hours=8), "CST")

# Values the portals use for "nothing published".
_EMPTY = frozenset({"", "暂无"})

# Plausible range for any date in these sources; outside it the value is some other number.
_MIN_YEAR, _MAX_YEAR = 1949, 2100

_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_SEP_DATE = re.compile(
    r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_DIGITS = re.compile(r"\d+")

# Full-width punctuation that is Chinese punctuation proper: kept as published, because NFKC
# would turn ，into "," and change the text the reader sees (and how circumstances split).
_KEEP_FULL_WIDTH = frozenset("，：；！？")
_CASE_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "［": "(", "］": ")", "【": "(",
                                "】": ")", "[": "(", "]": ")"})
_WHITESPACE = re.compile(r"\s+")
# normalise_width as a translation table: each full-width ASCII character NFKC-folds to one
# half-width character, so a per-character table is exactly the per-character NFKC.
_WIDTH_TABLE = {cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0xFF01, 0xFF5F)
                if chr(cp) not in _KEEP_FULL_WIDTH} | {0x3000: " ", 0x00A0: " "}
_WIDE = re.compile("[\u3000\u00a0\uff01-\uff5e]")
# Where one disruptTypeName joins several circumstances: commas and semicolons in either width
# (and the small forms ﹐﹔), and line breaks. The same characters as the model's SEPARATORS
# (watchdog.model.phrases; not imported, so parsers of other sources do not load the model):
# stored phrases and verdicts must split alike.
_CIRCUMSTANCE_SPLIT = re.compile(r"[,，﹐;；﹔\r\n]")


_NAME_LIKE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff·]")
_LONG_NUMBER = re.compile(r"[0-9*Xx]{6,}")
_LATIN = re.compile(r"[A-Za-z]")
_DATE_WORDS = frozenset("年月日号")


def quoted_shape(value: object, limit: int = 30) -> str:
    """A value for a rejection reason, quoted without what could name a person: Chinese
    characters (a name in the wrong column) read 某, Latin letters x and long numbers (an ID)
    #, so '黎浩佳年' reads '某某某年', 'JOHN DOE' 'xxxx xxx', and the shape that failed shows."""
    text = "" if value is None else str(value).strip()[:limit]
    text = _LONG_NUMBER.sub(lambda m: "#" * len(m[0]), text)
    text = _LATIN.sub("x", text)
    return repr(_NAME_LIKE.sub(lambda m: m[0] if m[0] in _DATE_WORDS else "某", text))


def _date_error(value: object) -> ValueError:
    # Shape only: a name or an ID in a shifted column must not reach the rejection's text.
    return ValueError(f"unrecognised date: {quoted_shape(value, 60)}")


def _checked(year: int, month: int, day: int, value: object) -> date:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise _date_error(value)
    try:
        return date(year, month, day)
    except ValueError:
        raise _date_error(value) from None


def _from_digits(digits: str, value: object) -> date:
    if len(digits) == 8:
        return _checked(int(digits[:4]), int(digits[4:6]), int(digits[6:]), value)
    if len(digits) in (9, 10):
        seconds = int(digits)
    elif len(digits) in (12, 13):
        seconds = int(digits) // 1000
    else:
        raise _date_error(value)
    day = datetime.fromtimestamp(seconds, tz=CHINA_TZ).date()
    return _checked(day.year, day.month, day.day, value)


def parse_date(value: object) -> date | None:
    """Parse every date shape the sources use; `None`, empty and 暂无 give `None`.

    Accepted: 2019年07月13日, 2019年7月3日, 20190709, 2019-07-13, 2019/07/13 (optionally with a
    time), epoch seconds and epoch milliseconds (int or digit string, read in China time).
    Anything else raises `ValueError` naming the value.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise _date_error(value)
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int):
        if value < 0:
            raise _date_error(value)
        return _from_digits(str(value), value)
    if not isinstance(value, str):
        raise _date_error(value)
    return _parse_date_text(value)


# Publication and filing dates repeat across thousands of records; the cache is bounded.
@lru_cache(maxsize=8192)
def _parse_date_text(value: str) -> date | None:
    text = normalise_width(value).strip()
    if text in _EMPTY:
        return None
    if m := _CN_DATE.fullmatch(text):
        return _checked(int(m[1]), int(m[2]), int(m[3]), value)
    if m := _SEP_DATE.fullmatch(text):
        return _checked(int(m[1]), int(m[3]), int(m[4]), value)
    if _DIGITS.fullmatch(text):
        return _from_digits(text, value)
    raise _date_error(value)


def find_date(text: str) -> date | None:
    """The first date written as 2019年07月13日 or 2019-07-13 inside free text, if any."""
    text = normalise_width(text)
    for pattern in (_CN_DATE, _SEP_DATE):
        for m in pattern.finditer(text):
            try:
                return parse_date(m[0])
            except ValueError:
                continue
    return None


def normalise_width(text: str) -> str:
    """Full-width brackets, digits, letters and spaces to half width; Chinese punctuation kept.

    NFKC is applied only to the full-width ASCII block (U+FF01..U+FF5E) and the ideographic
    space, so 、，：； and everything outside that block stay as published.
    """
    # Most values hold no wide character at all; one search spares them the translation.
    if _WIDE.search(text) is None:
        return text
    return text.translate(_WIDTH_TABLE)


def normalise_case_code(text: str) -> str:
    """A case number in one shape: half-width round brackets, no whitespace.

    (2017)桂1322执487号, （2017）桂1322执487号 and 〔2017〕桂1322执487号 are the same case.
    """
    return _WHITESPACE.sub("", normalise_width(text).translate(_CASE_BRACKETS))


def clean_text(value: object) -> str | None:
    """Strip, unify line breaks; `None`, empty and 暂无 become `None`."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return None if text in _EMPTY else text


def clean_field(value: object) -> str | None:
    """`clean_text` of a JSON field's value, where an object or array counts as nothing."""
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return None if text in _EMPTY else text


def parse_sex(value: object) -> str | None:
    """男/男性 -> "M", 女/女性 -> "F", empty -> None; anything else raises `ValueError`."""
    text = clean_text(value)
    if text is None:
        return None
    if text in ("男", "男性"):
        return "M"
    if text in ("女", "女性"):
        return "F"
    raise ValueError(f"unrecognised sex value: {text[:10]!r}")


def split_circumstances(value: object) -> list[str]:
    """Split the published circumstances (失信情形) into phrases.

    Splits on , ， ; ； (and the small forms ﹐ ﹔) and line breaks only: 、 occurs inside the
    official phrases themselves (以伪造证据、暴力、威胁等方法妨碍、抗拒执行的), so splitting on it
    would break them apart. Each part is kept as published; matching normalises it later.
    """
    text = clean_text(value)
    if text is None:
        return []
    return list(_split_circumstances(text))


# A few dozen phrase combinations make up nearly every record; the cache is bounded.
@lru_cache(maxsize=2048)
def _split_circumstances(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in _CIRCUMSTANCE_SPLIT.split(text) if part.strip())
