"""Municipalities as tenants (issue 11), on the real system: the seeded Cluj-Napoca and Huedin side by
side on one Temporal namespace and one database (SQLite and PostgreSQL), isolated from each other.

- the same registration number open in both cities at once (R6 is per municipality);
- a clerk, a director, a citizen link and the quality report of one city get, for anything of the
  other, exactly the answer a ticket or municipality that does not exist gets (404, never 403);
- an unknown municipality is a 404 that says so, in Romanian and English.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.client import Client

from core import search_attributes as sa
from core.catalogs import text
from core.payload_crypto import ENCODING, KEY_ID_METADATA
from core.temporal_client import DATA_CONVERTER
from core.tenancy import municipality_of_workflow, workflow_id_for
from devstack.mailbox import Mailbox
from domain.models import ArchiveRecord, Channel, Language, Level, Outcome, TicketStatus
from store.db import engine_for
from store.seed_data import OPS_ID
from store.stores import open_stores, stores_for
from tests.conftest import Stack, bucharest_today, handle_for, wait_for_status
from tests.factories import add_file, file_params, staff_headers, ticket_body
from tests.raw_history import payloads_in, raw_bytes
from workflows.blue_ticket import BlueTicketWorkflow

HUEDIN_CLERK = "huedin-urbanism-c1"
HUEDIN_DIRECTOR = "huedin-urbanism-dir"
CLUJ_CLERK = "c0001"
CLUJ_DIRECTOR = "dir-urbanism"
ZONE = ZoneInfo("Europe/Bucharest")


async def _ticket(stack: Stack, ref: Any, municipality: str | None) -> dict[str, Any]:
    slots = await stack.api.get("/slots", params=file_params(ref, municipality))
    assert slots.status_code == 200, slots.text
    offered = slots.json()["slots"]
    assert offered, "each city's calendar offers slots"
    email = f"t-{uuid.uuid4().hex[:8]}@example.ro"
    body = ticket_body(ref, offered[0]["start"], email)
    if municipality is not None:
        body["municipality"] = municipality
    accepted = await stack.api.post("/tickets", json=body)
    assert accepted.status_code == 202, accepted.text
    return {**accepted.json(), "slots": offered, "citizen_email": email}


async def _two_tickets_of_one_number(stack: Stack, client: Client) -> tuple[dict[str, Any], dict[str, Any]]:
    """Cluj-Napoca's and Huedin's ticket for files with the same registration number, both open."""
    today = bucharest_today()
    cluj_ref = add_file(stack.database_url, today, handler_id=CLUJ_CLERK)
    huedin_ref = add_file(
        stack.database_url, today, handler_id=HUEDIN_CLERK, number=cluj_ref.registration_number
    )
    cluj = await _ticket(stack, cluj_ref, None)  # no municipality: the default one, as before tenancy
    huedin = await _ticket(stack, huedin_ref, "huedin")
    for ticket in (cluj, huedin):
        ticket["view"] = await wait_for_status(
            handle_for(client, ticket["workflow_id"]), TicketStatus.SCHEDULED
        )
    cluj["ref"], huedin["ref"] = cluj_ref, huedin_ref
    return cluj, huedin


async def test_one_registration_number_has_an_open_ticket_in_each_city(stack: Stack, client: Client) -> None:
    cluj, huedin = await _two_tickets_of_one_number(stack, client)
    number = cluj["ref"].registration_number

    assert cluj["workflow_id"] == workflow_id_for(number) == "tichet-" + number.replace("/", "_")
    assert huedin["workflow_id"] == "tichet-huedin-" + number.replace("/", "_")
    assert municipality_of_workflow(huedin["workflow_id"], {"huedin", "cluj-napoca"}) == "huedin"
    assert cluj["view"].assignee.id == CLUJ_CLERK and huedin["view"].assignee.id == HUEDIN_CLERK
    # Huedin's hours: Mon-Fri 08:00-14:00, not Cluj-Napoca's 08:30-16:30.
    for slot in huedin["slots"]:
        local = datetime.fromisoformat(slot["start"]).astimezone(ZONE)
        assert (local.hour, local.minute) >= (8, 0) and local.hour < 14, slot
    assert any(datetime.fromisoformat(s["start"]).astimezone(ZONE).hour >= 14 for s in cluj["slots"])
    # Each ticket names its city for ops (the attribute the Temporal UI filters on).
    described = await handle_for(client, huedin["workflow_id"]).describe()
    assert described.typed_search_attributes.get(sa.MUNICIPALITY) == "huedin"
    # R6 per municipality: the Huedin file's second ticket is refused, Cluj-Napoca's is untouched.
    again = ticket_body(huedin["ref"], huedin["slots"][1]["start"], "again@example.ro", municipality="huedin")
    second = await stack.api.post("/tickets", json=again)
    assert second.status_code == 409 and second.json()["code"] == "ticket_already_open"
    # Each city's booking holds its own clerk's slot.
    assert open_stores(stack.database_url, "huedin").bookings.busy(
        HUEDIN_CLERK, huedin["view"].slot_start, huedin["view"].slot_start + timedelta(minutes=15)
    )


async def test_staff_of_one_city_get_the_404_of_a_missing_ticket_for_the_other_city(
    stack: Stack, client: Client
) -> None:
    cluj, huedin = await _two_tickets_of_one_number(stack, client)
    missing = await stack.api.get("/staff/tickets/tichet-999999_2026", headers=staff_headers(CLUJ_CLERK))
    assert missing.status_code == 404
    for me, other in (
        (CLUJ_CLERK, huedin),
        (CLUJ_DIRECTOR, huedin),
        (HUEDIN_CLERK, cluj),
        (HUEDIN_DIRECTOR, cluj),
    ):
        seen = await stack.api.get(f"/staff/tickets/{other['workflow_id']}", headers=staff_headers(me))
        assert (seen.status_code, seen.json()) == (404, missing.json()), me
        acted = await stack.api.post(
            f"/staff/tickets/{other['workflow_id']}/outcome",
            json={"outcome": "citizen_no_show"},
            headers=staff_headers(me),
        )
        assert (acted.status_code, acted.json()) == (404, missing.json()), me
    own = await stack.api.get(f"/staff/tickets/{huedin['workflow_id']}", headers=staff_headers(HUEDIN_CLERK))
    assert own.status_code == 200 and own.json()["assignee"]["id"] == HUEDIN_CLERK
    view = await handle_for(client, huedin["workflow_id"]).query(BlueTicketWorkflow.status)
    assert view.status == TicketStatus.SCHEDULED  # nothing of the other city's staff reached it


async def test_a_citizen_link_opens_only_its_own_citys_ticket(stack: Stack, client: Client) -> None:
    cluj, huedin = await _two_tickets_of_one_number(stack, client)
    cluj_key = httpx.URL(cluj["citizen_link"]).params["cheie"]
    huedin_key = httpx.URL(huedin["citizen_link"]).params["cheie"]
    missing = await stack.api.get("/bilet/tichet-999999_2026", params={"cheie": cluj_key})
    assert missing.status_code == 404

    own = await stack.api.get(f"/bilet/{huedin['workflow_id']}", params={"cheie": huedin_key})
    assert own.status_code == 200 and own.json()["with_name"] == huedin["view"].assignee.name
    # Cluj-Napoca's link, pointed at Huedin's ticket of the same number (and at its actions).
    crossed = await stack.api.get(f"/bilet/{huedin['workflow_id']}", params={"cheie": cluj_key})
    assert (crossed.status_code, crossed.json()) == (404, missing.json())
    cancel = await stack.api.post(
        f"/bilet/{huedin['workflow_id']}/cancel", params={"cheie": cluj_key}, json={"reason": "x"}
    )
    assert (cancel.status_code, cancel.json()) == (404, missing.json())
    # The city's own pages: Huedin's ticket under Cluj-Napoca's prefix does not exist.
    page = await stack.api.get(f"/huedin/bilet/{huedin['workflow_id']}/pagina", params={"cheie": huedin_key})
    assert page.status_code == 200 and "Orașul Huedin" in page.text
    other_prefix = await stack.api.get(
        f"/cluj-napoca/bilet/{huedin['workflow_id']}/pagina", params={"cheie": huedin_key}
    )
    missing_page = await stack.api.get(
        "/cluj-napoca/bilet/tichet-999999_2026/pagina", params={"cheie": cluj_key}
    )
    assert other_prefix.status_code == missing_page.status_code == 404


def _archived(stack: Stack, municipality: str, staff_id: str, department_id: str, at: datetime) -> None:
    stores = stores_for(engine_for(stack.database_url), municipality=municipality)
    stores.archive.record(
        ArchiveRecord(
            ticket_id=f"arch-{uuid.uuid4().hex[:10]}",
            level=Level.CLERK,
            registration_number="100001/2026",
            staff_id=staff_id,
            department_id=department_id,
            channel=Channel.WEBEX,
            meeting_start=at,
            outcome=Outcome.HELD,
            closed_at=at + timedelta(minutes=15),
        )
    )


async def test_the_quality_report_holds_only_its_own_citys_audiences(stack: Stack) -> None:
    day = datetime(2025, 3, 4, 9, 0, tzinfo=UTC) + timedelta(days=uuid.uuid4().int % 200)
    _archived(stack, "huedin", HUEDIN_CLERK, "huedin-urbanism", day)
    _archived(stack, "cluj-napoca", CLUJ_CLERK, "urbanism", day)
    period = {"from": day.date().isoformat(), "to": day.date().isoformat()}

    huedin = await stack.api.get("/reports/quality", params=period, headers=staff_headers("huedin-primar"))
    cluj = await stack.api.get("/reports/quality", params=period, headers=staff_headers("primar"))

    assert huedin.status_code == cluj.status_code == 200
    assert {row["staff_id"] for row in huedin.json()["rows"]} == {HUEDIN_CLERK}
    assert HUEDIN_CLERK not in {row["staff_id"] for row in cluj.json()["rows"]}
    assert CLUJ_CLERK in {row["staff_id"] for row in cluj.json()["rows"]}
    unknown = await stack.api.get(
        "/reports/quality",
        params=period | {"municipality": "nicaieri"},
        headers=staff_headers("huedin-primar"),
    )
    other = await stack.api.get(
        "/reports/quality",
        params=period | {"municipality": "cluj-napoca"},
        headers=staff_headers("huedin-primar"),
    )
    assert (other.status_code, other.json()) == (unknown.status_code, unknown.json())
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_municipality"


@pytest.mark.parametrize("language", [Language.RO, Language.EN])
async def test_an_unknown_municipality_is_a_404_that_says_so(stack: Stack, language: Language) -> None:
    ref = add_file(stack.database_url, bucharest_today(), handler_id=CLUJ_CLERK)
    headers = {"Accept-Language": language.value}
    slots = await stack.api.get("/slots", params=file_params(ref, "nicaieri"), headers=headers)
    body = ticket_body(ref, "2026-12-03T10:00:00+02:00", "x@example.ro", municipality="nicaieri")
    ticket = await stack.api.post("/tickets", json=body, headers=headers)
    for answer in (slots, ticket):
        assert answer.status_code == 404
        assert answer.json() == {
            "code": "unknown_municipality",
            "message": text("unknown_municipality", language),
        }
    # A file of Cluj-Napoca is not Huedin's, even with the right name and date (R1's generic answer).
    wrong_city = await stack.api.get("/slots", params=file_params(ref, "huedin"))
    assert wrong_city.status_code == 404 and wrong_city.json()["code"] == "no_matching_file"


def test_outgoing_numbers_and_documents_are_per_city(stack: Stack) -> None:
    """TA-<year>-<n> counts in each municipality; a document of one is not found in the other."""
    engine = engine_for(stack.database_url)
    today = bucharest_today()
    at = datetime.now(UTC) + timedelta(days=3650 + uuid.uuid4().int % 3000)  # a year of its own
    numbers = {}
    for municipality, handler in (("cluj-napoca", CLUJ_CLERK), ("huedin", HUEDIN_CLERK)):
        ref = add_file(stack.database_url, today, handler_id=handler)
        registry = stores_for(engine, municipality=municipality).registry
        numbers[municipality] = registry.register_document(
            file_registration_number=ref.registration_number,
            ticket_id=f"doc-{uuid.uuid4().hex[:8]}",
            level=0,
            title="Rezoluție",
            filename="r.pdf",
            content_type="application/pdf",
            content=b"%PDF",
            at=at,
        ).registration_number
    assert numbers["cluj-napoca"] == numbers["huedin"] == f"TA-{at.astimezone(ZONE).year}-000001"
    huedin = stores_for(engine, municipality="huedin").registry
    assert huedin.document_content(numbers["huedin"]) is not None
    assert (
        huedin.find_file(add_file(stack.database_url, today, handler_id=CLUJ_CLERK).registration_number)
        is None
    )


async def test_each_city_has_its_pages_and_its_emails(stack: Stack, client: Client, mailbox: Mailbox) -> None:
    """`/huedin/` shows Huedin's name and header and asks Huedin's registry; `/` stays Cluj-Napoca's;
    an unknown prefix is the 404 page that says so; Huedin's confirmation email names Huedin and comes
    from its own sender."""
    huedin_page = await stack.api.get("/huedin/")
    default_page = await stack.api.get("/")
    unknown = await stack.api.get("/nicaieri/")
    assert huedin_page.status_code == default_page.status_code == 200
    assert "Orașul Huedin" in huedin_page.text and "Piața Victoriei nr. 1" in huedin_page.text
    assert 'action="/huedin/alege"' in huedin_page.text
    assert "Municipiul Cluj-Napoca" in default_page.text and "Orașul Huedin" not in default_page.text
    assert unknown.status_code == 404 and text("unknown_municipality", Language.RO) in unknown.text

    ref = add_file(stack.database_url, bucharest_today(), handler_id=HUEDIN_CLERK)
    choose = await stack.api.get("/huedin/alege", params=file_params(ref))
    elsewhere = await stack.api.get("/alege", params=file_params(ref))  # Cluj-Napoca has no such file
    assert choose.status_code == 200 and "Orașul Huedin" in choose.text
    assert elsewhere.status_code == 404

    huedin = await _ticket(stack, ref, "huedin")
    to = huedin["citizen_email"]
    confirmation = await mailbox.wait_for(lambda m: to in m.recipients, timeout=30)
    assert "tichet-albastru@huedin.example" in str(confirmation.message["From"])
    assert "Orașul Huedin" in confirmation.text


async def test_a_clerk_of_huedin_signs_in_to_the_pages_and_sees_only_huedins_ticket(
    stack: Stack, client: Client
) -> None:
    cluj, huedin = await _two_tickets_of_one_number(stack, client)
    async with httpx.AsyncClient(base_url=stack.api.base_url, timeout=30) as browser:
        form = await browser.get("/personal")
        csrf = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        data = {"token": f"demo-{HUEDIN_CLERK}", "login_csrf": csrf.group(1)}
        assert (await browser.post("/personal/intrare", data=data)).status_code == 303
        own = await browser.get(f"/personal/tichete/{huedin['workflow_id']}")
        other = await browser.get(f"/personal/tichete/{cluj['workflow_id']}")
        missing = await browser.get("/personal/tichete/tichet-999999_2026")
    assert own.status_code == 200 and huedin["ref"].registration_number in own.text
    assert other.status_code == missing.status_code == 404


async def test_each_citys_ticket_is_encrypted_with_its_own_key_and_decodes_for_its_own_staff(
    stack: Stack, client: Client
) -> None:
    """Issue 11's keys per municipality: the raw history (a plain client, no codec) of Huedin's ticket
    holds only payloads under Huedin's key id, Cluj-Napoca's only under the deployment's; the codec
    server opens Huedin's for Huedin's director and national ops, not for Cluj-Napoca's director."""
    cluj, huedin = await _two_tickets_of_one_number(stack, client)
    raw = Client(**client.config() | {"data_converter": DATA_CONVERTER})
    ring = stack.settings.payload_keyring
    sealed: dict[str, list[Payload]] = {}
    for name, ticket in (("cluj", cluj), ("huedin", huedin)):
        history = await raw.get_workflow_handle(ticket["workflow_id"]).fetch_history()
        sealed[name] = [
            p
            for event in history.events
            for p in payloads_in(event)
            if p.metadata.get("encoding") == ENCODING
        ]
        scheduled = [e for e in history.events if e.HasField("activity_task_scheduled_event_attributes")]
        assert scheduled, "the ticket ran activities, whose inputs are sealed too"
        assert raw_bytes(history.events).count(ticket["citizen_email"].encode()) == 0
    assert {p.metadata[KEY_ID_METADATA] for p in sealed["huedin"]} == {ring.key_id_for("huedin").encode()}
    assert {p.metadata[KEY_ID_METADATA] for p in sealed["cluj"]} == {ring.current.encode()}
    assert ring.key_id_for("huedin") != ring.current

    body = {"payloads": [json_format.MessageToDict(p) for p in sealed["huedin"]]}
    for staff_id, opens in ((HUEDIN_DIRECTOR, True), (OPS_ID, True), (CLUJ_DIRECTOR, False)):
        answer = await stack.api.post("/codec/decode", json=body, headers=staff_headers(staff_id))
        assert answer.status_code == 200, answer.text
        shown = b"".join(p.data for p in json_format.ParseDict(answer.json(), Payloads()).payloads)
        assert (huedin["citizen_email"].encode() in shown) == opens, staff_id
        assert (answer.json() == body) != opens, staff_id  # not opened: exactly as sent
