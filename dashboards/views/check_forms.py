"""The self-check form: its fields, built from the regime files, and strict parsing of a POST.

Standings on a weighted score's dimensions are plain choices ("poor" ... "excellent") that map
to numbers on the model's 0-1 scale (`STANDINGS`). Counts, scores and dates are checked against
fixed bounds. A problem is a `FormError` whose message names the field by its label and never
repeats what was typed, so an error page cannot echo anything personal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from werkzeug.datastructures import MultiDict

from dashboards.views.model_data import catalogue
from watchdog.model.schema import Exclusion, ListRegime
from watchdog.model.scoring_schema import DescribedRegime, LedgerRegime, WeightedRegime

# (label, standing on the model's 0-1 scale); 1 is always the best standing.
STANDINGS: dict[str, tuple[str, Decimal]] = {
    "very_poor": ("very poor", Decimal("0")), "poor": ("poor", Decimal("0.25")),
    "fair": ("fair", Decimal("0.5")), "good": ("good", Decimal("0.75")),
    "excellent": ("excellent", Decimal("1")),
}
YES_NO = {"unsure": "not sure", "yes": "yes", "no": "no"}
PERFORMANCE = {"none": ("not performed at all", "全部未履行"), "part": ("partly performed", "部分未履行"),
               "full": ("fully performed", "全部履行")}
WEIGHTED = ("fico", "zhima", "tencent")
RONGCHENG_MAIN = ("bank_arrears_month", "sued_found_in_breach", "damaging_public_utility_equipment",
                  "traffic_ticket", "heroic_act", "drunk_driving")
MAX_COUNT = 999
CONTACTS = 5
MAX_TEXT = 80
MAX_FIELDS = 150


class FormError(ValueError):
    """A bad form; the message is safe to show (it never contains a submitted value)."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: Literal["choice", "count", "score", "date", "text", "check"]
    default: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    low: int = 0
    high: int = MAX_COUNT
    hint: str | None = None
    more: bool = False   # shown under "more" in its section
    role: str = ""       # standing, condition, event, signal, contact, base, start, flag

    @property
    def key(self) -> str:
        """The model's name for it: a dimension, rule, signal or condition id."""
        return self.name.split(".", 1)[1]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    fields: tuple[Field, ...]
    optional: str | None = None   # the name of the check box that switches the section on
    regime: str | None = None
    folded: bool = False          # shown closed, under "more systems"; its defaults still count


@dataclass
class Inputs:
    """What the form asked the model, per regime; held in memory for one request only."""

    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)   # regime id -> why it is not shown
    court: dict[str, Any] | None = None


def _standing_field(regime_id: str, dim_id: str, label: str, how: str | None) -> Field:
    choices = tuple((key, f"{word} ({value})") for key, (word, value) in STANDINGS.items())
    return Field(f"{regime_id}.{dim_id}", label, "choice", "good", choices, hint=how, role="standing")


def _condition_fields(regime: Any) -> list[Field]:
    return [Field(f"{regime.id}.{c.id}", c.label.en, "choice", "unsure", tuple(YES_NO.items()),
                  role="condition") for c in regime.conditions]


@lru_cache(maxsize=1)
def sections() -> tuple[Section, ...]:
    """The form, in the order a person fills it, built from the regime files."""
    by_id = catalogue().regimes
    out: list[Section] = []
    for rid in WEIGHTED:
        r = by_id.get(rid)
        if isinstance(r, WeightedRegime):
            fields = [_standing_field(rid, d.id, d.label.en, d.how) for d in r.dimensions]
            intro = (f"How you stand on each of its {len(r.dimensions)} factors, from very poor to excellent. "
                     f"The score runs from {r.range.min} to {r.range.max}.")
            out.append(Section(rid, r.title.en, intro, (*fields, *_condition_fields(r)), regime=rid,
                               folded=rid == "tencent"))
    r = by_id.get("rongcheng")
    if isinstance(r, LedgerRegime):
        rules = [r.rule(i) for i in RONGCHENG_MAIN] + [x for x in r.rules if x.id not in RONGCHENG_MAIN]
        fields = [Field(f"rongcheng.{x.id}", x.label.en + (f" ({x.unit})" if x.unit != "each time" else ""),
                        "count", "0", more=x.id not in RONGCHENG_MAIN, role="event") for x in rules if x]
        out.append(Section("rongcheng", r.title.en, "How many times each event is on your record. Every "
                           "resident starts at 1,000 points.", tuple(fields), regime="rongcheng"))
    r = by_id.get("weihai")
    if isinstance(r, LedgerRegime):
        fields = [Field(f"weihai.{key}", label, "count", "0", role="event")
                  for key, label in (("recorded_deduction", "Points deducted"), ("recorded_addition", "Points added"))]
        out.append(Section("weihai", r.title.en, "Weihai's own table was not found, so give the points your "
                           "record shows.", tuple(fields), regime="weihai", folded=True))
    r = by_id.get("sesame_2015_described")
    if isinstance(r, DescribedRegime):
        fields = [Field("sesame_2015_described.base", "Your score before these effects", "score", str(r.baseline.value),
                        low=r.range.min, high=r.range.max, role="base",
                        hint="550 is the middle of what most users scored in 2015")]
        fields += [Field(f"sesame_2015_described.{s.id}", f"{s.label.en} ({s.unit})", "count", "0",
                         high=int(s.max_value) if s.max_value is not None else MAX_COUNT, role="signal")
                   for s in r.signals]
        out.append(Section("sesame_2015_described", "What the 2015 press said Sesame Credit would do (disputed)",
                           "What the articles said moves the score; the company denies that posts count.",
                           tuple(fields), regime="sesame_2015_described"))
        contacts = [Field(f"contact.{i}", f"Contact {i}'s score", "score", "", low=r.range.min, high=r.range.max,
                          role="contact") for i in range(1, CONTACTS + 1)]
        out.append(Section("contacts", "Your contacts (the network effect)",
                           f"The articles said your friends' scores pull yours towards theirs. Give up to "
                           f"{CONTACTS} contacts' scores ({r.range.min} to {r.range.max}); leave the rest empty.",
                           tuple(contacts)))
    r = by_id.get("cn_tax_credit")
    if isinstance(r, LedgerRegime):
        out.append(Section("cn_tax_credit", "If you run a firm: its tax credit grade", "Firms are graded each "
                           "April for the year before.", (
                               Field("cn_tax_credit.include", "Show my firm's tax credit grade", "check"),
                               Field("cn_tax_credit.recorded_deduction", "Points deducted in the evaluation",
                                     "count", "0", high=100, role="event"),
                               Field("cn_tax_credit.serious_dishonesty", "A serious dishonest act was found", "check"),
                               *_condition_fields(r)), optional="cn_tax_credit.include", regime="cn_tax_credit",
                           folded=True))
    for rid, offences in (("xiamen_bailu", True), ("fuzhou_moli", False)):
        r = by_id.get(rid)
        if isinstance(r, LedgerRegime) and r.range is not None:
            fields = [Field(f"{rid}.start", f"Your current {r.title.en}", "score", "", low=r.range.min,
                            high=r.range.max, hint="leave empty if you have none", role="start")]
            if offences:
                fields.append(Field(f"{rid}.legal_offence", "Legal offences to try out", "count", "0",
                                    role="event"))
            out.append(Section(rid, r.title.en, "Only the range is documented, so start from your current score.",
                               tuple(fields), regime=rid, folded=True))
    r = by_id.get("cn_court_dishonest_list")
    if isinstance(r, ListRegime):
        circumstances = tuple((c.id, c.label.en) for c in r.circumstances)
        out.append(Section("court", "I am on the court list of dishonest judgment debtors",
                           "See how your listing ends and how to contest it. Nothing here asks for your name "
                           "or ID number.", (
                               Field("court.include", "I am on the list", "check"),
                               Field("court.published", "Date the entry was published", "date"),
                               Field("court.circumstance", "Circumstance given for the listing", "choice",
                                     circumstances[0][0], circumstances),
                               Field("court.performance", "What you have done so far", "choice", "none",
                                     tuple((k, v[0]) for k, v in PERFORMANCE.items())),
                               Field("court.performed_on", "Date you performed in full", "date",
                                     hint="only if you have performed in full"),
                               Field("court.court", "Court that listed you", "text",
                                     hint="as written in the entry; optional"),
                               Field("court.age", "Your age when the entry was published", "count", "", high=120,
                                     hint="optional"),
                               Field("court.legal_rep", "I am listed as the legal representative of a company "
                                     "that defaulted", "check"),
                               *(Field(f"{EXCLUSION_FIELD}{e.id}", e.label.en, "check", more=True,
                                       hint="tick if this was true when you were listed: then the court may "
                                            "not list you for refusing to perform")
                                 for e in asserted_exclusions(r))),
                           optional="court.include", regime="cn_court_dishonest_list"))
    return tuple(out)


def asserted_exclusions(regime: ListRegime) -> tuple[Exclusion, ...]:
    """Exclusions a person can assert that bar listing on some grounds only (2017 Art. 3)."""
    return tuple(e for e in regime.exclusions if e.check == "asserted" and e.grounds)


EXCLUSION_FIELD = "court.excluded."  # then the exclusion's id


# -- parsing ------------------------------------------------------------------------------------
_DIGITS = re.compile(r"[0-9]{1,6}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f<>]")


def parse(form: MultiDict[str, str], form_sections: tuple[Section, ...], today: date) -> dict[str, Any]:
    """Every field's value, checked; unknown or repeated fields are refused."""
    known = {f.name: f for s in form_sections for f in s.fields}
    names = [k for k in form if k != "csrf_token"]
    if len(names) > MAX_FIELDS or any(k not in known for k in names):
        raise FormError("The form has a field this page does not know. Reload the self-check and try again.")
    values: dict[str, Any] = {}
    for name, f in known.items():
        raw = form.getlist(name)
        if len(raw) > 1:
            raise FormError(f"“{f.label}” was sent more than once.")
        text = raw[0].strip() if raw else ""
        values[name] = _value(f, text, today)
    return values


def _value(f: Field, text: str, today: date) -> Any:
    if f.kind == "check":
        if text not in ("", "on", "yes"):
            raise FormError(f"“{f.label}” is a tick box: tick it or leave it empty.")
        return text != ""
    if text == "":
        if f.kind == "choice":
            return f.default
        return None if f.kind != "count" or f.default == "" else int(f.default)
    if f.kind == "choice":
        if text not in dict(f.choices):
            raise FormError(f"“{f.label}” must be one of: {', '.join(label for _, label in f.choices)}.")
        return text
    if f.kind in ("count", "score"):
        if not _DIGITS.fullmatch(text) or not f.low <= int(text) <= f.high:
            raise FormError(f"“{f.label}” must be a whole number from {f.low} to {f.high}.")
        return int(text)
    if f.kind == "date":
        try:
            day = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None or day > today or day.year < 1990:
            raise FormError(f"“{f.label}” must be a date written YYYY-MM-DD, from 1990 to today.")
        return day
    if len(text) > MAX_TEXT or _CONTROL.search(text):
        raise FormError(f"“{f.label}” must be plain text of at most {MAX_TEXT} characters.")
    return text


# -- from form values to the model's inputs -------------------------------------------------------
def inputs(values: Mapping[str, Any], form_sections: tuple[Section, ...]) -> Inputs:
    out = Inputs()
    for section in form_sections:
        rid = section.regime
        if rid is None:
            continue
        if section.optional and not values[section.optional]:
            out.skipped[rid] = "not ticked"
            continue
        if rid in WEIGHTED:
            out.people[rid] = _weighted(rid, section, values)
        elif rid in ("rongcheng", "weihai"):
            out.people[rid] = {"events": _events(rid, section, values)}
        elif rid == "sesame_2015_described":
            out.people[rid] = _described(section, values)
        elif rid == "cn_tax_credit":
            out.people[rid] = _tax(section, values)
        elif rid == "cn_court_dishonest_list":
            out.court = _court(values)
        elif values.get(f"{rid}.start") is None:
            out.skipped[rid] = "needs your current score"
        else:
            out.people[rid] = {"start": values[f"{rid}.start"], "events": _events(rid, section, values)}
    return out


def _conditions(section: Section, values: Mapping[str, Any]) -> dict[str, Any]:
    signals = {f.key: values[f.name] == "yes" for f in section.fields
               if f.role == "condition" and values[f.name] != "unsure"}
    return {"signals": signals} if signals else {}


def _weighted(rid: str, section: Section, values: Mapping[str, Any]) -> dict[str, Any]:
    dims = {f.key: STANDINGS[values[f.name]][1] for f in section.fields if f.role == "standing"}
    return {"dimensions": dims, **_conditions(section, values)}


def _events(rid: str, section: Section, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"code": f.key, "count": values[f.name]} for f in section.fields
            if f.role == "event" and values[f.name]]


def _described(section: Section, values: Mapping[str, Any]) -> dict[str, Any]:
    person: dict[str, Any] = {"signals": {}, "contacts": []}
    for f in section.fields:
        value = values[f.name]
        if f.role == "base" and value is not None:
            person["base"] = value
        elif f.role == "signal" and value:
            person["signals"][f.key] = value
    for i in range(1, CONTACTS + 1):
        if values.get(f"contact.{i}") is not None:
            person["contacts"].append({"id": str(i), "score": values[f"contact.{i}"]})
    return person


def _tax(section: Section, values: Mapping[str, Any]) -> dict[str, Any]:
    events = _events("cn_tax_credit", section, values)
    if values["cn_tax_credit.serious_dishonesty"]:
        events.append({"code": "serious_dishonesty", "count": 1})
    return {"events": events, **_conditions(section, values)}


def _court(values: Mapping[str, Any]) -> dict[str, Any]:
    published, performed = values["court.published"], values["court.performed_on"]
    if published is None:
        raise FormError("“Date the entry was published” is needed to work out how the listing ends.")
    if performed is not None and values["court.performance"] != "full":
        raise FormError("Give “Date you performed in full” only if you have performed in full.")
    return {"published": published, "circumstance": values["court.circumstance"],
            "performance": values["court.performance"], "performed_on": performed,
            "court": values["court.court"] or None, "age": values["court.age"],
            "legal_rep": values["court.legal_rep"],
            "asserted": [name.removeprefix(EXCLUSION_FIELD) for name, value in values.items()
                         if value is True and name.startswith(EXCLUSION_FIELD)]}
