"""What every part of the ticket workflow shares: its state, the timeline, the search attributes
and current details, the booking, the emails and the archive. Handlers (ticket_actions) and the flow
(blue_ticket) build on it."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from domain import activity_io as io
    from domain.models import (
        ActionResult,
        Booking,
        Channel,
        Language,
        Outcome,
        StaffMember,
        TicketStatus,
        TimelineEntry,
    )
    from workflows.calls import PROMPT, PROMPT_RETRY, call, call_email, error_type
    from workflows.entry import activity_refusal
    from workflows.patches import MEETING_CHANNEL
    from workflows.ticket_state import TicketState


class TicketBase:
    _s: TicketState

    async def _reserve(
        self, start: datetime, window_from: datetime | None = None, *, replacing: Booking | None = None
    ) -> None:
        """Reserve through the database (which refuses a taken slot), turning a refusal into
        `Rejected` (its code: `slot_taken`, …) so both the main flow and the choose-slot update can
        answer the citizen. `replacing` (a reschedule, inside an update): swap the ticket's booking
        for the new one in one transaction, answered within seconds (`PROMPT`)."""
        s = self._s
        assert s.assignee is not None
        request = io.ReserveRequest(
            ticket_id=s.inp.ticket_id,
            level=s.level,
            staff=s.assignee,
            start=start,
            requested_at=window_from or s.inp.requested_at or workflow.info().start_time,
            policy=s.inp.policy,
            accepted_after_window=s.inp.accepted_after_window and window_from is None,
            replacing=replacing.start if replacing else None,
            moved_at=workflow.now() if replacing else None,
        )
        try:
            if replacing is None:
                booking = await call(io.RESERVE_SLOT, request, Booking, "Reserve the slot")
            else:
                summary = "Move the booking to the new slot"
                booking = await call(io.RESERVE_SLOT, request, Booking, summary, PROMPT_RETRY, PROMPT)
        except ActivityError as err:
            if error_type(err) != io.SLOT_UNAVAILABLE:
                raise
            raise activity_refusal(err) from err
        s.booking, s.slot_start = booking, booking.start
        workflow.upsert_search_attributes([sa.MEETING_TIME.value_set(booking.start)])
        self._log("booked", f"{booking.start.isoformat()} with {s.assignee.name}")

    def _meeting_request(self, channel: Channel, idempotency_key: str | None = None) -> io.MeetingRequest:
        """The meeting for the ticket's current booking and holder (created, or created again)."""
        s = self._s
        assert s.booking is not None and s.assignee is not None
        return io.MeetingRequest(
            ticket_id=s.inp.ticket_id,
            level=s.level,
            host=s.assignee,
            start=s.booking.start,
            end=s.booking.end,
            channel=channel,
            citizen_phone=s.inp.citizen.phone,
            idempotency_key=idempotency_key,
        )

    def _ok(self) -> ActionResult:
        return ActionResult(accepted=True, status=self._s.status)

    def _set_assignee(self, person: StaffMember, reason: str) -> None:
        self._s.assignee = person
        workflow.upsert_search_attributes([sa.TICKET_CLERK.value_set(person.id)])
        self._log("assigned", f"{person.name} ({person.id}), {reason.replace('_', ' ')}")

    def _set_status(self, status: TicketStatus) -> None:
        self._s.status = status
        workflow.upsert_search_attributes([sa.TICKET_STATUS.value_set(status.value)])
        workflow.set_current_details(self._s.details())

    def _log(self, step: str, detail: str = "") -> None:
        self._s.timeline.append(TimelineEntry(at=workflow.now(), step=step, detail=detail))

    def _until(self, instant: datetime) -> timedelta:
        return max(instant - workflow.now(), timedelta(0))

    async def _email_citizen(self, kind: str, note: str = "", attach: str | None = None) -> None:
        citizen = self._s.inp.citizen
        request = io.EmailRequest(
            kind=kind,
            to=str(citizen.email),
            language=citizen.language,
            ticket=self._s.view(),
            note=note,
            attach_document=attach,
        )
        await call_email(io.SEND_EMAIL, request, f"Email the citizen: {kind}")

    async def _email_staff(
        self, kind: str, person: StaffMember | None, attach: list[str] | None = None
    ) -> None:
        if person is None:
            return
        request = io.EmailRequest(
            kind=f"staff_{kind}",
            to=person.email,
            language=Language.RO,
            ticket=self._s.view(),
            attach_documents=attach or [],
        )
        await call_email(io.SEND_EMAIL, request, f"Email {person.name}: {kind}")

    async def _archive(self) -> None:
        s = self._s
        if (
            s.recording_ref is None
            and s.outcome == Outcome.HELD
            and s.meeting is not None
            and s.meeting.meeting_id is not None
            and workflow.patched(MEETING_CHANNEL)
        ):
            s.recording_ref = await call(io.FIND_RECORDING, s.meeting, str, "Find the Webex recording (R10)")
        record = s.archive_record(workflow.now())
        await call(io.ARCHIVE_AUDIENCE, record, type(None), "Archive the audience (R10)")
        s.archived = True
