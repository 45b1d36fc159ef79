"""`POST /webhooks/webex`: Webex tells a ticket that its meeting started or ended, or that the
recording is ready. The receiver verifies, de-duplicates and hands the event to the ticket's
workflow as the `webex_event` signal; the workflow decides what it means.

Answers (Webex only looks at the status; the bodies are for people reading logs):

| status | body | when |
|---|---|---|
| 401 | `webhook_signature_invalid` | `X-Spark-Signature` missing, or not the body's HMAC |
| 400 | `invalid_input` | signed, but not a JSON object |
| 200 | `{"ignored": true}` | an event the tickets don't use (messages, meeting created, …) |
| 202 | `{"pending": true}` | no running ticket has this meeting, even after a few quick retries |
| 200 | `{"duplicate": true}` | this event was already delivered; the workflow is not signalled again |
| 200 | `{"delivered": true}` | signalled |
| 503 | `service_unavailable` | Temporal or the database is down; the event is *not* recorded |

Why 202 and not 404 for "no ticket": the meetings webhook also reports every other meeting of the
clerks' Webex accounts, which never belong to a ticket, and Webex counts non-2xx answers against a
webhook (deactivating it when they pile up) — a 404 per unrelated meeting would eventually cut our
tickets off too. Webex does not retry a 2xx, so 202 honestly means "accepted, nothing delivered":
the event is not recorded (a later re-delivery would go through), and the workflow must never
depend on a webhook alone — its timers and the recording look-up remain the fallback. The quick
retries cover the usual case, the visibility store lagging a second behind the workflow's
`WebexMeetingId` upsert.

Order matters: the ticket is found first (an event we cannot deliver is never recorded), then
recorded (so of two simultaneous deliveries exactly one signals), then signalled; if the signal
fails, the record is removed again so the event is not lost as a "duplicate".
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from core import search_attributes as sa
from domain.models import WebexEvent
from http_api.deps import StateDep
from http_api.errors import ApiError
from integrations.webex_webhooks import (
    SIGNATURE_HEADER,
    WEBHOOK_PATH,
    meeting_id_candidates,
    parse_event,
    verify_signature,
)
from store.db import engine_for
from store.webhook_events import SqlWebhookEvents

log = logging.getLogger(__name__)

SIGNAL_NAME = "webex_event"
# The Temporal workflow type of a blue ticket (`@workflow.defn(name=...)` in workflows/blue_ticket.py).
TICKET_WORKFLOW_TYPE = "BlueTicket"
# Pauses between visibility look-ups: about 1.75 s in all, well inside Webex's delivery timeout.
LOOKUP_DELAYS_SECONDS: tuple[float, ...] = (0.25, 0.5, 1.0)

router = APIRouter(tags=["webhooks"])


class WebhookAnswer(BaseModel):
    """Exactly one of these is true; Webex reads only the status."""

    model_config = ConfigDict(extra="forbid")

    delivered: bool | SkipJsonSchema[None] = None
    duplicate: bool | SkipJsonSchema[None] = None
    ignored: bool | SkipJsonSchema[None] = None
    pending: bool | SkipJsonSchema[None] = None


def ticket_query(meeting_ids: list[str]) -> str:
    """Running blue tickets tagged with any of these meeting ids. The ids were checked against
    `[A-Za-z0-9_\\-=.:]` by `meeting_id_candidates`, so they cannot break out of the quotes."""
    quoted = ", ".join(f"'{meeting_id}'" for meeting_id in meeting_ids)
    return (
        f"{sa.WEBEX_MEETING_ID.name} IN ({quoted}) AND WorkflowType = '{TICKET_WORKFLOW_TYPE}' "
        "AND ExecutionStatus = 'Running'"
    )


async def find_ticket(client: Client, meeting_ids: list[str]) -> tuple[str, str] | None:
    """(workflow id, tagged meeting id) of the newest running ticket of the meeting, or None.

    Visibility is eventually consistent, so an empty answer is retried a few times briefly.
    "Newest" matters only if ids were ever reused; normally one ticket matches.
    """
    query = ticket_query(meeting_ids)
    for delay in (*LOOKUP_DELAYS_SECONDS, None):
        newest: Any = None
        async for execution in client.list_workflows(query, limit=20):
            if newest is None or execution.start_time > newest.start_time:
                newest = execution
        if newest is not None:
            tagged = newest.typed_search_attributes.get(sa.WEBEX_MEETING_ID) or meeting_ids[0]
            return str(newest.id), str(tagged)
        if delay is not None:
            await asyncio.sleep(delay)
    return None


def _events(request_state: StateDep) -> SqlWebhookEvents:
    """The de-duplication table shares the process-wide engine of the app's other stores."""
    return SqlWebhookEvents(engine_for(request_state.settings.database_url))


@router.post(
    WEBHOOK_PATH,
    summary="Webex webhook receiver (meetings started/ended, recordings created)",
    description=(
        "Called by Webex, signed with `X-Spark-Signature` (HMAC-SHA1 of the body with the webhook "
        "secret). Hands the event to the ticket's workflow as the `webex_event` signal."
    ),
    responses={
        200: {
            "model": WebhookAnswer,
            "description": '`{"delivered": true}`, `{"duplicate": true}` or `{"ignored": true}`',
        },
        202: {
            "model": WebhookAnswer,
            "description": '`{"pending": true}`: no running ticket has this meeting',
        },
        400: {"description": "signed, but not a JSON object"},
        401: {"description": "missing or wrong signature"},
        503: {"description": "Temporal or the database is unavailable"},
    },
    # The body is read raw (the signature covers its bytes), so FastAPI cannot see what it expects.
    openapi_extra={
        "parameters": [
            {"name": SIGNATURE_HEADER, "in": "header", "required": True, "schema": {"type": "string"}}
        ],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
    },
)
async def webex_webhook(request: Request, state: StateDep) -> JSONResponse:
    raw = await request.body()
    signature = request.headers.get(SIGNATURE_HEADER)
    if not verify_signature(raw, signature, state.settings.webex_webhook_secret):
        # Its own code: the staff "unauthenticated" sentence would tell a stranger to send a token.
        raise ApiError(401, "webhook_signature_invalid")
    try:
        body = json.loads(raw)
    except ValueError as err:
        raise ApiError(400, "invalid_input", "the body is not JSON") from err
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_input", "the body is not a JSON object")

    event = parse_event(body)
    if event is None:
        log.info("Webex event ignored: %s/%s", body.get("resource"), body.get("event"))
        return JSONResponse({"ignored": True})
    try:
        return await _deliver(state, event, meeting_id_candidates(body))
    except (RPCError, SQLAlchemyError) as err:
        log.warning("Webex event %s not delivered: %s", event.event_id, err)
        raise ApiError(503, "service_unavailable") from err


async def _deliver(state: StateDep, event: WebexEvent, meeting_ids: list[str]) -> JSONResponse:
    found = await find_ticket(state.client, meeting_ids)
    if found is None:
        log.info("Webex event %s: no running ticket for meeting %s", event.event_id, meeting_ids)
        return JSONResponse({"pending": True}, status_code=202)
    workflow_id, tagged_meeting_id = found
    # The workflow compares against the id it was tagged with, whichever of the event's ids matched.
    event = event.model_copy(update={"meeting_id": tagged_meeting_id})

    events = _events(state)
    if not await run_in_threadpool(events.record_once, event):
        return JSONResponse({"duplicate": True})
    try:
        await state.client.get_workflow_handle(workflow_id).signal(SIGNAL_NAME, event)
    except Exception as err:
        await _forget(events, event.event_id)
        if isinstance(err, RPCError) and err.status == RPCStatusCode.NOT_FOUND:
            # The ticket closed between the look-up and the signal: nothing left to deliver to.
            return JSONResponse({"pending": True}, status_code=202)
        raise
    log.info("Webex event %s delivered to %s", event.event_id, workflow_id)
    return JSONResponse({"delivered": True})


async def _forget(events: SqlWebhookEvents, event_id: str) -> None:
    try:
        await run_in_threadpool(events.forget, event_id)
    except SQLAlchemyError:
        log.exception("Webex event %s recorded but not delivered; a re-delivery will be dropped", event_id)
