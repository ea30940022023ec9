"""Working-day deadlines: weekends skipped, the start day never counted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchdog.model.workdays import add_working_days, is_working_day


def test_friday_plus_three_is_wednesday() -> None:
    assert add_working_days(date(2026, 11, 20), 3) == date(2026, 11, 25)


@pytest.mark.parametrize(("start", "n", "expected"), [
    (date(2026, 11, 21), 1, date(2026, 11, 23)),  # Saturday -> Monday
    (date(2026, 11, 22), 3, date(2026, 11, 25)),  # Sunday -> Wednesday
    (date(2026, 11, 23), 5, date(2026, 11, 30)),  # Monday -> next Monday
    (date(2026, 11, 21), 5, date(2026, 11, 27)),  # Saturday -> Friday
    (date(2026, 11, 21), 0, date(2026, 11, 21)),
])
def test_hand_worked(start: date, n: int, expected: date) -> None:
    assert add_working_days(start, n) == expected


def test_negative_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(date(2026, 11, 20), -1)


@given(start=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
       n=st.integers(min_value=1, max_value=400))
def test_result_is_a_weekday_strictly_after_and_exactly_n_weekdays_later(start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert is_working_day(end)
    assert end > start
    days = (end - start).days
    weekdays = sum(is_working_day(start + timedelta(days=k)) for k in range(1, days + 1))
    assert weekdays == n
