"""`watchdog score REGIME --input FILE|- [--json]` and `watchdog simulate REGIME ...`.

Both are plain `click.Command` objects; `watchdog/cli.py` registers them on the group. On a bad
regime or bad input they print one line starting `error:` and exit 1, like every other command.
Nothing a person types is written anywhere: the input is read, scored in memory and printed.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import IO, Any

import click
from pydantic import ValidationError

from watchdog.model.counterfactual import Counterfactual, ListingExit, counterfactual, listing_exit
from watchdog.model.facts import ListingFacts
from watchdog.model.loader import load_regime
from watchdog.model.population import Distribution, SimulationResult, simulate
from watchdog.model.schema import ListRegime
from watchdog.model.score import GateOutcome, ScoreResult, score


def _one_line_errors(func: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            func(*args, **kwargs)
        except (ValueError, OSError) as exc:  # RegimeError and JSON errors are ValueErrors
            click.echo(f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", err=True)
            sys.exit(1)
        except RecursionError:  # JSON nested thousands deep: no person's inputs look like that
            click.echo("error: the input is nested too deeply to be a person's inputs", err=True)
            sys.exit(1)

    return wrapper


@click.command("score")
@click.argument("regime")
@click.option("--input", "input_file", type=click.File("r", encoding="utf-8"), required=True,
              help="JSON file with the person's inputs, or - for standard input.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@_one_line_errors
def score_command(regime: str, input_file: IO[str], as_json: bool) -> None:
    """Score one person under REGIME (an id in data/regimes/ or a file) and say why.

    For the court list (cn_court_dishonest_list) the input is one listing's fields plus "as_of",
    and the output says how the listing ends and on what grounds it can be contested.
    """
    loaded = load_regime(regime)
    try:
        person = json.loads(input_file.read())
    except json.JSONDecodeError as exc:
        raise ValueError(f"input: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if isinstance(loaded, ListRegime):
        exit_ = _listing(loaded, person)
        click.echo(exit_.model_dump_json(indent=2) if as_json else _listing_text(exit_))
        return
    result = score(loaded, person)
    move = counterfactual(loaded, person)
    if as_json:
        click.echo(json.dumps({"result": result.model_dump(mode="json"),
                               "counterfactual": move.model_dump(mode="json")}, indent=2, ensure_ascii=False))
    else:
        click.echo(_score_text(result, move))


@click.command("simulate")
@click.argument("regime")
@click.option("--people", default=100_000, show_default=True, type=click.IntRange(2))
@click.option("--degree", default=10, show_default=True, type=click.IntRange(0))
@click.option("--alpha", default=0.3, show_default=True, type=float,
              help="Weight of contacts' scores, from 0 to 0.999.")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@_one_line_errors
def simulate_command(regime: str, people: int, degree: int, alpha: float, seed: int, as_json: bool) -> None:
    """Score a synthetic population under REGIME and mix in contacts' scores."""
    loaded = load_regime(regime)
    if isinstance(loaded, ListRegime):
        raise ValueError(f"{loaded.id} is a list regime; only scoring regimes can be simulated")
    try:
        result = simulate(loaded, people, degree, alpha, seed)
    except MemoryError:
        # Within the edge budget a run can still meet a machine with less free memory.
        raise ValueError(f"out of memory: {people:,} people x {degree} contacts does not fit in this "
                         "machine's memory; try fewer people or a lower degree") from None
    click.echo(json.dumps(asdict(result), indent=2) if as_json else _simulation_text(result))


def _listing(regime: ListRegime, person: object) -> ListingExit:
    if not isinstance(person, dict):
        raise ValueError("input: expected an object with the listing's fields")
    fields = dict(person)
    as_of = fields.pop("as_of", None)
    try:
        day = date.fromisoformat(as_of) if as_of is not None else date.today()
    except (TypeError, ValueError):
        raise ValueError(f"input: as_of: expected a date as YYYY-MM-DD, got {as_of!r}") from None
    # Facts the published record cannot hold, which the person says are true (2017 Art. 3, ...).
    asserted = fields.pop("asserted_exclusions", [])
    known = sorted(e.id for e in regime.exclusions if e.check == "asserted")
    if not isinstance(asserted, list) or not all(isinstance(a, str) for a in asserted):
        raise ValueError("input: asserted_exclusions: expected a list of exclusion ids")
    if unknown := sorted(set(asserted) - set(known)):
        raise ValueError(f"input: asserted_exclusions: unknown {', '.join(unknown)}; "
                         f"known: {', '.join(known)}")
    try:
        facts = ListingFacts.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "(root)"
        raise ValueError(f"input: {where}: {first['msg']}") from None
    return listing_exit(regime, facts, day, asserted_exclusions=asserted)


def _num(value: Decimal) -> str:
    return f"{value:+}" if value == value.to_integral_value() else f"{value:+.4f}".rstrip("0")


def _cite(source: str | None, evidence: object, unsourced: str = "given by you") -> str:
    return f"[{source}, {evidence}]" if source else f"[{unsourced}]"


def _gate(g: GateOutcome) -> str:
    # "depends": the weight sets (or recorded amounts) disagree; "unknown": not documented or a fact not given.
    mark = "depends" if g.depends_on else {True: "yes    ", False: "no     ", None: "unknown"}[g.applies]
    return f"  {mark} {g.label} - {g.reason} {_cite(g.source, g.evidence)}"


def _score_text(r: ScoreResult, move: Counterfactual) -> str:
    lines = [f"{r.title} ({r.regime_id}, model version {r.regime_version}, as of {r.as_of})"]
    band = f"{r.band.id} ({r.band.label}) {_cite(r.band.source, r.band.evidence)}" if r.band else "none documented"
    lines += [f"score: {r.score}", f"band: {band}"]
    if r.direct_grade:
        lines.append(f"grade set directly by '{r.direct_grade.rule}' "
                     f"{_cite(r.direct_grade.source, r.direct_grade.evidence)}")
    variants = ", ".join(f"{k} {v}" for k, v in r.range.by_variant.items())
    span = f"range: {r.range.low}-{r.range.high} ({variants})"
    if r.range.low_band != r.range.high_band:
        # The weight sets disagree on the band: both ends are the answer, not the first set's.
        span += f"; band {r.range.low_band or 'none'} to {r.range.high_band or 'none'} over the range"
    lines += [span, "", "contributions (they add up to the score):"]
    for c in r.contributions:
        unsourced = "arithmetic" if c.kind == "rounding" else "given by you"
        lines.append(f"  {_num(c.value):>10}  {c.label:<58} {_cite(c.source, c.evidence, unsourced)}")
    lines.append(f"  {'= ' + str(r.score):>10}")
    for title, gates in (("perks", r.perks), ("restrictions", r.restrictions)):
        if gates:
            lines += ["", f"{title}:", *(_gate(g) for g in gates)]
    lines += ["", "what would move you up:"]
    if move.reachable:
        lines.append(f"  to reach {move.target_band} ({move.score_after}):")
        for ch in move.changes:
            change = "drop" if ch.after is None else f"{ch.before} -> {ch.after}"
            lines.append(f"    {ch.label}: {change} {_cite(ch.source, ch.evidence)}")
        if move.perks_gained or move.restrictions_lifted:
            lines.append(f"  which would bring: {', '.join(move.perks_gained) or 'no new perk'}; lift: "
                         f"{', '.join(move.restrictions_lifted) or 'no restriction'}")
        if move.perks_depending:
            lines.append(f"  and, under some weight sets or recorded amounts only: {', '.join(move.perks_depending)}")
    else:
        lines.append(f"  {move.reason}")
    if r.notes:
        lines += ["", "notes:", *(f"  - {n}" for n in r.notes)]
    if r.simplification:
        lines += ["", f"simplification: {' '.join(r.simplification.split())}"]
    return "\n".join(lines)


def _listing_text(x: ListingExit) -> str:
    v = x.verdict
    lines = [f"{x.regime_id} (model version {v.regime_version}, as of {x.as_of})",
             f"lawful ground: {', '.join(v.grounds) or 'none recorded'}",
             f"term ends: {v.term_end or 'no fixed term'}; removal deadline: {v.removal_deadline or '-'}",
             f"restrictions triggered: {len(v.sanctions)}", f"court: {x.court or 'not published'}", "",
             "how the listing ends:"]
    for route in x.routes:
        state = {True: "open now", False: "not yet", None: "depends"}[route.applies]
        due = f", must be gone by {route.deadline}" if route.deadline else ""
        lines.append(f"  [{route.kind}] {route.text} ({state}{due}) {_cite(route.source, route.evidence)}")
        if route.note:
            lines.append(f"      {route.note}")
    if v.notes:
        lines += ["", "notes:", *(f"  {n}" for n in v.notes)]
    return "\n".join(lines)


def _shares(before: dict[str, float], after: dict[str, float]) -> list[str]:
    return [f"  {key:<40} {before[key]:7.2%} -> {after[key]:7.2%}" for key in before]


def _simulation_text(s: SimulationResult) -> str:
    def stats(d: Distribution) -> str:
        return f"mean {d.mean:.1f}, p10 {d.p10:.0f}, median {d.p50:.0f}, p90 {d.p90:.0f}"

    lines = [f"{s.regime_id} (model version {s.regime_version}): {s.people:,} synthetic people, "
             f"{s.edges:,} contact edges, alpha {s.alpha}, seed {s.seed}",
             f"network effect converged in {s.iterations} iterations (error at most {s.error_bound:.1e} points)",
             f"own scores:          {stats(s.before)}", f"with contacts mixed: {stats(s.after)}"]
    if s.before.band_shares:
        lines += ["", "share in each band (own -> with contacts):",
                  *_shares(s.before.band_shares, s.after.band_shares)]
    if s.before.without_perk:
        lines += ["", "share below each perk's threshold:", *_shares(s.before.without_perk, s.after.without_perk),
                  f"  lost only through contacts: {', '.join(f'{k} {v:.2%}' for k, v in s.lost_perk.items())}"]
    if s.before.restricted:
        lines += ["", "share under each restriction:", *_shares(s.before.restricted, s.after.restricted)]
    lines += ["", "notes:", *(f"  - {n}" for n in s.notes)]
    return "\n".join(lines)
