"""What an activity shared by every municipality needs to know of the one it acts for (issue 11)."""

from __future__ import annotations

from collections.abc import Callable

from domain.calendar import CityCalendar


class CityCalendarOfTheTicket:
    """`self.calendar` is the calendar of the municipality the running activity acts for when the
    activity was given `calendars` (the worker), else the one it was built with (tests, tools): the
    same hours the API offered the slots in, so a slot it shows is one the activity accepts."""

    _calendar: CityCalendar
    _calendars: Callable[[], CityCalendar] | None = None

    @property
    def calendar(self) -> CityCalendar:
        return self._calendars() if self._calendars is not None else self._calendar

    @calendar.setter
    def calendar(self, value: CityCalendar) -> None:
        self._calendar = value
