"""In-memory state of the Webex emulator.

Everything lives in one `EmulatorState` object owned by the app, so a test can reset it between cases
and `GET /_control/state` can show all of it at once. The handlers that touch it are all `async def`
and never await while mutating, so the single event loop serialises access and no lock is needed.

Records render themselves into the JSON shapes that `webexpythonsdk` 2.0.6 parses (camelCase keys,
Webex-style ids and timestamps), so the client under test sees what it would see from Webex.
"""

from __future__ import annotations

import base64
import secrets
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

SITE_URL = "primaria-emulator.webex.com"
ORG_ID = "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi9lbXVsYXRvcg"
APP_ID = "Y2lzY29zcGFyazovL3VzL0FQUExJQ0FUSU9OL2VtdWxhdG9y"
ACTOR_ID = "Y2lzY29zcGFyazovL3VzL1BFT1BMRS9lbXVsYXRvci1pbnRlZ3JhdGlvbg"
ACTOR_EMAIL = "tichet-albastru@primaria-emulator.example"


def now_utc() -> datetime:
    return datetime.now(UTC)


def webex_timestamp(moment: datetime) -> str:
    """Webex writes instants as UTC with milliseconds and a `Z` (the SDK's WEBEX_DATETIME_FORMAT)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def spark_id(kind: str, key: str | None = None) -> str:
    """Messaging-side Webex ids are base64 of `ciscospark://us/KIND/uuid`; mimic them so no client
    code can get away with assuming they are UUIDs. A `key` makes the id stable (one room per person)."""
    ident = uuid.uuid5(uuid.NAMESPACE_URL, key) if key else uuid.uuid4()
    raw = f"ciscospark://us/{kind}/{ident}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass
class Meeting:
    id: str
    meeting_number: str
    title: str
    password: str
    start: datetime
    end: datetime
    timezone: str
    host_email: str
    enabled_auto_record: bool
    enabled_join_before_host: bool
    send_email: bool
    integration_tags: list[str]
    extra: dict[str, Any] = field(default_factory=dict)
    state: str = "scheduled"
    created: datetime = field(default_factory=now_utc)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: str | None = None  # emulator-only: "ended" or "failed"

    def to_json(self) -> dict[str, Any]:
        zone = ZoneInfo(self.timezone)
        body: dict[str, Any] = dict(self.extra)
        body.update(
            {
                "id": self.id,
                "meetingNumber": self.meeting_number,
                "title": self.title,
                "password": self.password,
                "meetingType": "meetingSeries",
                "state": self.state,
                "timezone": self.timezone,
                "start": self.start.astimezone(zone).isoformat(timespec="seconds"),
                "end": self.end.astimezone(zone).isoformat(timespec="seconds"),
                "hostUserId": spark_id("PEOPLE", self.host_email),
                "hostDisplayName": self.host_email.split("@")[0],
                "hostEmail": self.host_email,
                "siteUrl": SITE_URL,
                "webLink": f"https://{SITE_URL}/primaria-emulator/j.php?MTID=m{self.id}",
                "sipAddress": f"{self.meeting_number}@{SITE_URL}",
                "enabledAutoRecordMeeting": self.enabled_auto_record,
                "enabledJoinBeforeHost": self.enabled_join_before_host,
                "joinBeforeHostMinutes": 0,
                "sendEmail": self.send_email,
                "integrationTags": list(self.integration_tags),
                "scheduledType": "meeting",
            }
        )
        return body


@dataclass
class Recording:
    id: str
    meeting: Meeting
    created: datetime
    duration_seconds: int
    file_url: str

    def to_json(self, *, details: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "meetingId": self.meeting.id,
            "scheduledMeetingId": self.meeting.id,
            "meetingSeriesId": self.meeting.id,
            "topic": self.meeting.title,
            "createTime": webex_timestamp(self.created),
            "timeRecorded": webex_timestamp(self.meeting.started_at or self.meeting.start),
            "hostEmail": self.meeting.host_email,
            "siteUrl": SITE_URL,
            "downloadUrl": f"https://{SITE_URL}/primaria-emulator/lsr.php?RCID={self.id}",
            "playbackUrl": f"https://{SITE_URL}/primaria-emulator/ldr.php?RCID={self.id}",
            "password": self.meeting.password,
            "format": "MP4",
            "serviceType": "MeetingCenter",
            "durationSeconds": self.duration_seconds,
            "sizeBytes": 1024 * self.duration_seconds,
            "shareToMe": False,
            "integrationTags": list(self.meeting.integration_tags),
            "status": "available",
        }
        if details:  # Webex only hands out the short-lived direct links on GET /recordings/{id}
            body["temporaryDirectDownloadLinks"] = {
                "recordingDownloadLink": self.file_url,
                "expiration": webex_timestamp(now_utc().replace(microsecond=0)),
            }
        return body


@dataclass
class Webhook:
    id: str
    name: str
    target_url: str
    resource: str
    event: str
    filter: str | None
    secret: str | None
    created: datetime = field(default_factory=now_utc)

    def matches(self, resource: str, event: str) -> bool:
        return self.resource in (resource, "all") and self.event in (event, "all")

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "targetUrl": self.target_url,
            "resource": self.resource,
            "event": self.event,
            "orgId": ORG_ID,
            "createdBy": ACTOR_ID,
            "appId": APP_ID,
            "ownedBy": "creator",
            "status": "active",
            "created": webex_timestamp(self.created),
        }
        if self.filter:
            body["filter"] = self.filter
        if self.secret:
            body["secret"] = self.secret
        return body


@dataclass
class FaultRule:
    path_prefix: str
    method: str | None
    status: int
    remaining: int
    retry_after: int | None
    until: float | None = None  # time.monotonic() at which an outage ends; then `remaining` is unused

    def matches(self, method: str, path: str) -> bool:
        return path.startswith(self.path_prefix) and self.method in (None, method.upper())

    def over(self) -> bool:
        return self.until is not None and time.monotonic() >= self.until

    def to_json(self) -> dict[str, Any]:
        left = None if self.until is None else round(max(0.0, self.until - time.monotonic()), 3)
        return {
            "path_prefix": self.path_prefix,
            "method": self.method,
            "status": self.status,
            "count": self.remaining if self.until is None else None,
            "retry_after": self.retry_after,
            "seconds_left": left,
        }


@dataclass
class EmulatorState:
    meetings: dict[str, Meeting] = field(default_factory=dict)
    deleted_meetings: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    recordings: dict[str, Recording] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    faults: list[FaultRule] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)

    def reset(self) -> None:
        self.meetings.clear()
        self.deleted_meetings.clear()
        self.messages.clear()
        self.recordings.clear()
        self.webhooks.clear()
        self.faults.clear()
        self.deliveries.clear()

    def new_meeting_ids(self) -> tuple[str, str]:
        """A 32-hex meeting id and an unused 11-digit meeting number, as Webex issues them."""
        used = {m.meeting_number for m in self.meetings.values()}
        while True:
            number = "25" + "".join(secrets.choice("0123456789") for _ in range(9))
            if number not in used:
                return uuid.uuid4().hex, number

    def take_fault(self, method: str, path: str) -> FaultRule | None:
        """Consume one use of the first rule matching this request, if any (an outage is not used
        up: it lasts until its time is over)."""
        self.faults[:] = [rule for rule in self.faults if not rule.over()]
        for rule in self.faults:
            if rule.matches(method, path):
                if rule.until is not None:
                    return rule
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.faults.remove(rule)
                return rule
        return None

    def add_recording(self, meeting: Meeting, file_base_url: str) -> Recording:
        started = meeting.started_at or meeting.start
        ended = meeting.ended_at or meeting.end
        rec_id = uuid.uuid4().hex
        recording = Recording(
            id=rec_id,
            meeting=meeting,
            created=now_utc(),
            duration_seconds=max(1, int((ended - started).total_seconds())),
            file_url=f"{file_base_url}/_files/recordings/{rec_id}.mp4",
        )
        self.recordings[rec_id] = recording
        return recording

    def dump(self) -> dict[str, Any]:
        return {
            "meetings": [{**m.to_json(), "emulator": _meeting_internals(m)} for m in self.meetings.values()],
            "deletedMeetings": list(self.deleted_meetings),
            "messages": list(self.messages),
            "recordings": [r.to_json(details=True) for r in self.recordings.values()],
            "webhooks": [w.to_json() for w in self.webhooks.values()],
            "faults": [f.to_json() for f in self.faults if not f.over()],
            "deliveries": list(self.deliveries),
        }


def _meeting_internals(meeting: Meeting) -> dict[str, Any]:
    """State the real API does not show but tests and developers want to see."""
    return {
        "created": webex_timestamp(meeting.created),
        "startedAt": webex_timestamp(meeting.started_at) if meeting.started_at else None,
        "endedAt": webex_timestamp(meeting.ended_at) if meeting.ended_at else None,
        "outcome": meeting.outcome,
    }
