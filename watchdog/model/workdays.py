"""Working-day arithmetic for removal deadlines ("within 3 working days").

Only weekends are non-working days here. Chinese public holidays and the make-up working days
(调休) that the State Council sets around them are not modelled:

- A public holiday inside the window would push the true deadline later, so the deadline computed
  here is then early by up to a few days. An early deadline flags an entry as overdue sooner, which
  errs against the court and never in the listed party's disfavour.
- A make-up working day on a Saturday or Sunday inside the window would pull the true deadline
  earlier, by at most one or two days. This happens only right next to a long holiday, where the
  holiday itself usually outweighs it; audit findings that hinge on one day near a holiday should
  be read with that in mind.
"""

from __future__ import annotations

from datetime import date, timedelta

_FRIDAY = 4


def is_working_day(day: date) -> bool:
    """Monday to Friday."""
    return day.weekday() <= _FRIDAY


def add_working_days(start: date, n: int) -> date:
    """The day on which the n-th working day strictly after `start` falls.

    `start` itself never counts, whatever day it is: a deadline of "3 working days" from a
    Friday ends on the Wednesday. n == 0 returns `start` unchanged.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    if n == 0:
        return start
    day = start
    # Counting from a Saturday or Sunday is the same as counting from the Friday before, and
    # starting on a weekday lets whole weeks be added in one step.
    if not is_working_day(day):
        day -= timedelta(days=day.weekday() - _FRIDAY)
    weeks, rest = divmod(n, 5)
    day += timedelta(weeks=weeks)
    while rest:
        day += timedelta(days=1)
        if is_working_day(day):
            rest -= 1
    return day
