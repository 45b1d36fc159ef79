"""The citizen's rights over their data, from their link (issue 9, GDPR art. 15 and 17).

`GET /bilet/{id}/date` is their copy of what the city holds about the ticket: from the workflow (the
contact data they gave, status, the timeline as their page tells it, meetings, documents) and from
the database (the file, the archive rows, their ratings, the erasure record). It keeps answering
after an erasure, showing the erased state. `POST /bilet/{id}/date/sterge` erases the contact data
once the ticket is closed (409 before), with the same function as the daily purge; the archive stays.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from domain.models import Language, TicketView
from domain.retention import ErasureOutcome, ErasureReason, ErasureTarget
from http_api import tickets
from http_api.citizen import citizen_projection
from http_api.citizen_timeline import citizen_timeline
from http_api.deps import AppState, TicketStateDep
from http_api.erased_links import erased_ticket
from http_api.errors import ApiError, language_of
from integrations.erasure import TicketHistories, erase_contact_data
from store.personal_data import personal_data_for
from store.tables import ContactErasureRow

router = APIRouter(tags=["citizen"])
KeyQuery = Annotated[
    str, Query(alias="cheie", pattern=r"^[A-Za-z0-9_-]{8,64}$", description="the key from your link")
]


class ErasureAccepted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    erased: bool
    erased_at: datetime
    pseudonym: str


def _erasure_json(row: ContactErasureRow) -> dict[str, Any]:
    return {
        "erased_at": row.erased_at.isoformat(),
        "reason": row.reason,
        "pseudonym": row.pseudonym,
        "note": "contact data (name, email, phone) erased; the archive keeps the file number, dates, "
        "clerk, resolution document and its registration number, and the recording reference",
    }


def _ticket_json(ticket: TicketView, lang: Language) -> dict[str, Any]:
    projected = {**citizen_projection(ticket), "timeline": citizen_timeline(ticket.timeline, lang)}
    projected["earlier_audiences"] = [
        {
            "level": audience.level,
            "with_name": audience.staff.name,
            "meeting": audience.meeting,
            "outcome": audience.outcome,
            "conclusions": audience.conclusions,
            "document_number": audience.document_number,
            "resolved_at": audience.resolved_at,
        }
        for audience in ticket.audiences
    ]
    return projected


async def _database_part(state: AppState, ticket_id: str, registration_number: str) -> dict[str, Any]:
    data = personal_data_for(state.settings.database_url)
    records = await run_in_threadpool(data.records_of, ticket_id)
    file = await run_in_threadpool(state.stores.registry.find_file, registration_number)
    return {"file": file.model_dump(mode="json") if file else None, **records}


@router.get("/bilet/{workflow_id}/date", summary="A copy of my data (GDPR right of access)")
async def my_data(state: TicketStateDep, request: Request, workflow_id: str, key: KeyQuery) -> Any:
    erased = await erased_ticket(state, workflow_id, key)
    if erased is not None:
        ticket_id, registration_number = erased.ticket_id, erased.registration_number
        ticket_part: dict[str, Any] | None = None
        contact: dict[str, Any] | None = None
    else:
        ticket = await tickets.citizen_view(state, workflow_id, key)
        ticket_id, registration_number = ticket.ticket_id, ticket.registration_number
        asked = request.headers.get("accept-language", "").strip()
        lang = language_of(request) if asked else ticket.citizen_language
        ticket_part = _ticket_json(ticket, lang)
        contact = await tickets.contact(state, workflow_id)
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "ticket_id": ticket_id,
        "workflow_id": workflow_id,
        "registration_number": registration_number,
        "contact": contact,
        "contact_erasure": _erasure_json(erased) if erased is not None else None,
        "ticket": ticket_part,
        **await _database_part(state, ticket_id, registration_number),
    }


@router.post(
    "/bilet/{workflow_id}/date/sterge",
    response_model=ErasureAccepted,
    summary="Erase my contact data (once the ticket is closed)",
)
async def erase_my_data(state: TicketStateDep, workflow_id: str, key: KeyQuery) -> ErasureAccepted:
    """Refused with 409 while the ticket runs (escalation window included); a repeat answers as the
    first did and changes nothing."""
    data = personal_data_for(state.settings.database_url)
    erased = await erased_ticket(state, workflow_id, key)
    if erased is not None:
        return ErasureAccepted(erased=True, erased_at=erased.erased_at, pseudonym=erased.pseudonym)
    ticket = await tickets.citizen_view(state, workflow_id, key)
    target = ErasureTarget(
        ticket_id=ticket.ticket_id,
        workflow_id=workflow_id,
        registration_number=ticket.registration_number,
        closed_at=await run_in_threadpool(data.last_closed, ticket.ticket_id),
    )
    result = await erase_contact_data(
        TicketHistories(state.client), data, target, ErasureReason.CITIZEN, datetime.now(UTC)
    )
    if result.outcome == ErasureOutcome.STILL_OPEN or result.erased_at is None or result.pseudonym is None:
        raise ApiError(409, "erasure_ticket_open")
    return ErasureAccepted(erased=True, erased_at=result.erased_at, pseudonym=result.pseudonym)
