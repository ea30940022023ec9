"""Working-day arithmetic for removal deadlines ("within 3 working days").

A working day is a day of the official mainland-China working calendar: Monday to Friday, except
the public holidays, plus the weekend days that the State Council makes working days in exchange
(调休, make-up working days). Each year's days come from the General Office of the State Council's
notice on that year's holiday arrangements (国务院办公厅关于X年部分节假日安排的通知, published on
http://www.gov.cn/zhengce/); we read them from the `chinesecalendar` package (import name
`chinese_calendar`), which transcribes every notice since 2004 and raises NotImplementedError for a
year it has no notice for (version 1.11.0 covers 2004 to 2026).

Outside that coverage (before 2004, or a year whose notice the installed package does not have
yet) a day counts as working when it is Monday to Friday, as before. Without the holidays such a
deadline can be early by a few days near a long holiday (and late by a day or two next to a
make-up working day), so callers that show a deadline should say which basis it used:
`add_working_days_with_basis` returns it beside the date, either `OFFICIAL_BASIS` or
"weekdays only (no holiday data for YEAR)", naming every year whose days were counted Monday to
Friday. `add_working_days` keeps its old signature and returns the date alone.

Counting rules, whatever the basis:

- `start` itself never counts, whatever day it is: "3 working days" from an ordinary Friday ends on
  the Wednesday. Counting from a non-working day (a weekend or a holiday) is therefore the same as
  counting from the last working day before it.
- n == 0 returns `start`; a negative n is refused.
- Days are stepped one at a time (holidays and make-up days make whole-week steps wrong). The
  audit asks for a deadline for every listing, so the per-day answer and each (start, n) result are
  cached; deadlines run to a handful of days, so stepping costs little.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

_FRIDAY = 4
OFFICIAL_BASIS = "official calendar"
# About 180 years of days; the audit touches far fewer distinct dates.
_CACHE_SIZE = 1 << 16


def holiday_data_years() -> tuple[int, int]:
    """The first and last year the installed calendar data covers (the package's own bounds)."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


@lru_cache(maxsize=_CACHE_SIZE)
def _classify(day: date) -> tuple[bool, bool]:
    """(is a working day, the official calendar decided it)."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:  # no notice for this year in the package's data
        return day.weekday() <= _FRIDAY, False


def is_working_day(day: date) -> bool:
    """A working day of the official calendar; Monday to Friday in a year it does not cover."""
    return _classify(day)[0]


def has_holiday_data(day: date) -> bool:
    """Whether the official calendar (holidays and make-up working days) covers `day`."""
    return _classify(day)[1]


def add_working_days(start: date, n: int) -> date:
    """The day on which the n-th working day strictly after `start` falls.

    `start` itself never counts, whatever day it is. n == 0 returns `start` unchanged.
    """
    return add_working_days_with_basis(start, n)[0]


@lru_cache(maxsize=_CACHE_SIZE)
def add_working_days_with_basis(start: date, n: int) -> tuple[date, str]:
    """`add_working_days` and the basis the days were counted on.

    The basis is `OFFICIAL_BASIS` when the official calendar covers every day counted (those
    after `start` up to the result), else "weekdays only (no holiday data for 2027)", naming the
    years counted Monday to Friday. With n == 0 no day is counted; the basis is then that of
    `start`, so it never claims holiday data for a year that has none.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    day = start
    uncovered: set[int] = set()
    if n == 0 and not has_holiday_data(start):
        uncovered.add(start.year)
    rest = n
    while rest:
        day += timedelta(days=1)
        working, covered = _classify(day)
        if not covered:
            uncovered.add(day.year)
        if working:
            rest -= 1
    return day, basis_label(uncovered)


def basis_label(uncovered_years: set[int] | frozenset[int]) -> str:
    """The words for a deadline's basis, given the years counted without holiday data."""
    if not uncovered_years:
        return OFFICIAL_BASIS
    years = ", ".join(str(y) for y in sorted(uncovered_years))
    return f"weekdays only (no holiday data for {years})"
