"""Which parser reads which source: `parser_for(source_id)` returns a module with
`parse_bytes(body, keyer, *, name=None) -> ParsedFile`."""

from __future__ import annotations

import importlib
from types import ModuleType

PARSERS: dict[str, str] = {
    "court_dishonest": "watchdog.parsers.court_dishonest_drafts",
}


class UnknownSourceError(KeyError):
    def __str__(self) -> str:
        return f"no parser for source {self.args[0]!r} (known: {', '.join(sorted(PARSERS))})"


def parser_for(source_id: str) -> ModuleType:
    try:
        return importlib.import_module(PARSERS[source_id])
    except KeyError:
        raise UnknownSourceError(source_id) from None
