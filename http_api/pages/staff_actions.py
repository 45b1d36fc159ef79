"""The clerk's actions from the ticket page: `POST /personal/tichete/{workflow_id}/<action>` for
`rezultat` (outcome), `rezolutie` (resolution), `muta` (reschedule), `sediu` (in person) and
`repartizeaza` (the director's pick).

Each one checks the form's CSRF token, builds the staff API's request model and calls the staff API's
own route function, so `_own_ticket` and the workflow's update validators decide, as for the API.
Success redirects back with a message code (POST-redirect-GET: a reload never repeats the action).
A refusal re-renders the ticket page with the sentence and everything typed still in place, since a
resolution can be long and a redirect would lose it; someone else's ticket is the 403 page.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from http_api import staff as staff_api
from http_api.deps import AppState, TicketStateDep
from http_api.errors import ApiError
from http_api.pages import staff_forms, staff_steps
from http_api.pages.rendering import query_with
from http_api.pages.staff_forms import FormInvalid
from http_api.pages.staff_session import LIST_PATH, SessionDep, StaffPageRoute, StaffSession, checked_form
from http_api.pages.staff_tickets import ticket_page, ticket_path
from http_api.pages.words import page_language, sentence

router = APIRouter(route_class=StaffPageRoute, include_in_schema=False)

Run = Callable[[Mapping[str, str]], Awaitable[Any]]


async def _act(
    request: Request,
    state: AppState,
    session: StaffSession,
    workflow_id: str,
    done: str,
    run: Run,
    *,
    back_to_list: bool = False,
) -> Response:
    """Check the CSRF token, run one action, and answer: a redirect with `done` on success, or the
    ticket page again (422 for a form mistake, the API's status for a refusal) with the message."""
    form = await checked_form(request, session)
    lang = page_language(request)
    values = {k: v for k, v in form.items() if k != "csrf"}
    try:
        await run(form)
    except FormInvalid as err:
        flash = ("error", sentence("invalid_input", lang))
        bad = tuple(err.fields)
        return await ticket_page(
            request,
            state,
            session,
            workflow_id,
            flash=flash,
            values=values,
            bad_fields=bad,
            field_errors=err.sentences(lang),
            status_code=422,
        )
    except ApiError as err:
        if err.status in (403, 404):  # not theirs, or no such ticket: the error page, not a message
            raise
        flash = ("error", sentence(err.code, lang, staff_steps.refusal(err.detail, lang)))
        return await ticket_page(
            request, state, session, workflow_id, flash=flash, values=values, status_code=err.status
        )
    target = LIST_PATH if back_to_list else ticket_path(workflow_id)
    return RedirectResponse(query_with(target, {"lang": lang.value, "mesaj": done}), status_code=303)


@router.post(f"{LIST_PATH}/{{workflow_id}}/rezultat", response_class=Response)
async def record_outcome(
    request: Request, state: TicketStateDep, session: SessionDep, workflow_id: str
) -> Response:
    async def run(form: Mapping[str, str]) -> None:
        body = staff_forms.outcome_request(form)
        await staff_api.record_outcome(state, session.me, workflow_id, body)

    return await _act(request, state, session, workflow_id, "rezultat", run)


@router.post(f"{LIST_PATH}/{{workflow_id}}/rezolutie", response_class=Response)
async def submit_resolution(
    request: Request, state: TicketStateDep, session: SessionDep, workflow_id: str
) -> Response:
    async def run(form: Mapping[str, str]) -> None:
        body = staff_forms.resolution_request(form)
        await staff_api.submit_resolution(state, session.me, workflow_id, body)

    return await _act(request, state, session, workflow_id, "rezolutie", run)


@router.post(f"{LIST_PATH}/{{workflow_id}}/muta", response_class=Response)
async def reschedule(
    request: Request, state: TicketStateDep, session: SessionDep, workflow_id: str
) -> Response:
    async def run(form: Mapping[str, str]) -> None:
        body = staff_forms.reschedule_request(form)
        await staff_api.reschedule(state, session.me, workflow_id, body)

    return await _act(request, state, session, workflow_id, "mutat", run)


@router.post(f"{LIST_PATH}/{{workflow_id}}/sediu", response_class=Response)
async def decide_in_person(
    request: Request, state: TicketStateDep, session: SessionDep, workflow_id: str
) -> Response:
    async def run(form: Mapping[str, str]) -> None:
        body = staff_forms.in_person_request(form)
        await staff_api.decide_in_person(state, session.me, workflow_id, body)

    return await _act(request, state, session, workflow_id, "sediu", run)


@router.post(f"{LIST_PATH}/{{workflow_id}}/repartizeaza", response_class=Response)
async def assign(request: Request, state: TicketStateDep, session: SessionDep, workflow_id: str) -> Response:
    """Back to the list afterwards: the ticket is the chosen clerk's now, no longer the director's."""

    async def run(form: Mapping[str, str]) -> None:
        body = staff_forms.assign_request(form)
        await staff_api.assign(state, session.me, workflow_id, body)

    return await _act(request, state, session, workflow_id, "repartizat", run, back_to_list=True)
