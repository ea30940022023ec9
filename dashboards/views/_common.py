"""What every page needs: the engine, the site's state (synthetic? sources?) and strict
query-string parsing, so a typo in a cited link fails loudly instead of showing other data."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import abort, current_app, g, request
from sqlalchemy import Engine

from dashboards.views._cache import cached
from watchdog.store import queries
from watchdog.store.artifacts import read_artifact
from watchdog.store.db import get_engine

LICENCE = {
    "data": "CC BY 4.0 (our derived data: counts, findings, metadata)",
    "data_url": "https://creativecommons.org/licenses/by/4.0/",
    "code": "AGPL-3.0-or-later",
    "source_records": "remain under their publishers' terms",
}
SYNTHETIC_NOTICE = "synthetic demo data in the real format"
MAX_VALUES = 20  # per facet; more is not a question a person asks, it is a scan
MAX_VALUE_LENGTH = 128


def engine() -> Engine:
    return get_engine(current_app.config["DATABASE_URL"])


def k_threshold() -> int:
    return int(current_app.config["SUPPRESSION_K"])


def artifacts_dir() -> Path:
    return Path(current_app.config["ARTIFACTS_DIR"])


def site_state() -> dict[str, Any]:
    """Footer and banner facts, read once per request."""
    if "site_state" not in g:
        g.site_state = {"synthetic": queries.is_synthetic(engine()),
                        "sources": queries.sources(engine()),
                        "generated_at": datetime.now(UTC).isoformat(timespec="seconds")}
    return g.site_state


def allow_params(*names: str) -> None:
    g.allowed_params = names  # what the OpenAPI document must describe (tests compare them)
    unknown = sorted(set(request.args) - set(names))
    if unknown:
        allowed = ", ".join(names) or "none"
        abort(400, f"unknown query parameter {unknown[0]!r}; this page accepts: {allowed}")


def values(name: str, known: Collection[str]) -> tuple[str, ...]:
    """Distinct values of a repeatable parameter, each one checked against `known`."""
    got = tuple(dict.fromkeys(v.strip() for v in request.args.getlist(name) if v.strip()))
    if len(got) > MAX_VALUES:
        abort(400, f"too many values for {name!r}: at most {MAX_VALUES}")
    for value in got:
        if len(value) > MAX_VALUE_LENGTH or value not in known:
            shown = ", ".join(sorted(known)[:40]) or "(none in the store yet)"
            abort(400, f"unknown {name} {value[:MAX_VALUE_LENGTH]!r}; known values: {shown}")
    return got


def one_value(name: str, known: Collection[str], default: str) -> str:
    got = values(name, known)
    if len(got) > 1:
        abort(400, f"{name!r} takes one value, got {len(got)}")
    return got[0] if got else default


def positive_int(name: str, default: int, maximum: int) -> int:
    raw = request.args.getlist(name)
    if not raw:
        return default
    if len(raw) > 1 or not raw[0].isascii() or not raw[0].isdigit():
        abort(400, f"{name!r} must be one whole number from 1 to {maximum}, got {raw[0][:40]!r}")
    number = int(raw[0])
    if not 1 <= number <= maximum:
        abort(400, f"{name!r} must be from 1 to {maximum}, got {number}")
    return number


def paging() -> tuple[int, int]:
    """(page, per_page) from the query string; both must be positive whole numbers."""
    size = positive_int("per_page", int(current_app.config["PAGE_SIZE"]), 1000)
    return positive_int("page", 1, 1_000_000), size


def list_filter() -> queries.ListFilter:
    """The five list facets, validated: closed vocabularies are fixed, open ones are the
    values the store holds."""
    eng = engine()
    return queries.ListFilter(**{
        facet: values(facet, cached(queries.vocabulary, eng, facet))
        for facet in ("province", "circumstance", "performance", "party_type", "status")})


def page_info(page: int, size: int, total: int) -> dict[str, Any]:
    pages = max(1, -(-total // size))
    return {"page": page, "per_page": size, "total": total, "pages": pages,
            "first": (page - 1) * size + 1 if total else 0, "last": min(page * size, total)}


def rate_text(hits: int, n: int, noun: str = "listings") -> str:
    """'37 of 52 listings (71%, 95% CI 57–82%)': the count, the share and its uncertainty."""
    if n <= 0:
        return f"{hits} of 0 {noun}"
    from watchdog.audit.stats import wilson_interval

    low, high = wilson_interval(hits, n)
    return (f"{hits:,} of {n:,} {noun} ({hits / n:.0%}, 95% CI {low:.0%}–{high:.0%})")


def checked_bytes(sha: str) -> bytes:
    """An artifact's stored bytes, checked against their address; a plain 404 or 500 otherwise
    (the raw view and the record excerpt both serve only bytes that match their hash)."""
    try:
        return read_artifact(artifacts_dir(), sha)
    except FileNotFoundError:
        abort(404, "this store has the artifact's record but not its file")
    except ValueError as exc:  # the bytes on disk no longer match their address
        abort(500, str(exc))
