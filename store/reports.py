"""The quality report (R11): per clerk or per department, over the audiences whose meeting falls in a
period. It reads the archive (one row per finished audience) and the ratings, nothing else, so it
needs neither Temporal nor the workflows.

The database does the counting: one grouped pass over the archive (an outer join finds the
escalations) and one over the ratings. Only the resolution times of resolved audiences come back
row by row, because their median and 90th percentile cannot be computed portably in SQL (PostgreSQL
has `percentile_cont`, SQLite has nothing); a last query fetches the names of the grouped keys.

Definitions (the API's documentation repeats them):

- **tickets**: audiences with a `meeting_start` in the period, whatever their outcome; an audience
  appears once it is archived (resolved, no-show or cancelled), not while it is still open.
- **held on time**: held, and not marked `started_late` in the archive (Webex's "meeting started"
  came more than `Policy.on_time_grace`, 5 min, after the slot; see `_held_on_time`).
- **hours to resolution**: from the meeting's end (`meeting_start` + 15 min) to `closed_at` of a held
  audience with a resolution document (for those, `closed_at` is when the resolution was issued).
- **median / p90**: linear interpolation between closest ranks (see `percentile`).
- **late resolutions**: resolved more than `late_after` (default 72 h, calendar time) after the
  meeting's end; exactly 72 h is not late.
- **escalation rate**: of the level-0 audiences that were resolved, the share whose ticket also has
  a level-1 archive row (an escalation counts once its director audience is archived).
- **rating**: the average stars of the ratings whose meeting falls in the period, and their number.

Grouping "clerk" is by who held the audience (`staff_id`), labelled with their current department;
grouping "department" is by the file's department as archived (`archive.department_id`), so a
department row includes the escalated audiences of its files. People and departments with no
audience and no rating in the period are not listed.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Connection, Engine, Select, and_, case, false, func, or_, select, true
from sqlalchemy.orm import aliased
from sqlmodel import col

from core.tenancy import DEFAULT_MUNICIPALITY
from domain.models import Level, Outcome, Policy
from store.tables import ArchiveEntry, Department, Rating, Staff

DEFAULT_LATE_AFTER = timedelta(hours=72)
SLOT_LENGTH = Policy().slot_length
HOUR = timedelta(hours=1)

_Query: TypeAlias = Select[*tuple[Any, ...]]


class Grouping(StrEnum):
    CLERK = "clerk"
    DEPARTMENT = "department"


@dataclass(frozen=True)
class Period:
    """A half-open UTC interval [start, end) that covers whole days of the city's calendar."""

    start: datetime
    end: datetime

    @classmethod
    def of_days(cls, first: date, last: date, time_zone: str) -> Period:
        """`first` to `last`, both included, as the city's clocks read them: a meeting at 00:30 in
        Bucharest on the 1st belongs to the 1st although it is still the 30th in UTC."""
        tz = ZoneInfo(time_zone)
        start = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
        end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
        return cls(start=start, end=end)


@dataclass(frozen=True)
class ReportScope:
    """Whose figures a report may contain; the HTTP layer derives it from the caller's role.

    Always one municipality's (`municipality`: the caller's; nobody sees another city's figures).
    `everything`: the whole city. Otherwise the audiences held by `staff_id`, plus, when
    `department_id` is set, that department's: its staff's (grouping by clerk) or its files'
    (grouping by department). An empty scope shows nothing rather than everything.
    """

    everything: bool = False
    staff_id: str | None = None
    municipality: str = DEFAULT_MUNICIPALITY
    department_id: str | None = None


class QualityRow(BaseModel):
    """One line of the report. For the department grouping `staff_id` and `name` are empty."""

    model_config = ConfigDict(extra="forbid")

    staff_id: str | None = None
    name: str | None = None
    department_id: str | None = None
    department_name: str | None = None
    tickets: int = Field(0, description="audiences with a meeting in the period, any outcome")
    meetings_held: int = 0
    held_on_time: int = Field(0, description="held, and Webex did not see it start late")
    citizen_no_shows: int = 0
    clerk_no_shows: int = 0
    cancelled: int = 0
    resolutions: int = Field(0, description="held audiences with a resolution document")
    median_hours_to_resolution: float | None = None
    p90_hours_to_resolution: float | None = None
    late_resolutions: int = 0
    first_level_resolved: int = Field(0, description="resolved level-0 audiences: the escalation base")
    escalated: int = Field(0, description="of those, the tickets that have a level-1 archive row")
    escalation_rate: float | None = None
    average_rating: float | None = None
    ratings: int = 0


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (Hyndman & Fan type 7: numpy's default,
    PostgreSQL's `percentile_cont`, Excel's PERCENTILE.INC). Chosen over nearest-rank because its
    median of an even count is the usual mean of the two middle values, and because it matches
    `percentile_cont`, should the PostgreSQL deployment ever compute it in the database.

    The value at position (n - 1) * fraction of the sorted values, interpolating between neighbours.
    """
    if not sorted_values:
        raise ValueError("no values")
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must lie in [0, 1]")
    position = (len(sorted_values) - 1) * fraction
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    low, high = sorted_values[lower], sorted_values[upper]
    return low + (position - lower) * (high - low)


@dataclass
class _Tally:
    counts: dict[str, int] = field(default_factory=dict)
    hours: list[float] = field(default_factory=list)
    late: int = 0
    stars: int = 0
    ratings: int = 0


_COUNTED = (
    "tickets",
    "meetings_held",
    "held_on_time",
    "citizen_no_shows",
    "clerk_no_shows",
    "cancelled",
    "first_level_resolved",
    "escalated",
)


def quality_report(
    engine: Engine,
    period: Period,
    grouping: Grouping,
    scope: ReportScope,
    *,
    late_after: timedelta = DEFAULT_LATE_AFTER,
) -> list[QualityRow]:
    """The report's rows, ordered by department and name (clerks) or by department name."""
    tallies: dict[str | None, _Tally] = {}

    def tally(key: str | None) -> _Tally:
        return tallies.setdefault(key, _Tally())

    with engine.connect() as connection:
        for key, *counts in connection.execute(_counts_query(period, grouping, scope)):
            tally(key).counts = dict(zip(_COUNTED, (int(n or 0) for n in counts), strict=True))
        for key, meeting_start, closed_at in connection.execute(_resolutions_query(period, grouping, scope)):
            waited = closed_at - (meeting_start + SLOT_LENGTH)
            entry = tally(key)
            entry.hours.append(waited / HOUR)
            entry.late += waited > late_after
        for key, count, stars in connection.execute(_ratings_query(period, grouping, scope)):
            entry = tally(key)
            entry.ratings, entry.stars = int(count), int(stars or 0)
        labels = _labels(connection, grouping, tallies.keys())
    rows = [_row(grouping, key, entry, labels.get(key, {})) for key, entry in tallies.items()]
    if grouping is Grouping.CLERK:
        return sorted(rows, key=lambda r: (r.department_id or "", _collation_key(r.name), r.staff_id or ""))
    return sorted(rows, key=lambda r: (_collation_key(r.department_name), r.department_id or ""))


def _collation_key(text: str | None) -> str:
    """Diacritics ignored and case folded, so "Ștefan" sorts among the S's rather than after "Z"
    (plain code-point order); no locale needed, which the database and the OS may not have."""
    decomposed = unicodedata.normalize("NFD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


# --- the queries -------------------------------------------------------------------------------------


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


def _held_on_time(held: ColumnElement[bool]) -> ColumnElement[bool]:
    """Held, and not started late by Webex's clock (the workflow compares Webex's "meeting started"
    with the slot and the policy's grace; phone and in-person meetings have no start event and count
    as on time)."""
    return and_(held, col(ArchiveEntry.started_late) == false())


def _visible(
    scope: ReportScope, grouping: Grouping, staff_id: Any, department_id: Any
) -> ColumnElement[bool]:
    """The scope as a WHERE clause on a table with a staff and a department column."""
    if scope.everything:
        return true()
    allowed: list[ColumnElement[bool]] = []
    if scope.staff_id is not None:
        allowed.append(staff_id == scope.staff_id)
    if scope.department_id is not None:
        if grouping is Grouping.CLERK:
            members = select(col(Staff.id)).where(col(Staff.department_id) == scope.department_id)
            allowed.append(staff_id.in_(members))
        else:
            allowed.append(department_id == scope.department_id)
    return or_(false(), *allowed)


def _archive_filter(period: Period, grouping: Grouping, scope: ReportScope) -> ColumnElement[bool]:
    start = col(ArchiveEntry.meeting_start)
    return and_(
        col(ArchiveEntry.municipality_id) == scope.municipality,
        start >= period.start,
        start < period.end,
        _visible(scope, grouping, col(ArchiveEntry.staff_id), col(ArchiveEntry.department_id)),
    )


def _archive_key(grouping: Grouping) -> Any:
    return col(ArchiveEntry.staff_id) if grouping is Grouping.CLERK else col(ArchiveEntry.department_id)


def _resolved() -> ColumnElement[bool]:
    return and_(
        col(ArchiveEntry.outcome) == Outcome.HELD.value,
        col(ArchiveEntry.resolution_document_number).is_not(None),
    )


def _counts_query(period: Period, grouping: Grouping, scope: ReportScope) -> _Query:
    """Every count in one pass; the outer join finds the level-1 row of a level-0 audience (at
    most one, thanks to the archive's unique (ticket_id, level))."""
    outcome = col(ArchiveEntry.outcome)
    held = outcome == Outcome.HELD.value
    first_resolved = and_(_resolved(), col(ArchiveEntry.level) == int(Level.CLERK))
    escalation = aliased(ArchiveEntry, name="escalation")
    key = _archive_key(grouping)
    return (
        select(
            key,
            func.count(),
            _count(held),
            _count(_held_on_time(held)),
            _count(outcome == Outcome.CITIZEN_NO_SHOW.value),
            _count(outcome == Outcome.CLERK_NO_SHOW.value),
            _count(outcome == Outcome.CANCELLED.value),
            _count(first_resolved),
            _count(and_(first_resolved, col(escalation.id).is_not(None))),
        )
        .select_from(ArchiveEntry)
        .outerjoin(
            escalation,
            and_(
                col(ArchiveEntry.level) == int(Level.CLERK),
                col(escalation.ticket_id) == col(ArchiveEntry.ticket_id),
                col(escalation.level) == int(Level.DIRECTOR),
            ),
        )
        .where(_archive_filter(period, grouping, scope))
        .group_by(key)
    )


def _resolutions_query(period: Period, grouping: Grouping, scope: ReportScope) -> _Query:
    return select(_archive_key(grouping), col(ArchiveEntry.meeting_start), col(ArchiveEntry.closed_at)).where(
        _resolved(), _archive_filter(period, grouping, scope)
    )


def _ratings_query(period: Period, grouping: Grouping, scope: ReportScope) -> _Query:
    key = col(Rating.staff_id) if grouping is Grouping.CLERK else col(Rating.department_id)
    start = col(Rating.meeting_start)
    return (
        select(key, func.count(), func.sum(col(Rating.stars)))
        .where(
            col(Rating.municipality_id) == scope.municipality,
            start >= period.start,
            start < period.end,
            _visible(scope, grouping, col(Rating.staff_id), col(Rating.department_id)),
        )
        .group_by(key)
    )


def _labels(
    connection: Connection, grouping: Grouping, keys: Iterable[str | None]
) -> dict[str | None, dict[str, Any]]:
    """Names for the grouped keys, in one query; a key the directory no longer knows keeps no name."""
    wanted = [key for key in keys if key is not None]
    if not wanted:
        return {}
    if grouping is Grouping.CLERK:
        people = (
            select(col(Staff.id), col(Staff.name), col(Staff.department_id), col(Department.name))
            .outerjoin(Department, col(Department.id) == col(Staff.department_id))
            .where(col(Staff.id).in_(wanted))
        )
        return {
            staff_id: {"name": name, "department_id": department_id, "department_name": department_name}
            for staff_id, name, department_id, department_name in connection.execute(people)
        }
    departments = select(col(Department.id), col(Department.name)).where(col(Department.id).in_(wanted))
    return {
        department_id: {"department_name": name} for department_id, name in connection.execute(departments)
    }


def _identity(grouping: Grouping, key: str | None, label: dict[str, Any]) -> dict[str, Any]:
    if grouping is Grouping.CLERK:
        return {
            "staff_id": key,
            "name": label.get("name"),
            "department_id": label.get("department_id"),
            "department_name": label.get("department_name"),
        }
    return {"department_id": key, "department_name": label.get("department_name")}


def _row(grouping: Grouping, key: str | None, entry: _Tally, label: dict[str, Any]) -> QualityRow:
    hours = sorted(entry.hours)
    first_resolved = entry.counts.get("first_level_resolved", 0)
    escalated = entry.counts.get("escalated", 0)
    return QualityRow(
        **_identity(grouping, key, label),
        **{name: entry.counts.get(name, 0) for name in _COUNTED},
        resolutions=len(hours),
        median_hours_to_resolution=round(percentile(hours, 0.5), 2) if hours else None,
        p90_hours_to_resolution=round(percentile(hours, 0.9), 2) if hours else None,
        late_resolutions=entry.late,
        escalation_rate=round(escalated / first_resolved, 4) if first_resolved else None,
        average_rating=round(entry.stars / entry.ratings, 2) if entry.ratings else None,
        ratings=entry.ratings,
    )
