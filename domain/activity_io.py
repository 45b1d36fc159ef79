"""Names and payloads of every activity, shared by the workflow (which calls them by name, so it
never imports I/O code) and by the activity implementations (which register under these names)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Final

from pydantic import Field

from domain.models import (
    ArchiveRecord,
    AudienceRecord,
    Channel,
    FileInfo,
    FileRef,
    Language,
    Level,
    MeetingInfo,
    Model,
    Policy,
    ResolutionAction,
    Role,
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


# The ticket's municipality (`TicketInput.municipality`), so an activity can look up its city.
Municipality = Annotated[str, Field(max_length=63, description="the ticket's municipality id")]


class TicketFacts(Model):
    """What an email and its calendar invite print of a ticket: a few fields of the `TicketView`,
    never its timeline or earlier audiences, so the history holds each email's request in a few
    hundred bytes (issue 11: lean histories)."""

    ticket_id: str
    level: Level
    registration_number: str
    subject: str | None
    channel: Channel
    assignee_name: str | None
    slot_start: datetime | None
    meeting: MeetingInfo | None
    document_number: str | None
    escalation_deadline: datetime | None
    next_level: Level | None

    @classmethod
    def from_view(cls, view: TicketView) -> TicketFacts:
        """An email asked for with the whole view (histories before `lean-activity-inputs-v1`)."""
        return cls(
            ticket_id=view.ticket_id,
            level=view.level,
            registration_number=view.registration_number,
            subject=view.subject,
            channel=view.channel,
            assignee_name=view.assignee.name if view.assignee is not None else None,
            slot_start=view.slot_start,
            meeting=view.meeting,
            document_number=view.document_number,
            escalation_deadline=view.escalation_deadline,
            next_level=view.next_level,
        )


class EmailRequest(Model):
    """One email. The activity renders `templates/email/<lang>/<kind>.txt.j2` with `ticket`; the
    workflow only says what to send, to whom, and in which language. The rendered email never
    travels back: the activity returns nothing."""

    kind: str = Field(pattern="^[a-z_]+$")
    municipality: Municipality = ""
    to: str
    language: Language
    ticket: TicketFacts
    note: str = ""
    attach_document: str | None = None
    attach_documents: list[str] = Field(
        default=[], description="earlier levels' resolutions, for the next holder"
    )


class Holder(Model):
    """Who held an audience, as a letter names them: no addresses."""

    name: str
    role: Role

    @classmethod
    def of(cls, staff: StaffMember | None) -> Holder | None:
        return None if staff is None else cls(name=staff.name, role=staff.role)


class EarlierResolution(Model):
    """What the letter quotes of an earlier level's audience (R9)."""

    level: Level
    holder: Holder
    document_number: str | None
    meeting_start: datetime | None
    conclusions: str | None

    @classmethod
    def of(cls, audience: AudienceRecord) -> EarlierResolution:
        return cls(
            level=audience.level,
            holder=Holder(name=audience.staff.name, role=audience.staff.role),
            document_number=audience.document_number,
            meeting_start=audience.meeting.start if audience.meeting is not None else None,
            conclusions=audience.conclusions,
        )


class LetterFacts(Model):
    """What the resolution letter prints of a ticket: the email's facts plus who held the audience
    (name and role) and the earlier levels' resolutions it quotes (R9)."""

    ticket_id: str
    level: Level
    registration_number: str
    subject: str | None
    channel: Channel
    assignee: Holder | None
    meeting_start: datetime | None
    escalation_deadline: datetime | None
    next_level: Level | None
    audiences: list[EarlierResolution]

    @classmethod
    def from_view(cls, view: TicketView) -> LetterFacts:
        """A letter asked for with the whole view (histories before `lean-activity-inputs-v1`)."""
        return cls(
            ticket_id=view.ticket_id,
            level=view.level,
            registration_number=view.registration_number,
            subject=view.subject,
            channel=view.channel,
            assignee=Holder.of(view.assignee),
            meeting_start=view.meeting.start if view.meeting is not None else view.slot_start,
            escalation_deadline=view.escalation_deadline,
            next_level=view.next_level,
            audiences=[EarlierResolution.of(a) for a in view.audiences],
        )


class DocumentRequest(Model):
    """The activity returns only the registered number and file name: the PDF's bytes stay in the
    registry and never enter the history."""

    municipality: Municipality = ""
    ticket: LetterFacts
    resolution: ResolutionAction
    at: datetime


class ArchiveRequest(Model):
    """A finished audience for the archive (R10). With `webex_meeting_id`, and no recording in the
    record yet, the activity first asks Webex for the meeting's recording and archives it with the
    rest: one activity where there were two. It returns the recording's reference (or none)."""

    municipality: Municipality = ""
    record: ArchiveRecord
    webex_meeting_id: str | None = None


class MoveMeetingRequest(Model):
    meeting: MeetingInfo
    start: datetime
    end: datetime


class HostNoticeRequest(Model):
    """A Webex message to the person holding the audience: what, when, and where in the app."""

    municipality: Municipality = ""
    ticket_id: str
    host_webex_email: str
    registration_number: str
    subject: str | None
    slot_start: datetime | None
    how: str = Field(description="the meeting's join link, or its channel when it has none")


class DeadlinesRequest(Model):
    """Instants `start + d` for each `d`, counting only working hours (R8's reminder and deadline)."""

    start: datetime
    working_hours: list[timedelta]


# --- the shapes scheduled before `lean-activity-inputs-v1` ------------------------------------------
# Tickets started before it replay with these, and their activities may still be retried after a
# deploy: the activities accept both shapes (the union below) and turn the old into the new.


class EmailRequestWithView(Model):
    kind: str = Field(pattern="^[a-z_]+$")
    to: str
    language: Language
    ticket: TicketView
    note: str = ""
    attach_document: str | None = None
    attach_documents: list[str] = Field(default=[])

    def lean(self) -> EmailRequest:
        return EmailRequest(**self.model_dump(exclude={"ticket"}), ticket=TicketFacts.from_view(self.ticket))


class DocumentRequestWithView(Model):
    ticket: TicketView
    resolution: ResolutionAction
    at: datetime

    def lean(self) -> DocumentRequest:
        return DocumentRequest(
            ticket=LetterFacts.from_view(self.ticket), resolution=self.resolution, at=self.at
        )


class HostNoticeRequestWithView(Model):
    host: StaffMember
    ticket: TicketView

    def lean(self) -> HostNoticeRequest:
        ticket = self.ticket
        meeting = ticket.meeting
        return HostNoticeRequest(
            ticket_id=ticket.ticket_id,
            host_webex_email=self.host.webex_email,
            registration_number=ticket.registration_number,
            subject=ticket.subject,
            slot_start=ticket.slot_start,
            how=meeting.join_url if meeting is not None and meeting.join_url else ticket.channel.value,
        )


AnyEmailRequest = EmailRequest | EmailRequestWithView
AnyDocumentRequest = DocumentRequest | DocumentRequestWithView
AnyHostNoticeRequest = HostNoticeRequest | HostNoticeRequestWithView
# Before it, the workflow found the recording with its own activity and archived the bare record.
AnyArchiveRequest = ArchiveRequest | ArchiveRecord
