"""The demo city: deterministic for a given day, the right shape, and the well-known files as told."""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from domain.models import FileStatus, Role
from store.db import make_engine
from store.registry import SqlDocumentRegistry
from store.seed import AlreadySeeded, build_demo_city, is_seeded, main, seed_demo_city
from store.staff import SqlStaffDirectory
from store.tables import Absence, Department, MunicipalityRow, RegisteredFile, Staff
from store.testing import sqlite_url

TODAY = date(2026, 11, 25)  # a Wednesday
CLUJ = "cluj-napoca"


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    seed_demo_city(engine, TODAY)
    return engine


def _digest(engine: Engine) -> str:
    """One hash over every seeded row, in primary-key order, as the backend returns them."""
    digest = hashlib.sha256()
    with Session(engine) as session:
        for table, key in (
            (Department, Department.id),
            (Staff, Staff.id),
            (Absence, Absence.id),
            (RegisteredFile, RegisteredFile.registration_number),
        ):
            for row in session.exec(select(table).order_by(col(table.municipality_id), col(key))):
                digest.update(repr(sorted(row.model_dump().items())).encode())
    return digest.hexdigest()


def test_the_same_day_gives_the_same_city(engine: Engine, tmp_path) -> None:
    seed_demo_city(engine, TODAY)
    first = _digest(engine)
    seed_demo_city(engine, TODAY, reset=True)
    assert _digest(engine) == first
    # …on either backend: compare with a SQLite city built separately.
    reference = make_engine(sqlite_url(tmp_path / "reference"))
    seed_demo_city(reference, TODAY)
    assert _digest(reference) == first
    reference.dispose()
    seed_demo_city(engine, TODAY + timedelta(days=1), reset=True)
    assert _digest(engine) != first


def test_seeding_a_seeded_database_needs_reset(engine: Engine) -> None:
    assert not is_seeded(engine)
    seed_demo_city(engine, TODAY, files=20)
    assert is_seeded(engine)
    with pytest.raises(AlreadySeeded):
        seed_demo_city(engine, TODAY, files=20)


def test_counts_and_hierarchy(seeded: Engine) -> None:
    with Session(seeded) as session:
        staff = list(session.exec(select(Staff).where(Staff.municipality_id == CLUJ)))
        departments = list(session.exec(select(Department).where(Department.municipality_id == CLUJ)))
        files = list(session.exec(select(RegisteredFile).where(RegisteredFile.municipality_id == CLUJ)))
    roles = Counter(person.role for person in staff)
    assert roles == {"clerk": 524, "director": 12, "deputy_mayor": 3, "mayor": 1, "ops": 1}
    assert len(departments) == 12 and len(files) == 3000
    by_id = {person.id: person for person in staff}
    assert sorted(p.id for p in staff if p.role == "clerk") == [f"c{n:04d}" for n in range(1, 525)]
    assert {d.id for d in departments} >= {"urbanism", "taxe-impozite", "asistenta-sociala", "resurse-umane"}
    for department in departments:
        director = by_id[department.director_id or ""]
        assert director.id == f"dir-{department.id}" and director.role == Role.DIRECTOR.value
        assert director.department_id == department.id
        assert by_id[department.deputy_mayor_id or ""].role == Role.DEPUTY_MAYOR.value
        assert director.reports_to_id == department.deputy_mayor_id
    assert sorted(Counter(d.deputy_mayor_id for d in departments).values()) == [4, 4, 4]
    assert all(by_id[vp].reports_to_id == "primar" for vp in ("vp1", "vp2", "vp3"))


def test_clerks_look_like_a_city_hall(seeded: Engine) -> None:
    with Session(seeded) as session:
        clerks = list(session.exec(select(Staff).where(Staff.role == "clerk", Staff.municipality_id == CLUJ)))
    by_id = {clerk.id: clerk for clerk in clerks}
    email = re.compile(r"^[a-z-]+\.[a-z-]+\.(\d+)@primaria\.example$")
    diacritics = re.compile("[ăâîșțĂÂÎȘȚ]")
    assert sum(bool(diacritics.search(c.name)) for c in clerks) > 50
    without_substitute = 0
    for clerk in clerks:
        match = email.match(clerk.email)
        assert match and int(match.group(1)) == int(clerk.id[1:]) and clerk.webex_email == clerk.email
        assert clerk.reports_to_id == f"dir-{clerk.department_id}"
        if clerk.substitute_id is None:
            without_substitute += 1
            continue
        substitute = by_id[clerk.substitute_id]
        assert substitute.id != clerk.id and substitute.department_id == clerk.department_id
    assert 0.02 * len(clerks) <= without_substitute <= 0.08 * len(clerks)


def test_files_and_absences_are_dated_around_today(seeded: Engine) -> None:
    with Session(seeded) as session:
        files = list(session.exec(select(RegisteredFile).where(RegisteredFile.municipality_id == CLUJ)))
        absences = list(session.exec(select(Absence)))
        department_of = {s.id: s.department_id for s in session.exec(select(Staff))}
    number = re.compile(r"^\d{6}/\d{4}$")
    for file in files:
        assert number.match(file.registration_number)
        assert TODAY - timedelta(days=125) <= file.filing_date < TODAY
        assert department_of[file.last_handler_id] == file.department_id
        if file.status == FileStatus.ANSWERED.value:
            assert file.answered_on is not None and file.filing_date <= file.answered_on <= TODAY
        else:
            assert file.status == FileStatus.IN_PROGRESS.value and file.answered_on is None
    share = sum(f.status == FileStatus.IN_PROGRESS.value for f in files) / len(files)
    assert 0.55 <= share <= 0.65
    recent = sum(f.answered_on is not None and f.answered_on >= TODAY - timedelta(days=30) for f in files)
    assert 100 < recent < sum(f.answered_on is not None for f in files)
    assert 10 <= len(absences) <= 40
    assert all(abs((a.first_day - TODAY).days) <= 20 and a.first_day <= a.last_day for a in absences)


def test_the_well_known_files(seeded: Engine) -> None:
    registry, staff = SqlDocumentRegistry(seeded), SqlStaffDirectory(seeded)
    week = (TODAY, TODAY + timedelta(days=7))

    ioana = registry.find_file("100001/2026")
    assert ioana is not None
    assert (ioana.requester_name, ioana.filing_date, ioana.status) == (
        "Ioana Pop",
        TODAY - timedelta(days=10),
        FileStatus.IN_PROGRESS,
    )
    assert (ioana.last_handler_id, ioana.department_id) == ("c0001", "urbanism")
    assert staff.absent_days("c0001", *week) == set()

    eligible, too_old = registry.find_file("100002/2026"), registry.find_file("100003/2026")
    assert eligible is not None and eligible.status is FileStatus.ANSWERED
    assert eligible.answered_on == TODAY - timedelta(days=10)
    assert too_old is not None and too_old.status is FileStatus.ANSWERED
    assert too_old.answered_on == TODAY - timedelta(days=45)

    absent = registry.find_file("100004/2026")
    assert absent is not None and absent.status is FileStatus.IN_PROGRESS
    assert len(staff.absent_days(absent.last_handler_id, *week)) == 8
    substitute = staff.substitute_of(absent.last_handler_id)
    assert substitute is not None and substitute.department_id == "urbanism"
    assert staff.absent_days(substitute.id, *week) == set()

    orphan = registry.find_file("100005/2026")
    assert orphan is not None and orphan.status is FileStatus.IN_PROGRESS
    assert len(staff.absent_days(orphan.last_handler_id, *week)) == 8
    assert staff.substitute_of(orphan.last_handler_id) is None


def test_demo_tokens_open_the_demo_accounts(seeded: Engine) -> None:
    staff = SqlStaffDirectory(seeded)
    for staff_id, role in (
        ("c0001", Role.CLERK),
        ("dir-urbanism", Role.DIRECTOR),
        ("primar", Role.MAYOR),
        ("ops01", Role.OPS),
    ):
        member = staff.by_token(f"demo-{staff_id}")
        assert member is not None and (member.id, member.role) == (staff_id, role)
    assert staff.by_token("demo-nobody") is None


def test_building_is_pure_and_fast() -> None:
    started = time.perf_counter()
    city = build_demo_city(TODAY)
    assert time.perf_counter() - started < 2
    assert build_demo_city(TODAY) == city
    assert len(build_demo_city(TODAY, files=3).files) == 5  # the well-known files always exist


def test_cli_seeds_resets_and_prints_the_demo_tokens(tmp_path, capsys) -> None:
    url = sqlite_url(tmp_path)
    args = ["--database-url", url, "--today", TODAY.isoformat(), "--files", "40"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "524 clerks" in out and "demo-c0001" in out and "demo-dir-urbanism" in out and "demo-primar" in out
    assert "demo-ops01" in out and "1 ops" in out
    assert main(args) == 0
    assert "--reset" in capsys.readouterr().out
    assert main([*args, "--reset"]) == 0
    assert "40 files" in capsys.readouterr().out


def test_the_second_municipality_is_small_with_its_own_hours_and_the_same_file_number(seeded: Engine) -> None:
    """Huedin (issue 11): its own staff and files, Mon-Fri 08:00-14:00, and a file 100001/2026 of
    its own beside Cluj-Napoca's; each city's directory and registry sees only its own."""
    with Session(seeded) as session:
        staff = list(session.exec(select(Staff).where(Staff.municipality_id == "huedin")))
        rows = {row.id: row for row in session.exec(select(MunicipalityRow))}
    assert Counter(p.role for p in staff) == {"clerk": 4, "director": 2, "deputy_mayor": 1, "mayor": 1}
    assert rows["huedin"].working_hours == {str(d): ["08:00", "14:00"] for d in range(5)}
    assert rows["huedin"].name == "Orașul Huedin"
    assert "cluj-napoca" not in rows  # the default municipality: the settings describe it
    cluj = SqlDocumentRegistry(seeded, municipality=CLUJ).find_file("100001/2026")
    huedin = SqlDocumentRegistry(seeded, municipality="huedin").find_file("100001/2026")
    assert cluj is not None and huedin is not None
    assert (cluj.requester_name, cluj.last_handler_id) == ("Ioana Pop", "c0001")
    assert (huedin.requester_name, huedin.last_handler_id) == ("Erika Kocsis", "huedin-urbanism-c1")
    assert SqlStaffDirectory(seeded, "huedin").get("c0001") is None
    assert SqlStaffDirectory(seeded, CLUJ).get("huedin-urbanism-c1") is None
    assert SqlStaffDirectory(seeded, "huedin").mayor().id == "huedin-primar"  # type: ignore[union-attr]
