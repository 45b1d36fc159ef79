"""Signing in and out of the clerks' pages: `GET /personal` (the token form), `POST /personal/intrare`
(token → signed session cookie) and `POST /personal/iesire` (cookie cleared).

The token is checked by the same `StaffDirectory.by_token` as the API's bearer header, so a page
session and an API call can never disagree about who someone is.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from core.sessions import session_value
from http_api.deps import StateDep
from http_api.pages import staff_words
from http_api.pages.rendering import query_with, read_form
from http_api.pages.staff_session import (
    LIST_PATH,
    LOGIN_PATH,
    LoginRequired,
    SessionDep,
    StaffPageRoute,
    checked_form,
    clear_session_cookie,
    set_session_cookie,
    signed_in,
    staff_render,
)
from http_api.pages.words import page_language, sentence

router = APIRouter(route_class=StaffPageRoute, include_in_schema=False)


@router.get(LOGIN_PATH, response_class=Response)
async def login_page(request: Request, state: StateDep, mesaj: str = "") -> Response:
    """The token form; someone already signed in goes straight to their tickets."""
    lang = page_language(request)
    try:
        await signed_in(request, state)
    except LoginRequired:
        notice = staff_words.word("signed_out", lang) if mesaj == "iesit" else ""
        return staff_render(request, "staff_login.html", lang, message="", notice=notice)
    return RedirectResponse(query_with(LIST_PATH, {"lang": lang.value}), status_code=303)


@router.post(f"{LOGIN_PATH}/intrare", response_class=Response)
async def login(request: Request, state: StateDep) -> Response:
    """A wrong token re-shows the form with the "staff_token_invalid" sentence (401) and says
    nothing about why: a guessed token learns nothing."""
    lang = page_language(request)
    form = await read_form(request)
    token = form.get("token", "")
    person = await run_in_threadpool(state.stores.staff.by_token, token) if token else None
    if person is None:
        message = sentence("staff_token_invalid", lang)
        return staff_render(request, "staff_login.html", lang, 401, message=message, notice="")
    response = RedirectResponse(query_with(LIST_PATH, {"lang": lang.value}), status_code=303)
    value = session_value(state.settings.link_secret, person.id, datetime.now(UTC))
    set_session_cookie(response, state.settings, value)
    return response


@router.post(f"{LOGIN_PATH}/iesire", response_class=Response)
async def logout(request: Request, state: StateDep, session: SessionDep) -> Response:
    """Clears the cookie (which also ends the CSRF token bound to it)."""
    await checked_form(request, session)
    lang = page_language(request)
    response = RedirectResponse(
        query_with(LOGIN_PATH, {"lang": lang.value, "mesaj": "iesit"}), status_code=303
    )
    clear_session_cookie(response, state.settings)
    return response
