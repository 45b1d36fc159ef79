"""The rules a ticket must keep, each through the real stack: R1, R3, R6, validation, authorization."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from temporalio.client import Client, WorkflowUpdateFailedError

from core.links import workflow_id_for
from core.settings import Settings
from devstack.mailbox import Mailbox
from domain.models import (
    Channel,
    Citizen,
    FileRef,
    Outcome,
    OutcomeAction,
    TicketInput,
    TicketStatus,
)
from tests.conftest import bucharest_today
from tests.factories import add_file, file_params, free_slots, staff_headers, ticket_body
from tests.helpers import scheduled_ticket
from workflows.blue_ticket import BlueTicketWorkflow

ANY_SLOT = datetime(2030, 1, 7, 6, 30, tzinfo=UTC)  # the rejection comes before any booking


@pytest.mark.parametrize(
    "mismatch",
    ["registration_number", "requester_name", "filing_date", "answered_too_long_ago", "unknown_number"],
)
async def test_r1_every_mismatch_gets_the_same_generic_answer(
    api: httpx.AsyncClient, database_url: str, mismatch: str
) -> None:
    today = bucharest_today()
    ref = add_file(database_url, today, answered_days_ago=45 if mismatch == "answered_too_long_ago" else None)
    other = add_file(database_url, today, requester_name="Vasile Rus")
    params = file_params(ref)
    if mismatch == "registration_number":
        params["registration_number"] = other.registration_number
    elif mismatch == "requester_name":
        params["requester_name"] = "Maria Pop"
    elif mismatch == "filing_date":
        params["filing_date"] = (ref.filing_date - timedelta(days=1)).isoformat()
    elif mismatch == "unknown_number":
        params["registration_number"] = "999999/1999"

    slots = await api.get("/slots", params=params)
    asked = await api.post(
        "/tickets",
        json={
            **params,
            "slot_start": "2030-01-07T08:30:00+02:00",
            "phone": "0712345678",
            "email": "a@example.ro",
        },
    )
    for response in (slots, asked):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "no_matching_file"
        assert "Nu am găsit un dosar" in response.json()["message"]


async def test_r1_answered_recently_and_name_written_differently_are_accepted(
    api: httpx.AsyncClient, database_url: str
) -> None:
    ref = add_file(database_url, bucharest_today(), answered_days_ago=30, requester_name="Ștefan Țurcanu")
    params = {**file_params(ref), "requester_name": "TURCANU  stefan"}
    response = await api.get("/slots", params=params)
    assert response.status_code == 200 and response.json()["slots"]


async def test_r1_the_workflow_itself_rejects_a_mismatch_and_emails_the_generic_answer(
    client: Client, settings: Settings, database_url: str, mailbox: Mailbox, worker: None
) -> None:
    """The API checks first, but the workflow is the authority: started directly with a wrong name,
    it ends as rejected, books nothing, and says only the generic sentence."""
    ref = add_file(database_url, bucharest_today())
    email = f"r1-{uuid.uuid4().hex[:6]}@example.ro"
    wrong = FileRef(
        registration_number=ref.registration_number,
        requester_name="Cineva Strain",
        filing_date=ref.filing_date,
    )
    handle = await client.start_workflow(
        BlueTicketWorkflow.run,
        TicketInput(
            ticket_id="t-r1",
            file=wrong,
            citizen=Citizen(email=email, phone="0712345678"),
            channel=Channel.WEBEX,
            slot_start=ANY_SLOT,
        ),
        id=workflow_id_for(ref.registration_number),
        task_queue=settings.task_queue,
    )
    result = await handle.result()
    assert result.status == TicketStatus.REJECTED and result.rejection_code == "no_matching_file"
    assert result.assignee is None and result.meeting is None
    message = await mailbox.wait_for(lambda m: email in m.recipients)
    assert "Nu am găsit un dosar" in message.text
    assert "Certificat de urbanism" not in message.text, "a rejection must not reveal the file"


async def test_r6_one_open_ticket_per_file_and_a_new_one_after_it_ends(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    first, view = await scheduled_ticket(api, client, database_url, handler_id="c0010")
    slots = await free_slots(api, first.ref)
    again = await api.post("/tickets", json=ticket_body(first.ref, slots[0]["start"], "alt@example.ro"))
    assert again.status_code == 409 and again.json()["code"] == "ticket_already_open"

    cancelled = await api.post(f"{first.link.path}/cancel", params=first.key, json={"reason": "rezolvat"})
    assert cancelled.status_code == 200, cancelled.text
    assert (await first.handle.result()).status == TicketStatus.CANCELLED

    slots = await free_slots(api, first.ref)
    assert view.slot_start in {datetime.fromisoformat(s["start"]) for s in slots}, "cancelling frees the slot"
    renewed = await api.post("/tickets", json=ticket_body(first.ref, slots[0]["start"], first.email))
    assert renewed.status_code == 202, renewed.text
    old_link = await api.get(first.link.path, params=first.key)
    assert old_link.status_code == 404 and old_link.json()["code"] == "ticket_link_invalid"


async def test_a_director_cannot_be_booked_directly(api: httpx.AsyncClient, database_url: str) -> None:
    """R3: no request names a person or a level, and a file last handled by a director is not a way
    in: its slots belong to whoever the director assigns, never to the director."""
    ref = add_file(database_url, bucharest_today(), handler_id="c0001")
    slot = (await free_slots(api, ref))[0]
    body = ticket_body(ref, slot["start"], "x@example.ro", level=1)
    response = await api.post("/tickets", json=body)
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"
    assert any(f["field"] == "level" for f in response.json()["fields"])

    director_file = add_file(database_url, bucharest_today(), handler_id="dir-urbanism")
    offered = await free_slots(api, director_file)
    assert all(s["with_name"] is None for s in offered)


async def test_invalid_input_is_a_clear_4xx_in_romanian_or_english(api: httpx.AsyncClient) -> None:
    bad = {
        "registration_number": "1/2026",
        "requester_name": "I",
        "filing_date": "ieri",
        "slot_start": "mâine",
        "phone": "abc",
        "email": "nu-e-email",
    }
    ro = await api.post("/tickets", json=bad)
    en = await api.post("/tickets", json=bad, headers={"Accept-Language": "en"})
    assert ro.status_code == en.status_code == 422
    assert ro.json()["message"] == "Datele trimise nu sunt valide."
    assert en.json()["message"] == "The data you sent is not valid."
    fields = {f["field"] for f in ro.json()["fields"]}
    assert {"requester_name", "filing_date", "slot_start", "phone", "email"} <= fields
    garbage = await api.post("/tickets", content=b"{not json", headers={"Content-Type": "application/json"})
    assert garbage.status_code == 422
    missing = await api.get("/bilet/tichet-nu-exista", params={"cheie": "xxxxxxxxxxxx"})
    assert missing.status_code == 404 and missing.json()["code"] == "ticket_link_invalid"


async def test_staff_cannot_act_on_someone_elses_ticket(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    requested, _ = await scheduled_ticket(api, client, database_url, handler_id="c0020")
    path = f"/staff/tickets/{requested.workflow_id}"
    assert (await api.get(path)).status_code == 401
    assert (await api.get(path, headers={"Authorization": "Bearer gresit"})).status_code == 401
    other = await api.post(f"{path}/outcome", json={"outcome": "held"}, headers=staff_headers("c0021"))
    assert other.status_code == 403 and other.json()["code"] == "not_your_ticket"
    mine = await api.get(path, headers=staff_headers("c0020"))
    assert mine.status_code == 200 and mine.json()["assignee"]["id"] == "c0020"

    # The workflow refuses too, whoever calls it: the API is not the only door.
    with pytest.raises(WorkflowUpdateFailedError):
        await requested.handle.execute_update(
            BlueTicketWorkflow.record_outcome, OutcomeAction(staff_id="c0021", outcome=Outcome.HELD)
        )
    view = await requested.handle.query(BlueTicketWorkflow.status)
    assert view.status == TicketStatus.SCHEDULED and view.outcome is None


async def test_an_invalid_signal_is_recorded_and_changes_nothing(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    requested, before = await scheduled_ticket(api, client, database_url, handler_id="c0030")
    handle = requested.handle
    await handle.signal(BlueTicketWorkflow.submit_resolution_signal, {"staff_id": "c0030"})
    await handle.signal(
        BlueTicketWorkflow.submit_resolution_signal,
        {"staff_id": "c0030", "conclusions": "Prea devreme pentru o rezoluție."},
    )
    await handle.signal(BlueTicketWorkflow.record_outcome_signal, {"staff_id": "c9999", "outcome": "held"})
    await handle.signal(BlueTicketWorkflow.record_outcome_signal, {"outcome": "mers bine"})

    view = await handle.query(BlueTicketWorkflow.status)
    rejected = [e.detail for e in view.timeline if e.step == "signal rejected"]
    assert len(rejected) == 4, view.timeline
    assert "conclusions" in rejected[0]
    assert "not taken place" in rejected[1]
    assert "not the ticket's clerk" in rejected[2]
    assert view.status == TicketStatus.SCHEDULED and view.outcome is None
    assert view.slot_start == before.slot_start and view.meeting == before.meeting
    assert (await api.get(requested.link.path, params=requested.key)).json()["status"] == "scheduled"


async def test_my_tickets_lists_the_clerks_open_tickets_only(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0031")
    assert view.assignee is not None
    mine: list[dict[str, object]] = []
    for _ in range(100):  # Temporal's visibility store catches up within a moment
        mine = (await api.get("/staff/me/tickets", headers=staff_headers(view.assignee.id))).json()
        if any(t["workflow_id"] == requested.workflow_id for t in mine):
            break
        await asyncio.sleep(0.1)
    (listed,) = [t for t in mine if t["workflow_id"] == requested.workflow_id]
    assert (
        listed["status"] == "scheduled" and listed["registration_number"] == requested.ref.registration_number
    )
    others = (await api.get("/staff/me/tickets", headers=staff_headers("c0032"))).json()
    assert all(t["workflow_id"] != requested.workflow_id for t in others)
