"""Cancellation terms: free cancellation until a number of working days before a session.

Working days are Monday to Friday except the public holidays of the country where the session
takes place (the `holidays` package: Easter Monday, King's Day in the Netherlands, 21 July in
Belgium, …; for the Netherlands as the Algemene termijnenwet counts them). The term is
counted back from the first session day: with 2 working days, a session on Thursday can be
cancelled free of charge up to and including Tuesday.
"""

from __future__ import annotations

import datetime
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=64)
def _public_holidays(country: str, year: int) -> frozenset[datetime.date]:
    found = holidays.country_holidays(country, years=year, language="en_US")
    days = set(found)
    if country == "NL":
        # Days off in the sense of the Dutch Algemene termijnenwet, which counts 5 May every
        # year and not Good Friday (the package lists it, few organisations close then).
        days -= {day for day, name in found.items() if name == "Good Friday"}
        days.add(datetime.date(year, 5, 5))
    return frozenset(days)


def is_working_day(day: datetime.date, country: str) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(country, day.year)


def working_days_before(day: datetime.date, count: int, country: str) -> datetime.date:
    """The date `count` working days before `day` (which itself does not count)."""
    current = day
    counted = 0
    while counted < count:
        current -= datetime.timedelta(days=1)
        if is_working_day(current, country):
            counted += 1
    return current


def default_working_days() -> int:
    return settings.FREE_CANCELLATION_WORKING_DAYS
