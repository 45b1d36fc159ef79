"""Booking activities: the rules are re-checked here, and the database refuses a taken slot and a
full day (the daily cap is counted again under the ledger's day lock)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.tenancy import CityCalendarOfTheTicket
from domain import activity_io as io
from domain.availability import DEFAULT_DAILY_CAP, CalendarSource, daily_cap_for, slot_refusal
from domain.calendar import CityCalendar
from domain.models import Booking
from domain.ports import BookingLedger, DayFull, SlotTaken, StaffDirectory


class BookingActivities(CityCalendarOfTheTicket):
    """`calendar_source` and `daily_cap` must be the ones the API's `offered_slots` uses, so a slot
    it shows is one this activity accepts (without a source, both use the R4 defaults)."""

    def __init__(
        self,
        staff: StaffDirectory,
        bookings: BookingLedger,
        calendar: CityCalendar,
        *,
        calendar_source: CalendarSource | None = None,
        daily_cap: int | None = DEFAULT_DAILY_CAP,
        calendars: Callable[[], CityCalendar] | None = None,
    ) -> None:
        self.staff, self.bookings, self.calendar = staff, bookings, calendar
        self._calendars = calendars
        self.calendar_source, self.daily_cap = calendar_source, daily_cap

    @activity.defn(name=io.RESERVE_SLOT)
    def reserve_slot(self, request: io.ReserveRequest) -> Booking:
        """Idempotent: a retry after a lost reply finds the booking it made (keyed by ticket and
        level), so retries never hold two slots. The daily cap is checked here first (for its
        message), then again by the ledger in the INSERT's own locked transaction, leaving out the
        ticket's own booking so that a retry is not refused by itself; two last bookings of one
        day cannot both win. With `replacing` (a reschedule) the old booking is given up in the
        same transaction."""
        policy = request.policy
        replacing = request.replacing
        refusal = slot_refusal(
            self.staff,
            self.calendar,
            request.staff,
            request.start,
            request.requested_at,
            policy,
            # A move gives up the old slot: it must not count towards the day's cap.
            bookings=self.bookings if replacing is None else _Without(self.bookings, replacing),
            calendar_source=self.calendar_source,
            daily_cap=self.daily_cap,
            # The citizen's explicit acceptance of a slot after the window, once the request
            # carries it (`ReserveRequest.accepted_after_window`); absent, the window holds.
            accepted_after_window=request.accepted_after_window,
        )
        if refusal is not None:
            raise ApplicationError(refusal, type=io.SLOT_UNAVAILABLE, non_retryable=True)
        cap = daily_cap_for(
            self.calendar,
            request.staff,
            request.start,
            calendar_source=self.calendar_source,
            daily_cap=self.daily_cap,
        )
        try:
            if replacing is not None:
                return self.bookings.move(
                    ticket_id=request.ticket_id,
                    level=request.level,
                    staff_id=request.staff.id,
                    replacing=replacing,
                    start=request.start,
                    end=request.start + policy.slot_length,
                    at=request.moved_at or request.requested_at,
                    cap=cap,
                )
            return self.bookings.reserve(
                ticket_id=request.ticket_id,
                level=request.level,
                staff_id=request.staff.id,
                start=request.start,
                end=request.start + policy.slot_length,
                at=request.requested_at,
                cap=cap,
            )
        except SlotTaken:
            raise ApplicationError("slot_taken", type=io.SLOT_UNAVAILABLE, non_retryable=True) from None
        except DayFull:
            raise ApplicationError("slot_daily_cap", type=io.SLOT_UNAVAILABLE, non_retryable=True) from None

    @activity.defn(name=io.RELEASE_SLOT)
    def release_slot(self, request: io.ReleaseRequest) -> bool:
        return self.bookings.release(ticket_id=request.ticket_id, level=request.level, at=request.at)


class _Without:
    """The ledger as it will be once the ticket's booking at `start` is given up: only `busy` is
    asked (by the daily cap); the writes go to the real ledger."""

    def __init__(self, bookings: BookingLedger, start: datetime) -> None:
        self._bookings, self._start = bookings, start

    def busy(self, staff_id: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        return [b for b in self._bookings.busy(staff_id, start, end) if b[0] != self._start]

    def reserve(self, **kwargs: Any) -> Booking:
        return self._bookings.reserve(**kwargs)

    def move(self, **kwargs: Any) -> Booking:
        return self._bookings.move(**kwargs)

    def release(self, **kwargs: Any) -> bool:
        return self._bookings.release(**kwargs)
