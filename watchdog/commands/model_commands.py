"""`watchdog score REGIME --input FILE|- [--json]` and `watchdog simulate REGIME ...`.

Both are plain `click.Command` objects; `watchdog/cli.py` registers them on the group. On a bad
regime or bad input they print one line starting `error:` and exit 1, like every other command.
Nothing a person types is written anywhere: the input is read, scored in memory and printed.

Where a regime has several weight sets the text leads with the range and the band range, names
each weight set's score, and says which set the contributions add up for. `--json` writes the
model's Decimals as JSON numbers with their exact digits (an integral one as an integer).
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import IO, Any

import click
from pydantic import ValidationError

from watchdog.model.counterfactual import Counterfactual, ListingExit, counterfactual, listing_exit
from watchdog.model.facts import ListingFacts
from watchdog.model.loader import load_regime
from watchdog.model.population import Distribution, SimulationResult, simulate
from watchdog.model.schema import ListRegime
from watchdog.model.score import GateOutcome, ScoreResult, score, span_text, tidy
from watchdog.model.scoring_schema import ScoringRegime, WeightedRegime


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
        click.echo(exact_json({"result": result.model_dump(), "counterfactual": move.model_dump()}))
    else:
        click.echo(_score_text(loaded, result, move))


@click.command("simulate")
@click.argument("regime")
@click.option("--people", default=100_000, show_default=True, type=click.IntRange(2))
@click.option("--degree", default=10, show_default=True, type=click.IntRange(0))
@click.option("--alpha", default=0.3, show_default=True, type=float,
              help="Weight of contacts' scores, from 0 to 0.999.")
@click.option("--seed", default=0, show_default=True, type=int,
              help="Seed of the synthetic people and contacts, 0 or more; a seed repeats a run.")
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


def exact_json(data: Any) -> str:
    """JSON with every Decimal as a number: an integral one as an integer, any other with exactly
    its own digits. Python's encoder would write a float's shortest repr, which need not be those
    digits, so each such Decimal goes through as a marked string and is unquoted afterwards; the
    mark carries a fresh random key, so no text a person typed can pass for one."""
    key = secrets.token_hex(8)

    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else f"{key}:{value}"
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Enum):
            return value.value
        return value

    text = json.dumps(plain(data), indent=2, ensure_ascii=False)
    return re.sub(rf'"{key}:([-+0-9.Ee]+)"', r"\1", text)


def _num(value: Decimal) -> str:
    if value == 0:
        return "0"   # neither "+0" nor "-0"
    value = tidy(value)   # -31.00 -> -31, 2.50 -> 2.5
    return f"{value:+}" if value == value.to_integral_value() else f"{value:+.4f}".rstrip("0")


def _cite(source: str | None, evidence: object, unsourced: str = "given by you") -> str:
    return f"[{source}, {evidence}]" if source else f"[{unsourced}]"


def _gate(g: GateOutcome) -> str:
    # "depends": the weight sets (or recorded amounts) disagree; "unknown": not documented or a fact not given.
    mark = "depends" if g.depends_on else {True: "yes    ", False: "no     ", None: "unknown"}[g.applies]
    return f"  {mark} {g.label} - {g.reason} {_cite(g.source, g.evidence)}"


def _band_word(regime: ScoringRegime, band_id: str | None) -> str:
    """A band as a reader says it: "very good" for very_good (Very good), the id for a grade (B)."""
    if band_id is None:
        return "no documented band"
    label = regime.band(band_id).label.en
    return label.lower() if band_id.replace("_", " ").lower() == label.lower() else band_id


def _reading(regime: ScoringRegime, key: str) -> str:
    """What one entry of `range.by_variant` is, in words."""
    if isinstance(regime, WeightedRegime):
        found = next((v for v in regime.weight_variants if v.id == key), None)
        if found is not None:
            return found.label.en
        dim = next((d for d in regime.dimensions if f"only_{d.id}" == key), None)
        if dim is not None:
            return f"all weight on {dim.label.en.split(' (')[0].lower()}"
    return key


def _range_lines(regime: ScoringRegime, r: ScoreResult) -> list[str]:
    """The score where several weight sets disagree: the range and band range first, then each
    weight set's score and band by name; no one set's figure stands as "the" score."""
    low, high = r.range.low, r.range.high
    # A regime without bands (Tencent) has no band to name at either end.
    bands = f", {_band_word(regime, r.range.low_band)}" if regime.bands else ""
    if regime.bands and r.range.high_band != r.range.low_band:
        bands += f" to {_band_word(regime, r.range.high_band)}"
    unknown = isinstance(regime, WeightedRegime) and regime.weights_unknown
    why = ("over every possible weighting: no weights were published" if unknown
           else "the same under every reported weight set" if low == high
           else "the reported weight sets disagree, so the score is this range, not one number")
    lines = [f"score: {span_text(low, high)}{bands} ({why})",
             "  under each weighting:" if unknown else "  under each weight set:"]
    variants = {v.id: v for v in regime.weight_variants} if isinstance(regime, WeightedRegime) else {}
    for key, value in r.range.by_variant.items():
        cite = f" {_cite(variants[key].source, variants[key].evidence)}" if key in variants else ""
        band = f", {_band_word(regime, r.range.bands.get(key))}" if regime.bands else ""
        lines.append(f"    {key}: {value}{band} ({_reading(regime, key)}){cite}")
    if r.range.low_band != r.range.high_band and r.range.low_band and r.range.high_band:
        low_band, high_band = regime.band(r.range.low_band), regime.band(r.range.high_band)
        lines.append(f"band: {low_band.id} ({low_band.label.en}) to {high_band.id} ({high_band.label.en}) "
                     f"{_cite(high_band.source, high_band.evidence)}")
    elif r.band:
        lines.append(f"band: {r.band.id} ({r.band.label}) {_cite(r.band.source, r.band.evidence)}")
    else:
        lines.append("band: none documented")
    return lines


def _target_line(regime: ScoringRegime, r: ScoreResult, move: Counterfactual) -> str:
    after = move.range_after
    if after is None or after.low == after.high:
        return f"  to reach {move.target_band} ({move.score_after}):"
    # The target is reached under every reading: the harshest one's score is what is sure.
    harshest = min(after.by_variant, key=lambda k: after.by_variant[k])
    if r.several_weight_sets:
        every = "any weighting" if isinstance(regime, WeightedRegime) and regime.weights_unknown \
            else "every reported weight set"
        return (f"  to reach {move.target_band} under {every} ({after.low} points under the harshest, "
                f"{harshest}; {move.score_after} under {r.shown_for}):")
    return (f"  to reach {move.target_band} whatever the recorded amounts ({after.low} points with the "
            f"most severe, {after.high} with the least):")


def _score_text(regime: ScoringRegime, r: ScoreResult, move: Counterfactual) -> str:
    lines = [f"{r.title} ({r.regime_id}, model version {r.regime_version}, as of {r.as_of})"]
    if r.several_weight_sets:
        lines += _range_lines(regime, r)
    else:
        band = f"{r.band.id} ({r.band.label}) {_cite(r.band.source, r.band.evidence)}" if r.band else "none documented"
        lines += [f"score: {r.score}", f"band: {band}"]
    if r.direct_grade:
        lines.append(f"grade set directly by '{r.direct_grade.rule}' "
                     f"{_cite(r.direct_grade.source, r.direct_grade.evidence)}")
    if not r.several_weight_sets and r.range.low != r.range.high:
        variants = ", ".join(f"{k} {v}" for k, v in r.range.by_variant.items())
        span = f"range: {span_text(r.range.low, r.range.high)} ({variants})"
        if r.range.low_band != r.range.high_band:
            span += f"; band {r.range.low_band or 'none'} to {r.range.high_band or 'none'} over the range"
        lines.append(span)
    if r.several_weight_sets:
        lines += ["", f"contributions under {r.shown_for} ({_reading(regime, r.shown_for or '')}); "
                      f"they add up to its score, {r.score}:"]
    else:
        lines += ["", "contributions (they add up to the score):"]
    for c in r.contributions:
        unsourced = "arithmetic" if c.kind == "rounding" else "given by you"
        label = c.label
        if c.at_least is not None and c.once is not None:
            # A threshold, never count x points: "11 hours a day (10 hours a day or more: -30)".
            label = f"{c.label}: {_plain(c.count)} {c.unit} ({_plain(c.at_least)} {c.unit} or more: {_num(c.once)})"
        lines.append(f"  {_num(c.value):>10}  {label:<58} {_cite(c.source, c.evidence, unsourced)}")
    total = f"= {r.score}" + (f" under {r.shown_for}" if r.several_weight_sets else "")
    lines.append(f"  {total:>10}")
    if r.pulls:
        lines += ["", "who is affecting your score (your score with each contact minus without them, "
                      "the others kept):"]
        lines += [f"  {_num(p.pull.quantize(Decimal('0.01'))):>10}  contact {p.id} (score {_plain(p.score)})"
                  for p in sorted(r.pulls, key=lambda p: p.pull)]
    for title, gates in (("perks", r.perks), ("restrictions", r.restrictions)):
        if gates:
            lines += ["", f"{title}:", *(_gate(g) for g in gates)]
    lines += ["", "what would move you up:"]
    if move.reachable:
        lines.append(_target_line(regime, r, move))
        for ch in move.changes:
            change = "drop" if ch.after is None else f"{ch.before} -> {ch.after}"
            how = f" ({ch.how})" if ch.after is None and ch.how else ""
            lines.append(f"    {ch.label}: {change}{how} {_cite(ch.source, ch.evidence)}")
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


def _plain(value: Decimal | None) -> str:
    """A Decimal as written, without trailing zeros or an exponent."""
    if value is None:
        return "-"
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


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
