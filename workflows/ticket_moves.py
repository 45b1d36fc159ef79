"""A reschedule as a saga (issue 8): the caller is answered within seconds, and the ticket either
ends at the new time everywhere or stays exactly as it was.

The pivot is the new slot. The `reschedule` update only swaps the ticket's booking for the new slot,
in one database transaction with a short timeout (`PROMPT`): taken, or against the rules, and the
transaction rolls back, the old booking and meeting are untouched and the caller hears why. Once
the slot is the ticket's, nothing can send it back: every later step either succeeds or has a
fallback that cannot fail. The main flow (`_wait_for_meeting`, woken by the move) then moves the
Webex meeting with its own retries; a meeting Webex refuses to move (it is gone: 404) is created
anew; failing that, or when Webex stays down past its retries, the meeting is held by phone, as at
creation. Only then are the citizen (new invite: same UID, higher SEQUENCE) and the clerk told.

Swapping at the pivot (rather than holding old and new slots, then freeing the old one) keeps the
booking table's rule of one active booking per ticket and level, and a retried swap finds its own
row. The old slot is free from the moment the update answers, which is safe because the ticket
never goes back to it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from core import search_attributes as sa
    from domain import activity_io as io
    from domain.models import ActionResult, Channel, MeetingInfo, RescheduleAction, TicketStatus
    from workflows.calls import call, error_type, meeting_retry
    from workflows.guards import Rejected
    from workflows.ticket_base import TicketBase
    from workflows.ticket_state import PendingMove

# `domain.messages` codes; the message is the code too, so either way of reading a refusal finds it.
MOVE_IN_PROGRESS = "reschedule_in_progress"
UNAVAILABLE = "service_unavailable"
WEBEX_PERMANENT = "WebexPermanentError"  # activities/meetings.py


class TicketMoves(TicketBase):
    def _check_no_move_pending(self) -> None:
        """One move at a time: a second one waits until the first is carried out."""
        if self._s.move is not None:
            raise Rejected(MOVE_IN_PROGRESS, "a move of this meeting is already being carried out")

    async def _secure_the_new_slot(self, action: RescheduleAction) -> ActionResult:
        """The update's part: swap the booking for the new slot, or refuse with the reason and
        change nothing. The rest is the main flow's (`_carry_out_move`)."""
        s = self._s
        assert s.booking is not None and s.meeting is not None
        old = s.booking
        by = f"clerk {action.staff_id}" if action.staff_id else "citizen"
        # Set before the first await, so a second update's validator already sees the move.
        s.move = PendingMove(previous_start=old.start, by=by, reason=action.reason)
        try:
            await self._reserve(action.slot_start, action.requested_at, replacing=old)
        except Rejected:
            s.move = None
            raise  # `refusing()` answers the caller with its code (slot_taken, …)
        except ActivityError:
            # The database did not answer in time: the swap rolled back or never ran. (A swap that
            # committed as its last try timed out would leave the booking ahead of the meeting.)
            s.move = None
            raise ApplicationError(UNAVAILABLE, type=UNAVAILABLE, non_retryable=True) from None
        assert s.booking is not None
        s.move = replace(s.move, secured=True)
        s.reschedules += 1  # wakes the main flow
        self._log("reschedule accepted", f"by the {by}: {_when(old.start)} → {_when(s.booking.start)}")
        self._set_status(TicketStatus.SCHEDULED)
        return self._ok()

    async def _carry_out_move(self) -> None:
        """The main flow's part: the meeting follows the booking, then both sides are told."""
        s = self._s
        move = s.move
        assert move is not None and move.secured and s.booking is not None and s.meeting is not None
        s.meeting = await self._follow_the_booking(s.meeting)
        s.move = None  # from here a new move may be accepted; the loop carries it out next
        detail = f"by the {move.by}: {_when(move.previous_start)} → {_when(s.booking.start)} {move.reason}"
        self._log("rescheduled", detail.strip())
        self._set_status(TicketStatus.SCHEDULED)
        # The email shows old → new: the note's first line is the old time (integrations/emails.py).
        await self._email_citizen(
            "rescheduled", note=f"{move.previous_start.isoformat()}\n{move.reason}".strip()
        )
        await self._email_staff("rescheduled", s.assignee)

    async def _follow_the_booking(self, meeting: MeetingInfo) -> MeetingInfo:
        """Move the meeting to the booking's time; recreate it if Webex cannot move it; by phone
        if that fails too, or Webex stays down past its retries."""
        s = self._s
        assert s.booking is not None
        start, end = s.booking.start, s.booking.end
        if meeting.meeting_id is None:  # phone or in person: nothing outside the ticket to move
            return meeting.model_copy(update={"start": start, "end": end})
        retry = meeting_retry(s.inp.policy.meeting_attempts)
        request = io.MoveMeetingRequest(meeting=meeting, start=start, end=end)
        try:
            moved: MeetingInfo = await call(
                io.MOVE_MEETING, request, MeetingInfo, "Move the Webex meeting", retry
            )
        except ActivityError as err:
            refused = error_type(err) == WEBEX_PERMANENT
        else:
            self._log("meeting moved", "Webex")
            return moved
        recreated = await self._recreate_meeting() if refused else None
        await self._drop_webex_meeting(meeting)
        if recreated is not None:
            return recreated
        why = "could not move or recreate the meeting" if refused else "did not answer in time"
        self._log("reschedule: switched to phone", f"Webex {why}; the clerk will call")
        workflow.upsert_search_attributes([sa.WEBEX_MEETING_ID.value_unset()])
        return MeetingInfo(channel=Channel.PHONE, start=start, end=end, phone=s.inp.citizen.phone)

    async def _recreate_meeting(self) -> MeetingInfo | None:
        s = self._s
        assert s.assignee is not None
        # Its own key: the old meeting's tag would make a retried create find the old meeting.
        key = f"{s.inp.ticket_id}:{int(s.level)}:{s.attempt}:moved-{s.reschedules}"
        request = self._meeting_request(Channel.WEBEX, idempotency_key=key)
        retry = meeting_retry(s.inp.policy.meeting_attempts)
        try:
            meeting: MeetingInfo = await call(
                io.CREATE_MEETING, request, MeetingInfo, "Create the Webex meeting again", retry
            )
        except ActivityError:
            return None
        self._log("meeting recreated", "Webex could not move the meeting; a new one was created")
        if meeting.meeting_id is not None:
            workflow.upsert_search_attributes([sa.WEBEX_MEETING_ID.value_set(meeting.meeting_id)])
            notice = self._host_notice(s.assignee, meeting)
            try:
                await call(io.NOTIFY_HOST, notice, str, f"Webex message to {s.assignee.name}", retry)
            except ActivityError:
                self._log("webex message not sent", "the clerk's email has the new link")
        return meeting

    async def _drop_webex_meeting(self, meeting: MeetingInfo) -> None:
        """The old meeting goes (already gone counts as done), so the clerk's Webex calendar shows
        one meeting; if Webex does not answer, it is left for ops, named in the timeline."""
        retry = meeting_retry(self._s.inp.policy.meeting_attempts)
        try:
            await call(io.CANCEL_MEETING, meeting, type(None), "Delete the old Webex meeting", retry)
        except ActivityError:
            self._log("old webex meeting left", f"Webex did not answer; delete {meeting.meeting_id} by hand")


def _when(instant: datetime) -> str:
    return instant.isoformat()
