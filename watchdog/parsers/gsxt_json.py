"""gsxt JSON: the national notices list (DataTables) and the mobile app's company record.

Notices (`affiche-query-area-info-paperall.html`, noticeType 11 abnormal operations, 21 serious
violations): `{draw, recordsTotal, recordsFiltered, data: [{noticeId, noticeTitle, noticeContent
(HTML naming the company and its code), noticeDate (epoch ms), judAuth_CN}]}`. The title names
the company and what happened (列入 / 移出 ...); an individual business adds its operator, a
natural person, who is keyed and struck out. App record (`primaryinfoapp-entbaseInfo`): the
registry entry with `keyperson[]` and `shareholder[]`; persons keyed, firms kept.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from watchdog.parsers.base import ParsedFile, Rejection
from watchdog.parsers.common import clean_text, normalise_width, parse_date
from watchdog.parsers.credit_china_records import json_type
from watchdog.parsers.errors import RecordError
from watchdog.parsers.gsxt_fields import (
    NOTICE_ACTIONS,
    NOTICE_CODE,
    NOTICE_OPERATOR,
    NOTICE_SUBJECT,
    NOTICE_TYPES,
    OPERATOR_NAME,
)
from watchdog.parsers.gsxt_records import (
    Found,
    company,
    digest,
    draft,
    person_value,
    scrub_drafts,
)
from watchdog.privacy import Keyer

_NOTICE_KNOWN = frozenset({"noticeId", "noticeTitle", "noticeContent", "noticeDate",
                           "judAuth_CN", "judAuth", "noticeType", "noticeFrom", "provinceId"})
_TAGS = re.compile(r"<[^>]+>")
# App record: fields read, and fields known but not stored (app bookkeeping, the collector's
# own timestamps, group information).
_APP_FIELDS = {"entTypeCN": "entity_type", "regStateCN": "status", "regOrgCn": "reg_authority",
               "estDate": "established", "apprDate": "approved", "dom": "address",
               "opFrom": "op_from", "opTo": "op_to", "opScope": "scope", "regCap": "reg_capital",
               "regCapCurCN": "reg_capital_currency", "industryPhy": "industry",
               "nodeNum": "node", "regOrg": "reg_authority_code", "regState": "status_code",
               "entType": "entity_type_code"}
_APP_DATES = frozenset({"established", "approved", "op_from", "op_to"})
_APP_IGNORED = frozenset({"entName", "uniscId", "regNo", "legalName", "keyperson", "shareholder",
                          "preEntType", "eGrpName", "eGrpShform", "ePubGroup", "updatedAt",
                          "entTypeForAnnualReport", "entTypeForQuery", "linkmanName",
                          "linkmanCerNo", "linkmanPhone", "createdAt", "url", "pripId"})
_PERSON_KEYS = frozenset({"perId", "pripId", "name", "positionCN", "createdAt", "url"})
_HOLDER_KEYS = frozenset({"invId", "inv", "invTypeCN", "cerTypeCN", "cerNo", "blicTypeCN",
                          "liSubConAm", "liAcConAm", "countryCN", "dom", "respFormCN", "respForm",
                          "sConForm", "sConFormCN", "conDate", "detailCheck", "url", "createdAt"})


def is_notices(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("data"), list) and (
        "recordsTotal" in obj or "draw" in obj or any(
            isinstance(i, dict) and "noticeTitle" in i for i in obj["data"]))


def app_record(obj: Any) -> dict[str, Any] | None:
    for node in (obj, obj.get("result") if isinstance(obj, dict) else None,
                 obj.get("data") if isinstance(obj, dict) else None):
        if isinstance(node, dict) and ("entName" in node or "uniscId" in node):
            return node
    return None


def notices(obj: dict[str, Any], keyer: Keyer, name: str | None) -> tuple[ParsedFile, Found]:
    query = _query(name)
    found = Found()
    parsed = ParsedFile(fmt="notices")
    for i, item in enumerate(obj["data"]):
        try:
            if not isinstance(item, dict):
                raise RecordError("a notice that is not an object")
            parsed.drafts.append(_notice(item, keyer, query.get("noticeType"), found))
        except RecordError as exc:
            parsed.rejections.append(Rejection(i, exc.reason))
    scrub_drafts(parsed.drafts, found.persons, keyer)
    total = obj.get("recordsTotal") if isinstance(obj.get("recordsTotal"), int) else None
    parsed.next_pages = _next(name, query, total)
    return parsed, found


def _notice(item: dict[str, Any], keyer: Keyer, notice_type: str | None, found: Found) -> Any:
    title = normalise_width(clean_text(item.get("noticeTitle")) or "")
    text = " ".join(_TAGS.sub(" ", str(item.get("noticeContent") or "")).split())
    operator = NOTICE_OPERATOR.search(title)
    if operator:
        person_value(operator[1], keyer, found)
        title = title.replace(operator[0], "")
    for other in OPERATOR_NAME.finditer(text):  # the content may name the operator again
        person_value(other[1], keyer, found)
    m = NOTICE_SUBJECT.match(title)
    code = NOTICE_CODE.search(normalise_width(text))
    name = m[1].strip() if m else None
    who = company(name, code[1] if code else None, found=found)
    kind = NOTICE_TYPES.get(notice_type or "") or (
        "serious" if "严重违法" in title else "abnormal" if "经营异常" in title else "other")
    action = next((a for word, a in NOTICE_ACTIONS if word in title), "unknown")
    try:
        day = parse_date(item.get("noticeDate"))
    except ValueError:
        day = None
        found.problems.append("notice_date")
    payload = {"list_kind": kind, "action": action, "notice_date": day and day.isoformat(),
               "authority": clean_text(item.get("judAuth_CN")), "notice_id": item.get("noticeId"),
               "title": clean_text(item.get("noticeTitle")), "notice_text": text[:2000] or None,
               "subject_name": who.name, "subject_code": who.code}
    if operator:
        payload["operator_key"] = keyer.name_key(operator[1].strip())
    disc = str(item.get("noticeId") or "") or digest({k: payload[k] for k in (
        "list_kind", "action", "notice_date")})
    unknown = {k: json_type(v) for k, v in item.items() if k not in _NOTICE_KNOWN}
    d = draft("notice", who, disc, payload, unknown)
    d.source_record_id = str(item.get("noticeId") or "")[:64] or None
    return d


def app(rec: dict[str, Any], keyer: Keyer) -> tuple[ParsedFile, Found]:
    found = Found()
    who = company(rec.get("entName"), rec.get("uniscId") or rec.get("regNo"),
                  str(rec.get("nodeNum") or ""), found=found)
    payload: dict[str, Any] = {"subject_name": who.name, "subject_code": who.code,
                               "reg_no": clean_text(rec.get("regNo"))}
    for key, name in _APP_FIELDS.items():
        value = clean_text(rec.get(key))
        if name in _APP_DATES and value:
            try:
                value = (d := parse_date(value)) and d.isoformat()
            except ValueError:
                found.problems.append(name)
                value = None
        payload[name] = value
    rep = person_value(rec.get("legalName"), keyer, found)
    if rep:
        payload["legal_rep_" + rep[0]] = rep[1]
    for key in ("linkmanName", "linkmanCerNo", "linkmanPhone"):
        if clean_text(rec.get(key)):
            payload["contact_withheld"] = True  # a contact person: only that one is published
            if key == "linkmanName":
                found.persons.append(str(rec[key]).strip())
    unknown = {k: json_type(v) for k, v in rec.items()
               if k not in _APP_FIELDS and k not in _APP_IGNORED}
    payload["key_personnel"] = _people(rec.get("keyperson"), keyer, found, unknown) or None
    payload["shareholders"] = _holders(rec.get("shareholder"), keyer, found, unknown) or None
    if found.problems:
        payload["unparsed"] = sorted(set(found.problems))
    parsed = ParsedFile(fmt="app_entity", drafts=[draft("registration", who, "", payload, unknown)])
    scrub_drafts(parsed.drafts, found.persons, keyer)
    return parsed, found


def _people(items: Any, keyer: Keyer, found: Found, unknown: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        unknown.update({f"keyperson.{k}": json_type(v) for k, v in item.items()
                        if k not in _PERSON_KEYS})
        person = person_value(item.get("name"), keyer, found)
        if person:
            out.append({person[0]: person[1], "position": clean_text(item.get("positionCN"))})
    return out


def _holders(items: Any, keyer: Keyer, found: Found, unknown: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        unknown.update({f"shareholder.{k}": json_type(v) for k, v in item.items()
                        if k not in _HOLDER_KEYS})
        kind = clean_text(item.get("invTypeCN")) or ""
        name = clean_text(item.get("inv"))
        if not name:
            continue
        if "自然人" in kind or not kind:
            person = person_value(name, keyer, found)
            entry = {person[0]: person[1]} if person else {}
        else:
            entry = {"org": name, "code": clean_text(item.get("cerNo"))}
        entry.update(type=kind or None, contribution_form=clean_text(item.get("sConForm")))
        out.append(entry)
    return out


def _query(name: str | None) -> dict[str, str]:
    if not name or "?" not in name:
        return {}
    return {k: v[0] for k, v in parse_qs(urlsplit(name).query, keep_blank_values=True).items()}


def _next(name: str | None, query: dict[str, str], total: int | None) -> list[str]:
    """The next DataTables page (start + length), while records remain."""
    if not name or total is None or "start" not in query:
        return []
    try:
        start, length = int(query["start"]), int(query.get("length") or 10)
    except ValueError:
        return []
    if length <= 0 or start + length >= total:
        return []
    parts = urlsplit(name)
    params = {**query, "start": str(start + length)}
    return [urlunsplit(parts._replace(query=urlencode(params)))]
