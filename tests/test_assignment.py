"""R2 and R3: who holds an audience, over a small in-memory StaffDirectory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from domain.assignment import resolve_assignee
from domain.models import DepartmentInfo, FileInfo, Level, Role, StaffMember
from domain.ports import StaffDirectory
from tests.samples import file_info, staff_member

DAY = date(2026, 3, 10)
OTHER_DAY = date(2026, 3, 11)


def person(staff_id: str, role: Role = Role.CLERK, department_id: str | None = "urb") -> StaffMember:
    return staff_member(staff_id, role, webex_email=f"{staff_id}@webex.example", department_id=department_id)


@dataclass
class FakeStaff:
    """Just enough of the city's staff directory for resolve_assignee."""

    people: dict[str, StaffMember] = field(default_factory=dict)
    departments: dict[str, DepartmentInfo] = field(default_factory=dict)
    substitutes: dict[str, str] = field(default_factory=dict)
    absences: dict[str, set[date]] = field(default_factory=dict)
    mayor_id: str | None = None

    def add(self, member: StaffMember) -> StaffMember:
        self.people[member.id] = member
        return member

    def get(self, staff_id: str) -> StaffMember | None:
        return self.people.get(staff_id)

    def by_token(self, token: str) -> StaffMember | None:
        return self.people.get(token.removeprefix("demo-"))

    def department(self, department_id: str) -> DepartmentInfo | None:
        return self.departments.get(department_id)

    def mayor(self) -> StaffMember | None:
        return self.people.get(self.mayor_id) if self.mayor_id else None

    def substitute_of(self, staff_id: str) -> StaffMember | None:
        substitute = self.substitutes.get(staff_id)
        return self.people.get(substitute) if substitute else None

    def absent_days(self, staff_id: str, first_day: date, last_day: date) -> set[date]:
        return {d for d in self.absences.get(staff_id, set()) if first_day <= d <= last_day}

    def clerks_of(self, department_id: str) -> list[StaffMember]:
        return [p for p in self.people.values() if p.role == Role.CLERK and p.department_id == department_id]


def _is_a_staff_directory(staff: FakeStaff) -> StaffDirectory:
    return staff  # mypy checks that the fake honours the Protocol


@pytest.fixture
def staff() -> FakeStaff:
    directory = FakeStaff()
    for member in [
        person("c1"),
        person("c2"),
        person("c3"),
        person("dir", Role.DIRECTOR),
        person("vice", Role.DEPUTY_MAYOR, None),
        person("vice2", Role.DEPUTY_MAYOR, None),
        person("dir2", Role.DIRECTOR, "fin"),
        person("primar", Role.MAYOR, None),
    ]:
        directory.add(member)
    directory.departments["urb"] = DepartmentInfo(
        id="urb", name="Direcția Urbanism", director_id="dir", deputy_mayor_id="vice"
    )
    directory.departments["fin"] = DepartmentInfo(
        id="fin", name="Direcția Finanțe", director_id="dir2", deputy_mayor_id="vice2"
    )
    directory.substitutes["c1"] = "c2"
    directory.mayor_id = "primar"
    return directory


def file_handled_by(handler_id: str, department_id: str = "urb") -> FileInfo:
    return file_info(department_id=department_id, last_handler_id=handler_id)


def test_fake_is_a_staff_directory(staff: FakeStaff) -> None:
    assert _is_a_staff_directory(staff) is staff


def test_present_handler_gets_the_ticket(staff: FakeStaff) -> None:
    result = resolve_assignee(staff, file_handled_by("c1"), Level.CLERK, DAY)
    assert result.assignee is not None and result.assignee.id == "c1"
    assert result.reason == "handler"
    assert result.handler_id == "c1"
    assert result.director is not None and result.director.id == "dir"


def test_handler_absent_on_another_day_still_gets_the_ticket(staff: FakeStaff) -> None:
    staff.absences["c1"] = {OTHER_DAY}
    result = resolve_assignee(staff, file_handled_by("c1"), Level.CLERK, DAY)
    assert result.assignee is not None and result.assignee.id == "c1"


def test_absent_handler_gives_way_to_the_substitute(staff: FakeStaff) -> None:
    staff.absences["c1"] = {DAY}
    result = resolve_assignee(staff, file_handled_by("c1"), Level.CLERK, DAY)
    assert result.assignee is not None and result.assignee.id == "c2"
    assert result.reason == "substitute"
    assert result.handler_id == "c1"
    assert result.director is not None and result.director.id == "dir"


def test_absent_handler_and_absent_substitute_leave_the_pick_to_the_director(staff: FakeStaff) -> None:
    staff.absences["c1"] = {DAY}
    staff.absences["c2"] = {DAY}
    result = resolve_assignee(staff, file_handled_by("c1"), Level.CLERK, DAY)
    assert result.assignee is None
    assert result.reason == "director_pick"
    assert result.handler_id == "c1"
    assert result.director is not None and result.director.id == "dir"
    assert result.why == "handler and substitute absent", "the timeline says the substitute is absent too"


def test_absent_handler_without_substitute_leaves_the_pick_to_the_director(staff: FakeStaff) -> None:
    staff.absences["c3"] = {DAY}
    result = resolve_assignee(staff, file_handled_by("c3"), Level.CLERK, DAY)
    assert result.assignee is None
    assert result.reason == "director_pick"
    assert result.director is not None and result.director.id == "dir"
    assert result.why == "handler absent, no substitute"


def test_handler_unknown_to_the_directory_leaves_the_pick_to_the_director(staff: FakeStaff) -> None:
    result = resolve_assignee(staff, file_handled_by("gone"), Level.CLERK, DAY)
    assert result.assignee is None
    assert result.reason == "director_pick"
    assert result.handler_id == "gone"
    assert result.director is not None and result.director.id == "dir"


def test_substitute_who_left_the_directory_leaves_the_pick_to_the_director(staff: FakeStaff) -> None:
    staff.substitutes["c3"] = "gone"
    staff.absences["c3"] = {DAY}
    result = resolve_assignee(staff, file_handled_by("c3"), Level.CLERK, DAY)
    assert result.assignee is None and result.reason == "director_pick"
    assert result.why == "handler absent, no substitute"


def test_director_level_goes_to_the_department_director(staff: FakeStaff) -> None:
    result = resolve_assignee(staff, file_handled_by("c1"), Level.DIRECTOR, DAY)
    assert result.assignee is not None and result.assignee.id == "dir"
    assert result.assignee.role == Role.DIRECTOR
    assert result.reason == "level_holder"


def test_director_level_follows_the_file_department(staff: FakeStaff) -> None:
    staff.add(person("c9", department_id="fin"))
    result = resolve_assignee(staff, file_handled_by("c9", "fin"), Level.DIRECTOR, DAY)
    assert result.assignee is not None and result.assignee.id == "dir2"


def test_deputy_mayor_level_goes_to_the_department_deputy_mayor(staff: FakeStaff) -> None:
    result = resolve_assignee(staff, file_handled_by("c1"), Level.DEPUTY_MAYOR, DAY)
    assert result.assignee is not None and result.assignee.id == "vice"
    assert result.assignee.role == Role.DEPUTY_MAYOR
    assert result.reason == "level_holder"
    other = resolve_assignee(staff, file_handled_by("c1", "fin"), Level.DEPUTY_MAYOR, DAY)
    assert other.assignee is not None and other.assignee.id == "vice2"


def test_mayor_level_goes_to_the_mayor(staff: FakeStaff) -> None:
    result = resolve_assignee(staff, file_handled_by("c1"), Level.MAYOR, DAY)
    assert result.assignee is not None and result.assignee.id == "primar"
    assert result.assignee.role == Role.MAYOR
    assert result.reason == "level_holder"


@pytest.mark.parametrize("level", [Level.DIRECTOR, Level.DEPUTY_MAYOR, Level.MAYOR])
def test_higher_levels_ignore_the_clerk_absences(staff: FakeStaff, level: Level) -> None:
    staff.absences["c1"] = {DAY}
    staff.absences["c2"] = {DAY}
    result = resolve_assignee(staff, file_handled_by("c1"), level, DAY)
    assert result.assignee is not None and result.assignee.role == level.role


@pytest.mark.parametrize("handler_id", ["dir", "vice", "primar"])
def test_handler_who_is_not_a_clerk_is_not_booked_directly(staff: FakeStaff, handler_id: str) -> None:
    # R3: a director, deputy mayor or mayor who wrote the answer is reached only by escalation.
    result = resolve_assignee(staff, file_handled_by(handler_id), Level.CLERK, DAY)
    assert result.assignee is None or result.assignee.role == Role.CLERK
    assert result.assignee is None or result.assignee.id != handler_id
    assert result.reason == "director_pick"


def test_non_clerk_handler_with_a_clerk_substitute_goes_to_the_substitute(staff: FakeStaff) -> None:
    staff.substitutes["dir"] = "c3"
    result = resolve_assignee(staff, file_handled_by("dir"), Level.CLERK, DAY)
    assert result.assignee is not None and result.assignee.id == "c3"
    assert result.reason == "substitute"


def test_non_clerk_substitute_is_not_booked_directly(staff: FakeStaff) -> None:
    staff.substitutes["c3"] = "dir"
    staff.absences["c3"] = {DAY}
    result = resolve_assignee(staff, file_handled_by("c3"), Level.CLERK, DAY)
    assert result.assignee is None
    assert result.reason == "director_pick"


def test_department_without_director(staff: FakeStaff) -> None:
    staff.departments["urb"] = DepartmentInfo(
        id="urb", name="Urbanism", director_id=None, deputy_mayor_id=None
    )
    result = resolve_assignee(staff, file_handled_by("c1"), Level.CLERK, DAY)
    assert result.assignee is not None and result.assignee.id == "c1"
    assert result.director is None
    assert resolve_assignee(staff, file_handled_by("c1"), Level.DIRECTOR, DAY).assignee is None
    assert resolve_assignee(staff, file_handled_by("c1"), Level.DEPUTY_MAYOR, DAY).assignee is None
