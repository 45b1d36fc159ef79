"""What the API accepts and returns. Table models never leave the store; these are the public shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from core import catalogs
from domain import phone_numbers, registration_numbers
from domain.models import (
    AudienceRecord,
    Channel,
    Language,
    Level,
    MeetingInfo,
    NeededDocument,
    Outcome,
    ResolutionCategory,
    TicketStatus,
    TimelineEntry,
)
from workflows.guards import resolution_problem


def offered_language(value: Language) -> Language:
    """A language the city offers: one whose catalog is present (`core.catalogs.languages`)."""
    offered = catalogs.languages()
    if value not in offered:
        listed = ", ".join(repr(code) for code in offered[:-1]) + f" or {offered[-1]!r}"
        raise PydanticCustomError("enum", "Input should be {expected}", {"expected": listed})
    return value


def _offered_languages(schema: dict[str, Any]) -> None:
    """The OpenAPI document lists the languages offered, read when it is generated (the catalogs)."""
    schema["enum"] = list(catalogs.languages())


OfferedLanguage = Annotated[
    Language,
    AfterValidator(offered_language),
    Field(
        description="the language of the emails and pages: a catalog the city offers (ro, en, hu, …)",
        json_schema_extra=_offered_languages,
    ),
]


class Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _registration_number(typed: object) -> object:
    """As the citizen typed it (INPUT_PATTERN) -> the registry's form; anything else is refused
    here, with our own error type, so the answer is our sentence, not a pattern."""
    if not isinstance(typed, str):
        return typed  # pydantic then says it is not a text
    if not registration_numbers.is_acceptable_input(typed):
        raise PydanticCustomError("registration_number_format", "not a registration number")
    return registration_numbers.normalise_registration_number(typed)


def _phone(typed: object) -> object:
    """Any usual writing of a number that can be dialled -> E.164 (+40712345678)."""
    if not isinstance(typed, str):
        return typed
    number = phone_numbers.dialable_e164(typed)
    if number is None:
        raise PydanticCustomError("phone_not_dialable", "not a phone number that can be called")
    return number


# The documented pattern and length are those of what may be *typed*: each is checked on the raw
# value before it is normalised, so the OpenAPI schema says what is accepted (Field before the
# BeforeValidator: that order keeps `pattern` in the schema).
RegistrationNumberIn = Annotated[
    str,
    Field(
        pattern=registration_numbers.INPUT_PATTERN,
        max_length=registration_numbers.MAX_LENGTH,
        examples=["100001/2026"],
        description="as on the filing receipt, e.g. 100001/2026; spaces around it or around the slash, "
        "or a dash, dot or space instead of the slash, are accepted and read as 100001/2026",
    ),
    BeforeValidator(_registration_number),
]
MunicipalityIn = Annotated[
    str,
    Field(
        max_length=63,
        examples=["huedin"],
        description="the municipality's id (cluj-napoca, huedin); empty or absent: the deployment's "
        "default municipality; an unknown one is answered 404 `unknown_municipality`",
    ),
]
PhoneIn = Annotated[
    str,
    Field(
        examples=["+40 712 345 678"],
        description="a number that can be dialled, in any usual writing (0712 345 678, +40-712-345-678, "
        "(0712) 345 678, 0040712345678); Romanian when it has no country code; stored as E.164",
        # Whether a number can be dialled is libphonenumber's to say (`domain/phone_numbers.py`, which
        # also limits what may be typed), which no pattern can state: the custom format names the
        # rule, and the conformance test generates numbers by it.
        json_schema_extra={"format": "phone"},
    ),
    BeforeValidator(_phone),
]


class TicketRequest(Public):
    municipality: MunicipalityIn = ""
    registration_number: RegistrationNumberIn
    requester_name: str = Field(min_length=2, max_length=120, examples=["Ioana Pop"])
    filing_date: date = Field(examples=["2026-11-19"])
    slot_start: datetime = Field(
        description="one of the starts offered by GET /slots", examples=["2026-12-02T10:30:00+02:00"]
    )
    channel: Channel = Field(default=Channel.WEBEX, description="webex (default), phone, or in_person")
    phone: PhoneIn
    email: EmailStr = Field(
        examples=["ioana.pop@example.ro"],
        description="where the emails go; special-use domains (.test, .local, localhost…) are refused",
    )
    language: OfferedLanguage = Language.RO
    accept_after_window: bool = Field(
        default=False, description="the window was full and you accept one of the later slots offered"
    )


class TicketAccepted(Public):
    ticket_id: str
    workflow_id: str
    citizen_link: str = Field(description="secret link: whoever holds it can see and cancel the ticket")
    status: TicketStatus


class SlotPublic(Public):
    start: datetime
    end: datetime
    with_name: str | None = Field(description="who you will meet; empty when the director assigns a clerk")


class SlotsPublic(Public):
    registration_number: str
    slots: list[SlotPublic]
    after_window: list[SlotPublic] = Field(
        default=[], description="only when `slots` is empty: the first free slots after the 48-hour window"
    )
    notice: str | None = Field(default=None, description="why `after_window` is offered, in your language")


class StaffPublic(Public):
    id: str
    name: str
    role: str


class CitizenTicketView(Public):
    """The ticket as its citizen sees it: no staff emails, no internal ids beyond the ticket's."""

    ticket_id: str
    status: TicketStatus
    level: Level
    registration_number: str
    subject: str | None
    channel: Channel
    with_name: str | None
    slot_start: datetime | None
    meeting: MeetingInfo | None
    outcome: Outcome | None
    document_number: str | None
    escalation_deadline: datetime | None
    next_level: Level | None
    timeline: list[TimelineEntry]


class StaffTicketView(CitizenTicketView):
    workflow_id: str
    department_id: str | None
    assignee: StaffPublic | None
    audiences: list[AudienceRecord]
    citizen_email_failure: TimelineEntry | None = Field(
        default=None, description="the last email to the citizen that bounced or was refused: phone them"
    )
    citizen_phone: str | None = Field(
        default=None, description="the citizen's phone number, given only when their email failed"
    )


class StaffTicketSummary(Public):
    workflow_id: str
    ticket_id: str | None
    registration_number: str | None
    status: str | None
    meeting_time: datetime | None


class OutcomeRequest(Public):
    outcome: Outcome = Field(examples=["held"])
    note: str = Field(default="", max_length=2000)


# `resolution_problem`'s rule, in the documented schema too, so a client (or a conformance test)
# generating valid requests knows it: a file waiting for documents lists one, a clarified matter none.
_CATEGORY_FITS_DOCUMENTS: dict[str, Any] = {
    "allOf": [
        {
            "if": {"properties": {"category": {"const": "documents_requested"}}, "required": ["category"]},
            "then": {"properties": {"documents_needed": {"minItems": 1}}, "required": ["documents_needed"]},
        },
        {
            "if": {"properties": {"category": {"const": "clarified"}}, "required": ["category"]},
            "then": {"properties": {"documents_needed": {"maxItems": 0}}},
        },
    ]
}


class ResolutionRequest(Public):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_CATEGORY_FITS_DOCUMENTS)

    conclusions: str = Field(
        min_length=10, max_length=8000, examples=["Dosarul este complet; răspunsul se emite în 5 zile."]
    )
    category: ResolutionCategory = Field(examples=["clarified"], description="what the meeting concluded")
    # validate_default: an omitted list is checked against the category too.
    documents_needed: list[NeededDocument] = Field(default=[], max_length=30, validate_default=True)

    @field_validator("documents_needed")
    @classmethod
    def _fits_the_category(
        cls, documents: list[NeededDocument], info: ValidationInfo
    ) -> list[NeededDocument]:
        """The rule the workflow's guard applies, here so the clerk gets a 422 on this field (the
        error type is the `domain.messages` code, its sentence in `http_api.field_messages`)."""
        problem = resolution_problem(info.data.get("category"), documents)
        if problem is not None:
            raise PydanticCustomError(problem, "the documents do not fit the category")
        return documents


class InPersonRequest(Public):
    accept: bool = Field(description="true: meet at the city hall; false: hold it on Webex")


class AssignRequest(Public):
    assignee_id: str = Field(min_length=1, max_length=40)


class CancelRequest(Public):
    reason: str = Field(default="", max_length=1000)


class EscalateRequest(Public):
    slot_start: datetime
    channel: Channel = Channel.WEBEX


class ChooseSlotRequest(Public):
    slot_start: datetime


class RescheduleRequest(Public):
    slot_start: datetime
    reason: str = Field(min_length=3, max_length=1000, examples=["Am o ședință de consiliu la ora aleasă."])


class ActionAccepted(Public):
    accepted: bool
    status: TicketStatus


def _omitted(schema: dict[str, Any]) -> None:
    """An optional key that is left out when empty: no `null` default in the documented schema."""
    schema.pop("default", None)


class FieldProblem(Public):
    field: str = Field(description="where: a body field (`slot_start`) or a parameter (`query.cheie`)")
    problem: str


class ErrorBody(Public):
    """What every refusal answers (`http_api/errors.py`): a stable `code` for programs, a `message` in
    the caller's language for people, and what some refusals add to act on. Optional keys are left out,
    never sent as null."""

    code: str = Field(examples=["no_matching_file"], description="stable; the list is in domain/messages.py")
    message: str = Field(
        description="Romanian, or the first language of `Accept-Language` that has a catalog (en, hu)"
    )
    detail: str | SkipJsonSchema[None] = Field(
        default=None, description="the reason, in English", json_schema_extra=_omitted
    )
    fields: list[FieldProblem] | SkipJsonSchema[None] = Field(
        default=None,
        description="with `invalid_input`: each value that was refused, and why",
        json_schema_extra=_omitted,
    )
    free_slots: list[SlotPublic] | SkipJsonSchema[None] = Field(
        default=None,
        description="with `slot_outside_window`: the slots that may be chosen instead",
        json_schema_extra=_omitted,
    )
