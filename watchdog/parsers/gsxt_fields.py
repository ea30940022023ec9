"""What the enterprise credit publicity system's (gsxt) labels, columns and sections mean.

Provincial pages differ in wording (统一社会信用代码 / 注册号 / 统一社会信用代码/注册号, 法定代表人 /
负责人 / 经营者, 作出决定机关 / 决定机关名称 ...), so every label is mapped through the synonyms below.
A section is known by its title or, on pages that put the title outside the table, by its
header columns. Sections we recognise but do not store are listed so they are not reported.
"""

from __future__ import annotations

import re

# Basic-information labels (基本信息 / 营业执照信息) -> registration field. `person` fields hold a
# natural person's name and are keyed, never kept.
BASIC: dict[str, str] = {}
for _field, _labels in {
    "code": "统一社会信用代码 统一社会信用代码/注册号 注册号 注册号/统一社会信用代码",
    "name": "名称 企业名称 字号名称",
    "entity_type": "类型 企业类型 主体类型",
    "legal_rep": "法定代表人 负责人 经营者 投资人 执行事务合伙人 首席代表 法定代表人/负责人",
    "reg_capital": "注册资本 注册资金 成员出资总额",
    "established": "成立日期 注册日期",
    "address": "住所 营业场所 经营场所 主要经营场所",
    "op_from": "营业期限自 经营期限自 合伙期限自",
    "op_to": "营业期限至 经营期限至 合伙期限至",
    "scope": "经营范围 业务范围",
    "reg_authority": "登记机关",
    "approved": "核准日期",
    "status": "登记状态 经营状态",
    "form": "组成形式",
    "cancelled": "吊销日期 注销日期",
}.items():
    for _label in _labels.split():
        BASIC[_label] = _field
BASIC_DATES = frozenset({"established", "op_from", "op_to", "approved", "cancelled"})

# Column synonyms shared by the list sections.
COLUMNS: dict[str, str] = {}
for _field, _labels in {
    "seq": "序号",
    "list_reason": "列入经营异常名录原因 列入原因 列入严重违法企业名单原因 列入严重违法失信企业名单原因 "
                   "列入严重违法失信名单原因 列入事由",
    "listed_date": "列入日期 被列入经营异常名录日期 列入时间 被列入严重违法失信企业名单日期",
    "removal_reason": "移出经营异常名录原因 移出原因 移出严重违法企业名单原因 移出严重违法失信企业名单原因 "
                      "移出严重违法失信名单原因 移出事由",
    "removed_date": "移出日期 移出时间",
    "authority": "作出决定机关 决定机关 作出决定机关(列入) 作出决定机关（列入） 列入决定机关 列入作出决定机关 "
                 "作出行政处罚决定机关名称 决定机关名称 检查实施机关",
    "removal_authority": "作出决定机关(移出) 作出决定机关（移出） 移出决定机关 移出作出决定机关",
    "decision_no": "行政处罚决定书文号 决定书文号 处罚决定书文号",
    "violation_type": "违法行为类型 违法类型",
    "content": "行政处罚内容 处罚内容",
    "decision_date": "作出行政处罚决定日期 处罚决定日期 决定日期",
    "publicity_date": "公示日期",
    "note": "备注",
    "detail": "详情",
    "inspection_type": "类型",
    "date": "日期",
    "result": "结果",
    "subject_name": "企业名称 名称",
    "subject_code": "注册号 统一社会信用代码 统一社会信用代码/注册号",
    "reg_authority": "登记机关",
    "person": "姓名",
    "position": "职务",
}.items():
    for _label in _labels.split():
        COLUMNS.setdefault(_label, _field)
LIST_DATES = frozenset({"listed_date", "removed_date", "decision_date", "publicity_date", "date"})

# Sections: (record type, title words, header columns that identify it without a title).
SECTIONS: tuple[tuple[str, tuple[str, ...], frozenset[str]], ...] = (
    ("abnormal", ("经营异常信息", "经营异常名录信息", "列入经营异常名录信息"),
     frozenset({"列入经营异常名录原因"})),
    ("serious", ("严重违法信息", "严重违法失信信息", "严重违法失信企业名单信息", "列入严重违法失信企业名单信息"),
     frozenset({"列入严重违法企业名单原因"})),
    ("penalty", ("行政处罚信息",), frozenset({"违法行为类型"})),
    ("inspection", ("抽查检查信息", "抽查检查结果信息"), frozenset({"检查实施机关"})),
    ("branch", ("分支机构信息",), frozenset({"登记机关", "名称"})),
    ("key_person", ("主要人员信息",), frozenset({"姓名", "职务"})),
    ("directory", ("经营异常名录",), frozenset({"被列入经营异常名录日期"})),
)
# Sections shown on company pages that we read for persons only (to redact them) and do not store.
SKIPPED: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("变更信息",), frozenset({"变更事项"})),
    (("动产抵押登记信息",), frozenset({"被担保债权数额"})),
    (("股权出质登记信息",), frozenset({"出质股权数额"})),
    (("知识产权出质登记信息",), frozenset({"知识产权登记证号"})),
    (("股东信息", "股东及出资信息", "投资人信息", "发起人信息"), frozenset({"股东类型"})),
    (("股东及出资信息",), frozenset({"认缴额（万元）"})),
    (("股东及出资信息",), frozenset({"认缴出资方式"})),
    (("司法协助信息", "股权冻结信息"), frozenset({"执行法院"})),
    (("企业年报信息", "年报信息"), frozenset({"报送年度"})),
    (("股权变更信息",), frozenset({"变更前股权比例"})),
    (("行政许可信息",), frozenset({"许可文件编号"})),
    (("清算信息",), frozenset({"清算组负责人"})),
    (("商标注册信息",), frozenset({"商标注册号"})),
    (("基本信息", "营业执照信息"), frozenset()),
)
# Column headers under which a cell names a natural person unless it reads as a firm.
PERSON_HEADERS = ("姓名", "股东", "出质人", "质权人", "被执行人", "投资人", "发起人", "负责人",
                  "成员", "经营者", "法定代表人")
# A notice title: 关于将XX有限公司列入经营异常名录的公告; individual businesses add （经营者：张某）.
NOTICE_OPERATOR = re.compile(r"[（(]\s*经营者\s*[:：]?\s*([^（()）]{1,12}?)\s*[)）]")
# The operator named anywhere: 经营者：张某， or （经营者：张某）.
OPERATOR_NAME = re.compile(r"经营者\s*[:：]\s*([^\s，,;；：:（()）<\"]{2,12}?)\s*(?=[，,;；)）<\"]|$)")
NOTICE_SUBJECT = re.compile(
    r"^(?:关于)?(?:将|对)?(.+?)(?:企业)?的?(?:列入|移出|标记|清理|恢复|撤销|移入)")
NOTICE_CODE = re.compile(
    r"(?:统一社会信用代码|注册号)[^：:]{0,12}[：:]\s*([0-9A-Z]{18}|[0-9]{15}|[0-9]{13}|[0-9A-Z]{9})")
NOTICE_ACTIONS = (("移出", "removed"), ("恢复", "removed"), ("撤销", "revoked"), ("标记", "marked"),
                  ("清理", "cleared"), ("列入", "listed"))
NOTICE_TYPES = {"11": "abnormal", "21": "serious"}


def section_of(title: str | None, header: list[str]) -> tuple[str | None, bool]:
    """(record type or None, whether the section is known at all)."""
    head = set(header)
    for kind, titles, _signature in SECTIONS:
        if title and any(t in title for t in titles):
            return kind, True
    for titles, _signature in SKIPPED:
        if title and any(t in title for t in titles):
            return None, True
    for kind, _titles, signature in SECTIONS:
        if signature and signature <= head:
            return kind, True
    for _titles, signature in SKIPPED:
        if signature and signature <= head:
            return None, True
    return None, False


def clean_label(text: str) -> str:
    """A label as printed, without the bullets, colons and spaces the layouts add."""
    return re.sub(r"[\s\u00a0·：:]+", "", text or "")
