"""The city's calendar configuration on SQL tables: department hours, personal hours and declared
days off (`domain.availability.CalendarSource`).

The three tables are small (a few rows per department and per exceptional person) and read on every
availability request, so they are loaded whole and kept for `ttl` seconds: one query per table a
minute instead of two or three per request. A change made by an administrator is therefore seen
within `ttl`, and at once by this process after `refresh()`.

Each municipality has its own snapshot (issue 11): its declared days off, and its working-hour
defaults from its `municipalities` row (the constructor's `default_hours` when it has none).
Department and personal hours need no municipality: their ids are unique across the deployment.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from functools import lru_cache

from sqlalchemy import Engine
from sqlmodel import select

from domain.calendar import DEFAULT_HOURS, Hours, WeeklyHours, weekly_hours
from domain.municipalities import hours_from_json
from store.db import Scoped, engine_for, session_scope
from store.tables import CityDayOff, DepartmentHours, MunicipalityRow, StaffHours

DEFAULT_TTL_SECONDS = 60.0


@dataclass
class _Snapshot:
    departments: dict[str, dict[int, Hours | None]]
    people: dict[str, dict[int, Hours | None]]
    days_off: frozenset[date]
    loaded_at: float
    default_hours: WeeklyHours
    weeks: dict[tuple[str | None, str | None], WeeklyHours] = field(default_factory=dict)


def _pair(opens: time | None, closes: time | None) -> Hours | None:
    """A row's hours; no times is a closed weekday (the table's check forbids just one)."""
    return None if opens is None or closes is None else (opens, closes)


class SqlCalendarSource(Scoped):
    """`domain.availability.CalendarSource` on `department_hours`, `staff_hours`, `city_days_off`
    and the municipality's working hours."""

    def __init__(
        self,
        engine: Engine,
        *,
        default_hours: WeeklyHours = DEFAULT_HOURS,
        ttl: float = DEFAULT_TTL_SECONDS,
        monotonic: Callable[[], float] = clock.monotonic,
        municipality: str | None = None,
    ) -> None:
        super().__init__(engine, municipality)
        self._default, self._ttl, self._now = dict(default_hours), ttl, monotonic
        self._snapshots: dict[str, _Snapshot] = {}
        self._lock = threading.Lock()

    def hours_for(self, staff_id: str | None, department_id: str | None) -> Mapping[int, Hours]:
        """The person's week: the city's defaults, then their department's rows, then their own."""
        snapshot = self._current()
        key = (staff_id, department_id)
        week = snapshot.weeks.get(key)
        if week is None:
            department = snapshot.departments.get(department_id or "", {})
            own = snapshot.people.get(staff_id or "", {})
            week = snapshot.weeks[key] = weekly_hours(snapshot.default_hours, department, own)
        return week

    def extra_days_off(self) -> frozenset[date]:
        return self._current().days_off

    def refresh(self) -> None:
        """Forget the cached tables; the next question reads them again."""
        self._snapshots = {}

    def _current(self) -> _Snapshot:
        city = self.municipality
        snapshot = self._snapshots.get(city)
        if snapshot is not None and self._now() - snapshot.loaded_at < self._ttl:
            return snapshot
        with self._lock:  # one reload at a time; the others reuse it
            snapshot = self._snapshots.get(city)
            if snapshot is None or self._now() - snapshot.loaded_at >= self._ttl:
                snapshot = self._snapshots[city] = self._load(city)
            return snapshot

    def _load(self, city: str) -> _Snapshot:
        departments: dict[str, dict[int, Hours | None]] = {}
        people: dict[str, dict[int, Hours | None]] = {}
        with session_scope(self._engine) as session:
            for d in session.exec(select(DepartmentHours)):
                departments.setdefault(d.department_id, {})[d.weekday] = _pair(d.opens, d.closes)
            for s in session.exec(select(StaffHours)):
                people.setdefault(s.staff_id, {})[s.weekday] = _pair(s.opens, s.closes)
            days_off = frozenset(
                row.day for row in session.exec(select(CityDayOff).where(CityDayOff.municipality_id == city))
            )
            own = session.get(MunicipalityRow, city)
        default = (
            hours_from_json(own.working_hours) if own is not None and own.working_hours else self._default
        )
        return _Snapshot(departments, people, days_off, self._now(), default)


@lru_cache
def open_calendar_source(database_url: str, municipality: str | None = None) -> SqlCalendarSource:
    """The process-wide calendar source for this URL (the same engine as `store.stores.open_stores`);
    without a municipality, the running activity's."""
    return SqlCalendarSource(engine_for(database_url), municipality=municipality)
