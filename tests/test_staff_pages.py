"""The clerks' web pages over real HTTP, on the same real stack as the API tests: signing in with the
personal token, the list of my tickets, someone else's ticket refused, the resolution form end to end
(PDF in the citizen's mailbox), the director's pick, the CSRF lock on every form, and signing out.

Each test browses with its own cookie jar (`browser`): the session-wide `api` client must stay
cookie-free for the other modules.
"""

from __future__ import annotations

import asyncio
import html
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pypdf import PdfReader
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.catalogs import known, text
from core.sessions import SESSION_LIFETIME, csrf_token, read_session, session_value
from core.settings import Settings
from devstack.mailbox import Mailbox
from domain.models import Channel, Language, TicketStatus
from http_api.pages import staff_words
from http_api.pages.staff_session import cookie_options
from integrations.templates import TEMPLATES
from tests.conftest import wait_for_status
from tests.helpers import met_ticket, request_ticket, scheduled_ticket
from workflows.blue_ticket import BlueTicketWorkflow

# Clerks (taxe-impozite, never absent in the demo city) that no other test books.
CLERK, OTHER = "c0095", "c0096"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SLOT_OPTION = re.compile(r'<option value="(\d{4}-[^"]+)"')
COOKIE = "tichet_personal"


def said(code: str, lang: Language = Language.RO) -> str:
    """A `domain.messages` sentence as it appears in the HTML."""
    return html.escape(text(code, lang))


def staff_said(key: str, lang: Language = Language.RO) -> str:
    return html.escape(staff_words.word(key, lang))


@pytest.fixture
async def browser(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base_url, timeout=30) as http:
        yield http


LOGIN_CSRF = re.compile(r'name="login_csrf" value="([^"]+)"')


async def login_csrf(browser: httpx.AsyncClient) -> str:
    """The sign-in form's hidden field (its nonce cookie lands in the browser's jar)."""
    form = await browser.get("/personal")
    found = LOGIN_CSRF.search(form.text)
    assert form.status_code == 200 and found, form.text
    return found.group(1)


async def sign_in(browser: httpx.AsyncClient, staff_id: str) -> httpx.Response:
    data = {"token": f"demo-{staff_id}", "login_csrf": await login_csrf(browser)}
    response = await browser.post("/personal/intrare", data=data)
    assert response.status_code == 303, response.text
    return response


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, "every signed-in page carries the CSRF token (at least in the sign-out form)"
    return found.group(1)


async def listed(browser: httpx.AsyncClient, registration_number: str, within: float = 10) -> httpx.Response:
    """My tickets, polled: Temporal's visibility store sees a new ticket about a second late."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        page = await browser.get("/personal/tichete")
        assert page.status_code == 200, page.text
        if registration_number in page.text or asyncio.get_running_loop().time() > deadline:
            return page
        await asyncio.sleep(0.25)


def test_the_session_cookie_is_signed_and_expires() -> None:
    now = datetime.now(UTC)
    value = session_value("secret", "s1", "dir-urbanism", now)
    claim = read_session("secret", value, now)
    assert claim is not None and (claim.session_id, claim.staff_id) == ("s1", "dir-urbanism")
    assert read_session("other secret", value, now) is None
    assert read_session("secret", value.replace("dir-urbanism", "primar"), now) is None
    assert read_session("secret", value.replace("s1.", "s2.", 1), now) is None
    assert read_session("secret", value, now + SESSION_LIFETIME + timedelta(seconds=1)) is None
    assert (
        read_session("secret", "garbage", now) is None
        and read_session("secret", "a.².b", now) is None
        and read_session("secret", "s.a.².b", now) is None
    )
    assert csrf_token("secret", value) != csrf_token("secret", session_value("secret", "s1", "c0001", now))
    assert cookie_options(Settings(public_base_url="https://tichet.primariaclujnapoca.ro"))["secure"]
    assert not cookie_options(Settings(public_base_url="http://127.0.0.1:8000"))["secure"]


async def test_a_wrong_token_shows_the_login_page_with_the_error(browser: httpx.AsyncClient) -> None:
    first = await browser.get("/personal/tichete")
    assert first.status_code == 303 and first.headers["location"] == "/personal?lang=ro"
    login = await browser.get("/personal")
    assert login.status_code == 200 and '<label for="token">Token personal</label>' in login.text
    assert 'action="/personal/intrare?lang=ro"' in login.text
    english = await browser.get("/personal?lang=en")
    assert '<html lang="en">' in english.text and "Personal token" in english.text

    data = {"token": "demo-nobody", "login_csrf": await login_csrf(browser)}
    wrong = await browser.post("/personal/intrare", data=data)

    assert wrong.status_code == 401
    assert said("staff_token_invalid") in wrong.text and 'aria-invalid="true"' in wrong.text
    assert f"{COOKIE}=" not in wrong.headers.get("set-cookie", "") and not browser.cookies.get(COOKIE)


async def test_my_tickets_lists_a_new_ticket_and_another_clerk_gets_403(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id=CLERK)
    number = requested.ref.registration_number

    signed = await sign_in(browser, CLERK)

    assert signed.headers["location"] == "/personal/tichete?lang=ro"
    cookie = signed.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/personal" in cookie
    assert "max-age=28800" in cookie and "secure" not in cookie  # the test's public URL is http
    page = await listed(browser, number)
    assert number in page.text, "the just-scheduled ticket is listed"
    assert staff_said("signed_in_as") in page.text and "Programat" in page.text
    ticket_path = f"/personal/tichete/{requested.workflow_id}"
    assert f'href="{ticket_path}?lang=ro"' in page.text

    mine = await browser.get(ticket_path)
    assert mine.status_code == 200
    assert number in mine.text and staff_said("reschedule_title") in mine.text
    assert 'name="slot_start"' in mine.text and 'name="reason"' in mine.text
    assert f'action="{ticket_path}/rezolutie' not in mine.text, "no resolution before the meeting"
    assert (await browser.get(f"{ticket_path}?lang=en")).text.count("Move the meeting") >= 1

    async with httpx.AsyncClient(base_url=api.base_url, timeout=30) as other:
        await sign_in(other, OTHER)
        refused = await other.get(ticket_path)
        assert refused.status_code == 403 and said("not_your_ticket") in refused.text
        form = {"csrf": csrf_of(await other.get("/personal/tichete")), "outcome": "held"}
        acted = await other.post(f"{ticket_path}/rezultat", data=form)
        assert acted.status_code == 403
    assert (await requested.handle.query(BlueTicketWorkflow.status)).status == view.status

    new_start = SLOT_OPTION.findall(mine.text)[0]
    form = {"csrf": csrf_of(mine), "slot_start": new_start, "reason": "Am ședință de consiliu."}
    moved = await browser.post(f"{ticket_path}/muta", data=form)
    assert moved.status_code == 303 and moved.headers["location"].endswith("mesaj=mutat")
    after = await requested.handle.query(BlueTicketWorkflow.status)
    assert after.slot_start == datetime.fromisoformat(new_start) != view.slot_start


async def test_the_resolution_form_resolves_and_the_citizen_gets_the_pdf(
    api: httpx.AsyncClient,
    browser: httpx.AsyncClient,
    client: Client,
    env: WorkflowEnvironment,
    database_url: str,
    mailbox: Mailbox,
) -> None:
    requested, _ = await met_ticket(api, client, env, database_url, handler_id=CLERK)
    await sign_in(browser, CLERK)
    path = f"/personal/tichete/{requested.workflow_id}"
    page = await browser.get(path)
    assert page.status_code == 200
    assert (
        f'action="{path}/rezolutie?lang=ro"' in page.text and f'action="{path}/rezultat?lang=ro"' in page.text
    )
    form = {
        "csrf": csrf_of(page),
        "conclusions": "Dosarul este complet. Certificatul se emite în 5 zile lucrătoare.",
        "category": "documents_requested",
        "doc_title_1": "Plan de situație",
        "doc_kind_1": "original",
        "doc_title_2": "",
    }

    no_csrf = await browser.post(f"{path}/rezolutie", data={k: v for k, v in form.items() if k != "csrf"})
    forged = await browser.post(f"{path}/rezolutie", data={**form, "csrf": "forged"})
    assert no_csrf.status_code == 403 and forged.status_code == 403
    assert staff_said("csrf_refused") in no_csrf.text
    too_short = await browser.post(
        f"{path}/rezolutie", data={**form, "conclusions": "Scurt", "doc_title_2": "X"}
    )
    assert too_short.status_code == 422 and said("invalid_input") in too_short.text
    assert 'aria-invalid="true">Scurt</textarea>' in too_short.text, "what was typed stays, marked"
    assert 'value="Plan de situație"' in too_short.text and 'value="X" aria-invalid="true"' in too_short.text
    assert 'href="#conclusions"' in too_short.text and 'href="#doc_title_2"' in too_short.text
    assert (await requested.handle.query(BlueTicketWorkflow.status)).status == TicketStatus.AWAITING_OUTCOME

    done = await browser.post(f"{path}/rezolutie", data=form)

    assert done.status_code == 303 and done.headers["location"] == f"{path}?lang=ro&mesaj=rezolutie"
    view = await wait_for_status(requested.handle, TicketStatus.RESOLVED)
    number = view.document_number
    assert number is not None
    letter = await mailbox.wait_for(lambda m: requested.email in m.recipients and number in m.subject)
    assert [a.content_type for a in letter.attachments] == ["application/pdf"]
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.attachments[0].content)).pages)
    assert "Plan de situație" in pdf and number in pdf
    after = await browser.get(f"{path}?lang=ro&mesaj=rezolutie")
    assert staff_said("done_resolution") in after.text and number in after.text
    assert f'action="{path}/rezolutie' not in after.text, "the form is gone once resolved"


async def test_the_director_picks_a_clerk_from_the_page(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    # c0005 (urbanism) is absent with no substitute in the demo city: the director picks.
    requested = await request_ticket(api, client, database_url, handler_id="c0005")
    await wait_for_status(requested.handle, TicketStatus.AWAITING_ASSIGNMENT)
    await sign_in(browser, "dir-urbanism")
    listing = await listed(browser, requested.ref.registration_number)
    assert staff_said("to_assign") in listing.text and requested.ref.registration_number in listing.text
    path = f"/personal/tichete/{requested.workflow_id}"
    page = await browser.get(path)
    assert staff_said("assign_title") in page.text and '<option value="c0008">' in page.text

    picked = await browser.post(f"{path}/repartizeaza", data={"csrf": csrf_of(page), "assignee_id": "c0008"})

    assert (
        picked.status_code == 303
        and picked.headers["location"] == "/personal/tichete?lang=ro&mesaj=repartizat"
    )
    view = await wait_for_status(requested.handle, TicketStatus.SCHEDULED)
    assert view.assignee is not None and view.assignee.id == "c0008"


async def test_the_clerk_accepts_an_in_person_meeting(
    api: httpx.AsyncClient, browser: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    requested = await request_ticket(api, client, database_url, handler_id=OTHER, channel="in_person")
    await wait_for_status(requested.handle, TicketStatus.AWAITING_CLERK_ACCEPTANCE)
    await sign_in(browser, OTHER)
    path = f"/personal/tichete/{requested.workflow_id}"
    page = await browser.get(f"{path}?lang=en")
    assert staff_said("in_person_title", Language.EN) in page.text

    accepted = await browser.post(f"{path}/sediu?lang=en", data={"csrf": csrf_of(page), "accept": "yes"})

    assert accepted.status_code == 303 and accepted.headers["location"] == f"{path}?lang=en&mesaj=sediu"
    view = await wait_for_status(requested.handle, TicketStatus.SCHEDULED)
    assert view.channel == Channel.IN_PERSON
    shown = await browser.get(accepted.headers["location"])
    assert staff_said("done_in_person", Language.EN) in shown.text and "At the city hall" in shown.text


def test_every_word_the_staff_templates_use_exists() -> None:
    used = {
        key
        for template in (TEMPLATES / "web").glob("staff_*.html")
        for key in re.findall(r'\bs\([\'"]([a-z_]+)[\'"]', template.read_text())
    }
    missing = {key for key in used if not known(f"staff.{key}")}
    assert used and not missing, missing


async def test_signing_out_clears_the_cookie(browser: httpx.AsyncClient) -> None:
    await sign_in(browser, OTHER)
    page = await browser.get("/personal/tichete")
    assert page.status_code == 200 and browser.cookies.get(COOKIE)
    no_token = await browser.post("/personal/iesire", data={})
    assert no_token.status_code == 403, "signing out needs the CSRF token too"

    out = await browser.post("/personal/iesire", data={"csrf": csrf_of(page)})

    assert out.status_code == 303 and out.headers["location"] == "/personal?lang=ro&mesaj=iesit"
    assert "max-age=0" in out.headers["set-cookie"].lower() and not browser.cookies.get(COOKIE)
    assert (await browser.get("/personal/tichete")).status_code == 303
    signed = page.request.headers["cookie"].removeprefix(f"{COOKIE}=")
    browser.cookies.set(COOKIE, signed[:-3] + "xyz", path="/personal")  # a tampered signature
    forged = await browser.get("/personal/tichete")
    assert forged.status_code == 303 and "max-age=0" in forged.headers["set-cookie"].lower()
    assert staff_said("signed_out") in (await browser.get(out.headers["location"])).text
