"""The quality report (R11) for staff, as JSON or as a CSV download.

Who sees what is decided here, from the caller's role, and handed to the store as a `ReportScope`:
a clerk sees only their own row, a director their department (its people, themselves included),
deputy mayors and the mayor the whole city. The figures' definitions live in `store.reports`.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from core.tenancy import DEFAULT_MUNICIPALITY
from domain.models import Role, StaffMember
from http_api.deps import AppState, CurrentStaff, StateDep, staff_state
from http_api.errors import ApiError
from store.db import engine_for
from store.reports import DEFAULT_LATE_AFTER, Grouping, Period, QualityRow, ReportScope, quality_report

router = APIRouter(prefix="/reports", tags=["reports"])

# An existing code until `domain.messages` has a report-specific one (e.g. "report_not_allowed").
REPORT_NOT_ALLOWED = "report_not_allowed"

CITY_WIDE = (Role.DEPUTY_MAYOR, Role.MAYOR)
_IDENTITY_COLUMNS = {
    Grouping.CLERK: ["staff_id", "name", "department_id", "department_name"],
    Grouping.DEPARTMENT: ["department_id", "department_name"],
}
_FIGURE_COLUMNS = [name for name in QualityRow.model_fields if name not in _IDENTITY_COLUMNS[Grouping.CLERK]]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class QualityReport(BaseModel):
    """The report and the parameters it was computed with, so a saved copy explains itself."""

    model_config = ConfigDict(extra="forbid")

    first_day: date
    last_day: date
    group: Grouping
    time_zone: str = Field(description="the days are the city's calendar days")
    late_after_hours: int
    rows: list[QualityRow]


FirstDay = Annotated[
    date, Query(alias="from", description="first meeting day, included (city time)", examples=["2026-12-01"])
]
LastDay = Annotated[
    date, Query(alias="to", description="last meeting day, included (city time)", examples=["2026-12-31"])
]
GroupQuery = Annotated[Grouping, Query(description="one row per clerk (who held the audience) or department")]
LateAfterHours = Annotated[
    int,
    Query(
        ge=1, le=24 * 30, description="a resolution issued later than this after the meeting's end is late"
    ),
]


MunicipalityQuery = Annotated[
    str, Query(max_length=63, description="your own municipality (the default); any other is a 404")
]


def scope_for(me: StaffMember, grouping: Grouping, municipality: str = DEFAULT_MUNICIPALITY) -> ReportScope:
    """The rows the caller may see, of their own municipality only. A clerk asking for departments is
    refused rather than shown a "department" row that silently holds only their own figures."""
    if me.role in CITY_WIDE:
        return ReportScope(everything=True, municipality=municipality)
    if me.role is Role.DIRECTOR and me.department_id is not None:
        return ReportScope(staff_id=me.id, department_id=me.department_id, municipality=municipality)
    if grouping is Grouping.DEPARTMENT:
        raise ApiError(403, REPORT_NOT_ALLOWED, "the department report is for directors and above")
    return ReportScope(staff_id=me.id, municipality=municipality)


async def _report(
    state: AppState,
    me: StaffMember,
    first: date,
    last: date,
    grouping: Grouping,
    late_after_hours: int,
    municipality: str = "",
) -> QualityReport:
    if last < first:
        raise ApiError(422, "invalid_input", fields=[{"field": "to", "problem": "must not be before 'from'"}])
    state = await staff_state(state, me)
    # Only one's own municipality: another one's is answered as a municipality that does not exist.
    if municipality and municipality != state.municipality.id:
        raise ApiError(404, "unknown_municipality")
    scope = scope_for(me, grouping, state.municipality.id)
    time_zone = state.municipality.time_zone
    period = Period.of_days(first, last, time_zone)

    def build() -> list[QualityRow]:
        engine = engine_for(state.settings.database_url)
        return quality_report(engine, period, grouping, scope, late_after=timedelta(hours=late_after_hours))

    rows = await run_in_threadpool(build)
    return QualityReport(
        first_day=first,
        last_day=last,
        group=grouping,
        time_zone=time_zone,
        late_after_hours=late_after_hours,
        rows=rows,
    )


@router.get("/quality", response_model=QualityReport, summary="Quality per clerk or department (R11)")
async def quality(
    state: StateDep,
    me: CurrentStaff,
    first: FirstDay,
    last: LastDay,
    group: GroupQuery = Grouping.CLERK,
    late_after_hours: LateAfterHours = int(DEFAULT_LATE_AFTER / timedelta(hours=1)),
    municipality: MunicipalityQuery = "",
) -> QualityReport:
    """Audiences whose meeting falls between `from` and `to`: tickets, meetings held (on time: for
    now every held meeting), no-shows on either side, cancellations, hours from the meeting's end to
    the resolution (median and 90th percentile, linear interpolation), late resolutions, the share
    of resolved first-level audiences escalated to the director, and the citizens' ratings."""
    return await _report(state, me, first, last, group, late_after_hours, municipality)


@router.get(
    "/quality.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "the same rows, one CSV line each"}},
    summary="The quality report as a CSV file",
)
async def quality_csv(
    state: StateDep,
    me: CurrentStaff,
    first: FirstDay,
    last: LastDay,
    group: GroupQuery = Grouping.CLERK,
    late_after_hours: LateAfterHours = int(DEFAULT_LATE_AFTER / timedelta(hours=1)),
    municipality: MunicipalityQuery = "",
) -> Response:
    """UTF-8 with a byte-order mark, so spreadsheet programs keep the Romanian letters (ă, â, î, ș,
    ț); comma-separated, dot decimals, empty cells where a figure has no value."""
    report = await _report(state, me, first, last, group, late_after_hours, municipality)
    filename = f"calitate-{group.value}-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(
        content=("\ufeff" + to_csv(report)).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def to_csv(report: QualityReport) -> str:
    columns = _IDENTITY_COLUMNS[report.group] + _FIGURE_COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in report.rows:
        values = row.model_dump()
        writer.writerow([_cell(values[name]) for name in columns])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return str(value)
