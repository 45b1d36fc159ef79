"""The city's working calendar and the R4/R5 booking rules, as pure functions.

All arithmetic on instants is done in UTC and only the *calendar* questions (which day, what opening
hours) are asked in the city's time zone. Python's aware-datetime arithmetic is wall-clock
arithmetic when both sides share a tzinfo, which is wrong by an hour across a daylight-saving
change; converting first keeps "48 hours" meaning 48 real hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from domain.models import Policy

Interval = tuple[datetime, datetime]

DEFAULT_HOURS: Mapping[int, tuple[time, time]] = {
    0: (time(8, 30), time(16, 30)),
    1: (time(8, 30), time(16, 30)),
    2: (time(8, 30), time(16, 30)),
    3: (time(8, 30), time(16, 30)),
    4: (time(8, 30), time(14, 0)),
}


@lru_cache(maxsize=64)
def romanian_public_holidays(year: int) -> frozenset[date]:
    """Romania's legal holidays (Orthodox Easter and Pentecost included), from `holidays`."""
    return frozenset(holidays.country_holidays("RO", years=year).keys())


@dataclass(frozen=True)
class CityCalendar:
    time_zone: str = "Europe/Bucharest"
    hours: Mapping[int, tuple[time, time]] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    extra_days_off: frozenset[date] = frozenset()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() in self.hours
            and day not in romanian_public_holidays(day.year)
            and day not in self.extra_days_off
        )

    def opening(self, day: date) -> Interval | None:
        """The day's opening hours as UTC instants, or None on a day off."""
        if not self.is_working_day(day):
            return None
        opens, closes = self.hours[day.weekday()]
        return (self._instant(day, opens), self._instant(day, closes))

    def midnight_after(self, day: date) -> datetime:
        return self._instant(day + timedelta(days=1), time(0))

    def _instant(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.tz).astimezone(UTC)


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetime refused: pass an aware datetime")
    return instant.astimezone(UTC)


def add_working_days_time(cal: CityCalendar, start: datetime, duration: timedelta) -> datetime:
    """Add `duration`, counting only the hours of working days (R5: a request on Friday 15:00 with a
    48 h window may be booked until Tuesday 15:00)."""
    cursor, remaining = _utc(start), duration
    for _ in range(3660):
        day = cal.local_day(cursor)
        day_end = cal.midnight_after(day)
        if cal.is_working_day(day):
            span = day_end - cursor
            if span >= remaining:
                return cursor + remaining
            remaining -= span
        cursor = day_end
    raise ValueError("no working days within ten years: check the calendar configuration")


def add_working_hours(cal: CityCalendar, start: datetime, duration: timedelta) -> datetime:
    """Add `duration` counting only opening hours (the R5 minimum notice)."""
    cursor, remaining = _utc(start), duration
    for _ in range(3660):
        day = cal.local_day(cursor)
        hours = cal.opening(day)
        if hours is not None:
            opens, closes = hours
            begin = max(cursor, opens)
            if begin < closes:
                if closes - begin >= remaining:
                    return begin + remaining
                remaining -= closes - begin
        cursor = cal.midnight_after(day)
    raise ValueError("no working hours within ten years: check the calendar configuration")


def booking_window(cal: CityCalendar, requested_at: datetime, policy: Policy) -> Interval:
    """[earliest start, latest end] of a meeting requested at `requested_at` (R5).

    'within': from the minimum notice until the window closes. 'at_least': the window is the notice
    itself, and bookings stay open for `at_least_horizon` after it.
    """
    window_end = add_working_days_time(cal, requested_at, policy.booking_window)
    notice = add_working_hours(cal, requested_at, policy.minimum_notice)
    if policy.window_mode == "at_least":
        earliest = max(notice, window_end)
        return earliest, earliest + policy.at_least_horizon
    return notice, window_end


def _days(cal: CityCalendar, start: datetime, end: datetime) -> Iterator[date]:
    day, last = cal.local_day(start), cal.local_day(end)
    while day <= last:
        yield day
        day += timedelta(days=1)


def free_slots(
    cal: CityCalendar,
    window: Interval,
    slot_length: timedelta,
    busy: Iterable[Interval] = (),
    absent_days: Iterable[date] = (),
) -> list[datetime]:
    """Slot starts, aligned to the opening time, that lie wholly inside the window and the opening
    hours, on a day the person is present, and overlap none of their bookings (R4, R5)."""
    earliest, latest = _utc(window[0]), _utc(window[1])
    taken = sorted((_utc(a), _utc(b)) for a, b in busy)
    absent = set(absent_days)
    slots: list[datetime] = []
    for day in _days(cal, earliest, latest):
        hours = cal.opening(day)
        if hours is None or day in absent:
            continue
        start, closes = hours
        while start + slot_length <= closes:
            end = start + slot_length
            if start >= earliest and end <= latest and not overlaps(start, end, taken):
                slots.append(start)
            start = end
    return slots


def overlaps(start: datetime, end: datetime, taken: list[Interval]) -> bool:
    return any(a < end and start < b for a, b in taken)


def slot_problem(
    cal: CityCalendar,
    start: datetime,
    window: Interval,
    slot_length: timedelta,
    absent_days: Iterable[date] = (),
) -> str | None:
    """Why a slot cannot be booked (ignoring other bookings), or None. The reason codes are keys
    of `domain.messages`."""
    start = _utc(start)
    day = cal.local_day(start)
    hours = cal.opening(day)
    if hours is None:
        return "slot_day_off"
    opens, closes = hours
    offset = start - opens
    if start < opens or start + slot_length > closes or offset % slot_length:
        return "slot_outside_hours"
    if start < _utc(window[0]) or start + slot_length > _utc(window[1]):
        return "slot_outside_window"
    if day in set(absent_days):
        return "slot_person_absent"
    return None
