"""R4 and R5 on the city's calendar: worked examples (holidays, DST, both window presets) and
property-based checks that every offered slot obeys the rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import (
    DEFAULT_HOURS,
    CityCalendar,
    Interval,
    add_working_days_time,
    add_working_hours,
    booking_window,
    free_slots,
    slot_problem,
)
from domain.models import Policy

TZ = ZoneInfo("Europe/Bucharest")
CAL = CityCalendar()
WITHIN = Policy()
AT_LEAST = Policy(window_mode="at_least")
SLOT = timedelta(minutes=15)
RO_HOLIDAYS = holidays.country_holidays("RO", years=range(2024, 2031))


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given as Bucharest wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def as_local(instant: datetime) -> datetime:
    return instant.astimezone(TZ)


def no_holidays_between(first: date, last: date) -> bool:
    day = first
    while day <= last:
        if day in RO_HOLIDAYS:
            return False
        day += timedelta(days=1)
    return True


# --- the calendar itself ---------------------------------------------------------------------------


def test_calendar_knows_romanian_holidays_and_weekends() -> None:
    for day in [
        date(2026, 1, 1),
        date(2026, 1, 2),
        date(2026, 1, 6),
        date(2026, 1, 7),
        date(2026, 1, 23) + timedelta(days=1),
        date(2026, 4, 13),  # Orthodox Easter Monday
        date(2026, 5, 1),
        date(2026, 6, 1),  # Children's Day and Pentecost Monday
        date(2025, 6, 9),  # Pentecost Monday
        date(2026, 8, 15),
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 25),
        date(2026, 12, 26),
    ]:
        assert not CAL.is_working_day(day), day
        assert CAL.opening(day) is None
    assert not CAL.is_working_day(date(2026, 3, 7))  # Saturday
    assert not CAL.is_working_day(date(2026, 3, 8))  # Sunday
    assert CAL.is_working_day(date(2026, 3, 9))


def test_opening_hours_are_local_wall_clock_on_both_sides_of_dst() -> None:
    winter = CAL.opening(date(2026, 3, 27))  # Friday, EET (UTC+2)
    summer = CAL.opening(date(2026, 3, 30))  # Monday, EEST (UTC+3)
    assert winter == (datetime(2026, 3, 27, 6, 30, tzinfo=UTC), datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    assert summer == (datetime(2026, 3, 30, 5, 30, tzinfo=UTC), datetime(2026, 3, 30, 13, 30, tzinfo=UTC))


def test_extra_days_off_close_the_city_hall() -> None:
    cal = CityCalendar(extra_days_off=frozenset({date(2026, 3, 10)}))
    assert not cal.is_working_day(date(2026, 3, 10))
    assert cal.is_working_day(date(2026, 3, 11))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        add_working_days_time(CAL, datetime(2026, 3, 6, 15, 0), timedelta(hours=48))
    with pytest.raises(ValueError, match="naive"):
        add_working_hours(CAL, datetime(2026, 3, 6, 15, 0), timedelta(hours=2))


# --- R5: the 48 h window ---------------------------------------------------------------------------


def test_friday_15_request_may_be_booked_until_tuesday_15() -> None:
    assert no_holidays_between(date(2026, 3, 6), date(2026, 3, 10))
    requested = local(2026, 3, 6, 15, 0)  # Friday
    end = add_working_days_time(CAL, requested, timedelta(hours=48))
    assert as_local(end) == local(2026, 3, 10, 15, 0)  # Tuesday
    start, window_end = booking_window(CAL, requested, WITHIN)
    assert window_end == end
    # Friday closes at 14:00, so the 2 working hours of notice are Monday 08:30-10:30.
    assert as_local(start) == local(2026, 3, 9, 10, 30)


def test_window_on_an_ordinary_working_day_is_plain_48_hours() -> None:
    requested = local(2026, 3, 9, 11, 0)  # Monday
    assert add_working_days_time(CAL, requested, timedelta(hours=48)) == requested + timedelta(hours=48)


def test_window_from_a_weekend_request_starts_counting_on_monday() -> None:
    requested = local(2026, 3, 7, 12, 0)  # Saturday
    end = add_working_days_time(CAL, requested, timedelta(hours=48))
    assert as_local(end) == local(2026, 3, 11, 0, 0)  # all of Monday and Tuesday
    start, _ = booking_window(CAL, requested, WITHIN)
    assert as_local(start) == local(2026, 3, 9, 10, 30)


def test_window_across_holidays_skips_them() -> None:
    # Friday 27 Nov 2026; Monday 30 Nov (St Andrew) and Tuesday 1 Dec (National Day) are holidays.
    requested = local(2026, 11, 27, 15, 0)
    start, end = booking_window(CAL, requested, WITHIN)
    assert as_local(end) == local(2026, 12, 3, 15, 0)  # Thursday: 9 h Fri + 24 h Wed + 15 h Thu
    assert as_local(start) == local(2026, 12, 2, 10, 30)  # Wednesday
    slots = free_slots(CAL, (start, end), SLOT)
    days = {as_local(s).date() for s in slots}
    assert days == {date(2026, 12, 2), date(2026, 12, 3)}
    assert as_local(slots[-1]) == local(2026, 12, 3, 14, 45)


def test_window_across_orthodox_easter_monday() -> None:
    requested = local(2026, 4, 9, 12, 0)  # Thursday; Good Friday 10 Apr and Easter Monday 13 Apr are off
    end = add_working_days_time(CAL, requested, timedelta(hours=48))
    assert as_local(end) == local(2026, 4, 15, 12, 0)  # 12 h Thu + 24 h Tue + 12 h Wed
    end = add_working_days_time(CAL, local(2026, 4, 9, 16, 0), timedelta(hours=48))
    assert as_local(end) == local(2026, 4, 15, 16, 0)


def test_at_least_preset_opens_after_the_window() -> None:
    requested = local(2026, 3, 6, 15, 0)
    start, end = booking_window(CAL, requested, AT_LEAST)
    assert as_local(start) == local(2026, 3, 10, 15, 0)
    assert end - start == AT_LEAST.at_least_horizon
    slots = free_slots(CAL, (start, end), SLOT)
    assert as_local(slots[0]) == local(2026, 3, 10, 15, 0)
    # nothing sooner than 48 working-day hours is offered
    assert all(s >= start for s in slots)
    assert slot_problem(CAL, local(2026, 3, 10, 10, 0), (start, end), SLOT) == "slot_outside_window"
    assert slot_problem(CAL, local(2026, 3, 10, 15, 0), (start, end), SLOT) is None


# --- R5: the minimum notice, in working hours ------------------------------------------------------


def test_minimum_notice_from_thursday_16_is_friday_10() -> None:
    # 30 minutes on Thursday (16:00-16:30) and 1 h 30 on Friday from 08:30.
    requested = local(2026, 3, 5, 16, 0)
    assert as_local(add_working_hours(CAL, requested, timedelta(hours=2))) == local(2026, 3, 6, 10, 0)
    start, end = booking_window(CAL, requested, WITHIN)
    assert as_local(start) == local(2026, 3, 6, 10, 0)
    assert as_local(end) == local(2026, 3, 9, 16, 0)  # 8 h Thu + 24 h Fri + 16 h Mon
    slots = free_slots(CAL, (start, end), SLOT)
    assert as_local(slots[0]) == local(2026, 3, 6, 10, 0)
    assert as_local(slots[-1]) == local(2026, 3, 9, 15, 45)


@pytest.mark.parametrize(
    ("requested", "earliest"),
    [
        (local(2026, 3, 9, 7, 0), local(2026, 3, 9, 10, 30)),  # before opening
        (local(2026, 3, 9, 9, 0), local(2026, 3, 9, 11, 0)),  # same day
        (local(2026, 3, 13, 13, 0), local(2026, 3, 16, 9, 30)),  # Friday closes at 14:00
        (local(2026, 3, 13, 14, 0), local(2026, 3, 16, 10, 30)),  # Friday at closing time
        (local(2026, 3, 9, 16, 30), local(2026, 3, 10, 10, 30)),  # Monday at closing time
        (local(2026, 11, 27, 13, 30), local(2026, 12, 2, 10, 0)),  # across St Andrew + National Day
    ],
)
def test_minimum_notice_counts_opening_hours_only(requested: datetime, earliest: datetime) -> None:
    assert add_working_hours(CAL, requested, timedelta(hours=2)) == earliest


# --- DST: Europe/Bucharest, last Sunday of March and of October ------------------------------------


def test_spring_forward_weekend_window_is_48_real_working_hours() -> None:
    # Sunday 29 March 2026 03:00 -> 04:00.
    requested = local(2026, 3, 27, 15, 0)  # Friday, EET
    start, end = booking_window(CAL, requested, WITHIN)
    assert as_local(end) == local(2026, 3, 31, 15, 0)  # Tuesday, EEST
    assert end.utcoffset() is not None
    # 9 h Fri + 24 h Sat + 23 h Sun + 24 h Mon + 15 h Tue of real time, of which 48 h on working days
    assert end - requested == timedelta(hours=95)
    assert requested.utcoffset() == timedelta(hours=2) and as_local(end).utcoffset() == timedelta(hours=3)
    assert as_local(start) == local(2026, 3, 30, 10, 30)
    slots = free_slots(CAL, (start, end), SLOT)
    monday = [as_local(s) for s in slots if as_local(s).date() == date(2026, 3, 30)]
    assert monday[0].time() == time(10, 30) and monday[-1].time() == time(16, 15)
    assert all(slot_problem(CAL, s, (start, end), SLOT) is None for s in slots)


def test_fall_back_weekend_window_is_48_real_working_hours() -> None:
    # Sunday 25 October 2026 04:00 -> 03:00.
    requested = local(2026, 10, 23, 15, 0)  # Friday, EEST
    start, end = booking_window(CAL, requested, WITHIN)
    assert as_local(end) == local(2026, 10, 27, 15, 0)  # Tuesday, EET
    assert end - requested == timedelta(hours=97)  # the Sunday has 25 hours
    assert as_local(start) == local(2026, 10, 26, 10, 30)


@pytest.mark.parametrize(
    ("friday", "monday", "monday_open_utc"),
    [
        (date(2026, 3, 27), date(2026, 3, 30), datetime(2026, 3, 30, 5, 30, tzinfo=UTC)),
        (date(2026, 10, 23), date(2026, 10, 26), datetime(2026, 10, 26, 6, 30, tzinfo=UTC)),
        (date(2025, 3, 28), date(2025, 3, 31), datetime(2025, 3, 31, 5, 30, tzinfo=UTC)),
        (date(2025, 10, 24), date(2025, 10, 27), datetime(2025, 10, 27, 6, 30, tzinfo=UTC)),
    ],
)
def test_slots_on_the_monday_after_a_dst_change_start_at_0830_local(
    friday: date, monday: date, monday_open_utc: datetime
) -> None:
    requested = datetime.combine(friday, time(11, 0), tzinfo=TZ)  # notice ends Friday 13:00
    start, end = booking_window(CAL, requested, WITHIN)
    slots = free_slots(CAL, (start, end), SLOT)
    on_monday = [s for s in slots if as_local(s).date() == monday]
    assert on_monday[0] == monday_open_utc
    assert as_local(on_monday[0]).time() == time(8, 30)
    assert as_local(on_monday[-1]).time() == time(16, 15)
    assert len(on_monday) == 32  # 8 h of 15-minute slots, no hour lost or gained
    assert all(as_local(s).minute in (0, 15, 30, 45) for s in on_monday)


def test_working_day_time_across_dst_on_an_open_sunday_counts_real_hours() -> None:
    # A calendar open every day: the 23-hour Sunday counts 23 hours, not 24.
    every_day = CityCalendar(hours={d: (time(8, 0), time(20, 0)) for d in range(7)})
    requested = local(2026, 3, 28, 12, 0)  # Saturday
    end = add_working_days_time(every_day, requested, timedelta(hours=48))
    assert end - requested == timedelta(hours=48)
    assert as_local(end) == local(2026, 3, 30, 13, 0)
    requested = local(2026, 10, 24, 12, 0)
    end = add_working_days_time(every_day, requested, timedelta(hours=48))
    assert end - requested == timedelta(hours=48)
    assert as_local(end) == local(2026, 10, 26, 11, 0)


# --- free_slots and slot_problem, by example -------------------------------------------------------


def test_busy_intervals_and_absent_days_remove_slots() -> None:
    window = (local(2026, 3, 9, 8, 30), local(2026, 3, 11, 0, 0))  # Monday and Tuesday
    busy = [
        (local(2026, 3, 9, 9, 0), local(2026, 3, 9, 9, 15)),
        (local(2026, 3, 9, 10, 5), local(2026, 3, 9, 10, 20)),
    ]
    slots = [as_local(s) for s in free_slots(CAL, window, SLOT, busy, absent_days=[date(2026, 3, 10)])]
    assert {s.date() for s in slots} == {date(2026, 3, 9)}
    times = [s.time() for s in slots]
    assert time(9, 0) not in times
    assert time(10, 0) not in times and time(10, 15) not in times  # partial overlaps
    assert time(8, 45) in times and time(9, 15) in times and time(10, 30) in times
    assert len(times) == 32 - 3


@pytest.mark.parametrize(
    ("slot", "problem"),
    [
        (local(2026, 3, 9, 8, 30), None),
        (local(2026, 3, 9, 16, 15), None),
        (local(2026, 3, 9, 16, 30), "slot_outside_hours"),
        (local(2026, 3, 9, 8, 15), "slot_outside_hours"),
        (local(2026, 3, 9, 9, 10), "slot_outside_hours"),
        (local(2026, 3, 13, 13, 45), None),  # Friday's last slot
        (local(2026, 3, 13, 14, 0), "slot_outside_hours"),
        (local(2026, 3, 14, 10, 0), "slot_day_off"),
        (local(2026, 4, 13, 10, 0), "slot_day_off"),  # Easter Monday
        (local(2026, 3, 16, 10, 0), "slot_outside_window"),
        (local(2026, 3, 10, 10, 0), "slot_person_absent"),
    ],
)
def test_slot_problem_codes(slot: datetime, problem: str | None) -> None:
    window = (local(2026, 3, 9, 0, 0), local(2026, 3, 14, 0, 0))
    assert slot_problem(CAL, slot, window, SLOT, absent_days=[date(2026, 3, 10)]) == problem


# --- properties ------------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31, 23, 59, 59), timezones=st.just(UTC)
)
modes = st.sampled_from(["within", "at_least"])
busy_specs = st.lists(st.tuples(st.integers(-60, 20 * 24 * 60), st.integers(1, 180)), max_size=6)
absent_specs = st.lists(st.integers(0, 20), max_size=4)


def _busy(requested_at: datetime, spec: list[tuple[int, int]]) -> list[Interval]:
    return [
        (requested_at + timedelta(minutes=at), requested_at + timedelta(minutes=at + length))
        for at, length in spec
    ]


def _absent(requested_at: datetime, spec: list[int]) -> set[date]:
    first = as_local(requested_at).date()
    return {first + timedelta(days=n) for n in spec}


def _candidates(window: Interval) -> list[datetime]:
    """Every 15-minute start on the local opening grid of the window's days, computed from the
    hours table and the `holidays` package only."""
    out: list[datetime] = []
    day, last = as_local(window[0]).date(), as_local(window[1]).date()
    while day <= last:
        if day.weekday() in DEFAULT_HOURS and day not in RO_HOLIDAYS:
            opens, closes = DEFAULT_HOURS[day.weekday()]
            cursor = datetime.combine(day, opens)
            while cursor + SLOT <= datetime.combine(day, closes):
                out.append(cursor.replace(tzinfo=TZ).astimezone(UTC))
                cursor += SLOT
        day += timedelta(days=1)
    return out


@settings(max_examples=200, deadline=None)
@given(requested_at=instants, mode=modes, busy_spec=busy_specs, absent_spec=absent_specs)
def test_every_offered_slot_obeys_r4_and_r5(
    requested_at: datetime, mode: str, busy_spec: list[tuple[int, int]], absent_spec: list[int]
) -> None:
    policy = Policy(window_mode=mode)
    window = booking_window(CAL, requested_at, policy)
    start, end = window
    assert end - start > timedelta(0)
    assert start >= requested_at
    busy = _busy(requested_at, busy_spec)
    absent = _absent(requested_at, absent_spec)
    slots = free_slots(CAL, window, policy.slot_length, busy, absent)
    assert slots == sorted(set(slots))
    for slot in slots:
        slot_end = slot + policy.slot_length
        local_start, local_end = as_local(slot), as_local(slot_end)
        day = local_start.date()
        assert day.weekday() in DEFAULT_HOURS
        assert day not in RO_HOLIDAYS
        assert day not in absent
        opens, closes = DEFAULT_HOURS[day.weekday()]
        assert local_end.date() == day
        assert opens <= local_start.time() and local_end.time() <= closes
        minutes_from_opening = (local_start.hour * 60 + local_start.minute) - (opens.hour * 60 + opens.minute)
        assert minutes_from_opening % 15 == 0 and local_start.second == 0 and local_start.microsecond == 0
        assert start <= slot and slot_end <= end
        assert all(not (a < slot_end and slot < b) for a, b in busy)
        assert slot_problem(CAL, slot, window, policy.slot_length, absent) is None


@settings(max_examples=200, deadline=None)
@given(requested_at=instants, mode=modes, busy_spec=busy_specs, absent_spec=absent_specs)
def test_free_slots_offers_every_free_slot(
    requested_at: datetime, mode: str, busy_spec: list[tuple[int, int]], absent_spec: list[int]
) -> None:
    policy = Policy(window_mode=mode)
    window = booking_window(CAL, requested_at, policy)
    busy = _busy(requested_at, busy_spec)
    absent = _absent(requested_at, absent_spec)
    expected = [
        s
        for s in _candidates(window)
        if window[0] <= s
        and s + SLOT <= window[1]
        and as_local(s).date() not in absent
        and not any(a < s + SLOT and s < b for a, b in busy)
    ]
    assert free_slots(CAL, window, SLOT, busy, absent) == expected


@settings(max_examples=200, deadline=None)
@given(requested_at=instants, offset_minutes=st.integers(-3 * 24 * 60, 20 * 24 * 60), mode=modes)
def test_slot_problem_agrees_with_the_rules(requested_at: datetime, offset_minutes: int, mode: str) -> None:
    window = booking_window(CAL, requested_at, Policy(window_mode=mode))
    slot = (requested_at + timedelta(minutes=offset_minutes)).replace(second=0, microsecond=0)
    local_slot = as_local(slot)
    day = local_slot.date()
    problem = slot_problem(CAL, slot, window, SLOT)
    if day.weekday() not in DEFAULT_HOURS or day in RO_HOLIDAYS:
        assert problem == "slot_day_off"
    elif slot not in _candidates((slot, slot)):
        assert problem == "slot_outside_hours"
    elif not (window[0] <= slot and slot + SLOT <= window[1]):
        assert problem == "slot_outside_window"
    else:
        assert problem is None


@settings(max_examples=200, deadline=None)
@given(a=instants, b=instants, hours=st.integers(0, 24 * 10))
def test_add_working_days_time_is_monotonic(a: datetime, b: datetime, hours: int) -> None:
    early, late = min(a, b), max(a, b)
    duration = timedelta(hours=hours)
    end_early = add_working_days_time(CAL, early, duration)
    end_late = add_working_days_time(CAL, late, duration)
    assert end_early <= end_late
    assert end_early - early >= duration
    assert add_working_hours(CAL, early, duration) <= add_working_hours(CAL, late, duration)


@settings(max_examples=200, deadline=None)
@given(start=instants, first=st.integers(0, 24 * 5), second=st.integers(1, 24 * 5))
def test_add_working_days_time_is_monotonic_in_duration_and_additive(
    start: datetime, first: int, second: int
) -> None:
    one = add_working_days_time(CAL, start, timedelta(hours=first))
    both = add_working_days_time(CAL, start, timedelta(hours=first + second))
    assert one <= both
    # the rest of the stretch continues from where the first part ended
    assert add_working_days_time(CAL, one, timedelta(hours=second)) == both
