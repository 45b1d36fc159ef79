"""A ticket's handlers: clerk and citizen actions as updates with validators (the app gets an
immediate yes or a reason) and, for the clerk, the same payload as signals (the Temporal UI), plus
Webex's events and the `status` query. Refusals come from `workflows.guards`.

Every handler takes `*args` and decodes its one JSON object itself (`workflows.entry`), so no
payload, however malformed, can fail a workflow task. A refused *signal* is written to the
timeline ("signal rejected", a short reason). A refused *update* answers its caller with
`ApplicationError(reason, type=<domain.messages code>)` and leaves no trace in the history: its
validator only reads the state (the SDK forbids a validator to change it, and a rejected update
is not recorded), which is why update refusals are not in the timeline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from domain import activity_io as io
    from domain.models import (
        ActionResult,
        AssignAction,
        CancelAction,
        ChooseSlotAction,
        EmailBounce,
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
    from workflows.entry import INVALID, decode, refusing, shown_name
    from workflows.guards import Rejected
    from workflows.patches import EMAIL_DELIVERY_STATUS, RESCHEDULE_SAGA, RESOLUTION_RULES, WEBEX_EARLY_END
    from workflows.ticket_moves import TicketMoves
    from workflows.ticket_state import CITIZEN_EMAIL_FAILED

M = TypeVar("M", bound=BaseModel)

_ONE_OBJECT = "One JSON object: "


class TicketActions(TicketMoves):
    # --- clerk and citizen actions: updates for the app, signals for the Temporal UI -------------
    # Each update: `*args` in, decoded and checked by its validator, decoded again by its handler
    # (the validator does not run on replay); a refusal is `ApplicationError(type=<code>)`.

    @workflow.update(
        description=_ONE_OBJECT + '{"staff_id", "outcome": "held" | "citizen_no_show" | "clerk_no_show", '
        '"note"}. Clerk: how the meeting went.'
    )
    def record_outcome(self, *args: Any) -> ActionResult:
        with refusing():
            return self._apply_outcome(decode(args, OutcomeAction))

    @record_outcome.validator
    def _check_outcome(self, *args: Any) -> None:
        with refusing():
            guards.check_outcome(self._s, decode(args, OutcomeAction))

    @workflow.update(
        description=_ONE_OBJECT + '{"staff_id", "conclusions", "category", "documents_needed": '
        '[{"title", "original"}]}. Clerk: the resolution, once the meeting is held.'
    )
    def submit_resolution(self, *args: Any) -> ActionResult:
        with refusing():
            return self._apply_resolution(decode(args, ResolutionAction))

    @submit_resolution.validator
    def _check_resolution(self, *args: Any) -> None:
        with refusing():
            guards.check_resolution(self._s, decode(args, ResolutionAction))

    @workflow.update(
        description=_ONE_OBJECT + '{"staff_id": <director>, "assignee_id"}. Director: pick the clerk '
        "when the handler and their substitute are absent."
    )
    async def assign_clerk(self, *args: Any) -> ActionResult:
        with refusing():
            action = decode(args, AssignAction)
            assert self._s.file is not None
            request = io.PickRequest(
                file=self._s.file,
                director_id=action.staff_id,
                assignee_id=action.assignee_id,
                at=self._s.slot_start,
            )
            picked = await call(io.CONFIRM_PICK, request, StaffMember, "Check the director's pick")
        self._set_assignee(picked, "director_pick")
        return self._ok()

    @assign_clerk.validator
    def _check_assign(self, *args: Any) -> None:
        with refusing():
            guards.check_assign(self._s, decode(args, AssignAction))

    @workflow.update(description=_ONE_OBJECT + '{"reason"}. Citizen: cancel before the meeting starts.')
    def cancel(self, *args: Any) -> ActionResult:
        with refusing():
            self._s.cancel = decode(args, CancelAction)
        return self._ok()

    @cancel.validator
    def _check_cancel(self, *args: Any) -> None:
        with refusing():
            guards.check_cancel(self._s, decode(args, CancelAction))

    @workflow.update(
        description=_ONE_OBJECT + '{"slot_start", "requested_at"}. Citizen: choose another slot after the '
        "first one was refused."
    )
    async def choose_slot(self, *args: Any) -> ActionResult:
        with refusing():
            action = decode(args, ChooseSlotAction)
            await self._reserve(action.slot_start, action.requested_at)
        return self._ok()

    @choose_slot.validator
    def _check_choose_slot(self, *args: Any) -> None:
        with refusing():
            guards.check_choose_slot(self._s, decode(args, ChooseSlotAction))

    @workflow.update(
        description=_ONE_OBJECT + '{"slot_start", "channel", "requested_at"}. Citizen: ask for the next '
        "level (director, deputy mayor, mayor) within 30 days of the resolution (R9)."
    )
    def escalate(self, *args: Any) -> ActionResult:
        with refusing():
            self._s.escalation = decode(args, EscalateAction)
        self._log("escalation requested", f"to level {Level(self._s.level + 1).name.lower()}")
        return self._ok()

    @escalate.validator
    def _check_escalate(self, *args: Any) -> None:
        with refusing():
            guards.check_escalate(self._s, decode(args, EscalateAction), workflow.now())

    @workflow.update(
        description=_ONE_OBJECT + '{"slot_start", "requested_at"} from the citizen, or {"slot_start", '
        '"staff_id", "reason"} from the clerk: move the meeting.'
    )
    async def reschedule(self, *args: Any) -> ActionResult:
        with refusing():
            return await self._apply_reschedule(decode(args, RescheduleAction))

    @reschedule.validator
    def _check_reschedule(self, *args: Any) -> None:
        with refusing():
            guards.check_reschedule(self._s, decode(args, RescheduleAction), workflow.now())
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
        except Rejected:
            await self._reserve(old_start)
            raise  # `refusing()` gives the caller its code (slot_taken, …)
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

    @workflow.update(
        description=_ONE_OBJECT + '{"staff_id", "accept": true | false}. Clerk: accept or decline the '
        "in-person meeting the citizen asked for."
    )
    def decide_in_person(self, *args: Any) -> ActionResult:
        with refusing():
            return self._apply_in_person(decode(args, InPersonDecision))

    @decide_in_person.validator
    def _check_in_person(self, *args: Any) -> None:
        with refusing():
            guards.check_in_person(self._s, decode(args, InPersonDecision))

    @workflow.signal(
        description='Clerk (Temporal UI), one JSON object: {"staff_id": "c0001", "accept": true}. '
        'A refusal is written to the timeline as "signal rejected".'
    )
    def decide_in_person_signal(self, *args: Any) -> None:
        self._from_signal(
            "decide_in_person",
            args,
            InPersonDecision,
            lambda action: guards.check_in_person(self._s, action),
            self._apply_in_person,
        )

    def _apply_in_person(self, action: InPersonDecision) -> ActionResult:
        self._s.in_person = action.accept
        self._log("in person " + ("accepted" if action.accept else "declined"), f"by {action.staff_id}")
        return self._ok()

    @workflow.signal(
        name="webex_event",
        description='Webex webhook events, verified by the API (issue 4): {"event_id", "kind", '
        '"meeting_id", "recording_id", "at"}. A malformed one is written to the timeline as '
        '"signal rejected".',
    )
    async def webex_event(self, *args: Any) -> None:
        s = self._s
        try:
            event = decode(args, WebexEvent)
        except Rejected as refusal:
            self._log("signal rejected", f"webex_event: {refusal}")
            return
        if s.meeting is None or event.meeting_id != s.meeting.meeting_id:
            self._log("webex event ignored", f"{event.kind} for another meeting")
            return
        self._log(event.kind.replace("_", " "), f"Webex, {event.at.isoformat(timespec='minutes')}")
        if (
            event.kind == "meeting_ended"
            and not s.meeting_started
            and s.slot_start is not None
            and workflow.now() < s.slot_start
            and workflow.patched(WEBEX_EARLY_END)
        ):
            # Recorded above, but a meeting that ended before its slot began, and that Webex never
            # saw start, was not the audience (a room opened and closed by mistake): the wait for
            # the slot goes on. One the host started early and held is the audience, held early.
            self._log("webex event ignored", "meeting ended before its slot began")
            return
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

    @workflow.signal(
        name="email_bounced",
        description="One of the ticket's emails failed (issue 12), sent by the bounce receiver or the email "
        'activity: {"message_id", "email_kind", "recipient_kind": "citizen" | "staff", "status": '
        '"permanent-failure" | "temporary-failure", "code": "5.1.1", "source": "bounce" | "smtp", "at"}. '
        "A permanent failure of the citizen's email shows in the current details and prompts the clerk "
        'to phone them. A malformed one is written to the timeline as "signal rejected".',
    )
    def email_bounced(self, *args: Any) -> None:
        if not workflow.patched(EMAIL_DELIVERY_STATUS):  # as the dynamic handler answered before it
            self._log("signal rejected", "email_bounced: no such signal")
            return
        try:
            bounce = decode(args, EmailBounce)
        except Rejected as refusal:
            self._log("signal rejected", f"email_bounced: {refusal}")
            return
        permanent = bounce.status == "permanent-failure"
        step = f"{bounce.recipient_kind} email {'failed' if permanent else 'delayed'}"
        refused = "refused by the relay" if bounce.source == "smtp" else "bounced"
        self._log(step, f"{bounce.email_kind}, {bounce.code or 'no code'}, {refused}")
        if step == CITIZEN_EMAIL_FAILED:
            workflow.set_current_details(self._s.details())

    @workflow.signal(
        description='Clerk (Temporal UI), one JSON object: {"staff_id": "c0001", "outcome": "held"} '
        '(or "citizen_no_show", "clerk_no_show"; optional "note"). A refusal is written to the timeline '
        'as "signal rejected".'
    )
    def record_outcome_signal(self, *args: Any) -> None:
        self._from_signal(
            "record_outcome",
            args,
            OutcomeAction,
            lambda action: guards.check_outcome(self._s, action),
            self._apply_outcome,
        )

    @workflow.signal(
        description='Clerk (Temporal UI), one JSON object: {"staff_id": "c0001", "conclusions": "...", '
        '"category": "documents_requested", "documents_needed": [{"title": "...", "original": true}]}. '
        'A refusal is written to the timeline as "signal rejected".'
    )
    def submit_resolution_signal(self, *args: Any) -> None:
        self._from_signal(
            "submit_resolution",
            args,
            ResolutionAction,
            lambda action: guards.check_resolution(
                self._s, action, consistency=workflow.patched(RESOLUTION_RULES)
            ),
            self._apply_resolution,
        )

    @workflow.signal(dynamic=True, description="Any other signal name: refused in the timeline.")
    def unknown_signal(self, name: str, args: Sequence[RawValue]) -> None:
        """A mistyped name in the Temporal UI would otherwise wait unseen in the worker's buffer."""
        self._log("signal rejected", f"{shown_name(name)}: no such signal")

    @workflow.update(dynamic=True, description="Any other update name: refused.")
    def unknown_update(self, name: str, args: Sequence[RawValue]) -> None:
        """Never runs: its validator refuses every call."""

    @unknown_update.validator
    def _refuse_unknown_update(self, name: str, args: Sequence[RawValue]) -> None:
        raise ApplicationError(f"{shown_name(name)}: no such update", type=INVALID, non_retryable=True)

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
        args: tuple[Any, ...],
        model: type[M],
        check: Callable[[M], None],
        apply: Callable[[M], Any],
    ) -> None:
        """A signal cannot answer its sender, so a refusal is written where ops look: the timeline."""
        try:
            action = decode(args, model)
            check(action)
        except Rejected as refusal:
            self._log("signal rejected", f"{name}: {refusal}")
            return
        apply(action)
