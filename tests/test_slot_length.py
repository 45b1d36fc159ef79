"""R4's 15 minutes, directly: every slot `GET /slots` offers, and everything a real ticket books with
it (the booking row, the ticket's meeting, the Webex meeting, the calendar invite), lasts exactly
`Policy.slot_length`, starts on a quarter hour and lies inside the clerk's working hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar, Event
from sqlmodel import select
from temporalio.client import Client

from devstack.mailbox import Mailbox, StoredMessage
from domain.models import Policy
from store.db import engine_for, session_scope
from store.tables import BookingRow
from tests.conftest import WEBEX_TOKEN, bucharest_today
from tests.factories import add_file, file_params
from tests.helpers import scheduled_ticket

FIFTEEN_MINUTES = timedelta(minutes=15)
CITY = ZoneInfo("Europe/Bucharest")
# DESIGN.md's default week (R4), written out here rather than read from the code under test; the
# demo city gives `urbanism` (c0001's department) no hours of its own.
WORKING_HOURS = {
    0: (time(8, 30), time(16, 30)),
    1: (time(8, 30), time(16, 30)),
    2: (time(8, 30), time(16, 30)),
    3: (time(8, 30), time(16, 30)),
    4: (time(8, 30), time(14, 0)),
}


def assert_a_working_quarter_hour(start: datetime, end: datetime) -> None:
    """`start`–`end` is one 15-minute slot on a quarter hour inside that day's working hours."""
    assert end - start == FIFTEEN_MINUTES == Policy().slot_length, (start, end)
    local_start, local_end = start.astimezone(CITY), end.astimezone(CITY)
    assert local_start.minute % 15 == 0 and local_start.second == 0 and local_start.microsecond == 0, start
    assert local_start.weekday() in WORKING_HOURS, f"{start} is not on a working weekday"
    opens, closes = WORKING_HOURS[local_start.weekday()]
    assert (
        opens <= local_start.time() and local_end.time() <= closes and local_end.date() == local_start.date()
    )


async def test_every_offered_slot_is_fifteen_minutes_on_a_quarter_hour(
    api: httpx.AsyncClient, database_url: str
) -> None:
    ref = add_file(database_url, bucharest_today(), handler_id="c0001")
    response = await api.get("/slots", params=file_params(ref))
    assert response.status_code == 200, response.text
    body = response.json()
    offered = body["slots"] + body["after_window"]
    assert offered, "the demo calendar offers slots"
    for slot in offered:
        assert_a_working_quarter_hour(
            datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        )
    starts = [datetime.fromisoformat(slot["start"]) for slot in offered]
    assert starts == sorted(set(starts)), "each slot once, in order"


async def test_a_booked_ticket_holds_fifteen_minutes_everywhere(
    api: httpx.AsyncClient, client: Client, mailbox: Mailbox, database_url: str, webex_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0001")
    assert view.slot_start is not None and view.meeting is not None and view.meeting.meeting_id
    start = view.slot_start
    assert view.meeting.start == start
    assert_a_working_quarter_hour(view.meeting.start, view.meeting.end)

    with session_scope(engine_for(database_url)) as session:
        booking = session.exec(select(BookingRow).where(BookingRow.ticket_id == requested.ticket_id)).one()
    assert booking.slot_start == start
    assert_a_working_quarter_hour(booking.slot_start, booking.slot_end)

    async with httpx.AsyncClient(base_url=webex_url, timeout=30) as webex:
        answer = await webex.get(
            f"/v1/meetings/{view.meeting.meeting_id}", headers={"Authorization": f"Bearer {WEBEX_TOKEN}"}
        )
    assert answer.status_code == 200, answer.text
    meeting = answer.json()
    assert datetime.fromisoformat(meeting["start"]) == start
    assert_a_working_quarter_hour(
        datetime.fromisoformat(meeting["start"]), datetime.fromisoformat(meeting["end"])
    )

    confirmation = await mailbox.wait_for(
        lambda m: requested.email in m.recipients and "confirmat" in m.subject
    )
    event = invite_event(confirmation)
    assert event.decoded("DTSTART") == start
    assert_a_working_quarter_hour(event.decoded("DTSTART"), event.decoded("DTEND"))


def invite_event(message: StoredMessage) -> Event:
    """The one VEVENT of the message's text/calendar part."""
    parts = [p for p in message.message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "the confirmation carries one calendar invite"
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = Calendar.from_ical(payload)
    assert isinstance(calendar, Calendar)
    (event,) = calendar.walk("VEVENT")
    assert isinstance(event, Event)
    return event
