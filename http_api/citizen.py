"""Citizen endpoints: ask for a ticket, see free slots, and act from the secret link (no account)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from core.catalogs import text
from core.links import citizen_url
from core.tenancy import workflow_id_for
from domain.availability import OfferedSlot, first_slots_after_window, offered_slots
from domain.calendar import CityCalendar
from domain.eligibility import is_eligible
from domain.models import (
    CancelAction,
    ChooseSlotAction,
    EscalateAction,
    FileInfo,
    FileRef,
    Level,
    RescheduleAction,
    TicketStatus,
    TicketView,
)
from http_api import tickets
from http_api.citizen_timeline import citizen_timeline
from http_api.deps import AppState, LanguageDep, StateDep, TicketStateDep
from http_api.errors import ApiError, language_of
from http_api.schemas import (
    ActionAccepted,
    CancelRequest,
    ChooseSlotRequest,
    CitizenTicketView,
    EscalateRequest,
    MunicipalityIn,
    RegistrationNumberIn,
    SlotPublic,
    SlotsPublic,
    TicketAccepted,
    TicketRequest,
)
from workflows.blue_ticket import BlueTicketWorkflow

router = APIRouter(tags=["citizen"])
KeyQuery = Annotated[
    str, Query(alias="cheie", pattern=r"^[A-Za-z0-9_-]{8,64}$", description="the key from your link")
]


def _eligible_file(state: AppState, ref: FileRef) -> FileInfo:
    policy = state.policy
    file = state.stores.registry.find_file(ref.registration_number)  # FileRef holds the normal form
    today = state.calendar.local_day(datetime.now(UTC))
    if file is None or not is_eligible(file, ref, today, policy.answered_files_eligible_for):
        raise ApiError(404, "no_matching_file")
    return file


def _slots(state: AppState, file: FileInfo, level: Level) -> list[OfferedSlot]:
    stores = state.stores
    return offered_slots(
        stores.staff,
        stores.bookings,
        state.calendar,
        file,
        level,
        datetime.now(UTC),
        state.policy,
        calendar_source=state.calendar_source,
    )


def _later_slots(state: AppState, file: FileInfo, level: Level) -> list[OfferedSlot]:
    """When the window is full: the first free slots after it, for the citizen to accept or not."""
    stores = state.stores
    return first_slots_after_window(
        stores.staff,
        stores.bookings,
        state.calendar,
        file,
        level,
        datetime.now(UTC),
        state.policy,
        calendar_source=state.calendar_source,
    )


def _require_offered(
    state: AppState, start: datetime, slots: list[OfferedSlot], later: list[OfferedSlot] | None = None
) -> None:
    """A slot that was not offered is refused at once, with the free ones to choose from."""
    if start not in {s.start for s in [*slots, *(later or [])]}:
        raise ApiError(
            409,
            "slot_outside_window",
            free_slots=[s.model_dump(mode="json") for s in _public(slots, state.calendar)[:20]],
        )


def _public(slots: list[OfferedSlot], cal: CityCalendar) -> list[SlotPublic]:
    """Times in the city's zone (with their offset), as a citizen reads a clock."""
    tz = cal.tz
    return [
        SlotPublic(
            start=s.start.astimezone(tz),
            end=s.end.astimezone(tz),
            with_name=s.staff.name if s.staff else None,
        )
        for s in slots
    ]


@router.get("/slots", response_model=SlotsPublic, summary="Free slots for a file (R1, R4, R5)")
async def free_slots(
    state: StateDep,
    registration_number: Annotated[RegistrationNumberIn, Query()],
    requester_name: Annotated[str, Query(min_length=2, max_length=120)],
    filing_date: date,
    language: LanguageDep,
    municipality: Annotated[MunicipalityIn, Query()] = "",
) -> SlotsPublic:
    """Free slots in the R5 window; when it is full, `slots` is empty and `after_window` offers the
    first free slots after it, which the citizen may accept with `accept_after_window`. Without
    `municipality`, the deployment's default one (the API before tenancy)."""
    state = state.for_municipality(municipality or state.settings.default_municipality)
    ref = FileRef(
        registration_number=registration_number, requester_name=requester_name, filing_date=filing_date
    )
    file = await run_in_threadpool(_eligible_file, state, ref)
    slots = await run_in_threadpool(_slots, state, file, Level.CLERK)
    later = [] if slots else await run_in_threadpool(_later_slots, state, file, Level.CLERK)
    return SlotsPublic(
        registration_number=file.registration_number,
        slots=_public(slots, state.calendar),
        after_window=_public(later, state.calendar),
        notice=text("no_slot_in_window", language) if later else None,
    )


@router.post("/tickets", status_code=202, response_model=TicketAccepted, summary="Ask for a blue ticket")
async def request_ticket(state: StateDep, body: TicketRequest) -> TicketAccepted:
    """Checks the file and the slot at once, so most mistakes are answered here; the workflow then
    checks again and books through the database, which settles any race. Without `municipality`,
    the deployment's default one (the API before tenancy)."""
    state = state.for_municipality(body.municipality or state.settings.default_municipality)
    ref = FileRef(
        registration_number=body.registration_number,
        requester_name=body.requester_name,
        filing_date=body.filing_date,
    )
    file = await run_in_threadpool(_eligible_file, state, ref)
    slots = await run_in_threadpool(_slots, state, file, Level.CLERK)
    later = (
        []
        if slots or not body.accept_after_window
        else await run_in_threadpool(_later_slots, state, file, Level.CLERK)
    )
    _require_offered(state, body.slot_start, slots, later)
    workflow_id = workflow_id_for(file.registration_number, state.municipality.id)
    ticket_id = await tickets.start(state, body, workflow_id, accepted_after_window=bool(later))
    link = citizen_url(state.settings.public_base_url, state.settings.link_secret, workflow_id, ticket_id)
    return TicketAccepted(
        ticket_id=ticket_id, workflow_id=workflow_id, citizen_link=link, status=TicketStatus.VALIDATING
    )


def citizen_projection(ticket: TicketView) -> dict[str, object]:
    return {
        "ticket_id": ticket.ticket_id,
        "status": ticket.status,
        "level": ticket.level,
        "registration_number": ticket.registration_number,
        "subject": ticket.subject,
        "channel": ticket.channel,
        "with_name": ticket.assignee.name if ticket.assignee else None,
        "slot_start": ticket.slot_start,
        "meeting": ticket.meeting,
        "outcome": ticket.outcome,
        "document_number": ticket.document_number,
        "escalation_deadline": ticket.escalation_deadline,
        "next_level": ticket.next_level,
        "timeline": ticket.timeline,
    }


@router.get(
    "/bilet/{workflow_id}",
    response_model=CitizenTicketView,
    responses={303: {"description": "a browser (`Accept: text/html`) is sent on to the ticket's page"}},
    summary="My ticket (from the email link)",
)
async def my_ticket(state: TicketStateDep, request: Request, workflow_id: str, key: KeyQuery) -> Any:
    """The link in every email. A browser is sent on to the ticket's page; a program gets JSON."""
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(f"/bilet/{workflow_id}/pagina?cheie={key}", status_code=303)
    ticket = await tickets.citizen_view(state, workflow_id, key)
    # Their own words: the workflow's timeline details are for ops (Accept-Language, else the
    # language the citizen asked in).
    asked = request.headers.get("accept-language", "").strip().lower()
    lang = language_of(request) if asked else ticket.citizen_language
    timeline = citizen_timeline(ticket.timeline, lang)
    return CitizenTicketView.model_validate({**citizen_projection(ticket), "timeline": timeline})


@router.post(
    "/bilet/{workflow_id}/cancel", response_model=ActionAccepted, summary="Cancel before the meeting"
)
async def cancel(
    state: TicketStateDep, workflow_id: str, key: KeyQuery, body: CancelRequest
) -> ActionAccepted:
    await tickets.citizen_view(state, workflow_id, key)
    return await tickets.act(state, workflow_id, BlueTicketWorkflow.cancel, CancelAction(reason=body.reason))


@router.post("/bilet/{workflow_id}/slot", response_model=ActionAccepted, summary="Choose another slot")
async def choose_slot(
    state: TicketStateDep, workflow_id: str, key: KeyQuery, body: ChooseSlotRequest
) -> ActionAccepted:
    await tickets.citizen_view(state, workflow_id, key)
    action = ChooseSlotAction(slot_start=body.slot_start, requested_at=datetime.now(UTC))
    return await tickets.act(state, workflow_id, BlueTicketWorkflow.choose_slot, action)


@router.get(
    "/bilet/{workflow_id}/slots", response_model=SlotsPublic, summary="Free slots to move my meeting to"
)
async def ticket_slots(state: TicketStateDep, workflow_id: str, key: KeyQuery) -> SlotsPublic:
    ticket = await tickets.citizen_view(state, workflow_id, key)
    return await _slots_public(state, await _file_of(state, ticket), ticket.level)


@router.post(
    "/bilet/{workflow_id}/reschedule",
    response_model=ActionAccepted,
    summary="Move my meeting to another slot",
)
async def reschedule(
    state: TicketStateDep, workflow_id: str, key: KeyQuery, body: ChooseSlotRequest
) -> ActionAccepted:
    """A move is a new request for the citizen: its 48-hour window counts from now."""
    await tickets.citizen_view(state, workflow_id, key)
    action = RescheduleAction(slot_start=body.slot_start, requested_at=datetime.now(UTC))
    return await tickets.act(state, workflow_id, BlueTicketWorkflow.reschedule, action)


@router.get(
    "/bilet/{workflow_id}/escalation-slots", response_model=SlotsPublic, summary="Slots at the next level"
)
async def escalation_slots(state: TicketStateDep, workflow_id: str, key: KeyQuery) -> SlotsPublic:
    ticket = await tickets.citizen_view(state, workflow_id, key)
    return await _slots_public(state, *await _next_level(state, ticket))


async def _slots_public(state: AppState, file: FileInfo, level: Level) -> SlotsPublic:
    slots = await run_in_threadpool(_slots, state, file, level)
    return SlotsPublic(registration_number=file.registration_number, slots=_public(slots, state.calendar))


@router.post(
    "/bilet/{workflow_id}/escalate", response_model=ActionAccepted, summary="Ask for the next level (R9)"
)
async def escalate(
    state: TicketStateDep, workflow_id: str, key: KeyQuery, body: EscalateRequest
) -> ActionAccepted:
    ticket = await tickets.citizen_view(state, workflow_id, key)
    file, level = await _next_level(state, ticket)
    slots = await run_in_threadpool(_slots, state, file, level)
    _require_offered(state, body.slot_start, slots)
    action = EscalateAction(slot_start=body.slot_start, channel=body.channel, requested_at=datetime.now(UTC))
    return await tickets.act(state, workflow_id, BlueTicketWorkflow.escalate, action)


async def _next_level(state: AppState, ticket: TicketView) -> tuple[FileInfo, Level]:
    if ticket.next_level is None or ticket.status != TicketStatus.RESOLVED:
        raise ApiError(
            409, "action_not_allowed", "escalation opens once the resolution is issued, until the mayor"
        )
    return await _file_of(state, ticket), ticket.next_level


async def _file_of(state: AppState, ticket: TicketView) -> FileInfo:
    file = await run_in_threadpool(state.stores.registry.find_file, ticket.registration_number)
    if file is None:
        raise ApiError(404, "no_matching_file")
    return file
