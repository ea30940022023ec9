"""Errors raised by the parsers.

Every reason is one line and must never contain a natural person's name or ID number: reasons are
logged, stored with the crawl and shown on the status page.
"""

from __future__ import annotations


class ParseError(ValueError):
    """Base class: `reason` is a one-line, privacy-safe explanation."""

    def __init__(self, reason: str) -> None:
        # Collapse newlines so a reason can never spill into a multi-line log entry.
        self.reason = " ".join(reason.split())
        super().__init__(self.reason)


class FormatError(ParseError):
    """The body is JSON (or text) that is not one of the formats this parser knows."""


class RecordError(ParseError):
    """One record cannot be a listing (no case code, no name, a field in an unknown shape)."""


class BlockedError(ParseError):
    """The body is a block page, a captcha page or a WAF challenge instead of data."""
