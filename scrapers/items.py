"""The one item every spider yields: a fetched page, what parsed from it, and what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class PageItem:
    url: str
    status: int
    content_type: str | None
    # Raw bytes and decoded JSON can name persons: keep them out of every repr and log line.
    body: bytes = field(repr=False)
    fetched_at: datetime
    parsed: Any | None = field(default=None, repr=False)  # decoded JSON, when it decoded
    listings: list[Any] = field(default_factory=list, repr=False)
    rejections: list[str] = field(default_factory=list)
    drafts: list[Any] = field(default_factory=list, repr=False)  # other sources' observations
    # A court-list page parsed, keyed and redacted already (`watchdog.pagework.PageResult`).
    page: Any | None = field(default=None, repr=False)
    next_pages: list[str] = field(default_factory=list)
    blocked: str | None = None         # reason the source refused us (block page, captcha, 412)
    error: str | None = None           # reason this page could not be used (5xx, truncated, ...)
    published: date | None = None      # the date the page says the whole list was published
    notes: list[str] = field(default_factory=list)  # what the page states that was not used
