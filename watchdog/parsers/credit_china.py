"""Credit China (信用中国): the private-api JSON of 2020-2026 and the legacy API of 2016-2019.

Formats (reference/sources.md section 1): `catalogSearchHome` (catalogue search), the entity
detail `getTyshxydmDetailsContent`, the typed record lists `typeSourceSearch` (penalties,
licences, red lists, key-attention, serious-dishonesty and abnormal-operations lists),
`catalogSearch` catalogue tables, the person catalogues `catalogSearchPerson` (train and flight
bans...), and the legacy `credit_info_search`, `credit_info_detail`, `pub_penalty_name`,
`pub_permissions_name` and `record_param` shapes (credit_china_legacy). Records are read through
their `columnList`/`sencesMap` (credit_china_records), so a new table or column is reported, not
lost. A WAF page (412, `$_ts`), status 40001, "请刷新后重试", a captcha or an empty `{}` is a
block, never "not listed".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from watchdog.parsers.base import Draft, ParsedFile, Rejection
from watchdog.parsers.blocks import check_block_text
from watchdog.parsers.credit_china_legacy import legacy_format, parse_legacy
from watchdog.parsers.credit_china_records import (
    Context,
    json_type,
    map_record,
    person_draft,
    to_draft,
)
from watchdog.parsers.credit_china_redact import redact_bytes
from watchdog.parsers.credit_china_vocab import (
    PERSON_TABLES,
    classify_table,
    decode,
    foreign_reason,
    load_json,
    mostly_unknown,
)
from watchdog.parsers.errors import BlockedError, FormatError, RecordError
from watchdog.privacy import Keyer

__all__ = ["parse_bytes", "redact_bytes"]

BLOCK_STATUSES = {40001: "status 40001: the site asks for a captcha (请刷新后重试)"}
# The 2020 client found the API stops at page x pageSize = 10 000 records.
MAX_RECORDS = 10_000
TAX_VIOLATION_TABLE = "credit_swzj_fr_zdsswfajdsr"
TAX_VIOLATION_COLUMNS = frozenset({"ajxz", "zywfss", "ajsbq", "xgflyjj_swclcfqk"})
_ENTITY_TYPES = {"1": "法人", "2": "非法人组织", "4": "个体工商户", "5": "其他", "6": "其他",
                 "7": "其他", "8": "其他"}


def parse_bytes(body: bytes, keyer: Keyer, *, name: str | None = None) -> ParsedFile:
    text = decode(body)
    obj = load_json(text)
    if obj is None:
        check_block_text(text)
        raise FormatError("not JSON and not a known block page")
    if obj == {} or obj == []:
        raise BlockedError("empty answer {} (the site's way of refusing a query)")
    query = _query(name)
    fmt = legacy_format(obj)
    if fmt is not None:
        return parse_legacy(fmt, obj, keyer, query)
    if isinstance(obj, dict) and ("status" in obj or set(obj) == {"code", "msg"}):
        return _current(obj, keyer, name, query)
    # Refused with what the file looks like: a file of another registry must not be read as
    # a Credit China record with its own fields (and persons) kept as unknown columns.
    raise FormatError(foreign_reason(obj))


def _query(name: str | None) -> dict[str, str]:
    if not name or "?" not in name:
        return {}
    return {k: v[0] for k, v in parse_qs(urlsplit(name).query, keep_blank_values=True).items()}


def _endpoint(name: str | None) -> str:
    return urlsplit(name or "").path.rsplit("/", 1)[-1]


def _current(obj: dict[str, Any], keyer: Keyer, name: str | None,
             query: dict[str, str]) -> ParsedFile:
    status, message = obj.get("status"), str(obj.get("message") or obj.get("msg") or "")
    if status in BLOCK_STATUSES:
        raise BlockedError(BLOCK_STATUSES[status])
    if "验证码" in message or "刷新后重试" in message:
        raise BlockedError(f"the site asks for a captcha ({message[:30]})")
    if obj.get("code") == 0 and "msg" in obj:
        return ParsedFile(fmt="verify")  # checkVerify's answer: no records
    if status != 1:
        raise FormatError(f"status {status!r}: {message[:60]}")
    data = obj.get("data")
    if data is None:
        return ParsedFile(fmt="info")  # /private-api/info answers status 1 with no data
    if not isinstance(data, dict):
        raise FormatError("data is not an object")
    if "headEntity" in data or isinstance(data.get("data"), dict | list):
        return _detail(data, keyer)
    items = data.get("list")
    if not isinstance(items, list):
        raise FormatError("status 1 but neither a detail nor a list")
    endpoint = _endpoint(name)
    parsed = ParsedFile(fmt=_list_format(items, endpoint, query))
    if parsed.fmt == "catalog" and not (query.get("tableName") or _table_in(name)):
        rows = [i for i in items if isinstance(i, dict)]
        if mostly_unknown({k for row in rows for k in row}):
            # Catalogue rows are bare columns: without a table named, they must be ours.
            raise FormatError(foreign_reason(obj))
    for i, item in enumerate(items):
        try:
            parsed.drafts.append(_list_item(parsed.fmt, item, keyer, query, name))
        except RecordError as exc:
            parsed.rejections.append(Rejection(i, exc.reason))
        except (TypeError, AttributeError):
            parsed.rejections.append(Rejection(i, "a list item that is not a record"))
    parsed.next_pages = _next_pages(name, query, data)
    return parsed


def _list_format(items: list[Any], endpoint: str, query: dict[str, str]) -> str:
    first = next((i for i in items if isinstance(i, dict)), None)
    if first is None:
        return {"catalogSearchHome": "search", "catalogSearchPerson": "person",
                "catalogSearch": "catalog"}.get(endpoint, "typed")
    if "entity" in first or "columnList" in first:
        return "typed"
    if "accurate_entity_name" in first or "accurate_entity_code" in first:
        return "search"
    if "xm" in first or "tmzjhm" in first or endpoint == "catalogSearchPerson":
        return "person"
    return "catalog"


def _table_in(name: str | None) -> str | None:
    """A known table named in a file name (a saved page keeps no URL)."""
    return next((t for t in (*PERSON_TABLES, TAX_VIOLATION_TABLE) if name and t in name), None)


def _list_item(fmt: str, item: Any, keyer: Keyer, query: dict[str, str],
               name: str | None = None) -> Draft:
    if not isinstance(item, dict):
        raise RecordError("a list item that is not an object")
    if fmt == "search":
        return _search_item(item, keyer)
    table = query.get("tableName") or _table_in(name)
    if fmt == "person":
        return person_draft(item, table, PERSON_TABLES.get(table or ""), keyer)
    if fmt == "typed":
        return _wrapped(item, keyer, query)
    if table is None and TAX_VIOLATION_COLUMNS & set(item):
        table = TAX_VIOLATION_TABLE  # the documented catalogue, saved without its URL
    kind, known = classify_table(table, None, None)
    ctx = Context(kind, table=table, known_table=known)
    return to_draft(map_record(item, {}, keyer), ctx, keyer)


def _search_item(item: dict[str, Any], keyer: Keyer) -> Draft:
    rest = dict(item)
    entity = {"jgmc": rest.pop("accurate_entity_name", None),
              "tyshxydm": rest.pop("accurate_entity_code", None), "recid": rest.pop("recid", None)}
    kind = str(rest.pop("entityType", "") or "")
    for known in ("uuid", "accurate_entity_name_query"):
        rest.pop(known, None)
    mapped = map_record(entity, {}, keyer)
    # A search hit is its own record type: the detail page's `entity` record is read in the
    # same crawl and must not be overwritten by the shorter hit.
    draft = to_draft(mapped, Context("catalog_entry", list_label="信用主体"), keyer)
    draft.payload["entity_type_code"] = kind or None
    draft.payload["entity_kind"] = _ENTITY_TYPES.get(kind)
    draft.unknown_fields.update({k: json_type(v) for k, v in rest.items()})
    return draft


def _wrapped(item: dict[str, Any], keyer: Keyer, query: dict[str, str],
             subject_name: str | None = None, subject_code: str | None = None) -> Draft:
    """A record as the site wraps it: table_name, entity, columnList, sencesMap, dataSource."""
    rest = dict(item)
    entity = rest.pop("entity", None)
    if not isinstance(entity, dict):
        raise RecordError("a wrapped record without an entity object")
    labels = rest.pop("sencesMap", None) or {}
    # The table's column list is the page's layout, not the record (the archived response keeps
    # it): out of the payload, so a column the site adds does not make every record look changed.
    rest.pop("columnList", None)
    table = rest.pop("table_name", None) or rest.pop("tableName", None)
    catalog = rest.pop("data_catalog", None)
    source = rest.pop("dataSource", None)
    type_param = query.get("type")
    kind, known = classify_table(table, catalog, type_param)
    # Columns the table declares are labelled even when the entity leaves them out.
    labels = {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
    ctx = Context(kind, list_label=catalog or type_param, table=table, data_source=source,
                  subject_name=subject_name or query.get("keyword") or None,
                  subject_code=subject_code or query.get("tyshxydm") or None, known_table=known)
    draft = to_draft(map_record(entity, labels, keyer), ctx, keyer)
    draft.unknown_fields.update({f"record.{k}": json_type(v) for k, v in rest.items()})
    return draft


def _detail(data: dict[str, Any], keyer: Keyer) -> ParsedFile:
    parsed = ParsedFile(fmt="detail")
    rest = dict(data)
    head = rest.pop("headEntity", None) or {}
    name, code = head.get("jgmc"), head.get("tyshxydm")
    if head:
        entity = {"jgmc": name, "tyshxydm": code, "recid": head.get("recid")}
        draft = to_draft(map_record(entity, {}, keyer), Context("entity", list_label="信用主体"), keyer)
        draft.payload.update(entity_kind=_ENTITY_TYPES.get(str(head.get("entity_type") or "")),
                             entity_type_code=head.get("entity_type"),
                             record_source=head.get("record_source"), status=head.get("status"),
                             reward_status=data.get("rewardStatus"),
                             punishment_status=data.get("punishmentStatus"))
        extra = set(head) - {"jgmc", "tyshxydm", "recid", "entity_type", "record_source", "status"}
        draft.unknown_fields.update({f"headEntity.{k}": "string" for k in sorted(extra)})
        parsed.drafts.append(draft)
    for key in ("rewardStatus", "punishmentStatus"):
        rest.pop(key, None)
    tables = rest.pop("data", None)
    for i, table in enumerate(tables if isinstance(tables, list) else [tables] if tables else []):
        try:
            parsed.drafts.append(_wrapped(table, keyer, {}, subject_name=name, subject_code=code))
        except RecordError as exc:
            parsed.rejections.append(Rejection(i, exc.reason))
    customs = rest.pop("hgData", None)
    unknown = {f"data.{k}": "object" for k in rest}
    if isinstance(customs, dict) and customs.get("entity"):
        # Customs credit data: its shape was never recorded, so it is reported, not guessed.
        unknown.update({f"hgData.{k}": "string" for k in customs["entity"]})
    if unknown and parsed.drafts:
        parsed.drafts[0].unknown_fields.update(unknown)
    return parsed


def _next_pages(name: str | None, query: dict[str, str], data: dict[str, Any]) -> list[str]:
    """The next page of a paged list, if the page says there are more records."""
    if not name or "page" not in query:
        return []
    try:
        page, size = int(query["page"]), int(query.get("pageSize") or 10)
        total = int(data.get("total") or 0)
    except (TypeError, ValueError):
        return []
    if page * size >= min(total, MAX_RECORDS) or size <= 0:
        return []
    parts = urlsplit(name)
    params = {**query, "page": str(page + 1)}
    return [urlunsplit(parts._replace(query=urlencode(params)))]
