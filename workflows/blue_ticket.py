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

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from domain import activity_io as io
    from domain.models import (
        Assignment,
        Channel,
        FileInfo,
        Level,
        MeetingInfo,
        Outcome,
        RegisteredDocument,
        TicketInput,
        TicketStatus,
        TicketView,
    )
    from workflows.calls import PATIENT, call, call_lean, error_type, meeting_retry, wait_until
    from workflows.guards import Rejected
    from workflows.patches import (
        CLERK_NO_SHOW_REBOOK,
        EARLIER_RESOLUTIONS,
        IN_PERSON_ACCEPTANCE,
        LEAN_ACTIVITY_INPUTS,
        MEETING_CHANNEL,
        MUNICIPALITY_ATTRIBUTE,
        WORKING_HOUR_DEADLINES,
    )
    from workflows.ticket_actions import TicketActions
    from workflows.ticket_state import NO_SHOWS, TicketState


@workflow.defn(name="BlueTicket")
class BlueTicketWorkflow(TicketActions):
    @workflow.init
    def __init__(self, inp: TicketInput) -> None:
        self._s = TicketState.start(inp)

    # --- the ticket's life ---------------------------------------------------------------------

    @workflow.run
    async def run(self, inp: TicketInput) -> TicketView:
        await self._live(inp)
        # A handler still at work (a Webex event archiving its recording, say) finishes first.
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._s.view()

    async def _live(self, inp: TicketInput) -> None:
        """One level of the ticket, from validation to closing (or continuing at the next level)."""
        workflow.upsert_search_attributes([sa.ESCALATION_LEVEL.value_set(int(inp.level))])
        if inp.municipality and workflow.patched(MUNICIPALITY_ATTRIBUTE):
            # Also on a ticket started straight on Temporal, and on every level after continue-as-new.
            workflow.upsert_search_attributes([sa.MUNICIPALITY.value_set(inp.municipality)])
        level_name = inp.level.name.lower().replace("_", " ")
        self._log("started" if inp.level == Level.CLERK else "escalated", f"level: {level_name}")
        if inp.accepted_after_window:
            self._log("later slot accepted", "the 48-hour window was full; the citizen chose a later slot")
        if self._s.file is None and not await self._validate():
            return
        if not await self._assign() or not await self._book():
            return
        while True:
            await self._create_meeting()
            await self._announce_schedule()
            if not await self._wait_for_meeting():
                return
            await self._wait_for_outcome_or_resolution()
            if self._s.outcome != Outcome.CLERK_NO_SHOW or not workflow.patched(CLERK_NO_SHOW_REBOOK):
                break
            if not await self._offer_a_new_slot():
                return
        if self._s.outcome in NO_SHOWS:
            await self._close_without_resolution()
            return
        await self._issue_resolution()
        if self._s.next_level is not None and await self._wait_for_escalation():
            await workflow.wait_condition(workflow.all_handlers_finished)
            workflow.continue_as_new(self._s.next_level_input(workflow.now()))
        self._set_status(TicketStatus.CLOSED)
        self._log("closed")

    async def _validate(self) -> bool:
        s = self._s
        request = io.EligibilityRequest(
            file=s.inp.file,
            as_of=workflow.now(),
            answered_files_eligible_for=s.inp.policy.answered_files_eligible_for,
        )
        try:
            run = call_lean(LEAN_ACTIVITY_INPUTS)
            s.file = await run(io.CHECK_ELIGIBILITY, request, FileInfo, "Check the file (R1)")
        except ActivityError as err:
            if error_type(err) != io.FILE_NOT_ELIGIBLE:
                raise
            s.rejection_code = "no_matching_file"
            self._set_status(TicketStatus.REJECTED)
            self._log("rejected", "no matching file (R1)")
            await self._email_citizen("rejected")
            return False
        workflow.upsert_search_attributes([sa.TICKET_DEPARTMENT.value_set(s.file.department_id)])
        self._log("validated", f"file {s.file.registration_number}: {s.file.subject}")
        return True

    async def _assign(self) -> bool:
        s = self._s
        assert s.file is not None and s.slot_start is not None
        self._set_status(TicketStatus.ASSIGNING)
        request = io.AssignRequest(file=s.file, level=s.level, at=s.slot_start)
        run = call_lean(LEAN_ACTIVITY_INPUTS)
        assignment = await run(io.ASSIGN_AUDIENCE, request, Assignment, "Find who holds the audience (R2)")
        s.director = assignment.director
        if assignment.assignee is not None:
            self._set_assignee(assignment.assignee, assignment.reason)
            return True
        self._set_status(TicketStatus.AWAITING_ASSIGNMENT)
        why = assignment.why or "handler absent, no substitute"  # results recorded before `why`
        self._log("awaiting assignment", f"{why}: the director picks")
        await self._email_staff("pick_needed", assignment.director)
        return await self._await_or_give_up(
            lambda: s.assignee is not None,
            s.inp.policy.director_pick_timeout,
            "Director picks a clerk",
            "no_clerk_assigned",
        )

    async def _book(self) -> bool:
        s = self._s
        assert s.slot_start is not None
        self._set_status(TicketStatus.BOOKING)
        try:
            await self._reserve(s.slot_start)
            return True
        except Rejected as refusal:
            self._set_status(TicketStatus.AWAITING_SLOT)
            self._log("awaiting slot", refusal.code)
            await self._email_citizen("choose_slot", note=refusal.code)
        return await self._await_or_give_up(
            lambda: s.booking is not None,
            s.inp.policy.slot_choice_timeout,
            "Citizen chooses another slot",
            "no_slot_chosen",
        )

    async def _await_or_give_up(
        self, done: Callable[[], bool], limit: timedelta, summary: str, reason: str
    ) -> bool:
        """Wait for someone's choice (a director's pick, a citizen's slot); a cancellation or the
        timeout ends the ticket with `reason` (a `domain.messages` code) told to the citizen."""
        s = self._s
        if await wait_until(lambda: done() or s.cancel is not None, limit, summary) and done():
            return True
        await self._give_up(reason if s.cancel is None else "cancelled_by_citizen")
        return False

    async def _in_person_accepted(self) -> bool:
        """In person is a last resort (DESIGN.md): it happens only if the clerk says yes in time;
        otherwise the meeting is held on Webex and the citizen is told why."""
        s = self._s
        assert s.slot_start is not None
        self._set_status(TicketStatus.AWAITING_CLERK_ACCEPTANCE)
        self._log("in person requested", "the clerk decides")
        await self._email_staff("in_person_request", s.assignee)
        limit = min(s.inp.policy.in_person_decision_timeout, self._until(s.slot_start - timedelta(hours=1)))
        await wait_until(
            lambda: s.in_person is not None or s.cancel is not None, limit, "Clerk decides: in person?"
        )
        if s.in_person:
            return True
        self._log("in person declined: webex", "declined" if s.in_person is False else "no answer in time")
        return False

    async def _create_meeting(self) -> None:
        s = self._s
        assert s.booking is not None and s.assignee is not None
        channel = s.inp.channel
        if channel == Channel.IN_PERSON and workflow.patched(IN_PERSON_ACCEPTANCE):
            channel = Channel.IN_PERSON if await self._in_person_accepted() else Channel.WEBEX
        request = self._meeting_request(channel)
        summary = f"Create the {channel.value} meeting"
        if not workflow.patched(MEETING_CHANNEL):
            s.meeting = await call(io.CREATE_MEETING, request, MeetingInfo, summary, PATIENT)
            self._log("meeting created", s.meeting.join_url or s.meeting.channel.value)
            return
        run = call_lean(LEAN_ACTIVITY_INPUTS)  # idempotent (a Webex tag): runs as a local activity
        try:
            s.meeting = await run(
                io.CREATE_MEETING, request, MeetingInfo, summary, meeting_retry(s.inp.policy.meeting_attempts)
            )
        except ActivityError as err:
            # Webex is down past its retries: the citizen still gets their meeting, by phone (issue 4).
            s.meeting = MeetingInfo(
                channel=Channel.PHONE, start=s.booking.start, end=s.booking.end, phone=s.inp.citizen.phone
            )
            # Plain words: the timeline reaches the citizen's page; the vendor's error stays in the
            # activity's failure in the history, for ops.
            why = error_type(err) or "no answer"
            self._log(
                "webex failed: switched to phone", f"Webex could not create the meeting ({why}); by phone"
            )
            return
        # The link itself is in the view's meeting; the timeline (carried to every next level) says how.
        self._log("meeting created", s.meeting.channel.value)
        if s.meeting.meeting_id is not None:
            workflow.upsert_search_attributes([sa.WEBEX_MEETING_ID.value_set(s.meeting.meeting_id)])
            notice = self._host_notice(s.assignee, s.meeting)
            await call(io.NOTIFY_HOST, notice, str, f"Webex message to {s.assignee.name}", PATIENT)

    async def _announce_schedule(self) -> None:
        s = self._s
        self._set_status(TicketStatus.SCHEDULED)
        earlier = [a.document_number for a in s.inp.audiences if a.document_number]
        attach = earlier if earlier and workflow.patched(EARLIER_RESOLUTIONS) else None
        if not workflow.patched(LEAN_ACTIVITY_INPUTS):  # as tickets started before it recorded
            await self._email_citizen("confirmation")
            await self._email_staff("assigned", s.assignee, attach=attach)
            return
        # Independent of each other: one workflow task schedules both (issue 11).
        await asyncio.gather(
            self._email_citizen("confirmation"), self._email_staff("assigned", s.assignee, attach=attach)
        )

    async def _wait_for_meeting(self) -> bool:
        """Sleep until the slot, reminding the citizen on the way (24 h and 1 h before, skipped when
        already past), waking early for a cancellation or a new time. False when cancelled."""
        s = self._s
        while True:
            assert s.slot_start is not None
            if s.move is not None and s.move.secured:  # a reschedule's new slot is held (RESCHEDULE_SAGA)
                await self._carry_out_move()

            def interrupted(moves: int = s.reschedules) -> bool:
                return s.cancel is not None or s.reschedules != moves or s.meeting_started

            reminders = s.inp.policy.reminders_before if workflow.patched(MEETING_CHANNEL) else []
            for before in sorted(reminders, reverse=True):
                at = s.slot_start - before
                if at <= workflow.now():
                    continue
                if await wait_until(interrupted, self._until(at), f"Reminder {_hours(before)} before"):
                    break
                self._log("reminder sent", f"{_hours(before)} before")
                await self._email_citizen("reminder", note=_hours(before))
            if not interrupted() and not await wait_until(
                interrupted, self._until(s.slot_start), "Until the meeting starts"
            ):
                return True
            if s.cancel is not None:
                await self._cancel_booking()
                return False
            if s.meeting_started:  # Webex says the host opened it early: the meeting is on
                return True

    async def _cancel_booking(self) -> None:
        s = self._s
        assert s.cancel is not None
        self._set_status(TicketStatus.CANCELLED)
        s.outcome = Outcome.CANCELLED
        self._log("cancelled by the citizen", s.cancel.reason)
        release = io.ReleaseRequest(ticket_id=s.inp.ticket_id, level=s.level, at=workflow.now())
        await call(io.RELEASE_SLOT, release, bool, "Free the slot")
        if s.meeting is not None and s.meeting.meeting_id is not None:
            await call(io.CANCEL_MEETING, s.meeting, type(None), "Delete the meeting", PATIENT)
        await self._email_citizen("cancelled")
        await self._email_staff("cancelled", s.assignee)
        await self._archive()

    async def _wait_for_outcome_or_resolution(self) -> None:
        """After the slot: the clerk records an outcome or a resolution. Unanswered, they are asked
        at the end of the slot plus a grace period, reminded, and past the deadline their director
        is told; the ticket keeps waiting throughout (R8)."""
        s = self._s
        assert s.booking is not None
        held = s.outcome == Outcome.HELD  # Webex already said the meeting ended
        self._set_status(TicketStatus.AWAITING_RESOLUTION if held else TicketStatus.AWAITING_OUTCOME)
        policy, ended = s.inp.policy, s.booking.end
        if workflow.patched(WORKING_HOUR_DEADLINES):
            hours = [policy.resolution_reminder_working_hours, policy.resolution_deadline_working_hours]
            request = io.DeadlinesRequest(start=ended, working_hours=hours)
            summary = "Count the resolution deadlines in working hours"
            run = call_lean(LEAN_ACTIVITY_INPUTS)
            reminder, deadline = await run(io.WORKING_DEADLINES, request, list[datetime], summary)
        else:
            reminder, deadline = (
                ended + policy.resolution_reminder_after,
                ended + policy.resolution_deadline_after,
            )
        chase = [
            (ended + policy.outcome_grace, "outcome_request", "Clerk is asked for the outcome"),
            (reminder, "resolution_reminder", "Resolution reminder"),
            (deadline, "resolution_late", "Resolution deadline"),
        ]
        for deadline, kind, summary in chase:
            if await wait_until(s.clerk_has_answered, self._until(deadline), summary):
                return
            if s.outcome is None:
                self._set_status(TicketStatus.AWAITING_RESOLUTION)
            self._log(kind.replace("_", " "), summary)
            await self._email_staff(kind, s.director if kind == "resolution_late" else s.assignee)
        await workflow.wait_condition(s.clerk_has_answered)

    async def _offer_a_new_slot(self) -> bool:
        """A clerk no-show is reported to the director and archived; the citizen gets a new slot of
        their choice at the same level (issue 4). False when none is chosen in time."""
        s = self._s
        assert s.booking is not None
        self._log("clerk no-show", "reported to the director; the citizen chooses a new slot")
        await self._email_staff("clerk_no_show_report", s.director)
        await self._archive()
        release = io.ReleaseRequest(ticket_id=s.inp.ticket_id, level=s.level, at=workflow.now())
        await call(io.RELEASE_SLOT, release, bool, "Free the missed slot")
        s.start_over_after_clerk_no_show()
        self._set_status(TicketStatus.AWAITING_SLOT)
        await self._email_citizen("clerk_no_show")
        return await self._await_or_give_up(
            lambda: s.booking is not None,
            s.inp.policy.slot_choice_timeout,
            "Citizen chooses a new slot",
            "no_slot_chosen",
        )

    async def _close_without_resolution(self) -> None:
        s = self._s
        assert s.outcome is not None
        self._set_status(TicketStatus.CLOSED)
        self._log("closed", s.outcome.value.replace("_", " "))
        await self._email_citizen(s.outcome.value)
        if s.outcome == Outcome.CLERK_NO_SHOW:
            await self._email_staff("clerk_no_show_report", s.director)
        await self._archive()

    async def _issue_resolution(self) -> None:
        s = self._s
        assert s.resolution is not None
        s.outcome = s.outcome or Outcome.HELD
        self._set_status(TicketStatus.RESOLVING)
        if s.next_level is not None:  # known before the document, which prints it
            s.escalation_deadline = workflow.now() + s.inp.policy.escalation_window
        request: io.AnyDocumentRequest
        if workflow.patched(LEAN_ACTIVITY_INPUTS):
            request = io.DocumentRequest(
                municipality=s.inp.municipality,
                ticket=s.letter_facts(),
                resolution=s.resolution,
                at=workflow.now(),
            )
        else:  # as tickets started before it recorded
            request = io.DocumentRequestWithView(ticket=s.view(), resolution=s.resolution, at=workflow.now())
        summary = "Generate and register the resolution (R8)"
        s.document = await call(io.ISSUE_DOCUMENT, request, RegisteredDocument, summary)
        self._log("document registered", s.document.registration_number)
        self._set_status(TicketStatus.RESOLVED)
        letter = self._email_citizen("resolution", attach=s.document.registration_number)
        if workflow.patched(LEAN_ACTIVITY_INPUTS):  # independent: scheduled in one workflow task
            await asyncio.gather(letter, self._archive())
        else:
            await letter
            await self._archive()

    async def _wait_for_escalation(self) -> bool:
        s = self._s
        assert s.escalation_deadline is not None
        limit = self._until(s.escalation_deadline)
        return await wait_until(lambda: s.escalation is not None, limit, "Escalation window (R9)")

    async def _give_up(self, reason: str) -> None:
        """End before any meeting; `reason` is a `domain.messages` code the email translates."""
        self._set_status(TicketStatus.CANCELLED)
        self._log("ended", reason)
        await self._email_citizen("ended", note=reason)


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} h"
