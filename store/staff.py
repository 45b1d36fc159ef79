"""The staff directory: people, departments, substitutes, absences and API tokens.

Tokens are kept only as SHA-256 digests, so a copy of the database does not hand out working
credentials; a plain hash (no salt, no stretching) is enough because tokens are long random strings,
not passwords a person chose. The seeded `demo-<id>` tokens are the exception and exist only for the
demo city.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from sqlmodel import col, select

from domain.models import DepartmentInfo, Role, StaffMember
from store.db import Scoped, engine_for, session_scope
from store.tables import Absence, Department, Staff


def hash_token(token: str) -> str:
    """The value stored in `staff.api_token_sha256` for this token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def staff_member(row: Staff) -> StaffMember:
    return StaffMember(
        id=row.id,
        name=row.name,
        email=row.email,
        webex_email=row.webex_email,
        role=Role(row.role),
        department_id=row.department_id,
    )


class SqlStaffDirectory(Scoped):
    """`domain.ports.StaffDirectory` on the `staff`, `departments` and `absences` tables: one
    municipality's people (staff and department ids are unique across the deployment, so a person of
    another municipality is simply not found)."""

    def _own(self, row: Staff | None) -> Staff | None:
        return row if row is not None and row.municipality_id == self.municipality else None

    def get(self, staff_id: str) -> StaffMember | None:
        with session_scope(self._engine) as session:
            row = self._own(session.get(Staff, staff_id))
            return staff_member(row) if row is not None else None

    def by_token(self, token: str) -> StaffMember | None:
        """Tokens are unique across the deployment: the person whichever their municipality
        (`staff_municipality` says which)."""
        if not token:
            return None
        with session_scope(self._engine) as session:
            row = session.exec(select(Staff).where(Staff.api_token_sha256 == hash_token(token))).first()
            return staff_member(row) if row is not None else None

    def department(self, department_id: str) -> DepartmentInfo | None:
        with session_scope(self._engine) as session:
            row = session.get(Department, department_id)
            if row is None or row.municipality_id != self.municipality:
                return None
            return DepartmentInfo(
                id=row.id, name=row.name, director_id=row.director_id, deputy_mayor_id=row.deputy_mayor_id
            )

    def mayor(self) -> StaffMember | None:
        with session_scope(self._engine) as session:
            row = session.exec(
                select(Staff)
                .where(Staff.role == Role.MAYOR.value, Staff.municipality_id == self.municipality)
                .order_by(col(Staff.id))
            ).first()
            return staff_member(row) if row is not None else None

    def substitute_of(self, staff_id: str) -> StaffMember | None:
        with session_scope(self._engine) as session:
            person = self._own(session.get(Staff, staff_id))
            if person is None or person.substitute_id is None:
                return None
            substitute = self._own(session.get(Staff, person.substitute_id))
            return staff_member(substitute) if substitute is not None else None

    def absent_days(self, staff_id: str, first_day: date, last_day: date) -> set[date]:
        """Every day of the person's absence ranges that falls inside [first_day, last_day]."""
        with session_scope(self._engine) as session:
            ranges = session.exec(
                select(col(Absence.first_day), col(Absence.last_day)).where(
                    Absence.staff_id == staff_id,
                    col(Absence.first_day) <= last_day,
                    col(Absence.last_day) >= first_day,
                )
            ).all()
        days: set[date] = set()
        for start, end in ranges:
            day = max(start, first_day)
            while day <= min(end, last_day):
                days.add(day)
                day += timedelta(days=1)
        return days

    def clerks_of(self, department_id: str) -> list[StaffMember]:
        with session_scope(self._engine) as session:
            rows = session.exec(
                select(Staff)
                .where(
                    Staff.role == Role.CLERK.value,
                    Staff.department_id == department_id,
                    Staff.municipality_id == self.municipality,
                )
                .order_by(col(Staff.id))
            ).all()
            return [staff_member(row) for row in rows]


def staff_municipality(database_url: str, staff_id: str) -> str | None:
    """The municipality a person works for (staff belong to one): sign-in, staff API, codec server."""
    with session_scope(engine_for(database_url)) as session:
        row = session.get(Staff, staff_id)
        return row.municipality_id if row is not None else None
