"""A deterministic demo city: departments, 524 clerks, directors, deputy mayors, a mayor, one ops
person (who reads Temporal histories through the codec server), absences and a few thousand files,
plus five well-known files the README and the tests rely on, and a small calendar configuration
(one department's longer hours, two clerks' own hours, one city day off). Beside it, a second, small
municipality (issue 11): the town of Huedin, two departments, four clerks, Mon-Fri 08:00-14:00, whose
registry holds a file 100001/<year> too, so both cities have one of that number.

Everything is drawn from `random.Random(42)` and dated relative to `--today`, so the same day always
yields the same rows on SQLite and on PostgreSQL, and a demo run next month still has fresh files.

    python -m store.seed [--database-url URL] [--today YYYY-MM-DD] [--files N] [--reset]

Every staff member gets the API token `demo-<staff id>` (stored hashed). Those tokens are public
knowledge: they are for the demo city only and must never exist in a real deployment.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as wall_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, inspect
from sqlmodel import select

from domain.calendar import romanian_public_holidays
from domain.models import FileStatus, Role
from domain.municipalities import Municipality
from store.db import make_engine, session_scope
from store.migrate import migrate
from store.migrate import reset as reset_database
from store.municipalities import municipality_row
from store.seed_data import (
    ABSENCE_REASONS,
    COMPANIES,
    DEPARTMENTS,
    DEPUTY_MAYOR_IDS,
    GIVEN_NAMES,
    HUEDIN_DEPARTMENTS,
    HUEDIN_DEPUTY_MAYOR_ID,
    HUEDIN_HOURS,
    HUEDIN_ID,
    HUEDIN_MAYOR_ID,
    HUEDIN_NAME,
    HUEDIN_PEOPLE,
    HUEDIN_SUBJECTS,
    MAYOR_ID,
    OPS_ID,
    OPS_NAME,
    SURNAMES,
)
from store.staff import hash_token
from store.tables import (
    Absence,
    CityDayOff,
    Department,
    DepartmentHours,
    RegisteredFile,
    Staff,
    StaffHours,
)

SEED = 42
EMAIL_DOMAIN = "primaria.example"
HUEDIN = Municipality(
    id=HUEDIN_ID,
    name=HUEDIN_NAME,
    working_hours={
        day: (wall_time.fromisoformat(opens), wall_time.fromisoformat(closes))
        for day, (opens, closes) in HUEDIN_HOURS.items()
    },
    sender="Tichet Albastru Huedin <tichet-albastru@huedin.example>",
    pdf_header="Primăria Orașului Huedin · Piața Victoriei nr. 1 · 405400 Huedin",
    path_prefix=f"/{HUEDIN_ID}",
)
# Only Huedin gets a row: Cluj-Napoca, the default municipality, is described by the settings
# (TICHET_CITY_NAME, TICHET_BOOKING_WINDOW_MODE, ...) until a deployment writes its row.
DEMO_MUNICIPALITIES = (HUEDIN,)
FILING_WINDOW_DAYS = 120
IN_PROGRESS_SHARE = 0.6
ABSENT_SHARE = 0.04
NO_SUBSTITUTE_SHARE = 0.05
COMPANY_SHARE = 0.07
FIRST_RANDOM_NUMBER = 100100  # above the well-known 100001..100005


def demo_token(staff_id: str) -> str:
    """The public demo token of a seeded staff member; only ever valid in the demo city."""
    return f"demo-{staff_id}"


def clerk_id(n: int) -> str:
    return f"c{n:04d}"


def director_id(department_id: str) -> str:
    return f"dir-{department_id}"


@dataclass(frozen=True)
class DemoFile:
    """A file with a fixed story, for the README walkthrough and the tests."""

    registration_number: str
    requester_name: str
    filing_date: date
    department_id: str
    subject: str
    status: FileStatus
    answered_on: date | None
    handler_id: str
    story: str


@dataclass(frozen=True)
class SeedSummary:
    today: date
    departments: int
    clerks: int
    directors: int
    deputy_mayors: int
    mayors: int
    ops: int
    absences: int
    files: int
    files_in_progress: int
    files_answered: int
    demo_files: tuple[DemoFile, ...]
    demo_tokens: dict[str, str] = field(default_factory=dict)
    calendar_notes: tuple[str, ...] = ()
    second_city: str = ""

    def render(self) -> str:
        lines = [
            f"Demo city seeded for {self.today.isoformat()}:",
            f"  {self.departments} departments, {self.clerks} clerks, {self.directors} directors, "
            f"{self.deputy_mayors} deputy mayors, {self.mayors} mayor, {self.ops} ops",
            f"  {self.files} files ({self.files_in_progress} in progress, {self.files_answered} answered), "
            f"{self.absences} absences",
            "  well-known files (number · requester · filed · story):",
        ]
        lines += [
            f"    {f.registration_number} · {f.requester_name} · {f.filing_date.isoformat()} · {f.story}"
            for f in self.demo_files
        ]
        if self.calendar_notes:
            lines.append("  calendar configuration:")
            lines += [f"    {note}" for note in self.calendar_notes]
        if self.second_city:
            lines.append(f"  second municipality: {self.second_city}")
        lines.append("  demo API tokens (demo city only, never in production):")
        lines += [f"    {staff_id}: {token}" for staff_id, token in self.demo_tokens.items()]
        return "\n".join(lines)


class AlreadySeeded(RuntimeError):
    """The database already holds a city; seeding again would mix two of them."""


@dataclass
class DemoCity:
    """The rows to insert, as plain dicts in insertion order."""

    departments: list[dict[str, Any]] = field(default_factory=list)
    staff: list[dict[str, Any]] = field(default_factory=list)
    absences: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    demo_files: tuple[DemoFile, ...] = ()
    department_hours: list[dict[str, Any]] = field(default_factory=list)
    staff_hours: list[dict[str, Any]] = field(default_factory=list)
    city_days_off: list[dict[str, Any]] = field(default_factory=list)
    calendar_notes: tuple[str, ...] = ()


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().replace(" ", "-")


def _person(staff_id: str, name: tuple[str, str], suffix: str, role: Role, **extra: Any) -> dict[str, Any]:
    given, surname = name
    email = f"{_ascii(given)}.{_ascii(surname)}.{suffix}@{EMAIL_DOMAIN}"
    row: dict[str, Any] = {
        "id": staff_id,
        "name": f"{given} {surname}",
        "email": email,
        "webex_email": email,
        "role": role.value,
        "department_id": None,
        "reports_to_id": None,
        "substitute_id": None,
        "api_token_sha256": hash_token(demo_token(staff_id)),
    }
    row.update(extra)
    return row


def _working_day_on_or_before(day: date) -> date:
    return day - timedelta(days=max(0, day.weekday() - 4))


# The well-known files still in progress have fixed numbers and filing dates, so the README's
# requests run as written on any day (an in-progress file is eligible however old it is, R1). The
# answered ones stay dated relative to the seed's day: R1's 30 days after the answer is their story.
DEMO_FILING_DATES = {"100001": date(2026, 11, 15), "100004": date(2026, 11, 5), "100005": date(2026, 11, 10)}


def demo_filing(number: str, today: date, days_ago: int) -> tuple[str, date]:
    """Registration number and filing date of an in-progress demo file: the fixed date, or
    `days_ago` before a `today` that is not after it (a city built around an earlier day, as some
    tests do), so a file is never filed in the future."""
    fixed = DEMO_FILING_DATES[number]
    filed = fixed if fixed < today else today - timedelta(days=days_ago)
    return f"{number}/{filed.year}", filed


def demo_files(today: date) -> tuple[DemoFile, ...]:
    """The five files whose state the README and the tests describe (all in `urbanism`)."""
    year, urbanism = today.year, "urbanism"
    in_progress, answered = FileStatus.IN_PROGRESS, FileStatus.ANSWERED

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    ioana, elena, radu = (
        demo_filing("100001", today, 10),
        demo_filing("100004", today, 20),
        demo_filing("100005", today, 15),
    )
    return (
        DemoFile(ioana[0], "Ioana Pop", ioana[1], urbanism, "Certificat de urbanism",
                 in_progress, None, "c0001", "in progress, handler c0001 present"),
        DemoFile(f"100002/{year}", "Mihai Mureșan", ago(40), urbanism, "Autorizație de construire",
                 answered, ago(10), "c0004", "answered 10 days ago: eligible"),
        DemoFile(f"100003/{year}", "Andrei Țurcanu", ago(80), urbanism, "Autorizație de desființare",
                 answered, ago(45), "c0004", "answered 45 days ago: not eligible"),
        DemoFile(elena[0], "Elena Ștefănescu", elena[1], urbanism, "Aviz de oportunitate PUZ",
                 in_progress, None, "c0002", "handler c0002 absent this week: substitute c0003"),
        DemoFile(radu[0], "Radu Crișan", radu[1], urbanism, "Certificat de nomenclatură stradală",
                 in_progress, None, "c0005", "handler c0005 absent, no substitute: director picks"),
    )  # fmt: skip


# Substitutes and absences the well-known files depend on; random draws never touch these clerks.
_DEMO_SUBSTITUTES = {"c0001": "c0003", "c0002": "c0003", "c0005": None}
_DEMO_ABSENT = ("c0002", "c0005")
_DEMO_CLERKS = ("c0001", "c0002", "c0003", "c0004", "c0005")


def build_demo_city(today: date, files: int = 3000) -> DemoCity:
    """All rows of the demo city; pure, so determinism is a property of this function alone."""
    rng = random.Random(SEED)
    city = DemoCity(demo_files=demo_files(today))

    def name() -> tuple[str, str]:
        return rng.choice(GIVEN_NAMES), rng.choice(SURNAMES)

    city.staff.append(_person(MAYOR_ID, name(), MAYOR_ID, Role.MAYOR))
    for vp in DEPUTY_MAYOR_IDS:
        city.staff.append(_person(vp, name(), vp, Role.DEPUTY_MAYOR, reports_to_id=MAYOR_ID))
    city.staff.append(_person(OPS_ID, OPS_NAME, OPS_ID, Role.OPS))

    clerks_by_department: dict[str, list[str]] = {}
    number = 0
    for spec in DEPARTMENTS:
        director = director_id(spec.id)
        city.departments.append(
            {
                "id": spec.id,
                "name": spec.name,
                "director_id": director,
                "deputy_mayor_id": spec.deputy_mayor_id,
            }
        )
        city.staff.append(
            _person(
                director,
                name(),
                director,
                Role.DIRECTOR,
                department_id=spec.id,
                reports_to_id=spec.deputy_mayor_id,
            )
        )
        ids = [clerk_id(number + i) for i in range(1, spec.clerks + 1)]
        number += spec.clerks
        clerks_by_department[spec.id] = ids
        for staff_id in ids:
            others = [other for other in ids if other != staff_id]
            substitute = None if rng.random() < NO_SUBSTITUTE_SHARE else rng.choice(others)
            substitute = _DEMO_SUBSTITUTES.get(staff_id, substitute)
            city.staff.append(
                _person(
                    staff_id,
                    name(),
                    str(int(staff_id[1:])),
                    Role.CLERK,
                    department_id=spec.id,
                    reports_to_id=director,
                    substitute_id=substitute,
                )
            )

    all_clerks = [c for ids in clerks_by_department.values() for c in ids]
    candidates = [c for c in all_clerks if c not in _DEMO_CLERKS]
    absent = sorted(rng.sample(candidates, round(len(all_clerks) * ABSENT_SHARE)))
    for staff_id in _DEMO_ABSENT:
        city.absences.append(
            {
                "staff_id": staff_id,
                "first_day": today,
                "last_day": today + timedelta(days=7),
                "reason": "leave",
            }
        )
    for staff_id in absent:
        first = today + timedelta(days=rng.randint(-10, 14))
        last = first + timedelta(days=rng.randint(0, 9))
        city.absences.append(
            {
                "staff_id": staff_id,
                "first_day": first,
                "last_day": last,
                "reason": rng.choice(ABSENCE_REASONS),
            }
        )

    for demo in city.demo_files:
        city.files.append(_file_row(demo))
    city.files += _random_files(rng, today, max(0, files - len(city.demo_files)), clerks_by_department)
    _calendar_configuration(city, today, clerks_by_department)
    return city


# The calendar configuration draws nothing from the random generator (so it cannot shift the rest of
# the city) and stays away from urbanism, whose clerks the well-known files and the tests use.
_LONG_HOURS_DEPARTMENT = "taxe-impozite"
_LONG_HOURS = (wall_time(8, 30), wall_time(18, 30))
_LONG_WEEKDAYS = (1, 3)  # Tuesday and Thursday
_DAY_OFF_REASON = "Zi liberă stabilită prin hotărâre a Consiliului Local (punte)"


def city_day_off(today: date) -> date:
    """The demo city's declared day off: the first Friday at least a week ahead that is not already
    a public holiday, so it lies outside today's 48-hour windows but inside the 'at least' horizon."""
    day = today + timedelta(days=7 + (4 - (today + timedelta(days=7)).weekday()) % 7)
    while day in romanian_public_holidays(day.year):
        day += timedelta(days=7)
    return day


def _calendar_configuration(city: DemoCity, today: date, clerks_by_department: dict[str, list[str]]) -> None:
    """Longer Tuesday and Thursday hours in one department, a part-time clerk there, a clerk of
    another department who starts late on Mondays and receives no one on Fridays, one city day off."""
    for weekday in _LONG_WEEKDAYS:
        city.department_hours.append(
            {
                "department_id": _LONG_HOURS_DEPARTMENT,
                "weekday": weekday,
                "opens": _LONG_HOURS[0],
                "closes": _LONG_HOURS[1],
            }
        )
    part_time = clerks_by_department[_LONG_HOURS_DEPARTMENT][0]
    for weekday in range(5):
        hours = (wall_time(8, 30), wall_time(12, 30)) if weekday < 3 else (None, None)
        city.staff_hours.append(
            {"staff_id": part_time, "weekday": weekday, "opens": hours[0], "closes": hours[1]}
        )
    late = clerks_by_department["patrimoniu"][0]
    city.staff_hours += [
        {"staff_id": late, "weekday": 0, "opens": wall_time(10, 0), "closes": wall_time(16, 30)},
        {"staff_id": late, "weekday": 4, "opens": None, "closes": None},
    ]
    day_off = city_day_off(today)
    city.city_days_off.append({"day": day_off, "reason": _DAY_OFF_REASON})
    city.calendar_notes = (
        f"{_LONG_HOURS_DEPARTMENT}: Tue and Thu 08:30-18:30 (department hours)",
        f"{part_time}: Mon-Wed 08:30-12:30, no audiences Thu-Fri (own hours)",
        f"{late}: Mon from 10:00, no audiences on Fri (own hours)",
        f"city day off {day_off.isoformat()}: {_DAY_OFF_REASON}",
    )


def _random_files(
    rng: random.Random, today: date, count: int, clerks_by_department: dict[str, list[str]]
) -> list[dict[str, Any]]:
    specs = list(DEPARTMENTS)
    weights = [spec.clerks for spec in specs]
    drafts: list[dict[str, Any]] = []
    for _ in range(count):
        spec = rng.choices(specs, weights=weights)[0]
        filed = _working_day_on_or_before(today - timedelta(days=rng.randint(1, FILING_WINDOW_DAYS)))
        if rng.random() < COMPANY_SHARE:
            requester = rng.choice(COMPANIES)
        else:
            requester = f"{rng.choice(GIVEN_NAMES)} {rng.choice(SURNAMES)}"
        answered_on = None
        if rng.random() >= IN_PROGRESS_SHARE:
            answered = filed + timedelta(days=rng.randint(0, (today - filed).days))
            answered_on = max(filed, _working_day_on_or_before(answered))
        drafts.append(
            {
                "filing_date": filed,
                "requester_name": requester,
                "subject": rng.choice(spec.subjects),
                "department_id": spec.id,
                "status": (FileStatus.IN_PROGRESS if answered_on is None else FileStatus.ANSWERED).value,
                "answered_on": answered_on,
                "last_handler_id": rng.choice(clerks_by_department[spec.id]),
            }
        )
    # Registration numbers grow with the filing date and restart each year, as in a real registry.
    next_number: dict[int, int] = {}
    for draft in sorted(drafts, key=lambda d: d["filing_date"]):
        year = draft["filing_date"].year
        next_number[year] = next_number.get(year, FIRST_RANDOM_NUMBER) + rng.randint(1, 40)
        draft["registration_number"] = f"{next_number[year]}/{year}"
    return drafts


def build_second_city(today: date) -> DemoCity:
    """Huedin's rows: fixed, drawn from no random generator (Cluj-Napoca's city stays the same).
    Its first clerk handles a file 100001/<year>, Erika Kocsis's, in progress; the number is Ioana Pop's
    in Cluj-Napoca too."""
    city = DemoCity()
    people = iter(HUEDIN_PEOPLE)
    city.staff.append(_person(HUEDIN_MAYOR_ID, next(people), HUEDIN_MAYOR_ID, Role.MAYOR))
    city.staff.append(
        _person(HUEDIN_DEPUTY_MAYOR_ID, next(people), HUEDIN_DEPUTY_MAYOR_ID, Role.DEPUTY_MAYOR,
                reports_to_id=HUEDIN_MAYOR_ID)
    )  # fmt: skip
    clerks: dict[str, list[str]] = {}
    for department_id, name, count in HUEDIN_DEPARTMENTS:
        director = f"{department_id}-dir"
        city.departments.append(
            {
                "id": department_id,
                "name": name,
                "director_id": director,
                "deputy_mayor_id": HUEDIN_DEPUTY_MAYOR_ID,
            }
        )
        city.staff.append(
            _person(director, next(people), director, Role.DIRECTOR, department_id=department_id,
                    reports_to_id=HUEDIN_DEPUTY_MAYOR_ID)
        )  # fmt: skip
        ids = clerks[department_id] = [f"{department_id}-c{n}" for n in range(1, count + 1)]
        for n, staff_id in enumerate(ids):
            city.staff.append(
                _person(staff_id, HUEDIN_PEOPLE[(n + len(city.staff)) % len(HUEDIN_PEOPLE)], staff_id,
                        Role.CLERK, department_id=department_id, reports_to_id=director,
                        substitute_id=ids[(n + 1) % len(ids)])
            )  # fmt: skip
    number, filed = demo_filing("100001", today, 10)
    first = clerks[HUEDIN_DEPARTMENTS[0][0]][0]
    city.demo_files = (
        DemoFile(number, "Erika Kocsis", filed, HUEDIN_DEPARTMENTS[0][0], "Certificat de urbanism",
                 FileStatus.IN_PROGRESS, None, first, "Huedin: in progress, handler " + first),
    )  # fmt: skip
    for demo in city.demo_files:
        city.files.append(_file_row(demo))
    for n, (department_id, ids) in enumerate(sorted(clerks.items())):
        for k, subject in enumerate(HUEDIN_SUBJECTS[department_id]):
            day = _working_day_on_or_before(today - timedelta(days=3 + 7 * k + n))
            city.files.append(
                {
                    "registration_number": f"{200 + 10 * n + k}/{day.year}",
                    "filing_date": day,
                    "requester_name": f"{HUEDIN_PEOPLE[k][0]} {HUEDIN_PEOPLE[-1 - n][1]}",
                    "subject": subject,
                    "department_id": department_id,
                    "status": FileStatus.IN_PROGRESS.value,
                    "answered_on": None,
                    "last_handler_id": ids[k % len(ids)],
                }
            )
    for rows in (city.departments, city.staff, city.files):
        for row in rows:
            row["municipality_id"] = HUEDIN_ID
    return city


def _file_row(demo: DemoFile) -> dict[str, Any]:
    return {
        "registration_number": demo.registration_number,
        "filing_date": demo.filing_date,
        "requester_name": demo.requester_name,
        "subject": demo.subject,
        "department_id": demo.department_id,
        "status": demo.status.value,
        "answered_on": demo.answered_on,
        "last_handler_id": demo.handler_id,
    }


def is_seeded(engine: Engine) -> bool:
    """Whether the database already holds a city (the dev-run command seeds only when not).
    A database without the tables holds none (the seed's command migrates it first)."""
    if not inspect(engine).has_table(Department.__tablename__):
        return False
    with session_scope(engine) as session:
        return session.exec(select(Department.id).limit(1)).first() is not None


def seed_demo_city(
    engine: Engine, today: date, files: int = 3000, *, reset: bool = False, second_city: bool = True
) -> SeedSummary:
    """Migrate, then insert the demo city in one transaction. `reset` drops every table and migrates
    from empty first; without it, a database that already holds a city raises `AlreadySeeded`.
    `second_city`: Huedin too (a database of one municipality: the default one alone)."""
    if reset:
        reset_database(engine)
    else:
        migrate(engine)  # a no-op at head; a brand-new database file gets its tables
    if is_seeded(engine):
        raise AlreadySeeded("the database already holds a city; pass reset=True (--reset) to rebuild it")
    city = build_demo_city(today, files)
    second = build_second_city(today) if second_city else None
    with session_scope(engine) as session:
        for municipality in DEMO_MUNICIPALITIES if second_city else ():
            session.add(municipality_row(municipality))
        for each in (city, second) if second is not None else (city,):
            for table, rows in (
                (Department, each.departments),
                (Staff, each.staff),
                (Absence, each.absences),
                (RegisteredFile, each.files),
                (DepartmentHours, each.department_hours),
                (StaffHours, each.staff_hours),
                (CityDayOff, each.city_days_off),
            ):
                if rows:
                    session.exec(insert(table), params=rows)
        session.commit()
    return _summary(today, city, second)


def _summary(today: date, city: DemoCity, second: DemoCity | None = None) -> SeedSummary:
    roles = [row["role"] for row in city.staff]
    in_progress = sum(1 for row in city.files if row["status"] == FileStatus.IN_PROGRESS.value)
    return SeedSummary(
        today=today,
        departments=len(city.departments),
        clerks=roles.count(Role.CLERK.value),
        directors=roles.count(Role.DIRECTOR.value),
        deputy_mayors=roles.count(Role.DEPUTY_MAYOR.value),
        mayors=roles.count(Role.MAYOR.value),
        ops=roles.count(Role.OPS.value),
        absences=len(city.absences),
        files=len(city.files),
        files_in_progress=in_progress,
        files_answered=len(city.files) - in_progress,
        demo_files=city.demo_files,
        demo_tokens={s: demo_token(s) for s in ("c0001", director_id("urbanism"), MAYOR_ID, OPS_ID)},
        calendar_notes=city.calendar_notes,
        second_city=_second_summary(second) if second is not None else "",
    )


def _second_summary(city: DemoCity) -> str:
    roles = [row["role"] for row in city.staff]
    files = [
        f"{f.registration_number} · {f.requester_name} · {f.filing_date.isoformat()}" for f in city.demo_files
    ]
    return (
        f"{HUEDIN_NAME} ({HUEDIN_ID}, Mon-Fri 08:00-14:00): {len(city.departments)} departments, "
        f"{roles.count(Role.CLERK.value)} clerks, {len(city.files)} files; well-known: {'; '.join(files)}; "
        f"tokens demo-<id>, e.g. demo-{HUEDIN_DEPARTMENTS[0][0]}-c1"
    )


def main(argv: Sequence[str] | None = None) -> int:
    from core.settings import get_settings

    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m store.seed", description="Seed the demo city.")
    parser.add_argument("--database-url", default=settings.database_url, help="default: TICHET_DATABASE_URL")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=datetime.now(ZoneInfo(settings.time_zone)).date(),
        help="the day the demo is built around (default: today in the city's time zone)",
    )
    parser.add_argument(
        "--files", type=int, default=3000, help="files in the registry, the five well-known ones included"
    )
    parser.add_argument("--reset", action="store_true", help="drop every table and migrate from empty first")
    args = parser.parse_args(argv)
    if args.files < 0:
        parser.error("--files must be >= 0")

    # Not `engine_for`: that refuses an outdated schema, which `--reset` is here to replace.
    engine = make_engine(args.database_url)
    started = time.perf_counter()
    try:
        summary = seed_demo_city(engine, args.today, args.files, reset=args.reset)
    except AlreadySeeded:
        print("The database already holds a city; kept it as is. Pass --reset to rebuild it.")
        return 0
    print(summary.render())
    print(f"  took {time.perf_counter() - started:.2f} s on {engine.dialect.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
