"""Scorewatch core library.

`model` holds the reference implementation of each scoring or listing regime (pure, no I/O
beyond reading its YAML); `parsers` turns raw source bytes into typed records; `store` keeps
sources, crawls, archived artifacts, subjects, observations and findings; `audit` holds each
published rule against what was observed; `privacy` keys persons and redacts text; `mirror`
serves the offline copy of every source; `cli` is the `watchdog` command.
"""

__version__ = "0.1.0"
