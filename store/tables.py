"""SQLModel tables. Route handlers never return these: they map to `domain.models` first."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from core.tenancy import DEFAULT_MUNICIPALITY
from store.types import UTCDateTime


def municipality_field(*, primary_key: bool = False) -> Any:
    """The owning municipality (issue 11) of a row of a city's data. Rows from before tenancy got the
    default municipality from revision 0005's server default; the adapters always set it."""
    return Field(
        default=DEFAULT_MUNICIPALITY,
        max_length=63,
        primary_key=primary_key,
        index=not primary_key,
        sa_column_kwargs={"server_default": DEFAULT_MUNICIPALITY},
    )


class MunicipalityRow(SQLModel, table=True):
    """A municipality served by this deployment (issue 11): its identity, its calendar and rules, and
    what its citizens see (name, PDF header, sender). `store.municipalities` reads it."""

    __tablename__ = "municipalities"

    id: str = Field(primary_key=True, max_length=63)
    name: str = Field(max_length=200)
    time_zone: str = Field(default="Europe/Bucharest", max_length=60)
    # Weekday (0 = Monday) -> ["08:30", "16:30"]; a weekday left out receives no citizens.
    working_hours: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    booking_window_mode: str = Field(default="within", max_length=20)
    # `domain.models.Policy` as JSON, over the defaults (booking window, notice, reminders...).
    policy: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    sender: str = Field(max_length=200)
    pdf_header: str = Field(default="", max_length=500)
    logo_path: str = Field(default="", max_length=300)
    path_prefix: str = Field(max_length=80)
    # The document-registry adapter and its settings (`{"adapter": "sql"}` for the tables here).
    registry_config: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class Department(SQLModel, table=True):
    __tablename__ = "departments"

    municipality_id: str = municipality_field()
    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    director_id: str | None = Field(default=None, max_length=40)
    deputy_mayor_id: str | None = Field(default=None, max_length=40)


class Staff(SQLModel, table=True):
    """The staff directory: who works where, who stands in for whom."""

    __tablename__ = "staff"

    municipality_id: str = municipality_field()
    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    email: str = Field(max_length=200)
    webex_email: str = Field(max_length=200)
    role: str = Field(max_length=20, index=True)
    department_id: str | None = Field(default=None, foreign_key="departments.id", index=True)
    reports_to_id: str | None = Field(default=None, max_length=40)
    substitute_id: str | None = Field(default=None, max_length=40)
    api_token_sha256: str | None = Field(default=None, max_length=64, unique=True)


class Absence(SQLModel, table=True):
    """Leave, training, sick days: inclusive day range, in the city's time zone."""

    __tablename__ = "absences"

    municipality_id: str = municipality_field()
    id: int | None = Field(default=None, primary_key=True)
    staff_id: str = Field(foreign_key="staff.id", index=True)
    first_day: date
    last_day: date
    reason: str = Field(default="leave", max_length=40)


class RegisteredFile(SQLModel, table=True):
    """A file (dosar) in the document-management system, as the city's registry exposes it."""

    __tablename__ = "registered_files"

    municipality_id: str = municipality_field(primary_key=True)
    registration_number: str = Field(primary_key=True, max_length=40)
    filing_date: date
    requester_name: str = Field(max_length=200)
    subject: str = Field(max_length=300)
    department_id: str = Field(foreign_key="departments.id", index=True)
    status: str = Field(max_length=20)
    answered_on: date | None = None
    last_handler_id: str = Field(foreign_key="staff.id", index=True)


class OutgoingDocument(SQLModel, table=True):
    """A registered outgoing document (the resolution), attached to its file (R8)."""

    __tablename__ = "outgoing_documents"
    __table_args__ = (
        UniqueConstraint("ticket_id", "level", name="uq_document_ticket_level"),
        # The city's outgoing numbers: TA-2026-000001 exists once per municipality.
        UniqueConstraint("municipality_id", "registration_number", name="uq_document_municipality_number"),
        ForeignKeyConstraint(
            ["municipality_id", "file_registration_number"],
            ["registered_files.municipality_id", "registered_files.registration_number"],
            name="fk_document_file",
        ),
    )

    municipality_id: str = municipality_field()
    id: int | None = Field(default=None, primary_key=True)
    registration_number: str = Field(max_length=40)
    file_registration_number: str = Field(index=True)
    ticket_id: str = Field(max_length=80)
    level: int
    title: str = Field(max_length=300)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class BookingRow(SQLModel, table=True):
    """One reserved slot. The partial unique indexes make a double booking impossible in the
    database itself, and make a retried reservation find its own row instead of adding one."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index(
            "uq_booking_active_slot",
            "staff_id",
            "slot_start",
            unique=True,
            sqlite_where=text("cancelled_at IS NULL"),
            postgresql_where=text("cancelled_at IS NULL"),
        ),
        Index(
            "uq_booking_active_ticket_level",
            "ticket_id",
            "level",
            unique=True,
            sqlite_where=text("cancelled_at IS NULL"),
            postgresql_where=text("cancelled_at IS NULL"),
        ),
    )

    municipality_id: str = municipality_field()
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: str = Field(max_length=80)
    level: int
    staff_id: str = Field(foreign_key="staff.id")
    slot_start: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    slot_end: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class ArchiveEntry(SQLModel, table=True):
    """One finished audience, kept in the municipality's archive (R10)."""

    __tablename__ = "archive"
    # `attempt` counts the meetings of one level: a clerk no-show is archived, then a new slot is booked.
    __table_args__ = (
        UniqueConstraint("ticket_id", "level", "attempt", name="uq_archive_ticket_level_attempt"),
    )

    municipality_id: str = municipality_field()
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: str = Field(max_length=80, index=True)
    level: int
    attempt: int = Field(default=0)
    registration_number: str = Field(max_length=40, index=True)
    staff_id: str = Field(max_length=40, index=True)
    department_id: str | None = Field(default=None, max_length=40, index=True)
    channel: str = Field(max_length=20)
    meeting_start: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True, index=True)
    )
    outcome: str = Field(max_length=30)
    conclusions: str | None = None
    resolution_document_number: str | None = Field(default=None, max_length=40)
    recording_ref: str | None = Field(default=None, max_length=300)
    started_late: bool = Field(default=False)
    closed_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Rating(SQLModel, table=True):
    """The citizen's rating of one audience (R11). The unique constraint on (ticket_id, level) is what
    makes "once per audience" hold when two requests race; the adapter checks the 1-5 stars.
    `meeting_start` is copied from the ticket so the quality report can pick ratings by meeting date
    without waiting for the audience's archive row (written only once the audience closes)."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("ticket_id", "level", name="uq_rating_ticket_level"),)

    municipality_id: str = municipality_field()
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: str = Field(max_length=80)
    level: int
    registration_number: str = Field(max_length=40)
    staff_id: str = Field(max_length=40, index=True)
    department_id: str | None = Field(default=None, max_length=40, index=True)
    meeting_start: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime, nullable=True, index=True)
    )
    stars: int
    comment: str = Field(default="", max_length=1000)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class WebhookEventRow(SQLModel, table=True):
    """One Webex webhook event already handed to its ticket. The primary key on `event_id` is the
    de-duplication itself: a re-delivery, or the same event arriving twice at once, cannot insert
    a second row (`store.webhook_events.SqlWebhookEvents.record_once`)."""

    __tablename__ = "webhook_events"

    event_id: str = Field(primary_key=True, max_length=200)
    kind: str = Field(max_length=30)
    meeting_id: str = Field(max_length=200, index=True)
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


# --- calendar configuration (issue 3): read through `store.calendar.SqlCalendarSource` -------------

_HOURS_PAIR = (
    "(opens IS NULL AND closes IS NULL) OR (opens IS NOT NULL AND closes IS NOT NULL AND opens < closes)"
)


class DepartmentHours(SQLModel, table=True):
    """A department's hours on one weekday (0 = Monday), replacing the city's R4 hours for that
    weekday only; no times = the department receives no citizens that weekday. The checks keep a
    typo from closing a whole department's calendar silently (closing before opening)."""

    __tablename__ = "department_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_department_hours_weekday"),
        CheckConstraint(_HOURS_PAIR, name="ck_department_hours_pair"),
    )

    department_id: str = Field(foreign_key="departments.id", primary_key=True, max_length=40)
    weekday: int = Field(primary_key=True)
    opens: time | None = None
    closes: time | None = None


class StaffHours(SQLModel, table=True):
    """One person's hours on one weekday, over their department's (part-time, a late shift, a
    weekday they never receive citizens); same shape and checks as `DepartmentHours`."""

    __tablename__ = "staff_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_staff_hours_weekday"),
        CheckConstraint(_HOURS_PAIR, name="ck_staff_hours_pair"),
    )

    staff_id: str = Field(foreign_key="staff.id", primary_key=True, max_length=40)
    weekday: int = Field(primary_key=True)
    opens: time | None = None
    closes: time | None = None


class CityDayOff(SQLModel, table=True):
    """A day the city declares off (a bridge day, a local celebration), besides weekends and the
    legal holidays the `holidays` package already knows."""

    __tablename__ = "city_days_off"

    municipality_id: str = municipality_field(primary_key=True)
    day: date = Field(primary_key=True)
    reason: str = Field(max_length=200)


# --- email delivery log (issue 8) ------------------------------------------------------------------


class EmailDeliveryRow(SQLModel, table=True):
    """One email the worker sends, keyed by its Message-ID (`store.email_deliveries`): checked
    before each SMTP attempt, so an activity retried after the server took the message does not
    send it again. No address or name: the workflow id, kind and audience say which email it was.

    `status` is a `domain.ports.DeliveryStatus`: `sending`, then `delivered` (the relay's 250) or
    `temporary-failure` / `permanent-failure` (an SMTP refusal or a bounce), with the server's or the
    report's code in `detail` and the time in `status_at`; `sent_at` is when the relay took it."""

    __tablename__ = "email_deliveries"

    message_id: str = Field(primary_key=True, max_length=250)
    workflow_id: str = Field(max_length=200, index=True)
    kind: str = Field(max_length=60)
    recipient_kind: str = Field(max_length=20)
    status: str = Field(max_length=30)
    attempts: int = Field(default=1)
    detail: str | None = Field(default=None, max_length=500)
    first_attempt_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_attempt_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    status_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class EmailReportRow(SQLModel, table=True):
    """One delivery status notification (RFC 3464) that reached the bounce address (issue 12),
    whatever it said: `matched` (it moved an email's status), `unmatched` (no email of ours has its
    Message-ID: stored and ignored), `malformed` (`reason` says why: it changed nothing) or
    `ignored` (a report of success). Only what it says about the delivery is kept, never the raw
    report, which quotes the recipient's address and the original headers."""

    __tablename__ = "email_reports"

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    outcome: str = Field(max_length=20)
    size: int
    message_id: str | None = Field(default=None, max_length=250, index=True)
    action: str | None = Field(default=None, max_length=20)
    status_code: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=300)


class StaffSessionRow(SQLModel, table=True):
    """One sign-in to the clerks' pages (issue 8): the cookie names it, every request checks it, and
    signing out sets `revoked_at`, so a copied cookie dies with the session. The key is the SHA-256
    of the session id, so the table alone gives nobody a working cookie."""

    __tablename__ = "staff_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    staff_id: str = Field(foreign_key="staff.id", index=True, max_length=40)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


# --- data protection (issue 9) ---------------------------------------------------------------------


class ContactErasureRow(SQLModel, table=True):
    """A ticket whose citizen's contact data was erased (the daily purge or the citizen's request).
    It holds no personal data: it is what keeps the erasure done once (the primary key), lets the
    citizen's link answer "erased" clearly once the workflow is gone, and names the citizen by a
    pseudonym wherever the city still refers to the ticket."""

    __tablename__ = "contact_erasures"

    ticket_id: str = Field(primary_key=True, max_length=80)
    workflow_id: str = Field(max_length=200, index=True)
    registration_number: str = Field(max_length=40)
    pseudonym: str = Field(max_length=40)
    reason: str = Field(max_length=20)
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    erased_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


# --- accessibility feedback (issue 12) -------------------------------------------------------------


class AccessibilityFeedbackRow(SQLModel, table=True):
    """One message from the accessibility statement's form (`/accesibilitate`), for the city to
    answer. `emailed_at` is set once it reached the configured address; the daily purge empties
    `name`, `email` and `message` `TICHET_CONTACT_RETENTION_DAYS` after `received_at` and sets
    `erased_at` (what was reported about which page stays, for the city's accessibility review)."""

    __tablename__ = "accessibility_feedback"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=200)
    page: str = Field(default="", max_length=300)
    message: str = Field(default="", max_length=4000)
    language: str = Field(max_length=5)
    received_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    emailed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    erased_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
