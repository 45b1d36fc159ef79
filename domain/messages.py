"""The codes of every whole answer a citizen or clerk can read (a refusal, "no matching file").

Codes are stable: the API returns them beside the text, workflows raise them as error types, and
tests assert on codes, not wording. The sentences are in the gettext catalogs (`locales/`, read by
`core.catalogs.text`), never here: workflow code imports this module and must not read files.
"""

from __future__ import annotations

from typing import Final

CODES: Final[frozenset[str]] = frozenset(
    {
        "no_matching_file",
        "ticket_already_open",
        "slot_taken",
        "slot_day_off",
        "slot_outside_hours",
        "slot_outside_window",
        "slot_person_absent",
        "unknown_municipality",
        "ticket_link_invalid",
        "action_not_allowed",
        "not_your_ticket",
        "unauthenticated",
        "staff_token_invalid",
        "invalid_input",
        "not_found",
        "method_not_allowed",
        "service_unavailable",
        "no_free_slots",
        "already_rated",
        "rating_not_open",
        "report_not_allowed",
        "slot_daily_cap",
        "no_slot_in_window",
        "no_clerk_assigned",
        "no_slot_chosen",
        "reschedule_in_progress",
        "cancelled_by_citizen",
        "meeting_not_held_yet",
        "meeting_not_held",
        "outcome_already_recorded",
        "outcome_cancel_by_citizen",
        "resolution_already_submitted",
        "resolution_documents_missing",
        "resolution_clarified_with_documents",
        "pick_not_needed",
        "pick_director_only",
        "cancel_too_late",
        "cancel_already_requested",
        "reschedule_not_booked",
        "meeting_already_started",
        "reschedule_same_time",
        "reschedule_reason_required",
        "in_person_not_pending",
        "slot_choice_not_pending",
        "escalation_last_level",
        "escalation_not_open",
        "escalation_already_requested",
        "escalation_window_closed",
        "action_failed",
        "pick_absent",
        "pick_not_director",
        "pick_not_in_department",
        "webhook_signature_invalid",
        "login_form_expired",
        "ticket_contact_erased",
        "erasure_ticket_open",
        "codec_forbidden",
        "codec_origin_refused",
        "codec_invalid_payloads",
        "codec_undecodable",
        "too_many_requests",
        "request_too_large",
    }
)
