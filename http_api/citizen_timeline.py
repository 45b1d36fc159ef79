"""The ticket's timeline as its citizen reads it (the JSON from the link and the ticket's page).

The workflow logs each step in English for ops and clerks, with details written for them: staff
ids, refusal reasons, a vendor's error. A citizen reads a sentence of their own per step, in their
language, and a detail only where it is written for them (a `domain.messages` code, the document's
number). Steps meant for ops are left out; a step nobody listed here yet (a new one in the
workflow, an old ticket's) shows its name without its detail, so nothing internal ever leaks.

To add a step: one line in `STEPS` (or `HIDDEN`), and, if its detail is for the citizen, in
`CODE_DETAIL` (the detail is a message code) or `AS_LOGGED` (shown as written).
"""

from __future__ import annotations

from typing import Final

from domain.messages import MESSAGES, text
from domain.models import Language, TimelineEntry

STEPS: Final[dict[str, tuple[str, str]]] = {
    "started": ("Cerere primită", "Request received"),
    "escalated": ("Escaladare la nivelul următor", "Escalated to the next level"),
    "later slot accepted": (
        "Ați acceptat un interval de după fereastra de 48 de ore",
        "You accepted a slot after the 48-hour window",
    ),
    "validated": ("Dosar verificat", "File checked"),
    "rejected": ("Cerere respinsă", "Request rejected"),
    "assigned": ("Funcționar desemnat", "Clerk assigned"),
    "awaiting assignment": ("Directorul desemnează un funcționar", "The director is choosing a clerk"),
    "awaiting slot": ("Intervalul nu mai era liber", "The slot was no longer free"),
    "booked": ("Interval rezervat", "Slot booked"),
    "in person requested": (
        "Ați cerut o întâlnire la sediu: funcționarul decide",
        "You asked to meet at the city hall: the clerk decides",
    ),
    "in person accepted": ("Funcționarul vă primește la sediu", "The clerk will meet you at the city hall"),
    "in person declined": ("Întâlnirea nu poate avea loc la sediu", "The meeting cannot be at the city hall"),
    "in person declined: webex": ("Întâlnirea va avea loc pe Webex", "The meeting will be on Webex"),
    "meeting created": ("Întâlnire creată", "Meeting created"),
    "webex failed: switched to phone": (
        "Întâlnirea video nu a putut fi creată; funcționarul vă va suna",
        "The video meeting could not be created; the clerk will phone you",
    ),
    "reminder sent": ("Memento trimis", "Reminder sent"),
    "rescheduled": ("Întâlnirea a fost mutată", "The meeting was moved"),
    # The reschedule saga's steps (workflows/ticket_moves.py).
    "reschedule accepted": ("Noul interval a fost rezervat", "The new slot is booked"),
    "reschedule: switched to phone": (
        "Întâlnirea video nu a putut fi mutată; funcționarul vă va suna",
        "The video meeting could not be moved; the clerk will phone you",
    ),
    "meeting recreated": (
        "A fost creată o nouă întâlnire video (linkul nou e în e-mail)",
        "A new video meeting was created (the new link is in your email)",
    ),
    "cancelled by the citizen": ("Anulat de dumneavoastră", "Cancelled by you"),
    "meeting started": ("Întâlnirea a început", "The meeting started"),
    "meeting ended": ("Întâlnirea s-a încheiat", "The meeting ended"),
    "clerk no-show": (
        "Funcționarul nu s-a prezentat: alegeți un alt interval",
        "The clerk did not attend: choose another slot",
    ),
    "outcome recorded": ("Rezultatul întâlnirii consemnat", "Meeting outcome recorded"),
    "resolution submitted": ("Rezoluție redactată", "Resolution written"),
    "document registered": ("Rezoluție înregistrată", "Resolution registered"),
    "escalation requested": ("Escaladare cerută", "Escalation requested"),
    "ended": ("Tichet încheiat", "Ticket ended"),
    "closed": ("Tichet închis", "Ticket closed"),
}
# For ops and clerks only: refusals, chasing the clerk, Webex's bookkeeping.
HIDDEN: Final = frozenset(
    {
        "signal rejected",
        "webex event ignored",
        "recording created",
        "outcome request",
        "resolution reminder",
        "resolution late",
        "meeting moved",
        "webex message not sent",
        "old webex meeting left",
        # Delivery status (issue 12): for the clerk, who phones the citizen instead.
        "citizen email failed",
        "citizen email delayed",
        "staff email failed",
        "staff email delayed",
    }
)
CODE_DETAIL: Final = frozenset({"awaiting slot", "ended", "rejected"})
AS_LOGGED: Final = frozenset({"document registered"})


def citizen_sentence(entry: TimelineEntry, lang: Language) -> str | None:
    """What the citizen reads for `entry`, or None when the step is not for them."""
    if entry.step in HIDDEN:
        return None
    if entry.step not in STEPS:
        return entry.step  # a step not listed yet: its name, never its detail
    phrase = STEPS[entry.step][1 if lang == Language.EN else 0]
    detail = _detail(entry, lang)
    return f"{phrase}: {detail}" if detail else phrase


def citizen_timeline(entries: list[TimelineEntry], lang: Language) -> list[TimelineEntry]:
    """The JSON's timeline: the step as logged (a stable key), its detail the citizen's sentence."""
    shown = ((entry, citizen_sentence(entry, lang)) for entry in entries)
    return [TimelineEntry(at=e.at, step=e.step, detail=line) for e, line in shown if line is not None]


def _detail(entry: TimelineEntry, lang: Language) -> str:
    if entry.step in AS_LOGGED:
        return entry.detail
    if entry.step in CODE_DETAIL and entry.detail in MESSAGES and "{" not in MESSAGES[entry.detail][lang]:
        return text(entry.detail, lang)
    return ""
