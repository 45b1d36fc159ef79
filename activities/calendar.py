"""Calendar arithmetic the workflow needs but cannot do itself (holidays and time zones are data
the workflow sandbox keeps out), so it asks an activity and records the answer in history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from temporalio import activity

from activities.tenancy import CityCalendarOfTheTicket
from domain import activity_io as io
from domain.availability import CalendarSource, city_calendar
from domain.calendar import CityCalendar, add_working_hours


class CalendarActivities(CityCalendarOfTheTicket):
    def __init__(
        self,
        calendar: CityCalendar,
        source: CalendarSource | None = None,
        *,
        calendars: Callable[[], CityCalendar] | None = None,
    ) -> None:
        self.calendar, self.source, self._calendars = calendar, source, calendars

    @activity.defn(name=io.WORKING_DEADLINES)
    def working_deadlines(self, request: io.DeadlinesRequest) -> list[datetime]:
        """City days off pause the clock as holidays do."""
        cal = city_calendar(self.calendar, self.source)
        return [add_working_hours(cal, request.start, hours) for hours in request.working_hours]
