"""Calendar invites for a ticket's meeting (R7): an iCalendar object (RFC 5545) carried as an iTIP
message (RFC 5546), so the citizen's calendar holds the meeting, moves it on a reschedule and drops
it on a cancellation — without the citizen typing anything in.

Three choices keep updates working without any stored state:

- the UID is derived from the ticket and the level, so every email about one audience addresses
  the same calendar event, and an escalation (a new audience) gets a new one;
- the SEQUENCE is derived from the instant the email was asked for (`sequence_at`), which only grows
  over a ticket's life, so a reschedule or a cancellation always supersedes what came before;
- times are written in Europe/Bucharest with the matching VTIMEZONE, so a calendar shows the slot
  at the wall-clock time the email names, on either side of a daylight-saving change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from typing import Final, Literal, get_args
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress

from core.catalogs import say, short_moment
from domain.activity_io import TicketFacts
from domain.models import Channel, Language

Method = Literal["REQUEST", "CANCEL"]
METHODS: Final = frozenset(get_args(Method))

TIME_ZONE: Final = "Europe/Bucharest"
PRODID: Final = "-//Tichet Albastru//Invitatie 1.0//RO"
UID_DOMAIN: Final = "tichet-albastru"
# Only used when the ticket has no meeting yet (it always has one once confirmed): Policy's default.
DEFAULT_LENGTH: Final = timedelta(minutes=15)
REMINDERS: Final = (timedelta(hours=24), timedelta(hours=1))
# SEQUENCE is an RFC 5545 INTEGER (signed 32 bits): seconds since this epoch fit until 2093, where
# Unix seconds would overflow in 2038.
SEQUENCE_EPOCH: Final = datetime(2025, 1, 1, tzinfo=UTC)


class _Texts:
    """The invite's sentences in one language: the catalogs' `invite.` entries."""

    def __init__(self, language: Language) -> None:
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        return say(f"invite.{key}", self.language, **values)


_REMINDER_KEYS: Final = {timedelta(hours=24): "reminder_24h", timedelta(hours=1): "reminder_1h"}


def invite_uid(ticket: TicketFacts) -> str:
    """One calendar event per audience: the same for its confirmation, reschedules and cancellation."""
    return f"{ticket.ticket_id}-{int(ticket.level)}@{UID_DOMAIN}"


def sequence_at(instant: datetime) -> int:
    """SEQUENCE for an invite sent at `instant`: seconds since 2025-01-01 UTC.

    Derived rather than counted so that no activity keeps state: the caller passes the instant the
    workflow asked for the email (the activity's first scheduled time, the same on every retry),
    which grows with every later email of the ticket. Never negative, as RFC 5546 counts from 0.
    """
    return max(0, int((instant - SEQUENCE_EPOCH).total_seconds()))


def meeting_invite(
    ticket: TicketFacts,
    method: Method,
    sequence: int,
    organizer_email: str,
    attendee_email: str,
    city: str,
    *,
    language: Language = Language.RO,
    link: str = "",
    stamp: datetime | None = None,
) -> bytes:
    """The invite for the ticket's current meeting, as the bytes of an `.ics` file.

    `method` is REQUEST for a new or moved meeting (send it again with a higher `sequence` to move
    it) and CANCEL to remove it. `organizer_email` and `attendee_email` may carry a display name
    ("Tichet Albastru <tichet@primaria.example>"). `city` names the city hall: it is the location
    of an in-person meeting and the organizer's name when the address has none. `link` is the
    citizen's ticket page, added to the description. `stamp` is DTSTAMP (when the message was
    made); pass a fixed one so that a retried email carries the same bytes.

    The summary names only the file number: a calendar is often shared or shown on a lock screen,
    so the citizen's name, subject and the clerk stay in the email.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, not {method!r}")
    if sequence < 0:
        raise ValueError("SEQUENCE cannot be negative")
    start, end = _times(ticket)
    zone = ZoneInfo(TIME_ZONE)
    texts = _Texts(language)
    number = ticket.registration_number
    cancelled = method == "CANCEL"
    sent = (stamp or datetime.now(UTC)).astimezone(UTC)

    event = Event.new(
        uid=invite_uid(ticket),
        sequence=sequence,
        stamp=sent,
        start=start.astimezone(zone),
        end=end.astimezone(zone),
        summary=texts("summary", number=number),
        location=_location(ticket, texts, city),
        description=_description(ticket, texts, city, start.astimezone(zone), link, cancelled),
        organizer=_address(organizer_email, cn=city),
        attendees=[_address(attendee_email, role="REQ-PARTICIPANT", rsvp=False)],
    )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if link:
        event.add("url", link)
    if not cancelled:
        for before in REMINDERS:
            # A reminder that is already past when the invite arrives would fire at once.
            if start - before > sent:
                text = texts(_REMINDER_KEYS.get(before, "reminder"), number=number)
                event.add_component(Alarm.new_display(description=text, trigger=-before))

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(event)
    # The window only needs to cover the meeting: a short VTIMEZONE (the two changes of its year
    # and the next) instead of every change since 1970.
    local = start.astimezone(zone)
    calendar.add_missing_timezones(first_date=date(local.year, 1, 1), last_date=date(local.year + 2, 1, 1))
    ics: bytes = calendar.to_ical()
    return ics


def _times(ticket: TicketFacts) -> tuple[datetime, datetime]:
    """The booked meeting's times; before the meeting exists, the slot and its default length."""
    if ticket.meeting is not None:
        return ticket.meeting.start, ticket.meeting.end
    if ticket.slot_start is not None:
        return ticket.slot_start, ticket.slot_start + DEFAULT_LENGTH
    raise ValueError(f"ticket {ticket.ticket_id} has no meeting time to invite to")


def _channel(ticket: TicketFacts) -> Channel:
    # The meeting's own channel wins: a Webex meeting that fell back to a phone call says so there.
    return ticket.meeting.channel if ticket.meeting is not None else ticket.channel


def _location(ticket: TicketFacts, texts: _Texts, city: str) -> str:
    """Where the calendar sends the citizen: calendars turn a URL here into a join button."""
    meeting, channel = ticket.meeting, _channel(ticket)
    if channel == Channel.WEBEX:
        return meeting.join_url if meeting is not None and meeting.join_url else "Webex"
    if channel == Channel.PHONE:
        phone = meeting.phone if meeting is not None else None
        return f"{texts('phone_word')}: {phone}" if phone else texts("phone_word")
    return city


def _description(
    ticket: TicketFacts, texts: _Texts, city: str, local_start: datetime, link: str, cancelled: bool
) -> str:
    lines: list[str] = []
    if cancelled:
        lines.append(texts("cancelled"))
    else:
        lines.append(texts("when", when=short_moment(local_start, texts.language)))
        meeting, channel = ticket.meeting, _channel(ticket)
        if channel == Channel.WEBEX:
            url = meeting.join_url if meeting is not None else None
            lines.append(texts("webex", url=url) if url else texts("webex_pending"))
        elif channel == Channel.PHONE:
            phone = meeting.phone if meeting is not None else None
            lines.append(texts("phone", phone=phone) if phone else texts("phone_pending"))
        else:
            lines.append(texts("in_person", city=city))
    if link:
        lines.append(texts("link", link=link))
    lines.append(city)
    return "\n\n".join(lines)


def _address(
    email: str, *, cn: str | None = None, role: str | None = None, rsvp: bool | None = None
) -> vCalAddress:
    """A `mailto:` calendar address from "Name <addr>" or a bare address; the display name, if any,
    becomes CN (else `cn`)."""
    name, address = parseaddr(email)
    if "@" not in address:
        raise ValueError(f"not an email address: {email!r}")
    return vCalAddress.new(address, cn=name or cn, role=role, rsvp=rsvp)
