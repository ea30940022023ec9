"""Reading regime and citation files, with one-line errors that say where and what.

Every failure, from a YAML syntax error to an unknown citation id deep in a rule, is raised as
`RegimeError` whose message reads `FILE: PATH: REASON`, e.g.
`data/regimes/x.yaml: circumstances[2].evidence: value is not one of verified, secondary, ...`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from watchdog.model.schema import CITATION_IDS, Citation, ListRegime, LocatedError, Slug
from watchdog.model.scoring_schema import DescribedRegime, LedgerRegime, Regime, WeightedRegime

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"

# The `kind` field of a regime file picks its model.
REGIME_MODELS: dict[str, type[Regime]] = {
    "list": ListRegime,
    "weighted_score": WeightedRegime,
    "points_ledger": LedgerRegime,
    "as_described": DescribedRegime,
}

_CITATIONS = TypeAdapter(dict[Slug, Citation])


class RegimeError(ValueError):
    """A regime or citation file that cannot be used; the message is one line."""

    def __init__(self, file: Path | str, path: str, reason: str, more: int = 0) -> None:
        self.file = _display(file)
        self.path = path
        self.reason = " ".join(reason.split())
        self.more = more
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(f"{self.file}: {self.path}: {self.reason}{suffix}")


def load_citations(path: Path | str | None = None) -> dict[str, Citation]:
    """Read and validate the citations file (default `data/citations.yaml`)."""
    file = Path(path) if path is not None else DATA_DIR / "citations.yaml"
    data = _read_yaml(file)
    try:
        return _CITATIONS.validate_python(data)
    except ValidationError as exc:
        raise _from_validation(file, exc) from None


def load_regime(
    path_or_id: Path | str,
    regimes_dir: Path | str | None = None,
    *,
    citations: Path | str | Mapping[str, Citation] | None = None,
) -> Regime:
    """Load a regime by id (looked up in `regimes_dir`, default `data/regimes/`) or by file path.

    Citation ids are checked against `citations`: a mapping already loaded, a path to a
    citations file, or by default `data/citations.yaml`.
    """
    file = _regime_file(path_or_id, regimes_dir)
    known = citations if isinstance(citations, Mapping) else load_citations(citations)
    data = _read_yaml(file)
    kind = data.get("kind")
    if kind is None:
        raise RegimeError(file, "kind", "required field is missing")
    model = REGIME_MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise RegimeError(file, "kind", f"value {kind!r} is not one of {', '.join(REGIME_MODELS)}")
    try:
        return model.model_validate(data, context={CITATION_IDS: frozenset(known)})
    except ValidationError as exc:
        raise _from_validation(file, exc) from None


def _regime_file(path_or_id: Path | str, regimes_dir: Path | str | None) -> Path:
    text = str(path_or_id)
    if isinstance(path_or_id, Path) or text.endswith((".yaml", ".yml")) or "/" in text:
        return Path(path_or_id)
    base = Path(regimes_dir) if regimes_dir is not None else DATA_DIR / "regimes"
    return base / f"{text}.yaml"


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML keeps the last of two equal keys silently; a rule file must not lose a rule so.

    libyaml's parser where PyYAML was built with it (the wheels are): a tenth of the pure-Python
    parser's time, which every crawl, import and page worker paid at start."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(file: Path) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegimeError(file, "(file)", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegimeError(file, "(file)", f"cannot read: {exc}") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # safe: a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise RegimeError(file, where, f"invalid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise RegimeError(file, "(root)", f"expected a mapping, got {type(data).__name__}")
    return data


def _from_validation(file: Path, exc: ValidationError) -> RegimeError:
    errors = exc.errors(include_url=False)
    path, reason = _describe(errors[0])
    return RegimeError(file, path, reason, more=len(errors) - 1)


def _describe(error: ErrorDetails) -> tuple[str, str]:
    loc = list(error["loc"])
    ctx = error.get("ctx") or {}
    kind = error["type"]
    cause = ctx.get("error")
    if isinstance(cause, LocatedError):
        return _join(loc, cause.path), cause.reason
    if kind == "missing":
        return _join(loc), "required field is missing"
    if kind == "extra_forbidden":
        return _join(loc), "unknown field (not allowed here)"
    if kind in ("enum", "literal_error"):
        choices = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        return _join(loc), f"value is not one of {choices} (got {error['input']!r})"
    if kind == "value_error" and cause is not None:
        return _join(loc), str(cause)
    return _join(loc), error["msg"][:1].lower() + error["msg"][1:]


def _join(loc: list[Any], extra: str = "") -> str:
    out = ""
    for part in loc:
        if part == "[key]":
            out += " (key)"
        elif isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    if extra:
        out = f"{out}.{extra}" if out and not extra.startswith("[") else out + extra
    return out or "(root)"


def _display(file: Path | str) -> str:
    path = Path(file)
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.as_posix()
