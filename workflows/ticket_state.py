"""Everything a blue ticket knows, and the records derived from it. Pure: no SDK calls, so the
rules and projections can be unit-tested without a Temporal server."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.activity_io import EarlierResolution, Holder, HostNoticeRequest, LetterFacts, TicketFacts
from domain.models import (
    ArchiveRecord,
    AudienceRecord,
    Booking,
    CancelAction,
    EscalateAction,
    FileInfo,
    Level,
    MeetingInfo,
    Outcome,
    RegisteredDocument,
    ResolutionAction,
    StaffMember,
    TicketInput,
    TicketStatus,
    TicketView,
    TimelineEntry,
)

NO_SHOWS = (Outcome.CITIZEN_NO_SHOW, Outcome.CLERK_NO_SHOW)
# Timeline steps whose detail carries text someone typed (the citizen's cancel or reschedule reason,
# the clerk's note): it may name or describe the citizen, and the Temporal UI's current details are
# the ticket's label for every ops user, not its file (rule 6). The `status` query keeps the text.
TYPED_TEXT_STEPS = frozenset({"cancelled by the citizen", "rescheduled", "outcome recorded"})
# A permanent failure of an email to the citizen (a bounce, a refusal): the clerk phones them.
CITIZEN_EMAIL_FAILED = "citizen email failed"


@dataclass(frozen=True)
class PendingMove:
    """A reschedule under way (workflows/ticket_moves.py). Not `secured`: the update is reserving
    the new slot, and a second move is refused meanwhile. `secured`: the new slot is the ticket's,
    the caller was told yes, and the main flow moves the meeting and sends the invitations."""

    previous_start: datetime
    by: str  # "citizen" or "clerk <staff id>"
    reason: str
    secured: bool = False


@dataclass
class TicketState:
    inp: TicketInput
    status: TicketStatus = TicketStatus.VALIDATING
    timeline: list[TimelineEntry] = field(default_factory=list)
    file: FileInfo | None = None
    assignee: StaffMember | None = None
    director: StaffMember | None = None
    slot_start: datetime | None = None
    booking: Booking | None = None
    meeting: MeetingInfo | None = None
    outcome: Outcome | None = None
    resolution: ResolutionAction | None = None
    document: RegisteredDocument | None = None
    cancel: CancelAction | None = None
    escalation: EscalateAction | None = None
    escalation_deadline: datetime | None = None
    rejection_code: str | None = None
    reschedules: int = 0
    move: PendingMove | None = None
    attempt: int = 0  # meetings held (or missed) at this level: a clerk no-show books another
    meeting_started: bool = False
    meeting_started_at: datetime | None = None  # when Webex said it began
    in_person: bool | None = None  # the clerk's answer to an in-person request
    outcome_by_webex: bool = False
    recording_ref: str | None = None
    archived: bool = False

    @classmethod
    def start(cls, inp: TicketInput) -> TicketState:
        return cls(inp=inp, timeline=list(inp.timeline), file=inp.file_info, slot_start=inp.slot_start)

    @property
    def level(self) -> Level:
        return self.inp.level

    @property
    def next_level(self) -> Level | None:
        return Level(self.level + 1) if self.level < Level.MAYOR else None

    def clerk_has_answered(self) -> bool:
        return self.resolution is not None or self.outcome in NO_SHOWS

    def view(self) -> TicketView:
        return TicketView(
            ticket_id=self.inp.ticket_id,
            status=self.status,
            level=self.level,
            registration_number=self.inp.file.registration_number,
            subject=self.file.subject if self.file else None,
            department_id=self.file.department_id if self.file else None,
            channel=self.meeting.channel if self.meeting else self.inp.channel,
            citizen_language=self.inp.citizen.language,
            assignee=self.assignee,
            slot_start=self.slot_start,
            meeting=self.meeting,
            outcome=self.outcome,
            document_number=self.document.registration_number if self.document else None,
            escalation_deadline=self.escalation_deadline,
            next_level=self.next_level,
            rejection_code=self.rejection_code,
            audiences=self.inp.audiences,
            timeline=self.timeline,
            citizen_email_failure=self.citizen_email_failure(),
        )

    def citizen_email_failure(self) -> TimelineEntry | None:
        """From the timeline, so it outlives an escalation (the next level's email goes to the same
        address) without a field of its own in the next level's input."""
        return next((e for e in reversed(self.timeline) if e.step == CITIZEN_EMAIL_FAILED), None)

    def facts(self) -> TicketFacts:
        """What an email prints of the ticket (the view's fields it needs, none of its timeline)."""
        meeting = self.meeting
        return TicketFacts(
            ticket_id=self.inp.ticket_id,
            level=self.level,
            registration_number=self.inp.file.registration_number,
            subject=self.file.subject if self.file else None,
            channel=meeting.channel if meeting else self.inp.channel,
            assignee_name=self.assignee.name if self.assignee else None,
            slot_start=self.slot_start,
            meeting=meeting,
            document_number=self.document.registration_number if self.document else None,
            escalation_deadline=self.escalation_deadline,
            next_level=self.next_level,
        )

    def letter_facts(self) -> LetterFacts:
        """What the resolution letter prints: the facts, who held the audience, earlier resolutions."""
        meeting = self.meeting
        return LetterFacts(
            ticket_id=self.inp.ticket_id,
            level=self.level,
            registration_number=self.inp.file.registration_number,
            subject=self.file.subject if self.file else None,
            channel=meeting.channel if meeting else self.inp.channel,
            assignee=Holder.of(self.assignee),
            meeting_start=meeting.start if meeting else self.slot_start,
            escalation_deadline=self.escalation_deadline,
            next_level=self.next_level,
            audiences=[EarlierResolution.of(a) for a in self.inp.audiences],
        )

    def host_notice(self, host: StaffMember, meeting: MeetingInfo) -> HostNoticeRequest:
        """The Webex message to `host` about `meeting` (just created, or created again)."""
        return HostNoticeRequest(
            municipality=self.inp.municipality,
            ticket_id=self.inp.ticket_id,
            host_webex_email=host.webex_email,
            registration_number=self.inp.file.registration_number,
            subject=self.file.subject if self.file else None,
            slot_start=self.slot_start,
            how=meeting.join_url or meeting.channel.value,
        )

    def archive_record(self, now: datetime) -> ArchiveRecord:
        assert self.file is not None
        return ArchiveRecord(
            ticket_id=self.inp.ticket_id,
            level=self.level,
            attempt=self.attempt,
            registration_number=self.file.registration_number,
            staff_id=self.assignee.id if self.assignee else "",
            department_id=self.file.department_id,
            channel=self.meeting.channel if self.meeting else self.inp.channel,
            meeting_start=self.booking.start if self.booking else None,
            outcome=self.outcome or Outcome.CANCELLED,
            conclusions=self.resolution.conclusions if self.resolution else None,
            resolution_document_number=self.document.registration_number if self.document else None,
            recording_ref=self.recording_ref,
            started_late=self._started_late(),
            closed_at=now,
        )

    def next_level_input(self, now: datetime) -> TicketInput:
        """The input of the next level's run: same ticket, the audiences so far, the new slot."""
        assert self.escalation is not None and self.assignee is not None and self.outcome is not None
        assert self.next_level is not None
        record = AudienceRecord(
            level=self.level,
            staff=self.assignee,
            meeting=self.meeting,
            outcome=self.outcome,
            conclusions=self.resolution.conclusions if self.resolution else None,
            documents_needed=self.resolution.documents_needed if self.resolution else [],
            document_number=self.document.registration_number if self.document else None,
            resolved_at=now,
        )
        return self.inp.model_copy(
            update={
                "level": self.next_level,
                "slot_start": self.escalation.slot_start,
                "channel": self.escalation.channel,
                "file_info": self.file,
                "audiences": [*self.inp.audiences, record],
                "timeline": self.timeline,
                "requested_at": self.escalation.requested_at or now,
            }
        )

    def _started_late(self) -> bool:
        started, booking = self.meeting_started_at, self.booking
        return (
            started is not None
            and booking is not None
            and started > booking.start + self.inp.policy.on_time_grace
        )

    def start_over_after_clerk_no_show(self) -> None:
        """Forget the missed meeting (it is archived) so the level can book and hold another."""
        self.attempt += 1
        self.booking = self.meeting = self.outcome = None
        self.outcome_by_webex = self.meeting_started = self.archived = False
        self.recording_ref = self.meeting_started_at = None

    def details(self) -> str:
        """Markdown for the Temporal UI's 'current details': where the ticket is, and its last steps."""
        who = f" · {self.assignee.name}" if self.assignee else ""
        when = (
            f" · {self.slot_start.isoformat(timespec='minutes')}" if self.booking and self.slot_start else ""
        )
        recent = (
            f"- {e.at.isoformat(timespec='minutes')} {e.step}"
            + ("" if e.step in TYPED_TEXT_STEPS or not e.detail else f" {e.detail}")
            for e in self.timeline[-8:]
        )
        failed = self.citizen_email_failure()
        # Which email and its code only: the address and the phone number stay in the payloads.
        warning = (
            f"**citizen email failed** ({failed.detail}): phone the citizen\n\n" if failed is not None else ""
        )
        head = f"**{self.status.value}** · level {self.level.name.lower()}{who}{when}\n\n"
        return head + warning + "\n".join(recent)
