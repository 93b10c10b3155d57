"""Working days for the referral time limits: Monday to Friday, less bank holidays in
England and Wales (which share one list), from the `holidays` package."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_day_after(day: date, count: int = 1) -> date:
    """The `count`th working day after `day` (the day itself never counts)."""
    found = 0
    while found < count:
        day += timedelta(days=1)
        if is_working_day(day):
            found += 1
    return day


def end_of_working_days(start: datetime, count: int) -> datetime:
    """The end of the `count`th working day after the day of `start`, in local time.

    A referral made at any time on a Friday, with two working days to answer, is
    due by the end of Tuesday (or Wednesday, when Monday is a bank holiday).
    """
    day = working_day_after(timezone.localdate(start), count)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def one_working_day_later(deadline: datetime) -> datetime:
    """The end of the next working day after a deadline: when a missed one is escalated."""
    return end_of_working_days(deadline, 1)
