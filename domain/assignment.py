"""R2 and R3: who holds an audience at a given level on a given day."""

from __future__ import annotations

from datetime import date

from domain.models import Assignment, FileInfo, Level, Role, StaffMember
from domain.ports import StaffDirectory


def resolve_assignee(staff: StaffDirectory, file: FileInfo, level: Level, day: date) -> Assignment:
    """Level 0 goes to the file's last handler, or their substitute when the handler is absent that
    day; with neither, `assignee` is None and the director must pick (R2). Higher levels go to the
    department's director, its coordinating deputy mayor, then the mayor (R9); nobody reaches those
    except through this function's `level`, which only escalation raises (R3)."""
    department = staff.department(file.department_id)
    director = staff.get(department.director_id) if department and department.director_id else None
    if level == Level.DIRECTOR:
        return Assignment(assignee=director, reason="level_holder", director=director)
    if level == Level.DEPUTY_MAYOR:
        deputy = staff.get(department.deputy_mayor_id) if department and department.deputy_mayor_id else None
        return Assignment(assignee=deputy, reason="level_holder", director=director)
    if level == Level.MAYOR:
        return Assignment(assignee=staff.mayor(), reason="level_holder", director=director)
    handler = staff.get(file.last_handler_id)
    handler_gap = _unavailable(staff, handler, day)
    if handler_gap is None:
        return Assignment(
            assignee=handler, reason="handler", handler_id=file.last_handler_id, director=director
        )
    substitute = staff.substitute_of(file.last_handler_id)
    substitute_gap = _unavailable(staff, substitute, day) if substitute is not None else None
    if substitute is not None and substitute_gap is None:
        return Assignment(
            assignee=substitute, reason="substitute", handler_id=file.last_handler_id, director=director
        )
    if substitute is None:
        why = f"handler {handler_gap}, no substitute"
    elif substitute_gap == handler_gap:
        why = f"handler and substitute {handler_gap}"
    else:
        why = f"handler {handler_gap}, substitute {substitute_gap}"
    return Assignment(
        assignee=None, reason="director_pick", handler_id=file.last_handler_id, director=director, why=why
    )


def _unavailable(staff: StaffDirectory, person: StaffMember | None, day: date) -> str | None:
    """Why `person` cannot hold a level-0 audience on `day` (R2, R3), or None when they can."""
    if person is None:
        return "unknown"
    if person.role != Role.CLERK:
        return "not a clerk"
    return "absent" if day in staff.absent_days(person.id, day, day) else None
