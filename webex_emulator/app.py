"""A local stand-in for the Webex REST API (`/v1`), for the dev stack and the tests.

It implements the slice of Webex the project uses — meetings, direct messages, recordings and
webhooks — with the JSON shapes, defaults, status codes and error bodies `webexpythonsdk` expects,
so `integrations.webex` runs unchanged against it. What Webex does on its own (meetings starting and
ending, recordings appearing, webhooks firing) is driven by hand through `/_control` (see
`webex_emulator.control`), as are injected failures for exercising retries.

Deliberate simplifications: one page per list (no `Link` pagination; `max` is ignored), no
`meetings` created/updated/deleted webhook events, any email is a valid person.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from webex_emulator.control import build_control_router
from webex_emulator.errors import WebexApiError, error_response
from webex_emulator.schemas import (
    WEBHOOK_EVENTS,
    WEBHOOK_RESOURCES,
    MeetingCreate,
    MeetingUpdate,
    MessageCreate,
    WebhookCreate,
    parse_time,
    zone,
)
from webex_emulator.state import (
    ACTOR_EMAIL,
    ACTOR_ID,
    EmulatorState,
    Meeting,
    Webhook,
    now_utc,
    spark_id,
    webex_timestamp,
)


def create_app(token: str, webhook_secret: str) -> FastAPI:
    """Build an emulator with empty state that accepts only `Authorization: Bearer <token>`."""
    state = EmulatorState()
    app = FastAPI(title="Webex API emulator", docs_url="/_docs", openapi_url="/_openapi.json")
    app.state.emulator = state
    _install_error_handlers(app)

    @app.middleware("http")
    async def inject_faults(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Injected faults fire before auth, like a gateway rate limit or outage would."""
        if not request.url.path.startswith("/_"):
            rule = state.take_fault(request.method, request.url.path)
            if rule is not None:
                retry_after = rule.retry_after
                if rule.status == 429 and retry_after is None:
                    retry_after = 15  # Webex always tells a rate-limited client when to come back
                return error_response(rule.status, retry_after=retry_after)
        return await call_next(request)

    async def require_token(authorization: Annotated[str | None, Header()] = None) -> None:
        if authorization != f"Bearer {token}":
            raise WebexApiError(401)

    api = APIRouter(prefix="/v1", dependencies=[Depends(require_token)])
    _meeting_routes(api, state)
    _message_routes(api, state)
    _recording_and_webhook_routes(api, state)
    app.include_router(api)
    app.include_router(build_control_router(state, webhook_secret))
    return app


def _install_error_handlers(app: FastAPI) -> None:
    async def on_webex_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, WebexApiError)
        return error_response(exc.status, exc.message, exc.retry_after)

    async def on_validation_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return error_response(400, f"Invalid request: {details}")

    async def on_http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return error_response(exc.status_code, None if exc.status_code in (404, 405) else str(exc.detail))

    app.add_exception_handler(WebexApiError, on_webex_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)


def _get_meeting(state: EmulatorState, meeting_id: str) -> Meeting:
    meeting = state.meetings.get(meeting_id)
    if meeting is None:
        raise WebexApiError(404, "Meeting not found.")
    return meeting


def _meeting_routes(api: APIRouter, state: EmulatorState) -> None:
    @api.post("/meetings")
    async def create_meeting(body: MeetingCreate) -> dict[str, Any]:
        zone(body.timezone)
        start, end = parse_time(body.start, body.timezone), parse_time(body.end, body.timezone)
        if end <= start:
            raise WebexApiError(400, "The end time must be after the start time.")
        meeting_id, number = state.new_meeting_ids()
        known = set(MeetingCreate.model_fields)
        meeting = Meeting(
            id=meeting_id,
            meeting_number=number,
            title=body.title,
            password=body.password or uuid.uuid4().hex[:10],
            start=start,
            end=end,
            timezone=body.timezone,
            host_email=body.hostEmail or ACTOR_EMAIL,
            enabled_auto_record=body.enabledAutoRecordMeeting,
            enabled_join_before_host=body.enabledJoinBeforeHost,
            send_email=body.sendEmail,
            integration_tags=list(body.integrationTags),
            extra={k: v for k, v in body.model_dump().items() if k not in known},
        )
        state.meetings[meeting_id] = meeting
        return meeting.to_json()

    @api.get("/meetings")
    async def list_meetings(
        meetingNumber: str | None = None,
        state_: Annotated[str | None, Query(alias="state")] = None,
        hostEmail: str | None = None,
        integrationTag: str | None = None,
        from_: Annotated[str | None, Query(alias="from")] = None,
        to: str | None = None,
    ) -> dict[str, Any]:
        low = parse_time(from_, "UTC") if from_ else None
        high = parse_time(to, "UTC") if to else None
        items = [
            m.to_json()
            for m in state.meetings.values()
            if (meetingNumber is None or m.meeting_number == meetingNumber)
            and (state_ is None or m.state == state_)
            and (hostEmail is None or m.host_email.lower() == hostEmail.lower())
            and (integrationTag is None or integrationTag in m.integration_tags)
            and (low is None or m.end >= low)
            and (high is None or m.start < high)
        ]
        return {"items": items}

    @api.get("/meetings/{meeting_id}")
    async def get_meeting(meeting_id: str) -> dict[str, Any]:
        return _get_meeting(state, meeting_id).to_json()

    @api.put("/meetings/{meeting_id}")
    async def update_meeting(meeting_id: str, body: MeetingUpdate) -> dict[str, Any]:
        meeting = _get_meeting(state, meeting_id)
        if meeting.state != "scheduled":
            raise WebexApiError(400, f"A meeting in state {meeting.state} cannot be updated.")
        tz_name = body.timezone or meeting.timezone
        zone(tz_name)
        start, end = parse_time(body.start, tz_name), parse_time(body.end, tz_name)
        if end <= start:
            raise WebexApiError(400, "The end time must be after the start time.")
        known = set(MeetingUpdate.model_fields)
        meeting.title, meeting.password, meeting.timezone = body.title, body.password, tz_name
        meeting.start, meeting.end = start, end
        meeting.host_email = body.hostEmail or meeting.host_email
        meeting.enabled_auto_record = body.enabledAutoRecordMeeting
        meeting.enabled_join_before_host = body.enabledJoinBeforeHost
        meeting.send_email = body.sendEmail
        meeting.integration_tags = list(body.integrationTags)
        meeting.extra = {k: v for k, v in body.model_dump().items() if k not in known}
        return meeting.to_json()

    @api.delete("/meetings/{meeting_id}", status_code=204)
    async def delete_meeting(meeting_id: str, sendEmail: bool = True) -> Response:
        """Webex's delete sends cancellation emails unless `sendEmail=false`; the tombstone records it."""
        meeting = _get_meeting(state, meeting_id)
        del state.meetings[meeting_id]
        stamp = webex_timestamp(now_utc())
        state.deleted_meetings.append(
            {**meeting.to_json(), "deletedAt": stamp, "cancellationEmailSent": sendEmail}
        )
        return Response(status_code=204)


def _message_routes(api: APIRouter, state: EmulatorState) -> None:
    @api.post("/messages")
    async def create_message(body: MessageCreate) -> dict[str, Any]:
        if not (body.roomId or body.toPersonId or body.toPersonEmail):
            raise WebexApiError(400, "One of roomId, toPersonId or toPersonEmail is required.")
        if not (body.text or body.markdown or body.files):
            raise WebexApiError(400, "One of text, markdown or files is required.")
        message: dict[str, Any] = {
            "id": spark_id("MESSAGE"),
            "roomId": body.roomId or spark_id("ROOM", f"direct:{body.toPersonEmail or body.toPersonId}"),
            "roomType": "group" if body.roomId else "direct",
            "text": body.text or body.markdown,
            "personId": ACTOR_ID,
            "personEmail": ACTOR_EMAIL,
            "created": webex_timestamp(now_utc()),
        }
        optional = {
            "toPersonEmail": body.toPersonEmail,
            "toPersonId": body.toPersonId,
            "markdown": body.markdown,
            "parentId": body.parentId,
            "files": body.files,
        }
        message.update({k: v for k, v in optional.items() if v is not None})
        state.messages.append(message)
        return message

    @api.get("/messages")
    async def list_messages(roomId: str | None = None, toPersonEmail: str | None = None) -> dict[str, Any]:
        """Webex requires `roomId`; the emulator also lists everything, for people inspecting it."""
        items = [
            m
            for m in reversed(state.messages)
            if (roomId is None or m["roomId"] == roomId)
            and (toPersonEmail is None or m.get("toPersonEmail") == toPersonEmail)
        ]
        return {"items": items}

    @api.get("/messages/direct")
    async def list_direct(personEmail: str) -> dict[str, Any]:
        return {"items": [m for m in reversed(state.messages) if m.get("toPersonEmail") == personEmail]}

    @api.get("/messages/{message_id}")
    async def get_message(message_id: str) -> dict[str, Any]:
        for message in state.messages:
            if message["id"] == message_id:
                return message
        raise WebexApiError(404, "Message not found.")


def _recording_and_webhook_routes(api: APIRouter, state: EmulatorState) -> None:
    @api.get("/recordings")
    async def list_recordings(
        meetingId: str | None = None, hostEmail: str | None = None, integrationTag: str | None = None
    ) -> dict[str, Any]:
        found = [
            r
            for r in state.recordings.values()
            if (meetingId is None or r.meeting.id == meetingId)
            and (hostEmail is None or r.meeting.host_email.lower() == hostEmail.lower())
            and (integrationTag is None or integrationTag in r.meeting.integration_tags)
        ]
        found.sort(key=lambda r: r.created, reverse=True)  # Webex lists newest first
        return {"items": [r.to_json() for r in found]}

    @api.get("/recordings/{recording_id}")
    async def get_recording(recording_id: str) -> dict[str, Any]:
        recording = state.recordings.get(recording_id)
        if recording is None:
            raise WebexApiError(404, "Recording not found.")
        return recording.to_json(details=True)

    @api.post("/webhooks")
    async def create_webhook(body: WebhookCreate) -> dict[str, Any]:
        if body.resource not in WEBHOOK_RESOURCES or body.event not in WEBHOOK_EVENTS:
            raise WebexApiError(400, f"Unsupported resource/event: {body.resource}/{body.event}")
        hook = Webhook(
            id=spark_id("WEBHOOK"),
            name=body.name,
            target_url=body.targetUrl,
            resource=body.resource,
            event=body.event,
            filter=body.filter,
            secret=body.secret,
        )
        state.webhooks[hook.id] = hook
        return hook.to_json()

    @api.get("/webhooks")
    async def list_webhooks() -> dict[str, Any]:
        return {"items": [h.to_json() for h in state.webhooks.values()]}

    @api.get("/webhooks/{webhook_id}")
    async def get_webhook(webhook_id: str) -> dict[str, Any]:
        hook = state.webhooks.get(webhook_id)
        if hook is None:
            raise WebexApiError(404, "Webhook not found.")
        return hook.to_json()

    @api.delete("/webhooks/{webhook_id}", status_code=204)
    async def delete_webhook(webhook_id: str) -> Response:
        if state.webhooks.pop(webhook_id, None) is None:
            raise WebexApiError(404, "Webhook not found.")
        return Response(status_code=204)
