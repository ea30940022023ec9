"""What Credit China's columns, labels and tables mean, and helpers the gsxt parser shares.

Credit China sends every record with its own `columnList` and a `sencesMap` of column -> Chinese
label, and adds tables without notice (a `_2026` penalty table appeared next to `_new`). So a
column is recognised by its name or, failing that, by its label; a table by its name or by the
words of its catalogue. Whatever is recognised by neither is reported by name, never dropped.
Column names are those of the 2020-2026 private API (reference/sources.md section 1), the
legacy camelCase API and the legacy Chinese-key API; labels are the site's own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from stdnum.cn import uscc as uscc_std

from watchdog.privacy import looks_like_resident_id

# Kinds: text, free (free text that can name private parties: redacted), date, code, person
# (a natural person's name: keyed, never kept), withheld (personal: only its presence is kept),
# ignore (known bookkeeping: not stored).
_FIELDS = """
decision_no     text  cf_wsh cfWsh xk_wsh xkWsh | 行政处罚决定书文号 处罚决定书文号 决定书文号 行政许可决定文书号 许可决定文书号 行政许可决定书文号 许可文书号 文书号
decision_name   text  cf_cfmc cfCfmc | 决定文书名称 处罚名称 行政处罚名称 案件名称
category        text  cf_cflb1 cfCflb1 cf_cflb cf_cflb2 | 处罚类别 处罚类别1 处罚类别2 处罚种类
reason          free  cf_sy cfSy | 处罚事由 违法事实 违法行为类型
basis           text  cf_yj cfYj | 处罚依据 法律依据
content         free  cf_jg cfJg xk_nr xkNr | 处罚内容 处罚结果 行政处罚内容 许可内容
fine_amount     text  cf_fk cf_fkje | 罚款金额 罚款金额(万元)
authority       text  cf_cfjg cfCfjg cfXzjg cf_xzjg xk_xzjg xkXzjg | 处罚机关 处罚决定机关 作出行政处罚决定机关名称 决定机关名称 许可机关 许可决定机关 作出决定机关
decision_date   date  cf_jdrq cfJdrq xk_jdrq xkJdrq | 处罚决定日期 作出行政处罚决定日期 决定日期 许可决定日期
term            text  cf_qx cfQx | 处罚期限
subject_name    text  cf_xdr_mc cfXdrMc xk_xdr xkXdr xk_xdr_mc nsrmc entName jgmc | 行政相对人名称 相对人名称 企业名称 纳税人名称 市场主体名称 失信被执行人名称 机构名称
subject_code    code  cf_xdr_shxym cfXdrShxym xk_xdr_shxym xkXdrShxym tyshxydm creditCode | 相对人统一社会信用代码 统一社会信用代码
org_code        code  zzjgdm | 组织机构代码
reg_no          code  regno regNo | 注册号 工商注册号
taxpayer_no     code  nsrsbh | 纳税人识别号
legal_rep       person cf_fr cfFr xk_fr xkFr name legalPerson fddbrhzfzrmc | 法定代表人 法定代表人/负责人/执行事务合伙人 企业法人姓名 法定代表人或负责人姓名 负责人 法定代表人姓名
updated         date  cf_sjc cfSjc xk_sjc xkSjc sysUpdateTime | 数据更新时间 最新更新日期 更新时间
publicity_end   date  cf_gsjzq gsjzq | 公示截止期 公示截止日期 公示截止时间
item_name       text  xk_xmmc xkXmmc | 许可项目名称 项目名称
approval_type   text  xk_splb xkSplb | 审核类型 审批类别 许可类别
validity        text  xk_yxq xkYxq | 有效期 有效期限
valid_from      date  xk_yxqz | 有效期自
valid_to        date  xk_jzq xkJzq | 截止日期 有效期至 许可截止期
local_code      code  xk_dfbm xkDfbm cf_dfbm | 地方编码
area_code       code  area_code areaCode | 省份编码 地域编码
entity_type     text  enttype | 企业类型 市场主体类型 类型
established     date  esdate | 成立日期 设立日期
address         text  dom zcdz | 住所 注册地址 经营场所
reg_authority   text  regorg | 登记机关
entity_status   text  entstatus | 登记状态 经营状态
listed_date     date  lrsj lrrq | 列入日期 列入时间 认定日期 列入经营异常名录日期 列入严重违法失信名单日期
list_reason     free  lryy | 列入经营异常名录原因类型名称 列入经营异常名录原因 列入原因 列入严重违法失信名单原因 列入事由
listing_authority text lrbm lrjg | 列入决定机关名称 列入部门 认定部门 列入机关
removed_date    date  ycrq | 移出日期 移出时间
removal_reason  free  ycyy | 移出原因 移出经营异常名录原因 移出严重违法失信名单原因
data_category   text  sjlb | 数据类别
data_source     text  dataSource | 数据来源
evaluation_year text  pjnd | 评价年度
file_name       text  wjm | 文件名
case_no         text  ah | 案号
court           text  zxfy | 执行法院
area_name       text  dymc | 地域名称
basis_no        text  zxyjwh | 执行依据文号
basis_unit      text  zczxyjdw | 作出执行依据单位
duty            free  yw | 法律生效文书确定的义务
performance     text  lxqk | 被执行人的履行情况
circumstance    text  sxqx | 失信被执行人具体情形
published       date  fbsj | 发布时间
filed           date  lasj | 立案时间
performed_part  text  ylxbf | 已履行部分
unperformed_part text wlxbf | 未履行部分
case_period     text  ajsbq | 案件上报期
case_nature     text  ajxz | 案件性质
facts           free  zywfss | 主要违法事实
handling        free  xgflyjj_swclcfqk | 相关法律依据及税务处理处罚情况 法律依据及处理处罚情况
finance_person  person fyzjzrdcwfzrxm | 负有直接责任的财务负责人姓名
intermediary    withheld fyzjzrdzjjgxxjqcyryxx | 负有直接责任的中介机构信息及其从业人员信息 中介机构信息
record_id       ignore recid | 记录编号
_ignored        ignore uuid id xh | 序号
"""


@dataclass(frozen=True)
class Field:
    name: str
    kind: str


def _index() -> tuple[dict[str, Field], dict[str, Field]]:
    by_column: dict[str, Field] = {}
    by_label: dict[str, Field] = {}
    for line in _FIELDS.strip().splitlines():
        head, _, labels = line.partition("|")
        name, kind, *columns = head.split()
        spec = Field(name, kind)
        for column in columns:
            by_column.setdefault(column, spec)
        for label in labels.split():
            by_label.setdefault(label, spec)
    return by_column, by_label


BY_COLUMN, BY_LABEL = _index()

# Words of a column's key or label that say its value is about a natural person (a name, an ID,
# a contact): a value under such a column we do not know is withheld whatever it looks like.
# Shared by the parser and the archive redaction, so both withhold the same columns.
PERSON_LABEL_WORDS = ("姓名", "法定代表人", "法人", "代表人", "负责人", "联系人", "经办人", "当事人",
                      "身份证", "证件号", "经营者", "股东", "手机", "电话", "联系方式")

# Keys of the documented envelopes and of the legacy search and detail records
# (reference/sources.md section 1): known structure, not record columns. A file whose keys are
# mostly none of these nor a column or label above is not a Credit China response.
ENVELOPE_KEYS = frozenset({
    "status", "message", "msg", "code", "data", "list", "total", "page", "pageSize", "totalSize",
    "table_name", "tableName", "data_catalog", "dataSource", "columnList", "sencesMap", "entity",
    "headEntity", "rewardStatus", "punishmentStatus", "hgData", "uuid", "recid",
    "accurate_entity_name", "accurate_entity_code", "accurate_entity_name_query", "entityType",
    "entity_type", "record_source", "result", "results", "totalCount", "start", "totalPageCount",
    "currentPageNo", "type", "idCardOrOrgCode", "area", "objectType", "goodCount", "badCount",
    "dishonestyCount", "time", "encryStr", "xm", "tmzjhm",
})
# Keys that name the source a refused file comes from, so the refusal can say what it looks like.
_LOOKALIKES = (
    ("a gsxt company record (the enterprise publicity system's app)",
     ("uniscId", "pripId", "legalName", "regStateCN", "entTypeCN", "keyperson", "shareholder",
      "regOrgCn", "nodeNum")),
    ("a gsxt notices list", ("draw", "recordsTotal", "recordsFiltered", "noticeId", "noticeTitle")),
    ("a court dishonest-debtor record (zxgk)",
     ("iname", "caseCode", "cardNum", "courtName", "gistId", "disruptTypeName", "partyTypeName",
      "被执行人", "申请执行人")),
)


def known_key(key: str) -> bool:
    """Whether a key is a Credit China column, label or envelope key."""
    return key in BY_COLUMN or key in BY_LABEL or key in ENVELOPE_KEYS


def _keys_of(obj: Any) -> list[str]:
    """The keys of a body's top object and of its first records (one level of wrapping)."""
    keys: list[str] = []
    nodes = [obj]
    for _ in range(3):
        found = []
        for node in nodes:
            items = node if isinstance(node, list) else [node]
            for item in items[:5]:
                if isinstance(item, dict):
                    keys += [str(k) for k in item if str(k) not in keys]
                    found += [v for v in item.values() if isinstance(v, dict | list)]
        nodes = found
    return keys


def mostly_unknown(keys: Any) -> bool:
    """True when fewer than half of `keys` are known to Credit China: a file of another source."""
    names = [str(k) for k in keys]
    return bool(names) and 2 * sum(known_key(k) for k in names) < len(names)


def foreign_reason(obj: Any) -> str:
    """One line saying why a JSON body is refused and what it looks like instead."""
    keys = _keys_of(obj)
    unknown = [k for k in keys if not known_key(k)]
    if not keys:
        return "JSON in no Credit China format we know (no object keys)"
    counts = f"{len(unknown)} of its {len(keys)} keys are unknown to Credit China"
    for what, marks in _LOOKALIKES:
        seen = [m for m in marks if m in keys]
        if len(seen) >= 2:
            return (f"it looks like {what} ({', '.join(seen[:4])}), not a Credit China "
                    f"response: {counts}")
    sample = ", ".join(unknown[:5]) if unknown else ", ".join(keys[:5])
    return f"JSON in no Credit China format we know ({counts}: {sample})"


# Tables seen in the documented responses (reference/sources.md 1), then the tables of the
# mirror whose real names were not recorded (named in the site's pattern: fr = legal person).
KNOWN_TABLES: dict[str, str] = {
    "credit_xyzx_fr_xzcf_new": "penalty", "credit_xyzx_fr_xzcf_2026": "penalty",
    "credit_xyzx_fr_xzxk_new": "licence", "credit_scjdglzj_fr_gscxqy": "registration",
    "credit_swzj_fr_zdsswfajdsr": "tax_violation",
    "credit_swzj_fr_ajnsrmd": "red_list", "credit_scjdglzj_fr_jyycml": "abnormal",
    "credit_scjdglzj_fr_yzwfsxmd": "serious", "credit_zgf_fr_sxbzxr_jb": "serious",
    "credit_scjdglzj_fr_zdgzmd": "key_attention",
}
# Person catalogues (catalogSearchPerson tableName), from public code (index file 40962532027).
PERSON_TABLES: dict[str, str] = {
    "credit_zgf_zrr_sxbzxr_jb": "失信被执行人",
    "credit_fgw_zrr_ffjz_jb": "涉金融领域非法集资",
    "credit_fgw_zrr_qtyzwf_jb": "涉金融领域其他严重违法",
    "credit_hmd_zrr_xzhc_jb": "限制乘坐火车",
    "credit_hmd_zrr_xzfj_jb": "限制乘坐民用航空器",
    "credit_wjw_zrr_ynhmd_jb": "严重危害医疗秩序黑名单",
    "credit_jtysb_zrr_yzwfcxczyx_jb": "严重违法超限超载运输",
}
# typeSourceSearch `type` values and the record type each stands for.
TYPE_PARAM: dict[str, str] = {"诚实守信": "red_list", "经营异常": "abnormal",
                              "严重失信主体名单": "serious", "重点关注": "key_attention",
                              "行政管理": "penalty"}
# Words of a catalogue name (data_catalog) that say what an unknown table holds.
_CATALOG_WORDS = (("行政处罚", "penalty"), ("处罚", "penalty"), ("行政许可", "licence"),
                  ("许可", "licence"), ("经营异常", "abnormal"), ("重大税收违法", "tax_violation"),
                  ("严重违法", "serious"), ("严重失信", "serious"), ("失信", "serious"),
                  ("黑名单", "serious"), ("重点关注", "key_attention"), ("红名单", "red_list"),
                  ("守信", "red_list"), ("A级纳税人", "red_list"), ("登记", "registration"),
                  ("工商", "registration"))
_TABLE_PATTERNS = (("_xzcf", "penalty"), ("_xzxk", "licence"), ("zdsswf", "tax_violation"),
                   ("gscxqy", "registration"), ("jyyc", "abnormal"))


def classify_table(table: str | None, catalog: str | None, type_param: str | None) -> tuple[str, bool]:
    """(record type, whether the table is known). Unknown tables are classified by their name's
    pattern, their catalogue's words or the requested list type, else `other`."""
    if table and table in KNOWN_TABLES:
        return KNOWN_TABLES[table], True
    for part, kind in _TABLE_PATTERNS:
        if table and part in table:
            return kind, False
    for word, kind in _CATALOG_WORDS:
        if catalog and word in catalog:
            return kind, False
    if type_param and type_param in TYPE_PARAM:
        return TYPE_PARAM[type_param], False
    return "other", False


# GB/T 2260 province codes (first two digits of a division code) -> the short names the court
# list uses, so a province facet reads the same in every source.
PROVINCES = dict(pair.split(":") for pair in (
    "11:北京 12:天津 13:河北 14:山西 15:内蒙古 21:辽宁 22:吉林 23:黑龙江 31:上海 32:江苏 33:浙江 "
    "34:安徽 35:福建 36:江西 37:山东 41:河南 42:湖北 43:湖南 44:广东 45:广西 46:海南 50:重庆 "
    "51:四川 52:贵州 53:云南 54:西藏 61:陕西 62:甘肃 63:青海 64:宁夏 65:新疆 71:台湾 81:香港 "
    "82:澳门").split())


def province_of_code(code: str | None) -> str | None:
    """Province of a USCC (positions 3-4), a resident ID, a 15- or 13-digit registration
    number or a 6-digit division code (positions 1-2); None for anything else."""
    text = (code or "").strip().upper()
    if len(text) == 18:
        digits = text[:2] if looks_like_resident_id(text) else text[2:4]
    elif len(text) in (6, 13, 15) and text.isdigit():
        digits = text[:2]
    else:
        return None
    return PROVINCES.get(digits)


# A USCC made only of digits looks like an ID number to the pattern redaction; a valid one that
# cannot be a resident ID is shielded from it, so archived pages keep the companies' codes.
_USCC_RUN = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{18}(?![0-9A-Z])")
_SHIELDED = re.compile("\x00(\\d+)\x00")


def shield_codes(text: str) -> tuple[str, list[str]]:
    kept: list[str] = []

    def hide(m: re.Match[str]) -> str:
        if uscc_std.is_valid(m[0]) and not looks_like_resident_id(m[0]):
            kept.append(m[0])
            return f"\x00{len(kept) - 1}\x00"
        return m[0]

    return _USCC_RUN.sub(hide, text), kept


def unshield_codes(text: str, kept: list[str]) -> str:
    return _SHIELDED.sub(lambda m: kept[int(m[1])], text) if kept else text


# -- bodies --------------------------------------------------------------------------------------

def decode(body: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", "replace")


def codec_of(body: bytes) -> str:
    """The codec `decode` read the body with, to write a redacted copy back the same way."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig" if body.startswith(b"\xef\xbb\xbf") else "utf-8"


def load_json(text: str) -> Any:
    """Parsed JSON, or None when the text is not JSON (an HTML page, a truncated body)."""
    stripped = text.strip()
    if not stripped or stripped[0] not in "{[":
        return None
    try:
        return json.loads(stripped)
    except ValueError:
        return None
