"""Shapes of personal identifiers and redaction of free text (re-exported by `watchdog.privacy`).

The obligation text of a listing (`duty`) often names the private party who won the judgment:
"支付原告揭某某水泥款53300元". We keep the amounts, dates and case numbers and replace the names of
natural persons that follow a party marker (原告, 被告, 申请执行人, ...) with a keyed token.

This is a heuristic. Chinese has no word boundaries, so where a name ends is guessed: a name the
source already anonymised ends with its run of 某 (揭某某); otherwise the shortest 2-4 character
candidate followed by a known continuation (水泥款, 劳务费, 元, punctuation, ...) wins; otherwise
up to three characters are taken. A party whose name reads as an organisation (公司, 厂, 银行,
...) is left alone: companies are public actors. When in doubt
it redacts (a word eaten after a name is a smaller harm than a name left in clear); the one
exception is after the verbs 给付/付给/支付给, which are followed by money far more often than by a
person, so there a name is only redacted when its end is clear.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from watchdog.privacy import Keyer

HAN = "\u3400-\u4dbf\u4e00-\u9fff"

# First two digits of a resident ID: the province-level division codes in use.
_PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83]
)
ID18_MASKED = re.compile(r"\d{10}\*{4}\d{3}[\dX]", re.ASCII)
ID18_FULL = re.compile(r"\d{17}[\dX]", re.ASCII)
ID15 = re.compile(r"\d{15}", re.ASCII)
# Any masking style, not just positions 11-14: other sources mask more or other digits.
_ID18_ANY = re.compile(r"\d{6}[\d*]{11}[\dX*]", re.ASCII)

# In free text: runs of 15-19 digits (or masked digits) are resident IDs or bank accounts.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z*＊])\d[\d*＊]{13,17}[\dXxＸｘ*＊](?![0-9A-Za-z*＊])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
ID_TOKEN = "[id]"
PHONE_TOKEN = "[phone]"
ADDRESS_TOKEN = "[address]"

# Organisation name endings. Multi-character ones count anywhere in the name; single characters
# only at the end of a name of 4+ characters, because 社/院/场 also end given names (王建社).
_ORG_MULTI = (
    "公司", "集团", "中心", "银行", "支行", "分行", "合作社", "信用社", "联社", "商行", "委员会",
    "政府", "学校", "医院", "协会", "商会", "工会", "基金会", "事务所", "研究院", "研究所",
    "经营部", "门市部", "项目部", "工作室", "办事处", "管理处", "工程队", "施工队", "建筑队",
    "幼儿园", "大学", "学院", "酒店", "宾馆", "饭店", "超市", "商店", "农场", "林场", "企业",
    "工厂", "法院", "检察院", "派出所", "俱乐部", "村委会", "居委会", "管委会",
)
_ORG_SINGLE = frozenset("厂店局院所部站处社场队馆")
_TRAILING_BRACKET = re.compile(r"[（(][^（()）]*[）)]$")

_MARKER_WORDS = (
    "申请执行人", "法定代表人", "被申请人", "被上诉人", "被执行人", "被告人", "申请人", "上诉人",
    "第三人", "债权人", "债务人", "担保人", "保证人", "负责人", "代理人", "原告", "被告",
)
_WEAK_MARKERS = ("支付给", "付给", "给付")
# (?!民): 申请人民法院, 第三人民医院 are not parties.
_MARKER = re.compile("(" + "|".join(_MARKER_WORDS + _WEAK_MARKERS) + ")(?!民)")
_ROLE_PREFIX = re.compile(r"[:：\s]*(?:[（(][^（()）]{1,12}[）)])?[:：\s]*")
_ENTITY_RUN = re.compile(f"[{HAN}A-Za-z·（）()]+")
_HAN_RUN = re.compile(f"[{HAN}]+")
_MOU_NAME = re.compile(f"[{HAN}]{{1,2}}?某{{1,2}}")

# Words after a marker that are not a name (被执行人标的款, 由被告承担, 被执行人的财产).
_NOT_A_NAME = re.compile(
    "(?:标的|本人|名下|承担|负担|共同|连带|应[于当在向自付予按该给支偿归赔返]|于(?:本|判决)|[在自](?:本|判决)"
    "|向(?:原告|申请|被)|提出|提供|申请|履行|财产|支付|偿还|给付|归还|赔偿|返还|一方|双方|人民币"
    "|诉讼|败诉|胜诉|享有|有权|逾期|主张|可以|依法|没有|同意|自愿|个人|之间|死亡|住所|所欠|尚欠"
    # 失信被执行人名单 (the Baidu records' type): the list's own name, not a party's.
    "|名单(?![\u4e00-\u9fff])"
    "|[的所未已不拒对均各其与及等系是如若因以将需须可无负欠])"
)
# After 给付/付给/支付给 the object is usually money, not a person.
_WEAK_NOT_A_NAME = re.compile(
    "(?:金钱|义务|迟延|利息|上述|全部|剩余|欠款|货款|借款|本金|工资|报酬|租金|违约金|费用|款项"
    "|扶养|抚养|赡养|案件|执行|相应|每月|判决|价款|工程|购房|转让|补偿|医疗|保险|押金|定金|保证金)"
)
_MONEY_CHARS = frozenset("款费钱息务额债元")
# What may follow a name (brief's list plus verbs that start the predicate).
_CONTINUATIONS = (
    "水泥款", "劳务费", "工程款", "违约金", "人民币", "货款", "借款", "工资", "租金", "利息",
    "本金", "损失", "名下", "一案", "连带", "承担", "负担", "偿还", "支付", "给付", "归还",
    "赔偿", "返还", "提出", "申请", "共同", "抚养", "扶养", "赡养", "医疗", "补偿", "报酬",
    "保证金", "押金", "定金", "房租", "运费", "服务费", "律师费", "受理费", "保全费", "民间",
    "借贷", "买卖", "合同", "纠纷", "离婚", "劳动", "租赁", "追偿", "不当得利", "机动车", "交通",
    "侵权", "确认", "不服", "拖欠", "垫付", "经济", "因", "犯", "元", "的", "等", "及", "和",
    "与", "款", "费", "诉", "向", "应", "于", "在", "自", "已", "未", "欠", "所", "为", "对",
    "系", "是", "均", "各", "之", "借",
) + _MARKER_WORDS
# Where an organisation's name ends and the sentence goes on (used to bound the suffix search).
_ORG_BOUNDARY = re.compile(
    "(?:应[于当在向自付]|[于在自](?:本|判决)|偿还|支付|给付|付给|归还|赔偿|返还|承担|负担|共同"
    "|连带|所欠|欠付|尚欠|向(?:原告|申请|被)|诉称|[的对与及诉])|" + "|".join(_MARKER_WORDS)
)
_CHAIN = "、和及与"
# Everything `redact_free_text` can change begins with an ID-like number, a mobile number or a
# party marker. Both numbers start with a digit followed by ten or more digits, stars, spaces or
# hyphens, so a text with neither that nor a marker comes out unchanged. The two searches are
# several times faster than one for the exact patterns, which strings seldom need. No match can
# include a NUL, so texts joined with NUL can be searched at once (see `privacy_records`).
NUMBER_HINT = re.compile(r"\d[\d*＊ -]{10}")
MARKER = _MARKER


def may_change(text: str) -> bool:
    """False when `redact_free_text` would certainly return `text` unchanged."""
    return NUMBER_HINT.search(text) is not None or _MARKER.search(text) is not None


_ORG_MULTI_RE = re.compile("|".join(map(re.escape, _ORG_MULTI)))


def canonical_id(card: str | None) -> str:
    """NFKC, upper case, no spaces; 15-digit legacy IDs upgraded to 18 digits."""
    text = unicodedata.normalize("NFKC", card or "").upper().replace(" ", "").strip()
    if ID15.fullmatch(text):
        # Same number in the 18-digit scheme: insert the century, append the check digit.
        from stdnum.cn import ric

        body = text[:6] + "19" + text[6:]
        text = body + ric.calc_check_digit(body + "0")
    return text


def looks_like_resident_id(card: object) -> bool:
    """True for anything shaped like a resident ID, masked in any style, or a legacy 15-digit ID.

    Broad on purpose: it decides whether a value is redacted, and a false positive only costs an
    organisation code shown as a token.
    """
    if not isinstance(card, str | int) or isinstance(card, bool):
        return False
    text = unicodedata.normalize("NFKC", str(card)).upper().replace(" ", "").strip()
    if ID15.fullmatch(text):
        month, day = int(text[8:10]), int(text[10:12])
        return int(text[:2]) in _PROVINCE_CODES and 1 <= month <= 12 and 1 <= day <= 31
    if not _ID18_ANY.fullmatch(text) or int(text[:2]) not in _PROVINCE_CODES:
        return False
    year = text[6:10]
    return "*" in year or year[:2] in ("18", "19", "20")


def is_org_name(text: str | None) -> bool:
    """Whether a name reads as an organisation (公司, 厂, 银行, ...); see `_ORG_MULTI`."""
    if not text:
        return False
    name = unicodedata.normalize("NFKC", text).strip()
    if _ORG_MULTI_RE.search(name):
        return True
    name = _TRAILING_BRACKET.sub("", name).strip()
    return len(name) >= 4 and name[-1] in _ORG_SINGLE


def person_token(keyer: Keyer, key: str) -> str:
    """The placeholder that replaces a natural person in any text we keep."""
    return f"[person:{keyer.short(key)}]"


def redact_identifiers(text: str) -> str:
    """Replace resident-ID-like numbers and mobile numbers; nothing else."""
    return _MOBILE_IN_TEXT.sub(PHONE_TOKEN, _ID_IN_TEXT.sub(ID_TOKEN, text))


def _is_continuation(rest: str) -> bool:
    if not rest or not _HAN_RUN.match(rest[0]):
        return True  # end of text, digits, punctuation, brackets
    return rest.startswith(_CONTINUATIONS)


def _pick_name(head: str, weak: bool) -> str | None:
    run = _HAN_RUN.match(head)
    if run is None or len(run[0]) < 2:
        return None
    han = run[0]
    # Names the source already anonymised (揭某某, 欧阳某) end with their run of 某.
    if m := _MOU_NAME.match(head):
        return m[0]
    for k in range(2, min(4, len(han)) + 1):
        rest = head[k:]
        if rest.startswith("某"):
            continue
        if _is_continuation(rest):
            name = head[:k]
            if weak and _MONEY_CHARS.intersection(name):
                return None
            return name
    if weak:
        return None
    return han if len(han) <= 4 else han[:3]


def _entity_at(text: str, i: int, weak: bool) -> tuple[str, int] | None:
    """("org"|"person", end) for the party named at `i`, or None when no party is named there."""
    head = text[i:i + 80]
    if not head or not _HAN_RUN.match(head[0]):
        return None
    if _MARKER.match(head) or _NOT_A_NAME.match(head) or (weak and _WEAK_NOT_A_NAME.match(head)):
        return None
    run = _ENTITY_RUN.match(head)
    assert run is not None  # head[0] is Han
    entity = run[0]
    if (cut := _ORG_BOUNDARY.search(entity, 2)) is not None:
        entity = entity[:cut.start()]
    if is_org_name(entity):
        return "org", i + len(entity)
    name = _pick_name(head, weak)
    return ("person", i + len(name)) if name else None


def redact_free_text(text: str, keyer: Keyer) -> str:
    """Redact natural persons named after a party marker, resident IDs and mobile numbers.

    Amounts, dates and case numbers are kept. Names become `[person:p:<16 hex>]` keyed by
    `Keyer.name_key`, so the same name gets the same token everywhere. Organisations after a
    marker (被告广西五鸿建设集团有限公司) are kept: companies are public actors.
    """
    if not may_change(text):
        return text
    cache = keyer.texts
    if cache is None:
        return _redact_free_text(text, keyer)
    if (known := cache.get(text)) is None:
        if len(cache) >= _TEXT_CACHE_SIZE:
            cache.clear()
        known = cache[text] = _redact_free_text(text, keyer)
    return known


_TEXT_CACHE_SIZE = 8192
# Stand-ins for the literals of `redact_with_literals`: runs of private-use characters, which
# no pattern here takes for a name, a digit or a marker (nor for part of one).
_STAND_IN = 0xE000
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def redact_with_literals(text: str, keyer: Keyer, literals: Sequence[tuple[str, str]]) -> str:
    """`redact_free_text` of `text` once each literal (a name or number known from the record's
    own fields) is replaced by its token; longest literal first.

    The literals go in as stand-ins and their tokens after the free-text pass, so that pass
    reads the same text whatever the tokens are: the archived copy and the stored payload put
    different tokens for the same name, and the pass they share is then done once (the keyer's
    cache serves the second). A token's hex digits are never read as an ID or phone number."""
    present = [(lit, tok) for lit, tok in literals if lit and lit in text]
    if not present:
        return redact_free_text(text, keyer)
    if len(present) > 1:
        present = _longest_first(present)
    if _PRIVATE_USE.search(text) is not None:
        for literal, token in present:  # the text holds our stand-ins itself: no shortcut
            text = text.replace(literal, token)
        return redact_free_text(text, keyer)
    # A stand-in as long as its token: the pass looks a fixed distance ahead of a marker, so
    # it must see what it would see with the token in place.
    stand_ins = [chr(_STAND_IN + n) * len(token) for n, (_, token) in enumerate(present)]
    for (literal, _), stand_in in zip(present, stand_ins, strict=True):
        text = text.replace(literal, stand_in)
    text = redact_free_text(text, keyer)
    for (_, token), stand_in in zip(present, stand_ins, strict=True):
        text = text.replace(stand_in, token)
    return text


def _longest_first(literals: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    # Longest first, so a name that contains another is replaced whole; of equal literals the
    # first given wins (its token is the one a replacement in order would have put).
    seen: set[str] = set()
    out = []
    for literal, token in sorted(literals, key=lambda pair: -len(pair[0])):
        if literal not in seen:
            seen.add(literal)
            out.append((literal, token))
    return out


def _redact_free_text(text: str, keyer: Keyer) -> str:
    text = redact_identifiers(text)
    out: list[str] = []
    pos = 0
    search_from = 0
    while (m := _MARKER.search(text, search_from)) is not None:
        weak = m[1] in _WEAK_MARKERS
        prefix = _ROLE_PREFIX.match(text, m.end())
        i = prefix.end() if prefix else m.end()
        search_from = m.end()
        while (found := _entity_at(text, i, weak)) is not None:
            kind, end = found
            if kind == "person":
                out.append(text[pos:i])
                out.append(person_token(keyer, keyer.name_key(text[i:end])))
                pos = end
            search_from = i = end
            # 原告张某、李某: a list of parties shares one marker.
            if i + 1 < len(text) and text[i] in _CHAIN and _HAN_RUN.match(text[i + 1]):
                i += 1
                continue
            break
    out.append(text[pos:])
    return "".join(out)
