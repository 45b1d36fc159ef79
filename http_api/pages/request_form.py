"""Asking for a ticket in a browser: `/` (which file) → `/alege` (which slot, how, contact) →
`POST /cerere` → the confirmation page.

Each step runs the same checks as the JSON API by calling its functions (`_eligible_file`, `_slots`,
`_public`, `request_ticket`), so the page and the API cannot drift apart on R1, R4 or R5. A refused
step re-renders its form with the citizen's values in place: nothing typed is lost.

Each municipality has the same steps under its own prefix (issue 11): `/huedin/`, `/huedin/alege`,
`/huedin/cerere`, showing its name and header and asking its registry. The unprefixed ones are the
default municipality's (the addresses from before tenancy keep working).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from core.links import citizen_key
from domain.models import Channel, FileRef, Language, Level
from http_api import citizen
from http_api.deps import AppState, StateDep
from http_api.errors import ApiError
from http_api.field_messages import form_sentences
from http_api.pages.rendering import PageRoute, form_errors, query_with, read_form, render, slot_offer
from http_api.pages.words import page_language, sentence
from http_api.schemas import TicketRequest

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FILE_FIELDS = ("registration_number", "requester_name", "filing_date")
CONTACT_FIELDS = ("slot_start", "channel", "phone", "email")


def _bad_fields(err: ValidationError, lang: Language) -> dict[str, str]:
    """The form fields a validation error names, in form order, each with the sentence shown next
    to it (`http_api/field_messages.py`, the same as the API's 422); the keys get aria-invalid."""
    named = form_sentences(err.errors(), lang)
    return {f: named[f] for f in (*FILE_FIELDS, *CONTACT_FIELDS) if f in named}


def _form_page(
    request: Request,
    state: AppState,
    lang: Language,
    values: dict[str, str],
    *,
    message: str = "",
    bad_fields: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "request.html",
        lang,
        status_code,
        city=state.municipality,
        prefix=_prefix(request, state),
        values=values,
        message=message,
        **form_errors(bad_fields),
    )


async def _choose_page(
    request: Request,
    state: AppState,
    lang: Language,
    values: dict[str, str],
    *,
    message: str = "",
    bad_fields: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """Step 2 for the file in `values`; falls back to step 1 when the file itself is refused."""
    try:
        ref = FileRef.model_validate({f: values.get(f, "") for f in FILE_FIELDS})
    except ValidationError as err:
        return _form_page(
            request,
            state,
            lang,
            values,
            message=sentence("invalid_input", lang),
            bad_fields=_bad_fields(err, lang),
            status_code=422,
        )
    try:
        file = await run_in_threadpool(citizen._eligible_file, state, ref)
    except ApiError as err:
        return _form_page(
            request, state, lang, values, message=sentence(err.code, lang), status_code=err.status
        )
    offered = await run_in_threadpool(citizen._slots, state, file, Level.CLERK)
    slots = citizen._public(offered, state.calendar)
    if not slots and not message:
        message = sentence("no_free_slots", lang)
    return render(
        request,
        "choose.html",
        lang,
        status_code,
        city=state.municipality,
        prefix=_prefix(request, state),
        file=file,
        offer=slot_offer(slots, lang, values.get("slot_start", "")),
        channels=list(Channel),
        values={"channel": Channel.WEBEX.value, **values},
        message=message,
        **form_errors(bad_fields),
    )


def _prefix(request: Request, state: AppState) -> str:
    """The path prefix the citizen came by: the municipality's, or none (the default one's `/`)."""
    return f"/{state.municipality.id}" if "municipality" in request.path_params else ""


def city_state(state: StateDep, municipality: str) -> AppState:
    """The state of the municipality the path names; an unknown one is the 404 page that says so."""
    return state.for_municipality(municipality)


CityDep = Annotated[AppState, Depends(city_state)]


@router.get("/", response_class=Response)
async def request_form(
    request: Request,
    state: StateDep,
    registration_number: str = "",
    requester_name: str = "",
    filing_date: str = "",
) -> Response:
    """Step 1. The query parameters prefill the form, so "another file" and the back button keep
    what the citizen typed."""
    values = {
        "registration_number": registration_number,
        "requester_name": requester_name,
        "filing_date": filing_date,
    }
    return _form_page(request, state, page_language(request), values)


@router.get("/{municipality}/", response_class=Response)
async def city_request_form(
    request: Request,
    state: CityDep,
    registration_number: str = "",
    requester_name: str = "",
    filing_date: str = "",
) -> Response:
    return await request_form(request, state, registration_number, requester_name, filing_date)


@router.get("/{municipality}/alege", response_class=Response)
async def city_choose(
    request: Request,
    state: CityDep,
    registration_number: str = "",
    requester_name: str = "",
    filing_date: str = "",
) -> Response:
    return await choose(request, state, registration_number, requester_name, filing_date)


@router.post("/{municipality}/cerere", response_class=Response)
async def city_submit(request: Request, state: CityDep) -> Response:
    return await submit(request, state)


@router.get("/alege", response_class=Response)
async def choose(
    request: Request,
    state: StateDep,
    registration_number: str = "",
    requester_name: str = "",
    filing_date: str = "",
) -> Response:
    """Step 2: the same eligibility check and slot list as `GET /slots`."""
    values = {
        "registration_number": registration_number,
        "requester_name": requester_name,
        "filing_date": filing_date,
    }
    return await _choose_page(request, state, page_language(request), values)


@router.post("/cerere", response_class=Response)
async def submit(request: Request, state: StateDep) -> Response:
    """Step 3: build a `TicketRequest` from the form and hand it to the API's own `request_ticket`.
    Success redirects (POST-redirect-GET), so reloading the confirmation never asks twice."""
    lang = page_language(request)
    form = await read_form(request)
    values = {f: form.get(f, "") for f in (*FILE_FIELDS, *CONTACT_FIELDS)}
    fields: dict[str, Any] = {**values, "language": lang, "municipality": state.municipality.id}
    try:
        body = TicketRequest.model_validate(fields)
    except ValidationError as err:
        return await _choose_page(
            request,
            state,
            lang,
            values,
            message=sentence("invalid_input", lang),
            bad_fields=_bad_fields(err, lang),
            status_code=422,
        )
    try:
        accepted = await citizen.request_ticket(state, body)
    except ApiError as err:
        if err.code == "slot_outside_window":
            values["slot_start"] = ""  # the offered list is fresh; the stale choice would confuse
        return await _choose_page(
            request, state, lang, values, message=sentence(err.code, lang), status_code=err.status
        )
    key = citizen_key(state.settings.link_secret, accepted.workflow_id, accepted.ticket_id)
    url = query_with(
        f"/bilet/{quote(accepted.workflow_id, safe='')}/confirmare",
        {"bilet": accepted.ticket_id, "cheie": key, "lang": lang.value},
    )
    return RedirectResponse(url, status_code=303)
