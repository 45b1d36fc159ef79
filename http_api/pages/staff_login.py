"""Signing in and out of the clerks' pages: `GET /personal` (the token form), `POST /personal/intrare`
(token → a new `staff_sessions` row and its signed cookie) and `POST /personal/iesire` (the session
revoked server-side, the cookie cleared).

The token is checked by the same `StaffDirectory.by_token` as the API's bearer header, so a page
session and an API call can never disagree about who someone is.

Login CSRF (issue 8): the form page gives the browser a random nonce cookie and the form a hidden
field signed from it; a sign-in without both, or with a field from another browser, is refused, so
another site cannot sign a clerk's browser into someone else's session.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from core.sessions import (
    SESSION_LIFETIME,
    login_csrf_token,
    new_login_nonce,
    new_session_id,
    same_token,
    session_value,
)
from domain.models import Language
from http_api.deps import AppState, StateDep
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
    cookie_options,
    set_session_cookie,
    signed_in,
    staff_render,
)
from http_api.pages.words import page_language, sentence

router = APIRouter(route_class=StaffPageRoute, include_in_schema=False)

LOGIN_COOKIE = "tichet_personal_intrare"
LOGIN_FIELD = "login_csrf"


def _login_form(
    request: Request, state: AppState, lang: Language, status_code: int, *, message: str, notice: str
) -> Response:
    """The token form with this browser's login CSRF field (the nonce cookie is kept, or made)."""
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not (20 <= len(nonce) <= 64 and nonce.isascii()):
        nonce = new_login_nonce()
    token = login_csrf_token(state.settings.link_secret, nonce)
    response = staff_render(
        request, "staff_login.html", lang, status_code, message=message, notice=notice, login_csrf=token
    )
    lifetime = int(SESSION_LIFETIME.total_seconds())
    response.set_cookie(LOGIN_COOKIE, nonce, max_age=lifetime, **cookie_options(state.settings))
    return response


@router.get(LOGIN_PATH, response_class=Response)
async def login_page(request: Request, state: StateDep, mesaj: str = "") -> Response:
    """The token form; someone already signed in goes straight to their tickets."""
    lang = page_language(request)
    try:
        await signed_in(request, state)
    except LoginRequired:
        notice = staff_words.word("signed_out", lang) if mesaj == "iesit" else ""
        return _login_form(request, state, lang, 200, message="", notice=notice)
    return RedirectResponse(query_with(LIST_PATH, {"lang": lang.value}), status_code=303)


@router.post(f"{LOGIN_PATH}/intrare", response_class=Response)
async def login(request: Request, state: StateDep) -> Response:
    """A form without this browser's login CSRF field is refused (403) before the token is even
    looked at; a wrong token re-shows the form with the "staff_token_invalid" sentence (401) and
    says nothing about why: a guessed token learns nothing."""
    lang = page_language(request)
    form = await read_form(request)
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    expected = login_csrf_token(state.settings.link_secret, nonce) if nonce else ""
    if not expected or not same_token(expected, form.get(LOGIN_FIELD, "")):
        message = sentence("login_form_expired", lang)
        return _login_form(request, state, lang, 403, message=message, notice="")
    token = form.get("token", "")
    person = await run_in_threadpool(state.stores.staff.by_token, token) if token else None
    if person is None:
        message = sentence("staff_token_invalid", lang)
        return _login_form(request, state, lang, 401, message=message, notice="")
    now = datetime.now(UTC)
    session_id = new_session_id()
    await run_in_threadpool(
        state.stores.sessions.open, session_id, person.id, now=now, expires_at=now + SESSION_LIFETIME
    )
    response = RedirectResponse(query_with(LIST_PATH, {"lang": lang.value}), status_code=303)
    set_session_cookie(
        response, state.settings, session_value(state.settings.link_secret, session_id, person.id, now)
    )
    return response


@router.post(f"{LOGIN_PATH}/iesire", response_class=Response)
async def logout(request: Request, state: StateDep, session: SessionDep) -> Response:
    """Revokes the session server-side (a copy of the cookie is refused from now on) and clears the
    cookie (which also ends the CSRF token bound to it). The person's other sessions go on."""
    await checked_form(request, session)
    await run_in_threadpool(state.stores.sessions.revoke, session.session_id, datetime.now(UTC))
    lang = page_language(request)
    response = RedirectResponse(
        query_with(LOGIN_PATH, {"lang": lang.value, "mesaj": "iesit"}), status_code=303
    )
    clear_session_cookie(response, state.settings)
    return response
