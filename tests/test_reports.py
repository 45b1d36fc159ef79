"""The quality report (R11): figures checked against a small hand-computed archive on SQLite and on
PostgreSQL, then the JSON and CSV endpoints over real HTTP with each role's view.

The fixture city: Urbanism (clerks c1, c2, director dir-u) and Taxe (clerk c3, director dir-t),
a deputy mayor and the mayor. Each audience below says its hours from the meeting's end (slot start
+ 15 min) to the resolution, and the expected figures are worked out next to the tests.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from temporalio.client import Client

from core.settings import Settings
from domain.models import Outcome, Role
from http_api import errors
from http_api import reports as reports_api
from http_api.deps import AppState
from store.db import session_scope
from store.reports import Grouping, Period, QualityRow, ReportScope, percentile, quality_report
from store.tables import ArchiveEntry, Department, Rating
from store.testing import fresh_engine, sqlite_url
from tests.db_fixtures import staff_row
from tests.servers import serve_in_thread

TZ = "Europe/Bucharest"
DECEMBER = Period.of_days(date(2026, 12, 1), date(2026, 12, 31), TZ)
SLOT = timedelta(minutes=15)

HELD, CITIZEN_NO_SHOW, CLERK_NO_SHOW, CANCELLED = (
    Outcome.HELD,
    Outcome.CITIZEN_NO_SHOW,
    Outcome.CLERK_NO_SHOW,
    Outcome.CANCELLED,
)

# ticket, level, who held it, the file's department, outcome, hours to resolution, meeting day.
# Day 0 is a November day (outside the period); the others are days of December 2026.
AUDIENCES: list[tuple[str, int, str, str, Outcome, float | None, int]] = [
    ("t01", 0, "c1", "urbanism", HELD, 10, 1),
    ("t02", 0, "c1", "urbanism", HELD, 20, 2),
    ("t03", 0, "c1", "urbanism", HELD, 30, 3),
    ("t04", 0, "c1", "urbanism", HELD, 80, 4),  # late
    ("t05", 0, "c1", "urbanism", CITIZEN_NO_SHOW, None, 7),
    ("t06", 0, "c1", "urbanism", CANCELLED, None, 8),
    ("t07", 0, "c1", "urbanism", HELD, 1000, 0),  # November: not in the report
    ("t09", 0, "c2", "urbanism", HELD, 72, 1),  # exactly 72 h: not late
    ("t10", 0, "c2", "urbanism", HELD, 2, 2),
    ("t11", 0, "c2", "urbanism", CLERK_NO_SHOW, None, 3),
    ("t12", 0, "c2", "urbanism", HELD, 100, 4),  # late
    ("t13", 0, "c3", "taxe", HELD, 5, 1),
    ("t14", 0, "c3", "taxe", CITIZEN_NO_SHOW, None, 2),
    ("t15", 0, "c3", "taxe", CANCELLED, None, 3),
    ("t16", 0, "c3", "taxe", HELD, 48, 4),
    # escalations: t01 and t03 of c1, t12 of c2 reached the director of Urbanism
    ("t01", 1, "dir-u", "urbanism", HELD, 24, 10),
    ("t03", 1, "dir-u", "urbanism", CITIZEN_NO_SHOW, None, 11),
    ("t12", 1, "dir-u", "urbanism", HELD, 50, 14),
]

# ticket, level, who held it, department, stars, meeting day
RATINGS: list[tuple[str, int, str, str, int, int]] = [
    ("t01", 0, "c1", "urbanism", 5, 1),
    ("t02", 0, "c1", "urbanism", 4, 2),
    ("t03", 0, "c1", "urbanism", 2, 3),
    ("t07", 0, "c1", "urbanism", 1, 0),  # November: not in the report
    ("t10", 0, "c2", "urbanism", 5, 2),
    ("t13", 0, "c3", "taxe", 3, 1),
    ("t01", 1, "dir-u", "urbanism", 4, 10),
]

NAMES = {
    "c1": "Ștefan Țărănescu",
    "c2": "Tudor Pop",
    "c3": "Mihai Bălănescu",
    "dir-u": "Ana Mureșan",
    "dir-t": "Radu Ionescu",
    "vp": "Dan Tătaru",
    "primar": "Emil Boc",
}
URBANISM = "Direcția Urbanism și Amenajarea Teritoriului"
TAXE = "Direcția Taxe și Impozite Locale"


def meeting_day(day: int) -> datetime:
    """08:30 UTC on a December day (10:30 in Cluj); day 0 is 10 November."""
    if day == 0:
        return datetime(2026, 11, 10, 8, 30, tzinfo=UTC)
    return datetime(2026, 12, day, 8, 30, tzinfo=UTC)


def build_city(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add_all(
            [
                Department(id="urbanism", name=URBANISM, director_id="dir-u", deputy_mayor_id="vp"),
                Department(id="taxe", name=TAXE, director_id="dir-t", deputy_mayor_id="vp"),
            ]
        )
        session.commit()
        people = [
            ("primar", Role.MAYOR, None),
            ("vp", Role.DEPUTY_MAYOR, None),
            ("dir-u", Role.DIRECTOR, "urbanism"),
            ("dir-t", Role.DIRECTOR, "taxe"),
            ("c1", Role.CLERK, "urbanism"),
            ("c2", Role.CLERK, "urbanism"),
            ("c3", Role.CLERK, "taxe"),
        ]
        session.add_all(
            [
                staff_row(staff_id, role, department_id, name=NAMES[staff_id], token=True)
                for staff_id, role, department_id in people
            ]
        )
        session.commit()
        for ticket, level, staff_id, department_id, outcome, hours, day in AUDIENCES:
            start = meeting_day(day)
            resolved = hours is not None
            session.add(
                ArchiveEntry(
                    ticket_id=ticket,
                    level=level,
                    registration_number=f"{ticket[1:]}/2026",
                    staff_id=staff_id,
                    department_id=department_id,
                    channel="webex",
                    meeting_start=start,
                    outcome=outcome.value,
                    conclusions="Concluzii." if resolved else None,
                    resolution_document_number=f"TA-2026-{ticket}-{level}" if resolved else None,
                    closed_at=start + SLOT + timedelta(hours=hours or 1),
                )
            )
        for ticket, level, staff_id, department_id, stars, day in RATINGS:
            session.add(
                Rating(
                    ticket_id=ticket,
                    level=level,
                    registration_number=f"{ticket[1:]}/2026",
                    staff_id=staff_id,
                    department_id=department_id,
                    meeting_start=meeting_day(day),
                    stars=stars,
                    comment="Foarte amabilă, mulțumesc!",
                    created_at=meeting_day(day) + timedelta(hours=1),
                )
            )
        session.commit()


# --- the expected figures, worked out by hand ---------------------------------------------------------
#
# c1: 6 audiences in December (t07 is November); held t01-t04; resolution hours 10, 20, 30, 80:
#     median (20+30)/2 = 25; p90 at rank 3·0.9 = 2.7 → 30 + 0.7·(80-30) = 65; late: 80 → 1;
#     escalated: t01, t03 of 4 resolved → 0.5; ratings 5, 4, 2 → 3.67 (t07's 1 star is November).
# c2: hours 2, 72, 100: median 72; p90 at 2·0.9 = 1.8 → 72 + 0.8·28 = 94.4; late: 100 only (72 is
#     not "later than 72 h"); escalated t12 of 3 → 0.3333; rating 5.
# c3: hours 5, 48: median 26.5; p90 at 0.9 → 5 + 0.9·43 = 43.7; nothing late or escalated; rating 3.
# dir-u: level-1 audiences only: hours 24, 50: median 37, p90 24 + 0.9·26 = 47.4; no level-0
#     audience, so no escalation rate; rating 4.
# Urbanism (the files' department, every level): 13 audiences, hours 2 10 20 24 30 50 72 80 100:
#     median 30; p90 at 8·0.9 = 7.2 → 80 + 0.2·20 = 84; late 80 and 100; escalated 3 of the 7
#     resolved level-0 audiences → 0.4286; ratings 5 4 2 5 4 → 4.0.


def figures(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "tickets": 0,
        "meetings_held": 0,
        "held_on_time": 0,
        "citizen_no_shows": 0,
        "clerk_no_shows": 0,
        "cancelled": 0,
        "resolutions": 0,
        "median_hours_to_resolution": None,
        "p90_hours_to_resolution": None,
        "late_resolutions": 0,
        "first_level_resolved": 0,
        "escalated": 0,
        "escalation_rate": None,
        "average_rating": None,
        "ratings": 0,
    }
    base.update(values)
    return base


def person(staff_id: str, department_id: str, department_name: str) -> dict[str, Any]:
    return {
        "staff_id": staff_id,
        "name": NAMES[staff_id],
        "department_id": department_id,
        "department_name": department_name,
    }


C1 = person("c1", "urbanism", URBANISM) | figures(
    tickets=6,
    meetings_held=4,
    held_on_time=4,
    citizen_no_shows=1,
    cancelled=1,
    resolutions=4,
    median_hours_to_resolution=25.0,
    p90_hours_to_resolution=65.0,
    late_resolutions=1,
    first_level_resolved=4,
    escalated=2,
    escalation_rate=0.5,
    average_rating=3.67,
    ratings=3,
)
C2 = person("c2", "urbanism", URBANISM) | figures(
    tickets=4,
    meetings_held=3,
    held_on_time=3,
    clerk_no_shows=1,
    resolutions=3,
    median_hours_to_resolution=72.0,
    p90_hours_to_resolution=94.4,
    late_resolutions=1,
    first_level_resolved=3,
    escalated=1,
    escalation_rate=0.3333,
    average_rating=5.0,
    ratings=1,
)
C3 = person("c3", "taxe", TAXE) | figures(
    tickets=4,
    meetings_held=2,
    held_on_time=2,
    citizen_no_shows=1,
    cancelled=1,
    resolutions=2,
    median_hours_to_resolution=26.5,
    p90_hours_to_resolution=43.7,
    first_level_resolved=2,
    escalation_rate=0.0,
    average_rating=3.0,
    ratings=1,
)
DIR_U = person("dir-u", "urbanism", URBANISM) | figures(
    tickets=3,
    meetings_held=2,
    held_on_time=2,
    citizen_no_shows=1,
    resolutions=2,
    median_hours_to_resolution=37.0,
    p90_hours_to_resolution=47.4,
    average_rating=4.0,
    ratings=1,
)
URBANISM_ROW = {"staff_id": None, "name": None, "department_id": "urbanism", "department_name": URBANISM} | (
    figures(
        tickets=13,
        meetings_held=9,
        held_on_time=9,
        citizen_no_shows=2,
        clerk_no_shows=1,
        cancelled=1,
        resolutions=9,
        median_hours_to_resolution=30.0,
        p90_hours_to_resolution=84.0,
        late_resolutions=2,
        first_level_resolved=7,
        escalated=3,
        escalation_rate=0.4286,
        average_rating=4.0,
        ratings=5,
    )
)
TAXE_ROW = {"staff_id": None, "name": None, "department_id": "taxe", "department_name": TAXE} | {
    key: value
    for key, value in C3.items()
    if key not in ("staff_id", "name", "department_id", "department_name")
}


def dumped(rows: list[QualityRow]) -> list[dict[str, Any]]:
    return [row.model_dump() for row in rows]


# --- the figures, on both databases ---------------------------------------------------------------


@pytest.fixture
def engine(engine: Engine) -> Engine:
    """The conftest's empty schema with the fixture city and its archive."""
    build_city(engine)
    return engine


EVERYTHING = ReportScope(everything=True)


def test_per_clerk_figures_match_the_hand_computed_ones(engine: Engine) -> None:
    rows = quality_report(engine, DECEMBER, Grouping.CLERK, EVERYTHING)
    # by department id, then by name as a Romanian reader sorts it: Ștefan before Tudor
    assert dumped(rows) == [C3, DIR_U, C1, C2]


def test_per_department_figures_match_the_hand_computed_ones(engine: Engine) -> None:
    rows = quality_report(engine, DECEMBER, Grouping.DEPARTMENT, EVERYTHING)
    assert dumped(rows) == [TAXE_ROW, URBANISM_ROW]


def test_the_lateness_threshold_is_a_parameter(engine: Engine) -> None:
    rows = {
        row.staff_id: row
        for row in quality_report(
            engine, DECEMBER, Grouping.CLERK, EVERYTHING, late_after=timedelta(hours=24)
        )
    }
    # c1: 30 and 80 exceed 24 h; c2: 72 and 100; c3: 48; dir-u: 50 (24 exactly is not late)
    assert {key: row.late_resolutions for key, row in rows.items()} == {"c1": 2, "c2": 2, "c3": 1, "dir-u": 1}


def test_scopes_limit_the_rows(engine: Engine) -> None:
    def ids(scope: ReportScope, grouping: Grouping = Grouping.CLERK) -> list[str | None]:
        rows = quality_report(engine, DECEMBER, grouping, scope)
        return [row.staff_id if grouping is Grouping.CLERK else row.department_id for row in rows]

    assert ids(ReportScope(staff_id="c1")) == ["c1"]
    assert ids(ReportScope(staff_id="dir-u", department_id="urbanism")) == ["dir-u", "c1", "c2"]
    assert ids(ReportScope(staff_id="dir-t", department_id="taxe")) == ["c3"]
    assert ids(ReportScope(staff_id="dir-u", department_id="urbanism"), Grouping.DEPARTMENT) == ["urbanism"]
    assert ids(ReportScope()) == []
    # a scoped row carries the same figures as the city-wide one
    assert dumped(quality_report(engine, DECEMBER, Grouping.CLERK, ReportScope(staff_id="c1"))) == [C1]


def test_the_period_is_whole_days_in_the_citys_time_zone(engine: Engine) -> None:
    """00:30 in Cluj on 1 December is still 30 November in UTC, and belongs to December;
    00:30 in Cluj on 1 January is 31 December in UTC, and does not."""
    inside = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)
    outside = datetime(2026, 12, 31, 22, 30, tzinfo=UTC)
    with session_scope(engine) as session:
        for ticket, start in (("late-night-in", inside), ("new-year-out", outside)):
            session.add(
                ArchiveEntry(
                    ticket_id=ticket,
                    level=0,
                    registration_number="1/2026",
                    staff_id="c3",
                    department_id="taxe",
                    channel="phone",
                    meeting_start=start,
                    outcome=CITIZEN_NO_SHOW.value,
                    closed_at=start + timedelta(hours=1),
                )
            )
        session.commit()
    (row,) = quality_report(engine, DECEMBER, Grouping.CLERK, ReportScope(staff_id="c3"))
    assert (row.tickets, row.citizen_no_shows) == (C3["tickets"] + 1, C3["citizen_no_shows"] + 1)


def test_a_meeting_webex_saw_start_late_is_held_but_not_on_time(engine: Engine) -> None:
    start = datetime(2026, 12, 14, 8, 30, tzinfo=UTC)
    with session_scope(engine) as session:
        for ticket, late in (("started-late", True), ("started-on-time", False)):
            session.add(
                ArchiveEntry(
                    ticket_id=ticket,
                    level=0,
                    registration_number="2/2026",
                    staff_id="c3",
                    department_id="taxe",
                    channel="webex",
                    meeting_start=start,
                    outcome=HELD.value,
                    started_late=late,
                    closed_at=start + timedelta(hours=1),
                )
            )
        session.commit()
    (row,) = quality_report(engine, DECEMBER, Grouping.CLERK, ReportScope(staff_id="c3"))
    assert row.meetings_held == C3["meetings_held"] + 2
    assert row.held_on_time == C3["held_on_time"] + 1


def test_an_empty_period_has_no_rows(engine: Engine) -> None:
    march = Period.of_days(date(2027, 3, 1), date(2027, 3, 31), TZ)
    assert quality_report(engine, march, Grouping.CLERK, EVERYTHING) == []


# --- pure parts ---------------------------------------------------------------------------------------


def test_percentile_interpolates_linearly_between_closest_ranks() -> None:
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([1, 2, 3, 4], 0.9) == pytest.approx(3.7)
    assert percentile([7], 0.5) == percentile([7], 0.9) == 7
    assert (percentile([3, 9, 20], 0), percentile([3, 9, 20], 1)) == (3, 20)
    sample = sorted([0.5, 3, 3, 7.25, 11, 19, 26, 48, 71.5, 72, 96, 130])
    deciles = statistics.quantiles(sample, n=10, method="inclusive")
    assert [percentile(sample, k / 10) for k in range(1, 10)] == pytest.approx(deciles)
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_a_period_of_days_covers_local_midnight_to_midnight() -> None:
    december = Period.of_days(date(2026, 12, 1), date(2026, 12, 31), TZ)
    assert (december.start, december.end) == (
        datetime(2026, 11, 30, 22, 0, tzinfo=UTC),
        datetime(2026, 12, 31, 22, 0, tzinfo=UTC),
    )
    # across the spring change the day is 23 hours long
    spring = Period.of_days(date(2027, 3, 28), date(2027, 3, 28), TZ)
    assert spring.end - spring.start == timedelta(hours=23)


# --- the endpoints over real HTTP ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """Only the reports router, on a SQLite city of its own: the report needs no Temporal, so the
    AppState's client is a placeholder nothing calls."""
    url = sqlite_url(tmp_path_factory.mktemp("reports"))
    engine = fresh_engine(url)
    build_city(engine)
    settings = Settings(environment="test", database_url=url)
    app = FastAPI()
    errors.install(app)
    app.include_router(reports_api.router)
    app.state.tichet = AppState.build(settings, cast(Client, None))
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield http
    engine.dispose()


DECEMBER_QUERY = {"from": "2026-12-01", "to": "2026-12-31"}


def as_(staff_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer token-{staff_id}"}


def get_rows(http: httpx.Client, staff_id: str, **params: str) -> list[dict[str, Any]]:
    response = http.get("/reports/quality", params=DECEMBER_QUERY | params, headers=as_(staff_id))
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


def test_json_report_carries_its_parameters(report_api: httpx.Client) -> None:
    response = report_api.get("/reports/quality", params=DECEMBER_QUERY, headers=as_("primar"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert {
        key: body[key] for key in ("first_day", "last_day", "group", "time_zone", "late_after_hours")
    } == {
        "first_day": "2026-12-01",
        "last_day": "2026-12-31",
        "group": "clerk",
        "time_zone": TZ,
        "late_after_hours": 72,
    }
    assert body["rows"] == [C3, DIR_U, C1, C2]


def test_a_clerk_sees_only_their_own_row(report_api: httpx.Client) -> None:
    assert get_rows(report_api, "c1") == [C1]
    assert get_rows(report_api, "c3") == [C3]


def test_a_director_sees_their_departments_people(report_api: httpx.Client) -> None:
    assert get_rows(report_api, "dir-u") == [DIR_U, C1, C2]
    assert get_rows(report_api, "dir-t") == [C3]
    assert get_rows(report_api, "dir-u", group="department") == [URBANISM_ROW]


def test_deputy_mayors_and_the_mayor_see_everything(report_api: httpx.Client) -> None:
    for who in ("vp", "primar"):
        assert get_rows(report_api, who) == [C3, DIR_U, C1, C2]
        assert get_rows(report_api, who, group="department") == [TAXE_ROW, URBANISM_ROW]


def test_a_clerk_cannot_ask_for_the_department_report(report_api: httpx.Client) -> None:
    response = report_api.get(
        "/reports/quality", params=DECEMBER_QUERY | {"group": "department"}, headers=as_("c1")
    )
    assert response.status_code == 403
    assert response.json()["code"] == reports_api.REPORT_NOT_ALLOWED


@pytest.mark.parametrize("path", ["/reports/quality", "/reports/quality.csv"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "token-c1"}])
def test_the_report_needs_a_staff_token(report_api: httpx.Client, path: str, headers: dict[str, str]) -> None:
    response = report_api.get(path, params=DECEMBER_QUERY, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-12-31", "to": "2026-12-01"},
        {"from": "2026-12-01"},
        {"from": "1 dec", "to": "2026-12-31"},
        DECEMBER_QUERY | {"group": "everyone"},
        DECEMBER_QUERY | {"late_after_hours": "0"},
    ],
)
def test_bad_parameters_are_422(report_api: httpx.Client, params: dict[str, str]) -> None:
    response = report_api.get("/reports/quality", params=params, headers=as_("primar"))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_input"


def test_late_after_hours_changes_the_late_count(report_api: httpx.Client) -> None:
    rows = get_rows(report_api, "primar", late_after_hours="24")
    assert [row["late_resolutions"] for row in rows] == [1, 1, 2, 2]  # c3, dir-u, c1, c2


def read_csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())  # the BOM spreadsheets look for
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_per_clerk_is_a_utf8_attachment_with_romanian_names_intact(report_api: httpx.Client) -> None:
    response = report_api.get("/reports/quality.csv", params=DECEMBER_QUERY, headers=as_("dir-u"))
    rows = read_csv(response)
    assert response.headers["content-disposition"] == (
        'attachment; filename="calitate-clerk-2026-12-01-2026-12-31.csv"'
    )
    assert list(rows[0]) == list(C1)  # the same columns as the JSON, in the same order
    assert [row["name"] for row in rows] == ["Ana Mureșan", "Ștefan Țărănescu", "Tudor Pop"]
    assert rows[1] == {key: "" if value is None else str(value) for key, value in C1.items()}
    assert rows[0]["escalation_rate"] == ""  # no value is an empty cell, not "None"
    assert rows[0]["department_name"] == URBANISM


def test_csv_per_department_has_no_person_columns(report_api: httpx.Client) -> None:
    response = report_api.get(
        "/reports/quality.csv", params=DECEMBER_QUERY | {"group": "department"}, headers=as_("primar")
    )
    rows = read_csv(response)
    assert "staff_id" not in rows[0] and "name" not in rows[0]
    assert [(row["department_name"], row["tickets"], row["p90_hours_to_resolution"]) for row in rows] == [
        (TAXE, "4", "43.7"),
        (URBANISM, "13", "84.0"),
    ]
    assert response.headers["content-disposition"].endswith('calitate-department-2026-12-01-2026-12-31.csv"')


def test_csv_cells_that_look_like_formulas_are_defused() -> None:
    report = reports_api.QualityReport(
        first_day=date(2026, 12, 1),
        last_day=date(2026, 12, 31),
        group=Grouping.CLERK,
        time_zone=TZ,
        late_after_hours=72,
        rows=[QualityRow(staff_id="x", name='=HYPERLINK("http://rău")', department_id="d")],
    )
    (row,) = csv.DictReader(io.StringIO(reports_api.to_csv(report)))
    assert row["name"] == '\'=HYPERLINK("http://rău")'
