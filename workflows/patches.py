"""Behaviour added while tickets were already running. `workflow.patched(<id>)` keeps the histories
of those tickets valid (tests/test_replay.py replays one recorded before each change)."""

from __future__ import annotations

from typing import Final

MEETING_CHANNEL: Final = "meeting-channel-v1"  # Webex fallback to phone, host notice, reminders, recording
WORKING_HOUR_DEADLINES: Final = "working-hour-deadlines-v1"  # R8 reminder and deadline in working hours
CLERK_NO_SHOW_REBOOK: Final = "clerk-no-show-rebook-v1"  # a clerk no-show offers the citizen a new slot
IN_PERSON_ACCEPTANCE: Final = "in-person-acceptance-v1"  # in person only when the clerk accepts
EARLIER_RESOLUTIONS: Final = "earlier-resolutions-attached-v1"  # the next level's holder gets them
RESCHEDULE_SAGA: Final = "reschedule-saga-v1"  # the update secures the slot; the flow moves the rest
RESOLUTION_RULES: Final = "resolution-consistency-v1"  # a signal's category must fit its documents
WEBEX_EARLY_END: Final = "webex-early-end-v1"  # "meeting ended" before the slot does not hold it
FEEDBACK_PURGE: Final = "accessibility-feedback-purge-v1"  # the purge also erases old feedback
# Activities get the few fields they use, not the whole TicketView with its timeline (issue 11)
LEAN_ACTIVITY_INPUTS: Final = "lean-activity-inputs-v1"
EMAIL_DELIVERY_STATUS: Final = "email-delivery-status-v1"  # the `email_bounced` signal (issue 12)
# Each level names its municipality in the `Municipality` search attribute (issue 11, tenancy)
MUNICIPALITY_ATTRIBUTE: Final = "municipality-attribute-v1"
