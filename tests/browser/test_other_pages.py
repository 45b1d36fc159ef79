"""The pages and states the journeys do not pass through, audited like theirs (axe-core, lang,
390 px, linked errors, written times), in Romanian, English and Hungarian: the language switch, the generic
"no matching file" answer, the not-found page of a wrong link, a refused action on the ticket page,
a clerk refused someone else's ticket, the clerk's in-person decision and the director's pick."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from selenium.webdriver.common.by import By
from temporalio.client import Client

from domain.models import TicketStatus
from tests.browser.audit import audit
from tests.browser.conftest import VisitorFactory
from tests.browser.visitor import Mouse, Visitor
from tests.conftest import bucharest_today, wait_for_status
from tests.factories import add_file, file_params
from tests.helpers import Requested, request_ticket

# A culture clerk no other test books; c0005 (urbanism) is absent with no substitute in the demo
# city, so its ticket waits for dir-urbanism's pick (which this test only looks at).
CLERK, OTHER, ABSENT = "c0484", "c0486", "c0005"


def sign_in(v: Visitor, staff_id: str) -> None:
    v.open("/personal")
    if v.driver.find_elements(By.CSS_SELECTOR, "form[action^='/personal/iesire']"):  # someone else
        v.press("form[action^='/personal/iesire'] button[type=submit]")
    v.fill("#token", f"demo-{staff_id}")
    v.press("form[action^='/personal/intrare'] button[type=submit]")


def pages(v: Visitor, database_url: str, in_person: Requested, to_pick: Requested) -> None:
    v.open("/")
    switcher = v.driver.find_elements(By.CSS_SELECTOR, "header nav a[hreflang]")  # the language switch
    assert [a.get_attribute("hreflang") for a in switcher] == ["ro", "en", "hu"]
    assert all(a.get_attribute("lang") == a.get_attribute("hreflang") for a in switcher)
    for other in ("ro", "en", "hu"):
        if other != v.lang:
            v.press(f"header a[hreflang='{other}']")
            audit(v.driver, other, f"request form, switched to {other}")
    v.press(f"header a[hreflang='{v.lang}']")
    v.audit("request form, after switching back")

    ref = add_file(database_url, bucharest_today(), handler_id=CLERK)
    v.open(f"/?{httpx.QueryParams({**file_params(ref), 'requester_name': 'Alt Nume'})}")
    v.press("form[action='/alege'] button[type=submit]")
    v.audit("request form, no matching file")
    assert v.find("main .alert.error").get_attribute("role") == "alert"

    page = f"/bilet/{in_person.workflow_id}/pagina"
    v.open(f"{page}?cheie=AAAAAAAAAAAAAAAAAAAAAAAA")
    v.audit("not found, a wrong link")
    v.open(f"{page}?{httpx.QueryParams({**in_person.key, 'eroare': 'slot_choice_not_pending'})}")
    v.audit("ticket, a refused action")

    sign_in(v, OTHER)
    v.open(f"/personal/tichete/{in_person.workflow_id}")
    v.audit("staff, someone else's ticket")
    sign_in(v, CLERK)
    v.open(f"/personal/tichete/{in_person.workflow_id}")
    assert v.driver.find_elements(By.CSS_SELECTOR, "form[action*='/sediu']")
    v.audit("staff ticket, in person asked")
    sign_in(v, "dir-urbanism")
    v.open(f"/personal/tichete/{to_pick.workflow_id}")
    assert v.driver.find_elements(By.CSS_SELECTOR, "form[action*='/repartizeaza']")
    v.audit("staff ticket, the director picks")


@pytest.mark.parametrize("lang", ["ro", "en", "hu"])
async def test_every_other_page_and_error_state_passes(
    lang: str, visitor: VisitorFactory, api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    in_person = await request_ticket(api, client, database_url, handler_id=CLERK, channel="in_person")
    to_pick = await request_ticket(api, client, database_url, handler_id=ABSENT)
    await wait_for_status(in_person.handle, TicketStatus.AWAITING_CLERK_ACCEPTANCE)
    await wait_for_status(to_pick.handle, TicketStatus.AWAITING_ASSIGNMENT)
    v = visitor(Mouse, lang)

    await asyncio.to_thread(pages, v, database_url, in_person, to_pick)

    assert len(v.audited) == 7
