"""The citizen rates their meeting (R11), once per audience, from the secret link (no account).

The ticket's workflow is only asked where the ticket stands; the rating itself goes straight to the
database, whose unique constraint settles "once" even when two requests race.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from domain.models import Level, Outcome, TicketStatus, TicketView
from http_api import tickets
from http_api.citizen import KeyQuery
from http_api.deps import AppState, TicketStateDep
from http_api.errors import ApiError
from store.ratings import MAX_COMMENT, AlreadyRated, RatingRecord, ratings_for

router = APIRouter(tags=["citizen"])

# After the slot has started, whether or not the clerk has recorded the outcome yet.
MET = frozenset(
    {
        TicketStatus.AWAITING_OUTCOME,
        TicketStatus.AWAITING_RESOLUTION,
        TicketStatus.RESOLVING,
        TicketStatus.RESOLVED,
    }
)
NOT_HELD = frozenset({Outcome.CITIZEN_NO_SHOW, Outcome.CLERK_NO_SHOW, Outcome.CANCELLED})


def _whole_number(value: Any) -> Any:
    """JSON has one number type: `5.0` is the integer 5, as the schema's `integer` says (strict still
    refuses `4.5`, `"5"` and `true`)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class RatingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stars: Annotated[int, BeforeValidator(_whole_number)] = Field(
        strict=True, ge=1, le=5, examples=[5], description="1 (poor) to 5 (excellent)"
    )
    comment: str = Field(default="", max_length=MAX_COMMENT, examples=["Mulțumesc, m-ați lămurit."])


class RatingAccepted(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_id: str
    level: Level
    stars: int
    comment: str
    created_at: datetime


def rating_refusal(ticket: TicketView) -> str | None:
    """Why the ticket's current audience cannot be rated now, or None when it can: its meeting's
    slot has started and nobody has recorded a no-show (or it closed as held, after the escalation
    window). An escalated ticket is rated at its current level."""
    if ticket.outcome in NOT_HELD or ticket.status in (TicketStatus.CANCELLED, TicketStatus.REJECTED):
        return "the meeting was not held"
    if ticket.assignee is None:
        return "the meeting has not taken place yet"
    if ticket.status in MET or (ticket.status == TicketStatus.CLOSED and ticket.outcome == Outcome.HELD):
        return None
    return "the meeting has not taken place yet"


def _record(ticket: TicketView, body: RatingRequest) -> RatingRecord:
    assert ticket.assignee is not None  # rating_refusal said yes
    return RatingRecord(
        ticket_id=ticket.ticket_id,
        level=ticket.level,
        registration_number=ticket.registration_number,
        staff_id=ticket.assignee.id,
        department_id=ticket.department_id,
        meeting_start=ticket.meeting.start if ticket.meeting else ticket.slot_start,
        stars=body.stars,
        comment=body.comment.strip(),
        created_at=datetime.now(UTC),
    )


def _store(state: AppState, record: RatingRecord) -> RatingRecord:
    return ratings_for(state.settings.database_url, state.municipality.id).add(record)


@router.post(
    "/bilet/{workflow_id}/rating",
    status_code=201,
    response_model=RatingAccepted,
    summary="Rate the meeting (1–5 stars), once per audience",
)
async def rate(state: TicketStateDep, workflow_id: str, key: KeyQuery, body: RatingRequest) -> RatingAccepted:
    """409 before the meeting, after a no-show or a cancellation, and for a second rating."""
    ticket = await tickets.citizen_view(state, workflow_id, key)
    refusal = rating_refusal(ticket)
    if refusal is not None:
        raise ApiError(409, "rating_not_open", refusal)
    try:
        stored = await run_in_threadpool(_store, state, _record(ticket, body))
    except AlreadyRated:
        raise ApiError(409, "already_rated") from None
    return RatingAccepted(
        ticket_id=stored.ticket_id,
        level=stored.level,
        stars=stored.stars,
        comment=stored.comment,
        created_at=stored.created_at,
    )
