"""Names and payloads of every activity, shared by the workflow (which calls them by name, so it
never imports I/O code) and by the activity implementations (which register under these names)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from pydantic import Field

from domain.models import (
    Channel,
    FileInfo,
    FileRef,
    Language,
    Level,
    MeetingInfo,
    Model,
    Policy,
    ResolutionAction,
    StaffMember,
    TicketView,
)

CHECK_ELIGIBILITY: Final = "check_eligibility"
ASSIGN_AUDIENCE: Final = "assign_audience"
CONFIRM_PICK: Final = "confirm_director_pick"
RESERVE_SLOT: Final = "reserve_slot"
RELEASE_SLOT: Final = "release_slot"
CREATE_MEETING: Final = "create_meeting"
CANCEL_MEETING: Final = "cancel_meeting"
MOVE_MEETING: Final = "move_meeting"
NOTIFY_HOST: Final = "notify_host"
FIND_RECORDING: Final = "find_recording"
WORKING_DEADLINES: Final = "working_deadlines"
SEND_EMAIL: Final = "send_email"
ISSUE_DOCUMENT: Final = "issue_resolution_document"
ARCHIVE_AUDIENCE: Final = "archive_audience"

# ApplicationError types the workflow reacts to; all are non-retryable.
FILE_NOT_ELIGIBLE: Final = "FileNotEligible"
SLOT_UNAVAILABLE: Final = "SlotUnavailable"
# The director's pick refusals carry their `domain.messages` code as the type, so the API can tell
# the director exactly why (issue 8).
PICK_NOT_DIRECTOR: Final = "pick_not_director"
PICK_NOT_IN_DEPARTMENT: Final = "pick_not_in_department"
PICK_ABSENT: Final = "pick_absent"


class EligibilityRequest(Model):
    file: FileRef
    as_of: datetime = Field(description="the workflow's now; the activity takes the city's date from it")
    answered_files_eligible_for: timedelta


class AssignRequest(Model):
    file: FileInfo
    level: Level
    at: datetime = Field(description="the slot; R2 asks who is present on its day in the city")


class PickRequest(Model):
    file: FileInfo
    director_id: str
    assignee_id: str
    at: datetime | None = Field(
        default=None, description="the slot; the pick must be present on its day (absent in old histories)"
    )


class ReserveRequest(Model):
    ticket_id: str
    level: Level
    staff: StaffMember
    start: datetime
    requested_at: datetime
    policy: Policy
    accepted_after_window: bool = Field(
        default=False, description="the window was full and the citizen chose one of the later slots offered"
    )
    replacing: datetime | None = Field(
        default=None,
        description="a reschedule: the start of the ticket's booking at this level, given up in the "
        "same transaction (kept if the new slot is taken)",
    )
    moved_at: datetime | None = Field(default=None, description="with `replacing`: the workflow's now")


class ReleaseRequest(Model):
    ticket_id: str
    level: Level
    at: datetime


class MeetingRequest(Model):
    ticket_id: str
    level: Level
    host: StaffMember
    start: datetime
    end: datetime
    channel: Channel
    citizen_phone: str
    idempotency_key: str | None = Field(
        default=None,
        description="Webex tag a retried create finds its meeting by; default <ticket_id>:<level>. A "
        "meeting recreated on a reschedule needs its own, or the old meeting would be found",
    )


class EmailRequest(Model):
    """One email. The activity renders `templates/email/<kind>.<language>.*.j2` with the ticket view;
    the workflow only says what to send, to whom, and in which language."""

    kind: str = Field(pattern="^[a-z_]+$")
    to: str
    language: Language
    ticket: TicketView
    note: str = ""
    attach_document: str | None = None
    attach_documents: list[str] = Field(
        default=[], description="earlier levels' resolutions, for the next holder"
    )


class DocumentRequest(Model):
    ticket: TicketView
    resolution: ResolutionAction
    at: datetime


class MoveMeetingRequest(Model):
    meeting: MeetingInfo
    start: datetime
    end: datetime


class HostNoticeRequest(Model):
    """A Webex message to the person holding the audience: what, when, and where in the app."""

    host: StaffMember
    ticket: TicketView


class DeadlinesRequest(Model):
    """Instants `start + d` for each `d`, counting only working hours (R8's reminder and deadline)."""

    start: datetime
    working_hours: list[timedelta]
