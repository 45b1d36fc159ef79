"""The city's working calendar and the R4/R5 booking rules, as pure functions.

All arithmetic on instants is done in UTC and only the *calendar* questions (which day, what opening
hours) are asked in the city's time zone. Python's aware-datetime arithmetic is wall-clock
arithmetic when both sides share a tzinfo, which is wrong by an hour across a daylight-saving
change; converting first keeps "48 hours" meaning 48 real hours.

One type serves the city and each person. `CityCalendar` is the city hall's calendar (time zone,
R4 default hours, Romanian holidays, the days off the city declares); a person's calendar is the
same object with their own weekly hours (`city.with_hours(...)`), so holidays and city days off can
never be forgotten for one person, and `free_slots` / `slot_problem` stay pure functions of one
calendar. The R5 window is always measured on the *city's* calendar (it is the city's promise to the
citizen); slots inside it are laid on the *person's*. How a person's week is layered from the
configuration is `weekly_hours`; where that configuration is stored is not this module's business.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from domain.models import Policy

Interval = tuple[datetime, datetime]
Hours = tuple[time, time]
WeeklyHours = Mapping[int, Hours]
"""Weekday (0 = Monday) → (opens, closes), local wall-clock time. A missing weekday is closed."""
WeeklyOverrides = Mapping[int, Hours | None]
"""Configured exceptions to a week: a weekday → its hours, or None for "closed that weekday"."""

DEFAULT_HOURS: WeeklyHours = {
    0: (time(8, 30), time(16, 30)),
    1: (time(8, 30), time(16, 30)),
    2: (time(8, 30), time(16, 30)),
    3: (time(8, 30), time(16, 30)),
    4: (time(8, 30), time(14, 0)),
}


def weekly_hours(base: WeeklyHours, *layers: WeeklyOverrides) -> dict[int, Hours]:
    """A week built from `base` (the city's R4 hours) and override layers, most specific last
    (department, then person). Each layer replaces only the weekdays it names, so a person who works
    shorter on Fridays needs one row, not a copy of the whole week; None closes that weekday."""
    week = dict(base)
    for layer in layers:
        for weekday, hours in layer.items():
            if not 0 <= weekday <= 6:
                raise ValueError(f"weekday {weekday} is not 0 (Monday) .. 6 (Sunday)")
            if hours is None:
                week.pop(weekday, None)
                continue
            if hours[0] >= hours[1]:
                raise ValueError(f"weekday {weekday}: opening {hours[0]} is not before closing {hours[1]}")
            week[weekday] = hours
    return week


@lru_cache(maxsize=64)
def romanian_public_holidays(year: int) -> frozenset[date]:
    """Romania's legal holidays (Orthodox Easter and Pentecost included), from `holidays`."""
    return frozenset(holidays.country_holidays("RO", years=year).keys())


@dataclass(frozen=True)
class CityCalendar:
    """The city's calendar, or, with `with_hours`, one person's: the hours differ, the zone, the
    holidays and the city's declared days off do not."""

    time_zone: str = "Europe/Bucharest"
    hours: WeeklyHours = field(default_factory=lambda: dict(DEFAULT_HOURS))
    extra_days_off: frozenset[date] = frozenset()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def with_hours(self, hours: WeeklyHours) -> CityCalendar:
        """A person's (or department's) calendar: these weekly hours, the city's days off."""
        return replace(self, hours=hours)

    def with_days_off(self, days: Iterable[date]) -> CityCalendar:
        """The calendar with more declared days off (the city's configuration adds its own)."""
        extra = self.extra_days_off | frozenset(days)
        return self if extra == self.extra_days_off else replace(self, extra_days_off=extra)

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

    def midnight_before(self, day: date) -> datetime:
        """The instant the local day begins (23 or 25 hours before `midnight_after` on DST days)."""
        return self._instant(day, time(0))

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


def days_between(cal: CityCalendar, start: datetime, end: datetime) -> Iterator[date]:
    """Every local day from the one holding `start` to the one holding `end`, inclusive."""
    day, last = cal.local_day(start), cal.local_day(end)
    while day <= last:
        yield day
        day += timedelta(days=1)


class BusyIndex:
    """A person's bookings, merged into disjoint sorted intervals, so "does this slot overlap any
    booking?" is one binary search instead of a scan per slot (a day of a busy clerk is 32 slots
    against up to 32 bookings, and the availability page asks it for every slot of the window)."""

    def __init__(self, busy: Iterable[Interval] = ()) -> None:
        merged: list[list[datetime]] = []
        for a, b in sorted((_utc(a), _utc(b)) for a, b in busy):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self._starts = [a for a, _ in merged]
        self._ends = [b for _, b in merged]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) meets any booking (touching end to start is not overlapping)."""
        i = bisect_left(self._starts, end)  # intervals [0, i) start before `end`
        return i > 0 and self._ends[i - 1] > start


def slots_on_day(
    cal: CityCalendar, day: date, window: Interval, slot_length: timedelta, busy: BusyIndex
) -> list[datetime]:
    """One day's free slot starts on `cal`: aligned to its opening time, wholly inside the opening
    hours and the window, overlapping no booking. Absences and caps are the caller's to skip."""
    hours = cal.opening(day)
    if hours is None:
        return []
    earliest, latest = _utc(window[0]), _utc(window[1])
    start, closes = hours
    slots: list[datetime] = []
    while start + slot_length <= closes:
        end = start + slot_length
        if start >= earliest and end <= latest and not busy.overlaps(start, end):
            slots.append(start)
        start = end
    return slots


def free_slots(
    cal: CityCalendar,
    window: Interval,
    slot_length: timedelta,
    busy: Iterable[Interval] = (),
    absent_days: Iterable[date] = (),
    full_days: Iterable[date] = (),
) -> list[datetime]:
    """Slot starts, aligned to the opening time, that lie wholly inside the window and the opening
    hours, on a day the person is present and not already at their daily cap, and overlap none of
    their bookings (R4, R5). Pass a person's calendar (`city.with_hours(...)`) for their hours."""
    earliest, latest = _utc(window[0]), _utc(window[1])
    taken = BusyIndex(busy)
    skip = set(absent_days) | set(full_days)
    slots: list[datetime] = []
    for day in days_between(cal, earliest, latest):
        if day not in skip:
            slots += slots_on_day(cal, day, (earliest, latest), slot_length, taken)
    return slots


def overlaps(start: datetime, end: datetime, taken: list[Interval]) -> bool:
    return any(a < end and start < b for a, b in taken)


def days_at_cap(
    cal: CityCalendar, bookings: Iterable[Interval], cap: int, *, ignore_start: datetime | None = None
) -> set[date]:
    """The local days on which `bookings` already number `cap` or more (the daily cap of directors
    and above). `ignore_start` leaves out the booking at that very start: re-checking a slot the
    ticket may already hold (an activity retry) must not count that slot against itself."""
    ignored = _utc(ignore_start) if ignore_start is not None else None
    per_day = Counter(cal.local_day(a) for a, _ in bookings if _utc(a) != ignored)
    return {day for day, count in per_day.items() if count >= cap}


def slot_problem(
    cal: CityCalendar,
    start: datetime,
    window: Interval,
    slot_length: timedelta,
    absent_days: Iterable[date] = (),
    full_days: Collection[date] = (),
) -> str | None:
    """Why a slot cannot be booked (ignoring other bookings), or None. The reason codes are keys
    of `domain.messages`; `slot_daily_cap` is checked last, as it is the only one that another
    day's choice of the same person can cure."""
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
    if day in full_days:
        return "slot_daily_cap"
    return None
