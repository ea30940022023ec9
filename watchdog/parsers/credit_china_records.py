"""One Credit China record -> one privacy-safe `Draft`, through its own columns and labels.

A record's keys are read through `BY_COLUMN`, then (legacy API) as labels themselves, then
through the label `sencesMap` gives them: the site renames columns and adds tables without
notice (reference/sources.md 1), so a column known by its label is read and is no unknown
field; the renaming is still shown, as `by_label:<column>=<field>` among the fields present
(the crawl's fill rates). A key known by none of these is reported in `unknown_fields` and kept
under `extra` with its label. Its value is read fail-closed (`credit_china_values`): under a
person's label, or when it could be a person's name, an ID or a phone number, only a marker is
kept; a status word, date, amount or code is kept; other text is redacted like any free text.
A natural person's name is never kept: it becomes a keyed hash (legal representatives, unknown
columns) or the subject key (person catalogues), and the names found are also struck from every
free-text value of the record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from stdnum.cn import uscc as uscc_std

from watchdog.parsers.base import Draft, company_key, subject
from watchdog.parsers.common import clean_text, normalise_case_code, normalise_width, parse_date
from watchdog.parsers.credit_china_values import (
    WITHHELD,
    kind_token,
    redact_phones,
    strike_elsewhere,
    unknown_value,
)
from watchdog.parsers.credit_china_vocab import (
    BY_COLUMN,
    BY_LABEL,
    Field,
    province_of_code,
    shield_codes,
    unshield_codes,
)
from watchdog.parsers.errors import RecordError
from watchdog.privacy import (
    Keyer,
    birth_year_from_id,
    is_org_name,
    looks_like_resident_id,
    person_token,
    redact_free_text,
    redact_identifiers,
)

_EMPTY = frozenset({"", "-", "--", "暂无", "无", "null", "None"})
_HAN_NAME_MAX = 4


@dataclass
class Mapped:
    """What a record's columns gave: canonical fields and what could not be placed."""

    fields: dict[str, Any] = field(default_factory=dict)
    persons: list[str] = field(default_factory=list)   # natural persons' names seen (not kept)
    person_ids: list[str] = field(default_factory=list)
    unknown: dict[str, str] = field(default_factory=dict)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    unparsed: list[str] = field(default_factory=list)
    record_id: str | None = None
    by_label: dict[str, str] = field(default_factory=dict)  # renamed column -> field it is


def json_type(value: object) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
            dict: "object"}.get(type(value), "string")


def _text(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = clean_text(value)
    return None if text is None or text in _EMPTY else text


def person_name_like(name: str | None) -> bool:
    """A published name that reads as a natural person's (2-4 Han characters, not a firm)."""
    if not name or is_org_name(name):
        return False
    core = name.replace("·", "").replace("•", "").strip()
    return 2 <= len(core) <= _HAN_NAME_MAX and all("\u4e00" <= c <= "\u9fff" for c in core)


def _resolve(key: str, labels: dict[str, str]) -> tuple[Field | None, bool]:
    """(field spec, whether the key was known only by its `sencesMap` label). A key known by its
    label is a column the site renamed or added (pen_jdrq labelled 处罚决定日期): read, and known."""
    if key in BY_COLUMN:
        return BY_COLUMN[key], False
    if key in BY_LABEL:  # the legacy API keys records by their Chinese labels
        return BY_LABEL[key], False
    label = labels.get(key)
    if label and label.strip() in BY_LABEL:
        return BY_LABEL[label.strip()], True
    return None, False


def map_record(entity: dict[str, Any], labels: dict[str, str], keyer: Keyer) -> Mapped:
    out = Mapped()
    later: list[tuple[str, str]] = []  # free text, redacted once every person is known
    for key, raw in entity.items():
        spec, by_label = _resolve(key, labels)
        if spec is None:
            out.unknown[key] = json_type(raw)  # neither its name nor its label is known
            _keep_extra(out, key, labels.get(key), raw, later, keyer)
            continue
        if by_label:
            out.by_label[key] = spec.name
        if spec.kind == "ignore":
            if spec.name == "record_id" and _text(raw):
                out.record_id = _text(raw)
            continue
        text = _text(raw)
        if text is None:
            continue
        _place(out, spec, text, later, keyer)
    for name, text in later:
        value = scrub(text, out.persons, keyer)
        if name.startswith("extra:"):
            out.extra[name[6:]]["value"] = value
        else:
            out.fields[name] = value
    return out


def _place(out: Mapped, spec: Field, text: str, later: list[tuple[str, str]], keyer: Keyer) -> None:
    name = spec.name
    if spec.kind == "date":
        try:
            day = parse_date(text)
        except ValueError:
            out.unparsed.append(name)
            return
        if day is not None:
            out.fields[name] = day.isoformat()
    elif spec.kind == "code":
        code = normalise_width(text).replace(" ", "").upper()
        if looks_like_resident_id(code) and name != "local_code":
            out.person_ids.append(code)  # a person's ID number: used for the key, never kept
        else:
            out.fields[name] = code
    elif spec.kind == "person":
        if is_org_name(text):
            out.fields[f"{name}_org"] = text
        else:
            out.persons.append(text)
            out.fields[f"{name}_key"] = keyer.name_key(text)
    elif spec.kind == "withheld":
        out.fields[f"{name}_present"] = True
    elif spec.kind == "free":
        later.append((name, text))
    elif name == "subject_name" and person_name_like(text):
        out.persons.append(text)
        out.fields["subject_person"] = text  # popped by the caller, never stored
    else:
        out.fields[name] = text


def _keep_extra(out: Mapped, key: str, label: str | None, raw: object,
                later: list[tuple[str, str]], keyer: Keyer) -> None:
    # The key and label stay, so the new column is still reported; a personal value does not.
    entry: dict[str, Any] = {"label": label}
    out.extra[key] = entry
    kind = unknown_value(key, label, raw)
    if kind == "withheld":
        entry["value"] = WITHHELD if _text(raw) else None
    elif kind in ("id", "phone"):
        entry["value"] = kind_token(kind)
    elif kind == "person" and isinstance(raw, str):
        name = raw.strip()
        if strike_elsewhere(name):
            out.persons.append(name)  # struck from the record's free text too
        entry["value"] = person_token(keyer, keyer.name_key(name))
    elif isinstance(raw, str):
        later.append((f"extra:{key}", redact_phones(raw)))
    elif isinstance(raw, bool | int | float) or raw is None:
        entry["value"] = raw
    else:
        entry["value"] = f"[{json_type(raw)}]"


def scrub(text: str, persons: list[str], keyer: Keyer) -> str:
    """Free text with the record's persons, party names after markers, IDs and phones removed;
    companies' codes kept."""
    for name in sorted(set(persons), key=len, reverse=True):
        if len(name) >= 2 and name in text:
            text = text.replace(name, person_token(keyer, keyer.name_key(name)))
    text, kept = shield_codes(text)
    return unshield_codes(redact_free_text(redact_identifiers(text), keyer), kept)


# -- drafts ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Context:
    """What the page says about the records it holds (the subject of a per-entity list)."""

    record_type: str
    list_label: str | None = None
    table: str | None = None
    data_source: str | None = None
    subject_name: str | None = None
    subject_code: str | None = None
    known_table: bool = True


def subject_of(fields: dict[str, Any], person_ids: list[str], ctx: Context,
               keyer: Keyer) -> dict[str, Any]:
    """The subject a record is about: its own name and code, else the page's (a per-entity
    list often leaves them out). Natural persons get a keyed subject and nothing else."""
    person = fields.pop("subject_person", None)
    taxpayer = fields.get("taxpayer_no")
    name = fields.get("subject_name")
    # A taxpayer number is the USCC for firms registered since 2015: use it when it is one.
    code = fields.get("subject_code") or fields.get("reg_no") or (
        taxpayer if taxpayer and len(taxpayer) == 18 and uscc_std.is_valid(taxpayer) else None)
    org = fields.get("org_code")
    if person is None and not (name or code or org or person_ids):
        if ctx.subject_name and person_name_like(ctx.subject_name):
            person = ctx.subject_name
        else:
            name, code = ctx.subject_name, ctx.subject_code
            fields.update({k: v for k, v in (("subject_name", name), ("subject_code", code)) if v})
    elif person is None and not code and ctx.subject_code and name == ctx.subject_name:
        code = fields["subject_code"] = ctx.subject_code
    if person is not None or (person_ids and not (name or code)):
        card = person_ids[0] if person_ids else None
        return subject(keyer.person_key(person, card), "person",
                       province=province_of_code(card) if card else None)
    uscc = code if code and len(code) == 18 else None
    org = org or (code if code and len(code) == 9 else None)
    try:
        key = company_key(uscc=uscc, org_code=org, name=name or code)
    except ValueError:
        raise RecordError("the record names no subject (no name, no code)") from None
    province = (province_of_code(uscc or fields.get("reg_no") or code)
                or province_of_code(fields.get("area_code")))
    return subject(key, "company", name=name, code=code, province=province)


def _disc(record_type: str, fields: dict[str, Any]) -> str:
    if record_type in ("registration", "entity", "catalog_entry"):
        return ""
    for name in ("decision_no", "case_no"):
        if fields.get(name):
            return normalise_case_code(str(fields[name]))
    for name in ("listed_date", "evaluation_year", "decision_date", "case_period"):
        if fields.get(name):
            return str(fields[name])
    stable = {k: v for k, v in fields.items() if k != "updated"}
    digest = hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode())
    return "h" + digest.hexdigest()[:16]


def to_draft(mapped: Mapped, ctx: Context, keyer: Keyer) -> Draft:
    fields = dict(mapped.fields)
    subj = subject_of(fields, mapped.person_ids, ctx, keyer)
    if subj["kind"] == "person":
        for name in ("subject_name", "subject_code", "reg_no", "org_code"):
            fields.pop(name, None)
    disc = _disc(ctx.record_type, fields)
    record_key = f"{ctx.record_type}:{subj['key']}" + (f":{disc}" if disc else "")
    payload: dict[str, Any] = {"record_type": ctx.record_type, "list": ctx.list_label,
                               "table": ctx.table, "data_source": ctx.data_source, **fields}
    if mapped.extra:
        payload["extra"] = mapped.extra
    if mapped.unparsed:
        payload["unparsed"] = sorted(mapped.unparsed)
    unknown = dict(mapped.unknown)
    if ctx.table and not ctx.known_table:
        unknown[f"table:{ctx.table}"] = "table"
    month = (fields.get("decision_date") or fields.get("listed_date") or "")[:7] or None
    facets = {"party_type": subj["kind"], "province": subj["province"], "publish_month": month}
    # Renamed columns are shown where the crawl's fill rates are, not in the payload (a renamed
    # column must not make every record look changed) nor as unknown fields (a crawl with one
    # would be partial: "layout changed", though every field was read).
    renamed = [f"by_label:{key}={name}" for key, name in mapped.by_label.items()]
    return Draft(record_key=record_key[:256], subject=subj, payload=payload, facets=facets,
                 source_record_id=(mapped.record_id or None) and mapped.record_id[:64],
                 unknown_fields=unknown, fields_present=sorted(fields) + sorted(renamed))


def person_draft(row: dict[str, Any], table: str | None, label: str | None, keyer: Keyer) -> Draft:
    """A row of a person catalogue (train and flight bans, ...): a keyed subject, no name."""
    rest = dict(row)
    name = _text(rest.pop("xm", None) or rest.pop("姓名", None))
    card = _text(rest.pop("tmzjhm", None) or rest.pop("脱敏证件号码", None) or rest.pop("证件号码", None))
    if not name and not card:
        raise RecordError("a person catalogue row without name or ID")
    mapped = map_record(rest, {}, keyer)
    key = keyer.person_key(name, card)
    subj = subject(key, "person", province=province_of_code(card) if card else None)
    if card:
        subj["birth_year"] = birth_year_from_id(card)
        tail = normalise_width(card).strip()
        if len(tail) == 18 and tail[16].isdigit():
            subj["sex"] = "M" if int(tail[16]) % 2 else "F"
    fields = {k: v for k, v in mapped.fields.items() if k != "subject_person"}
    listed = fields.get("listed_date")
    payload = {"record_type": "person_list", "list": label, "table": table, **fields}
    if mapped.extra:
        payload["extra"] = mapped.extra
    unknown = dict(mapped.unknown)
    if table is None or table not in _person_tables():
        unknown[f"table:{table or 'unnamed'}"] = "table"
    return Draft(record_key=f"person_list:{table or 'unnamed'}:{key}:{listed or ''}",
                 subject=subj, payload=payload,
                 facets={"party_type": "person", "province": subj["province"],
                         "publish_month": (listed or "")[:7] or None},
                 unknown_fields=unknown, fields_present=sorted(fields))


def _person_tables() -> dict[str, str]:
    from watchdog.parsers.credit_china_vocab import PERSON_TABLES

    return PERSON_TABLES
