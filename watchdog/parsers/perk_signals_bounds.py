"""The score bounds a partner page states, and how they pair into gates.

Pages write a threshold in many shapes: "650分以上", "650分及以上", "650分（含）以上", "芝麻分≥650",
"芝麻分600+", "六百五十分", "a score of 600 or above". They also write upper bounds ("700分以下",
"不足600分", "低于600分", "below 700") and ranges ("600分以上、700分以下", "600-699分",
"between 600 and 699"). A bound has a comparator: "≥" and ">" bound the score from below, "<"
and "≤" from above; an upper bound is never read as a minimum.

Which number is included follows how the pages use the words:
- "以上" includes the number; "超过"/"高于"/"above" does not, so "above 700" is a minimum of 701,
  as the `zhima` regime reads it.
- "以下" on a partner page marks where the next tier starts ("600分以上、700分以下" beside
  "700分以上"), so it excludes the number: 600 <= score < 700, the way domain.md reads the
  overlapping 2015 bands (550-600 is 550-599). "及以下", "以内" and "不超过" include it.
- "（含）" and "（不含）" next to a bound say it outright and win over the word.
- A written range ("600-699分") includes both numbers as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

LOWER = ("≥", ">")
N = r"(?<![\d.])[3-9]\d{2}(?![\d.])"  # a Zhima score is 350-950: three digits, 3xx-9xx
# What may follow a number written without 分 or 以上 for it to be a count, not a score
# ("超过300家商户", "满300元").
_UNIT = re.compile(r"\s*(?:家|个|元|块|人|万|千|百|次|天|年|月|日|号|座|所|辆|张|项|位|%|米|公里|"
                   r"小时|钟|秒|多|余|km|kg|yuan|rmb)", re.I)

_PRE_LOWER_STRICT = ("超过", "高于", "大于", ">")
_PRE_LOWER = ("大于等于", "大于或等于", "不低于", "不少于", "不小于", "达到", "达", "满", "≥", "≧", ">=",
              *_PRE_LOWER_STRICT)
_PRE_UPPER_INCL = ("小于等于", "小于或等于", "不超过", "不高于", "不大于", "≤", "≦", "<=")
_PRE_UPPER = ("未达到", "未达", "不足", "不满", "不到", "未满", "低于", "少于", "小于", "<",
              *_PRE_UPPER_INCL)
_POST_LOWER = ("及以上", "及其以上", "或以上", "以上", "及更高", "或更高", "起", "+")
_POST_UPPER_INCL = ("及以下", "或以下", "以内", "之内")
_POST_UPPER = ("以下", *_POST_UPPER_INCL)


def _alt(words: tuple[str, ...]) -> str:
    # Longest first: "未达到" must win over "达到", "及以上" over "以上".
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


# "(含)", "(不含)", "(含本数)", "(含650分)": said outright whether the number is included.
_PAREN = r"(?P<{0}>\((?:不)?(?:含|包含|包括)(?:本数|\s*[3-9]\d{{2}}\s*分?)?\))"
_SCORE_ZH = re.compile(
    rf"(?P<pre>{_alt(_PRE_LOWER + _PRE_UPPER)})?\s*(?P<n>{N})\s*(?P<fen>分(?!钟))?\s*"
    rf"{_PAREN.format('p1')}?\s*(?P<post>{_alt(_POST_LOWER + _POST_UPPER)})?\s*"
    rf"{_PAREN.format('p2')}?")
_RANGE_ZH = re.compile(rf"(?P<a>{N})\s*分?\s*(?:-|~|—|–|至|到)\s*(?P<b>{N})\s*分(?!钟)")

_EN_LOWER_STRICT = ("above", "over", "higher than", "greater than", "more than", "exceeding", ">")
_EN_LOWER = ("of at least", "at least", "no less than", "not less than", "≥", ">=",
             *_EN_LOWER_STRICT)
_EN_UPPER_INCL = ("at most", "no more than", "not more than", "up to", "≤", "<=")
_EN_UPPER = ("below", "under", "less than", "lower than", "<", *_EN_UPPER_INCL)
_EN_POST_LOWER = ("or above", "or more", "or higher", "and above", "and up", "or over", "+")
_EN_POST_UPPER = ("or below", "or less", "or lower", "and below", "or under")
_SCORE_EN = re.compile(
    rf"(?:score|credit|points?)[^.\d]{{0,25}}?(?P<pre>{_alt(_EN_LOWER + _EN_UPPER)})?\s*"
    rf"(?P<n>{N})\b\s*(?:points?\s*)?(?P<post>{_alt(_EN_POST_LOWER + _EN_POST_UPPER)})?", re.I)
_RANGE_EN = (re.compile(rf"(?:score|credit|points?)[^.\d]{{0,25}}?between\s+(?P<a>{N})\s*"
                        rf"(?:points?\s*)?and\s*(?P<b>{N})\b", re.I),
             re.compile(rf"(?:score|credit|points?)[^.\d]{{0,25}}?(?P<a>{N})\s*"
                        rf"(?:points?\s*)?(?:-|–|to)\s*(?P<b>{N})\b", re.I))

# Chinese numerals of a score: 六百五十 (650), 六百五 (650, spoken), 六百零一 (601), 七百 (700).
_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")}
_CN_NUMBER = re.compile(r"([三四五六七八九])百(?:零([一二三四五六七八九])|([一二三四五六七八九])十"
                        r"([一二三四五六七八九])?|([一二三四五六七八九])(?![十百千万]))?")


@dataclass(frozen=True)
class Bound:
    number: int
    comparator: str     # "≥" or ">" (from below), "<" or "≤" (from above)
    start: int
    end: int
    ranged: bool = False  # half of a written range ("600-699分"): pairs with its other half

    @property
    def lower(self) -> bool:
        return self.comparator in LOWER


@dataclass(frozen=True)
class Gate:
    """A lower bound, an upper bound, or both (a range)."""

    lower: Bound | None
    upper: Bound | None

    @property
    def min_score(self) -> int | None:
        return None if self.lower is None else min_score(self.lower.number, self.lower.comparator)

    @property
    def max_score(self) -> int | None:
        return None if self.upper is None else max_score(self.upper.number, self.upper.comparator)


def min_score(number: int, comparator: str) -> int:
    return number + 1 if comparator == ">" else number


def max_score(number: int, comparator: str) -> int:
    return number - 1 if comparator == "<" else number


def plain(text: str) -> str:
    """Text to match: full-width forms folded (NFKC: "（含）", "６５０", "＋") and Chinese numerals
    of a score written in digits. Clause by clause, so positions never cross clauses."""
    text = unicodedata.normalize("NFKC", text)

    def arabic(m: re.Match[str]) -> str:
        hundreds, zero_unit, tens, units, spoken = m.groups()
        value = _DIGIT[hundreds] * 100
        if zero_unit:
            value += _DIGIT[zero_unit]
        elif tens:
            value += _DIGIT[tens] * 10 + (_DIGIT[units] if units else 0)
        elif spoken:
            value += _DIGIT[spoken] * 10  # 六百五 is 650 when spoken
        return str(value)

    return _CN_NUMBER.sub(arabic, text)


def bounds(text: str) -> list[Bound]:
    """Every score bound the text states, in order. `text` should already be `plain`."""
    out: list[Bound] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_RANGE_ZH, *_RANGE_EN):
        for m in pattern.finditer(text):
            if any(s <= m.start("a") < e for s, e in taken):
                continue
            a, b = int(m["a"]), int(m["b"])
            if b > a:
                out += [Bound(a, "≥", m.start(), m.end(), True), Bound(b, "≤", m.start(), m.end(), True)]
                taken.append((m.start(), m.end()))
    for pattern, read in ((_SCORE_ZH, _comparator_zh), (_SCORE_EN, _comparator_en)):
        for m in pattern.finditer(text):
            if any(s <= m.start("n") < e for s, e in taken):
                continue
            comparator = read(m)
            if comparator and pattern is _SCORE_ZH and not (m["fen"] or m["post"]) and (
                    _UNIT.match(text, m.end())):
                continue  # "超过300家": a count, not a score
            if comparator:
                out.append(Bound(int(m["n"]), comparator, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    return sorted(out, key=lambda b: (b.start, not b.lower))


def _comparator_zh(m: re.Match[str]) -> str | None:
    pre, post = m["pre"] or "", m["post"] or ""
    if not (pre or post or m["fen"]):
        return None  # a bare number: a count or a year, not a score
    parens = (m["p1"] or "") + (m["p2"] or "")
    excluded = "(不" in parens
    included = bool(parens) and not excluded
    if post in _POST_LOWER:
        return ">" if excluded else "≥"
    if post in _POST_UPPER:
        if excluded:
            return "<"
        return "≤" if included or post in _POST_UPPER_INCL else "<"
    if pre in _PRE_UPPER:
        return "≤" if pre in _PRE_UPPER_INCL else "<"
    return ">" if pre in _PRE_LOWER_STRICT else "≥"


def _comparator_en(m: re.Match[str]) -> str | None:
    pre, post = (m["pre"] or "").lower(), (m["post"] or "").lower()
    if post in _EN_POST_LOWER:
        return "≥"
    if post in _EN_POST_UPPER:
        return "≤"
    if pre in _EN_UPPER:
        return "≤" if pre in _EN_UPPER_INCL else "<"
    return ">" if pre in _EN_LOWER_STRICT else "≥"


def pair(marks: list[tuple[int, Bound]]) -> list[tuple[Gate, int, int]]:
    """Gates from bounds in reading order, each with (position, bound) -> (gate, first, last).

    A lower bound followed by a higher upper bound at the same or the next position (clause)
    is one range ("600分以上、700分以下"); any other bound stands alone.
    """
    out: list[tuple[Gate, int, int]] = []
    i = 0
    while i < len(marks):
        at, bound = marks[i]
        if bound.lower and i + 1 < len(marks):
            nxt_at, nxt = marks[i + 1]
            if not nxt.lower and nxt.number > bound.number and nxt_at - at <= 1 and (
                    bound.ranged == nxt.ranged):
                out.append((Gate(bound, nxt), at, nxt_at))
                i += 2
                continue
        out.append((Gate(bound, None) if bound.lower else Gate(None, bound), at, at))
        i += 1
    return out


def gates(text: str) -> list[Gate]:
    """The gates one piece of text states (a table cell, a clause)."""
    return [g for g, _, _ in pair([(0, b) for b in bounds(plain(text))])]
