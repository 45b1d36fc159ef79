"""The project's one Webex client: meetings, direct messages and recordings through `webexpythonsdk`.

Activities call `WebexMeetings`; nothing else in the project talks to Webex. The same code runs
against Webex and against the local emulator (`python -m webex_emulator`); only `base_url` and the
token change.

Failures surface at once, as one of two exception types, and are never retried or slept on here.
Temporal's activity retry policy owns retrying: it is durable, visible in the workflow history and
bounded by the workflow's own deadlines, whereas sleeping in-process (the SDK's default
`wait_on_rate_limit=True`) would hold a worker slot, hide the wait from the history and could
outlast the activity's timeouts. So the SDK is built with `wait_on_rate_limit=False` and:

- `WebexRetryableError` — 429, 408/423, any 5xx, timeouts and connection failures. It carries
  `retry_after` (seconds, from Webex's `Retry-After`) when Webex gave one; an activity should pass
  it on as `ApplicationError(..., next_retry_delay=timedelta(seconds=retry_after))`.
- `WebexPermanentError` — every other 4xx (bad token, forbidden, validation errors) and responses
  that are not Webex JSON: retrying cannot fix those, so activities mark them non-retryable.

Methods block (the SDK uses `requests`). Call them from synchronous activities, which Temporal runs
on the worker's thread pool, or through `asyncio.to_thread` — never straight from an `async def`
activity. Creating a `WebexMeetings` does no network I/O, so one per activity call is fine.

Privacy: meeting titles are visible to everyone Webex shows the meeting to (host calendar, lobby,
recording list, webhooks). Callers must pass titles without personal data — no citizen names,
registration numbers or file subjects; a neutral text such as "Tichet albastru 2025-0142" built
from an internal reference is the intent. This module cannot check that; it is the caller's job.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests
from pydantic import AwareDatetime, BaseModel, ConfigDict
from webexpythonsdk import ApiError, MalformedResponse, WebexAPI, dict_data_factory
from webexpythonsdk.restsession import RestSession

MEETING_TIME_ZONE = "Europe/Bucharest"
DEFAULT_TIMEOUT_SECONDS = 30
_RETRYABLE_4XX = frozenset({408, 423, 429})
_ALREADY_GONE = frozenset({404, 410})
# Broken configuration, not a passing network problem: retrying will not help.
_PERMANENT_TRANSPORT = (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)


class WebexError(Exception):
    """Base of the two failure kinds; `status_code` is None when no HTTP answer came back."""

    def __init__(self, message: str, *, status_code: int | None = None, tracking_id: str | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.tracking_id = tracking_id


class WebexRetryableError(WebexError):
    """Worth trying again later (rate limit, Webex outage, network). `retry_after` in seconds, if given."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        tracking_id: str | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, status_code=status_code, tracking_id=tracking_id)
        self.retry_after = retry_after


class WebexPermanentError(WebexError):
    """Retrying the same request cannot succeed (4xx other than 408/423/429, or a malformed answer)."""


class CreatedMeeting(BaseModel):
    """What the workflow needs to know about a scheduled Webex meeting; times are timezone-aware."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    join_url: str
    start: AwareDatetime
    end: AwareDatetime


class RecordingInfo(BaseModel):
    """A finished recording. `download_url` is Webex's short-lived direct link when it gave one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    meeting_id: str
    download_url: str
    playback_url: str | None
    duration_seconds: int | None


class WebexMeetings:
    """Schedules blue-ticket meetings and reaches clerks on Webex, with the project's fixed settings:
    recorded automatically (every meeting is archived), nobody in before the host (the clerk), no
    Webex emails (the project sends its own, in Romanian, with its own links), Romanian time."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        time_zone: str = MEETING_TIME_ZONE,
        timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        if not token:  # the SDK would silently fall back to the WEBEX_ACCESS_TOKEN variable
            raise ValueError("a Webex access token is required")
        # urljoin drops the last path segment unless it ends with "/", i.e. ".../v1" would lose "v1".
        base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._time_zone = time_zone
        self._zone = ZoneInfo(time_zone)
        options: dict[str, Any] = {
            "access_token": token,
            "base_url": base_url,
            "single_request_timeout": timeout_seconds,
            "wait_on_rate_limit": False,
        }
        self._api = WebexAPI(object_factory=dict_data_factory, **options)
        # The SDK's own session, for the two calls its wrappers get wrong (see delete_meeting and
        # find_recording): same auth, error mapping and JSON parsing, no hand-written HTTP.
        self._session = RestSession(**options)

    def create_meeting(
        self,
        title: str,
        start: datetime,
        end: datetime,
        host_email: str,
        *,
        idempotency_key: str | None = None,
    ) -> CreatedMeeting:
        """Schedule a meeting hosted by `host_email`. `title` must carry no personal data.

        Webex has no idempotent create: if the response is lost (timeout) and the activity retries,
        a second meeting appears. Pass `idempotency_key` (e.g. the workflow id) to store it as a
        Webex integration tag and reuse a meeting already tagged with it instead of creating one.
        """
        start_text, end_text = self._wire_time(start), self._wire_time(end)
        if end <= start:
            raise ValueError("a meeting must end after it starts")
        with _translated("create meeting"):
            if idempotency_key is not None:
                window = {
                    "from_": self._wire_time(start - timedelta(days=1)),
                    "to": self._wire_time(end + timedelta(days=1)),
                }
                for found in self._api.meetings.list(
                    integrationTag=idempotency_key, hostEmail=host_email, **window
                ):
                    return _created(found)
            meeting = self._api.meetings.create(
                title=title,
                start=start_text,
                end=end_text,
                timezone=self._time_zone,
                hostEmail=host_email,
                enabledAutoRecordMeeting=True,
                enabledJoinBeforeHost=False,
                sendEmail=False,
                integrationTags=[idempotency_key] if idempotency_key else None,
            )
            return _created(meeting)

    def update_meeting(self, meeting_id: str, start: datetime, end: datetime) -> CreatedMeeting:
        """Move a meeting. Webex's PUT replaces the whole meeting, so the current title, password,
        host and tags are read first and every fixed setting is sent again."""
        start_text, end_text = self._wire_time(start), self._wire_time(end)
        if end <= start:
            raise ValueError("a meeting must end after it starts")
        with _translated("update meeting"):
            current = self._api.meetings.get(meeting_id)
            meeting = self._api.meetings.update(
                meeting_id,
                title=_text(current, "title"),
                password=_text(current, "password"),
                start=start_text,
                end=end_text,
                timezone=self._time_zone,
                hostEmail=current.get("hostEmail"),
                enabledAutoRecordMeeting=True,
                enabledJoinBeforeHost=False,
                sendEmail=False,
                integrationTags=list(current.get("integrationTags") or []) or None,
            )
            return _created(meeting)

    def delete_meeting(self, meeting_id: str) -> None:
        """Cancel a meeting without Webex emailing anyone. Already gone (404/410) counts as done, so
        a retried cancellation is harmless. (`meetings.delete` cannot pass `sendEmail=false`, and
        without it Webex emails a cancellation for a meeting whose invitation it never sent.)"""
        try:
            with _translated("delete meeting"):
                self._session.delete(f"meetings/{meeting_id}", params={"sendEmail": "false"})
        except WebexPermanentError as exc:
            if exc.status_code not in _ALREADY_GONE:
                raise

    def post_message(self, to_email: str, markdown: str) -> str:
        """Send a 1:1 Webex message (to a clerk) and return its id."""
        with _translated("post message"):
            message = self._api.messages.create(toPersonEmail=to_email, markdown=markdown)
            return _text(message, "id")

    def find_recording(self, meeting_id: str) -> str | None:
        """The id of the newest recording of a meeting, or None while Webex has none (recordings
        appear some minutes after the meeting ends; the workflow waits for the webhook or retries)."""
        with _translated("find recording"):
            # Not `recordings.list`: in webexpythonsdk 2.0.6 it rejects a call without `integrationTag`
            # (a non-optional type check) and misnames `from`/`max`. Same SDK session, same parsing.
            for recording in self._session.get_items("recordings", params={"meetingId": meeting_id}):
                return _text(recording, "id")
        return None

    def get_recording(self, recording_id: str) -> RecordingInfo:
        """Details of one recording, including the short-lived direct download link used for archiving."""
        with _translated("get recording"):
            data = self._api.recordings.get(recording_id)
            links = data.get("temporaryDirectDownloadLinks") or {}
            return RecordingInfo(
                id=_text(data, "id"),
                meeting_id=_text(data, "meetingId"),
                download_url=str(links.get("recordingDownloadLink") or _text(data, "downloadUrl")),
                playback_url=data.get("playbackUrl"),
                duration_seconds=data.get("durationSeconds"),
            )

    def _wire_time(self, moment: datetime) -> str:
        """ISO 8601 with offset, in the meeting time zone. Naive datetimes are refused: around the
        DST change a wall-clock time is ambiguous, and guessing would move a citizen's meeting."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"meeting times must be timezone-aware, got {moment!r}")
        return moment.astimezone(self._zone).isoformat(timespec="seconds")


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        raise WebexPermanentError(f"Webex response has no {key!r}: {data!r}")
    return value


def _created(data: Any) -> CreatedMeeting:
    try:
        return CreatedMeeting(
            id=_text(data, "id"),
            join_url=_text(data, "webLink"),
            start=datetime.fromisoformat(_text(data, "start")),
            end=datetime.fromisoformat(_text(data, "end")),
        )
    except ValueError as exc:  # includes pydantic's ValidationError (e.g. a time without offset)
        raise WebexPermanentError(f"Webex returned an unreadable meeting: {exc}") from exc


def _retry_after_seconds(response: Any) -> float | None:
    """`Retry-After` is either delay-seconds or an HTTP date (RFC 9110); None when absent or garbled."""
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@contextmanager
def _translated(action: str) -> Iterator[None]:
    """Turn SDK and transport exceptions into the two kinds the activities act on."""
    try:
        yield
    except ApiError as exc:  # includes RateLimitError (429)
        status = int(exc.status_code)
        tracking = exc.tracking_id if isinstance(exc.tracking_id, str) else None
        message = f"{action}: {exc}"
        if status >= 500 or status in _RETRYABLE_4XX:
            retry_after = _retry_after_seconds(exc.response)
            raise WebexRetryableError(
                message, status_code=status, tracking_id=tracking, retry_after=retry_after
            ) from exc
        raise WebexPermanentError(message, status_code=status, tracking_id=tracking) from exc
    except _PERMANENT_TRANSPORT as exc:
        raise WebexPermanentError(f"{action}: bad Webex URL: {exc}") from exc
    except requests.exceptions.RequestException as exc:  # connection refused/reset, timeouts
        raise WebexRetryableError(f"{action}: Webex unreachable: {exc}") from exc
    except (MalformedResponse, json.JSONDecodeError) as exc:
        raise WebexPermanentError(f"{action}: Webex sent a malformed response: {exc}") from exc
