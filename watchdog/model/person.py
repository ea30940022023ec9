"""A person's input to `score`, checked against the regime: `read_person(regime, raw) -> Person`.

Input conventions (a plain dict, as the CLI and the self-check receive it):
- weighted score: {"dimensions": {name: value from 0 to 1, 1 the best standing}};
- points ledger: {"events": [{"code": rule_id, "count": n, "points": p}], "start": points};
  `points` only for a rule whose table gives a span, `start` only where the start is undocumented;
- as described: {"base": score, "signals": {id: number}, "contacts": [{"id": ..., "score": ...}]};
- any kind: "signals" also carries the regime's yes/no conditions; "as_of" is a YYYY-MM-DD date.
Every problem is a ValueError whose one line says where (`input: events[2].count: ...`) and what.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from watchdog.model.scoring_schema import (
    DescribedRegime,
    LedgerRegime,
    ScoringRegime,
    WeightedRegime,
)

_FIELDS = {
    "weighted_score": {"dimensions", "signals", "as_of"},
    "points_ledger": {"events", "start", "signals", "as_of"},
    "as_described": {"base", "signals", "contacts", "as_of"},
}
MAX_COUNT = 1_000_000
# Contacts one person may list. The self-check asks for 5; the command line takes a whole address
# book, and 10,000 still scores and searches in about a second (the counterfactual works the gains
# out from the pull formula). Beyond that the output is no longer something a person reads.
MAX_CONTACTS = 10_000


class DuplicateContactError(ValueError):
    """Two contacts with one id: who is affecting the score, and which contact the way up drops,
    would no longer say which person is meant."""

    def __init__(self, contact_id: str, first: int, again: int) -> None:
        super().__init__(f"input: contacts[{again}].id: {contact_id!r} is already the id of "
                         f"contacts[{first}]; give each contact once, with its own id")
        self.contact_id = contact_id


@dataclass(frozen=True)
class Person:
    as_of: date
    dimensions: dict[str, Decimal] = field(default_factory=dict)
    events: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # code -> (count, points)
    facts: dict[str, bool] = field(default_factory=dict)
    signals: dict[str, Decimal] = field(default_factory=dict)
    contacts: list[tuple[str, Decimal]] = field(default_factory=list)
    start: int | None = None
    base: Decimal | None = None


def read_person(regime: ScoringRegime, raw: object) -> Person:
    """Check a person's input against the regime; any problem is a one-line ValueError."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"input: expected an object, got {type(raw).__name__}")
    allowed = _FIELDS[regime.kind]
    for key in raw:
        if key not in allowed:
            raise ValueError(f"input: {key}: not an input of {regime.id} ({regime.kind} takes "
                             f"{', '.join(sorted(allowed))})")
    as_of = _date(raw.get("as_of"))
    facts, signals = _signals(regime, raw.get("signals", {}))
    person = Person(as_of=as_of, facts=facts, signals=signals)
    if isinstance(regime, WeightedRegime):
        dims = _mapping(raw.get("dimensions"), "dimensions")
        names = [d.id for d in regime.dimensions]
        _known(dims, names, "dimensions", "dimension")
        for name in names:
            if name not in dims:
                raise ValueError(f"input: dimensions.{name}: missing (give a value from 0 to 1)")
            person.dimensions[name] = _number(dims[name], f"dimensions.{name}", Decimal(0), Decimal(1))
    elif isinstance(regime, LedgerRegime):
        _events(regime, raw.get("events", []), person.events)
        start = raw.get("start")
        if regime.start is None and start is None:
            raise ValueError(f"input: start: {regime.id} does not document its starting points; "
                             "give the current points")
        if regime.start is not None and start is not None:
            raise ValueError(f"input: start: {regime.id} starts everyone at {regime.start.points}")
        if start is not None:
            low, high = (regime.range.min, regime.range.max) if regime.range else (None, None)
            value = _number(start, "start", low, high)
            if value != value.to_integral_value():
                raise ValueError("input: start: must be whole points")
            person = replace(person, start=int(value))
    else:
        lo, hi = Decimal(regime.range.min), Decimal(regime.range.max)
        if raw.get("base") is not None:
            person = replace(person, base=_number(raw["base"], "base", lo, hi))
        contacts = raw.get("contacts", [])
        if contacts and regime.network is None:
            raise ValueError(f"input: contacts: {regime.id} does not model contacts")
        if not isinstance(contacts, list):
            raise ValueError("input: contacts: expected a list")
        if len(contacts) > MAX_CONTACTS:
            raise ValueError(f"input: contacts: at most {MAX_CONTACTS:,} contacts, got {len(contacts):,}")
        seen: dict[str, int] = {}
        for i, c in enumerate(contacts):
            c = _mapping(c, f"contacts[{i}]")
            _known(c, ["id", "score"], f"contacts[{i}]", "field")
            if not isinstance(c.get("id"), str | int) or isinstance(c.get("id"), bool) or c.get("id") == "":
                raise ValueError(f"input: contacts[{i}].id: give a name or number")
            cid = str(c["id"])   # 7 and "7" are one id: both print as "Contact 7"
            if cid in seen:
                raise DuplicateContactError(cid, seen[cid], i)
            seen[cid] = i
            person.contacts.append((cid, _number(c.get("score"), f"contacts[{i}].score", lo, hi)))
    return person


def _signals(regime: ScoringRegime, raw: object) -> tuple[dict[str, bool], dict[str, Decimal]]:
    raw = _mapping(raw, "signals")
    numeric = {s.id: s for s in regime.signals} if isinstance(regime, DescribedRegime) else {}
    yes_no = {c.id for c in regime.conditions}
    _known(raw, [*numeric, *yes_no], "signals", "signal")
    facts: dict[str, bool] = {}
    values: dict[str, Decimal] = {}
    for key, value in raw.items():
        if key in yes_no:
            if not isinstance(value, bool):
                raise ValueError(f"input: signals.{key}: expected true or false")
            facts[key] = value
        else:
            # A count with no natural maximum is held to the same bound as an event's count.
            top = numeric[key].max_value if numeric[key].max_value is not None else MAX_COUNT
            values[key] = _number(value, f"signals.{key}", Decimal(0), top)
    return facts, values


def _events(regime: LedgerRegime, raw: object, out: dict[str, tuple[int, int | None]]) -> None:
    if not isinstance(raw, list):
        raise ValueError("input: events: expected a list")
    for i, event in enumerate(raw):
        event = _mapping(event, f"events[{i}]")
        _known(event, ["code", "count", "points"], f"events[{i}]", "field")
        code = event.get("code")
        rule = regime.rule(code) if isinstance(code, str) else None
        if rule is None:
            codes = ", ".join(r.id for r in regime.rules) or "none"
            raise ValueError(f"input: events[{i}].code: unknown rule {code!r} (rules: {codes})")
        count = event.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COUNT:
            raise ValueError(f"input: events[{i}].count: expected a whole number from 0 to {MAX_COUNT}")
        points = event.get("points")
        if points is not None:
            low, high = rule.points_range or (None, None)
            if rule.points_range is None:
                raise ValueError(f"input: events[{i}].points: '{code}' has fixed points ({rule.points})")
            if not isinstance(points, int) or isinstance(points, bool) or not low <= points <= high:
                raise ValueError(f"input: events[{i}].points: expected a whole number from {low} to {high}")
        earlier = out.get(code)
        if earlier is not None and earlier[1] != points:
            raise ValueError(f"input: events[{i}]: '{code}' appears twice with different points")
        out[code] = ((earlier[0] if earlier else 0) + count, points)


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"input: {where}: expected an object")
    return value


def _known(given: Mapping[str, Any], names: Sequence[str], where: str, what: str) -> None:
    for key in given:
        if key not in names:
            raise ValueError(f"input: {where}.{key}: unknown {what} (known: {', '.join(names) or 'none'})")


def _number(value: object, where: str, low: Decimal | int | None, high: Decimal | int | None) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"input: {where}: expected a number, got {value!r}")
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"input: {where}: expected a finite number")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"input: {where}: {value} is outside {low if low is not None else '...'}"
                         f" to {high if high is not None else '...'}")
    return number


def _date(value: object) -> date:
    if value is None:
        return date.today()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"input: as_of: expected a date as YYYY-MM-DD, got {value!r}") from None
