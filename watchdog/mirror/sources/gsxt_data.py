"""SYNTHETIC DEMO DATA for the gsxt mirror: companies, their abnormal-operations and
serious-violation histories, penalties, inspections, key personnel, and the notices.

14 companies are taken from the court-list mirror (same name and USCC), the others, including
three individual businesses whose operators are named in notices, are synthetic. Each company
follows one scenario, so the audit has cases that must and must not trigger: on the abnormal
list more than three years and not escalated; escalated on time; escalated early (the serious
listing cites the three years before they had passed); listed recently; removed and listed
again; on the serious list for another reason. Day 2 escalates some companies and lists two new
ones; no company leaves the directory, so every company page stays within the crawl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from watchdog.mirror.sources.credit_china_data import (
    CITIES,
    DIVISIONS,
    company_name,
    court_companies,
    day_date,
    hex_id,
    person_name,
    rng_for,
    synthetic_uscc,
)

COURT_SHARE, SYNTHETIC, SOLE = 14, 16, 3
ANNUAL_REPORT = "未按照《企业信息公示暂行条例》第八条规定的期限公示年度报告的"
UNREACHABLE = "通过登记的住所或者经营场所无法联系的"
THREE_YEARS = "被列入经营异常名录届满3年仍未履行相关义务"
FALSE_FILING = "提交虚假材料或者采取其他欺诈手段隐瞒重要事实，取得公司登记，被撤销登记的"
REMOVED = "已补报未报年份的年度报告并公示"


@dataclass
class Listing:
    kind: str            # abnormal | serious
    reason: str
    listed: date
    authority: str
    removed: date | None = None
    removal_reason: str | None = None


@dataclass
class Company:
    index: int
    name: str
    code: str
    ent_id: str
    ticket: str
    legal_rep: str
    rep_role: str
    people: list[tuple[str, str]]
    established: date
    authority: str
    operator: str | None = None      # individual businesses: the operator, a natural person
    listings: list[Listing] = field(default_factory=list)
    penalties: list[tuple[str, str, str, date]] = field(default_factory=list)
    inspections: list[tuple[str, date, str]] = field(default_factory=list)

    def current(self) -> Listing | None:
        return next((x for x in self.listings if x.kind == "abnormal" and x.removed is None), None)


def _years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


@lru_cache(maxsize=2)
def companies(day: int) -> tuple[Company, ...]:
    out = [_company(i, name, code, day) for i, (name, code, _case)
           in enumerate(court_companies(COURT_SHARE, 1))]
    for i in range(COURT_SHARE, COURT_SHARE + SYNTHETIC + SOLE + (2 if day == 2 else 0)):
        rng = rng_for("gsxt-company", i)
        division = rng.choice(DIVISIONS)
        sole = COURT_SHARE + SYNTHETIC <= i < COURT_SHARE + SYNTHETIC + SOLE
        if sole:
            name = f"{CITIES[division[:2]]}市{rng.choice('鑫源恒泰瑞丰盛世')}{rng.choice(('便利店', '五金店', '餐馆'))}"
            code = synthetic_uscc(rng, division, kind="92")
        else:
            name, code = company_name(rng, CITIES[division[:2]]), synthetic_uscc(rng, division)
        out.append(_company(i, name, code, day, sole=sole))
    return tuple(out)


def _company(i: int, name: str, code: str, day: int, sole: bool = False) -> Company:
    rng = rng_for("gsxt", i)
    today = day_date(1)  # dates count from day 1: a listing shown on both days is one listing
    city = name[:2]
    authority = f"{city}市市场监督管理局"
    rep = person_name(rng)
    people = [(rep, "执行董事兼总经理"), (person_name(rng), "监事")]
    if i % 3 == 0:
        people.append((person_name(rng), "董事"))
    c = Company(i, name, code, hex_id("gsxt-ent", i), hex_id("gsxt-ticket", i), rep,
                "经营者" if sole else "法定代表人", [] if sole else people,
                date(2005, 1, 1) + timedelta(days=rng.randrange(4000)), authority,
                operator=rep if sole else None)
    first = today if i < COURT_SHARE + SYNTHETIC + SOLE else day_date(2) - timedelta(days=4)
    jitter = timedelta(days=(i * 37) % 200)
    scenario = i % 6
    if i >= COURT_SHARE + SYNTHETIC + SOLE:  # listed between the two days
        c.listings.append(Listing("abnormal", ANNUAL_REPORT, first, authority))
    elif scenario == 0:  # more than three years, not escalated (escalated on day 2 if i % 12 == 0)
        listed = _years(today, -3) - timedelta(days=100) - jitter
        c.listings.append(Listing("abnormal", ANNUAL_REPORT, listed, authority))
        if day == 2 and i % 12 == 0:
            c.listings.append(Listing("serious", THREE_YEARS, day_date(2) - timedelta(days=3), authority))
    elif scenario == 1:  # escalated on time
        listed = _years(today, -3) - timedelta(days=200) - jitter
        c.listings.append(Listing("abnormal", ANNUAL_REPORT, listed, authority))
        c.listings.append(Listing("serious", THREE_YEARS, _years(listed, 3) + timedelta(days=10), authority))
    elif scenario == 2:  # escalated early: the three years had not passed
        listed = _years(today, -2) - timedelta(days=100) - jitter
        c.listings.append(Listing("abnormal", UNREACHABLE, listed, authority))
        c.listings.append(Listing("serious", THREE_YEARS, _years(listed, 1) + timedelta(days=200), authority))
    elif scenario == 3:  # listed recently
        c.listings.append(Listing("abnormal", ANNUAL_REPORT, today - timedelta(days=100) - jitter, authority))
    elif scenario == 4:  # removed once, listed again; one of them had stayed on four years
        years_on = 4 if i % 12 == 10 else 1
        old = _years(today, -6) - jitter
        c.listings.append(Listing("abnormal", ANNUAL_REPORT, old, authority,
                                  _years(old, years_on), REMOVED))
        c.listings.append(Listing("abnormal", UNREACHABLE, today - timedelta(days=200) - jitter, authority))
    else:  # on the serious list for another reason
        c.listings.append(Listing("abnormal", ANNUAL_REPORT, today - timedelta(days=400) - jitter, authority))
        c.listings.append(Listing("serious", FALSE_FILING, today - timedelta(days=100) - jitter, authority))
    if i % 4 == 1:
        decided = today - timedelta(days=300 + i * 5)
        c.penalties.append((f"{city}市监处罚〔{decided.year}〕{200 + i}号", "虚假宣传",
                            "罚款人民币10000元", decided))
    if i % 3 == 1:
        c.inspections.append((authority, today - timedelta(days=500 + i * 3), "未按规定公示即时信息"))
    return c


def notices(day: int, notice_type: str) -> list[dict[str, object]]:
    """Listing and removal notices: 11 for the abnormal-operations list, 21 for serious
    violations; newest first, as the site serves them."""
    kind = {"11": "abnormal", "21": "serious"}.get(notice_type)
    out = []
    for c in companies(day):
        for n, x in enumerate(c.listings):
            if x.kind != kind:
                continue
            out.append(_notice(c, x, n, "列入", x.listed))
            if x.removed is not None:
                out.append(_notice(c, x, n, "移出", x.removed))
    return sorted(out, key=lambda r: (-int(str(r["noticeDate"])), str(r["noticeId"])))


def _notice(c: Company, x: Listing, n: int, action: str, when: date) -> dict[str, object]:
    lists = "经营异常名录" if x.kind == "abnormal" else "严重违法失信企业名单"
    who = f"{c.name}（经营者：{c.operator}）" if c.operator else c.name
    why = x.reason if action == "列入" else (x.removal_reason or "")
    epoch_ms = int((when - date(1970, 1, 1)).total_seconds() - 8 * 3600) * 1000
    body = (f"<p style=\"text-align:center\">关于将{who}{action}{lists}的公告</p>"
            f"<p>{c.name}（统一社会信用代码/注册号：{c.code}）：</p>"
            f"<p>经查，你单位{why}，本机关决定将其{action}{lists}。</p><p>{x.authority}</p>")
    return {"noticeId": hex_id("notice", c.index, n, action).lower(),
            "noticeTitle": f"关于将{who}{action}{lists}的公告", "noticeContent": body,
            "noticeDate": epoch_ms, "judAuth_CN": x.authority}


def truth_names(day: int) -> set[str]:
    """Every synthetic natural person's name in the gsxt mirror (for privacy tests)."""
    names: set[str] = set()
    for c in companies(day):
        names |= {c.legal_rep} | {p for p, _ in c.people}
    return names
