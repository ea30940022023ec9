"""The request log of `watchdog serve`, without what a person may have typed into a URL.

Werkzeug logs every request line, query string included. The self-check and the list check
take their inputs by POST, but a hand-made link (`/check/list?name=…&id_number=…`) would put a
name and ID number into the log before the page refused it. For those paths the query string
is logged as withheld; every other page keeps its query in the log (facets, for debugging).
A server in front of the app (nginx, gunicorn) keeps its own access log: configure it the same.
"""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler

PRIVATE_PREFIXES = ("/check",)
WITHHELD = "?[query withheld]"


def withhold_query(target: str) -> str:
    """A request target as it may be logged: private paths lose their query string."""
    path, sep, _ = target.partition("?")
    return path + WITHHELD if sep and path.startswith(PRIVATE_PREFIXES) else target


class PrivateRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, logging private paths without their query string."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = getattr(self, "path", None)
        if path is None:  # a request line too broken to parse: log none of it
            self.requestline = "[unreadable request line]"
            super().log_request(code, size)
            return
        self.path = withhold_query(path)
        try:
            super().log_request(code, size)
        finally:
            self.path = path
