"""The citizen web pages over real HTTP, on the same real stack as the API tests: the form in both
languages, a refusal that keeps what was typed, a ticket booked through the forms end to end, the
ticket page and its actions, and the not-found page for a wrong key."""

from __future__ import annotations

import html
import re
import uuid
from datetime import datetime

import httpx
from temporalio.client import Client

from core.catalogs import text
from core.links import citizen_key
from core.settings import Settings
from devstack.mailbox import Mailbox
from domain.models import Language, TicketStatus
from tests.conftest import bucharest_today, handle_for, wait_for_status
from tests.factories import add_file, file_params
from tests.helpers import rival_ticket, scheduled_ticket

SLOT = re.compile(r'name="slot_start" value="([^"]+)"')
# A clerk no other test books (and never drawn absent by the seed), so these tests do not move the
# first free slot that timing-sensitive tests of c0001 count on.
CLERK = "c0004"


def said(code: str, lang: Language = Language.RO) -> str:
    """A `domain.messages` sentence as it appears in the HTML."""
    return html.escape(text(code, lang))


def page_path(workflow_id: str) -> str:
    return f"/bilet/{workflow_id}/pagina"


async def test_request_form_in_romanian_and_english(api: httpx.AsyncClient) -> None:
    ro = await api.get("/")
    assert ro.status_code == 200 and ro.headers["content-type"].startswith("text/html")
    assert '<html lang="ro">' in ro.text
    assert '<label for="registration_number">Număr de înregistrare</label>' in ro.text
    assert 'type="date"' in ro.text and 'action="/alege"' in ro.text
    assert "lang=en" in ro.text  # the switch link

    for en in (await api.get("/?lang=en"), await api.get("/", headers={"Accept-Language": "en-GB,en"})):
        assert en.status_code == 200
        assert '<html lang="en">' in en.text
        assert '<label for="registration_number">Registration number</label>' in en.text


async def test_wrong_name_gets_the_generic_sentence_and_keeps_the_form(
    api: httpx.AsyncClient, database_url: str
) -> None:
    ref = add_file(database_url, bucharest_today(), handler_id=CLERK)
    params = {**file_params(ref), "requester_name": "Ion <Greșit>"}

    response = await api.get("/alege", params=params)

    assert response.status_code == 404
    assert said("no_matching_file") in response.text
    assert f'value="{ref.registration_number}"' in response.text
    assert 'value="Ion &lt;Greșit&gt;"' in response.text  # kept, and escaped
    assert f'value="{ref.filing_date.isoformat()}"' in response.text
    assert not SLOT.search(response.text)


async def test_invalid_contact_details_keep_everything_typed(
    api: httpx.AsyncClient, database_url: str
) -> None:
    ref = add_file(database_url, bucharest_today(), handler_id=CLERK)
    choose = await api.get("/alege", params={**file_params(ref), "lang": "en"})
    slot = SLOT.findall(choose.text)[1]
    form = {**file_params(ref), "slot_start": slot, "channel": "phone", "phone": "+40 712 345 678"}

    response = await api.post("/cerere?lang=en", data={**form, "email": "not-an-email"})

    assert response.status_code == 422
    assert said("invalid_input", Language.EN) in response.text
    assert 'id="email" name="email" value="not-an-email"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="+40 712 345 678"' in response.text
    assert f'value="{html.escape(slot)}" required checked' in response.text
    assert 'value="phone" checked' in response.text


async def test_booking_through_the_forms(
    api: httpx.AsyncClient, client: Client, mailbox: Mailbox, database_url: str
) -> None:
    ref = add_file(database_url, bucharest_today(), handler_id=CLERK)
    choose = await api.get("/alege", params=file_params(ref))
    assert choose.status_code == 200, choose.text
    assert "Certificat de urbanism" in choose.text
    slot = SLOT.findall(choose.text)[0]
    email = f"cetatean-{uuid.uuid4().hex[:8]}@example.ro"
    form = {**file_params(ref), "slot_start": slot, "channel": "webex", "phone": "0712345678"}

    sent = await api.post("/cerere?lang=ro", data={**form, "email": email})

    assert sent.status_code == 303, sent.text
    confirmation = await api.get(sent.headers["location"])
    assert confirmation.status_code == 200
    assert "Cererea a fost primită" in confirmation.text
    found = re.search(r"/bilet/([^/]+)/pagina\?cheie=([A-Za-z0-9_-]+)", confirmation.text)
    assert found is not None
    workflow_id, key = found.groups()

    view = await wait_for_status(handle_for(client, workflow_id), TicketStatus.SCHEDULED)
    assert view.meeting is not None and view.meeting.join_url
    await mailbox.wait_for(lambda m: email in m.recipients and "confirmat" in m.subject)

    page = await api.get(page_path(workflow_id), params={"cheie": key})
    assert page.status_code == 200
    assert '<span class="status">Programat</span>' in page.text
    assert f'href="{html.escape(view.meeting.join_url)}"' in page.text
    assert ref.registration_number in page.text and "Certificat de urbanism" in page.text
    assert "/anuleaza?" in page.text  # scheduled: the citizen may still cancel

    english = await api.get(page_path(workflow_id), params={"cheie": key, "lang": "en"})
    assert '<span class="status">Scheduled</span>' in english.text
    assert "Join the Webex meeting" in english.text


async def test_cancelling_from_the_page(api: httpx.AsyncClient, client: Client, database_url: str) -> None:
    requested, _ = await scheduled_ticket(api, client, database_url, handler_id=CLERK)
    path = page_path(requested.workflow_id)

    posted = await api.post(f"{path}/anuleaza", params=requested.key, data={"reason": "Am rezolvat altfel."})

    assert posted.status_code == 303
    location = httpx.URL(posted.headers["location"])
    assert location.path == path and location.params["mesaj"] == "anulat"
    view = await wait_for_status(requested.handle, TicketStatus.CANCELLED)
    assert view.outcome is not None
    page = await api.get(location)
    assert "Am primit anularea." in page.text
    assert '<span class="status">Anulat</span>' in page.text
    assert "/anuleaza?" not in page.text  # nothing left to cancel


async def test_a_refused_action_is_a_message_on_the_page(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id=CLERK)
    assert view.slot_start is not None
    path = page_path(requested.workflow_id)

    # A scheduled ticket has no slot choice pending: the workflow refuses (409 in the API).
    posted = await api.post(f"{path}/alege", params=requested.key, data={"slot_start": view.slot_start})

    assert posted.status_code == 303
    page = await api.get(posted.headers["location"])
    assert page.status_code == 200
    assert 'class="alert error" role="alert"' in page.text
    # The refusal's own sentence (its code is `slot_choice_not_pending`), not a generic one.
    assert text("slot_choice_not_pending", Language.RO) in page.text
    assert "Traceback" not in page.text


async def test_choosing_another_slot_from_the_page(
    api: httpx.AsyncClient, client: Client, settings: Settings, database_url: str
) -> None:
    """A slot lost to a race (as in test_ticket_paths) leaves the ticket waiting for a new choice,
    which the page offers as a list of free slots."""
    _, taken = await scheduled_ticket(api, client, database_url, handler_id="c0050")
    assert taken.slot_start is not None
    _, handle = await rival_ticket(
        client, settings, database_url, "c0050", taken.slot_start, "t-page-race", "pagina@example.ro"
    )
    await wait_for_status(handle, TicketStatus.AWAITING_SLOT)
    key = {"cheie": citizen_key(settings.link_secret, handle.id, "t-page-race")}
    path = page_path(handle.id)

    page = await api.get(path, params=key)
    assert "Alegeți un alt interval" in page.text and "/anuleaza?" in page.text
    offered = SLOT.findall(page.text)
    assert offered and taken.slot_start not in {datetime.fromisoformat(s) for s in offered}

    posted = await api.post(f"{path}/alege", params=key, data={"slot_start": offered[0]})

    assert posted.status_code == 303 and httpx.URL(posted.headers["location"]).params["mesaj"] == "interval"
    booked = await wait_for_status(handle, TicketStatus.SCHEDULED)
    assert booked.slot_start == datetime.fromisoformat(offered[0])


async def test_a_wrong_key_is_a_not_found_page(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    requested, _ = await scheduled_ticket(api, client, database_url, handler_id=CLERK)
    path = page_path(requested.workflow_id)

    for params in ({"cheie": "AAAAAAAAAAAAAAAAAAAAAAAA"}, {"cheie": "țțțțțțțțțț"}, {}):
        response = await api.get(path, params=params)
        assert response.status_code == 404, params
        assert response.headers["content-type"].startswith("text/html")
        assert said("ticket_link_invalid") in response.text

    missing = await api.get(page_path("tichet-nu-exista"), params=requested.key)
    assert missing.status_code == 404 and said("ticket_link_invalid") in missing.text
    cancel = await api.post(f"{path}/anuleaza", params={"cheie": "AAAAAAAAAAAAAAAAAAAAAAAA"}, data={})
    assert cancel.status_code == 404
    assert (await wait_for_status(requested.handle, TicketStatus.SCHEDULED)).outcome is None
