"""Which company subjects are one company, and why: the rules, pair by pair.

A `CompanyRecord` gathers what the store knows of one company subject: its key and published
code, its name, and the codes and names its observations carry (a foreign list's Chinese name
and USCC, a tax list's 15-character taxpayer number). `compare` decides one pair, strongest
evidence first:

1. `uscc`: the same full 18-character code; `reg_no`: the same 15-digit registration number;
   `org_code`: the same 9-character organisation code (alone, or inside a USCC or a taxpayer
   number), unless both have full codes and they differ; read from a bare 15-character number
   that no field called a taxpayer number, it needs the names to agree as well.
2. `masked_uscc+name`: a court-masked code whose visible characters agree with the other's
   code, and names that agree (`CODE_NAME_AGREEMENT`).
3. By name, only when no code contradicts: `name_exact` (equal cores after normalising),
   `chinese_name_from_foreign_list` (the same, where one side's Chinese name was given by a
   foreign list), `name_fuzzy` (Latin names only), and `name_branch` (one is a branch office of
   the other, or of a branch of it; a branch has its own code, so codes do not veto it). A name
   that is only a legal form (股份有限公司) joins nothing; different legal forms lower the score
   and say so. Where both records state where the firm is and no country is common to them, a
   name alone joins nothing: one name in two countries is a group's affiliates (FUTURE NETWINGS
   SOLUTIONS PVT LTD in Singapore, ... LLC in the US), each debarred in its own right. A branch
   abroad keeps its parent's legal form, so a branch in another country still joins a parent
   of the same form, never one of another. The exception is one listing written as several
   rows (`Listing`): the Denied Persons and Entity Lists give a firm one row per country it has
   addresses in, under one name, Federal Register notices and term (AL NASER WINGS AIRLINES in
   Baghdad, IQ and Dubai, AE), and such rows are one firm.

`companies_store.run_matching` applies this to the whole store and keeps the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from watchdog.companies import (
    CODE_NAME_AGREEMENT,
    FUZZY_THRESHOLD,
    NameForm,
    forms_agree,
    latin_similarity,
    names_agree,
)
from watchdog.companies_ids import Identifier

FOREIGN_SOURCES = frozenset({"ofac_sdn", "us_csl", "worldbank_debarred"})
NAME_METHODS = frozenset({"name_exact", "chinese_name_from_foreign_list", "name_fuzzy",
                          "name_branch"})
# Strongest first; a pair keeps the first method that holds.
METHODS = ("uscc", "reg_no", "org_code", "masked_uscc+name", "name_exact",
           "chinese_name_from_foreign_list", "name_fuzzy", "name_branch")


@dataclass(frozen=True)
class Listing:
    """One entry of a foreign list as its rows state it, less where the firm is. The US lists
    that cite Federal Register notices write one row per country of a firm's addresses; rows
    of one source and list with the same name, the same notices and the same term are that one
    entry. Without notices a row says too little: other lists (the World Bank's) give each
    affiliate its own row under the same name and dates."""

    source: str
    list_code: str
    name: str                   # the row's own name, normalised (`NameForm.text`)
    citations: tuple[str, ...]  # the notices, e.g. "82 FR 61745", sorted
    listed_on: str
    listed_until: str

    def describe(self) -> str:
        term = f"{self.listed_on or '?'} to {self.listed_until or '?'}"
        return (f"one {self.source} {self.list_code} listing of {self.name} "
                f"({', '.join(self.citations)}; {term})")


@dataclass
class CompanyRecord:
    id: int
    key: str
    identifiers: list[Identifier] = field(default_factory=list)
    names: list[tuple[NameForm, str]] = field(default_factory=list)  # (name, where it was read)
    # ISO 3166 codes of the countries its records place the firm in (foreign lists' addresses,
    # nationality, registration); empty when none says, as domestic sources do not.
    countries: set[str] = field(default_factory=set)
    listings: set[Listing] = field(default_factory=set)

    def codes(self, scheme: str) -> dict[str, str]:
        """value -> where it was read (the first place), for one scheme."""
        out: dict[str, str] = {}
        for ident in self.identifiers:
            if ident.scheme == scheme:
                out.setdefault(ident.value, ident.origin)
        return out

    def firm_codes(self, scheme: str) -> set[str]:
        """Values read at least once from a field that said what they are."""
        return {i.value for i in self.identifiers if i.scheme == scheme and not i.weak}

    def add_identifiers(self, found: list[Identifier]) -> None:
        known = {(i.scheme, i.value) for i in self.identifiers}
        self.identifiers += [i for i in found if (i.scheme, i.value) not in known]

    def add_name(self, form: NameForm | None, origin: str) -> None:
        if form is not None and all(form.text != n.text for n, _ in self.names):
            self.names.append((form, origin))


@dataclass(frozen=True)
class Match:
    method: str
    score: float  # 0-1
    reason: str


def visible_agree(masked: str, full: str) -> bool:
    return masked[:10] == full[:10] and masked[14:] == full[14:]


def masked_agrees_org(masked: str, org: str) -> bool:
    """Positions 9-10 and 15-17 of a masked code are the organisation code's 1-2 and 7-9."""
    return masked[8:10] == org[:2] and masked[14:17] == org[6:]


def _shared(a: dict[str, str], b: dict[str, str]) -> str | None:
    common = sorted(set(a) & set(b))
    return common[0] if common else None


def _masked_evidence(a: CompanyRecord, b: CompanyRecord) -> tuple[list[str], bool]:
    """Descriptions of masked codes that agree with the other side's codes, and whether some
    masked code met codes that all disagree with it (a contradiction)."""
    agree: list[str] = []
    conflict = False
    for one, other in ((a, b), (b, a)):
        full, masked, orgs = other.codes("uscc"), other.codes("uscc_masked"), other.codes("org_code")
        for m in one.codes("uscc_masked"):
            hits = ([f for f in full if visible_agree(m, f)] + [x for x in masked if x == m]
                    + [o for o in orgs if masked_agrees_org(m, o)])
            if hits:
                agree.append(f"{m} agrees with {hits[0]}")
            elif full or masked or orgs:
                conflict = True
    return agree, conflict


def _best_name_pair(a: CompanyRecord, b: CompanyRecord) -> tuple[float, NameForm, NameForm] | None:
    best = None
    for na, _ in a.names:
        for nb, _ in b.names:
            score = names_agree(na, nb)
            if best is None or score > best[0]:
                best = (score, na, nb)
    return best


def compare(a: CompanyRecord, b: CompanyRecord) -> Match | None:
    """The strongest reason to take `a` and `b` for one company, or None."""
    ua, ub = a.codes("uscc"), b.codes("uscc")
    if code := _shared(ua, ub):
        return Match("uscc", 1.0, f"same unified social credit code {code} "
                                  f"({ua[code]}; {ub[code]})")
    ra, rb = a.codes("reg_no"), b.codes("reg_no")
    if code := _shared(ra, rb):
        return Match("reg_no", 1.0, f"same registration number {code} ({ra[code]}; {rb[code]})")
    oa, ob = a.codes("org_code"), b.codes("org_code")
    uscc_conflict = bool(ua and ub)  # both have full codes, and none is shared
    if not uscc_conflict and (code := _shared(oa, ob)):
        reason = f"same organisation code {code} ({oa[code]}; {ob[code]})"
        if code in a.firm_codes("org_code") and code in b.firm_codes("org_code"):
            return Match("org_code", 1.0, reason)
        # Read from a bare 15-character number on one side: the names must agree as well.
        best = _best_name_pair(a, b)
        if best is not None and best[0] >= CODE_NAME_AGREEMENT:
            return Match("org_code", round(best[0] / 100, 3),
                         f"{reason}, and the names agree ({best[1].raw} / {best[2].raw})")
        return _branch(a, b)
    agree, masked_conflict = _masked_evidence(a, b)
    conflict = (uscc_conflict or masked_conflict or bool(oa and ob)  # org codes all differ
                or bool(ra and rb))
    if agree and not conflict:
        best = _best_name_pair(a, b)
        if best is not None and best[0] >= CODE_NAME_AGREEMENT:
            score, na, nb = best
            return Match("masked_uscc+name", round(score / 100, 3),
                         f"masked code {agree[0]} in its visible characters, and the names "
                         f"agree ({na.raw} / {nb.raw}, similarity {score:.0f})")
    if conflict:
        return _branch(a, b)  # a branch has a code of its own, so codes cannot rule it out
    return _by_name(a, b) or _branch(a, b)


def _apart(a: CompanyRecord, b: CompanyRecord) -> bool:
    """Both records say where the firm is, no country is common to them, and they are not
    rows of one listing."""
    return (bool(a.countries and b.countries) and not a.countries & b.countries
            and not a.listings & b.listings)


def _country_note(a: CompanyRecord, b: CompanyRecord) -> str:
    shared = sorted(a.countries & b.countries)
    if shared:
        return f"; both in {', '.join(shared)}"
    if a.countries and b.countries and (one := sorted(a.listings & b.listings, key=repr)):
        return (f"; records in {', '.join(sorted(a.countries))} / "
                f"{', '.join(sorted(b.countries))} are rows of {one[0].describe()}")
    return ""


def _by_name(a: CompanyRecord, b: CompanyRecord) -> Match | None:
    if _apart(a, b):
        return None  # one name in two countries: affiliates, or namesakes
    # Both named in Chinese, differently: a romanised name cannot overrule that (清远 and 庆元
    # are both QINGYUAN), so only a Chinese pair may join them.
    latin_ok = not _chinese_names_disagree(a, b)
    found: Match | None = None
    for na, where_a in a.names:
        for nb, where_b in b.names:
            if na.script != nb.script:
                continue  # a Latin name never joins a Chinese one
            if na.script == "latin" and not latin_ok:
                continue
            if not (na.distinctive and nb.distinctive):
                continue  # 股份有限公司 is every company's tail, no company's name
            if na.core == nb.core:
                foreign = [w for w in (where_a, where_b) if w.startswith("foreign list")]
                method = ("chinese_name_from_foreign_list" if na.script == "zh" and foreign
                          else "name_exact")
                candidate = Match(method, 1.0 - _form_penalty(na, nb),
                                  f"same name after normalising: {na.raw} ({where_a}) / "
                                  f"{nb.raw} ({where_b}){_forms_note(na, nb)}"
                                  f"{_country_note(a, b)}")
            elif na.script == "latin" and not (na.branch or nb.branch):
                score = latin_similarity(na, nb)
                if score < FUZZY_THRESHOLD:
                    continue
                candidate = Match("name_fuzzy", round(score / 100 - _form_penalty(na, nb), 3),
                                  f"similar names: {na.raw} / {nb.raw} (token_sort_ratio "
                                  f"{score:.0f} of the normalised words, threshold "
                                  f"{FUZZY_THRESHOLD}){_forms_note(na, nb)}"
                                  f"{_country_note(a, b)}")
            else:
                continue
            if found is None or (METHODS.index(candidate.method), -candidate.score) < (
                    METHODS.index(found.method), -found.score):
                found = candidate
    return found


def _chinese_names_disagree(a: CompanyRecord, b: CompanyRecord) -> bool:
    zh_a = {n.core for n, _ in a.names if n.script == "zh" and n.distinctive}
    zh_b = {n.core for n, _ in b.names if n.script == "zh" and n.distinctive}
    return bool(zh_a and zh_b) and not zh_a & zh_b


def _form_penalty(a: NameForm, b: NameForm) -> float:
    return 0.0 if forms_agree(a, b) else 0.1


def _forms_note(a: NameForm, b: NameForm) -> str:
    return "" if forms_agree(a, b) else f"; legal forms differ ({a.form} / {b.form})"


def _branch(a: CompanyRecord, b: CompanyRecord) -> Match | None:
    apart = _apart(a, b)
    for one, other in ((a, b), (b, a)):
        for branch, _ in one.names:
            if not branch.parent_core or not branch.distinctive:
                continue
            for parent, _ in other.names:
                label = branch.branch_of(parent.core) if parent.script == branch.script else None
                # The branch's name carries its parent's form: 有限公司 is not 股份有限公司, and
                # in another country a branch of another form is an affiliate's.
                if label is None or (apart and not forms_agree(branch, parent)):
                    continue
                abroad = (f"; records in {', '.join(sorted(one.countries))} / "
                          f"{', '.join(sorted(other.countries))}" if apart else "")
                return Match("name_branch", 1.0 - _form_penalty(branch, parent),
                             f"branch: {branch.raw} is a branch office ({label}) of "
                             f"{parent.raw}, by name{_forms_note(branch, parent)}{abroad}")
    return None
