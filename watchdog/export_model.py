"""The export's tables of the reference model: every regime in `data/regimes/`, every sourced
item of each (rule, band, circumstance, claim...) with its citation and evidence grade, the
citations themselves, and the regime versions the store's findings were judged against.

Regimes are read with `watchdog.model.loader`, as the `/model` pages read them; a regime file
that does not load is left out and named in the export's information.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from watchdog.export_spec import Context, Table, columns
from watchdog.export_tables import WHEN, stream
from watchdog.model.loader import DATA_DIR, REPO_ROOT, RegimeError, load_citations, load_regime
from watchdog.model.schema import Citation, Sourced, sourced_items
from watchdog.model.scoring_schema import Regime
from watchdog.store import tables

VALUE_FIELDS = ("points", "value", "min", "max", "working_days", "years")


def load_model(ctx: Context) -> tuple[list[tuple[Path, Regime]], dict[str, Citation]]:
    """Every regime that loads, with its file; the others go to `ctx.model_errors`. Read once
    per export (the export reads it before writing anything, so its information can say which
    regime files failed)."""
    if "model" in ctx.cache:
        return ctx.cache["model"]
    citations = load_citations()
    loaded = []
    for path in sorted((DATA_DIR / "regimes").glob("*.yaml")):
        try:
            loaded.append((path, load_regime(path, citations=citations)))
        except RegimeError as exc:
            ctx.model_errors.append(str(exc))
    ctx.cache["model"] = (loaded, citations)
    return loaded, citations


def _label(item: Sourced) -> str | None:
    for name in ("label", "title", "text", "claim"):
        value = getattr(item, name, None)
        if isinstance(value, BaseModel) and hasattr(value, "en"):
            return " ".join(str(value.en).split())
    return getattr(item, "text_en", None) or None


def _value(item: Sourced) -> str | None:
    parts = []
    for name in VALUE_FIELDS:
        value = getattr(item, name, None)
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            parts.append(f"{name} {value}")
    return ", ".join(parts) or None


def regime_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    loaded, _ = load_model(ctx)
    for path, regime in loaded:
        yield {"regime_id": regime.id, "title": regime.title.en, "title_zh": regime.title.zh,
               "kind": regime.kind, "jurisdiction": regime.jurisdiction,
               "operator": getattr(regime, "operator", None), "version": regime.version,
               "summary": " ".join(regime.summary.split()),
               "file": str(path.relative_to(REPO_ROOT)),
               "file_sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def rule_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    loaded, citations = load_model(ctx)
    for _path, regime in loaded:
        for path, item in sourced_items(regime):
            cite = citations.get(item.source)
            item_id = getattr(item, "id", None)
            yield {"regime_id": regime.id, "regime_version": regime.version,
                   "path": path or "(regime)",
                   "section": path.split(".")[0].split("[")[0] or "regime",
                   "item_id": item_id if isinstance(item_id, str) else None,
                   "label": _label(item), "value": _value(item), "citation": item.source,
                   "citation_title": cite.title if cite else None,
                   "evidence": str(item.evidence), "see_also": list(item.see_also),
                   "note": " ".join((item.note or "").split()) or None}


def citation_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    for cid, cite in sorted(load_model(ctx)[1].items()):
        url = cite.url if cite.url and cite.url.startswith(("https://", "http://")) else None
        yield {"citation_id": cid, "title": cite.title, "publisher": cite.publisher,
               "date": None if cite.date is None else str(cite.date), "url": url,
               "note": " ".join((cite.note or "").split()) or None}


def regime_version_rows(ctx: Context) -> Iterator[dict[str, Any]]:
    rv = tables.RegimeVersion.__table__
    stmt = (select(rv.c.id.label("regime_version_id"), rv.c.regime_id, rv.c.version,
                   rv.c.content_sha256, rv.c.loaded_at).order_by(rv.c.id))
    yield from stream(ctx, stmt)


MODEL_TABLES = (
    Table("regimes", "The reference model: every scoring or listing regime Scorewatch models, "
          "from data/regimes/.", columns(
              ("regime_id", "string", "Regime id"),
              ("title", "string", "Title"),
              ("title_zh", "string", "Title in Chinese"),
              ("kind", "string", "list, weighted_score, points_ledger or as_described"),
              ("jurisdiction", "string", "Where it applies"),
              ("operator", "string", "Who runs it (scoring regimes)"),
              ("version", "string", "Version of our model of it"),
              ("summary", "string", "What it is"),
              ("file", "string", "File in the Scorewatch repository"),
              ("file_sha256", "string", "SHA-256 of that file")),
          regime_rows),
    Table("regime_rules", "Every sourced item of every regime (rules, circumstances, terms, "
          "bands, perks, claims...), with the citation it rests on and how sure we are of it.",
          columns(
              ("regime_id", "string", "Regime"),
              ("regime_version", "string", "Regime version"),
              ("path", "string", "Where the item sits in the regime file"),
              ("section", "string", "Top-level section of the regime"),
              ("item_id", "string", "Id of the item, when it has one"),
              ("label", "string", "The item in words (English)"),
              ("value", "string", "Its number(s), when it has any (points, years, days...)"),
              ("citation", "string", "Citation id it rests on (see citations)"),
              ("citation_title", "string", "Title of that citation"),
              ("evidence", "string", "Evidence grade: verified, secondary, memory, disputed, low"),
              ("see_also", "array", "Further citation ids"),
              ("note", "string", "Note")),
          rule_rows),
    Table("citations", "Every source a rule cites (data/citations.yaml).", columns(
              ("citation_id", "string", "Citation id"),
              ("title", "string", "Title"),
              ("publisher", "string", "Publisher"),
              ("date", "string", "Date (possibly partial)"),
              ("url", "string", "Link"),
              ("note", "string", "Note")),
          citation_rows),
    Table("regime_versions", "Regime versions the store's audits judged listings against "
          "(findings name one).", columns(
              ("regime_version_id", "integer", "Id"),
              ("regime_id", "string", "Regime"),
              ("version", "string", "Version"),
              ("content_sha256", "string", "SHA-256 of the regime document used"),
              ("loaded_at", "datetime", f"When it was first used {WHEN}")),
          regime_version_rows),
)
