"""Redaction of court-list JSON structures and raw bodies (re-exported by `watchdog.privacy`).

`redact_record_json` works on parsed JSON and knows which record is a person; `redact_raw_bytes`
works on bytes that may not parse (a truncated body, an HTML page) and so redacts by key name
and shape, erring towards over-redaction: whatever it cannot classify is redacted.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING

from watchdog.privacy_text import (
    ADDRESS_TOKEN,
    HAN,
    ID_TOKEN,
    MARKER,
    NUMBER_HINT,
    is_org_name,
    looks_like_resident_id,
    person_token,
    redact_free_text,
    redact_identifiers,
    redact_with_literals,
)

if TYPE_CHECKING:
    from watchdog.privacy import Keyer

# The record subject's own name and ID (zxgk/Baidu keys, jszx, zhixing and Chinese column names).
SUBJECT_NAME_KEYS = ("iname", "pname", "name", "被执行人", "被执行人姓名/名称", "被执行人姓名", "姓名")
CARD_KEYS = ("cardNum", "partyCardNum", "身份证号码/组织机构代码", "身份证号码", "证件号码")
# A legal representative is a natural person even when the record is a company.
REP_KEYS = ("businessEntity", "buesinessEntity", "法定代表人", "负责人")
# Other parties named by column (the creditor in a zhixing record).
OTHER_PARTY_KEYS = ("申请执行人",)
_PERSON_PARTY_TYPES = frozenset({"580", "0", "自然人"})
_ORG_PARTY_TYPES = frozenset({"581", "1", "法人", "其他组织", "非自然人"})
_EMPTY_VALUES = frozenset({"", "暂无", "无"})


def _text(value: object) -> str:
    if value is None or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()


def _is_address_key(key: str) -> bool:
    return "地址" in key or "address" in key.lower()


def _first(record: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        if value := _text(record.get(key)):
            return value
    return ""


_RECORD_KEYS = frozenset(SUBJECT_NAME_KEYS + CARD_KEYS + REP_KEYS)
_SUBJECT_KEYS = frozenset(SUBJECT_NAME_KEYS + CARD_KEYS)
_PARTY_KEYS = REP_KEYS + OTHER_PARTY_KEYS


def _is_record(obj: dict) -> bool:
    return not _RECORD_KEYS.isdisjoint(obj)


def record_is_person(record: dict) -> bool:
    """Whether a court-list record is about a natural person (errs towards yes).

    A record is a person when its party type says so, when it publishes a sex or an age, or when
    its card number is shaped like a resident ID. Otherwise it is an organisation if its party
    type says so or its name reads as one; a record with no evidence either way is a person.
    """
    party = _text(record.get("partyTypeName"))
    try:
        age = int(_text(record.get("age")) or 0)
    except ValueError:
        age = 0
    if party in _PERSON_PARTY_TYPES or _text(record.get("sexy")) or age > 0:
        return True
    if looks_like_resident_id(_first(record, CARD_KEYS)):
        return True
    if party in _ORG_PARTY_TYPES:
        return False
    return not is_org_name(_first(record, SUBJECT_NAME_KEYS))


def _walk(obj: object, keyer: Keyer, literals: list[tuple[str, str]]) -> object:
    if isinstance(obj, str):
        return redact_with_literals(obj, keyer, literals)
    if isinstance(obj, dict):
        if _is_record(obj):
            return _redact_record(obj, keyer, literals)
        return {k: _walk(v, keyer, literals) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_walk(v, keyer, literals) for v in obj]
    return obj


def _redact_record(record: dict, keyer: Keyer, outer: list[tuple[str, str]]) -> dict:
    person = record_is_person(record)
    name, card = _first(record, SUBJECT_NAME_KEYS), _first(record, CARD_KEYS)
    literals = list(outer)
    subject_token = ""
    if person and (name or card):
        subject_token = person_token(keyer, keyer.person_key(name, card))
        # The subject's name or ID repeated in another field (duty, a Baidu title) goes too.
        literals += [(s, subject_token) for s in (name, card) if len(s) >= 2]
    rep_tokens: dict[str, str] = {}
    for key in _PARTY_KEYS:
        value = _text(record.get(key))
        if value in _EMPTY_VALUES or (key in OTHER_PARTY_KEYS and is_org_name(value)):
            continue
        rep_tokens[key] = person_token(keyer, keyer.name_key(value))
        if len(value) >= 2:
            literals.append((value, rep_tokens[key]))
    out: dict = {}
    plain: list[str] = []
    for key, value in record.items():
        if isinstance(value, str) and key not in rep_tokens and not (person and (
                key in _SUBJECT_KEYS or _is_address_key(key)) and value.strip()):
            out[key] = value  # a plain string field: redacted below, with the others
            plain.append(key)
        elif person and key in _SUBJECT_KEYS and _text(value):
            out[key] = subject_token
        elif key in rep_tokens:
            out[key] = rep_tokens[key]
        elif person and _is_address_key(key) and _text(value):
            out[key] = ADDRESS_TOKEN
        else:
            out[key] = _walk(value, keyer, literals)
    for i in _touched([out[key] for key in plain], literals):
        out[plain[i]] = redact_with_literals(out[plain[i]], keyer, literals)
    return out


def _touched(texts: list[str], literals: list[tuple[str, str]]) -> list[int]:
    """Which of `texts` redaction could change: those holding a literal or a free-text trigger.

    Most fields of a record (dates, court, area, codes) hold neither; searching the texts
    joined with NUL finds the few that may (see `privacy_text.may_change`). The others would
    come out of `redact_with_literals` exactly as they went in.
    """
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:
        return list(range(len(texts)))  # a NUL inside a value: no telling where it ends
    ends = list(accumulate(len(text) + 1 for text in texts))
    touched = {bisect_right(ends, m.start()) for pattern in (NUMBER_HINT, MARKER)
               for m in pattern.finditer(joined)}
    for literal, _ in literals:
        if literal in joined:
            touched.update(i for i, text in enumerate(texts) if literal in text)
    return sorted(touched)


def redact_record_json(obj: object, keyer: Keyer) -> object:
    """A copy of a parsed court-list response with natural persons replaced by tokens.

    Every person's name and ID (`iname`/`pname`/`name`, `cardNum`/`partyCardNum`) becomes
    `[person:p:…]` (one token per person, from `Keyer.person_key`); every legal representative
    (`businessEntity`) becomes the token of its name; every other string goes through
    `redact_free_text`. Organisations keep their name and code: companies are public actors.
    """
    return _walk(obj, keyer, [])


# "key": "value — the value may be cut off by the end of a truncated body.
_PAIR = re.compile(r'"(?P<k>(?:[^"\\\n]|\\.){1,40})"\s*:\s*"(?P<v>(?:[^"\\]|\\.)*)(?P<q>"?)')
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_TD_NAME = re.compile(f"(<td[^>]*>\\s*)([{HAN}·]{{2,4}})(\\s*</td>)", re.IGNORECASE)
_JSONP = re.compile(r"^\s*[\w.$]+\s*\((?P<body>.*)\)\s*;?\s*$", re.DOTALL)


def _unescape(raw: str) -> str:
    try:
        return json.loads(f'"{raw}"')
    except ValueError:
        # A value cut off mid-escape: decode what can be decoded.
        return _UNICODE_ESCAPE.sub(lambda m: chr(int(m[1], 16)), raw)


def _code_kept(value: str) -> bool:
    # Organisation codes (9 chars) and USCCs (18, with a letter or a masked block) stay.
    compact = value.replace("-", "").upper()
    if looks_like_resident_id(compact) or not compact.replace("*", "").isalnum():
        return False
    return len(compact) == 9 or (len(compact) == 18 and not compact.isdigit())


def _redact_pair(m: re.Match[str], keyer: Keyer) -> str:
    key, value = _unescape(m["k"]), _unescape(m["v"])
    closed = m["q"] == '"'
    new: str | None = None
    if key in SUBJECT_NAME_KEYS + REP_KEYS + OTHER_PARTY_KEYS:
        # A value cut off by truncation cannot be judged: redact it.
        org = closed and key not in REP_KEYS and is_org_name(value)
        if value.strip() and not org:
            new = person_token(keyer, keyer.name_key(value))
    elif key in CARD_KEYS:
        if value.strip() and not (closed and _code_kept(value)):
            new = ID_TOKEN
    elif _is_address_key(key) and value.strip():
        new = ADDRESS_TOKEN
    else:
        new = redact_free_text(value, keyer)
        if new == value:
            new = None  # untouched: keep the bytes exactly as they were
    if new is None:
        return m[0]
    encoded = json.dumps(new, ensure_ascii=False)[1:-1]
    return m[0][: m.start("v") - m.start()] + encoded + m["q"]


def _decode(body: bytes) -> tuple[str, str]:
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        # A body truncated inside a multi-byte character is still UTF-8; reading it as GBK
        # would turn every name into mojibake that no pattern recognises.
        if exc.start >= len(body) - 3:
            return body.decode("utf-8", "surrogateescape"), "utf-8"
    try:
        return body.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    # Keep undecodable bytes round-trippable rather than guessing.
    return body.decode("utf-8", "surrogateescape"), "utf-8"


def redact_raw_bytes(body: bytes, keyer: Keyer) -> bytes:
    """Redact a response body that may not parse (truncated JSON, HTML, JSONP).

    If the body parses as JSON it goes through `redact_record_json`. Otherwise values of name
    keys (`iname`, `pname`, `name`, `businessEntity`, ...) are replaced unless they read as an
    organisation, card numbers unless they are shaped like an organisation code or USCC,
    addresses always, and every other string value, then the whole text, goes through the
    free-text and ID/phone redaction. Names in HTML table cells of 2-4 Han characters go too.
    """
    text, codec = _decode(body)
    jsonp = _JSONP.match(text)
    try:
        parsed = json.loads(jsonp["body"] if jsonp else text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict | list):
        redacted = json.dumps(redact_record_json(parsed, keyer), ensure_ascii=False)
        if jsonp:  # keep the callback wrapper so the copy still reads as what was served
            redacted = text[: jsonp.start("body")] + redacted + text[jsonp.end("body"):]
        return redacted.encode(codec, "surrogateescape")
    text = _PAIR.sub(lambda m: _redact_pair(m, keyer), text)
    text = _TD_NAME.sub(
        lambda m: m[0] if is_org_name(m[2])
        else m[1] + person_token(keyer, keyer.name_key(m[2])) + m[3],
        text,
    )
    text = redact_free_text(redact_identifiers(text), keyer)
    return text.encode(codec, "surrogateescape")
