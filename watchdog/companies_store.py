"""Matching the store's companies, and keeping the audit trail of it (`companymatch`).

`run_matching(database_url)` reads every company subject that has an observation, with the
codes and names its observations carry, finds candidate pairs through shared codes and names
(never all pairs: a company is compared with the few that share something with it), decides
each pair with `companies_match.compare`, and brings `companymatch` up to date: new matches are
added, matches that still hold stay as they are, and a match that no longer holds (or that a
stronger one replaced) is retracted, never deleted. Running it twice changes nothing the second
time. Persons are never read: only subjects of kind company.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Connection, Engine, exists, func, insert, select, update

from watchdog.companies import (
    FUZZY_THRESHOLD,
    MATCHER_VERSION,
    chinese_names_in_text,
    has_cjk,
    latin_blocks,
    normalise_name,
)
from watchdog.companies_ids import classify_identifier, identifiers_in_text, masked_form
from watchdog.companies_match import FOREIGN_SOURCES, CompanyRecord, Listing, Match, compare
from watchdog.parsers.foreign_common_values import country_code
from watchdog.store.company_tables import CompanyMatch
from watchdog.store.db import get_engine
from watchdog.store.tables import Crawl, Observation, ObservationChange, Subject

# Court-list payloads carry no code or name beyond the subject's own; they are most of the store.
PAYLOAD_SKIP = frozenset({"court_dishonest"})
NAME_KEYS = frozenset({
    "name", "names", "company_name", "entity_name", "firm_name", "taxpayer_name", "nsrmc",
    "jgmc", "entname", "ent_name", "chinese_name", "chinese_names", "name_zh", "names_zh",
    "zh_name", "alias", "aliases", "alt_names", "aka", "also_known_as", "former_names", "fka"})
ID_KEYS = frozenset({"code", "uscc", "credit_code", "tyshxydm", "unified_code", "uniscid",
                     "org_code", "zzjgdm", "organization_code", "reg_no", "regno",
                     "registration_number", "zch", "taxpayer_number", "taxpayer_id", "nsrsbh",
                     "tax_id"})
ID_LIST_KEYS = frozenset({"identifiers", "ids", "codes"})
TEXT_KEYS = ("info", "remark", "additional")  # foreign lists write Chinese names and codes here
COUNTRY_KEYS = frozenset({"country", "countries"})  # and `addresses`: [{"country": …}, …]
MAX_BLOCK = 200  # a code or name shared by more subjects than this is not evidence of identity
# "82 F.R. 61745 12/29/2017", "83F.R. 28801": volume and first page name the notice.
FR_CITATION = re.compile(r"(\d+)\s*F\.?\s*R\.?\s*(\d[\d,]*)", re.IGNORECASE)

OBS, SUBJ, MATCH = Observation.__table__, Subject.__table__, CompanyMatch.__table__


@dataclass
class MatchSummary:
    subjects: int = 0
    pairs_compared: int = 0
    active: int = 0
    added: int = 0
    unchanged: int = 0
    retracted: int = 0
    skipped_blocks: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        methods = ", ".join(f"{m} {n:,}" for m, n in sorted(self.by_method.items())) or "none"
        skipped = (f"; {self.skipped_blocks} over-shared codes or names ignored"
                   if self.skipped_blocks else "")
        return (f"company matching (matcher {MATCHER_VERSION}): {self.subjects:,} companies, "
                f"{self.pairs_compared:,} pairs compared, {self.active:,} matches ({methods}); "
                f"{self.added:,} added, {self.unchanged:,} unchanged, {self.retracted:,} "
                f"retracted{skipped}, {self.seconds:.1f} s")


def run_matching(database_url: str) -> MatchSummary:
    return match_engine(get_engine(database_url))


# What each engine's store looked like when this process last brought its matches up to date.
_MATCHED_AT: dict[str, tuple[Any, ...]] = {}


def refresh_matches(engine: Engine) -> None:
    """`match_engine`, unless nothing matching reads has changed since this process last ran it.

    Two audit suites rest on current matches; in one audit run the second finds them current.
    Any new subject, observation, change or finished crawl makes them stale again.
    """
    key = engine.url.render_as_string(hide_password=False)
    if _MATCHED_AT.get(key) == _stamp(engine):
        return
    match_engine(engine)
    _MATCHED_AT[key] = _stamp(engine)


def _stamp(engine: Engine) -> tuple[Any, ...]:
    crawl, change = Crawl.__table__, ObservationChange.__table__
    with engine.connect() as conn:
        return tuple(conn.execute(select(
            select(func.max(SUBJ.c.id)).scalar_subquery(),
            select(func.max(OBS.c.id)).scalar_subquery(),
            select(func.max(change.c.id)).scalar_subquery(),
            select(func.max(crawl.c.id)).scalar_subquery(),
            select(func.max(crawl.c.finished_at)).scalar_subquery(),
            select(func.max(MATCH.c.id)).scalar_subquery())).one())


def match_engine(engine: Engine) -> MatchSummary:
    started = time.perf_counter()
    summary = MatchSummary()
    records = load_records(engine)
    summary.subjects = len(records)
    pairs = candidate_pairs(records, summary)
    summary.pairs_compared = len(pairs)
    found: dict[tuple[int, int], Match] = {}
    for a, b in sorted(pairs):
        if (m := compare(records[a], records[b])) is not None:
            found[(a, b)] = m
    with engine.begin() as conn:
        _persist(conn, found, summary)
    for m in found.values():
        summary.by_method[m.method] = summary.by_method.get(m.method, 0) + 1
    summary.active = len(found)
    summary.seconds = time.perf_counter() - started
    return summary


# -- reading the store -------------------------------------------------------------------------

def load_records(engine: Engine) -> dict[int, CompanyRecord]:
    has_obs = exists().where(OBS.c.subject_id == SUBJ.c.id)
    with engine.connect() as conn:
        sources: dict[int, set[str]] = defaultdict(set)
        for sid, source in conn.execute(
                select(OBS.c.subject_id, OBS.c.source_id).distinct()
                .select_from(OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id))
                .where(SUBJ.c.kind == "company")):
            sources[sid].add(source)
        records: dict[int, CompanyRecord] = {}
        for sid, key, name, code in conn.execute(
                select(SUBJ.c.id, SUBJ.c.key, SUBJ.c.name, SUBJ.c.code)
                .where(SUBJ.c.kind == "company", has_obs)):
            records[sid] = _subject_record(sid, key, name, code, sources.get(sid, set()))
        stmt = (select(OBS.c.subject_id, OBS.c.source_id, OBS.c.payload)
                .select_from(OBS.join(SUBJ, SUBJ.c.id == OBS.c.subject_id))
                .where(SUBJ.c.kind == "company", OBS.c.source_id.not_in(PAYLOAD_SKIP)))
        for sid, source, payload in conn.execution_options(yield_per=2000).execute(stmt):
            if sid in records and isinstance(payload, dict):
                read_payload(records[sid], source, payload)
    return records


def _subject_record(sid: int, key: str, name: str | None, code: str | None,
                    sources: set[str]) -> CompanyRecord:
    rec = CompanyRecord(sid, key)
    scheme, _, value = key.partition(":")
    if scheme in ("uscc", "org"):
        rec.add_identifiers(classify_identifier(value, origin="subject key"))
    if code:
        rec.add_identifiers(classify_identifier(code, origin="published code"))
    if name and sources and sources <= FOREIGN_SOURCES:
        _read_name(rec, name, f"foreign list {', '.join(sorted(sources))}: name", True)
    elif name:
        rec.add_name(normalise_name(name), "name")
    return rec


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict) and isinstance(item.get("name"), str):
                yield item["name"]


def read_payload(rec: CompanyRecord, source: str, payload: dict[str, Any]) -> None:
    """Codes and names an observation's payload gives for its company (keys named for what
    they hold; see NAME_KEYS, ID_KEYS, ID_LIST_KEYS)."""
    foreign = source in FOREIGN_SOURCES
    where = f"foreign list {source}" if foreign else source
    if foreign:
        _read_countries(rec, payload)
        _read_listing(rec, source, payload)
    for key, value in payload.items():
        k = key.lower()
        if k in ID_LIST_KEYS:
            _read_identifier_list(rec, value, f"{where}: {key}")
        elif k in ID_KEYS or any(w in k for w in ("uscc", "shxym", "taxpayer_n", "nsrsbh")):
            for text in _strings(str(value) if isinstance(value, int) else value):
                rec.add_identifiers(classify_identifier(text, hint=k, origin=f"{where}: {key}"))
        elif k in NAME_KEYS:
            for text in _strings(value):
                _read_name(rec, text, f"{where}: {key}", foreign)
        elif foreign and any(w in k for w in TEXT_KEYS):
            for text in _strings(value):
                for zh in chinese_names_in_text(text):
                    rec.add_name(normalise_name(zh), f"{where}: {key}")
                rec.add_identifiers(identifiers_in_text(text, origin=f"{where}: {key}"))


def _read_name(rec: CompanyRecord, text: str, where: str, foreign: bool) -> None:
    if not foreign:
        rec.add_name(normalise_name(text), where)
        return
    # "HUAWEI TECHNOLOGIES CO., LTD. (华为技术有限公司)", "新疆交通建设集团股份有限公司, 新疆交建",
    # or a parser's misreading ("宁波"): a foreign list's Chinese text gives only the whole
    # company names in it, never the text folded into one name.
    if not has_cjk(text):
        rec.add_name(normalise_name(text), where)
    for zh in chinese_names_in_text(text):
        rec.add_name(normalise_name(zh), where)
    rec.add_identifiers(identifiers_in_text(text, origin=where))


def _read_countries(rec: CompanyRecord, payload: dict[str, Any]) -> None:
    """Where a foreign list places the firm (see `companies_match._apart`). Only what reads as
    an ISO country counts: a text we cannot place must not keep two records apart."""
    values = [v for k in COUNTRY_KEYS for v in _strings(payload.get(k))]
    addresses = payload.get("addresses")
    if isinstance(addresses, list):
        values += [a["country"] for a in addresses
                   if isinstance(a, dict) and isinstance(a.get("country"), str)]
    rec.countries.update(c for c in map(country_code, values) if c)


def _read_listing(rec: CompanyRecord, source: str, payload: dict[str, Any]) -> None:
    """The entry a cited row belongs to (see `companies_match.Listing`); a row that cites no
    Federal Register notice, or has no list or name, gives none."""
    citations = sorted({f"{volume} FR {page.replace(',', '')}"
                        for text in _strings(payload.get("federal_register_notices"))
                        for volume, page in FR_CITATION.findall(text)})
    names = list(_strings(payload.get("names")))
    form = normalise_name(names[0]) if names else None
    list_code = payload.get("list_code")
    if citations and form is not None and isinstance(list_code, str) and list_code:
        rec.listings.add(Listing(source, list_code, form.text, tuple(citations),
                                 str(payload.get("listed_on") or ""),
                                 str(payload.get("listed_until") or "")))


def _read_identifier_list(rec: CompanyRecord, value: Any, where: str) -> None:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            kind = next((str(item[k]) for k in ("type", "scheme", "kind", "id_type", "idType")
                         if item.get(k)), "")
            raw = next((item[k] for k in ("value", "number", "id", "idNumber", "code")
                        if item.get(k)), None)
            rec.add_identifiers(classify_identifier(
                raw, hint=kind or "identifier", origin=f"{where} ({kind or 'no type'})"))
        else:
            rec.add_identifiers(classify_identifier(item, hint="identifier", origin=where))


# -- candidates --------------------------------------------------------------------------------

def candidate_pairs(records: dict[int, CompanyRecord], summary: MatchSummary) -> set[tuple[int, int]]:
    """Pairs of subjects that share a code, a masked code's visible part, a Chinese name core,
    a branch's parent, a Latin name's own words, or a Latin word likely to start the same name."""
    blocks: dict[tuple[str, str], set[int]] = defaultdict(set)
    masked: dict[str, set[int]] = defaultdict(set)
    parents: dict[str, set[int]] = defaultdict(set)
    latin: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for rec in records.values():
        for ident in rec.identifiers:
            blocks[(ident.scheme, ident.value)].add(rec.id)
            if ident.scheme == "uscc":
                blocks[("uscc_masked", masked_form(ident.value))].add(rec.id)
            elif ident.scheme == "uscc_masked":
                masked[ident.value[8:10] + ident.value[14:17]].add(rec.id)
            elif ident.scheme == "org_code":
                masked[ident.value[:2] + ident.value[6:]].add(rec.id)
        for form, _ in rec.names:
            blocks[("name", form.core)].add(rec.id)
            for parent_core in form.parent_cores:  # a 营业厅's 分公司, and the company
                parents[parent_core].add(rec.id)
            if form.script == "latin" and not form.branch:
                # Spelling variants (ZHONG XING / ZHONGXING) share a block whatever their words.
                for key in latin_blocks(form):
                    blocks[("latin", key)].add(rec.id)
                for word in {form.tokens[0], max(form.tokens, key=len)}:
                    latin[word].append((rec.id, " ".join(form.tokens)))
    pairs: set[tuple[int, int]] = set()
    groups: list[Iterable[int]] = list(blocks.values()) + list(masked.values())
    for ids in groups:
        if len(ids) > MAX_BLOCK:
            summary.skipped_blocks += 1
            continue
        pairs.update(combinations(sorted(ids), 2))
    for core, branches in parents.items():
        # A branch is paired with its parent only, not with the parent's other branches.
        parent_ids = blocks.get(("name", core), set()) - branches
        if len(parent_ids) > MAX_BLOCK:
            summary.skipped_blocks += 1
            continue
        pairs.update((min(a, b), max(a, b)) for a in branches for b in parent_ids)
    for entries in latin.values():
        if len(entries) > MAX_BLOCK:
            summary.skipped_blocks += 1
            continue
        _latin_pairs(entries, pairs)
    return pairs


def _latin_pairs(entries: list[tuple[int, str]], pairs: set[tuple[int, int]]) -> None:
    choices = [text for _, text in entries]
    for sid, text in entries:
        for _, _, j in process.extract(text, choices, scorer=fuzz.token_sort_ratio, limit=None,
                                       score_cutoff=FUZZY_THRESHOLD):
            other = entries[j][0]
            if other != sid:
                pairs.add((min(sid, other), max(sid, other)))


# -- the audit trail ---------------------------------------------------------------------------

def _persist(conn: Connection, found: dict[tuple[int, int], Match], summary: MatchSummary) -> None:
    now = datetime.now(UTC)
    active = {(r.subject_a, r.subject_b): r for r in conn.execute(
        select(MATCH.c.id, MATCH.c.subject_a, MATCH.c.subject_b, MATCH.c.method,
               MATCH.c.score, MATCH.c.reason, MATCH.c.matcher_version)
        .where(MATCH.c.retracted_at.is_(None)))}
    retract: list[int] = []
    inserts: list[dict[str, Any]] = []
    for (a, b), m in sorted(found.items()):
        row = active.pop((a, b), None)
        if row is not None and (row.method, row.reason, row.matcher_version) == (
                m.method, m.reason, MATCHER_VERSION) and abs(row.score - m.score) < 1e-9:
            summary.unchanged += 1
            continue
        if row is not None:
            retract.append(row.id)
        inserts.append({"subject_a": a, "subject_b": b, "method": m.method, "score": m.score,
                        "reason": m.reason, "matched_at": now,
                        "matcher_version": MATCHER_VERSION})
    retract += [row.id for row in active.values()]
    # Retract first: the partial unique index allows one open row per pair.
    for start in range(0, len(retract), 5000):
        conn.execute(update(MATCH).where(MATCH.c.id.in_(retract[start:start + 5000]))
                     .values(retracted_at=now))
    if inserts:
        conn.execute(insert(MATCH), inserts)
    summary.added, summary.retracted = len(inserts), len(retract)
