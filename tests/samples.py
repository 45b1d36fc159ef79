"""Hand-built domain values for the tests that need no server: staff members, files, meetings and
ticket views. Each builder fills in what most tests want; a test names only what it changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain.models import (
    Channel,
    FileInfo,
    FileStatus,
    Language,
    Level,
    MeetingInfo,
    Role,
    StaffMember,
    TicketStatus,
    TicketView,
)

JOIN_URL = "https://webex.example/meet/m-123"
PHONE = "+40 712 345 678"

# What a clerk sends to the staff API to resolve an audience.
RESOLUTION_BODY = {
    "conclusions": "Am lămurit situația dosarului; documentele sunt complete.",
    "category": "clarified",
}


def staff_member(
    staff_id: str,
    role: Role = Role.CLERK,
    *,
    name: str | None = None,
    email: str | None = None,
    webex_email: str | None = None,
    department_id: str | None = "urbanism",
) -> StaffMember:
    """`Persoana <id>` at `<id>@primaria.example` unless told otherwise; Webex at the same address."""
    email = email or f"{staff_id}@primaria.example"
    return StaffMember(
        id=staff_id,
        name=name or f"Persoana {staff_id}",
        email=email,
        webex_email=webex_email or email,
        role=role,
        department_id=department_id,
    )


# The clerk of the emails and invites: Romanian letters in the name, Webex at another address.
CLERK = staff_member(
    "c0001",
    name="Andreea Mureșan",
    email="andreea.muresan@primaria.example",
    webex_email="andreea.muresan@webex.example",
    department_id="urb",
)


def file_info(**overrides: Any) -> FileInfo:
    """Ioana Pop's certificate, in progress at Urbanism with c0001."""
    values: dict[str, Any] = {
        "registration_number": "104233/2026",
        "requester_name": "Ioana Pop",
        "filing_date": date(2026, 2, 20),
        "subject": "Certificat de urbanism",
        "department_id": "urbanism",
        "department_name": "Direcția Urbanism",
        "status": FileStatus.IN_PROGRESS,
        "answered_on": None,
        "last_handler_id": "c0001",
    }
    values.update(overrides)
    return FileInfo(**values)


def meeting_info(
    start: datetime,
    channel: Channel = Channel.WEBEX,
    *,
    meeting_id: str | None = "m-123",
    join_url: str | None = JOIN_URL,
    phone: str | None = PHONE,
) -> MeetingInfo:
    """A 15-minute meeting; the Webex fields only for Webex, the phone number only by phone."""
    return MeetingInfo(
        channel=channel,
        start=start,
        end=start + timedelta(minutes=15),
        meeting_id=meeting_id if channel == Channel.WEBEX else None,
        join_url=join_url if channel == Channel.WEBEX else None,
        phone=phone if channel == Channel.PHONE else None,
    )


def next_level(level: Level) -> Level | None:
    return Level(level + 1) if level < Level.MAYOR else None


def ticket_view(**fields: Any) -> TicketView:
    """A scheduled clerk-level ticket over Webex, with no one assigned, no meeting and no history
    until `fields` say so."""
    values: dict[str, Any] = {
        "ticket_id": "t-1",
        "status": TicketStatus.SCHEDULED,
        "level": Level.CLERK,
        "registration_number": "104233/2026",
        "subject": "Certificat de urbanism",
        "department_id": "urbanism",
        "channel": Channel.WEBEX,
        "citizen_language": Language.RO,
        "assignee": None,
        "slot_start": None,
        "meeting": None,
        "outcome": None,
        "document_number": None,
        "escalation_deadline": None,
        "next_level": Level.DIRECTOR,
        "rejection_code": None,
        "audiences": [],
        "timeline": [],
    }
    values.update(fields)
    return TicketView(**values)
