"""`/_control`: the hand on the emulator — what real Webex does by itself, made explicit.

No auth here: it is a local test/dev tool and must never be exposed. The endpoints

- inject faults (`POST/DELETE /_control/faults`): the next N matching `/v1` requests fail with the
  given status (429 always carries `Retry-After`), to exercise the Temporal retry path; or, with
  `seconds`, every matching request fails for that long (an outage that ends by itself);
- move a meeting through its life (`POST /_control/meetings/{id}/start|end|fail`) and deliver the
  matching webhook events before answering:
  * `start`: scheduled → inProgress, event `meetings`/`started`;
  * `end`: → ended, event `meetings`/`ended`; with auto-record on, a recording is created and
    `recordings`/`created` follows;
  * `fail`: the meeting broke down — → ended, `meetings`/`ended`, and no recording ever appears,
    which is exactly what Webex shows in that case (there is no "failed" event to rely on);
- `GET /_control/state` dumps everything, `POST /_control/reset` forgets everything.

The control responses carry `deliveries` (one entry per webhook call) and `statuses` (just the HTTP
status codes, `null` where the receiver could not be reached).
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response

from webex_emulator.delivery import deliver
from webex_emulator.errors import WebexApiError
from webex_emulator.schemas import FaultCreate
from webex_emulator.state import EmulatorState, FaultRule, Meeting, Recording, now_utc

FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64

_MEETING_EVENT_KEYS = (
    "meetingNumber", "title", "start", "end", "timezone", "hostUserId", "hostDisplayName",
    "hostEmail", "siteUrl", "state", "integrationTags",
)  # fmt: skip
_RECORDING_EVENT_KEYS = (
    "meetingId", "meetingSeriesId", "scheduledMeetingId", "topic", "createTime", "timeRecorded",
    "hostEmail", "siteUrl", "format", "serviceType", "durationSeconds", "integrationTags",
)  # fmt: skip


def meeting_event_data(meeting: Meeting) -> dict[str, Any]:
    body = meeting.to_json()
    data: dict[str, Any] = {"id": meeting.id, "meetingId": meeting.id, "meetingSeriesId": meeting.id}
    data.update({key: body[key] for key in _MEETING_EVENT_KEYS})
    data["meetingType"] = "meeting"
    return data


def recording_event_data(recording: Recording) -> dict[str, Any]:
    body = recording.to_json()
    return {"id": recording.id, **{key: body[key] for key in _RECORDING_EVENT_KEYS}}


def build_control_router(state: EmulatorState, webhook_secret: str) -> APIRouter:
    router = APIRouter()

    def live_meeting(meeting_id: str, allowed: tuple[str, ...]) -> Meeting:
        meeting = state.meetings.get(meeting_id)
        if meeting is None:
            raise WebexApiError(404, "Meeting not found.")
        if meeting.state not in allowed:
            raise WebexApiError(409, f"Meeting is {meeting.state}.")
        return meeting

    async def finish(meeting: Meeting, outcome: str, request: Request) -> dict[str, Any]:
        meeting.state, meeting.outcome, meeting.ended_at = "ended", outcome, now_utc()
        deliveries = await deliver(state, webhook_secret, "meetings", "ended", meeting_event_data(meeting))
        recording = None
        if outcome == "ended" and meeting.enabled_auto_record:
            recording = state.add_recording(meeting, str(request.base_url).rstrip("/"))
            data = recording_event_data(recording)
            deliveries += await deliver(state, webhook_secret, "recordings", "created", data)
        return _result(meeting, recording, deliveries)

    @router.get("/_control/health")
    async def health() -> dict[str, Any]:
        return {"ok": True}

    @router.post("/_control/faults")
    async def add_fault(body: FaultCreate) -> dict[str, Any]:
        method = body.method.upper() if body.method else None
        until = time.monotonic() + body.seconds if body.seconds is not None else None
        rule = FaultRule(body.path_prefix, method, body.status, body.count, body.retry_after, until)
        state.faults.append(rule)
        return {"faults": [f.to_json() for f in state.faults]}

    @router.delete("/_control/faults")
    async def clear_faults() -> dict[str, Any]:
        state.faults.clear()
        return {"faults": []}

    @router.post("/_control/meetings/{meeting_id}/start")
    async def start_meeting(meeting_id: str) -> dict[str, Any]:
        meeting = live_meeting(meeting_id, ("scheduled",))
        meeting.state, meeting.started_at = "inProgress", now_utc()
        deliveries = await deliver(state, webhook_secret, "meetings", "started", meeting_event_data(meeting))
        return _result(meeting, None, deliveries)

    @router.post("/_control/meetings/{meeting_id}/end")
    async def end_meeting(meeting_id: str, request: Request) -> dict[str, Any]:
        return await finish(live_meeting(meeting_id, ("scheduled", "inProgress")), "ended", request)

    @router.post("/_control/meetings/{meeting_id}/fail")
    async def fail_meeting(meeting_id: str, request: Request) -> dict[str, Any]:
        return await finish(live_meeting(meeting_id, ("scheduled", "inProgress")), "failed", request)

    @router.get("/_control/state")
    async def dump_state() -> dict[str, Any]:
        return state.dump()

    @router.post("/_control/reset")
    async def reset() -> dict[str, Any]:
        state.reset()
        return {"ok": True}

    @router.get("/_files/recordings/{recording_id}.mp4")
    async def recording_file(recording_id: str) -> Response:
        """Stands in for Webex's temporary direct download link (no auth, like the real one)."""
        if recording_id not in state.recordings:
            raise WebexApiError(404, "Recording not found.")
        return Response(FAKE_MP4, media_type="video/mp4")

    return router


def _result(
    meeting: Meeting, recording: Recording | None, deliveries: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "meeting": meeting.to_json(),
        "recording": recording.to_json(details=True) if recording else None,
        "deliveries": deliveries,
        "statuses": [d["status"] for d in deliveries],
    }
