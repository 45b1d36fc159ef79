"""Issue 4 on real parts: the Webex meeting as the emulator sees it, reminders on the ticket's own
clock, Webex failure falling back to phone, Webex events, and moving a meeting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core import search_attributes as sa
from devstack.mailbox import Mailbox
from domain.models import Channel, Outcome, TicketStatus, WebexEvent
from store.db import engine_for, session_scope
from store.tables import ArchiveEntry, BookingRow
from tests.conftest import wait_for_status
from tests.factories import staff_headers
from tests.helpers import (
    past_the_meeting,
    request_ticket,
    scheduled_ticket,
    staff_action,
    steps,
    wait_for_steps,
)
from workflows.blue_ticket import BlueTicketWorkflow


@pytest.fixture
async def emulator(webex_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=webex_url, timeout=10) as http:
        yield http
        await http.delete("/_control/faults")


async def test_the_meeting_is_created_as_the_rules_ask_and_the_clerk_is_told(
    api: httpx.AsyncClient, client: Client, emulator: httpx.AsyncClient, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0060")
    assert view.meeting is not None and view.meeting.meeting_id is not None
    state = (await emulator.get("/_control/state")).json()
    meeting = next(m for m in state["meetings"] if m["id"] == view.meeting.meeting_id)
    assert meeting["enabledAutoRecordMeeting"] is True, "every meeting is recorded (R10)"
    assert meeting["enabledJoinBeforeHost"] is False
    assert meeting["sendEmail"] is False, "the citizen gets our invitation only"
    assert view.assignee is not None and meeting["hostEmail"] == view.assignee.webex_email
    assert requested.ref.requester_name not in meeting["title"]
    assert requested.ref.registration_number not in meeting["title"], "no personal data in Webex"
    assert datetime.fromisoformat(meeting["start"]) == view.slot_start

    messages = [m for m in state["messages"] if m.get("toPersonEmail") == view.assignee.webex_email]
    assert any(requested.ref.registration_number in m["markdown"] for m in messages)

    found = [w.id async for w in client.list_workflows(f"{sa.WEBEX_MEETING_ID.name} = '{meeting['id']}'")]
    for _ in range(50):
        if found:
            break
        found = [w.id async for w in client.list_workflows(f"{sa.WEBEX_MEETING_ID.name} = '{meeting['id']}'")]
    assert found == [requested.workflow_id]


async def test_reminders_24_hours_and_1_hour_before(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, mailbox: Mailbox, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0061")
    assert view.slot_start is not None
    now = await env.get_current_time(requested.handle)
    due = [h for h in (24, 1) if view.slot_start - timedelta(hours=h) > now]  # past ones are skipped
    await env.fast_forward(requested.handle, view.slot_start - now - timedelta(minutes=1))
    after = await requested.handle.query(BlueTicketWorkflow.status)
    assert [e.detail for e in after.timeline if e.step == "reminder sent"] == [f"{h:g} h before" for h in due]
    reminders = [m for m in mailbox.messages() if requested.email in m.recipients and "Memento" in m.subject]
    assert len(reminders) == len(due)
    assert after.status == TicketStatus.SCHEDULED


async def test_webex_errors_are_retried_then_a_permanent_failure_falls_back_to_phone(
    api: httpx.AsyncClient, client: Client, emulator: httpx.AsyncClient, mailbox: Mailbox, database_url: str
) -> None:
    await emulator.post(
        "/_control/faults", json={"path_prefix": "/v1/meetings", "method": "POST", "status": 503, "count": 1}
    )
    _, retried = await scheduled_ticket(api, client, database_url, handler_id="c0062")
    assert retried.channel == Channel.WEBEX and retried.meeting is not None and retried.meeting.join_url

    await emulator.post(
        "/_control/faults", json={"path_prefix": "/v1/meetings", "method": "POST", "status": 401, "count": 20}
    )
    requested, fallback = await scheduled_ticket(api, client, database_url, handler_id="c0063")
    assert fallback.channel == Channel.PHONE and fallback.meeting is not None
    assert fallback.meeting.phone and fallback.meeting.meeting_id is None
    assert "webex failed: switched to phone" in steps(fallback)
    confirmation = await mailbox.wait_for(
        lambda m: requested.email in m.recipients and "confirmat" in m.subject
    )
    assert "Veți fi sunat(ă)" in confirmation.text


async def test_webex_events_move_the_ticket_and_archive_the_recording(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0064")
    assert view.meeting is not None and view.meeting.meeting_id is not None and view.assignee is not None
    handle, clerk, meeting_id = requested.handle, view.assignee.id, view.meeting.meeting_id
    await past_the_meeting(env, handle, view)
    await wait_for_status(handle, TicketStatus.AWAITING_OUTCOME)

    def event(kind: str, recording_id: str | None = None, at: datetime | None = None) -> dict[str, object]:
        at = at or datetime.now(UTC)
        sent = WebexEvent(
            event_id=f"{kind}-1", kind=kind, meeting_id=meeting_id, recording_id=recording_id, at=at
        )
        return sent.model_dump(mode="json")

    assert view.slot_start is not None
    late_start = view.slot_start + timedelta(minutes=10)  # the host opened it 10 minutes late
    await handle.signal(BlueTicketWorkflow.webex_event, event("meeting_started", at=late_start))
    await handle.signal(BlueTicketWorkflow.webex_event, event("meeting_ended"))
    ended = await wait_for_status(handle, TicketStatus.AWAITING_RESOLUTION)
    assert ended.outcome == Outcome.HELD and "meeting ended" in steps(ended)
    await handle.signal(BlueTicketWorkflow.webex_event, {"kind": "nonsense"})
    await handle.signal(BlueTicketWorkflow.webex_event, event("recording_created", recording_id="rec-42"))

    # Webex said "held"; the clerk knows better and may correct it once.
    corrected = await staff_action(api, requested, "outcome", clerk, {"outcome": "citizen_no_show"})
    assert corrected.status_code == 200, corrected.text
    closed = await handle.result()
    assert closed.outcome == Outcome.CITIZEN_NO_SHOW
    assert "signal rejected" in steps(closed)
    with session_scope(engine_for(database_url)) as session:
        row = session.exec(select(ArchiveEntry).where(ArchiveEntry.ticket_id == requested.ticket_id)).one()
        assert row.recording_ref == "rec-42"
        assert row.started_late, "R11 counts a meeting Webex saw start 10 minutes late as not on time"


async def test_citizen_and_clerk_move_the_meeting(
    api: httpx.AsyncClient, client: Client, emulator: httpx.AsyncClient, mailbox: Mailbox, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0065")
    offered = (await api.get(f"{requested.link.path}/slots", params=requested.key)).json()["slots"]
    new_start = next(s["start"] for s in offered if datetime.fromisoformat(s["start"]) != view.slot_start)

    moved = await api.post(
        f"{requested.link.path}/reschedule", params=requested.key, json={"slot_start": new_start}
    )
    assert moved.status_code == 200, moved.text
    after = await wait_for_steps(requested.handle, "rescheduled")
    assert after.slot_start == datetime.fromisoformat(new_start) and after.status == TicketStatus.SCHEDULED
    assert after.meeting is not None and after.meeting.meeting_id == view.meeting.meeting_id  # type: ignore[union-attr]
    webex = next(
        m
        for m in (await emulator.get("/_control/state")).json()["meetings"]
        if m["id"] == after.meeting.meeting_id
    )
    assert datetime.fromisoformat(webex["start"]) == after.slot_start
    await mailbox.wait_for(lambda m: requested.email in m.recipients and "reprogramat" in m.subject.lower())
    with session_scope(engine_for(database_url)) as session:
        rows = session.exec(select(BookingRow).where(BookingRow.ticket_id == requested.ticket_id)).all()
        assert sorted((r.cancelled_at is None, r.slot_start) for r in rows) == [
            (False, view.slot_start),
            (True, after.slot_start),
        ]

    path = f"/staff/tickets/{requested.workflow_id}/reschedule"
    no_reason = await api.post(
        path, json={"slot_start": str(view.slot_start)}, headers=staff_headers("c0065")
    )
    assert no_reason.status_code == 422
    other = await api.post(
        path, json={"slot_start": str(view.slot_start), "reason": "ședință"}, headers=staff_headers("c0066")
    )
    assert other.status_code == 403
    back = await api.post(
        path,
        json={"slot_start": str(view.slot_start), "reason": "Am ședință de consiliu."},
        headers=staff_headers("c0065"),
    )
    assert back.status_code == 200, back.text
    final = await wait_for_steps(requested.handle, "rescheduled", 2)
    assert final.slot_start == view.slot_start
    assert [e.step for e in final.timeline].count("rescheduled") == 2


async def test_a_rate_limit_is_waited_out(
    api: httpx.AsyncClient, client: Client, emulator: httpx.AsyncClient, database_url: str
) -> None:
    fault = {"path_prefix": "/v1/meetings", "method": "POST", "status": 429, "count": 1, "retry_after": 1}
    await emulator.post("/_control/faults", json=fault)
    _, view = await scheduled_ticket(api, client, database_url, handler_id="c0067")
    assert view.channel == Channel.WEBEX and view.meeting is not None and view.meeting.join_url
    assert (await emulator.get("/_control/state")).json()["faults"] == [], "the 429 was met and retried"


@pytest.mark.parametrize("accept", [True, False])
async def test_in_person_only_when_the_clerk_accepts(
    api: httpx.AsyncClient, client: Client, mailbox: Mailbox, database_url: str, accept: bool
) -> None:
    requested = await request_ticket(api, client, database_url, handler_id="c0068", channel="in_person")
    waiting = await wait_for_status(requested.handle, TicketStatus.AWAITING_CLERK_ACCEPTANCE)
    assert waiting.assignee is not None
    await mailbox.wait_for(
        lambda m: "la sediu" in m.subject and requested.ref.registration_number in m.subject
    )
    page = await api.get(f"{requested.link.path}/pagina", params=requested.key)
    assert page.status_code == 200 and "decide dacă vă poate primi la sediu" in page.text
    answer = await api.post(
        f"/staff/tickets/{requested.workflow_id}/in-person",
        json={"accept": accept},
        headers=staff_headers(waiting.assignee.id),
    )
    assert answer.status_code == 200, answer.text
    view = await wait_for_status(requested.handle, TicketStatus.SCHEDULED)
    assert view.channel == (Channel.IN_PERSON if accept else Channel.WEBEX)
    assert (view.meeting is not None and view.meeting.join_url is not None) is not accept


async def test_cancelling_deletes_the_webex_meeting_and_tells_both_sides(
    api: httpx.AsyncClient, client: Client, emulator: httpx.AsyncClient, mailbox: Mailbox, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0069")
    assert view.meeting is not None and view.assignee is not None
    cancelled = await api.post(
        f"{requested.link.path}/cancel", params=requested.key, json={"reason": "rezolvat"}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (await requested.handle.result()).status == TicketStatus.CANCELLED
    meetings = (await emulator.get("/_control/state")).json()["meetings"]
    assert view.meeting.meeting_id not in {m["id"] for m in meetings}
    number = requested.ref.registration_number
    citizen = await mailbox.wait_for(lambda m: requested.email in m.recipients and "anulat" in m.subject)
    assert any(a.content_type.startswith(("text/calendar", "application/ics")) for a in citizen.attachments)
    clerk = view.assignee.email
    await mailbox.wait_for(lambda m: clerk in m.recipients and "anulat" in m.subject and number in m.subject)
