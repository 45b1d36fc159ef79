"""Issue 8, staff side, over real HTTP on the real stack: the director's pick is checked against the
day's absences and every refusal carries its own code; signing out revokes the session on the
server; the sign-in form resists login CSRF; every answer carries the security headers.

Each test browses with its own cookie jar; the session-wide `api` client stays cookie-free.
"""

from __future__ import annotations

import hashlib
import re
from base64 import b64encode
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from activities.registry import RegistryActivities
from api import create_app
from core.catalogs import text
from core.settings import Settings
from domain import activity_io as io
from domain.calendar import CityCalendar
from domain.models import Language, TicketStatus
from http_api.tickets import refusal_reason
from store.db import engine_for, session_scope
from store.staff_sessions import SqlStaffSessions
from store.stores import open_stores
from store.tables import Absence, StaffSessionRow
from tests.conftest import wait_for_status
from tests.db_fixtures import add_urbanism, count_rows
from tests.factories import staff_headers
from tests.helpers import Requested, request_ticket
from tests.test_staff_pages import COOKIE, LOGIN_CSRF, csrf_of, login_csrf, said, sign_in
from workflows.blue_ticket import BlueTicketWorkflow

# Urbanism clerks no other test uses: ABSENT gets an absence on the ticket's slot day, GOOD is picked.
ABSENT, GOOD, PAGE_GOOD = "c0011", "c0012", "c0013"
ELSEWHERE = "c0096"  # taxe-impozite
DIRECTOR = "dir-urbanism"
SIGNER = "c0099"  # signs in and out in the session tests
STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)


@pytest.fixture
async def browser(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base_url, timeout=30) as http:
        yield http


@pytest.fixture
async def other_browser(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base_url, timeout=30) as http:
        yield http


def absent_on(database_url: str, staff_id: str, day: date) -> None:
    with session_scope(engine_for(database_url)) as session:
        session.add(Absence(staff_id=staff_id, first_day=day, last_day=day, reason="training"))
        session.commit()


async def awaiting_pick(api: httpx.AsyncClient, client: Client, database_url: str) -> Requested:
    """A ticket for file type 100005 (handler c0005 absent, no substitute), with ABSENT away on its
    slot's day."""
    requested = await request_ticket(api, client, database_url, handler_id="c0005")
    view = await wait_for_status(requested.handle, TicketStatus.AWAITING_ASSIGNMENT)
    assert view.slot_start is not None
    absent_on(database_url, ABSENT, view.slot_start.astimezone(ZoneInfo("Europe/Bucharest")).date())
    return requested


# --- the director's pick ----------------------------------------------------------------------------


async def test_picking_an_absent_clerk_is_refused_with_its_reason_and_a_good_pick_works(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    requested = await awaiting_pick(api, client, database_url)
    path = f"/staff/tickets/{requested.workflow_id}/assign"
    director = staff_headers(DIRECTOR)

    absent = await api.post(path, json={"assignee_id": ABSENT}, headers=director)
    absent_en = await api.post(
        path, json={"assignee_id": ABSENT}, headers={**director, "Accept-Language": "en"}
    )
    elsewhere = await api.post(path, json={"assignee_id": ELSEWHERE}, headers=director)
    nobody = await api.post(path, json={"assignee_id": "c9999"}, headers=director)

    assert absent.status_code == 409 and absent.json()["code"] == "pick_absent", absent.text
    assert absent.json()["message"] == text("pick_absent", Language.RO)
    assert absent_en.json()["message"] == text("pick_absent", Language.EN)
    assert elsewhere.status_code == 409 and elsewhere.json()["code"] == "pick_not_in_department"
    assert nobody.status_code == 409 and nobody.json()["code"] == "pick_not_in_department"
    assert all("Activity task failed" not in r.text for r in (absent, elsewhere, nobody))
    still = await requested.handle.query(BlueTicketWorkflow.status)
    assert still.status == TicketStatus.AWAITING_ASSIGNMENT and still.assignee is None

    good = await api.post(path, json={"assignee_id": GOOD}, headers=director)

    assert good.status_code == 200, good.text
    view = await wait_for_status(requested.handle, TicketStatus.SCHEDULED)
    assert view.assignee is not None and view.assignee.id == GOOD


async def test_the_pick_form_shows_why_an_absent_clerk_was_refused(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    requested = await awaiting_pick(api, client, database_url)
    await sign_in(browser, DIRECTOR)
    path = f"/personal/tichete/{requested.workflow_id}"
    page = await browser.get(path)
    assert f'<option value="{ABSENT}" disabled>' in page.text, "the form already greys the absent out"

    refused = await browser.post(f"{path}/repartizeaza", data={"csrf": csrf_of(page), "assignee_id": ABSENT})
    refused_en = await browser.post(
        f"{path}/repartizeaza?lang=en", data={"csrf": csrf_of(page), "assignee_id": ABSENT}
    )

    assert refused.status_code == 409 and said("pick_absent") in refused.text
    assert refused_en.status_code == 409 and said("pick_absent", Language.EN) in refused_en.text
    assert (
        await requested.handle.query(BlueTicketWorkflow.status)
    ).status == TicketStatus.AWAITING_ASSIGNMENT
    picked = await browser.post(
        f"{path}/repartizeaza", data={"csrf": csrf_of(page), "assignee_id": PAGE_GOOD}
    )
    assert picked.status_code == 303, picked.text


def test_only_the_department_s_current_director_may_pick(database_url: str) -> None:
    """The workflow's validator already refuses another person; the activity re-checks against the
    directory of the moment (a director replaced while the ticket waited)."""
    stores = open_stores(database_url)
    activities = RegistryActivities(stores.registry, stores.staff, CityCalendar(time_zone="Europe/Bucharest"))
    file = stores.registry.find_file(f"100005/{datetime.now(UTC).year}")
    assert file is not None
    at = datetime.now(UTC) + timedelta(days=30)
    request = io.PickRequest(file=file, director_id="dir-taxe-impozite", assignee_id=GOOD, at=at)

    with pytest.raises(ApplicationError) as refused:
        activities.confirm_director_pick(request)

    assert refused.value.type == "pick_not_director" and refused.value.non_retryable
    assert activities.confirm_director_pick(request.model_copy(update={"director_id": DIRECTOR})).id == GOOD
    old = request.model_copy(update={"director_id": DIRECTOR, "at": None})  # an old history's pick
    assert activities.confirm_director_pick(old).id == GOOD


def test_an_update_refusal_is_read_at_the_bottom_of_its_cause_chain() -> None:
    def failed(inner: BaseException) -> WorkflowUpdateFailedError:
        return WorkflowUpdateFailedError(inner)

    wrapped = ActivityError(
        "Activity task failed", scheduled_event_id=1, started_event_id=2, identity="w",
        activity_type=io.CONFIRM_PICK, activity_id="1", retry_state=RetryState.NON_RETRYABLE_FAILURE,
    )  # fmt: skip
    wrapped.__cause__ = ApplicationError("the picked clerk is absent", type="pick_absent")
    by_message = ApplicationError("slot_taken")
    sentence = ApplicationError("the ticket does not need a pick", type="Unknown")

    assert refusal_reason(failed(wrapped)) == ("pick_absent", "")
    assert refusal_reason(failed(by_message)) == ("slot_taken", "")
    assert refusal_reason(failed(sentence)) == ("action_not_allowed", "the ticket does not need a pick")


# --- sessions -----------------------------------------------------------------------------------------


async def test_a_cookie_copied_before_signing_out_is_refused_afterwards(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, other_browser: httpx.AsyncClient
) -> None:
    await sign_in(browser, SIGNER)
    await sign_in(other_browser, SIGNER)  # the same person on another computer
    page = await browser.get("/personal/tichete")
    copied = browser.cookies.get(COOKIE)
    assert page.status_code == 200 and copied

    out = await browser.post("/personal/iesire", data={"csrf": csrf_of(page)})
    assert out.status_code == 303

    async with httpx.AsyncClient(base_url=api.base_url, timeout=30, cookies={COOKIE: copied}) as thief:
        replayed = await thief.get("/personal/tichete")
        replayed_post = await thief.post("/personal/iesire", data={"csrf": csrf_of(page)})
    assert replayed.status_code == 303 and replayed.headers["location"] == "/personal?lang=ro"
    assert replayed_post.status_code == 303 and replayed_post.headers["location"] == "/personal?lang=ro"
    still = await other_browser.get("/personal/tichete")
    assert still.status_code == 200 and 'action="/personal/iesire' in still.text, "other sessions go on"


def test_a_session_row_is_active_until_revoked_or_expired(engine: Engine) -> None:
    """`staff_sessions` on SQLite and PostgreSQL: the cookie's session id is what the row is keyed by
    (hashed), revoking is once and for good, and an expired session is swept at the next sign-in."""
    add_urbanism(engine)
    sessions = SqlStaffSessions(engine)
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    sessions.open("s-1", "c1", now=now, expires_at=now + timedelta(hours=8))
    sessions.open("s-2", "c1", now=now, expires_at=now + timedelta(hours=8))

    assert sessions.active_staff_id("s-1", now) == "c1" and sessions.active_staff_id("nope", now) is None
    assert sessions.revoke("s-1", now) and not sessions.revoke("s-1", now)
    assert sessions.active_staff_id("s-1", now) is None and sessions.active_staff_id("s-2", now) == "c1"
    later = now + timedelta(hours=8)
    assert sessions.active_staff_id("s-2", later) is None
    sessions.open("s-3", "c2", now=later, expires_at=later + timedelta(hours=8))
    assert count_rows(engine, StaffSessionRow) == 1, "the expired sessions were swept"
    with pytest.raises(ValueError):
        sessions.open("s-4", "c1", now=datetime(2026, 12, 1, 8, 0), expires_at=later)


# --- login CSRF -----------------------------------------------------------------------------------


async def test_signing_in_needs_this_browser_s_form_token(
    browser: httpx.AsyncClient, other_browser: httpx.AsyncClient
) -> None:
    token = {"token": f"demo-{SIGNER}"}
    missing = await browser.post("/personal/intrare", data=token)
    theirs = await login_csrf(other_browser)
    await login_csrf(browser)  # this browser has a nonce of its own, which `theirs` does not match
    foreign = await browser.post("/personal/intrare", data={**token, "login_csrf": theirs})
    english = await browser.post("/personal/intrare?lang=en", data={**token, "login_csrf": "forged"})

    for refused in (missing, foreign, english):
        assert refused.status_code == 403 and not browser.cookies.get(COOKIE)
        assert f"{COOKIE}=" not in refused.headers.get("set-cookie", "")
        assert LOGIN_CSRF.search(refused.text), "the form is shown again, ready for a new try"
    assert said("login_form_expired") in missing.text and said("login_form_expired") in foreign.text
    assert said("login_form_expired", Language.EN) in english.text
    retried = LOGIN_CSRF.search(foreign.text)
    assert retried is not None
    ok = await browser.post("/personal/intrare", data={**token, "login_csrf": retried.group(1)})
    assert ok.status_code == 303 and browser.cookies.get(COOKIE)


# --- security headers ---------------------------------------------------------------------------------


def _checked(response: httpx.Response) -> str:
    headers = response.headers
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("referrer-policy") == "no-referrer", where
    assert headers.get("x-content-type-options") == "nosniff", where
    policy = str(headers.get("content-security-policy", ""))
    for directive in (
        "default-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ):
        assert directive in policy, (where, policy)
    return policy


def _every_route(app: FastAPI) -> list[tuple[str, str, bool]]:
    """(method, path, in the API schema) of every route, through included routers (FastAPI 0.165
    keeps those as `_IncludedRouter` branches that list their routes in `effective_route_contexts`)."""
    found: list[tuple[str, str, bool]] = []
    for route in app.routes:
        branch: Any = route
        leaves = (
            list(branch.effective_route_contexts())
            if hasattr(branch, "effective_route_contexts")
            else [branch]
        )
        for leaf in leaves:
            for method in sorted(getattr(leaf, "methods", None) or ()):
                found.append((method, leaf.path, bool(getattr(leaf, "include_in_schema", True))))
    return found


async def test_every_route_answers_with_the_security_headers(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    routes = _every_route(create_app(settings))
    pages = [
        path for _, path, in_schema in routes if not in_schema and not path.startswith(("/docs", "/redoc"))
    ]
    assert len(pages) >= 15 and "/personal/tichete/{workflow_id}" in pages and "/" in pages
    assert ("POST", "/staff/tickets/{workflow_id}/assign", True) in routes
    for method, path, _ in routes:
        answer = await api.request(method, re.sub(r"\{[^}]+\}", "x", path))
        policy = _checked(answer)
        if not path.startswith(("/docs", "/redoc")):
            assert "cdn.jsdelivr.net" not in policy and "unsafe-inline" not in policy, path
    docs = _checked(await api.get("/docs"))
    assert "https://cdn.jsdelivr.net" in docs and "frame-ancestors 'none'" in docs
    assert "cdn.jsdelivr.net" in _checked(await api.get("/redoc"))


async def test_the_pages_inline_css_is_admitted_by_hash_and_nothing_else_is_inline(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    requested = await request_ticket(api, client, database_url, handler_id="c0096")
    await wait_for_status(requested.handle, TicketStatus.SCHEDULED)
    await sign_in(browser, "c0096")
    pages = [
        await browser.get("/"),
        await browser.get(f"{requested.link.path}/pagina", params=requested.key),  # the citizen's page
        await browser.get("/personal/tichete"),
        await browser.get(f"/personal/tichete/{requested.workflow_id}"),
        await browser.get("/personal/tichete/nobody"),
        await browser.get("/accesibilitate"),  # the notices (issue 12)
        await browser.get("/confidentialitate"),
    ]
    for page in pages:
        policy = _checked(page)
        blocks = STYLE_BLOCK.findall(page.text)
        assert blocks, page.request.url
        for css in blocks:
            digest = b64encode(hashlib.sha256(css.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy, page.request.url
        assert " style=" not in page.text and "<script" not in page.text, page.request.url
