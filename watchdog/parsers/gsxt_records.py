"""gsxt sections and JSON records -> privacy-safe `Draft`s.

Record types: `registration` (the company's registry entry, with its legal representative and
key personnel as keyed hashes), `abnormal` and `serious` (a row of the company's abnormal-
operations or serious-violation table: dates of listing and removal, reasons, authority),
`abnormal_directory` (a row of the published abnormal-operations directory), `penalty`,
`inspection`, `branch`, `notice` (a listing or removal notice), and `key_person` (a key-personnel
table that names no company). Record keys are `<type>:<subject key>:<what tells rows apart>`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from watchdog.parsers.base import Draft, company_key, subject
from watchdog.parsers.common import normalise_case_code, normalise_width, parse_date
from watchdog.parsers.credit_china_records import person_name_like, scrub
from watchdog.parsers.credit_china_vocab import province_of_code
from watchdog.parsers.errors import RecordError
from watchdog.parsers.gsxt_fields import BASIC, BASIC_DATES, COLUMNS, LIST_DATES, PERSON_HEADERS
from watchdog.privacy import Keyer, is_org_name

LIST_LABELS = {"abnormal": "经营异常名录", "serious": "严重违法失信企业名单", "penalty": "行政处罚",
               "inspection": "抽查检查", "branch": "分支机构", "abnormal_directory": "经营异常名录",
               "registration": "登记信息", "notice": "公告", "key_person": "主要人员"}


@dataclass
class Company:
    """The company a page is about."""

    key: str
    name: str | None
    code: str | None
    province: str | None

    def subject(self) -> dict[str, Any]:
        return subject(self.key, "company", name=self.name, code=self.code,
                       province=self.province)


@dataclass
class Found:
    """Drafts of one page, the persons it names (for redaction) and what was not understood."""

    drafts: list[Draft] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    unknown: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def company(name: str | None, code: str | None, nodenum: str | None = None,
            found: Found | None = None) -> Company:
    """The firm a page or row is about. An individual business registered under its owner's
    own name is named by a natural person: the name is dropped and the code alone keys it."""
    code = normalise_width(code or "").replace(" ", "").upper() or None
    name = normalise_width(name or "").strip() or None
    if person_name_like(name):
        if found is not None:
            found.persons.append(name)
        name = None
        if not code:
            raise RecordError("a subject named like a natural person and without a code")
    uscc = code if code and len(code) == 18 else None
    try:
        key = company_key(uscc=uscc, org_code=code if code and len(code) == 9 else None,
                          name=name or code)
    except ValueError:
        raise RecordError("the page names no company (no name, no code)") from None
    return Company(key, name, code, province_of_code(code) or province_of_code(nodenum))


# "No end date" as registries write it: not a date, and not a problem either.
_OPEN_ENDED = frozenset({"长期", "永久", "长期有效", "无固定期限", "不约定期限", "至今"})


def date_or_problem(value: str | None, name: str, problems: list[str]) -> str | None:
    if not value or value.strip() in _OPEN_ENDED:
        return None
    try:
        day = parse_date(value)
    except ValueError:
        problems.append(name)
        return None
    return day.isoformat() if day else None


def person_value(value: str | None, keyer: Keyer, found: Found) -> tuple[str, str] | None:
    """('key', hash) for a natural person, ('org', name) for a firm, None for nothing."""
    text = (value or "").strip()
    if not text or text in ("无", "暂无", "-"):
        return None
    if is_org_name(text):
        return "org", text
    found.persons.append(text)
    return "key", keyer.name_key(text)


def draft(record_type: str, who: Company | dict[str, Any], disc: str, payload: dict[str, Any],
          unknown: dict[str, str] | None = None) -> Draft:
    subj = who.subject() if isinstance(who, Company) else who
    month = (payload.get("listed_date") or payload.get("decision_date")
             or payload.get("notice_date") or "")[:7] or None
    key = f"{record_type}:{subj['key']}" + (f":{disc}" if disc else "")
    body = {"record_type": record_type, "list": LIST_LABELS.get(record_type), **payload}
    present = sorted(k for k, v in payload.items() if v not in (None, "", [], {}))
    return Draft(record_key=key[:256], subject=subj, payload=body,
                 facets={"party_type": subj["kind"], "province": subj["province"],
                         "publish_month": month},
                 unknown_fields=dict(unknown or {}), fields_present=present)


def digest(values: dict[str, Any]) -> str:
    text = json.dumps(values, sort_keys=True, ensure_ascii=False)
    return "h" + hashlib.sha256(text.encode()).hexdigest()[:16]


def registration(pairs: dict[str, str], who: Company, key_persons: list[tuple[str, str]],
                 keyer: Keyer, found: Found, extra: dict[str, Any] | None = None) -> Draft:
    payload: dict[str, Any] = {"subject_name": who.name, "subject_code": who.code}
    for label, value in pairs.items():
        name = BASIC[label]
        if name in ("code", "name"):
            continue
        if name == "legal_rep":
            person = person_value(value, keyer, found)
            if person:
                payload["legal_rep_" + person[0]] = person[1]
                payload["legal_rep_role"] = label
        elif name in BASIC_DATES:
            payload[name] = date_or_problem(value, name, found.problems)
        else:
            payload[name] = value or None
    people = []
    for name, position in key_persons:
        person = person_value(name, keyer, found)
        if person:
            people.append({person[0]: person[1], "position": position or None})
    if people:
        payload["key_personnel"] = people
    payload.update(extra or {})
    if found.problems:
        payload["unparsed"] = sorted(set(found.problems))
    return draft("registration", who, "", payload)


def row_fields(header: list[str], row: list[str], keyer: Keyer,
               found: Found) -> tuple[dict[str, Any], dict[str, str]]:
    """Canonical fields of one table row; unknown columns reported (their values not kept)."""
    fields: dict[str, Any] = {}
    unknown: dict[str, str] = {}
    for label, value in zip(header, row, strict=False):
        name = COLUMNS.get(label)
        if name is None:
            unknown[label] = "string"
            if any(w in label for w in PERSON_HEADERS) and person_name_like(value):
                found.persons.append(value)
            continue
        if name in ("seq", "detail") or not value or value in ("暂无", "-"):
            continue
        if name in LIST_DATES:
            fields[name] = date_or_problem(value, name, found.problems)
        elif name in ("list_reason", "removal_reason", "content", "note", "result"):
            fields[name] = value  # scrubbed once the page's persons are all known
        else:
            fields[name] = value
    return fields, unknown


def list_row(kind: str, who: Company, fields: dict[str, Any], unknown: dict[str, str]) -> Draft:
    if kind == "penalty" and fields.get("decision_no"):
        disc = normalise_case_code(fields["decision_no"])
    elif kind in ("abnormal", "serious") and fields.get("listed_date"):
        disc = fields["listed_date"]
    elif kind == "inspection" and fields.get("date"):
        disc = f"{fields['date']}:{fields.get('inspection_type') or ''}"
    else:
        disc = digest(fields)
    return draft(kind, who, disc, {"subject_name": who.name, "subject_code": who.code, **fields},
                 unknown)


def scrub_drafts(drafts: list[Draft], persons: list[str], keyer: Keyer) -> None:
    """Strike the page's persons (and party names, IDs, phones) from free-text fields."""
    for d in drafts:
        for name in ("list_reason", "removal_reason", "content", "note", "result", "title",
                     "notice_text", "scope", "violation_type"):
            value = d.payload.get(name)
            if isinstance(value, str):
                d.payload[name] = scrub(value, persons, keyer)
