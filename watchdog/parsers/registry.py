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
    """The parser named in PARSERS, else the module `watchdog.parsers.<source_id>`."""
    name = PARSERS.get(source_id, f"watchdog.parsers.{source_id}")
    if not source_id.isidentifier():
        raise UnknownSourceError(source_id)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            raise UnknownSourceError(source_id) from None
        raise
    if not hasattr(module, "parse_bytes"):
        raise UnknownSourceError(source_id)
    return module
