"""Request bodies the emulator accepts, named and defaulted as the Webex REST API documents them.

Defaults matter here: Webex sends invitation emails (`sendEmail`) unless told not to and does not
auto-record unless told to, so a client that forgets a setting is caught by the emulator exactly as
it would be by Webex. Unknown fields are accepted and kept, as Webex ignores what it does not know.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field

from webex_emulator.errors import WebexApiError

WEBHOOK_RESOURCES = {"all", "meetings", "recordings", "messages", "rooms", "memberships", "attachmentActions"}
WEBHOOK_EVENTS = {"all", "created", "updated", "deleted", "started", "ended"}


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class _MeetingFields(_Body):
    title: str = Field(min_length=1, max_length=128)
    start: str
    end: str
    hostEmail: str | None = None
    enabledAutoRecordMeeting: bool = False
    enabledJoinBeforeHost: bool = False
    sendEmail: bool = True
    integrationTags: list[str] = Field(default_factory=list)


class MeetingCreate(_MeetingFields):
    timezone: str = "UTC"
    password: str | None = None


class MeetingUpdate(_MeetingFields):
    """Webex's PUT replaces the meeting: title, password, start and end are required and options
    left out fall back to their defaults (so re-send everything you want to keep). Host and time
    zone stay as they were when left out."""

    timezone: str | None = None
    password: str = Field(min_length=1)


class MessageCreate(_Body):
    roomId: str | None = None
    toPersonId: str | None = None
    toPersonEmail: str | None = None
    parentId: str | None = None
    text: str | None = None
    markdown: str | None = None
    files: list[str] | None = None


class WebhookCreate(_Body):
    name: str = Field(min_length=1)
    targetUrl: str = Field(pattern=r"^https?://")
    resource: str
    event: str
    filter: str | None = None
    secret: str | None = None


class FaultCreate(BaseModel):
    """`POST /_control/faults`: the next `count` requests matching path prefix and method fail; with
    `seconds`, every matching request fails until that many seconds have passed (an outage)."""

    model_config = ConfigDict(extra="forbid")
    path_prefix: str = "/v1"
    method: str | None = None
    status: int = Field(ge=400, le=599)
    count: int = Field(default=1, ge=1)
    retry_after: int | None = Field(default=None, ge=0)
    seconds: float | None = Field(default=None, gt=0, le=3600)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise WebexApiError(400, f"Invalid timezone: {name}") from exc


def parse_time(value: str, tz_name: str) -> datetime:
    """ISO 8601, with or without offset; a bare local time is read in the meeting's zone, as Webex does."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise WebexApiError(400, f"Invalid date-time: {value}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone(tz_name))
