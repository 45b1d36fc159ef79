"""Staff endpoints. Every route needs a personal token, and acts only on the caller's own tickets."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from core import search_attributes as sa
from domain.models import (
    AssignAction,
    InPersonDecision,
    OutcomeAction,
    RescheduleAction,
    ResolutionAction,
    Role,
    StaffMember,
    TicketStatus,
    TicketView,
)
from http_api import tickets
from http_api.citizen import citizen_projection
from http_api.deps import AppState, CurrentStaff, StateDep, staff_state
from http_api.errors import ApiError
from http_api.schemas import (
    ActionAccepted,
    AssignRequest,
    InPersonRequest,
    OutcomeRequest,
    RescheduleRequest,
    ResolutionRequest,
    StaffPublic,
    StaffTicketSummary,
    StaffTicketView,
)
from workflows.blue_ticket import BlueTicketWorkflow

router = APIRouter(prefix="/staff", tags=["staff"])


async def _own_ticket(state: AppState, workflow_id: str, me: StaffMember) -> TicketView:
    # Another municipality's ticket is answered exactly as a ticket that does not exist (404, not
    # 403): its id tells a person of another city nothing.
    if not (await staff_state(state, me)).owns(workflow_id):
        raise ApiError(404, "ticket_link_invalid")
    ticket = await tickets.view(state, workflow_id)
    # The only ticket a person holds without being its assignee: the one their department's
    # director must hand to a clerk (R2).
    picking = (
        ticket.status == TicketStatus.AWAITING_ASSIGNMENT
        and me.role == Role.DIRECTOR
        and me.department_id == ticket.department_id
    )
    if not picking and (ticket.assignee is None or ticket.assignee.id != me.id):
        raise ApiError(403, "not_your_ticket")
    return ticket


def _staff_view(workflow_id: str, ticket: TicketView) -> StaffTicketView:
    assignee = ticket.assignee
    data: dict[str, Any] = citizen_projection(ticket)
    data.update(
        workflow_id=workflow_id,
        department_id=ticket.department_id,
        assignee=StaffPublic(id=assignee.id, name=assignee.name, role=assignee.role) if assignee else None,
        audiences=ticket.audiences,
        citizen_email_failure=ticket.citizen_email_failure,
    )
    return StaffTicketView.model_validate(data)


@router.get("/me/tickets", response_model=list[StaffTicketSummary], summary="My open tickets")
async def my_tickets(state: StateDep, me: CurrentStaff) -> list[StaffTicketSummary]:
    """From Temporal's visibility store: the tickets themselves are the source of truth."""
    query = f"{sa.TICKET_CLERK.name} = '{me.id}' AND ExecutionStatus = 'Running'"
    return await tickets.find(state, query, limit=200)


@router.get("/tickets/{workflow_id}", response_model=StaffTicketView, summary="One of my tickets")
async def ticket(state: StateDep, me: CurrentStaff, workflow_id: str) -> StaffTicketView:
    view = _staff_view(workflow_id, await _own_ticket(state, workflow_id, me))
    if view.citizen_email_failure is None:
        return view
    # Email cannot reach the citizen (issue 12): the clerk phones them, with the number they gave.
    contact = await tickets.contact(state, workflow_id)
    return view.model_copy(update={"citizen_phone": contact["phone"] if contact else None})


@router.post(
    "/tickets/{workflow_id}/outcome", response_model=ActionAccepted, summary="Record how the meeting went"
)
async def record_outcome(
    state: StateDep, me: CurrentStaff, workflow_id: str, body: OutcomeRequest
) -> ActionAccepted:
    await _own_ticket(state, workflow_id, me)
    action = OutcomeAction(staff_id=me.id, outcome=body.outcome, note=body.note)
    return await tickets.act(state, workflow_id, BlueTicketWorkflow.record_outcome, action)


@router.post(
    "/tickets/{workflow_id}/resolution", response_model=ActionAccepted, summary="Submit the resolution (R8)"
)
async def submit_resolution(
    state: StateDep, me: CurrentStaff, workflow_id: str, body: ResolutionRequest
) -> ActionAccepted:
    await _own_ticket(state, workflow_id, me)
    action = ResolutionAction(
        staff_id=me.id,
        conclusions=body.conclusions,
        category=body.category,
        documents_needed=body.documents_needed,
    )
    return await tickets.act(state, workflow_id, BlueTicketWorkflow.submit_resolution, action)


@router.post(
    "/tickets/{workflow_id}/in-person",
    response_model=ActionAccepted,
    summary="Accept or decline meeting in person",
)
async def decide_in_person(
    state: StateDep, me: CurrentStaff, workflow_id: str, body: InPersonRequest
) -> ActionAccepted:
    await _own_ticket(state, workflow_id, me)
    action = InPersonDecision(staff_id=me.id, accept=body.accept)
    return await tickets.act(state, workflow_id, BlueTicketWorkflow.decide_in_person, action)


@router.post(
    "/tickets/{workflow_id}/reschedule",
    response_model=ActionAccepted,
    summary="Move the meeting (with a reason)",
)
async def reschedule(
    state: StateDep, me: CurrentStaff, workflow_id: str, body: RescheduleRequest
) -> ActionAccepted:
    """Inside the ticket's original window; the citizen reads the reason in the new invitation."""
    await _own_ticket(state, workflow_id, me)
    action = RescheduleAction(slot_start=body.slot_start, staff_id=me.id, reason=body.reason)
    return await tickets.act(state, workflow_id, BlueTicketWorkflow.reschedule, action)


@router.post(
    "/tickets/{workflow_id}/assign", response_model=ActionAccepted, summary="Director: pick the clerk"
)
async def assign(state: StateDep, me: CurrentStaff, workflow_id: str, body: AssignRequest) -> ActionAccepted:
    await _own_ticket(state, workflow_id, me)
    action = AssignAction(staff_id=me.id, assignee_id=body.assignee_id)
    return await tickets.act(state, workflow_id, BlueTicketWorkflow.assign_clerk, action)
