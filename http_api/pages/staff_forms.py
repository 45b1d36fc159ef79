"""From posted clerk forms to the staff API's request models, and the slots a clerk may move to.

Validation stays the API's: each form becomes the same pydantic request the JSON API takes
(`ResolutionRequest`, `RescheduleRequest`, ...), so the page accepts exactly what the API accepts.
This module only names which form field a refusal points at, for `aria-invalid`, and keeps the
errors so the page can say, next to each field, the same sentence as the API's 422.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from domain.models import Language, NeededDocument, StaffMember
from http_api import citizen
from http_api.deps import AppState
from http_api.field_messages import sentences_for
from http_api.pages.rendering import SlotOffer, slot_offer
from http_api.schemas import (
    AssignRequest,
    InPersonRequest,
    OutcomeRequest,
    RescheduleRequest,
    ResolutionRequest,
    StaffTicketView,
)

MAX_DOCUMENT_ROWS = 5


Problem = tuple[str, Mapping[str, Any]]  # (form field, the validation error about it)


class FormInvalid(Exception):
    """The form does not make a valid request; `fields` are the form fields to mark, `problems`
    the validation errors behind them, for the sentence shown next to each field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.fields = list(dict.fromkeys(field for field, _ in problems))
        super().__init__(", ".join(self.fields))

    def sentences(self, lang: Language) -> dict[str, str]:
        """Form field -> its sentence (`http_api/field_messages.py`, as in the API's 422)."""
        found: dict[str, str] = {}
        for field, error in self.problems:
            [(_, sentence)] = sentences_for([error], lang, on_form=True)
            found.setdefault(field, sentence)
        return found


def _named(err: ValidationError) -> list[Problem]:
    """Each error with the top-level field it points at (the request's names are the form's too)."""
    return [(str(e["loc"][0]), e) for e in err.errors() if e["loc"]]


def _documents(form: Mapping[str, str]) -> tuple[list[NeededDocument], list[Problem]]:
    """Rows `doc_title_<n>` + `doc_kind_<n>` (original/copy); a row without a title is unused.
    Returns the valid rows and the problems of the invalid ones (each about its row's title)."""
    documents: list[NeededDocument] = []
    bad: list[Problem] = []
    for n in range(1, MAX_DOCUMENT_ROWS + 1):
        title = form.get(f"doc_title_{n}", "")
        if not title:
            continue
        try:
            documents.append(NeededDocument(title=title, original=form.get(f"doc_kind_{n}") != "copy"))
        except ValidationError as err:
            bad += [(f"doc_title_{n}", e) for e in err.errors()]
    return documents, bad


# A category that contradicts the documents is said next to the field to change: the first
# document row when documents are missing, the category when a clarified matter lists some.
_RESOLUTION_FIELDS = {
    "resolution_documents_missing": "doc_title_1",
    "resolution_clarified_with_documents": "category",
}


def _resolution_named(err: ValidationError) -> list[Problem]:
    return [(_RESOLUTION_FIELDS.get(str(error.get("type")), field), error) for field, error in _named(err)]


def resolution_request(form: Mapping[str, str]) -> ResolutionRequest:
    """Every mistake at once (conclusions, category and each document row), not the first only."""
    documents, bad = _documents(form)
    fields = {"conclusions": form.get("conclusions", ""), "category": form.get("category", "")}
    try:
        request = ResolutionRequest.model_validate({**fields, "documents_needed": documents})
    except ValidationError as err:
        raise FormInvalid(_resolution_named(err) + bad) from None
    if bad:
        raise FormInvalid(bad)
    return request


def outcome_request(form: Mapping[str, str]) -> OutcomeRequest:
    try:
        return OutcomeRequest.model_validate(
            {"outcome": form.get("outcome", ""), "note": form.get("note", "")}
        )
    except ValidationError as err:
        raise FormInvalid(_named(err)) from None


def reschedule_request(form: Mapping[str, str]) -> RescheduleRequest:
    fields = {"slot_start": form.get("slot_start", ""), "reason": form.get("reason", "")}
    try:
        return RescheduleRequest.model_validate(fields)
    except ValidationError as err:
        raise FormInvalid(_named(err)) from None


def in_person_request(form: Mapping[str, str]) -> InPersonRequest:
    answer = form.get("accept", "")
    if answer not in ("yes", "no"):
        raise FormInvalid([("accept", {"loc": ("accept",), "type": "bool_parsing"})])
    return InPersonRequest(accept=answer == "yes")


def assign_request(form: Mapping[str, str]) -> AssignRequest:
    try:
        return AssignRequest.model_validate({"assignee_id": form.get("assignee_id", "")})
    except ValidationError as err:
        raise FormInvalid(_named(err)) from None


async def reschedule_offer(
    state: AppState, view: StaffTicketView, me: StaffMember, lang: Language, selected: str
) -> SlotOffer:
    """The slots a citizen of this file would be offered at this level (`citizen._slots`), kept to
    the clerk's own and without the current one: the workflow books the move for the assignee."""
    file = await run_in_threadpool(state.stores.registry.find_file, view.registration_number)
    if file is None:
        return slot_offer([], lang)
    offered = await run_in_threadpool(citizen._slots, state, file, view.level)
    mine = [s for s in offered if (s.staff is None or s.staff.id == me.id) and s.start != view.slot_start]
    return slot_offer(citizen._public(mine, state.calendar), lang, selected)


@dataclass(frozen=True)
class ClerkChoice:
    id: str
    name: str
    absent: bool


async def clerk_choices(state: AppState, view: StaffTicketView) -> list[ClerkChoice]:
    """The department's clerks for the director's pick, each marked absent on the meeting's day
    (the page disables those: booking them would only be refused)."""
    department = view.department_id
    day = view.slot_start.astimezone(state.calendar.tz).date() if view.slot_start else None
    staff = state.stores.staff

    def load() -> list[ClerkChoice]:
        clerks = staff.clerks_of(department) if department else []
        return [
            ClerkChoice(c.id, c.name, day is not None and day in staff.absent_days(c.id, day, day))
            for c in clerks
        ]

    return await run_in_threadpool(load)
