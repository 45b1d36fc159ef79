"""Whether a clerk's or citizen's action fits the ticket's state. The same checks serve the update
validators (the app gets an immediate no) and the signals (the Temporal UI's refusals go to the
timeline). Pure functions of the state, so each refusal is unit-testable."""

from __future__ import annotations

from datetime import datetime

from domain.models import (
    AssignAction,
    CancelAction,
    ChooseSlotAction,
    EscalateAction,
    InPersonDecision,
    Level,
    NeededDocument,
    Outcome,
    OutcomeAction,
    RescheduleAction,
    ResolutionAction,
    ResolutionCategory,
    TicketStatus,
)
from workflows.ticket_state import TicketState

AFTER_MEETING = (TicketStatus.AWAITING_OUTCOME, TicketStatus.AWAITING_RESOLUTION)
BEFORE_MEETING = (
    TicketStatus.AWAITING_CLERK_ACCEPTANCE,
    TicketStatus.VALIDATING,
    TicketStatus.ASSIGNING,
    TicketStatus.AWAITING_ASSIGNMENT,
    TicketStatus.BOOKING,
    TicketStatus.AWAITING_SLOT,
    TicketStatus.SCHEDULED,
)


class Rejected(Exception):
    """An action that is wrong for the ticket's state. `code` is a stable `domain.messages` key (the
    sentence the person who acted reads, in their language); `str()` is the English reason for ops
    (the timeline, the update's failure message)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def require(condition: bool, code: str, reason: str) -> None:
    if not condition:
        raise Rejected(code, reason)


def require_assignee(state: TicketState, staff_id: str) -> None:
    require(
        state.assignee is not None and staff_id == state.assignee.id,
        "not_your_ticket",
        "not the ticket's clerk",
    )


def check_outcome(state: TicketState, action: OutcomeAction) -> None:
    require_assignee(state, action.staff_id)
    require(state.status in AFTER_MEETING, "meeting_not_held_yet", "the meeting has not taken place yet")
    # Webex's "meeting ended" records "held" provisionally; the clerk may correct it once.
    require(
        state.outcome is None or state.outcome_by_webex,
        "outcome_already_recorded",
        "the outcome is already recorded",
    )
    require(action.outcome != Outcome.CANCELLED, "outcome_cancel_by_citizen", "only the citizen can cancel")


def resolution_problem(category: ResolutionCategory | None, documents: list[NeededDocument]) -> str | None:
    """Why a category contradicts its documents (a `domain.messages` code), or None. The PDF says
    "waiting for documents" for `documents_requested` and "no more documents needed" for an empty
    list, so that category needs one; a clarified matter asks for none. Shared by the API's request
    model (a 422 on `documents_needed`) and the workflow's guard (the Temporal UI's signal)."""
    if category == ResolutionCategory.DOCUMENTS_REQUESTED and not documents:
        return "resolution_documents_missing"
    if category == ResolutionCategory.CLARIFIED and documents:
        return "resolution_clarified_with_documents"
    return None


_RESOLUTION_REASONS = {
    "resolution_documents_missing": "documents_requested lists no document",
    "resolution_clarified_with_documents": "a clarified resolution lists documents",
}


def check_resolution(state: TicketState, action: ResolutionAction, *, consistency: bool = True) -> None:
    """`consistency`: refuse a category that contradicts the documents; off only when replaying a
    signal accepted before that rule (`patches.RESOLUTION_RULES`)."""
    require_assignee(state, action.staff_id)
    # Most specific first: a resolved or no-show ticket is past its meeting, not before it.
    require(state.resolution is None, "resolution_already_submitted", "the resolution is already submitted")
    require(state.outcome in (None, Outcome.HELD), "meeting_not_held", "the meeting was not held")
    require(state.status in AFTER_MEETING, "meeting_not_held_yet", "the meeting has not taken place yet")
    problem = resolution_problem(action.category, action.documents_needed) if consistency else None
    if problem is not None:
        raise Rejected(problem, _RESOLUTION_REASONS[problem])


def check_assign(state: TicketState, action: AssignAction) -> None:
    require(
        state.status == TicketStatus.AWAITING_ASSIGNMENT, "pick_not_needed", "the ticket does not need a pick"
    )
    director_id = state.director.id if state.director else None
    require(action.staff_id == director_id, "pick_director_only", "only the department's director picks")


def check_cancel(state: TicketState, action: CancelAction) -> None:
    require(
        state.status in BEFORE_MEETING,
        "cancel_too_late",
        "only a meeting that has not started can be cancelled",
    )
    require(state.cancel is None, "cancel_already_requested", "the ticket is already being cancelled")


def check_reschedule(state: TicketState, action: RescheduleAction, now: datetime) -> None:
    require(
        state.status == TicketStatus.SCHEDULED,
        "reschedule_not_booked",
        "only a booked meeting that has not started can move",
    )
    require(
        state.slot_start is not None and now < state.slot_start,
        "meeting_already_started",
        "the meeting has already started",
    )
    require(
        action.slot_start != state.slot_start, "reschedule_same_time", "that is already the meeting's time"
    )
    if action.staff_id is not None:
        require_assignee(state, action.staff_id)
        require(
            bool(action.reason.strip()), "reschedule_reason_required", "say why: the citizen reads the reason"
        )


def check_in_person(state: TicketState, action: InPersonDecision) -> None:
    require(
        state.status == TicketStatus.AWAITING_CLERK_ACCEPTANCE,
        "in_person_not_pending",
        "no in-person request is pending",
    )
    require_assignee(state, action.staff_id)


def check_choose_slot(state: TicketState, action: ChooseSlotAction) -> None:
    require(
        state.status == TicketStatus.AWAITING_SLOT, "slot_choice_not_pending", "no slot choice is pending"
    )


def check_escalate(state: TicketState, action: EscalateAction, now: datetime) -> None:
    require(state.level < Level.MAYOR, "escalation_last_level", "the mayor is the last level")
    require(
        state.status == TicketStatus.RESOLVED,
        "escalation_not_open",
        "escalation opens once the resolution is issued",
    )
    require(state.escalation is None, "escalation_already_requested", "escalation already requested")
    deadline = state.escalation_deadline
    require(
        deadline is not None and now < deadline, "escalation_window_closed", "the 30-day window has closed"
    )
