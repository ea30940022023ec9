"""Working-day deadlines: the official calendar (holidays, make-up working days) where the
chinesecalendar package has the State Council's notice, Monday to Friday elsewhere; the start day
never counted."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchdog.model.workdays import (
    OFFICIAL_BASIS,
    add_working_days,
    add_working_days_with_basis,
    has_holiday_data,
    holiday_data_years,
    is_working_day,
)

FIRST_YEAR, LAST_YEAR = holiday_data_years()
# A year the installed package certainly has no notice for; 2027 with 1.11.0.
UNCOVERED = LAST_YEAR + 1


def test_coverage_of_the_pinned_package() -> None:
    assert (FIRST_YEAR, LAST_YEAR) == (2004, 2026)
    assert has_holiday_data(date(2004, 1, 1)) and has_holiday_data(date(2026, 12, 31))
    assert not has_holiday_data(date(2003, 12, 31)) and not has_holiday_data(date(2027, 1, 1))


def test_friday_plus_three_is_wednesday() -> None:
    assert add_working_days(date(2026, 11, 20), 3) == date(2026, 11, 25)


@pytest.mark.parametrize(("start", "n", "expected"), [
    (date(2026, 11, 21), 1, date(2026, 11, 23)),  # Saturday -> Monday
    (date(2026, 11, 22), 3, date(2026, 11, 25)),  # Sunday -> Wednesday
    (date(2026, 11, 23), 5, date(2026, 11, 30)),  # Monday -> next Monday
    (date(2026, 11, 21), 5, date(2026, 11, 27)),  # Saturday -> Friday
    (date(2026, 11, 21), 0, date(2026, 11, 21)),
])
def test_hand_worked_ordinary_weeks(start: date, n: int, expected: date) -> None:
    assert add_working_days_with_basis(start, n) == (expected, OFFICIAL_BASIS)


# National Day 2024 (国办发明电〔2023〕7号): 1-7 October off; Sunday 29 September and Saturday
# 12 October are working days.
#   Fri 27 Sep (start, never counts), Sat 28 off, Sun 29 = 1, Mon 30 = 2, 1-7 Oct off,
#   Tue 8 Oct = 3, Wed 9 = 4, Thu 10 = 5, Fri 11 = 6, Sat 12 = 7, Sun 13 off, Mon 14 = 8.
# Weekdays only would have said 2 October for n = 3: six days early.
# Spring Festival 2025 (国办发明电〔2024〕12号): 28 January to 4 February off; Sunday 26 January and
# Saturday 8 February are working days.
#   Fri 24 Jan (start), Sat 25 off, Sun 26 = 1, Mon 27 = 2, 28 Jan - 4 Feb off, Wed 5 Feb = 3.
# Weekdays only would have said 29 January for n = 3.
@pytest.mark.parametrize(("start", "n", "expected"), [
    (date(2024, 9, 27), 1, date(2024, 9, 29)),   # the make-up Sunday counts
    (date(2024, 9, 27), 2, date(2024, 9, 30)),
    (date(2024, 9, 27), 3, date(2024, 10, 8)),   # the week of holidays does not
    (date(2024, 9, 27), 7, date(2024, 10, 12)),  # the make-up Saturday counts
    (date(2024, 9, 27), 8, date(2024, 10, 14)),
    (date(2024, 9, 28), 3, date(2024, 10, 8)),   # from the ordinary Saturday: same as from Friday
    (date(2024, 10, 1), 3, date(2024, 10, 10)),  # from a holiday: 8, 9, 10 October
    (date(2024, 10, 10), 3, date(2024, 10, 14)),  # Thu: Fri 11, Sat 12, Mon 14 (weekdays: 15th)
    (date(2025, 1, 24), 1, date(2025, 1, 26)),
    (date(2025, 1, 24), 3, date(2025, 2, 5)),
    (date(2025, 2, 6), 3, date(2025, 2, 10)),    # Thu: Fri 7, Sat 8, Mon 10 (weekdays: 11th)
    (date(2025, 9, 30), 3, date(2025, 10, 11)),  # National Day 2025: 1-8 Oct off; Thu 9, Fri 10, Sat 11
])
def test_hand_worked_across_holidays(start: date, n: int, expected: date) -> None:
    assert add_working_days_with_basis(start, n) == (expected, OFFICIAL_BASIS)
    assert add_working_days(start, n) == expected


def test_holidays_and_make_up_days() -> None:
    assert not is_working_day(date(2024, 10, 1))  # a Tuesday, National Day
    assert is_working_day(date(2024, 9, 29))      # a Sunday, make-up working day
    assert not is_working_day(date(2024, 9, 28))  # an ordinary Saturday
    assert not is_working_day(date(2025, 1, 28))  # a Tuesday, Spring Festival eve
    assert is_working_day(date(2025, 2, 8))       # a Saturday, make-up working day


def test_outside_the_data_falls_back_to_weekdays_and_says_so() -> None:
    friday = date(UNCOVERED, 3, 5)
    assert friday.weekday() == 4
    end, basis = add_working_days_with_basis(friday, 3)
    assert end == friday + timedelta(days=5)  # the Wednesday after
    assert basis == f"weekdays only (no holiday data for {UNCOVERED})"
    assert add_working_days_with_basis(date(2003, 6, 6), 3) == (
        date(2003, 6, 11), "weekdays only (no holiday data for 2003)")
    # 1 January of an uncovered year is counted as an ordinary Friday.
    assert is_working_day(date(2027, 1, 1)) and not has_holiday_data(date(2027, 1, 1))


def test_a_window_running_out_of_the_data_reports_the_uncovered_year() -> None:
    # Wed 30 Dec 2026 (start), Thu 31 Dec = 1 (official), Fri 1 Jan 2027 = 2 (no data), Mon 4 = 3.
    assert add_working_days_with_basis(date(2026, 12, 30), 1) == (date(2026, 12, 31), OFFICIAL_BASIS)
    assert add_working_days_with_basis(date(2026, 12, 30), 3) == (
        date(2027, 1, 4), "weekdays only (no holiday data for 2027)")
    # A start outside the data does not count, so it does not make the basis weekdays-only:
    # Wed 31 Dec 2003, Thu 1 Jan 2004 a holiday, Fri 2 Jan = 1.
    assert add_working_days_with_basis(date(2003, 12, 31), 1) == (date(2004, 1, 2), OFFICIAL_BASIS)


def test_zero_returns_start() -> None:
    assert add_working_days_with_basis(date(2024, 10, 1), 0) == (date(2024, 10, 1), OFFICIAL_BASIS)
    assert add_working_days_with_basis(date(UNCOVERED, 5, 1), 0) == (
        date(UNCOVERED, 5, 1), f"weekdays only (no holiday data for {UNCOVERED})")


def test_negative_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(date(2026, 11, 20), -1)
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days_with_basis(date(2026, 11, 20), -1)


@given(start=st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)),
       n=st.integers(min_value=1, max_value=400))
def test_result_is_a_working_day_strictly_after_and_exactly_n_working_days_later(
        start: date, n: int) -> None:
    end = add_working_days(start, n)
    assert is_working_day(end)
    assert end > start
    days = (end - start).days
    working = sum(is_working_day(start + timedelta(days=k)) for k in range(1, days + 1))
    assert working == n


@given(start=st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(LAST_YEAR, 10, 31)),
       n=st.integers(min_value=1, max_value=30))
def test_agrees_with_the_package_where_it_has_data(start: date, n: int) -> None:
    # find_workday(k, d) is the (k + 1)-th working day on or after d.
    end, basis = add_working_days_with_basis(start, n)
    assert end == chinese_calendar.find_workday(n - 1, start + timedelta(days=1))
    assert basis == OFFICIAL_BASIS


@given(start=st.dates(min_value=date(LAST_YEAR + 1, 1, 1), max_value=date(2090, 12, 31)),
       n=st.integers(min_value=1, max_value=400))
def test_outside_the_data_every_weekday_counts(start: date, n: int) -> None:
    end, basis = add_working_days_with_basis(start, n)
    days = (end - start).days
    assert end.weekday() <= 4
    assert sum((start + timedelta(days=k)).weekday() <= 4 for k in range(1, days + 1)) == n
    assert basis.startswith("weekdays only (no holiday data for ")
