"""A blue ticket end to end through the API, on the real dev server, SMTP server and Webex emulator,
once on each database (`stack`)."""

from __future__ import annotations

import asyncio
import io
import os
import uuid
from datetime import timedelta

import httpx
from pypdf import PdfReader
from sqlmodel import select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from devstack.mailbox import Mailbox
from domain.models import TicketStatus
from store.db import engine_for, session_scope
from store.tables import ArchiveEntry, BookingRow, OutgoingDocument
from tests.conftest import Stack, bucharest_today, handle_for, wait_for_status
from tests.factories import add_file, free_slots, staff_headers, ticket_body
from tests.test_replay import HISTORIES


async def test_happy_path_from_request_to_closed(
    stack: Stack, client: Client, env: WorkflowEnvironment, mailbox: Mailbox
) -> None:
    api, database_url = stack.api, stack.database_url
    ref = add_file(database_url, bucharest_today(), handler_id="c0001")
    slot = (await free_slots(api, ref))[0]
    email = f"cetatean-{uuid.uuid4().hex[:6]}@example.ro"

    response = await api.post("/tickets", json=ticket_body(ref, slot["start"], email))
    assert response.status_code == 202, response.text
    accepted = response.json()
    handle = handle_for(client, accepted["workflow_id"])

    scheduled = await wait_for_status(handle, TicketStatus.SCHEDULED)
    assert scheduled.assignee is not None and scheduled.assignee.id == "c0001"
    assert scheduled.meeting is not None and scheduled.meeting.join_url
    confirmation = await mailbox.wait_for(lambda m: email in m.recipients and "confirmat" in m.subject)
    assert scheduled.meeting.join_url in confirmation.text
    assert accepted["citizen_link"] in confirmation.text

    link = httpx.URL(accepted["citizen_link"])
    mine = await api.get(link.path, params=dict(link.params))
    assert mine.status_code == 200 and mine.json()["status"] == "scheduled"

    # Before the meeting the clerk cannot resolve: the workflow refuses and nothing changes.
    early = await api.post(
        f"/staff/tickets/{handle.id}/resolution",
        json={"conclusions": "Concluzii scrise prea devreme.", "category": "clarified"},
        headers=staff_headers("c0001"),
    )
    assert early.status_code == 409, early.text

    assert scheduled.slot_start is not None
    now = await env.get_current_time(handle)
    await env.fast_forward(handle, scheduled.slot_start - now + timedelta(minutes=16))
    await wait_for_status(handle, TicketStatus.AWAITING_OUTCOME)

    resolved = await api.post(
        f"/staff/tickets/{handle.id}/resolution",
        json={
            "conclusions": "Dosarul este complet. Certificatul se emite în 5 zile lucrătoare.",
            "category": "documents_requested",
            "documents_needed": [{"title": "Plan de situație", "original": True}],
        },
        headers=staff_headers("c0001"),
    )
    assert resolved.status_code == 200, resolved.text

    view = await wait_for_status(handle, TicketStatus.RESOLVED)
    number = view.document_number
    assert number is not None and view.escalation_deadline is not None
    letter = await mailbox.wait_for(lambda m: email in m.recipients and number in m.subject)
    assert len(letter.attachments) == 1 and letter.attachments[0].content_type == "application/pdf"
    pdf_text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(letter.attachments[0].content)).pages
    )
    assert "Plan de situație" in pdf_text and number in pdf_text
    assert "dosarul așteaptă documente de la dumneavoastră" in pdf_text, "the category is printed"

    await env.fast_forward(handle, timedelta(days=31))
    closed = await handle.result()
    assert closed.status == TicketStatus.CLOSED
    if (name := os.environ.get("TICHET_RECORD_HISTORY")) and stack.backend == "sqlite":
        # Record a replay fixture deliberately (see tests/test_replay.py), never by accident; once:
        # the history does not depend on the database.
        history = await handle.fetch_history()
        await asyncio.to_thread((HISTORIES / f"{name}.json").write_text, history.to_json())

    with session_scope(engine_for(database_url)) as session:
        archived = session.exec(
            select(ArchiveEntry).where(ArchiveEntry.ticket_id == accepted["ticket_id"])
        ).one()
        assert archived.outcome == "held" and archived.resolution_document_number == view.document_number
        document = session.exec(
            select(OutgoingDocument).where(OutgoingDocument.ticket_id == accepted["ticket_id"])
        ).one()
        assert document.file_registration_number == ref.registration_number
        booking = session.exec(select(BookingRow).where(BookingRow.ticket_id == accepted["ticket_id"])).one()
        assert booking.staff_id == "c0001"
