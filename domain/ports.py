"""The small typed interfaces behind which the city's own systems stand.

`store` implements them on SQL tables with demo data; a city replaces one (its document-management
system, say) by writing a class with the same methods. mypy checks the contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final, Protocol

from domain.models import (
    ArchiveRecord,
    Booking,
    DepartmentInfo,
    FileInfo,
    RegisteredDocument,
    StaffMember,
)


class SlotTaken(Exception):
    """Someone else holds this person's slot (the database said so, not a prior read)."""


class DayFull(Exception):
    """The person's day already holds `DailyCap.limit` audiences (counted inside the booking's own
    locked transaction, so two last bookings of one day cannot both win)."""


@dataclass(frozen=True)
class DailyCap:
    """The daily cap a booking must respect: at most `limit` active bookings of the person whose
    slot starts in [day_start, day_end) (one local day), this ticket's own booking left out."""

    limit: int
    day_start: datetime
    day_end: datetime


class DocumentRegistry(Protocol):
    def find_file(self, registration_number: str) -> FileInfo | None:
        """The file with this registration number, or None."""

    def register_document(
        self,
        *,
        file_registration_number: str,
        ticket_id: str,
        level: int,
        title: str,
        filename: str,
        content_type: str,
        content: bytes,
        at: datetime,
    ) -> RegisteredDocument:
        """Register an outgoing document and attach it to its file. Idempotent on
        (ticket_id, level): a retry returns the document registered the first time."""

    def attach_content(self, registration_number: str, content: bytes) -> None:
        """Store the document's bytes once its number is known (the number is printed in it)."""

    def document_content(self, registration_number: str) -> tuple[RegisteredDocument, bytes] | None:
        """A registered document and its bytes, or None."""


class StaffDirectory(Protocol):
    def get(self, staff_id: str) -> StaffMember | None: ...

    def by_token(self, token: str) -> StaffMember | None:
        """The staff member whose API token this is (tokens are stored hashed)."""

    def department(self, department_id: str) -> DepartmentInfo | None: ...

    def mayor(self) -> StaffMember | None: ...

    def substitute_of(self, staff_id: str) -> StaffMember | None: ...

    def absent_days(self, staff_id: str, first_day: date, last_day: date) -> set[date]:
        """The days in [first_day, last_day] on which this person is absent."""

    def clerks_of(self, department_id: str) -> list[StaffMember]: ...


class BookingLedger(Protocol):
    def reserve(
        self,
        *,
        ticket_id: str,
        level: int,
        staff_id: str,
        start: datetime,
        end: datetime,
        at: datetime,
        cap: DailyCap | None = None,
    ) -> Booking:
        """Reserve a slot. Idempotent on (ticket_id, level): when this ticket already holds the same
        slot, return that booking. Raise SlotTaken when another ticket holds it, DayFull when `cap`
        is given and the person's day is full."""

    def release(self, *, ticket_id: str, level: int, at: datetime) -> bool:
        """Free the ticket's active booking at this level; False when there was none."""

    def move(
        self,
        *,
        ticket_id: str,
        level: int,
        staff_id: str,
        replacing: datetime,
        start: datetime,
        end: datetime,
        at: datetime,
        cap: DailyCap | None = None,
    ) -> Booking:
        """Swap the ticket's booking at `replacing` for `start` atomically (a reschedule); the old one
        stays if the new one is taken (SlotTaken) or its day is full under `cap` (DayFull).
        Idempotent: already at `start` returns that."""

    def busy(self, staff_id: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The person's active bookings overlapping [start, end)."""


class Archive(Protocol):
    def record(self, entry: ArchiveRecord) -> None:
        """Insert or update the archive row of (ticket_id, level)."""


class DeliveryStatus(StrEnum):
    """Where one email stands (GOV.UK Notify's states). `sending`: an attempt began (it may have died
    mid-send); `delivered`: the SMTP relay accepted it (a 250); `temporary-failure`: the relay
    answered 4xx, or a delivery report said "delayed" (the send is retried, the relay retries);
    `permanent-failure`: the relay answered 5xx, or a delivery report said "failed" (a bounce)."""

    SENDING = "sending"
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary-failure"
    PERMANENT_FAILURE = "permanent-failure"


# Statuses a retried send may still go ahead from: nothing says the relay took the email.
RETRYABLE_STATUSES: Final = frozenset({DeliveryStatus.SENDING, DeliveryStatus.TEMPORARY_FAILURE})


class RecipientKind(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"


@dataclass(frozen=True)
class DeliveryRecord:
    """One logged email, as a delivery report needs it: which workflow sent it, which template, to whom."""

    message_id: str
    workflow_id: str
    kind: str
    recipient_kind: RecipientKind
    status: DeliveryStatus


class EmailDeliveries(Protocol):
    """The log of emails by Message-ID, so a retried send does not send what was already accepted,
    and what delivery reports (SMTP refusals, bounces) move further."""

    def begin(
        self, message_id: str, *, workflow_id: str, kind: str, recipient_kind: RecipientKind, at: datetime
    ) -> bool:
        """Record an attempt to send; False when this Message-ID was already accepted or refused for
        good (skip it)."""

    def mark_delivered(self, message_id: str, *, at: datetime, detail: str | None = None) -> None:
        """The SMTP relay accepted the message (`detail`: its reply, without addresses)."""

    def mark_failed(
        self, message_id: str, status: DeliveryStatus, *, at: datetime, detail: str | None = None
    ) -> DeliveryRecord | None:
        """A temporary or permanent failure (an SMTP refusal, a bounce); None when no such email was
        logged. A permanent failure is final: a later "delayed" report does not undo it."""

    def find(self, message_id: str) -> DeliveryRecord | None:
        """The logged email with this Message-ID, or None."""

    def status(self, message_id: str) -> DeliveryStatus | None:
        """Where this email stands, or None when no attempt was recorded."""

    def keep_report(
        self,
        *,
        received_at: datetime,
        outcome: str,
        size: int,
        message_id: str | None = None,
        action: str | None = None,
        status_code: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Store one delivery report that reached the bounce address (no addresses), returning its id."""
