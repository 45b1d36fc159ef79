"""The branches of a ticket's life, with days of waiting skipped on the ticket's own clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlmodel import select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.links import citizen_key
from core.settings import Settings
from devstack.mailbox import Mailbox
from domain.calendar import CityCalendar, add_working_hours
from domain.models import Channel, Level, Outcome, TicketStatus
from store.db import engine_for, session_scope
from store.tables import ArchiveEntry, BookingRow
from tests.conftest import wait_for_status
from tests.factories import director_email, free_slots, staff_headers
from tests.helpers import (
    met_ticket,
    past_the_meeting,
    request_ticket,
    rival_ticket,
    scheduled_ticket,
    staff_action,
    steps,
)
from tests.samples import RESOLUTION_BODY
from workflows.blue_ticket import BlueTicketWorkflow
from workflows.guards import AFTER_MEETING


async def test_citizen_no_show_closes_the_ticket_with_a_note(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, mailbox: Mailbox, database_url: str
) -> None:
    requested, _ = await met_ticket(api, client, env, database_url, handler_id="c0040")

    response = await staff_action(
        api, requested, "outcome", "c0040", {"outcome": "citizen_no_show", "note": "Am așteptat 10 minute."}
    )
    assert response.status_code == 200, response.text
    closed = await requested.handle.result()
    assert closed.status == TicketStatus.CLOSED and closed.outcome == Outcome.CITIZEN_NO_SHOW
    note = await mailbox.wait_for(lambda m: requested.email in m.recipients and "prezentat" in m.subject)
    assert requested.ref.registration_number in note.text
    with session_scope(engine_for(database_url)) as session:
        row = session.exec(select(ArchiveEntry).where(ArchiveEntry.ticket_id == requested.ticket_id)).one()
        assert row.outcome == "citizen_no_show" and row.resolution_document_number is None


async def test_clerk_no_show_is_reported_and_the_citizen_gets_a_new_slot(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, mailbox: Mailbox, database_url: str
) -> None:
    requested, view = await met_ticket(api, client, env, database_url, handler_id="c0041")
    assert view.assignee is not None
    clerk = view.assignee.id
    response = await staff_action(api, requested, "outcome", clerk, {"outcome": "clerk_no_show"})
    assert response.status_code == 200, response.text
    await wait_for_status(requested.handle, TicketStatus.AWAITING_SLOT)
    report = await mailbox.wait_for(
        lambda m: "Funcționar absent" in m.subject and requested.ref.registration_number in m.subject
    )
    assert list(report.recipients) == [director_email(database_url, clerk)]
    apology = await mailbox.wait_for(lambda m: requested.email in m.recipients and "scuze" in m.subject)
    assert str(requested.link) in apology.text or requested.link.path in apology.text

    offered = (await api.get(f"{requested.link.path}/slots", params=requested.key)).json()["slots"]
    chosen = await api.post(
        f"{requested.link.path}/slot", params=requested.key, json={"slot_start": offered[0]["start"]}
    )
    assert chosen.status_code == 200, chosen.text
    again = await wait_for_status(requested.handle, TicketStatus.SCHEDULED, TicketStatus.AWAITING_OUTCOME)
    assert again.slot_start == datetime.fromisoformat(offered[0]["start"]) and again.outcome is None
    with session_scope(engine_for(database_url)) as session:
        missed = session.exec(select(ArchiveEntry).where(ArchiveEntry.ticket_id == requested.ticket_id)).one()
        assert (missed.attempt, missed.outcome, missed.staff_id) == (0, "clerk_no_show", clerk), (
            "counted for R11"
        )


async def test_late_resolution_reminds_the_clerk_then_tells_the_director_and_keeps_waiting(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, mailbox: Mailbox, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0042")
    number = requested.ref.registration_number
    handle = requested.handle

    await past_the_meeting(env, handle, view, timedelta(minutes=15 + 31))
    asked = await wait_for_status(handle, TicketStatus.AWAITING_RESOLUTION)
    assert "outcome request" in steps(asked)
    await mailbox.wait_for(lambda m: "Cum a decurs" in m.subject and number in m.subject)

    # R8 counts in working hours: 8 after the meeting for the reminder, 24 for the director.
    assert view.slot_start is not None
    ended = view.slot_start + timedelta(minutes=15)
    reminder_at = add_working_hours(CityCalendar(), ended, timedelta(hours=8))
    deadline_at = add_working_hours(CityCalendar(), ended, timedelta(hours=24))
    assert deadline_at - ended > timedelta(hours=24), "nights and weekends do not count"

    async def skip_to(instant: datetime) -> None:
        await env.fast_forward(handle, instant - await env.get_current_time(handle))

    await skip_to(reminder_at - timedelta(minutes=5))
    assert "resolution reminder" not in steps(await handle.query(BlueTicketWorkflow.status))
    await skip_to(reminder_at + timedelta(minutes=1))
    await mailbox.wait_for(lambda m: "Memento" in m.subject and number in m.subject)
    assert "resolution late" not in steps(await handle.query(BlueTicketWorkflow.status))

    await skip_to(deadline_at + timedelta(minutes=1))
    late = await mailbox.wait_for(lambda m: "întârziată" in m.subject and number in m.subject)
    assert view.assignee is not None
    assert list(late.recipients) == [director_email(database_url, view.assignee.id)]
    view = await handle.query(BlueTicketWorkflow.status)
    assert view.status == TicketStatus.AWAITING_RESOLUTION
    assert steps(view)[-3:] == ["outcome request", "resolution reminder", "resolution late"]

    response = await staff_action(api, requested, "resolution", "c0042", RESOLUTION_BODY)
    assert response.status_code == 200, response.text
    resolved = await wait_for_status(handle, TicketStatus.RESOLVED)
    assert resolved.document_number is not None


async def test_escalation_goes_to_the_director_and_never_skips_a_level(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, mailbox: Mailbox, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0001")
    handle = requested.handle
    early = await api.post(
        f"{requested.link.path}/escalate",
        params=requested.key,
        json={"slot_start": str(view.slot_start)},
    )
    assert early.status_code == 409, "no escalation before the resolution"

    await past_the_meeting(env, handle, view)
    await wait_for_status(handle, TicketStatus.AWAITING_OUTCOME)
    await staff_action(api, requested, "resolution", "c0001", RESOLUTION_BODY)
    await wait_for_status(handle, TicketStatus.RESOLVED)

    offered = await api.get(f"{requested.link.path}/escalation-slots", params=requested.key)
    assert offered.status_code == 200, offered.text
    slots = offered.json()["slots"]
    assert slots and {s["with_name"] for s in slots} == {slots[0]["with_name"]}
    director_slot = slots[0]["start"]
    response = await api.post(
        f"{requested.link.path}/escalate", params=requested.key, json={"slot_start": director_slot}
    )
    assert response.status_code == 200, response.text

    # This ticket's clock was skipped past its first meeting, so by its own clock the director's slot
    # (offered by the real clock) may already have begun: it is booked, then at once past, and even
    # past its outcome grace (the clerk asked, the status moves on to awaiting the resolution).
    level1 = await wait_for_status(handle, TicketStatus.SCHEDULED, *AFTER_MEETING)
    assert level1.level == Level.DIRECTOR
    assert level1.assignee is not None and level1.assignee.role == "director"
    assert level1.assignee.id == "dir-" + (level1.department_id or "")
    assert level1.ticket_id == requested.ticket_id, "the ticket keeps its id and the citizen their link"
    assert [a.level for a in level1.audiences] == [Level.CLERK]
    assert level1.audiences[0].document_number == view.document_number or level1.audiences[0].document_number
    again = await api.post(
        f"{requested.link.path}/escalate", params=requested.key, json={"slot_start": director_slot}
    )
    assert again.status_code == 409, "the deputy mayor is reached only after the director's resolution"
    director_name = level1.assignee.name
    await mailbox.wait_for(
        lambda m: requested.email in m.recipients and "confirmat" in m.subject and director_name in m.text
    )


async def test_escalation_window_closes_after_30_days(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, database_url: str
) -> None:
    requested, view = await met_ticket(api, client, env, database_url, handler_id="c0043")
    await staff_action(api, requested, "resolution", "c0043", RESOLUTION_BODY)
    await wait_for_status(requested.handle, TicketStatus.RESOLVED)
    await env.fast_forward(requested.handle, timedelta(days=30, minutes=1))
    assert (await requested.handle.result()).status == TicketStatus.CLOSED
    late = await api.post(
        f"{requested.link.path}/escalate",
        params=requested.key,
        json={"slot_start": str(view.slot_start)},
    )
    assert late.status_code == 409


async def test_absent_handler_goes_to_the_substitute(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    # The demo city: c0002 is absent from today for a week, and c0003 stands in for them.
    _, view = await scheduled_ticket(api, client, database_url, handler_id="c0002")
    assert view.assignee is not None and view.assignee.id == "c0003"
    assert any("substitute" in e.detail for e in view.timeline)


async def test_with_no_substitute_the_director_picks_the_clerk(
    api: httpx.AsyncClient, client: Client, mailbox: Mailbox, database_url: str
) -> None:
    # c0005 is absent with no substitute (demo city).
    requested = await request_ticket(api, client, database_url, handler_id="c0005")
    waiting = await wait_for_status(requested.handle, TicketStatus.AWAITING_ASSIGNMENT)
    assert waiting.assignee is None
    await mailbox.wait_for(
        lambda m: "Alegeți funcționarul" in m.subject and requested.ref.registration_number in m.subject
    )
    path = f"/staff/tickets/{requested.workflow_id}/assign"
    refused = await api.post(
        path, json={"assignee_id": "c0099"}, headers=staff_headers("dir-asistenta-sociala")
    )
    assert refused.status_code == 403, "another department's director does not even see the ticket"
    outsider = await api.post(path, json={"assignee_id": "c9999"}, headers=staff_headers("dir-urbanism"))
    assert outsider.status_code == 409, "a pick outside the department is refused"
    picked = await api.post(path, json={"assignee_id": "c0006"}, headers=staff_headers("dir-urbanism"))
    assert picked.status_code == 200, picked.text
    view = await wait_for_status(requested.handle, TicketStatus.SCHEDULED)
    assert view.assignee is not None and view.assignee.id == "c0006"


async def test_a_slot_lost_to_a_race_is_chosen_again(
    api: httpx.AsyncClient, client: Client, settings: Settings, database_url: str
) -> None:
    """Two files, one clerk, one slot: the API's check passes for both, the database lets one win,
    and the other ticket waits for its citizen to pick again."""
    _, view = await scheduled_ticket(api, client, database_url, handler_id="c0044")
    assert view.slot_start is not None
    other, handle = await rival_ticket(
        client, settings, database_url, "c0044", view.slot_start, "t-race", "race@example.ro", Channel.PHONE
    )
    waiting = await wait_for_status(handle, TicketStatus.AWAITING_SLOT)
    assert any("slot_taken" in e.detail for e in waiting.timeline)
    fresh = await free_slots(api, other)
    assert view.slot_start.isoformat() not in {s["start"] for s in fresh}
    key = {"cheie": citizen_key(settings.link_secret, handle.id, "t-race")}
    taken = await api.post(f"/bilet/{handle.id}/slot", params=key, json={"slot_start": str(view.slot_start)})
    assert taken.status_code == 409 and taken.json()["code"] == "slot_taken"
    chosen = await api.post(f"/bilet/{handle.id}/slot", params=key, json={"slot_start": fresh[0]["start"]})
    assert chosen.status_code == 200, chosen.text
    booked = await wait_for_status(handle, TicketStatus.SCHEDULED)
    assert booked.channel == Channel.PHONE and booked.meeting is not None and booked.meeting.phone
    with session_scope(engine_for(database_url)) as session:
        rows = session.exec(select(BookingRow).where(BookingRow.staff_id == "c0044")).all()
        active = [b for b in rows if b.cancelled_at is None]
        starts = [b.slot_start for b in active]
        assert len(starts) == len(set(starts)), "never two active bookings of one slot"
