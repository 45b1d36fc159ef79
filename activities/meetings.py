"""The meeting itself: a Webex meeting for the webex channel, an arrangement for phone/in person."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.catalogs import say, short_moment
from domain import activity_io as io
from domain.models import Channel, Language, MeetingInfo
from integrations.webex import WebexMeetings, WebexPermanentError, WebexRetryableError

BUCHAREST = ZoneInfo("Europe/Bucharest")


class MeetingActivities:
    def __init__(self, webex: WebexMeetings) -> None:
        self.webex = webex

    @activity.defn(name=io.CREATE_MEETING)
    def create_meeting(self, request: io.MeetingRequest) -> MeetingInfo:
        if request.channel != Channel.WEBEX:
            phone = request.citizen_phone if request.channel == Channel.PHONE else None
            return MeetingInfo(channel=request.channel, start=request.start, end=request.end, phone=phone)
        try:
            # The title carries no personal data: Webex is outside the city's archive.
            meeting = self.webex.create_meeting(
                title=f"Tichet albastru {request.ticket_id}",
                start=request.start,
                end=request.end,
                host_email=request.host.webex_email,
                # A retry after a lost reply must not create a second meeting.
                idempotency_key=request.idempotency_key or f"{request.ticket_id}:{int(request.level)}",
            )
        except WebexPermanentError as err:
            raise ApplicationError(str(err), type="WebexPermanentError", non_retryable=True) from err
        except WebexRetryableError as err:
            raise honouring_retry_after(err) from err
        return MeetingInfo(
            channel=Channel.WEBEX,
            start=request.start,
            end=request.end,
            meeting_id=meeting.id,
            join_url=meeting.join_url,
        )

    @activity.defn(name=io.CANCEL_MEETING)
    def cancel_meeting(self, meeting: MeetingInfo) -> None:
        if meeting.meeting_id is not None:
            self.webex.delete_meeting(meeting.meeting_id)


def honouring_retry_after(err: WebexRetryableError) -> ApplicationError:
    """Let Temporal's retry wait as long as Webex asked (429 Retry-After) instead of its own backoff."""
    delay = timedelta(seconds=err.retry_after) if err.retry_after else None
    return ApplicationError(str(err), type="WebexRetryableError", next_retry_delay=delay)


class MeetingFollowUpActivities:
    """Everything around a Webex meeting after it is created: moving it, telling its host, and
    finding its recording for the archive (R10)."""

    def __init__(self, webex: WebexMeetings, base_url: str) -> None:
        self.webex, self.base_url = webex, base_url.rstrip("/")

    @activity.defn(name=io.MOVE_MEETING)
    def move_meeting(self, request: io.MoveMeetingRequest) -> MeetingInfo:
        if request.meeting.meeting_id is None:
            return request.meeting.model_copy(update={"start": request.start, "end": request.end})
        try:
            moved = self.webex.update_meeting(request.meeting.meeting_id, request.start, request.end)
        except WebexPermanentError as err:
            raise ApplicationError(str(err), type="WebexPermanentError", non_retryable=True) from err
        except WebexRetryableError as err:
            raise honouring_retry_after(err) from err
        return request.meeting.model_copy(
            update={"start": request.start, "end": request.end, "join_url": moved.join_url}
        )

    @activity.defn(name=io.NOTIFY_HOST)
    def notify_host(self, asked: io.AnyHostNoticeRequest) -> str:
        """A Webex message to the clerk: the ticket at a glance and where to act on it."""
        # Tickets started before `lean-activity-inputs-v1` still ask with the whole view.
        request = asked.lean() if isinstance(asked, io.HostNoticeRequestWithView) else asked
        when = (
            short_moment(request.slot_start.astimezone(BUCHAREST), Language.RO) if request.slot_start else "—"
        )
        link = f"{self.base_url}/personal/tichete/{activity.info().workflow_id}"
        markdown = say(
            "staff.webex.host_notice",
            Language.RO,
            number=request.registration_number,
            subject=request.subject or "—",
            when=when,
            how=request.how,
            link=link,
        )
        try:
            return self.webex.post_message(request.host_webex_email, markdown)
        except WebexPermanentError as err:
            raise ApplicationError(str(err), type="WebexPermanentError", non_retryable=True) from err
        except WebexRetryableError as err:
            raise honouring_retry_after(err) from err

    @activity.defn(name=io.FIND_RECORDING)
    def find_recording(self, meeting: MeetingInfo) -> str | None:
        if meeting.meeting_id is None:
            return None
        try:
            return self.webex.find_recording(meeting.meeting_id)
        except WebexRetryableError as err:
            raise honouring_retry_after(err) from err
