"""Mirror pages of the sources other than the court list: one module per source registers its
URL paths here, and the server answers them with the same failure switches as the court list.

A route takes the query parameters and the publication day and returns a `SourcePage` (or None
for a 404). `render(layout)` builds the body; with `layout=True` it must add a field or column
the parser does not know (the "changed layout" switch). `captcha` is what this source answers
when the captcha switch is on (each source has its own way of asking).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

JSON_TYPE = "application/json;charset=UTF-8"
HTML_TYPE = "text/html;charset=UTF-8"
CSV_TYPE = "text/csv;charset=UTF-8"
XML_TYPE = "application/xml;charset=UTF-8"



@dataclass(frozen=True)
class SourcePage:
    source_id: str
    index: int  # page number from 0, for the `fail_from_page` switch
    key: tuple[Any, ...]  # cache key (the day is added by the server)
    render: Callable[[bool], bytes]
    ctype: str = JSON_TYPE
    captcha: tuple[int, bytes, str] | None = None
    # The whole source is this one document (no first page to let through before failing).
    one_document: bool = False


Route = Callable[[dict[str, str], int], SourcePage | None]
ROUTES: dict[str, Route] = {}
_loaded = False


def route(*paths: str) -> Callable[[Route], Route]:
    def register(func: Route) -> Route:
        for path in paths:
            if path in ROUTES:
                raise ValueError(f"mirror path {path} registered twice")
            ROUTES[path] = func
        return func

    return register


def find(path: str) -> Route | None:
    global _loaded
    if not _loaded:
        # Every module in this package registers its routes when imported.
        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
        _loaded = True
    return ROUTES.get(path)
