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
        MeetingInfo,
        Outcome,
        StaffMember,
        TicketStatus,
        TimelineEntry,
    )
    from workflows.calls import PROMPT, PROMPT_RETRY, call, call_email, call_lean, call_local, error_type
    from workflows.entry import activity_refusal
    from workflows.patches import LEAN_ACTIVITY_INPUTS, MEETING_CHANNEL
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
                run = call_lean(LEAN_ACTIVITY_INPUTS)
                booking = await run(io.RESERVE_SLOT, request, Booking, "Reserve the slot")
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
        request = self._email_request(kind, str(citizen.email), citizen.language, note, [], attach)
        await call_email(io.SEND_EMAIL, request, f"Email the citizen: {kind}")

    async def _email_staff(
        self, kind: str, person: StaffMember | None, attach: list[str] | None = None
    ) -> None:
        if person is None:
            return
        request = self._email_request(f"staff_{kind}", person.email, Language.RO, "", attach or [], None)
        await call_email(io.SEND_EMAIL, request, f"Email {person.name}: {kind}")

    def _email_request(
        self,
        kind: str,
        to: str,
        language: Language,
        note: str,
        attach_documents: list[str],
        attach_document: str | None,
    ) -> io.EmailRequest | io.EmailRequestWithView:
        """The few fields the templates print; tickets started before `LEAN_ACTIVITY_INPUTS`
        keep scheduling the whole view, as their histories recorded."""
        s = self._s
        if workflow.patched(LEAN_ACTIVITY_INPUTS):
            return io.EmailRequest(
                kind=kind,
                municipality=s.inp.municipality,
                to=to,
                language=language,
                ticket=s.facts(),
                note=note,
                attach_document=attach_document,
                attach_documents=attach_documents,
            )
        return io.EmailRequestWithView(
            kind=kind,
            to=to,
            language=language,
            ticket=s.view(),
            note=note,
            attach_document=attach_document,
            attach_documents=attach_documents,
        )

    def _host_notice(self, host: StaffMember, meeting: MeetingInfo) -> io.AnyHostNoticeRequest:
        s = self._s
        if workflow.patched(LEAN_ACTIVITY_INPUTS):
            return s.host_notice(host, meeting)
        view = s.view().model_copy(update={"meeting": meeting})
        return io.HostNoticeRequestWithView(host=host, ticket=view)

    async def _archive(self) -> None:
        s = self._s
        look_up_recording = (
            s.recording_ref is None
            and s.outcome == Outcome.HELD
            and s.meeting is not None
            and s.meeting.meeting_id is not None
            and workflow.patched(MEETING_CHANNEL)
        )
        summary = "Archive the audience (R10)"
        if workflow.patched(LEAN_ACTIVITY_INPUTS):
            # One activity: the archive asks Webex for the recording itself (R10) and says what it found.
            meeting_id = s.meeting.meeting_id if look_up_recording and s.meeting is not None else None
            request = io.ArchiveRequest(
                municipality=s.inp.municipality,
                record=s.archive_record(workflow.now()),
                webex_meeting_id=meeting_id,
            )
            found = await call_local(io.ARCHIVE_AUDIENCE, request, str | None, summary)
            s.recording_ref = s.recording_ref or found
            s.archived = True
            return
        if look_up_recording:
            assert s.meeting is not None
            s.recording_ref = await call(io.FIND_RECORDING, s.meeting, str, "Find the Webex recording (R10)")
        record = s.archive_record(workflow.now())
        await call(io.ARCHIVE_AUDIENCE, record, type(None), summary)
        s.archived = True
