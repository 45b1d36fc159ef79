"""The whole journey in a real browser, in Romanian and in English, with the mouse and by keyboard
only, and in Hungarian with the mouse: the citizen asks for a ticket (a form error first), picks a
slot and books; opens the ticket
from the confirmation email's link; the clerk signs in under /personal (a wrong token first), finds
it in their tickets and moves it; after the meeting (the ticket's clock skipped) records the outcome
and a resolution with documents (an error first); the citizen, from the resolution email, rates the
meeting and escalates to the director. A second citizen whose slot was lost to a race picks another
slot from their email and cancels. Every page on the way, in each state and error state, passes
`tests.browser.audit.audit` (axe-core, lang, 390 px, linked errors, written times).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from selenium.webdriver.common.by import By
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from devstack.mailbox import Mailbox, StoredMessage
from domain.models import Level, TicketStatus, TicketView
from store.ratings import ratings_for
from tests.browser.audit import written_day, written_time
from tests.browser.conftest import VisitorFactory
from tests.browser.visitor import Keyboard, Mouse, Visitor
from tests.conftest import bucharest_today, handle_for, wait_for_status
from tests.factories import add_file
from tests.helpers import past_the_meeting, rival_ticket
from workflows.blue_ticket import BlueTicketWorkflow

# Culture department clerks (never absent in the demo city) that no other test books: each journey
# has its own, so the slots each one sees are its own too. Escalations go to dir-cultura.
CLERKS = {
    ("mouse", "ro"): "c0480",
    ("mouse", "en"): "c0481",
    ("keyboard", "ro"): "c0482",
    ("keyboard", "en"): "c0483",
    ("mouse", "hu"): "c0485",  # Hungarian, the proof that a catalog is all a language needs
}
# A word of the confirmation email's subject, and a cancel reason, in each language.
CONFIRMED = {"ro": "confirmat", "en": "confirmed", "hu": "visszaigazol"}
OTHERWISE = {"ro": "Am rezolvat altfel.", "en": "Sorted out otherwise.", "hu": "Máshogy intéztem el."}
KINDS: dict[str, type[Visitor]] = {"mouse": Mouse, "keyboard": Keyboard}
PAGES = [
    "request form",
    "request form, a malformed registration number",
    "slot choice",
    "slot choice, a phone number we cannot call",
    "confirmation",
    "ticket from the email, scheduled",
    "lost slot from the email, choose another",
    "lost slot, another one booked",
    "lost slot, cancelled",
    "staff sign-in",
    "staff sign-in, a wrong token",
    "my tickets",
    "staff ticket, scheduled",
    "staff ticket, moved",
    "staff ticket, after the meeting",
    "staff ticket, outcome recorded",
    "staff ticket, a document title too short",
    "staff ticket, resolved",
    "staff signed out",
    "ticket from the resolution email",
    "ticket, rated",
    "ticket, escalated",
]


@dataclass
class Stack:
    client: Client
    env: WorkflowEnvironment
    mailbox: Mailbox
    settings: Settings
    database_url: str


def typed_date(day: date) -> str:
    """What a person types into a date field of a Chromium whose locale is en-US (mm/dd/yyyy)."""
    return day.strftime("%m%d%Y")


def email_link(v: Visitor, message: StoredMessage) -> str:
    """The ticket link of a real email, sent to the app the test serves: the emails carry the
    configured public address (127.0.0.1:8000), the test's app listens on a free port."""
    link = next(url for url in message.links() if "/bilet/" in url)
    parts = urlsplit(link)
    return f"{v.base_url}{parts.path}?{parts.query}"


def workflow_id_of(v: Visitor) -> str:
    found = re.search(r"/bilet/([^/?]+)/pagina", v.driver.current_url)
    assert found, v.driver.current_url
    return found.group(1)


async def until(handle: WorkflowHandle[Any, Any], check: Any, within: float = 20) -> TicketView:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        view: TicketView = await handle.query(BlueTicketWorkflow.status)
        if check(view):
            return view
        assert asyncio.get_running_loop().time() < deadline, f"ticket stuck at {view.status}, {view.level}"
        await asyncio.sleep(0.1)


def assert_written_times(v: Visitor, css: str) -> None:
    shown = [e.text for e in v.driver.find_elements(By.CSS_SELECTOR, css)]
    assert shown, f"no {css} on {v.driver.current_url}"
    pattern = written_time(v.lang)
    assert all(pattern.match(text) for text in shown), shown


def assert_error_summary_first(v: Visitor, field_id: str) -> None:
    """The summary at the top is announced (role=alert), has the focus on arrival and links to the
    field, which is marked invalid and described by its own message."""
    summary = v.find("main .alert.error")
    assert summary.get_attribute("role") == "alert"
    assert v.driver.execute_script("return document.activeElement === arguments[0]", summary)
    links = [a.get_attribute("href") for a in summary.find_elements(By.CSS_SELECTOR, "a")]
    assert any(str(link).endswith(f"#{field_id}") for link in links), summary.text
    field = v.find(f"#{field_id}")
    assert field.get_attribute("aria-invalid") == "true"
    described = (field.get_attribute("aria-describedby") or "").split()
    assert f"{field_id}-error" in described and v.find(f"#{field_id}-error").text


def citizen_books(v: Visitor, stack: Stack, clerk: str) -> tuple[str, str]:
    """From the request form to the ticket page opened from the confirmation email: (email, id)."""
    ref = add_file(stack.database_url, bucharest_today(), handler_id=clerk)
    email = f"browser-{uuid.uuid4().hex[:8]}@example.ro"
    v.open("/")
    v.audit("request form")
    v.fill("#registration_number", "#" + ref.registration_number)
    v.fill("#requester_name", ref.requester_name)
    v.fill("#filing_date", typed_date(ref.filing_date))
    v.press("form[action='/alege'] button[type=submit]")
    v.audit("request form, a malformed registration number")
    assert_error_summary_first(v, "registration_number")

    v.fill("#registration_number", ref.registration_number)  # the rest was kept
    v.press("form[action='/alege'] button[type=submit]")
    v.audit("slot choice")
    days = [h.text for h in v.driver.find_elements(By.CSS_SELECTOR, "fieldset h2")]
    assert days and all(re.fullmatch(written_day(v.lang), d) for d in days), days
    slot = v.choose("slot_start")
    v.fill("#phone", "12")
    v.fill("#email", email)
    v.press("form[action^='/cerere'] button[type=submit]")
    v.audit("slot choice, a phone number we cannot call")
    assert_error_summary_first(v, "phone")
    assert v.radio("slot_start", slot).is_selected(), "the chosen slot was kept"

    v.fill("#phone", "0712 345 678")
    v.press("form[action^='/cerere'] button[type=submit]")
    v.audit("confirmation")

    subject = CONFIRMED[v.lang]
    mail = v.wait(stack.mailbox.wait_for(lambda m: email in m.recipients and subject in m.subject))
    v.open(email_link(v, mail))
    v.audit("ticket from the email, scheduled")
    assert_written_times(v, "dl.facts dd:nth-of-type(3)")
    assert_written_times(v, "ol.timeline time")
    workflow_id = workflow_id_of(v)
    view = v.wait(wait_for_status(handle_for(stack.client, workflow_id), TicketStatus.SCHEDULED))
    assert view.slot_start == datetime.fromisoformat(slot)
    return email, workflow_id


def lost_slot_chosen_again_and_cancelled(v: Visitor, stack: Stack, clerk: str, taken: datetime) -> None:
    """A second citizen's ticket for the same slot loses the race; they choose again, then cancel."""
    rival_email = f"browser-rival-{uuid.uuid4().hex[:8]}@example.ro"
    ticket_id = f"t-browser-{uuid.uuid4().hex[:8]}"
    _, handle = v.wait(
        rival_ticket(stack.client, stack.settings, stack.database_url, clerk, taken, ticket_id, rival_email)
    )
    mail = v.wait(stack.mailbox.wait_for(lambda m: rival_email in m.recipients and "/bilet/" in m.text))
    v.wait(wait_for_status(handle, TicketStatus.AWAITING_SLOT))
    v.open(email_link(v, mail))
    v.audit("lost slot from the email, choose another")
    chosen = v.choose("slot_start")
    v.press("form[action*='/pagina/alege'] button[type=submit]")
    view = v.wait(wait_for_status(handle, TicketStatus.SCHEDULED))
    assert view.slot_start == datetime.fromisoformat(chosen)
    v.driver.refresh()
    v.audit("lost slot, another one booked")
    v.fill("#reason", OTHERWISE[v.lang])
    v.press("form[action*='/anuleaza'] button[type=submit]")
    v.audit("lost slot, cancelled")
    v.wait(wait_for_status(handle, TicketStatus.CANCELLED))


def clerk_moves_meets_and_resolves(v: Visitor, stack: Stack, clerk: str, workflow_id: str) -> str:
    """Under /personal: sign in, my tickets, move the meeting, outcome, resolution with documents.
    Returns the registered resolution's number."""
    handle = handle_for(stack.client, workflow_id)
    number = v.wait(handle.query(BlueTicketWorkflow.status)).registration_number
    v.open("/personal")
    v.audit("staff sign-in")
    v.fill("#token", "demo-nobody")
    v.press("form[action^='/personal/intrare'] button[type=submit]")
    v.audit("staff sign-in, a wrong token")
    token = v.find("#token")
    assert token.get_attribute("aria-invalid") == "true"
    v.fill("#token", f"demo-{clerk}")
    v.press("form[action^='/personal/intrare'] button[type=submit]")
    v.reload_until("main", number)
    v.audit("my tickets")
    v.press(f'main a[href^="/personal/tichete/{quote(workflow_id, safe="")}"]')
    v.audit("staff ticket, scheduled")
    assert_written_times(v, "dl.facts dd:nth-of-type(4)")

    options = v.driver.find_elements(By.CSS_SELECTOR, "#slot_start option[value]:not([value=''])")
    new_start = str(options[1].get_attribute("value"))
    v.pick("#slot_start", new_start)
    v.fill("#reason", "Am ședință de consiliu.")
    v.press("form[action*='/muta'] button[type=submit]")
    v.audit("staff ticket, moved")
    moved = v.wait(until(handle, lambda t: t.slot_start == datetime.fromisoformat(new_start)))

    v.wait(past_the_meeting(stack.env, handle, moved))
    v.wait(wait_for_status(handle, TicketStatus.AWAITING_OUTCOME))
    v.driver.refresh()
    v.audit("staff ticket, after the meeting")
    v.choose("outcome", "held")
    v.press("form[action*='/rezultat'] button[type=submit]")
    v.audit("staff ticket, outcome recorded")
    v.wait(wait_for_status(handle, TicketStatus.AWAITING_RESOLUTION))

    v.driver.refresh()
    v.fill("#conclusions", "Dosarul este complet. Certificatul se emite în 5 zile lucrătoare.")
    v.pick("#category", "documents_requested")
    v.fill("#doc_title_1", "Plan de situație")
    v.fill("#doc_title_2", "X")
    v.press("form[action*='/rezolutie'] button[type=submit]")
    v.audit("staff ticket, a document title too short")
    assert_error_summary_first(v, "doc_title_2")
    v.fill("#doc_title_2", "Extras de carte funciară")
    v.pick("#doc_kind_2", "copy")
    v.press("form[action*='/rezolutie'] button[type=submit]")
    resolved = v.wait(wait_for_status(handle, TicketStatus.RESOLVED))
    assert resolved.document_number is not None
    v.reload_until("main", resolved.document_number)
    v.audit("staff ticket, resolved")
    v.press("form[action^='/personal/iesire'] button[type=submit]")
    v.audit("staff signed out")
    return resolved.document_number


def citizen_rates_and_escalates(
    v: Visitor, stack: Stack, email: str, workflow_id: str, document: str
) -> None:
    handle = handle_for(stack.client, workflow_id)
    mail = v.wait(stack.mailbox.wait_for(lambda m: email in m.recipients and document in m.subject))
    v.open(email_link(v, mail))
    v.audit("ticket from the resolution email")
    v.choose("stars", "4")
    v.fill("#comment", "Mulțumesc, m-ați lămurit.")
    v.press("form[action*='/evalueaza'] button[type=submit]")
    v.audit("ticket, rated")
    ticket = v.wait(handle.query(BlueTicketWorkflow.status))
    stored = ratings_for(stack.database_url).get(ticket.ticket_id, Level.CLERK)
    assert stored is not None and stored.stars == 4
    assert not v.driver.find_elements(By.CSS_SELECTOR, "form[action*='/evalueaza']"), "rated once"

    # The ticket's clock was skipped past the clerk's meeting: the director's last offered slot lies
    # after it, so the new meeting is still ahead on that clock too.
    offered = v.driver.find_elements(By.CSS_SELECTOR, "input[name=slot_start]")
    v.choose("slot_start", str(offered[-1].get_attribute("value")))
    v.press("form[action*='/escaladeaza'] button[type=submit]")
    escalated = v.wait(
        until(handle, lambda t: t.level == Level.DIRECTOR and t.status == TicketStatus.SCHEDULED)
    )
    assert escalated.assignee is not None and escalated.assignee.id == "dir-cultura"
    v.reload_until("main", escalated.assignee.name)
    v.audit("ticket, escalated")


def journey(v: Visitor, stack: Stack, clerk: str) -> None:
    email, workflow_id = citizen_books(v, stack, clerk)
    booked = v.wait(handle_for(stack.client, workflow_id).query(BlueTicketWorkflow.status))
    assert booked.slot_start is not None
    lost_slot_chosen_again_and_cancelled(v, stack, clerk, booked.slot_start)
    document = clerk_moves_meets_and_resolves(v, stack, clerk, workflow_id)
    citizen_rates_and_escalates(v, stack, email, workflow_id, document)


@pytest.mark.parametrize(("kind", "lang"), list(CLERKS))
async def test_the_whole_journey_passes_every_check(
    kind: str,
    lang: str,
    visitor: VisitorFactory,
    client: Client,
    env: WorkflowEnvironment,
    mailbox: Mailbox,
    settings: Settings,
    database_url: str,
) -> None:
    v = visitor(KINDS[kind], lang)
    stack = Stack(client, env, mailbox, settings, database_url)

    await asyncio.to_thread(journey, v, stack, CLERKS[kind, lang])

    assert v.audited == PAGES
    if isinstance(v, Keyboard):
        assert v.focus_stops > 50, "the journey was walked with the Tab key"
