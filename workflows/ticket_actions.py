"""A ticket's handlers: clerk and citizen actions as updates with validators (the app gets an
immediate yes or a reason) and, for the clerk, the same payload as signals (the Temporal UI), plus
Webex's events and the `status` query. Refusals come from `workflows.guards`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, ValidationError

    from domain import activity_io as io
    from domain.models import (
        ActionResult,
        AssignAction,
        CancelAction,
        ChooseSlotAction,
        EscalateAction,
        InPersonDecision,
        Level,
        MeetingInfo,
        Outcome,
        OutcomeAction,
        RescheduleAction,
        ResolutionAction,
        StaffMember,
        TicketStatus,
        TicketView,
        WebexEvent,
    )
    from workflows import guards
    from workflows.calls import PATIENT, call
    from workflows.guards import Rejected
    from workflows.patches import RESCHEDULE_SAGA
    from workflows.ticket_base import short_validation
    from workflows.ticket_moves import TicketMoves


class TicketActions(TicketMoves):
    # --- clerk and citizen actions: updates for the app, signals for the Temporal UI -------------

    @workflow.update(description="Clerk: record how the meeting went (held, citizen_no_show, clerk_no_show).")
    def record_outcome(self, action: OutcomeAction) -> ActionResult:
        return self._apply_outcome(action)

    @record_outcome.validator
    def _check_outcome(self, action: OutcomeAction) -> None:
        guards.check_outcome(self._s, action)

    @workflow.update(description="Clerk: submit the resolution (conclusions, documents still needed).")
    def submit_resolution(self, action: ResolutionAction) -> ActionResult:
        return self._apply_resolution(action)

    @submit_resolution.validator
    def _check_resolution(self, action: ResolutionAction) -> None:
        guards.check_resolution(self._s, action)

    @workflow.update(description="Director: pick the clerk when the handler is absent with no substitute.")
    async def assign_clerk(self, action: AssignAction) -> ActionResult:
        assert self._s.file is not None
        request = io.PickRequest(
            file=self._s.file, director_id=action.staff_id, assignee_id=action.assignee_id
        )
        picked = await call(io.CONFIRM_PICK, request, StaffMember, "Check the director's pick")
        self._set_assignee(picked, "director_pick")
        return self._ok()

    @assign_clerk.validator
    def _check_assign(self, action: AssignAction) -> None:
        guards.check_assign(self._s, action)

    @workflow.update(description="Citizen: cancel before the meeting starts.")
    def cancel(self, action: CancelAction) -> ActionResult:
        self._s.cancel = action
        return self._ok()

    @cancel.validator
    def _check_cancel(self, action: CancelAction) -> None:
        guards.check_cancel(self._s, action)

    @workflow.update(description="Citizen: choose another slot after the first one was refused.")
    async def choose_slot(self, action: ChooseSlotAction) -> ActionResult:
        try:
            await self._reserve(action.slot_start, action.requested_at)
        except Rejected as refusal:
            raise ApplicationError(str(refusal), type=io.SLOT_UNAVAILABLE) from None
        return self._ok()

    @choose_slot.validator
    def _check_choose_slot(self, action: ChooseSlotAction) -> None:
        guards.check_choose_slot(self._s, action)

    @workflow.update(description="Citizen: ask for the next level (director, deputy mayor, mayor) (R9).")
    def escalate(self, action: EscalateAction) -> ActionResult:
        self._s.escalation = action
        self._log("escalation requested", f"to level {Level(self._s.level + 1).name.lower()}")
        return self._ok()

    @escalate.validator
    def _check_escalate(self, action: EscalateAction) -> None:
        guards.check_escalate(self._s, action, workflow.now())

    @workflow.update(description="Citizen (no staff_id) or clerk (staff_id, reason): move the meeting.")
    async def reschedule(self, action: RescheduleAction) -> ActionResult:
        return await self._apply_reschedule(action)

    @reschedule.validator
    def _check_reschedule(self, action: RescheduleAction) -> None:
        guards.check_reschedule(self._s, action, workflow.now())
        self._check_no_move_pending()

    async def _apply_reschedule(self, action: RescheduleAction) -> ActionResult:
        """Since RESCHEDULE_SAGA: the update secures the new slot and answers; the main flow moves
        the meeting and tells both sides (workflows/ticket_moves.py). Before it (tickets whose
        history has the old way): the old slot was freed first, the meeting moved inside the
        update, and if the new slot was taken meanwhile the old one was taken back."""
        if workflow.patched(RESCHEDULE_SAGA):
            return await self._secure_the_new_slot(action)
        s = self._s
        assert s.booking is not None and s.meeting is not None
        old_start, old_meeting = s.booking.start, s.meeting
        release = io.ReleaseRequest(ticket_id=s.inp.ticket_id, level=s.level, at=workflow.now())
        await call(io.RELEASE_SLOT, release, bool, "Free the old slot")
        try:
            await self._reserve(action.slot_start, action.requested_at)
        except Rejected as refusal:
            await self._reserve(old_start)
            raise ApplicationError(str(refusal), type=io.SLOT_UNAVAILABLE) from None
        assert s.booking is not None
        move = io.MoveMeetingRequest(meeting=old_meeting, start=s.booking.start, end=s.booking.end)
        s.meeting = await call(io.MOVE_MEETING, move, MeetingInfo, "Move the meeting", PATIENT)
        s.reschedules += 1
        by = f"clerk {action.staff_id}" if action.staff_id else "citizen"
        self._log(
            "rescheduled",
            f"by the {by}: {old_start.isoformat()} → {s.booking.start.isoformat()} {action.reason}".strip(),
        )
        self._set_status(TicketStatus.SCHEDULED)
        # The email shows old → new: the note's first line is the old time (integrations/emails.py).
        await self._email_citizen("rescheduled", note=f"{old_start.isoformat()}\n{action.reason}".strip())
        await self._email_staff("rescheduled", s.assignee)
        return self._ok()

    @workflow.update(description='Clerk: accept or decline an in-person meeting: {"staff_id", "accept"}.')
    def decide_in_person(self, action: InPersonDecision) -> ActionResult:
        return self._apply_in_person(action)

    @decide_in_person.validator
    def _check_in_person(self, action: InPersonDecision) -> None:
        guards.check_in_person(self._s, action)

    @workflow.signal(description='Clerk (Temporal UI): {"staff_id": "...", "accept": true}')
    def decide_in_person_signal(self, payload: dict[str, Any]) -> None:
        self._from_signal(
            "decide_in_person", payload, InPersonDecision, self._check_in_person, self._apply_in_person
        )

    def _apply_in_person(self, action: InPersonDecision) -> ActionResult:
        self._s.in_person = action.accept
        self._log("in person " + ("accepted" if action.accept else "declined"), f"by {action.staff_id}")
        return self._ok()

    @workflow.signal(name="webex_event", description="Webex webhook events, verified by the API (issue 4).")
    async def webex_event(self, payload: dict[str, Any]) -> None:
        s = self._s
        try:
            event = WebexEvent.model_validate(payload)
        except ValidationError as err:
            self._log("signal rejected", f"webex_event: {short_validation(err)}")
            return
        if s.meeting is None or event.meeting_id != s.meeting.meeting_id:
            self._log("webex event ignored", f"{event.kind} for another meeting")
            return
        self._log(event.kind.replace("_", " "), f"Webex, {event.at.isoformat(timespec='minutes')}")
        if event.kind in ("meeting_started", "meeting_ended"):
            s.meeting_started = True
            s.meeting_started_at = s.meeting_started_at or event.at
        if event.kind == "meeting_ended" and s.outcome is None:
            # Held, provisionally: the clerk can still record a no-show instead.
            s.outcome, s.outcome_by_webex = Outcome.HELD, True
            if s.status in guards.AFTER_MEETING:
                self._set_status(TicketStatus.AWAITING_RESOLUTION)
        elif event.kind == "recording_created" and event.recording_id:
            # Into the archive at once (R10); the resolution later completes the same row.
            s.recording_ref = event.recording_id
            await self._archive()

    @workflow.signal(description='Clerk (Temporal UI): {"staff_id": "...", "outcome": "held"}')
    def record_outcome_signal(self, payload: dict[str, Any]) -> None:
        self._from_signal("record_outcome", payload, OutcomeAction, self._check_outcome, self._apply_outcome)

    @workflow.signal(
        description='Clerk (Temporal UI): {"staff_id": "...", "conclusions": "...", "category": "clarified", '
        '"documents_needed": [{"title": "...", "original": true}]}'
    )
    def submit_resolution_signal(self, payload: dict[str, Any]) -> None:
        self._from_signal(
            "submit_resolution", payload, ResolutionAction, self._check_resolution, self._apply_resolution
        )

    @workflow.query(description="The ticket as the citizen page, the clerk app and ops see it.")
    def status(self) -> TicketView:
        return self._s.view()

    def _apply_outcome(self, action: OutcomeAction) -> ActionResult:
        self._s.outcome, self._s.outcome_by_webex = action.outcome, False
        self._log("outcome recorded", f"{action.outcome.value} by {action.staff_id} {action.note}".strip())
        if action.outcome == Outcome.HELD:
            self._set_status(TicketStatus.AWAITING_RESOLUTION)
        return self._ok()

    def _apply_resolution(self, action: ResolutionAction) -> ActionResult:
        self._s.resolution = action
        self._log("resolution submitted", f"by {action.staff_id}")
        return self._ok()

    def _from_signal(
        self,
        name: str,
        payload: dict[str, Any],
        model: type[BaseModel],
        check: Callable[[Any], None],
        apply: Callable[[Any], Any],
    ) -> None:
        """A signal cannot answer its sender, so a refusal is written where ops look: the timeline."""
        try:
            action = model.model_validate(payload)
            check(action)
        except (ValidationError, Rejected) as err:
            reason = short_validation(err) if isinstance(err, ValidationError) else str(err)
            self._log("signal rejected", f"{name}: {reason}")
            return
        apply(action)
