"""Normalising the circumstance phrases a court portal publishes, so variants compare equal.

The portal has published the same circumstance in several spellings over the years: with and
without a trailing 的, with a 其他/其它 prefix (the 2013 catch-all wording) or the subject
被执行人 in front (the 2013 wording of the settlement item opens with it), in full-width or
half-width punctuation, and several phrases joined by commas or semicolons in one field.

Normalising only removes what does not change which circumstance a phrase names. The one
liberty beyond it is `partial_means_keys`: a phrase naming only some of the means circumstance
(2) lists. Fragments still name nothing: 有履行能力 alone, 其他 alone, 被执行人 alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import combinations

# Where one field joins several circumstances: commas and semicolons in either width (and the
# small forms ﹐﹔), and line breaks. 、 is not a separator: it sits inside the phrase of
# circumstance (2) itself (以伪造证据、暴力、威胁等方法妨碍、抗拒执行). The court parser splits
# on the same characters (watchdog.parsers.common), so stored facts and verdicts agree.
SEPARATORS = re.compile(r"[,，﹐;；﹔\r\n]")

# Leading words that do not change the circumstance: the subject of every item (失信)被执行人,
# and 其他/其它 of the 2013 catch-all. Longest first, so 失信被执行人 is not left as 失信.
_LEADING = ("失信被执行人", "被执行人", "其他", "其它")
# The particle 的 (确定的义务 = 确定义务, the 的 closing each item): no wording turns on it.
_PARTICLE = "的"
_ENUMERATION_COMMA = "、"
# Circumstance (2): 以<means, joined by 、>等方法<acts>. Only a list of simple means qualifies:
# circumstance (3) (以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行) nests two lists,
# and splitting it on 、 would make pieces such as 隐匿 that are not means on their own.
_MEANS_LIST = re.compile(r"以(?P<means>[^以或]+?)等方法(?P<acts>.+)")


def _tidy(text: str) -> str:
    """Width folded, whitespace, 的 and punctuation other than 、 gone, leading subject and
    其他/其它 dropped. 、 is kept so the list of means in a wording can still be read."""
    folded = unicodedata.normalize("NFKC", text)
    kept = "".join(
        ch for ch in folded
        if not ch.isspace() and ch != _PARTICLE
        and (ch == _ENUMERATION_COMMA or not unicodedata.category(ch).startswith("P"))
    )
    kept = kept.strip(_ENUMERATION_COMMA)
    stripped = True
    while stripped:  # 其他被执行人…, 被执行人其他…: either order
        stripped = False
        for prefix in _LEADING:
            if kept.startswith(prefix):
                kept = kept[len(prefix):].lstrip(_ENUMERATION_COMMA)
                stripped = True
                break
    return kept


def normalise_phrase(text: str) -> str:
    """Reduce a published phrase to the key it is matched on ("" for a phrase with no content)."""
    return _tidy(text).replace(_ENUMERATION_COMMA, "")


def partial_means_keys(wording: str) -> set[str]:
    """Keys of `wording` quoted with only some of the means its 以…等方法 list names.

    The rule lists the means of circumstance (2) as examples (伪造证据、暴力、威胁等), and the
    2017 Provisions themselves refer to it as 以暴力、威胁方法妨碍、抗拒执行 (Art. 2). A phrase
    naming one or more of the listed means, with or without 等, names the same circumstance; a
    phrase naming a means the rule does not list (以欺诈方法妨碍、抗拒执行) gets no key here.
    """
    match = _MEANS_LIST.fullmatch(_tidy(wording))
    if match is None:
        return set()
    means = match["means"].split(_ENUMERATION_COMMA)
    if not all(means):
        return set()
    keys: set[str] = set()
    for size in range(1, len(means) + 1):
        for chosen in combinations(means, size):
            for etc in ("等", ""):
                keys.add(normalise_phrase(f"以{'、'.join(chosen)}{etc}方法{match['acts']}"))
    return keys


def phrase_index(texts: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Key -> circumstance id, from (circumstance id, statutory wording or published phrase).

    A key that two circumstances would share is left out: an ambiguous phrase must name none
    rather than the first one read.
    """
    owners: dict[str, set[str]] = {}
    for cid, text in texts:
        for key in {normalise_phrase(text)} | partial_means_keys(text):
            if key:
                owners.setdefault(key, set()).add(cid)
    return {key: next(iter(cids)) for key, cids in owners.items() if len(cids) == 1}


def split_phrases(values: Iterable[str]) -> list[str]:
    """Split published values on commas, semicolons (either width) and line breaks; drop empty
    parts."""
    parts: list[str] = []
    for value in values:
        parts.extend(p.strip() for p in SEPARATORS.split(value) if p.strip())
    return parts
