"""Sole traders in the foreign lists: one name cell that holds a natural person and the name
they trade under ("ZHANG SAN d/b/a HUAYANG ELECTRONICS", "Zhang Wei trading as ...",
"张三以华阳电子商行名义", "华阳电子商行（经营者：张三）", "个体工商户张三").

Judged whole, such a name reads as a firm ("TRADING", "ELECTRONICS") and the owner's name would
be stored in clear. This module only splits the cell into owner and trading name; whether the
owner is a person is decided in `foreign_common` (`sole_trader`), by the owner part alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# The marker must be followed by a name, so "NORDIC TRADING AS" (a Norwegian company form at
# the end of a name) is not read as "trading as".
_MARKERS = (r"d/b/a|d\.b\.a\.?|dba|t/a|trading as|trading under the (?:name|style) of|"
            r"doing business (?:as|under)|operating as|carrying on business as")
_MARKER = re.compile(rf"(?<![\w/])(?P<marker>{_MARKERS})(?![\w/])[:.]?\s+(?=[^\W_])",
                     re.IGNORECASE)
# The names a marker lists in free text: "(also doing business as A and B) *187".
_LISTED = re.compile(_MARKER.pattern + r"(?P<list>[^()*]+)", re.IGNORECASE)
_LIST_SEP = re.compile(r"\s*(?:[,;]|\band\b|\bor\b)\s*", re.IGNORECASE)
_IN_NAME_OF = re.compile(r"^(?P<owner>.+?)以(?P<trade>.+?)的?名义")
_OPERATOR = re.compile(r"^(?P<trade>.+?)\((?:个体工商户)?[,;:、\s]*经营者:\s*(?P<owner>[^()]+)\)$")
_SOLE = re.compile(r"\(?个体工商户\)?:?")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_TITLES = frozenset({"MR", "MRS", "MS", "MISS", "DR", "PROF", "SIR", "MADAM", "MME"})


@dataclass(frozen=True)
class Trading:
    owner: str              # who trades: a person, or a firm ("ACME LTD d/b/a ACME")
    trade: str | None       # the name traded under, as published; None when only marked
    template: str           # how the cell joins them, e.g. "{owner} d/b/a {trade}"

    def joined(self, owner: str, trade: str | None) -> str:
        """The cell rebuilt with another owner (a placeholder) and, if any, trading name."""
        if trade is None:
            return owner
        return self.template.format(owner=owner, trade=trade)


def split_trading(name: str | None) -> Trading | None:
    """Owner and trading name of a name cell that marks one, else None."""
    if not name:
        return None
    # NFKC: full-width brackets and colons of Chinese names read as half-width ones.
    text = " ".join(unicodedata.normalize("NFKC", name).split())
    if m := _MARKER.search(text):
        owner, trade = text[:m.start()].strip(" ,;("), text[m.end():].strip(" ,;")
        if trade.endswith(")") and trade.count(")") > trade.count("("):
            trade = trade[:-1].rstrip()  # 'X (d/b/a Y)': the bracket closes around the marker
        if not owner:
            return None
        return Trading(owner, trade or None, "{owner} " + m["marker"] + " {trade}")
    if m := _IN_NAME_OF.match(text):
        return Trading(m["owner"].strip(), m["trade"].strip(), "{owner}以{trade}名义")
    if m := _OPERATOR.match(text):
        return Trading(m["owner"].strip(), m["trade"].strip(), "{trade}(经营者:{owner})")
    if "个体工商户" in text:
        owner = _SOLE.sub("", text).strip(" ,;:、")
        return Trading(owner, None, "{owner}") if owner else None
    return None


def listed_trade_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of each name a trading marker lists in a text, e.g. both names in
    '(also doing business as LAXMI NARAYAN CONSTRUCTION and LAXMINARAYAN MALLICK)'."""
    spans = []
    for m in _LISTED.finditer(text):
        pos = m.start("list")
        for piece in _LIST_SEP.split(m["list"]):
            start = text.index(piece, pos) if piece else pos
            pos = start + len(piece)
            name = piece.strip(" .")
            if name:
                offset = start + piece.index(name)
                spans.append((offset, offset + len(name)))
    return spans


def names_owner(trade: str, owner: str) -> bool:
    """Whether a trading name carries its owner's name ('ZHANG SAN TRADING', 'ZHANGSAN
    TRADING', '张三五金店'): such a name cannot be shown without showing the person."""
    if _HAN.search(owner):
        core = "".join(_HAN.findall(owner))
        # The whole name, or the given name when it is two characters or more (张三丰 -> 三丰).
        return bool(core) and (core in trade or (len(core) >= 3 and core[1:] in trade))
    words = {w for w in _words(owner) if len(w) >= 2} - _TITLES
    if not words:
        return False
    trade_words = _words(trade)
    joined = "".join(w for w in _words(owner) if w not in _TITLES)
    return bool(words & set(trade_words)) or joined in "".join(trade_words)


def _words(text: str) -> list[str]:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.findall(r"[A-Z0-9]+", plain.upper())
