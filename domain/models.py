"""Plain data models that cross a boundary: API ↔ workflow, workflow ↔ activity, signals and queries.

They are pydantic models carried by the pydantic data converter, so every payload is readable JSON
in the Temporal UI and a clerk can type a signal's payload by hand there. Nothing here touches a
database, a template or the network: workflow code imports this module.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

from domain.registration_numbers import NORMAL_PATTERN, normalise_registration_number

REGISTRATION_NUMBER_PATTERN = NORMAL_PATTERN


class Model(BaseModel):
    model_config = ConfigDict(frozen=False, extra="forbid")


class Language(str):
    """A language code ("ro", "en", "hu"): which ones a city offers is the catalogs' business
    (`core.catalogs`, one `.po` file each), so this is an open code, not an enum. Romanian is the
    default; `RO` and `EN` are named because code speaks them (staff emails, the API's examples)."""

    RO: ClassVar[Language]
    EN: ClassVar[Language]

    @property
    def value(self) -> str:
        return str(self)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls, core_schema.str_schema(pattern=LANGUAGE_PATTERN, min_length=2, max_length=3)
        )


LANGUAGE_PATTERN = r"^[a-z]{2,3}$"
Language.RO = Language("ro")
Language.EN = Language("en")


class Channel(StrEnum):
    WEBEX = "webex"
    PHONE = "phone"
    IN_PERSON = "in_person"


class Role(StrEnum):
    CLERK = "clerk"
    DIRECTOR = "director"
    DEPUTY_MAYOR = "deputy_mayor"
    MAYOR = "mayor"
    # Operations staff (issue 9): run the system and read tickets' Temporal histories through the
    # codec server; they never meet a citizen, so no escalation level maps to them.
    OPS = "ops"


class Level(IntEnum):
    """Escalation level of an audience (R3, R9): who the citizen meets."""

    CLERK = 0
    DIRECTOR = 1
    DEPUTY_MAYOR = 2
    MAYOR = 3

    @property
    def role(self) -> Role:
        return _LEVEL_ROLE[self]


_LEVEL_ROLE = {
    Level.CLERK: Role.CLERK,
    Level.DIRECTOR: Role.DIRECTOR,
    Level.DEPUTY_MAYOR: Role.DEPUTY_MAYOR,
    Level.MAYOR: Role.MAYOR,
}


class FileStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"


class TicketStatus(StrEnum):
    """What the ticket is waiting for. Kept in the workflow and in the TicketStatus search
    attribute only: there is no status column that a job scans."""

    VALIDATING = "validating"
    REJECTED = "rejected"
    ASSIGNING = "assigning"
    AWAITING_ASSIGNMENT = "awaiting_assignment"
    BOOKING = "booking"
    AWAITING_SLOT = "awaiting_slot"
    AWAITING_CLERK_ACCEPTANCE = "awaiting_clerk_acceptance"
    SCHEDULED = "scheduled"
    AWAITING_OUTCOME = "awaiting_outcome"
    AWAITING_RESOLUTION = "awaiting_resolution"
    RESOLVING = "resolving"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"
    CLOSED = "closed"


class Outcome(StrEnum):
    HELD = "held"
    CITIZEN_NO_SHOW = "citizen_no_show"
    CLERK_NO_SHOW = "clerk_no_show"
    CANCELLED = "cancelled"


class Policy(Model):
    """Every duration a ticket obeys, fixed in the workflow input so a running ticket keeps the rules
    it started under. Defaults are DESIGN.md's (R1, R5, R8, R9)."""

    time_zone: str = "Europe/Bucharest"
    window_mode: str = Field(
        default="within",
        pattern="^(within|at_least)$",
        description="R5 preset: 'within' = meeting within the window; 'at_least' = the city page's "
        "'at least 48 h notice'.",
    )
    booking_window: timedelta = Field(default=timedelta(hours=48), description="counted on working days")
    minimum_notice: timedelta = Field(default=timedelta(hours=2), description="in working hours")
    at_least_horizon: timedelta = Field(
        default=timedelta(days=14), description="'at_least' mode: how far ahead slots are offered"
    )
    slot_length: timedelta = timedelta(minutes=15)
    on_time_grace: timedelta = Field(
        default=timedelta(minutes=5), description="a meeting Webex saw start later than this is late (R11)"
    )
    outcome_grace: timedelta = Field(
        default=timedelta(minutes=30), description="after the slot ends, before the clerk is asked"
    )
    resolution_reminder_after: timedelta = Field(
        default=timedelta(hours=24), description="tickets started before working-hour deadlines only"
    )
    resolution_deadline_after: timedelta = Field(
        default=timedelta(hours=72), description="tickets started before working-hour deadlines only"
    )
    resolution_reminder_working_hours: timedelta = Field(
        default=timedelta(hours=8), description="after the meeting, in working hours: remind the clerk"
    )
    resolution_deadline_working_hours: timedelta = Field(
        default=timedelta(hours=24), description="after the meeting, in working hours: tell the director"
    )
    reminders_before: list[timedelta] = Field(
        default=[timedelta(hours=24), timedelta(hours=1)], description="citizen reminders before the meeting"
    )
    meeting_attempts: int = Field(
        default=6, ge=1, le=50, description="Webex attempts before the meeting falls back to phone"
    )
    escalation_window: timedelta = timedelta(days=30)
    answered_files_eligible_for: timedelta = timedelta(days=30)
    slot_choice_timeout: timedelta = timedelta(hours=24)
    in_person_decision_timeout: timedelta = Field(
        default=timedelta(hours=4), description="how long the clerk has to accept an in-person meeting"
    )
    director_pick_timeout: timedelta = timedelta(hours=24)


def _normal_number(typed: object) -> object:
    return normalise_registration_number(typed) if isinstance(typed, str) else typed


class FileRef(Model):
    """What the citizen types to identify their file (R1). The number is kept in the registry's
    form (" 100001 / 2026" -> "100001/2026", `domain/registration_numbers.py`), so the workflow
    input, its id and every R1 check see one spelling."""

    registration_number: Annotated[
        str,
        Field(pattern=REGISTRATION_NUMBER_PATTERN, examples=["104233/2026"], max_length=40),
        BeforeValidator(_normal_number),
    ]
    requester_name: str = Field(min_length=2, max_length=120, examples=["Ioana Pop"])
    filing_date: date = Field(examples=["2026-11-20"])


class Citizen(Model):
    # The API checks the number can be dialled and stores E.164 (http_api/schemas.py); this
    # pattern stays as loose as before so recorded tickets ("+40 712 345 678") still replay.
    email: EmailStr
    phone: str = Field(pattern=r"^\+?[0-9 ]{6,20}$", examples=["+40712345678"])
    language: Language = Language.RO


class FileInfo(Model):
    """A file as the document registry knows it."""

    registration_number: str
    requester_name: str
    filing_date: date
    subject: str
    department_id: str
    department_name: str
    status: FileStatus
    answered_on: date | None
    last_handler_id: str


class StaffMember(Model):
    id: str
    name: str
    email: str
    webex_email: str
    role: Role
    department_id: str | None


class Assignment(Model):
    """Who holds the audience and why (R2): the handler, their substitute, or the director's pick."""

    assignee: StaffMember | None
    reason: str = Field(pattern="^(handler|substitute|director_pick|level_holder)$")
    handler_id: str | None = None
    director: StaffMember | None = None
    # Why nobody was found, for the timeline (English, for ops; no names): "handler absent, no
    # substitute", "handler and substitute absent", … Empty in results recorded before it existed.
    why: str = ""


class Booking(Model):
    booking_id: int
    staff_id: str
    start: datetime
    end: datetime


class MeetingInfo(Model):
    channel: Channel
    start: datetime
    end: datetime
    meeting_id: str | None = None
    join_url: str | None = None
    phone: str | None = None


class NeededDocument(Model):
    title: str = Field(min_length=2, max_length=200)
    original: bool = Field(
        description="true: the original goes to the registry or the clerk; false: a copy may be emailed"
    )


class TimelineEntry(Model):
    at: datetime
    step: str
    detail: str = ""


class AudienceRecord(Model):
    """One finished audience, carried to the next level on escalation (R9)."""

    level: Level
    staff: StaffMember
    meeting: MeetingInfo | None
    outcome: Outcome
    conclusions: str | None = None
    documents_needed: list[NeededDocument] = []
    document_number: str | None = None
    resolved_at: datetime | None = None


class TicketInput(Model):
    """Workflow input. On escalation the workflow continues as new with the next level and the
    audiences so far, so each level's history stays small while the ticket id stays the same."""

    ticket_id: str
    municipality: str = Field(default="", max_length=63, description="the municipality's id; empty: the deployment's default municipality (tickets started before tenancy)")  # noqa: E501  # fmt: skip
    file: FileRef
    citizen: Citizen
    channel: Channel
    slot_start: datetime
    policy: Policy = Policy()
    level: Level = Level.CLERK
    file_info: FileInfo | None = None
    audiences: list[AudienceRecord] = []
    timeline: list[TimelineEntry] = []
    requested_at: datetime | None = None
    accepted_after_window: bool = Field(
        default=False, description="R5 window was full; the citizen accepted a later slot (recorded)"
    )


# --- actions (updates with validators; the same payloads are accepted as signals) ---------------


class OutcomeAction(Model):
    staff_id: str = Field(min_length=1, max_length=40)
    outcome: Outcome
    note: str = Field(default="", max_length=2000)


class ResolutionCategory(StrEnum):
    """What the meeting concluded, for the document and the quality report."""

    CLARIFIED = "clarified"  # the citizen's question is answered
    DOCUMENTS_REQUESTED = "documents_requested"  # the file waits for documents from the citizen
    IN_PROGRESS = "in_progress"  # the city still has work to do on the file
    REDIRECTED = "redirected"  # another department or institution is competent
    NOT_POSSIBLE = "not_possible"  # the request cannot be granted as asked


class ResolutionAction(Model):
    staff_id: str = Field(min_length=1, max_length=40)
    conclusions: str = Field(min_length=10, max_length=8000)
    # Optional here only so tickets resolved before categories existed still replay; the API and
    # the clerk's signal description ask for it.
    category: ResolutionCategory | None = None
    documents_needed: list[NeededDocument] = Field(default=[], max_length=30)


class InPersonDecision(Model):
    """The clerk accepts or declines an in-person meeting the citizen asked for."""

    staff_id: str = Field(min_length=1, max_length=40)
    accept: bool


class AssignAction(Model):
    staff_id: str = Field(min_length=1, max_length=40, description="the director who picks")
    assignee_id: str = Field(min_length=1, max_length=40)


class CancelAction(Model):
    reason: str = Field(default="", max_length=1000)


class EscalateAction(Model):
    slot_start: datetime
    channel: Channel = Channel.WEBEX
    requested_at: datetime | None = Field(
        default=None,
        description="when the citizen asked, by the API's clock: the next level's R5 window counts from it",
    )


class WebexEvent(Model):
    """A Webex webhook event, verified and de-duplicated by the API, delivered as a signal."""

    event_id: str = Field(min_length=1, max_length=200)
    kind: str = Field(pattern="^(meeting_started|meeting_ended|recording_created)$")
    meeting_id: str = Field(min_length=1, max_length=200)
    recording_id: str | None = None
    at: datetime


class EmailBounce(Model):
    """News that one of the ticket's emails failed (issue 12): a bounce that reached the bounce
    address (`integrations.bounces`), or the relay's refusal (`activities.notifications`). Only
    which email and how: never the address, and never the report's text, which quotes it."""

    message_id: str = Field(min_length=3, max_length=250, pattern=r"^<[^<>\s]+>$")
    email_kind: str = Field(pattern=r"^[a-z_]{1,60}$", description="the email's template, e.g. confirmation")
    recipient_kind: Literal["citizen", "staff"]
    status: Literal["permanent-failure", "temporary-failure"]
    code: str | None = Field(
        default=None, pattern=r"^([245]\.\d{1,3}\.\d{1,3}|[45]\d\d)$", description="5.1.1, or the SMTP 550"
    )
    source: Literal["bounce", "smtp"]
    at: datetime


class ChooseSlotAction(Model):
    slot_start: datetime
    requested_at: datetime | None = Field(
        default=None, description="when the citizen chose, by the API's clock: the R5 window counts from it"
    )


class RescheduleAction(Model):
    """A new slot for a booked meeting: from the citizen's link (no staff_id) or from the clerk
    (staff_id and a reason the citizen will read)."""

    slot_start: datetime
    staff_id: str | None = Field(default=None, max_length=40)
    reason: str = Field(default="", max_length=1000)
    requested_at: datetime | None = Field(
        default=None,
        description="a citizen's move is a new request: its R5 window counts from here (the API's clock); "
        "a clerk's move stays inside the original window",
    )


class ActionResult(Model):
    accepted: bool
    status: TicketStatus
    detail: str = ""


# --- what the outside world reads ------------------------------------------------------------------


class TicketView(Model):
    """The `status` query: everything the citizen page, the clerk app and ops need at a glance."""

    ticket_id: str
    status: TicketStatus
    level: Level
    registration_number: str
    subject: str | None
    department_id: str | None
    channel: Channel
    citizen_language: Language
    assignee: StaffMember | None
    slot_start: datetime | None
    meeting: MeetingInfo | None
    outcome: Outcome | None
    document_number: str | None
    escalation_deadline: datetime | None
    next_level: Level | None
    rejection_code: str | None
    audiences: list[AudienceRecord]
    timeline: list[TimelineEntry]
    citizen_email_failure: TimelineEntry | None = Field(
        default=None, description="the last permanent failure of an email to the citizen: phone them"
    )


# --- what the adapters return ---------------------------------------------------------------------


class DepartmentInfo(Model):
    id: str
    name: str
    director_id: str | None
    deputy_mayor_id: str | None


class RegisteredDocument(Model):
    """A registered outgoing document; the bytes stay in the registry, only the number travels."""

    registration_number: str
    filename: str
    content_type: str


class ArchiveRecord(Model):
    ticket_id: str
    level: Level
    attempt: int = Field(default=0, description="the meetings of one level: 1 after a clerk no-show, …")
    registration_number: str
    staff_id: str
    department_id: str | None
    channel: Channel
    meeting_start: datetime | None
    outcome: Outcome
    conclusions: str | None = None
    resolution_document_number: str | None = None
    recording_ref: str | None = None
    started_late: bool = Field(
        default=False, description="Webex reported the start later than the policy's grace after the slot"
    )
    closed_at: datetime
