"""A progress bar on stderr for long work (crawls, imports, audits); silent when disabled."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, *, enabled: bool = True, total: int | None = None) -> None:
        self.label = label
        self.enabled = enabled
        self.total = total
        self.done = 0
        self._last = 0.0

    def update(self, n: int, *, total: int | None = None) -> None:
        self.done += n
        if total:
            self.total = total
        now = time.monotonic()
        if self.enabled and now - self._last > 0.2:
            self._last = now
            self._draw()

    def _draw(self) -> None:
        if self.total:
            frac = min(1.0, self.done / self.total)
            bar = "#" * int(frac * 30)
            text = f"\r{self.label}: [{bar:<30}] {self.done:,}/{self.total:,}"
        else:
            text = f"\r{self.label}: {self.done:,} records"
        sys.stderr.write(text)
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self._draw()
            sys.stderr.write("\n")
            sys.stderr.flush()
