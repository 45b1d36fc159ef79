"""BlueTicketWorkflow: one blue ticket, from the citizen's request to the closed file.

validate (R1) → assign (R2) → book the slot (R4, R5) → create the meeting → confirm by email →
wait for the meeting → outcome → wait for the resolution (reminder, then deadline, R8) → issue and
email the document → 30 days in which the citizen may escalate (R9) → closed.

Escalation continues the same workflow as new at the next level: the ticket keeps its id (and the
citizen their link), R6 keeps holding because the workflow id never closes in between, and each
level's history stays small. Clerks act through updates (the app, with an immediate yes/no) or the
same payload as a signal (the Temporal UI); a signal that is wrong for the state is written to the
timeline and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ValidationError

    from core import search_attributes as sa
    from domain import activity_io as io
    from domain.models import (
        ActionResult,
        ArchiveRecord,
        AssignAction,
        Assignment,
        AudienceRecord,
        Booking,
        CancelAction,
        ChooseSlotAction,
        EscalateAction,
        FileInfo,
        Language,
        Level,
        MeetingInfo,
        Outcome,
        OutcomeAction,
        RegisteredDocument,
        ResolutionAction,
        StaffMember,
        TicketInput,
        TicketStatus,
        TicketView,
        TimelineEntry,
    )

QUICK = timedelta(seconds=30)
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
# Webex and SMTP may be down for a while; a ticket waits for them instead of failing.
PATIENT = RetryPolicy(
    initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=5), maximum_attempts=50
)
AFTER_MEETING = (TicketStatus.AWAITING_OUTCOME, TicketStatus.AWAITING_RESOLUTION)


class Rejected(Exception):
    """An action that is wrong for the ticket's state; the reason is shown to whoever sent it."""


@workflow.defn(name="BlueTicket")
class BlueTicketWorkflow:
    @workflow.init
    def __init__(self, inp: TicketInput) -> None:
        self._inp = inp
        self._status = TicketStatus.VALIDATING
        self._timeline: list[TimelineEntry] = list(inp.timeline)
        self._file: FileInfo | None = inp.file_info
        self._assignee: StaffMember | None = None
        self._director: StaffMember | None = None
        self._slot_start = inp.slot_start
        self._booking: Booking | None = None
        self._meeting: MeetingInfo | None = None
        self._outcome: Outcome | None = None
        self._resolution: ResolutionAction | None = None
        self._document: RegisteredDocument | None = None
        self._cancel: CancelAction | None = None
        self._escalation: EscalateAction | None = None
        self._escalation_deadline: datetime | None = None
        self._rejection_code: str | None = None

    # --- the ticket's life ---------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: TicketInput) -> TicketView:
        level_name = inp.level.name.lower().replace("_", " ")
        workflow.upsert_search_attributes([sa.ESCALATION_LEVEL.value_set(int(inp.level))])
        self._log("started" if inp.level == Level.CLERK else "escalated", f"level: {level_name}")
        if self._file is None and not await self._validate():
            return self.view()
        assert self._file is not None
        if not await self._assign() or not await self._book():
            return self.view()
        await self._create_meeting()
        await self._announce_schedule()
        if not await self._wait_for_meeting():
            return self.view()
        await self._wait_for_outcome_or_resolution()
        if self._outcome in (Outcome.CITIZEN_NO_SHOW, Outcome.CLERK_NO_SHOW):
            await self._close_without_resolution()
            return self.view()
        await self._issue_resolution()
        if self._inp.level < Level.MAYOR and await self._wait_for_escalation():
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(self._next_level_input())
        self._set_status(TicketStatus.CLOSED)
        self._log("closed")
        return self.view()

    async def _validate(self) -> bool:
        request = io.EligibilityRequest(
            file=self._inp.file,
            as_of=workflow.now(),
            answered_files_eligible_for=self._inp.policy.answered_files_eligible_for,
        )
        try:
            self._file = await self._call(io.CHECK_ELIGIBILITY, request, FileInfo, "Check the file (R1)")
        except ActivityError as err:
            if _error_type(err) != io.FILE_NOT_ELIGIBLE:
                raise
            self._rejection_code = "no_matching_file"
            self._set_status(TicketStatus.REJECTED)
            self._log("rejected", "no matching file (R1)")
            await self._email_citizen("rejected")
            return False
        workflow.upsert_search_attributes([sa.TICKET_DEPARTMENT.value_set(self._file.department_id)])
        self._log("validated", f"file {self._file.registration_number}: {self._file.subject}")
        return True

    async def _assign(self) -> bool:
        assert self._file is not None
        self._set_status(TicketStatus.ASSIGNING)
        request = io.AssignRequest(file=self._file, level=self._inp.level, at=self._slot_start)
        assignment = await self._call(
            io.ASSIGN_AUDIENCE, request, Assignment, "Find who holds the audience (R2)"
        )
        self._director = assignment.director
        if assignment.assignee is None:
            self._set_status(TicketStatus.AWAITING_ASSIGNMENT)
            self._log(
                "awaiting assignment", "the handler is absent and has no substitute: the director picks"
            )
            await self._email_staff("pick_needed", assignment.director)
            await self._wait(
                lambda: self._assignee is not None or self._cancel is not None,
                self._inp.policy.director_pick_timeout,
                "Director picks a clerk",
            )
            if self._assignee is None:
                await self._give_up("no_clerk_assigned" if self._cancel is None else "cancelled_by_citizen")
                return False
        else:
            self._set_assignee(assignment.assignee, assignment.reason)
        return True

    async def _book(self) -> bool:
        self._set_status(TicketStatus.BOOKING)
        try:
            await self._reserve(self._slot_start)
            return True
        except Rejected as refusal:
            self._set_status(TicketStatus.AWAITING_SLOT)
            self._log("awaiting slot", str(refusal))
            await self._email_citizen("choose_slot", note=str(refusal))
        await self._wait(
            lambda: self._booking is not None or self._cancel is not None,
            self._inp.policy.slot_choice_timeout,
            "Citizen chooses another slot",
        )
        if self._booking is None:
            await self._give_up("no_slot_chosen" if self._cancel is None else "cancelled_by_citizen")
            return False
        return True

    async def _reserve(self, start: datetime) -> None:
        """Reserve through the database (which refuses a taken slot), turning a refusal into
        `Rejected` so both the main flow and the choose-slot update can answer the citizen."""
        assert self._assignee is not None
        request = io.ReserveRequest(
            ticket_id=self._inp.ticket_id,
            level=self._inp.level,
            staff=self._assignee,
            start=start,
            requested_at=self._requested_at(),
            policy=self._inp.policy,
        )
        try:
            booking = await self._call(io.RESERVE_SLOT, request, Booking, "Reserve the slot")
        except ActivityError as err:
            if _error_type(err) != io.SLOT_UNAVAILABLE:
                raise
            raise Rejected(_error_message(err)) from err
        self._booking, self._slot_start = booking, booking.start
        workflow.upsert_search_attributes([sa.MEETING_TIME.value_set(booking.start)])
        self._log("booked", f"{booking.start.isoformat()} with {self._assignee.name}")

    async def _create_meeting(self) -> None:
        assert self._booking is not None and self._assignee is not None
        request = io.MeetingRequest(
            ticket_id=self._inp.ticket_id,
            level=self._inp.level,
            host=self._assignee,
            start=self._booking.start,
            end=self._booking.end,
            channel=self._inp.channel,
            citizen_phone=self._inp.citizen.phone,
        )
        self._meeting = await self._call(
            io.CREATE_MEETING, request, MeetingInfo, f"Create the {self._inp.channel.value} meeting", PATIENT
        )
        self._log("meeting created", self._meeting.join_url or self._meeting.channel.value)

    async def _announce_schedule(self) -> None:
        self._set_status(TicketStatus.SCHEDULED)
        await self._email_citizen("confirmation")
        await self._email_staff("assigned", self._assignee)

    async def _wait_for_meeting(self) -> bool:
        """Sleep until the slot, waking early only for a cancellation. False when cancelled."""
        cancelled = await self._wait(
            lambda: self._cancel is not None, self._until(self._slot_start), "Until the meeting starts"
        )
        if not cancelled:
            return True
        await self._cancel_booking()
        return False

    async def _cancel_booking(self) -> None:
        assert self._cancel is not None
        self._set_status(TicketStatus.CANCELLED)
        self._outcome = Outcome.CANCELLED
        self._log("cancelled by the citizen", self._cancel.reason)
        release = io.ReleaseRequest(ticket_id=self._inp.ticket_id, level=self._inp.level, at=workflow.now())
        await self._call(io.RELEASE_SLOT, release, bool, "Free the slot")
        if self._meeting is not None and self._meeting.meeting_id is not None:
            await self._call(io.CANCEL_MEETING, self._meeting, type(None), "Delete the meeting", PATIENT)
        await self._email_citizen("cancelled")
        await self._email_staff("cancelled", self._assignee)
        await self._archive()

    async def _wait_for_outcome_or_resolution(self) -> None:
        """After the slot: the clerk records an outcome or a resolution. Unanswered, they are asked
        at the end of the slot plus a grace period, reminded, and past the deadline their director
        is told; the ticket keeps waiting throughout (R8)."""
        assert self._booking is not None
        self._set_status(TicketStatus.AWAITING_OUTCOME)
        policy, ended = self._inp.policy, self._booking.end
        chase = [
            (ended + policy.outcome_grace, "outcome_request", "Clerk is asked for the outcome"),
            (ended + policy.resolution_reminder_after, "resolution_reminder", "Resolution reminder"),
            (ended + policy.resolution_deadline_after, "resolution_late", "Resolution deadline"),
        ]
        for deadline, kind, summary in chase:
            if await self._wait(self._clerk_has_answered, self._until(deadline), summary):
                return
            if self._outcome is None:
                self._set_status(TicketStatus.AWAITING_RESOLUTION)
            self._log(kind.replace("_", " "), summary)
            recipient = self._director if kind == "resolution_late" else self._assignee
            await self._email_staff(kind, recipient)
        await workflow.wait_condition(self._clerk_has_answered)

    def _clerk_has_answered(self) -> bool:
        return self._resolution is not None or self._outcome in (
            Outcome.CITIZEN_NO_SHOW,
            Outcome.CLERK_NO_SHOW,
        )

    async def _close_without_resolution(self) -> None:
        self._set_status(TicketStatus.CLOSED)
        assert self._outcome is not None
        self._log("closed", self._outcome.value.replace("_", " "))
        await self._email_citizen(self._outcome.value)
        if self._outcome == Outcome.CLERK_NO_SHOW:
            await self._email_staff("clerk_no_show_report", self._director)
        await self._archive()

    async def _issue_resolution(self) -> None:
        assert self._resolution is not None
        self._outcome = self._outcome or Outcome.HELD
        self._set_status(TicketStatus.RESOLVING)
        request = io.DocumentRequest(ticket=self.view(), resolution=self._resolution, at=workflow.now())
        self._document = await self._call(
            io.ISSUE_DOCUMENT, request, RegisteredDocument, "Generate and register the resolution (R8)"
        )
        self._log("document registered", self._document.registration_number)
        if self._inp.level < Level.MAYOR:
            self._escalation_deadline = workflow.now() + self._inp.policy.escalation_window
        self._set_status(TicketStatus.RESOLVED)
        await self._email_citizen("resolution", attach=self._document.registration_number)
        await self._archive()

    async def _wait_for_escalation(self) -> bool:
        assert self._escalation_deadline is not None
        return await self._wait(
            lambda: self._escalation is not None,
            self._until(self._escalation_deadline),
            "Escalation window (R9)",
        )

    def _next_level_input(self) -> TicketInput:
        assert self._escalation is not None and self._assignee is not None and self._outcome is not None
        record = AudienceRecord(
            level=self._inp.level,
            staff=self._assignee,
            meeting=self._meeting,
            outcome=self._outcome,
            conclusions=self._resolution.conclusions if self._resolution else None,
            documents_needed=self._resolution.documents_needed if self._resolution else [],
            document_number=self._document.registration_number if self._document else None,
            resolved_at=workflow.now(),
        )
        return self._inp.model_copy(
            update={
                "level": Level(self._inp.level + 1),
                "slot_start": self._escalation.slot_start,
                "channel": self._escalation.channel,
                "file_info": self._file,
                "audiences": [*self._inp.audiences, record],
                "timeline": self._timeline,
                "requested_at": self._escalation.requested_at or workflow.now(),
            }
        )

    async def _give_up(self, reason: str) -> None:
        """End before any meeting; `reason` is a `domain.messages` code the email translates."""
        self._set_status(TicketStatus.CANCELLED)
        self._log("ended", reason)
        await self._email_citizen("ended", note=reason)

    # --- clerk and citizen actions ---------------------------------------------------------------

    @workflow.update(description="Clerk: record how the meeting went (held, citizen_no_show, clerk_no_show).")
    def record_outcome(self, action: OutcomeAction) -> ActionResult:
        return self._apply_outcome(action)

    def _apply_outcome(self, action: OutcomeAction) -> ActionResult:
        self._outcome = action.outcome
        self._log("outcome recorded", f"{action.outcome.value} by {action.staff_id} {action.note}".strip())
        if action.outcome == Outcome.HELD:
            self._set_status(TicketStatus.AWAITING_RESOLUTION)
        return self._ok()

    @record_outcome.validator
    def _check_outcome(self, action: OutcomeAction) -> None:
        self._require_assignee(action.staff_id)
        self._require(self._status in AFTER_MEETING, "the meeting has not taken place yet")
        self._require(self._outcome is None, "the outcome is already recorded")
        self._require(action.outcome != Outcome.CANCELLED, "only the citizen can cancel")

    @workflow.update(description="Clerk: submit the resolution (conclusions, documents still needed).")
    def submit_resolution(self, action: ResolutionAction) -> ActionResult:
        return self._apply_resolution(action)

    def _apply_resolution(self, action: ResolutionAction) -> ActionResult:
        self._resolution = action
        self._log("resolution submitted", f"by {action.staff_id}")
        return self._ok()

    @submit_resolution.validator
    def _check_resolution(self, action: ResolutionAction) -> None:
        self._require_assignee(action.staff_id)
        self._require(self._status in AFTER_MEETING, "the meeting has not taken place yet")
        self._require(self._resolution is None, "the resolution is already submitted")
        self._require(self._outcome in (None, Outcome.HELD), "the meeting was not held")

    @workflow.update(description="Director: pick the clerk when the handler is absent with no substitute.")
    async def assign_clerk(self, action: AssignAction) -> ActionResult:
        assert self._file is not None
        request = io.PickRequest(file=self._file, director_id=action.staff_id, assignee_id=action.assignee_id)
        picked = await self._call(io.CONFIRM_PICK, request, StaffMember, "Check the director's pick")
        self._set_assignee(picked, "director_pick")
        return self._ok()

    @assign_clerk.validator
    def _check_assign(self, action: AssignAction) -> None:
        self._require(self._status == TicketStatus.AWAITING_ASSIGNMENT, "the ticket does not need a pick")
        director_id = self._director.id if self._director else None
        self._require(action.staff_id == director_id, "only the department's director picks")

    @workflow.update(description="Citizen: cancel before the meeting starts.")
    def cancel(self, action: CancelAction) -> ActionResult:
        self._cancel = action
        return self._ok()

    @cancel.validator
    def _check_cancel(self, action: CancelAction) -> None:
        open_states = (
            TicketStatus.VALIDATING,
            TicketStatus.ASSIGNING,
            TicketStatus.AWAITING_ASSIGNMENT,
            TicketStatus.BOOKING,
            TicketStatus.AWAITING_SLOT,
            TicketStatus.SCHEDULED,
        )
        self._require(self._status in open_states, "only a meeting that has not started can be cancelled")
        self._require(self._cancel is None, "the ticket is already being cancelled")

    @workflow.update(description="Citizen: choose another slot after the first one was refused.")
    async def choose_slot(self, action: ChooseSlotAction) -> ActionResult:
        try:
            await self._reserve(action.slot_start)
        except Rejected as refusal:
            raise ApplicationError(str(refusal), type=io.SLOT_UNAVAILABLE) from None
        return self._ok()

    @choose_slot.validator
    def _check_choose_slot(self, action: ChooseSlotAction) -> None:
        self._require(self._status == TicketStatus.AWAITING_SLOT, "no slot choice is pending")

    @workflow.update(description="Citizen: ask for the next level (director, deputy mayor, mayor) (R9).")
    def escalate(self, action: EscalateAction) -> ActionResult:
        self._escalation = action
        self._log("escalation requested", f"to level {Level(self._inp.level + 1).name.lower()}")
        return self._ok()

    @escalate.validator
    def _check_escalate(self, action: EscalateAction) -> None:
        self._require(self._inp.level < Level.MAYOR, "the mayor is the last level")
        self._require(self._status == TicketStatus.RESOLVED, "escalation opens once the resolution is issued")
        self._require(self._escalation is None, "escalation already requested")
        deadline = self._escalation_deadline
        self._require(deadline is not None and workflow.now() < deadline, "the 30-day window has closed")

    # Signals: the same actions for a clerk typing JSON in the Temporal UI.

    @workflow.signal(description='Clerk (Temporal UI): {"staff_id": "...", "outcome": "held"}')
    def record_outcome_signal(self, payload: dict[str, Any]) -> None:
        self._from_signal("record_outcome", payload, OutcomeAction, self._check_outcome, self._apply_outcome)

    @workflow.signal(
        description='Clerk (Temporal UI): {"staff_id": "...", "conclusions": "...", "documents_needed": []}'
    )
    def submit_resolution_signal(self, payload: dict[str, Any]) -> None:
        self._from_signal(
            "submit_resolution", payload, ResolutionAction, self._check_resolution, self._apply_resolution
        )

    def _from_signal(
        self,
        name: str,
        payload: dict[str, Any],
        model: type[BaseModel],
        check: Callable[[Any], None],
        apply: Callable[[Any], Any],
    ) -> None:
        try:
            action = model.model_validate(payload)
            check(action)
        except (ValidationError, Rejected) as err:
            reason = _short_validation(err) if isinstance(err, ValidationError) else str(err)
            self._log("signal rejected", f"{name}: {reason}")
            return
        apply(action)

    @workflow.query(description="The ticket as the citizen page, the clerk app and ops see it.")
    def status(self) -> TicketView:
        return self.view()

    # --- helpers ----------------------------------------------------------------------------------

    def view(self) -> TicketView:
        return TicketView(
            ticket_id=self._inp.ticket_id,
            status=self._status,
            level=self._inp.level,
            registration_number=self._inp.file.registration_number,
            subject=self._file.subject if self._file else None,
            department_id=self._file.department_id if self._file else None,
            channel=self._meeting.channel if self._meeting else self._inp.channel,
            citizen_language=self._inp.citizen.language,
            assignee=self._assignee,
            slot_start=self._slot_start,
            meeting=self._meeting,
            outcome=self._outcome,
            document_number=self._document.registration_number if self._document else None,
            escalation_deadline=self._escalation_deadline,
            next_level=Level(self._inp.level + 1) if self._inp.level < Level.MAYOR else None,
            rejection_code=self._rejection_code,
            audiences=self._inp.audiences,
            timeline=self._timeline,
        )

    def _require(self, condition: bool, reason: str) -> None:
        if not condition:
            raise Rejected(reason)

    def _require_assignee(self, staff_id: str) -> None:
        self._require(self._assignee is not None and staff_id == self._assignee.id, "not the ticket's clerk")

    def _ok(self) -> ActionResult:
        return ActionResult(accepted=True, status=self._status)

    def _set_assignee(self, person: StaffMember, reason: str) -> None:
        self._assignee = person
        workflow.upsert_search_attributes([sa.TICKET_CLERK.value_set(person.id)])
        self._log("assigned", f"{person.name} ({person.id}), {reason.replace('_', ' ')}")

    def _set_status(self, status: TicketStatus) -> None:
        self._status = status
        workflow.upsert_search_attributes([sa.TICKET_STATUS.value_set(status.value)])
        who = f" · {self._assignee.name}" if self._assignee else ""
        when = f" · {self._slot_start.isoformat(timespec='minutes')}" if self._booking else ""
        workflow.set_current_details(
            f"**{status.value}** · level {self._inp.level.name.lower()}{who}{when}\n\n"
            + "\n".join(
                f"- {e.at.isoformat(timespec='minutes')} {e.step} {e.detail}" for e in self._timeline[-8:]
            )
        )

    def _log(self, step: str, detail: str = "") -> None:
        self._timeline.append(TimelineEntry(at=workflow.now(), step=step, detail=detail))

    def _until(self, instant: datetime) -> timedelta:
        return max(instant - workflow.now(), timedelta(0))

    def _requested_at(self) -> datetime:
        return self._inp.requested_at or workflow.info().start_time

    async def _wait(self, condition: Callable[[], bool], limit: timedelta, summary: str) -> bool:
        """A durable timer that a signal or update can cut short: True when `condition` came true."""
        try:
            await workflow.wait_condition(condition, timeout=limit, timeout_summary=summary)
        except TimeoutError:
            return False
        return True

    async def _call(
        self, name: str, arg: Any, result_type: type, summary: str, retry: RetryPolicy = RETRY
    ) -> Any:
        return await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=QUICK,
            retry_policy=retry,
            summary=summary,
        )

    async def _email_citizen(self, kind: str, note: str = "", attach: str | None = None) -> None:
        request = io.EmailRequest(
            kind=kind,
            to=str(self._inp.citizen.email),
            language=self._inp.citizen.language,
            ticket=self.view(),
            note=note,
            attach_document=attach,
        )
        await self._call(io.SEND_EMAIL, request, type(None), f"Email the citizen: {kind}", PATIENT)

    async def _email_staff(self, kind: str, person: StaffMember | None) -> None:
        if person is None:
            return
        request = io.EmailRequest(
            kind=f"staff_{kind}", to=person.email, language=Language.RO, ticket=self.view()
        )
        await self._call(io.SEND_EMAIL, request, type(None), f"Email {person.name}: {kind}", PATIENT)

    async def _archive(self) -> None:
        assert self._file is not None
        staff_id = self._assignee.id if self._assignee else ""
        record = ArchiveRecord(
            ticket_id=self._inp.ticket_id,
            level=self._inp.level,
            registration_number=self._file.registration_number,
            staff_id=staff_id,
            department_id=self._file.department_id,
            channel=self._meeting.channel if self._meeting else self._inp.channel,
            meeting_start=self._booking.start if self._booking else None,
            outcome=self._outcome or Outcome.CANCELLED,
            conclusions=self._resolution.conclusions if self._resolution else None,
            resolution_document_number=self._document.registration_number if self._document else None,
            closed_at=workflow.now(),
        )
        await self._call(io.ARCHIVE_AUDIENCE, record, type(None), "Archive the audience (R10)")


def _error_type(err: ActivityError) -> str | None:
    cause = err.cause
    return cause.type if isinstance(cause, ApplicationError) else None


def _error_message(err: ActivityError) -> str:
    cause = err.cause
    return cause.message if isinstance(cause, ApplicationError) else str(err)


def _short_validation(err: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()[:5])
