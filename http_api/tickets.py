"""The API's only door to ticket workflows: start, read, act. Handlers call these, so the mapping of
Temporal outcomes to HTTP answers is written once."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, FailureError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from core import search_attributes as sa
from core.links import key_matches
from domain.messages import CODES
from domain.models import ActionResult, Citizen, FileRef, Level, TicketInput, TicketStatus, TicketView
from http_api.deps import AppState
from http_api.erased_links import erased_ticket
from http_api.errors import ApiError
from http_api.schemas import ActionAccepted, StaffTicketSummary, TicketRequest
from workflows.blue_ticket import BlueTicketWorkflow

Handle = WorkflowHandle[BlueTicketWorkflow, TicketView]


async def start(
    state: AppState, request: TicketRequest, workflow_id: str, *, accepted_after_window: bool = False
) -> str:
    ticket_id = secrets.token_urlsafe(9)
    ticket = TicketInput(
        ticket_id=ticket_id,
        municipality=state.municipality.id,
        file=FileRef(
            registration_number=request.registration_number,
            requester_name=request.requester_name,
            filing_date=request.filing_date,
        ),
        citizen=Citizen(email=request.email, phone=request.phone, language=request.language),
        channel=request.channel,
        slot_start=request.slot_start,
        requested_at=datetime.now(UTC),
        accepted_after_window=accepted_after_window,
        policy=state.policy,
    )
    try:
        await state.client.start_workflow(
            BlueTicketWorkflow.run,
            ticket,
            id=workflow_id,
            task_queue=state.settings.task_queue,
            # R6: a file has one open ticket (conflict fails); a closed one may be followed by a new one.
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            static_summary=f"Tichet albastru · {state.municipality.id} · dosar {request.registration_number}",
            static_details=f"Cerut {ticket.requested_at:%Y-%m-%d %H:%M} UTC, canal {request.channel.value}",
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(sa.TICKET_ID, ticket_id),
                    SearchAttributePair(sa.MUNICIPALITY, state.municipality.id),
                    SearchAttributePair(sa.REGISTRATION_NUMBER, request.registration_number),
                    SearchAttributePair(sa.TICKET_STATUS, TicketStatus.VALIDATING.value),
                    SearchAttributePair(sa.ESCALATION_LEVEL, int(Level.CLERK)),
                ]
            ),
        )
    except WorkflowAlreadyStartedError:
        raise ApiError(409, "ticket_already_open") from None
    return ticket_id


async def view(state: AppState, workflow_id: str) -> TicketView:
    handle: Handle = state.client.get_workflow_handle_for(BlueTicketWorkflow.run, workflow_id)
    try:
        return await handle.query(BlueTicketWorkflow.status)
    except RPCError as err:
        if err.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
            raise ApiError(404, "ticket_link_invalid") from None
        raise


async def contact(state: AppState, workflow_id: str) -> dict[str, Any] | None:
    """The contact data the citizen gave, as the ticket's workflow holds it (its current run's start
    input): for the citizen's own copy of their data, and the clerk's phone call when email fails."""
    handle = state.client.get_workflow_handle(workflow_id)
    async for event in handle.fetch_history_events():
        attributes = event.workflow_execution_started_event_attributes
        (inp,) = await state.client.data_converter.decode(attributes.input.payloads, [TicketInput])
        assert isinstance(inp, TicketInput)
        return {
            "requester_name": inp.file.requester_name,
            "email": str(inp.citizen.email),
            "phone": inp.citizen.phone,
            "language": inp.citizen.language.value,
        }
    return None


async def citizen_view(state: AppState, workflow_id: str, key: str) -> TicketView:
    """The ticket behind a citizen link; a wrong key looks exactly like a missing ticket, and the
    link of a ticket whose contact data was erased says so (410)."""
    if await erased_ticket(state, workflow_id, key) is not None:
        raise ApiError(410, "ticket_contact_erased")
    ticket = await view(state, workflow_id)
    if not key_matches(state.settings.link_secret, workflow_id, ticket.ticket_id, key):
        raise ApiError(404, "ticket_link_invalid")
    return ticket


async def act(state: AppState, workflow_id: str, update: Any, action: Any) -> ActionAccepted:
    """Run an update; a refusal by the workflow (validator or handler) becomes 409 with its reason."""
    handle: Handle = state.client.get_workflow_handle_for(BlueTicketWorkflow.run, workflow_id)
    try:
        result: ActionResult = await handle.execute_update(update, action)
    except WorkflowUpdateFailedError as err:
        code, detail = refusal_reason(err)
        raise ApiError(409, code, detail) from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ApiError(409, "action_not_allowed", "the ticket has ended") from None
        raise
    return ActionAccepted(accepted=result.accepted, status=result.status)


def refusal_reason(err: WorkflowUpdateFailedError) -> tuple[str, str]:
    """(code, detail) of a failed update. The reason sits at the bottom of the cause chain
    (WorkflowUpdateFailedError → ActivityError → ApplicationError, or an ApplicationError raised by
    the handler itself), so the chain is walked, innermost first, for an ApplicationError whose type
    or message is a `domain.messages` code; without one, the innermost message is the detail of
    `action_not_allowed` (never the wrapper's "Activity task failed")."""
    chain: list[BaseException] = []
    cause: BaseException | None = err.cause
    while cause is not None and len(chain) < 20:  # a bound, should a cause ever point back
        chain.append(cause)
        cause = cause.cause if isinstance(cause, FailureError) else cause.__cause__
    refusals = [found for found in reversed(chain) if isinstance(found, ApplicationError)]
    for found in refusals:
        if found.type in CODES:
            return found.type, ""
        if found.message in CODES:
            return found.message, ""
    innermost = refusals[0].message if refusals else str(chain[-1] if chain else err)
    return "action_not_allowed", innermost


async def find(state: AppState, query: str, *, limit: int) -> list[StaffTicketSummary]:
    """Tickets from Temporal's visibility store (the tickets themselves are the source of truth;
    the store is eventually consistent, so a ticket started a moment ago may appear a moment later)."""
    found: list[StaffTicketSummary] = []
    async for execution in state.client.list_workflows(query, limit=limit):
        attrs = execution.typed_search_attributes
        found.append(
            StaffTicketSummary(
                workflow_id=execution.id,
                ticket_id=attrs.get(sa.TICKET_ID),
                registration_number=attrs.get(sa.REGISTRATION_NUMBER),
                status=attrs.get(sa.TICKET_STATUS),
                meeting_time=attrs.get(sa.MEETING_TIME),
            )
        )
    return found
