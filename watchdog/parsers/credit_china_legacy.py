"""The legacy Credit China API (www.creditchina.gov.cn/api, about 2016-2019, now gone).

Shapes (reference/sources.md section 1, "legacy API"): `credit_info_search` (the 2016 POST form
under `result.results`, the later GET under `data.results`), `credit_info_detail` (entName,
legalPerson, entstatus, ...), `pub_penalty_name` (cfWsh, ...), `pub_permissions_name` (xkWsh,
...) and `record_param`, whose records are keyed by their Chinese labels; `creditType` 2 is the
red list (A-level taxpayers), 4 key attention (abnormal operations), 8 the blacklist.

A shape is recognised by its documented keys, never by one key alone: other registries use the
same camelCase words (gsxt's app record has `entName` too), and their files must be refused, not
read as a registration with the rest dropped into `extra`.
"""

from __future__ import annotations

from typing import Any

from watchdog.parsers.base import Draft, ParsedFile, Rejection
from watchdog.parsers.credit_china_records import (
    Context,
    json_type,
    map_record,
    person_name_like,
    to_draft,
)
from watchdog.parsers.credit_china_vocab import PROVINCES, mostly_unknown
from watchdog.parsers.errors import FormatError, RecordError
from watchdog.privacy import Keyer

_WRAPPERS = (("result", "results"), ("data", "results"), ("data", "list"), ("result", "list"),
             ("results",), ("result",), ("data",), ())
_ENT_STATUS = {"1": "续存", "2": "吊销", "3": "注销", "4": "迁出"}
_RECORD_PARAM_TYPES = {"2": ("red_list", "守信红名单"), "4": ("abnormal", "重点关注"),
                       "8": ("serious", "黑名单")}
_SEARCH_KNOWN = frozenset({"name", "type", "idCardOrOrgCode", "area", "objectType", "goodCount",
                           "badCount", "dishonestyCount", "time", "encryStr"})
_PROVINCE_NAMES = frozenset(PROVINCES.values())
# credit_info_detail's keys (reference/sources.md section 1).
_DETAIL_KEYS = frozenset({"entName", "legalPerson", "entstatus", "regno", "creditCode", "enttype",
                          "dom", "regorg", "esdate", "sysUpdateTime"})


def _unwrap(obj: Any) -> Any:
    for path in _WRAPPERS:
        node = obj
        for step in path:
            node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, list) or (isinstance(node, dict) and path and _is_detail(node)):
            return node
    return obj if isinstance(obj, list) or _is_detail(obj) else None


def _is_detail(node: Any) -> bool:
    """A credit_info_detail record: entName or creditCode, and most keys the documented ones."""
    if not isinstance(node, dict) or not ("entName" in node or "creditCode" in node):
        return False
    return 2 * len(_DETAIL_KEYS.intersection(node)) > len(node)


def legacy_format(obj: Any) -> str | None:
    """Which legacy shape `obj` is, or None."""
    node = _unwrap(obj)
    if isinstance(node, dict):
        return "legacy_detail"
    if not isinstance(node, list) or not node or not isinstance(node[0], dict):
        return "legacy_search" if isinstance(node, list) and node == [] and isinstance(obj, dict) \
            and "result" in obj else None
    keys = set().union(*(set(i) for i in node if isinstance(i, dict)))
    if mostly_unknown(keys):
        return None  # a list of another source's records: refused with what it looks like
    if "encryStr" in keys or "idCardOrOrgCode" in keys:
        return "legacy_search"
    if any(k.startswith("cf") and k[2:3].isupper() for k in keys):
        return "legacy_penalties"
    if any(k.startswith("xk") and k[2:3].isupper() for k in keys):
        return "legacy_permissions"
    if any("\u4e00" <= ch <= "\u9fff" for k in keys for ch in k):
        return "legacy_record_param"
    return None


def parse_legacy(fmt: str, obj: Any, keyer: Keyer, query: dict[str, str]) -> ParsedFile:
    node = _unwrap(obj)
    parsed = ParsedFile(fmt=fmt)
    if fmt == "legacy_detail":
        parsed.drafts.append(_detail(node, keyer))
        return parsed
    kind, label = {"legacy_penalties": ("penalty", "行政处罚"),
                   "legacy_permissions": ("licence", "行政许可")}.get(fmt, (None, None))
    if fmt == "legacy_record_param":
        kind, label = _record_param_type(node, query.get("creditType"))
    for i, item in enumerate(node or []):
        try:
            if not isinstance(item, dict):
                raise RecordError("a list item that is not an object")
            if fmt == "legacy_search":
                parsed.drafts.append(_search(item, keyer))
            else:
                ctx = Context(kind or "other", list_label=label,
                              subject_name=query.get("name") or None)
                parsed.drafts.append(to_draft(map_record(item, {}, keyer), ctx, keyer))
        except RecordError as exc:
            parsed.rejections.append(Rejection(i, exc.reason))
    if fmt == "legacy_search" and isinstance(obj, dict):
        total = obj.get("totalCount") or (obj.get("result") or {}).get("totalCount")
        parsed.declared_total = total if isinstance(total, int) else None
    return parsed


def _record_param_type(node: list[Any], credit_type: str | None) -> tuple[str, str]:
    if credit_type in _RECORD_PARAM_TYPES:
        return _RECORD_PARAM_TYPES[credit_type]
    keys = set().union(*(set(i) for i in node if isinstance(i, dict)))
    if "评价年度" in keys or "纳税人名称" in keys:
        return _RECORD_PARAM_TYPES["2"]
    if any("经营异常" in k for k in keys):
        return _RECORD_PARAM_TYPES["4"]
    if "案号" in keys or "失信被执行人名称" in keys:
        return _RECORD_PARAM_TYPES["8"]
    raise FormatError("record_param records of an unknown credit type")


def _detail(node: dict[str, Any], keyer: Keyer) -> Draft:
    rest = dict(node)
    status = rest.pop("entstatus", None)
    draft = to_draft(map_record(rest, {}, keyer), Context("registration", list_label="登记信息"),
                     keyer)
    if status not in (None, ""):
        draft.payload["entity_status"] = _ENT_STATUS.get(str(status), str(status))
        draft.fields_present = sorted({*draft.fields_present, "entity_status"})
    return draft


def _search(item: dict[str, Any], keyer: Keyer) -> Draft:
    """A 2016-2017 search hit: a subject and its counts of good, bad and dishonest records."""
    name, code = item.get("name"), item.get("idCardOrOrgCode")
    person = item.get("objectType") in (1, "1") or (
        item.get("objectType") not in (2, "2") and person_name_like(str(name or "")))
    mapped = map_record({"jgmc": name} if name else {}, {}, keyer)
    if person:
        # objectType 1 is a natural person whatever the name looks like: key it, keep nothing.
        text = mapped.fields.pop("subject_name", None) or mapped.fields.get("subject_person")
        if text:
            mapped.fields["subject_person"] = text
        if code:
            mapped.person_ids.append(str(code))
    elif code:
        mapped.fields["subject_code"] = str(code).strip().upper()
    draft = to_draft(mapped, Context("catalog_entry", list_label="信用主体"), keyer)
    counts = {k: item.get(k) for k in ("goodCount", "badCount", "dishonestyCount")}
    draft.payload.update(good_count=counts["goodCount"], bad_count=counts["badCount"],
                         dishonesty_count=counts["dishonestyCount"],
                         area=item.get("area"), object_type=item.get("objectType"))
    area = item.get("area")
    if not draft.subject.get("province") and area in _PROVINCE_NAMES:
        draft.subject["province"] = draft.facets["province"] = area
    encry = str(item.get("encryStr") or "").strip()
    draft.source_record_id = encry[:64] or None
    draft.unknown_fields.update({k: json_type(v) for k, v in item.items()
                                 if k not in _SEARCH_KNOWN})
    return draft
