"""What every clerk page shares: the session cookie, the dependency that turns it into a person, the
CSRF check of posted forms, rendering with the staff words, and the route class for failures.

Why a cookie and not the API's bearer header: a browser cannot add a header to a link or a form, so
the token is typed once (`/personal`) and exchanged for a signed cookie (`core.sessions`) naming a
`staff_sessions` row that every request checks and signing out revokes. It is
HttpOnly (no script reads it), SameSite=Lax (other sites' forms do not carry it), limited to
`/personal` (the citizen pages never see it), and Secure when the public address is https. The forms
also carry a CSRF token derived from the cookie, as a second lock should a browser ignore SameSite.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from temporalio.service import RPCError

from core.sessions import SESSION_LIFETIME, csrf_token, read_session, same_token
from core.settings import Settings
from domain.models import Language, StaffMember
from http_api.deps import StateDep, get_state
from http_api.errors import ApiError
from http_api.pages import staff_words, words
from http_api.pages.rendering import FormError, Handler, query_with, read_form, render
from http_api.rate_limits import RateLimited
from store.staff import staff_municipality

log = logging.getLogger(__name__)

COOKIE = "tichet_personal"
COOKIE_PATH = "/personal"
LOGIN_PATH = "/personal"
LIST_PATH = "/personal/tichete"


@dataclass(frozen=True)
class StaffSession:
    """The signed-in person, the CSRF token their forms must carry, and the session to revoke."""

    me: StaffMember
    csrf: str
    session_id: str


class LoginRequired(Exception):
    """No valid session: the route class sends the browser to the login page."""


class CsrfRefused(Exception):
    """A posted form without this session's CSRF token."""


def cookie_options(settings: Settings) -> dict[str, Any]:
    """Secure follows the public address: a city behind https never sends the cookie in clear,
    while `make run` on http://127.0.0.1 still works."""
    secure = settings.public_base_url.lower().startswith("https://")
    return {"path": COOKIE_PATH, "httponly": True, "samesite": "lax", "secure": secure}


def set_session_cookie(response: Response, settings: Settings, value: str) -> None:
    lifetime = int(SESSION_LIFETIME.total_seconds())
    response.set_cookie(COOKIE, value, max_age=lifetime, **cookie_options(settings))


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(COOKIE, **cookie_options(settings))


async def signed_in(request: Request, state: StateDep) -> StaffSession:
    """The person behind the session cookie, looked up again on every request (a removed or renamed
    person is seen at once); no cookie, a forged or expired one, a session signed out (revoked) or
    an unknown id: `LoginRequired`."""
    value = request.cookies.get(COOKIE, "")
    secret = state.settings.link_secret
    now = datetime.now(UTC)
    claim = read_session(secret, value, now) if value else None
    if claim is None:
        raise LoginRequired
    holder = await run_in_threadpool(state.stores.sessions.active_staff_id, claim.session_id, now)
    if holder is None or holder != claim.staff_id:
        raise LoginRequired
    municipality = await run_in_threadpool(staff_municipality, state.settings.database_url, claim.staff_id)
    if municipality is None:
        raise LoginRequired
    # In their own municipality's directory: staff belong to one (issue 11).
    person = await run_in_threadpool(state.for_municipality(municipality).stores.staff.get, claim.staff_id)
    if person is None:
        raise LoginRequired
    return StaffSession(me=person, csrf=csrf_token(secret, value), session_id=claim.session_id)


SessionDep = Annotated[StaffSession, Depends(signed_in)]


async def checked_form(request: Request, session: StaffSession) -> dict[str, str]:
    """The posted form, once its `csrf` field matches this session; otherwise `CsrfRefused` (403)."""
    form = await read_form(request)
    if not same_token(session.csrf, form.get("csrf", "")):
        raise CsrfRefused
    return form


def staff_render(
    request: Request,
    name: str,
    lang: Language,
    status_code: int = 200,
    session: StaffSession | None = None,
    **context: Any,
) -> Response:
    """`rendering.render` plus `s(...)` (the staff words) and, when signed in, who and the CSRF token
    (the header's sign-out form needs both on every page)."""
    return render(
        request,
        name,
        lang,
        status_code,
        s=lambda key, **values: staff_words.word(key, lang, **values),
        me=session.me if session else None,
        csrf=session.csrf if session else "",
        **context,
    )


def staff_error_page(request: Request, status_code: int, message: str) -> Response:
    lang = words.page_language(request)
    return staff_render(request, "staff_error.html", lang, status_code, message=message)


class StaffPageRoute(APIRoute):
    """Like `rendering.PageRoute` (failures are pages, not JSON), plus the two staff outcomes: no
    session → the login page (303, so a POST becomes a GET); a form without its CSRF token → 403."""

    def get_route_handler(self) -> Handler:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            lang = words.page_language(request)
            try:
                return await original(request)
            except LoginRequired:
                login = RedirectResponse(query_with(LOGIN_PATH, {"lang": lang.value}), status_code=303)
                if COOKIE in request.cookies:  # expired or forged: drop it rather than resend it
                    clear_session_cookie(login, get_state(request).settings)
                return login
            except CsrfRefused:
                return staff_error_page(request, 403, staff_words.word("csrf_refused", lang))
            except RateLimited as err:  # a page with the sentence, and when to come back
                page = staff_error_page(request, err.status, words.sentence(err.code, lang, err.detail))
                page.headers.update(err.headers)
                return page
            except ApiError as err:
                return staff_error_page(request, err.status, words.sentence(err.code, lang, err.detail))
            except (RequestValidationError, FormError):
                return staff_error_page(request, 422, words.sentence("invalid_input", lang))
            except RPCError as err:
                log.warning("Temporal call failed on a staff page: %s", err)
                return staff_error_page(request, 503, words.sentence("service_unavailable", lang))
            except Exception:
                log.exception("unexpected error on %s %s", request.method, request.url.path)
                return staff_error_page(request, 503, words.sentence("service_unavailable", lang))

        return handler
