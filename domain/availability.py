"""Which slots a citizen may choose, shared by the API (to show them) and the booking activity (to
re-check the one chosen), so a slot that is shown is one that can be booked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from domain.assignment import resolve_assignee
from domain.calendar import CityCalendar, booking_window, free_slots, overlaps, slot_problem
from domain.models import FileInfo, Level, Policy, StaffMember
from domain.ports import BookingLedger, StaffDirectory


@dataclass(frozen=True)
class OfferedSlot:
    start: datetime
    end: datetime
    staff: StaffMember | None


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
    length = policy.slot_length
    for day, starts in by_day.items():
        assignment = resolve_assignee(staff, file, level, day)
        person = assignment.assignee
        if person is None and assignment.reason != "director_pick":
            continue  # nobody holds this level that day (a vacant post): nothing to offer
        # With no handler or substitute present, the slot is offered and the director picks who
        # holds it (R2); whether that person is free is checked when the pick is booked.
        taken = bookings.busy(person.id, starts[0], starts[-1] + length) if person else []
        offered += [OfferedSlot(s, s + length, person) for s in starts if not overlaps(s, s + length, taken)]
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
