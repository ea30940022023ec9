"""The mirror's switches: which publication day it serves and how it fails, settable from
tests, the CLI and `POST /_mirror/state`."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

FAILURES = ("block412", "captcha", "http500", "truncated", "layout")
DETAILS_PER_PAGE = 20
_UNSET: Any = object()


@dataclass
class MirrorState:
    """What the mirror serves now. Setting day, failure or fail_from_page (directly or through
    `update`) validates the value and restarts the detail-request count the switches page by."""

    day: int = 1
    failure: str | None = None
    fail_from_page: int = 1
    counters: dict[str, int] = field(default_factory=dict)
    details_since_switch: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SWITCHES:
            _check(name, value)
            if "_lock" in self.__dict__:  # after __init__: a switch was flipped
                object.__setattr__(self, "details_since_switch", 0)
        object.__setattr__(self, name, value)

    def update(self, day: int = _UNSET, failure: str | None = _UNSET,
               fail_from_page: int = _UNSET) -> None:
        """Change several switches at once; nothing changes if any value is invalid."""
        new = {k: v for k, v in (("day", day), ("failure", failure),
                                 ("fail_from_page", fail_from_page)) if v is not _UNSET}
        for name, value in new.items():
            _check(name, value)
        with self._lock:
            for name, value in new.items():
                setattr(self, name, value)
            self.details_since_switch = 0

    def count(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self.counters[key] = self.counters.get(key, 0) + 1

    def next_detail(self) -> int:
        """Count one detail request; return its page index for the failure switches."""
        with self._lock:
            n = self.details_since_switch
            self.details_since_switch += 1
            return n // DETAILS_PER_PAGE

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"day": self.day, "failure": self.failure, "fail_from_page": self.fail_from_page,
                    "details_since_switch": self.details_since_switch,
                    "counters": dict(self.counters), "failures": list(FAILURES)}


_SWITCHES = ("day", "failure", "fail_from_page")


def _check(name: str, value: Any) -> None:
    if name == "day" and (value not in (1, 2) or isinstance(value, bool)):
        raise ValueError(f"day must be 1 or 2, not {value!r}")
    if name == "failure" and value is not None and value not in FAILURES:
        raise ValueError(f"failure must be null or one of {', '.join(FAILURES)}, not {value!r}")
    if name == "fail_from_page" and (not isinstance(value, int) or isinstance(value, bool)
                                     or value < 0):
        raise ValueError(f"fail_from_page must be an integer >= 0, not {value!r}")
