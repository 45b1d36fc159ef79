"""Activities that ask the city's registry and staff directory: R1 validation and R2 assignment."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain import activity_io as io
from domain.assignment import resolve_assignee
from domain.calendar import CityCalendar
from domain.eligibility import is_eligible
from domain.models import Assignment, FileInfo, Role, StaffMember
from domain.ports import DocumentRegistry, StaffDirectory
from domain.registration_numbers import normalise_registration_number


class RegistryActivities:
    def __init__(self, registry: DocumentRegistry, staff: StaffDirectory, calendar: CityCalendar) -> None:
        self.registry, self.staff, self.calendar = registry, staff, calendar

    @activity.defn(name=io.CHECK_ELIGIBILITY)
    def check_eligibility(self, request: io.EligibilityRequest) -> FileInfo:
        """R1. Non-retryable on a mismatch: asking again will not make the file match."""
        file = self.registry.find_file(normalise_registration_number(request.file.registration_number))
        today = self.calendar.local_day(request.as_of)
        if file is None or not is_eligible(file, request.file, today, request.answered_files_eligible_for):
            raise ApplicationError("no_matching_file", type=io.FILE_NOT_ELIGIBLE, non_retryable=True)
        return file

    @activity.defn(name=io.ASSIGN_AUDIENCE)
    def assign_audience(self, request: io.AssignRequest) -> Assignment:
        day = self.calendar.local_day(request.at)
        return resolve_assignee(self.staff, request.file, request.level, day)

    @activity.defn(name=io.CONFIRM_PICK)
    def confirm_director_pick(self, request: io.PickRequest) -> StaffMember:
        """A director may hand the ticket only to a clerk of their own department (R2, R3) who is
        present on the slot's day: an absent one would leave the ticket waiting for nobody. Each
        refusal's type is its `domain.messages` code, so the director reads why."""
        department = self.staff.department(request.file.department_id)
        picked = self.staff.get(request.assignee_id)
        if department is None or department.director_id != request.director_id:
            raise ApplicationError(
                "only the department's director picks", type=io.PICK_NOT_DIRECTOR, non_retryable=True
            )
        if picked is None or picked.role != Role.CLERK or picked.department_id != department.id:
            raise ApplicationError(
                "pick a clerk of this department", type=io.PICK_NOT_IN_DEPARTMENT, non_retryable=True
            )
        if request.at is not None:  # None only in picks started before the slot was sent along
            day = self.calendar.local_day(request.at)
            if day in self.staff.absent_days(picked.id, day, day):
                raise ApplicationError(
                    "the picked clerk is absent on the slot's day", type=io.PICK_ABSENT, non_retryable=True
                )
        return picked
