"""Which slots a citizen may choose, shared by the API (to show them) and the booking activity (to
re-check the one chosen), so a slot that is shown is one that can be booked.

The city's configuration (department and personal hours, declared days off) comes through a
`CalendarSource`; without one, the R4 defaults of the `CityCalendar` apply, so callers written
before the configuration existed keep working. The daily cap of directors and above is counted
from the booking ledger's `busy()` over whole local days: no extra port method, and the same count
that hides a full day from `offered_slots` refuses it in `slot_refusal`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from domain.assignment import resolve_assignee
from domain.calendar import (
    BusyIndex,
    CityCalendar,
    Interval,
    booking_window,
    days_at_cap,
    days_between,
    slot_problem,
    slots_on_day,
)
from domain.models import DepartmentInfo, FileInfo, Level, Policy, Role, StaffMember
from domain.ports import BookingLedger, DailyCap, StaffDirectory

DEFAULT_DAILY_CAP = 5
"""Audiences a day for a director, deputy mayor or mayor (issue 3); clerks have no cap."""
CAPPED_ROLES = frozenset({Role.DIRECTOR, Role.DEPUTY_MAYOR, Role.MAYOR})
AFTER_WINDOW_HORIZON = timedelta(days=30)
"""How far past the window `first_slots_after_window` looks, and how far an accepted later slot
may lie; a month covers any leave a substitute does not already cover."""
_SEARCH_CHUNK_DAYS = 7


class CalendarSource(Protocol):
    """The city's calendar configuration (implemented on SQL tables by `store.calendar`)."""

    def hours_for(self, staff_id: str | None, department_id: str | None) -> Mapping[int, tuple[time, time]]:
        """The weekly hours this person receives citizens: their own rows over their department's
        over the city's defaults (`domain.calendar.weekly_hours`). With no staff id, the
        department's hours (a slot waiting for the director's pick)."""
        ...

    def extra_days_off(self) -> frozenset[date]:
        """Days the city declared off, besides weekends and public holidays."""
        ...


@dataclass(frozen=True)
class OfferedSlot:
    start: datetime
    end: datetime
    staff: StaffMember | None


def city_calendar(cal: CityCalendar, source: CalendarSource | None) -> CityCalendar:
    """The city's calendar with its declared days off (they also pause the R5 working-day count)."""
    return cal if source is None else cal.with_days_off(source.extra_days_off())


def person_calendar(
    city: CityCalendar, source: CalendarSource | None, staff_id: str | None, department_id: str | None
) -> CityCalendar:
    """The calendar a person's slots are laid on: the city's, with that person's weekly hours."""
    return city if source is None else city.with_hours(source.hours_for(staff_id, department_id))


def offered_slots(
    staff: StaffDirectory,
    bookings: BookingLedger,
    cal: CityCalendar,
    file: FileInfo,
    level: Level,
    requested_at: datetime,
    policy: Policy,
    *,
    calendar_source: CalendarSource | None = None,
    daily_cap: int | None = DEFAULT_DAILY_CAP,
) -> list[OfferedSlot]:
    """Free slots in the R5 window, each with the person who would hold it that day (R2), on that
    person's hours, never on their absences nor on a day a director (or above) is at `daily_cap`."""
    city = city_calendar(cal, calendar_source)
    window = booking_window(city, requested_at, policy)
    return _offer(staff, bookings, city, file, level, window, policy, calendar_source, daily_cap)


def first_slots_after_window(
    staff: StaffDirectory,
    bookings: BookingLedger,
    cal: CityCalendar,
    file: FileInfo,
    level: Level,
    requested_at: datetime,
    policy: Policy,
    *,
    count: int = 10,
    calendar_source: CalendarSource | None = None,
    daily_cap: int | None = DEFAULT_DAILY_CAP,
    horizon: timedelta = AFTER_WINDOW_HORIZON,
) -> list[OfferedSlot]:
    """The first `count` free slots that end after the R5 window closes, by the same rules as
    `offered_slots`: what to offer when the window itself has none. Looks a week at a time, up to
    `horizon` past the window, so a full window costs a few queries, not a month of them."""
    city = city_calendar(cal, calendar_source)
    latest = booking_window(city, requested_at, policy)[1]
    length = policy.slot_length
    found: list[OfferedSlot] = []
    end = latest + horizon  # the same bound `slot_refusal` accepts after the citizen's yes
    first, last = city.local_day(latest - length), city.local_day(end)
    while first <= last and len(found) < count:
        chunk_last = min(first + timedelta(days=_SEARCH_CHUNK_DAYS - 1), last)
        window = (
            max(latest - length, city.midnight_before(first)),
            min(end, city.midnight_after(chunk_last)),
        )
        slots = _offer(staff, bookings, city, file, level, window, policy, calendar_source, daily_cap)
        found += [s for s in slots if s.end > latest]
        first = chunk_last + timedelta(days=1)
    return found[:count]


def slot_refusal(
    staff: StaffDirectory,
    cal: CityCalendar,
    person: StaffMember,
    start: datetime,
    requested_at: datetime,
    policy: Policy,
    *,
    bookings: BookingLedger | None = None,
    calendar_source: CalendarSource | None = None,
    daily_cap: int | None = DEFAULT_DAILY_CAP,
    accepted_after_window: bool = False,
) -> str | None:
    """Why this person's slot breaks the rules (R4, R5, the daily cap), as a message code; None
    when it does not. Whether someone else holds it is for the database to say.

    A day the city works but the person does not (their hours close that weekday) is
    `slot_person_absent`, not `slot_day_off`: the city hall is open, they are not. The cap is checked
    only when `bookings` is given. `accepted_after_window`: the citizen accepted a slot offered by
    `first_slots_after_window`, so the window extends by the same horizon that search used.
    """
    city = city_calendar(cal, calendar_source)
    earliest, latest = booking_window(city, requested_at, policy)
    if accepted_after_window:
        latest += AFTER_WINDOW_HORIZON
    mine = person_calendar(city, calendar_source, person.id, person.department_id)
    day = mine.local_day(start)
    if mine.opening(day) is None and city.opening(day) is not None:
        return "slot_person_absent"
    full: set[date] = set()
    if bookings is not None and daily_cap is not None and person.role in CAPPED_ROLES:
        held = bookings.busy(person.id, mine.midnight_before(day), mine.midnight_after(day))
        full = days_at_cap(mine, held, daily_cap, ignore_start=start)
    absent = staff.absent_days(person.id, day, day)
    return slot_problem(mine, start, (earliest, latest), policy.slot_length, absent, full)


def daily_cap_for(
    cal: CityCalendar,
    person: StaffMember,
    start: datetime,
    *,
    calendar_source: CalendarSource | None = None,
    daily_cap: int | None = DEFAULT_DAILY_CAP,
) -> DailyCap | None:
    """The cap the ledger enforces under its day lock when booking `person` at `start`: the same
    limit and local day that `slot_refusal` counts; None for clerks (no cap) or without a cap."""
    if daily_cap is None or person.role not in CAPPED_ROLES:
        return None
    city = city_calendar(cal, calendar_source)
    mine = person_calendar(city, calendar_source, person.id, person.department_id)
    day = mine.local_day(start)
    return DailyCap(limit=daily_cap, day_start=mine.midnight_before(day), day_end=mine.midnight_after(day))


def _offer(
    staff: StaffDirectory,
    bookings: BookingLedger,
    city: CityCalendar,
    file: FileInfo,
    level: Level,
    window: Interval,
    policy: Policy,
    source: CalendarSource | None,
    daily_cap: int | None,
) -> list[OfferedSlot]:
    """Slots of `window`, day by day, each day on the calendar of whoever holds the ticket that day.

    The directory is read through a per-call memo and each person's bookings in one query, so the
    cost is a handful of queries whatever the window's length (R2 is asked per day, but the same
    people and absences answer every day)."""
    days = list(days_between(city, window[0], window[1]))
    if not days:
        return []
    lookups = _RequestLookups(staff, days[0], days[-1])
    holders: dict[date, StaffMember | None] = {}
    for day in days:
        assignment = resolve_assignee(lookups, file, level, day)
        if assignment.assignee is None and assignment.reason != "director_pick":
            continue  # nobody holds this level that day (a vacant post): nothing to offer
        # With no handler or substitute present, the slot is offered and the director picks who
        # holds it (R2); whether that person is free is checked when the pick is booked.
        holders[day] = assignment.assignee
    length = policy.slot_length
    people = {p.id: p for p in holders.values() if p is not None}
    plans = {pid: _plan(lookups, bookings, city, p, days, source, daily_cap) for pid, p in people.items()}
    pick_calendar = person_calendar(city, source, None, file.department_id)
    offered: list[OfferedSlot] = []
    for day, person in holders.items():
        if person is None:
            starts = slots_on_day(pick_calendar, day, window, length, _NO_BOOKINGS)
        else:
            plan = plans[person.id]
            if day in plan.closed_days:
                continue
            starts = slots_on_day(plan.calendar, day, window, length, plan.busy)
        offered += [OfferedSlot(s, s + length, person) for s in starts]
    return offered


@dataclass(frozen=True)
class _PersonPlan:
    calendar: CityCalendar
    busy: BusyIndex
    closed_days: frozenset[date]  # absent, or at the daily cap


_NO_BOOKINGS = BusyIndex()


def _plan(
    lookups: StaffDirectory,
    bookings: BookingLedger,
    city: CityCalendar,
    person: StaffMember,
    days: list[date],
    source: CalendarSource | None,
    daily_cap: int | None,
) -> _PersonPlan:
    """One person's calendar, bookings (whole local days, so the cap counts the morning before the
    window opens) and closed days over `days`: one `busy()` query per person and request."""
    mine = person_calendar(city, source, person.id, person.department_id)
    held = bookings.busy(person.id, mine.midnight_before(days[0]), mine.midnight_after(days[-1]))
    closed = set(lookups.absent_days(person.id, days[0], days[-1]))
    if daily_cap is not None and person.role in CAPPED_ROLES:
        closed |= days_at_cap(mine, held, daily_cap)
    return _PersonPlan(mine, BusyIndex(held), frozenset(closed))


class _RequestLookups:
    """The staff directory as one availability request sees it: each answer read once, and every
    absence over the request's days read in one query per person. Lives for one call only, so a
    change in the directory is seen by the next request."""

    def __init__(self, staff: StaffDirectory, first_day: date, last_day: date) -> None:
        self._staff, self._first, self._last = staff, first_day, last_day
        self._people: dict[str, StaffMember | None] = {}
        self._departments: dict[str, DepartmentInfo | None] = {}
        self._substitutes: dict[str, StaffMember | None] = {}
        self._absences: dict[str, set[date]] = {}
        self._mayor: list[StaffMember | None] = []

    def get(self, staff_id: str) -> StaffMember | None:
        if staff_id not in self._people:
            self._people[staff_id] = self._staff.get(staff_id)
        return self._people[staff_id]

    def by_token(self, token: str) -> StaffMember | None:
        return self._staff.by_token(token)

    def department(self, department_id: str) -> DepartmentInfo | None:
        if department_id not in self._departments:
            self._departments[department_id] = self._staff.department(department_id)
        return self._departments[department_id]

    def mayor(self) -> StaffMember | None:
        if not self._mayor:
            self._mayor.append(self._staff.mayor())
        return self._mayor[0]

    def substitute_of(self, staff_id: str) -> StaffMember | None:
        if staff_id not in self._substitutes:
            self._substitutes[staff_id] = self._staff.substitute_of(staff_id)
        return self._substitutes[staff_id]

    def absent_days(self, staff_id: str, first_day: date, last_day: date) -> set[date]:
        if first_day < self._first or last_day > self._last:
            return self._staff.absent_days(staff_id, first_day, last_day)
        if staff_id not in self._absences:
            self._absences[staff_id] = self._staff.absent_days(staff_id, self._first, self._last)
        return {day for day in self._absences[staff_id] if first_day <= day <= last_day}

    def clerks_of(self, department_id: str) -> list[StaffMember]:
        return self._staff.clerks_of(department_id)
