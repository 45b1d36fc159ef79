"""Calendar invites (R7): the iCalendar bytes `meeting_invite` builds, read back with the same
library a calendar would use, and the invite travelling through `send_email` over real SMTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from icalendar import Alarm, Calendar, Event

from activities.notifications import NotificationActivities
from core.links import citizen_url
from devstack.mailbox import Mailbox, StoredMessage
from domain.activity_io import AnyEmailRequest, EmailRequest, EmailRequestWithView, TicketFacts
from domain.models import Channel, Language, Level, TicketStatus, TicketView, TimelineEntry
from integrations.emails import compose, split_note
from integrations.invites import invite_uid, meeting_invite, sequence_at
from integrations.mailer import SmtpMailer
from store.db import make_engine
from store.stores import stores_for
from tests.emails import activity_info, calendar_files, plain, run_send_email, smtp_notifications
from tests.samples import CLERK, JOIN_URL, PHONE, meeting_info, ticket_view

NUMBER = "100001/2026"
CITY = "Primăria Municipiului Cluj-Napoca"
ORGANIZER = "Tichet Albastru <tichet-albastru@primaria.example>"
CITIZEN = "ioana.pop@example.ro"
LINK = "https://tichet.primaria.example/bilet/tichet-100001_2026?cheie=abc"
SUBJECT = "Certificat de urbanism pentru extindere locuință"
# Monday after the spring change (EEST, +3) and Monday after the autumn change (EET, +2).
SPRING = datetime(2026, 3, 30, 5, 30, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 26, 6, 30, tzinfo=UTC)
STAMP = datetime(2026, 3, 26, 9, 0, tzinfo=UTC)


def view(
    slot: datetime = SPRING, channel: Channel = Channel.WEBEX, *, with_meeting: bool = True, **overrides: Any
) -> TicketView:
    values: dict[str, Any] = {
        "ticket_id": "bt-100001-2026-1",
        "registration_number": NUMBER,
        "subject": SUBJECT,
        "department_id": "urb",
        "channel": channel,
        "assignee": CLERK,
        "slot_start": slot,
        "meeting": meeting_info(slot, channel) if with_meeting else None,
        "timeline": [TimelineEntry(at=slot - timedelta(days=2), step="validated", detail=NUMBER)],
    }
    return ticket_view(**(values | overrides))


def facts(**changes: Any) -> TicketFacts:
    """What the email activity gets of the ticket since lean activity inputs."""
    return TicketFacts.from_view(view(**changes))


def invite(ticket: TicketView | None = None, **kwargs: Any) -> bytes:
    arguments: dict[str, Any] = {
        "method": "REQUEST",
        "sequence": 7,
        "organizer_email": ORGANIZER,
        "attendee_email": CITIZEN,
        "city": CITY,
        "stamp": STAMP,
        "link": LINK,
    }
    arguments.update(kwargs)
    return meeting_invite(TicketFacts.from_view(ticket or view()), **arguments)


def parse(ics: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(ics)
    assert isinstance(calendar, Calendar)
    events = calendar.events
    assert len(events) == 1
    return calendar, events[0]


def wall(value: date) -> datetime:
    """The wall-clock time a calendar shows for DTSTART/DTEND (which are dates for all-day events)."""
    assert isinstance(value, datetime) and value.tzinfo is not None
    return value.replace(tzinfo=None)


def triggers(event: Event) -> list[timedelta]:
    found = [alarm.TRIGGER for alarm in event.walk("VALARM") if isinstance(alarm, Alarm)]
    assert all(isinstance(trigger, timedelta) for trigger in found), "relative to the start"
    return [trigger for trigger in found if isinstance(trigger, timedelta)]


# --- meeting_invite ---------------------------------------------------------------------------------


def test_request_carries_what_a_calendar_needs() -> None:
    calendar, event = parse(invite())
    assert calendar["METHOD"] == "REQUEST"
    assert calendar["VERSION"] == "2.0"
    assert str(event["UID"]) == "bt-100001-2026-1-0@tichet-albastru"
    assert event["SEQUENCE"] == 7
    assert event["SUMMARY"] == f"Tichet albastru — dosar {NUMBER}"
    assert event["LOCATION"] == JOIN_URL
    assert event["STATUS"] == "CONFIRMED"
    assert event.stamp == STAMP
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:tichet-albastru@primaria.example"
    assert organizer.params["CN"] == "Tichet Albastru"
    (attendee,) = event.attendees
    assert str(attendee) == f"mailto:{CITIZEN}"
    assert attendee.params["RSVP"] == "FALSE"
    description = str(event["DESCRIPTION"])
    assert JOIN_URL in description and LINK in description and "30.03.2026 08:30" in description
    assert str(event["URL"]) == LINK


def test_summary_names_only_the_file() -> None:
    """A calendar is shown on lock screens and shared: the subject, the clerk and the citizen stay
    in the email."""
    _, event = parse(invite())
    visible = str(event["SUMMARY"]) + str(event["LOCATION"])
    for private in (SUBJECT, CLERK.name, CITIZEN, "Ioana"):
        assert private not in visible
    assert SUBJECT not in str(event["DESCRIPTION"]) and CLERK.name not in str(event["DESCRIPTION"])


@pytest.mark.parametrize(
    ("slot", "wall_clock", "offset"),
    [
        (datetime(2026, 3, 27, 6, 30, tzinfo=UTC), datetime(2026, 3, 27, 8, 30), timedelta(hours=2)),
        (SPRING, datetime(2026, 3, 30, 8, 30), timedelta(hours=3)),
        (datetime(2026, 10, 23, 5, 30, tzinfo=UTC), datetime(2026, 10, 23, 8, 30), timedelta(hours=3)),
        (AUTUMN, datetime(2026, 10, 26, 8, 30), timedelta(hours=2)),
    ],
    ids=["before-spring-EET", "after-spring-EEST", "before-autumn-EEST", "after-autumn-EET"],
)
def test_times_are_the_right_instant_and_the_right_wall_clock(
    slot: datetime, wall_clock: datetime, offset: timedelta
) -> None:
    ics = invite(view(slot), stamp=slot - timedelta(days=2))
    calendar, event = parse(ics)
    # the instant
    assert event.start == slot
    assert event.end == slot + timedelta(minutes=15)
    # the wall-clock time, written in the city's zone (not in UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/Bucharest"
    assert wall(event.start) == wall_clock
    assert wall(event.end) == wall_clock + timedelta(minutes=15)
    assert f"DTSTART;TZID=Europe/Bucharest:{wall_clock:%Y%m%dT%H%M%S}" in ics.decode()
    # the VTIMEZONE travels with it and, read on its own (as a client without a zone database
    # would), puts that wall-clock time at the same offset
    (zone,) = calendar.timezones
    assert zone.tz_name == "Europe/Bucharest"
    assert calendar.get_missing_tzids() == set()
    own_rules = zone.to_tz(lookup_tzid=False)
    assert wall_clock.replace(tzinfo=own_rules).utcoffset() == offset
    assert wall_clock.replace(tzinfo=own_rules) == slot


def test_cancel_supersedes_the_request() -> None:
    asked, cancelled_at = STAMP, STAMP + timedelta(hours=3)
    request = invite(sequence=sequence_at(asked), stamp=asked)
    cancel = invite(method="CANCEL", sequence=sequence_at(cancelled_at), stamp=cancelled_at)
    (_, first), (cancel_calendar, second) = parse(request), parse(cancel)
    assert cancel_calendar["METHOD"] == "CANCEL"
    assert second["STATUS"] == "CANCELLED"
    assert second["UID"] == first["UID"]
    assert second.sequence > first.sequence
    assert second.start == first.start
    assert not second.walk("VALARM")  # nothing left to remind of
    assert second["ORGANIZER"] == first["ORGANIZER"]  # RFC 5546: a CANCEL names both parties
    assert [str(a) for a in second.attendees] == [f"mailto:{CITIZEN}"]


def test_reminders_a_day_and_an_hour_before() -> None:
    _, event = parse(invite())
    assert sorted(triggers(event)) == [timedelta(days=-1), timedelta(hours=-1)]
    assert {alarm["ACTION"] for alarm in event.walk("VALARM")} == {"DISPLAY"}


def test_a_reminder_already_past_is_left_out() -> None:
    _, event = parse(invite(stamp=SPRING - timedelta(hours=3)))
    assert triggers(event) == [timedelta(hours=-1)]


@pytest.mark.parametrize(
    ("channel", "language", "location"),
    [
        (Channel.PHONE, Language.RO, f"Telefon: {PHONE}"),
        (Channel.PHONE, Language.EN, f"Phone: {PHONE}"),
        (Channel.IN_PERSON, Language.RO, CITY),
    ],
)
def test_location_for_phone_and_in_person(channel: Channel, language: Language, location: str) -> None:
    _, event = parse(invite(view(channel=channel), language=language))
    assert event["LOCATION"] == location


def test_english_invite() -> None:
    _, event = parse(invite(language=Language.EN))
    assert event["SUMMARY"] == f"Blue ticket — file {NUMBER}"
    assert "Join the Webex meeting here" in str(event["DESCRIPTION"])


def test_each_level_is_its_own_event() -> None:
    assert invite_uid(facts()) != invite_uid(facts(level=Level.DIRECTOR))
    _, event = parse(invite(view(level=Level.DIRECTOR)))
    assert str(event["UID"]) == "bt-100001-2026-1-1@tichet-albastru"


def test_slot_without_a_meeting_yet_lasts_the_default_15_minutes() -> None:
    _, event = parse(invite(view(with_meeting=False)))
    assert event.start == SPRING and event.end == SPRING + timedelta(minutes=15)
    assert event["LOCATION"] == "Webex"


def test_refuses_what_it_cannot_express() -> None:
    with pytest.raises(ValueError, match="no meeting time"):
        invite(view(with_meeting=False, slot_start=None))
    with pytest.raises(ValueError, match="method"):
        invite(method="PUBLISH")
    with pytest.raises(ValueError, match="not an email address"):
        invite(attendee_email="nobody")
    with pytest.raises(ValueError, match="negative"):
        invite(sequence=-1)


def test_same_inputs_same_bytes() -> None:
    """A retried activity must not send a different invite."""
    assert invite() == invite()


def test_sequence_grows_with_time_and_stays_a_32_bit_integer() -> None:
    first = sequence_at(datetime(2026, 3, 26, 9, 0, 0, tzinfo=UTC))
    assert sequence_at(datetime(2026, 3, 26, 9, 0, 1, tzinfo=UTC)) == first + 1
    assert sequence_at(datetime(1970, 1, 1, tzinfo=UTC)) == 0
    assert sequence_at(datetime(2093, 1, 1, tzinfo=UTC)) < 2**31


# --- the rescheduled email -------------------------------------------------------------------------


def test_split_note() -> None:
    before = datetime(2026, 3, 27, 6, 30, tzinfo=UTC)
    assert split_note(f"{before.isoformat()}\nConcediu medical.\n") == (before, "Concediu medical.")
    assert split_note(before.isoformat()) == (before, "")
    assert split_note("Concediu medical.") == (None, "Concediu medical.")
    assert split_note("2026-03-27\nnaive") == (None, "2026-03-27\nnaive")
    assert split_note("") == (None, "")


@pytest.mark.parametrize(
    ("language", "subject", "times", "reason"),
    [
        (
            Language.RO,
            "Tichet albastru reprogramat: 30.03.2026 08:30",
            "27.03.2026 08:30 → 30.03.2026 08:30",
            "Motivul: Funcționarul este în concediu medical.",
        ),
        (
            Language.EN,
            "Blue ticket rescheduled: 30.03.2026 08:30",
            "27.03.2026 08:30 → 30.03.2026 08:30",
            "Reason: Funcționarul este în concediu medical.",
        ),
    ],
)
def test_rescheduled_email_shows_old_and_new_time_and_the_reason(
    language: Language, subject: str, times: str, reason: str
) -> None:
    note = "2026-03-27T06:30:00+00:00\nFuncționarul este în concediu medical."
    message = compose("rescheduled", language, CITIZEN, facts(), LINK, note, CITY)
    body = plain(message)
    assert message["Subject"] == subject
    assert times in body and reason in body
    assert LINK in body and JOIN_URL in body and NUMBER in body


@pytest.mark.parametrize("language", [Language.RO, Language.EN])
def test_rescheduled_email_without_note(language: Language) -> None:
    body = plain(compose("rescheduled", language, CITIZEN, facts(), LINK, "", CITY))
    assert "30.03.2026 08:30" in body
    assert "→" not in body and "Motivul" not in body and "Reason" not in body and "None" not in body


# --- send_email over real SMTP ---------------------------------------------------------------------

BASE_URL = "http://127.0.0.1:8000"
SECRET = "test-link-secret"
WORKFLOW_ID = "tichet-100001_2026"


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    with Mailbox(port=0) as box:
        yield box


@pytest.fixture
def notifications(smtp: Mailbox, tmp_path: Path) -> NotificationActivities:
    return smtp_notifications(smtp.port, tmp_path, city=CITY, link_secret=SECRET, base_url=BASE_URL)


async def send(
    notifications: NotificationActivities, smtp: Mailbox, kind: str, asked_at: datetime, **changes: Any
) -> StoredMessage:
    """Run send_email as the worker would (same activity, real SMTP) and return what arrived."""
    info = activity_info(WORKFLOW_ID, f"{kind}-{asked_at.timestamp():.0f}", asked_at)
    request = EmailRequest(kind=kind, to=CITIZEN, language=Language.RO, ticket=facts(**changes))
    await run_send_email(notifications, info, request)
    return await smtp.wait_for(
        lambda m: m.message["Message-ID"] == f"<run-1.{info.activity_id}@tichet-albastru>"
    )


def calendar_part(received: StoredMessage) -> tuple[EmailMessage, Calendar, Event]:
    parts = [p for p in received.message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "exactly one part a calendar acts on"
    (part,) = parts
    assert isinstance(part, EmailMessage)
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar, event = parse(payload)
    return part, calendar, event


async def test_confirmation_over_smtp_carries_a_request(
    notifications: NotificationActivities, smtp: Mailbox
) -> None:
    asked = datetime(2026, 3, 26, 9, 0, tzinfo=UTC)
    received = await send(notifications, smtp, "confirmation", asked)

    # the structure integrations/emails.py documents
    top = received.message
    assert top.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in top.iter_parts()] == ["text/plain", "text/html", "text/calendar"]

    part, calendar, event = calendar_part(received)
    assert part.get_param("method") == "REQUEST" and part.get_content_charset() == "utf-8"
    assert calendar["METHOD"] == "REQUEST"
    assert event["SEQUENCE"] == sequence_at(asked)
    assert event.stamp == asked
    assert event.start == SPRING and event["LOCATION"] == JOIN_URL
    assert str(event["ORGANIZER"]) == "mailto:tichet-albastru@primaria.example"
    # mail programs without a calendar button offer that same part as the file to import
    assert part.get_filename() == "invite.ics"
    assert received.attachment("invite.ics").content == part.get_payload(decode=True)

    # the email itself is unchanged: both links, in both bodies
    link = citizen_url(BASE_URL, SECRET, WORKFLOW_ID, "bt-100001-2026-1")
    assert link in received.text and JOIN_URL in received.text
    assert received.html is not None and link in received.links() and JOIN_URL in received.links()
    assert received.subject == "Tichet albastru confirmat: 30.03.2026 08:30"
    assert str(event["URL"]) == link


async def test_reschedule_then_cancel_over_smtp_update_the_same_event(
    notifications: NotificationActivities, smtp: Mailbox
) -> None:
    confirmed_at = datetime(2026, 3, 26, 9, 0, tzinfo=UTC)
    moved_at = confirmed_at + timedelta(hours=2)
    cancelled_at = moved_at + timedelta(minutes=1)
    new_slot = datetime(2026, 3, 31, 6, 0, tzinfo=UTC)

    confirmation = await send(notifications, smtp, "confirmation", confirmed_at)
    moved = await send(notifications, smtp, "rescheduled", moved_at, slot=new_slot)
    cancelled = await send(
        notifications, smtp, "cancelled", cancelled_at, slot=new_slot, status=TicketStatus.CANCELLED
    )

    events = []
    for received, method in ((confirmation, "REQUEST"), (moved, "REQUEST"), (cancelled, "CANCEL")):
        part, calendar, event = calendar_part(received)
        assert part.get_param("method") == method == calendar["METHOD"]
        events.append(event)
    first, second, third = events
    assert first["UID"] == second["UID"] == third["UID"]
    assert first.sequence < second.sequence < third.sequence
    assert second.start == third.start == new_slot
    assert third["STATUS"] == "CANCELLED"
    assert moved.subject == "Tichet albastru reprogramat: 31.03.2026 09:00"
    assert cancelled.subject == "Tichet albastru anulat"
    assert "31.03.2026 09:00" in cancelled.text


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("confirmation", TicketStatus.SCHEDULED),
        ("rescheduled", TicketStatus.SCHEDULED),
        ("cancelled", TicketStatus.CANCELLED),
    ],
)
async def test_an_invite_email_carries_one_calendar_file(
    notifications: NotificationActivities, smtp: Mailbox, kind: str, status: TicketStatus
) -> None:
    """One `.ics` per email, counted on what the SMTP server received: a second copy of the same
    invite showed up twice in mail programs that list every part as a file."""
    received = await send(notifications, smtp, kind, datetime(2026, 3, 26, 9, 0, tzinfo=UTC), status=status)
    (only,) = calendar_files(received.message)
    assert only.get_content_type() == "text/calendar"
    assert [a.filename for a in received.attachments] == ["invite.ics"]


async def test_other_emails_carry_no_invite(notifications: NotificationActivities, smtp: Mailbox) -> None:
    asked = datetime(2026, 3, 26, 9, 0, tzinfo=UTC)
    received = await send(notifications, smtp, "staff_assigned", asked)
    assert not [p for p in received.message.walk() if p.get_content_type() == "text/calendar"]
    assert not received.attachments


async def test_an_email_asked_with_the_whole_view_is_the_same_email(
    notifications: NotificationActivities, smtp: Mailbox
) -> None:
    """Tickets started before `lean-activity-inputs-v1` ask with the whole `TicketView`; retried
    after the deploy, the activity still takes it and sends what the lean request sends."""
    asked = datetime(2026, 3, 26, 9, 0, tzinfo=UTC)
    received = {}
    for shape, ticket in (("lean", facts()), ("view", view())):
        info = activity_info(WORKFLOW_ID, f"confirmation-{shape}", asked)
        request: AnyEmailRequest
        if isinstance(ticket, TicketFacts):
            request = EmailRequest(kind="confirmation", to=CITIZEN, language=Language.RO, ticket=ticket)
        else:
            request = EmailRequestWithView(
                kind="confirmation", to=CITIZEN, language=Language.RO, ticket=ticket
            )
        await run_send_email(notifications, info, request)
        message_id = f"<run-1.{info.activity_id}@tichet-albastru>"

        def arrived(m: StoredMessage, wanted: str = message_id) -> bool:
            return bool(m.message["Message-ID"] == wanted)

        received[shape] = await smtp.wait_for(arrived)
    lean, old = received["lean"], received["view"]
    assert (lean.subject, lean.text, lean.html) == (old.subject, old.text, old.html)
    assert calendar_part(lean)[2].to_ical() == calendar_part(old)[2].to_ical()


def test_organizer_defaults_to_the_mailer_sender(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'tichet.db'}")
    registry = stores_for(engine).registry
    mailer = SmtpMailer("127.0.0.1", 25, ORGANIZER)
    assert NotificationActivities(mailer, registry, BASE_URL, SECRET, CITY).sender == ORGANIZER
    chosen = NotificationActivities(mailer, registry, BASE_URL, SECRET, CITY, sender="ics@primaria.example")
    assert chosen.sender == "ics@primaria.example"
