"""Which slots a citizen may choose, shared by the API (to show them) and the booking activity (to
re-check the one chosen), so a slot that is shown is one that can be booked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.assignment import resolve_assignee
from domain.calendar import CityCalendar, booking_window, free_slots, slot_problem
from domain.models import FileInfo, Level, Policy, StaffMember
from domain.ports import BookingLedger, StaffDirectory


@dataclass(frozen=True)
class OfferedSlot:
    start: datetime
    end: datetime
    staff: StaffMember


def offered_slots(
    staff: StaffDirectory,
    bookings: BookingLedger,
    cal: CityCalendar,
    file: FileInfo,
    level: Level,
    requested_at: datetime,
    policy: Policy,
) -> list[OfferedSlot]:
    """Free slots in the R5 window, each with the person who would hold it that day (R2)."""
    window = booking_window(cal, requested_at, policy)
    offered: list[OfferedSlot] = []
    by_day: dict[date, list[datetime]] = {}
    for start in free_slots(cal, window, policy.slot_length):
        by_day.setdefault(cal.local_day(start), []).append(start)
    for day, starts in by_day.items():
        person = resolve_assignee(staff, file, level, day).assignee
        if person is None:
            continue
        taken = bookings.busy(person.id, starts[0], starts[-1] + policy.slot_length)
        free = set(free_slots(cal, (starts[0], starts[-1] + policy.slot_length), policy.slot_length, taken))
        offered += [OfferedSlot(s, s + policy.slot_length, person) for s in starts if s in free]
    return offered


def slot_refusal(
    staff: StaffDirectory,
    cal: CityCalendar,
    person: StaffMember,
    start: datetime,
    requested_at: datetime,
    policy: Policy,
) -> str | None:
    """Why this person's slot breaks the rules (R4, R5), as a message code; None when it does not.
    Whether someone else holds it is for the database to say."""
    window = booking_window(cal, requested_at, policy)
    day = cal.local_day(start)
    return slot_problem(cal, start, window, policy.slot_length, staff.absent_days(person.id, day, day))
