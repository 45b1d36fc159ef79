"""The meeting itself: a Webex meeting for the webex channel, an arrangement for phone/in person."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain import activity_io as io
from domain.models import Channel, MeetingInfo
from integrations.webex import WebexMeetings, WebexPermanentError, WebexRetryableError


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
                idempotency_key=f"{request.ticket_id}:{int(request.level)}",
            )
        except WebexPermanentError as err:
            raise ApplicationError(str(err), type="WebexPermanentError", non_retryable=True) from err
        except WebexRetryableError as err:
            raise _honouring_retry_after(err) from err
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


def _honouring_retry_after(err: WebexRetryableError) -> ApplicationError:
    """Let Temporal's retry wait as long as Webex asked (429 Retry-After) instead of its own backoff."""
    delay = timedelta(seconds=err.retry_after) if err.retry_after else None
    return ApplicationError(str(err), type="WebexRetryableError", next_retry_delay=delay)
